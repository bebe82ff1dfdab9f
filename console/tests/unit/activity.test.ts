import { describe, expect, it } from 'vitest';
import { mergeActivity } from '../../src/features/activity/api';
import {
  type Activity,
  activityDetail,
  activityResult,
  activitySentence,
  activityWhat,
  actorLabel,
  KIND_LABEL,
  RECORDING_ACTIVITY_KINDS,
  shortShareId,
  whereLabel,
} from '../../src/lib/activity';

const entry = (change: Partial<Activity> = {}): Activity => ({
  activityId: 'a1',
  at: 1_764_190_000_000,
  kind: 'played',
  roomId: 'daily-standup-x7k2m',
  recordingId: 'daily-standup-x7k2m--EG_demo001--d001a1b2c3',
  actor: { kind: 'admin', role: 'admin', shareId: null },
  sourceIp: '203.0.113.7',
  result: { status: 200 },
  details: {},
  ...change,
});

describe('who did it', () => {
  it('names administrators, participants by role, and links by the start of their id', () => {
    expect(actorLabel({ kind: 'admin', role: 'admin', shareId: null })).toBe('Administrator');
    expect(actorLabel({ kind: 'participant', role: 'moderator', shareId: null })).toBe('Moderator');
    expect(actorLabel({ kind: 'participant', role: 'speaker', shareId: null })).toBe('Speaker');
    expect(actorLabel({ kind: 'participant', role: null, shareId: null })).toBe('Participant');
    expect(actorLabel({ kind: 'shareLink', role: null, shareId: 'abc123def456' })).toBe('Share link abc123…');
    expect(actorLabel({ kind: 'shareLink', role: null, shareId: null })).toBe('A share link');
    expect(shortShareId('abc')).toBe('abc');
  });
});

describe('what was done', () => {
  it('has words for every kind', () => {
    expect(KIND_LABEL).toEqual({
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
    });
    expect(activityWhat(entry({ kind: 'deleted', details: { restorableUntil: 1 } }))).toBe('Moved to the recycle bin');
    expect(activityWhat(entry({ kind: 'deleted', details: {} }))).toBe('Deleted');
    expect(RECORDING_ACTIVITY_KINDS).not.toContain('roomConfigChanged');
  });
  it('says the new title, or that it was removed', () => {
    expect(activityWhat(entry({ kind: 'titleChanged', details: { title: 'Board meeting' } }))).toBe(
      'Title changed to “Board meeting”',
    );
    expect(activityWhat(entry({ kind: 'titleChanged', details: { title: null } }))).toBe('Title removed');
    expect(activityWhat(entry({ kind: 'titleChanged', details: {} }))).toBe('Title changed');
  });
  it('counts the links revoked at once', () => {
    expect(activityWhat(entry({ kind: 'shareRevoked', details: { revoked: 3 } }))).toBe('3 share links revoked');
    expect(activityWhat(entry({ kind: 'shareRevoked', details: { revoked: 1 } }))).toBe('1 share link revoked');
    expect(activityWhat(entry({ kind: 'shareRevoked', details: { shareId: 'abc123def456' } }))).toBe(
      'Share link revoked',
    );
  });
  it('details a new link’s options and a room’s new settings, in words', () => {
    expect(
      activityDetail(
        entry({
          kind: 'shareCreated',
          details: {
            shareId: 'abc123def456',
            access: 'public',
            expiresAt: null,
            allowDownload: false,
            maxViews: 10,
            passwordRequired: true,
          },
        }),
      ),
    ).toBe('Link abc123…: Public, play only, password required, at most 10 views');
    expect(activityDetail(entry({ kind: 'shareRevoked', details: { shareId: 'abc123def456' } }))).toBe('Link abc123…');
    expect(
      activityDetail(
        entry({
          kind: 'roomConfigChanged',
          recordingId: null,
          details: { recording: { enabled: true, allowAccessTo: 'admin_moderator', trashDays: 0 } },
        }),
      ),
    ).toBe('Recording enabled; recordings open to admins and moderators; deletes are permanent');
    expect(activityDetail(entry({ kind: 'legalHoldSet', details: { reason: 'Litigation 42' } }))).toBe(
      'Reason: Litigation 42',
    );
    expect(activityDetail(entry())).toBeNull();
  });
});

describe('how it went', () => {
  it('tells successes, refusals and failures apart', () => {
    expect(activityResult({ status: 200 })).toEqual({ ok: true, label: 'OK', message: null });
    expect(activityResult({ status: 302 })).toEqual({ ok: true, label: 'OK', message: null });
    expect(activityResult({ status: 401, message: 'Wrong password' })).toEqual({
      ok: false,
      label: 'Refused (401)',
      message: 'Wrong password',
    });
    expect(activityResult({ status: 503 })).toEqual({ ok: false, label: 'Failed (503)', message: null });
  });
  it('says where from, or that it is not known', () => {
    expect(whereLabel('198.51.100.2')).toBe('198.51.100.2');
    expect(whereLabel(null)).toBe('an unknown address');
  });
});

describe('activity sentences', () => {
  it('reads what, who and where', () => {
    expect(activitySentence(entry())).toBe('Played by Administrator from 203.0.113.7.');
    expect(
      activitySentence(
        entry({
          kind: 'shareCreated',
          actor: { kind: 'participant', role: 'moderator', shareId: null },
          sourceIp: null,
        }),
      ),
    ).toBe('Share link created by Moderator from an unknown address.');
    expect(
      activitySentence(entry({ kind: 'titleChanged', details: { title: 'Q3 plan' }, sourceIp: '2001:db8::1' })),
    ).toBe('Title changed to “Q3 plan” by Administrator from 2001:db8::1.');
  });
  it('adds how a failure went, with its message', () => {
    expect(
      activitySentence(
        entry({
          kind: 'shareOpened',
          actor: { kind: 'shareLink', role: null, shareId: 'abc123def456' },
          result: { status: 401, message: 'Wrong password for this link.' },
        }),
      ),
    ).toBe('Share link opened by Share link abc123… from 203.0.113.7. Refused (401): Wrong password for this link.');
    expect(activitySentence(entry({ kind: 'downloaded', result: { status: 503 } }))).toBe(
      'Downloaded by Administrator from 203.0.113.7. Failed (503).',
    );
  });
});

describe('pages of activity', () => {
  it('keeps each entry once', () => {
    const a = (id: string) => entry({ activityId: id });
    expect(mergeActivity([a('1'), a('2')], [a('2'), a('3'), a('3')]).map((x) => x.activityId)).toEqual(['1', '2', '3']);
  });
});
