// The recycle bin and legal holds in words: what a delete will do by the rooms' settings
// (into the bin for so many days, or for good), who deleted what, a room's bin setting, and
// the outcomes of deletes and restores. The API decides every request; these only say it.
import type { components } from '../api/schema';

type ActedBy = components['schemas']['ActedBy'];

/** A room's `trashDays`: 0 (deletes are permanent) to 90; new rooms keep 7. */
export const TRASH_DAYS_MAX = 90;
export const TRASH_DAYS_DEFAULT = 7;
export const HOLD_REASON_MAX = 500;

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

/** What deleting these recordings will do, from their rooms' settings. */
export type DeleteFate =
  /** Every one into its room's bin; `days` when every room keeps the same number. */
  | { kind: 'bin'; days: number | null; minDays: number; maxDays: number }
  /** Every one deleted at once. */
  | { kind: 'permanent' }
  /** Some of each. */
  | { kind: 'mixed'; binned: number; permanent: number }
  /** A room's setting could not be read. */
  | { kind: 'unknown' };

/**
 * The fate of a delete of recordings of these rooms (one entry per recording), given each
 * room's `trashDays` (`null`: not known), or of a permanent delete.
 */
export function deleteFate(
  roomIds: readonly string[],
  trashDays: ReadonlyMap<string, number> | null,
  permanent = false,
): DeleteFate {
  if (permanent) return { kind: 'permanent' };
  const kept: number[] = [];
  let atOnce = 0;
  for (const roomId of roomIds) {
    const n = trashDays?.get(roomId);
    if (n === undefined) return { kind: 'unknown' };
    if (n > 0) kept.push(n);
    else atOnce += 1;
  }
  if (kept.length === 0) return { kind: 'permanent' };
  if (atOnce > 0) return { kind: 'mixed', binned: kept.length, permanent: atOnce };
  const minDays = Math.min(...kept);
  const maxDays = Math.max(...kept);
  return { kind: 'bin', days: minDays === maxDays ? minDays : null, minDays, maxDays };
}

/**
 * The sentence a delete confirmation ends with: "Moved to the recycle bin for 7 days, where it
 * can be restored." or "This cannot be undone."
 */
export function fateSentence(fate: DeleteFate, count: number): string {
  const one = count === 1;
  switch (fate.kind) {
    case 'bin':
      return fate.days !== null
        ? `Moved to the recycle bin for ${days(fate.days)}, where ${one ? 'it' : 'they'} can be restored.`
        : `Moved to their rooms' recycle bins for ${fate.minDays} to ${days(fate.maxDays)}, where they can be restored.`;
    case 'permanent':
      return 'This cannot be undone.';
    case 'mixed':
      return `${fate.binned} ${fate.binned === 1 ? 'is' : 'are'} moved to the recycle bin, where ${
        fate.binned === 1 ? 'it' : 'they'
      } can be restored; ${fate.permanent} ${
        fate.permanent === 1 ? 'is in a room that keeps' : 'are in rooms that keep'
      } no recycle bin and ${fate.permanent === 1 ? 'is' : 'are'} deleted at once. That cannot be undone.`;
    case 'unknown':
      return one
        ? 'If its room keeps a recycle bin it is moved there; otherwise it is deleted for good, which cannot be undone.'
        : 'Those of rooms that keep a recycle bin are moved there; the others are deleted for good, which cannot be undone.';
  }
}

/** Who deleted it, or set a hold: "Administrator", "Moderator", "Speaker". */
export function actedByLabel(by: ActedBy | null | undefined): string {
  if (!by) return 'Someone';
  if (by.kind === 'admin' || by.role === 'admin') return 'Administrator';
  return by.role === 'moderator' ? 'Moderator' : 'Speaker';
}

/** A room's bin setting as the Rooms page shows it: "7 days", "Off: deletes are permanent". */
export function trashDaysLabel(trashDays: number): string {
  return trashDays > 0 ? `Kept ${days(trashDays)}` : 'Off: deletes are permanent';
}

/** The recycle-bin field's text as a number of days, or why it is not one. */
export function parseTrashDays(text: string): number | { error: string } {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return { error: `Enter a whole number of days, 0 to ${TRASH_DAYS_MAX}` };
  const n = Number(trimmed);
  if (n > TRASH_DAYS_MAX) return { error: `At most ${TRASH_DAYS_MAX} days` };
  return n;
}

export const RETENTION_DAYS_MAX = 3650;

/** A room's retention in words: "Removed 90 days after they end", "Kept forever". */
export function retentionLabel(retentionDays: number | undefined): string {
  return retentionDays ? `Removed ${days(retentionDays)} after they end` : 'Kept forever';
}

/** The retention field's text: `null` when empty (kept forever), else 1 to 3650 days. */
export function parseRetentionDays(text: string): number | null | { error: string } {
  const trimmed = text.trim();
  if (!trimmed) return null;
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1) {
    return { error: `Enter a whole number of days, 1 to ${RETENTION_DAYS_MAX}, or leave it empty` };
  }
  const n = Number(trimmed);
  if (n > RETENTION_DAYS_MAX) return { error: `At most ${RETENTION_DAYS_MAX} days (ten years)` };
  return n;
}

/** A legal hold's reason as typed, or why it cannot be saved. */
export function parseHoldReason(text: string): string | { error: string } {
  const reason = text.trim();
  if (!reason) return { error: 'Give the reason for the hold' };
  if (reason.length > HOLD_REASON_MAX) return { error: `At most ${HOLD_REASON_MAX} characters` };
  return reason;
}

/** One recording's outcome in a bulk delete or restore. */
export interface Outcome {
  recordingId: string;
  ok: boolean;
  /** Why it failed, in the API's words. */
  reason: string | null;
  /** A delete into the bin: until when it can be restored. */
  restorableUntil?: number | null;
}

/** The toast after a delete: "Recording moved to the recycle bin", "3 recordings deleted
 * permanently" (a permanent delete), "2 recordings moved to the recycle bin, 1 deleted for good". */
export function deletedMessage(outcomes: readonly Outcome[], permanent = false): string {
  const done = outcomes.filter((o) => o.ok);
  const binned = done.filter((o) => typeof o.restorableUntil === 'number').length;
  const gone = done.length - binned;
  const failed = outcomes.length - done.length;
  const recordings = (n: number) => (n === 1 ? 'Recording' : `${n} recordings`);
  const parts: string[] = [];
  if (binned > 0) parts.push(`${recordings(binned)} moved to the recycle bin`);
  if (gone > 0) {
    parts.push(
      `${parts.length ? gone : recordings(gone)} deleted${binned ? ' for good' : permanent ? ' permanently' : ''}`,
    );
  }
  if (failed > 0) {
    const lead = `${failed} of ${outcomes.length} recordings could not be deleted`;
    return parts.length ? `${parts.join(', ')}; ${lead}` : lead;
  }
  return parts.join(', ') || 'Nothing was deleted';
}

/** The toast after a restore: "Recording restored", "2 of 3 recordings could not be restored". */
export function restoredMessage(outcomes: readonly Outcome[]): string {
  const failed = outcomes.filter((o) => !o.ok).length;
  if (failed > 0) return `${failed} of ${outcomes.length} recordings could not be restored`;
  return outcomes.length === 1 ? 'Recording restored' : `${outcomes.length} recordings restored`;
}
