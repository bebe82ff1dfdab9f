// The activity trail in words: what was done, by whom, from where, and how it went. Never
// raw JSON: every kind and detail the API sends has its phrase here.
import type { components } from '../api/schema';
import { shareOptionsSummary } from './shareOptions';

export type Activity = components['schemas']['Activity'];
export type ActivityKind = components['schemas']['ActivityKind'];
type Actor = components['schemas']['ActivityActor'];
type Result = components['schemas']['ActivityResult'];
type Access = components['schemas']['RecordingAccess'];

export const ACTIVITY_KINDS: ActivityKind[] = [
  'played',
  'downloaded',
  'shareCreated',
  'shareOpened',
  'shareRevoked',
  'deleted',
  'restored',
  'legalHoldSet',
  'legalHoldReleased',
  'titleChanged',
  'roomConfigChanged',
];

/** The kinds a recording's own trail can hold (a room's settings are the room's). */
export const RECORDING_ACTIVITY_KINDS: ActivityKind[] = ACTIVITY_KINDS.filter((k) => k !== 'roomConfigChanged');

export const KIND_LABEL: Record<ActivityKind, string> = {
  played: 'Played',
  downloaded: 'Downloaded',
  shareCreated: 'Share link created',
  shareOpened: 'Share link opened',
  shareRevoked: 'Share link revoked',
  deleted: 'Deleted',
  restored: 'Restored from the recycle bin',
  legalHoldSet: 'Legal hold set',
  legalHoldReleased: 'Legal hold released',
  titleChanged: 'Title changed',
  roomConfigChanged: 'Room settings changed',
};

const ROLE_LABEL = { admin: 'Administrator', moderator: 'Moderator', speaker: 'Speaker' } as const;

const ACCESS_WORDS: Record<Access, string> = {
  admin: 'admins only',
  admin_moderator: 'admins and moderators',
  admin_moderator_speaker: 'admins, moderators and speakers',
};

/** What a room's recycle bin keeps: "deleted recordings kept 7 days", "deletes are permanent". */
export function binWords(trashDays: number): string {
  if (trashDays <= 0) return 'deletes are permanent';
  return `deleted recordings kept ${trashDays} day${trashDays === 1 ? '' : 's'}`;
}

/** A share id's first characters, enough to tell links apart: "abc123…". */
export function shortShareId(shareId: string): string {
  return shareId.length > 6 ? `${shareId.slice(0, 6)}…` : shareId;
}

/** Who did it: "Administrator", "Moderator", "Speaker", "Share link abc123…". */
export function actorLabel(actor: Actor): string {
  if (actor.kind === 'shareLink') return actor.shareId ? `Share link ${shortShareId(actor.shareId)}` : 'A share link';
  if (actor.kind === 'admin') return 'Administrator';
  return actor.role ? ROLE_LABEL[actor.role] : 'Participant';
}

/** What was done: "Played", "Title changed to “Board meeting”", "3 share links revoked". */
export function activityWhat(activity: Activity): string {
  const { kind, details } = activity;
  if (kind === 'titleChanged' && details && 'title' in details) {
    return typeof details.title === 'string' ? `Title changed to “${details.title}”` : 'Title removed';
  }
  if (kind === 'deleted' && typeof details?.restorableUntil === 'number') return 'Moved to the recycle bin';
  if (kind === 'shareRevoked' && typeof details?.revoked === 'number') {
    const n = details.revoked;
    return `${n} share link${n === 1 ? '' : 's'} revoked`;
  }
  return KIND_LABEL[kind] ?? 'Something was done';
}

/** More about it, where the kind has more to say: a link's options, a room's new settings. */
export function activityDetail(activity: Activity): string | null {
  const { kind, details } = activity;
  if (!details) return null;
  if (kind === 'shareCreated') {
    const summary = shareOptionsSummary(details);
    const link = details.shareId ? `Link ${shortShareId(details.shareId)}` : null;
    return [link, summary].filter(Boolean).join(': ') || null;
  }
  if (kind === 'shareRevoked' && details.shareId) return `Link ${shortShareId(details.shareId)}`;
  if (kind === 'roomConfigChanged' && details.recording) {
    const { enabled, allowAccessTo, trashDays } = details.recording;
    const access = `Recording ${enabled ? 'enabled' : 'disabled'}; recordings open to ${ACCESS_WORDS[allowAccessTo] ?? allowAccessTo}`;
    return typeof trashDays === 'number' ? `${access}; ${binWords(trashDays)}` : access;
  }
  if (kind === 'deleted' && typeof details.restorableUntil === 'number') {
    return `Restorable until ${new Date(details.restorableUntil).toLocaleString()}`;
  }
  if (kind === 'legalHoldSet' && details.reason) return `Reason: ${details.reason}`;
  return null;
}

export interface ResultWords {
  ok: boolean;
  /** "OK", "Refused (401)", "Failed (503)". */
  label: string;
  /** Why it failed, when the API said. */
  message: string | null;
}

/** How it went: 4xx answers were refused, 5xx failed. */
export function activityResult(result: Result): ResultWords {
  const message = result.message?.trim() || null;
  if (result.status < 400) return { ok: true, label: 'OK', message: null };
  return { ok: false, label: `${result.status < 500 ? 'Refused' : 'Failed'} (${result.status})`, message };
}

/** Where it came from: the address, or "an unknown address". */
export function whereLabel(sourceIp: string | null): string {
  return sourceIp?.trim() ? sourceIp : 'an unknown address';
}

const sentenceEnd = (text: string) => (/[.!?…]$/.test(text) ? text : `${text}.`);

/**
 * The entry as one sentence, and how it went when it did not: "Played by Administrator from
 * 203.0.113.7." or "Played by Share link abc123… from 203.0.113.7. Refused (401): Wrong password."
 */
export function activitySentence(activity: Activity): string {
  const base = sentenceEnd(
    `${activityWhat(activity)} by ${actorLabel(activity.actor)} from ${whereLabel(activity.sourceIp)}`,
  );
  const result = activityResult(activity.result);
  if (result.ok) return base;
  return `${base} ${sentenceEnd(result.message ? `${result.label}: ${result.message}` : result.label)}`;
}
