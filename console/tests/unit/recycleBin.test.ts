import { describe, expect, it, vi } from 'vitest';
import type { Api } from '../../src/api/client';
import { deleteMany, deleteOne, restoreMany } from '../../src/features/recordings/api';
import { binned, undoAction } from '../../src/features/recordings/undo';
import { deletionSentence } from '../../src/features/rooms/DeleteRoomDialog';
import {
  actedByLabel,
  deletedMessage,
  deleteFate,
  fateSentence,
  parseHoldReason,
  parseRetentionDays,
  parseTrashDays,
  restoredMessage,
  retentionLabel,
  trashDaysLabel,
} from '../../src/lib/recycleBin';

const days = (entries: [string, number][]) => new Map(entries);

describe("what a delete does, by the rooms' recycle bins", () => {
  it('moves to the bin for the room’s days', () => {
    const fate = deleteFate(['a'], days([['a', 7]]));
    expect(fate).toEqual({ kind: 'bin', days: 7, minDays: 7, maxDays: 7 });
    expect(fateSentence(fate, 1)).toBe('Moved to the recycle bin for 7 days, where it can be restored.');
    expect(fateSentence(deleteFate(['a', 'a'], days([['a', 1]])), 2)).toBe(
      'Moved to the recycle bin for 1 day, where they can be restored.',
    );
  });
  it('says the range when rooms keep different days', () => {
    const fate = deleteFate(
      ['a', 'b'],
      days([
        ['a', 3],
        ['b', 30],
      ]),
    );
    expect(fateSentence(fate, 2)).toBe(
      "Moved to their rooms' recycle bins for 3 to 30 days, where they can be restored.",
    );
  });
  it('cannot be undone in a room that keeps none, or when asked to delete permanently', () => {
    expect(fateSentence(deleteFate(['a'], days([['a', 0]])), 1)).toBe('This cannot be undone.');
    expect(deleteFate(['a'], days([['a', 7]]), true)).toEqual({ kind: 'permanent' });
  });
  it('tells a mix apart', () => {
    const fate = deleteFate(
      ['a', 'a', 'b'],
      days([
        ['a', 7],
        ['b', 0],
      ]),
    );
    expect(fate).toEqual({ kind: 'mixed', binned: 2, permanent: 1 });
    expect(fateSentence(fate, 3)).toBe(
      '2 are moved to the recycle bin, where they can be restored; 1 is in a room that keeps no recycle bin and is deleted at once. That cannot be undone.',
    );
  });
  it('says both outcomes when a room’s setting is unknown', () => {
    expect(deleteFate(['a', 'b'], days([['a', 7]]))).toEqual({ kind: 'unknown' });
    expect(deleteFate(['a'], null).kind).toBe('unknown');
    expect(fateSentence({ kind: 'unknown' }, 1)).toMatch(/moved there; otherwise .* cannot be undone/);
  });
});

describe('the words of the bin', () => {
  it('names who acted, never more', () => {
    expect(actedByLabel({ kind: 'admin', role: 'admin' })).toBe('Administrator');
    expect(actedByLabel({ kind: 'participant', role: 'moderator' })).toBe('Moderator');
    expect(actedByLabel(undefined)).toBe('Someone');
  });
  it("shows a room's setting", () => {
    expect(trashDaysLabel(7)).toBe('Kept 7 days');
    expect(trashDaysLabel(1)).toBe('Kept 1 day');
    expect(trashDaysLabel(0)).toBe('Off: deletes are permanent');
  });
  it('reads the days field: whole numbers 0 to 90', () => {
    expect(parseTrashDays(' 14 ')).toBe(14);
    expect(parseTrashDays('0')).toBe(0);
    expect(parseTrashDays('91')).toEqual({ error: 'At most 90 days' });
    for (const bad of ['', '-1', '2.5', 'x']) {
      expect(parseTrashDays(bad)).toEqual({ error: 'Enter a whole number of days, 0 to 90' });
    }
  });
  it('wants a hold’s reason, 1 to 500 characters once trimmed', () => {
    expect(parseHoldReason('  Case 14 ')).toBe('Case 14');
    expect(parseHoldReason('   ')).toEqual({ error: 'Give the reason for the hold' });
    expect(parseHoldReason('x'.repeat(501))).toEqual({ error: 'At most 500 characters' });
  });
  it('says what a delete did', () => {
    const bin = (id: string) => ({ recordingId: id, ok: true, reason: null, restorableUntil: 1 });
    const gone = (id: string) => ({ recordingId: id, ok: true, reason: null, restorableUntil: null });
    const failed = (id: string) => ({ recordingId: id, ok: false, reason: 'no' });
    expect(deletedMessage([bin('a')])).toBe('Recording moved to the recycle bin');
    expect(deletedMessage([bin('a'), bin('b'), gone('c')])).toBe(
      '2 recordings moved to the recycle bin, 1 deleted for good',
    );
    expect(deletedMessage([gone('a'), gone('b')])).toBe('2 recordings deleted');
    expect(deletedMessage([gone('a'), gone('b')], true)).toBe('2 recordings deleted permanently');
    expect(deletedMessage([bin('a'), failed('b')])).toBe(
      'Recording moved to the recycle bin; 1 of 2 recordings could not be deleted',
    );
    expect(restoredMessage([gone('a')])).toBe('Recording restored');
    expect(restoredMessage([gone('a'), failed('b')])).toBe('1 of 2 recordings could not be restored');
  });
});

/** An Api whose calls answer what `answer` returns for (method, path, options). */
function fakeApi(answer: (method: string, path: string, options: unknown) => { status: number; body: unknown }) {
  const respond = (method: string) =>
    vi.fn(async (path: string, options: unknown) => {
      const { status, body } = answer(method, path, options);
      const ok = status >= 200 && status < 300;
      return { data: ok ? body : undefined, error: ok ? undefined : body, response: new Response(null, { status }) };
    });
  return {
    DELETE: respond('DELETE'),
    POST: respond('POST'),
    GET: respond('GET'),
    PUT: respond('PUT'),
  } as unknown as Api & {
    DELETE: ReturnType<typeof vi.fn>;
    POST: ReturnType<typeof vi.fn>;
  };
}

describe('the bin’s calls', () => {
  it('reads a bulk delete’s 400: what moved to the bin, until when, and what failed why', async () => {
    const api = fakeApi(() => ({
      status: 400,
      body: {
        message: '1 recording(s) could not be deleted',
        deleted: ['a'],
        failed: [{ recordingId: 'b', error: "Recording 'b' is on legal hold and cannot be removed" }],
        restorableUntil: { a: 123 },
      },
    }));
    const outcomes = await deleteMany(api, ['a', 'b']);
    expect(outcomes).toEqual([
      { recordingId: 'a', ok: true, reason: null, restorableUntil: 123 },
      { recordingId: 'b', ok: false, reason: "Recording 'b' is on legal hold and cannot be removed" },
    ]);
    expect(binned(outcomes)).toEqual(['a']);
  });
  it('asks for a permanent delete only when told', async () => {
    const api = fakeApi(() => ({
      status: 200,
      body: { message: 'ok', deleted: ['a'], failed: [], restorableUntil: {} },
    }));
    await deleteMany(api, ['a'], { permanent: true });
    expect(api.DELETE.mock.calls[0]?.[1]).toEqual({ params: { query: { recordingIds: ['a'], permanent: true } } });
    await deleteMany(api, ['a']);
    expect(api.DELETE.mock.calls[1]?.[1]).toEqual({ params: { query: { recordingIds: ['a'] } } });
    const single = fakeApi(() => ({ status: 200, body: { message: 'deleted' } }));
    expect(await deleteOne(single, 'a', { permanent: true })).toEqual({
      recordingId: 'a',
      ok: true,
      reason: null,
      restorableUntil: null,
    });
  });
  it('restores in chunks of 150 and gives every id an outcome', async () => {
    const ids = Array.from({ length: 160 }, (_, i) => `r${i}`);
    const api = fakeApi((_m, _p, options) => {
      const chunk = (options as { body: { recordingIds: string[] } }).body.recordingIds;
      return { status: 200, body: { message: 'ok', restored: chunk, failed: [] } };
    });
    const outcomes = await restoreMany(api, ids);
    expect(api.POST).toHaveBeenCalledTimes(2);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(outcomes.map((o) => o.recordingId)).toEqual(ids);
  });
  it('an error without outcomes fails every id with the API’s message', async () => {
    const api = fakeApi(() => ({ status: 403, body: { error: 'Authorization Error', message: 'Not allowed' } }));
    expect(await restoreMany(api, ['a'])).toEqual([{ recordingId: 'a', ok: false, reason: 'Not allowed' }]);
  });
  it('offers Undo only for what went to the bin, and Undo restores those', async () => {
    const api = fakeApi(() => ({ status: 200, body: { message: 'ok', restored: ['a'], failed: [] } }));
    const toast = vi.fn();
    expect(
      undoAction(api, toast, [{ recordingId: 'a', ok: true, reason: null, restorableUntil: null }]),
    ).toBeUndefined();
    const action = undoAction(api, toast, [
      { recordingId: 'a', ok: true, reason: null, restorableUntil: 5 },
      { recordingId: 'b', ok: false, reason: 'held' },
    ]);
    expect(action?.label).toBe('Undo');
    action?.run();
    await vi.waitFor(() => expect(toast).toHaveBeenCalledWith('success', 'Recording restored'));
    expect(api.POST.mock.calls[0]?.[1]).toEqual({ body: { recordingIds: ['a'] } });
  });
});

describe("a room's retention and its deletion, in words", () => {
  it('reads the retention field: empty keeps forever, 1 to 3650 days', () => {
    expect(parseRetentionDays('')).toBeNull();
    expect(parseRetentionDays(' 90 ')).toBe(90);
    expect(parseRetentionDays('0')).toEqual({
      error: 'Enter a whole number of days, 1 to 3650, or leave it empty',
    });
    expect(parseRetentionDays('2.5')).toHaveProperty('error');
    expect(parseRetentionDays('3651')).toEqual({ error: 'At most 3650 days (ten years)' });
    expect(retentionLabel(undefined)).toBe('Kept forever');
    expect(retentionLabel(1)).toBe('Removed 1 day after they end');
    expect(retentionLabel(90)).toBe('Removed 90 days after they end');
  });

  it("says what became of a room, never the API's codes", () => {
    const said = (successCode: string) =>
      deletionSentence('Board', { successCode, message: 'the API said so' } as Parameters<typeof deletionSentence>[1]);
    expect(said('room_deleted')).toBe('Room Board deleted');
    expect(said('room_and_recordings_deleted')).toBe('Room Board and its recordings deleted');
    expect(said('room_closed')).toBe('Room Board closed; its recordings are kept');
    expect(said('room_with_active_meeting_closed')).toBe('Room Board closed; its recordings are kept');
    expect(said('room_with_active_meeting_scheduled_to_be_closed')).toBe(
      'Room Board will be closed when its recording ends',
    );
    expect(said('room_closing')).toContain('finishes in the background');
  });
});
