// The recordings calls of the list, the recycle bin and the recording view. A page of the
// list is one request: everything a row shows comes in it (no request per row).
import { type Api, ApiError, call, callWithStatus } from '../../api/client';
import type { components } from '../../api/schema';
import { errorFromResponse } from '../../lib/errors';
import { type ListState, searchQuery } from '../../lib/listState';
import type { Recording } from '../../lib/recordings';
import type { Outcome } from '../../lib/recycleBin';

export const PAGE_SIZE = 20;
/** The API's limit on ids per bulk delete (and bulk restore). */
export const BULK_LIMIT = 150;

export interface Page {
  recordings: Recording[];
  nextPageToken: string | null;
}

/** A page of the list, or with `trashed` of the recycle bin (same filters and order). */
export async function fetchPage(
  api: Api,
  state: ListState,
  token: string | null,
  { trashed = false } = {},
): Promise<Page> {
  const page = await call(
    api.GET('/api/v1/recordings', {
      params: {
        query: {
          maxItems: PAGE_SIZE,
          ...(trashed ? { trashed: true } : {}),
          sortOrder: state.sortOrder,
          ...searchQuery(state),
          ...(state.roomId ? { roomId: state.roomId } : {}),
          ...(state.status ? { status: state.status } : {}),
          ...(token ? { nextPageToken: token } : {}),
        },
      },
    }),
  );
  return {
    // Without `fields` every property is present.
    recordings: page.recordings as Recording[],
    nextPageToken: page.pagination.nextPageToken ?? null,
  };
}

/** Appends a page, keeping each recording once (in the order first seen). */
export function mergeRecordings(existing: Recording[], next: Recording[]): Recording[] {
  const seen = new Set(existing.map((r) => r.recordingId));
  return [...existing, ...next.filter((r) => !seen.has(r.recordingId) && seen.add(r.recordingId))];
}

type BulkResult = components['schemas']['BulkDeleteResult'];
type RestoreResult = components['schemas']['BulkRestoreResult'];

/** One outcome per id, in the given order, from the bulk answers of its chunks. */
async function inChunks(
  ids: string[],
  send: (chunk: string[]) => Promise<{ status: number; data?: unknown; error?: unknown }>,
  read: (body: Record<string, unknown>) => { ok: string[]; failed: { recordingId: string; error: string }[] } | null,
  restorableUntil: (body: Record<string, unknown>, id: string) => number | null = () => null,
): Promise<Outcome[]> {
  const outcomes = new Map<string, Outcome>();
  for (let i = 0; i < ids.length; i += BULK_LIMIT) {
    const chunk = ids.slice(i, i + BULK_LIMIT);
    const answer = await send(chunk);
    const body = (answer.data ?? answer.error) as Record<string, unknown> | undefined;
    const parsed = (answer.status === 200 || answer.status === 400) && body ? read(body) : null;
    if (body && parsed) {
      for (const id of parsed.ok) {
        outcomes.set(id, { recordingId: id, ok: true, reason: null, restorableUntil: restorableUntil(body, id) });
      }
      for (const f of parsed.failed)
        outcomes.set(f.recordingId, { recordingId: f.recordingId, ok: false, reason: f.error });
    } else {
      const error = errorFromResponse(answer.status, answer.error, null);
      for (const id of chunk) outcomes.set(id, { recordingId: id, ok: false, reason: error.message });
    }
  }
  return ids.map((id) => outcomes.get(id) ?? { recordingId: id, ok: false, reason: 'No answer for this recording' });
}

/**
 * Deletes in as few requests as the API allows: each into its room's recycle bin (with
 * until when it can be restored), or for good where the room keeps none or `permanent`.
 */
export async function deleteMany(api: Api, ids: string[], { permanent = false } = {}): Promise<Outcome[]> {
  return inChunks(
    ids,
    (chunk) =>
      callWithStatus<BulkResult, unknown>(
        api.DELETE('/api/v1/recordings', {
          params: { query: { recordingIds: chunk, ...(permanent ? { permanent: true } : {}) } },
        }),
      ),
    (body) => {
      const result = body as Partial<BulkResult>;
      return Array.isArray(result.deleted) ? { ok: result.deleted, failed: result.failed ?? [] } : null;
    },
    (body, id) => {
      const until = (body as Partial<BulkResult>).restorableUntil?.[id];
      return typeof until === 'number' ? until : null;
    },
  );
}

/** Brings recordings back from their rooms' recycle bins. */
export async function restoreMany(api: Api, ids: string[]): Promise<Outcome[]> {
  return inChunks(
    ids,
    (chunk) =>
      callWithStatus<RestoreResult, unknown>(api.POST('/api/v1/recordings/restore', { body: { recordingIds: chunk } })),
    (body) => {
      const result = body as Partial<RestoreResult>;
      return Array.isArray(result.restored) ? { ok: result.restored, failed: result.failed ?? [] } : null;
    },
  );
}

/** Brings one recording back from its room's recycle bin; the recording. */
export async function restoreOne(api: Api, recordingId: string): Promise<Recording> {
  return await call(api.POST('/api/v1/recordings/{recordingId}/restore', { params: { path: { recordingId } } }));
}

/** Puts the recording on legal hold (or changes the reason); the recording, held. */
export async function setLegalHold(api: Api, recordingId: string, reason: string): Promise<Recording> {
  return await call(
    api.PUT('/api/v1/recordings/{recordingId}/legal-hold', { params: { path: { recordingId } }, body: { reason } }),
  );
}

/** Releases the recording's legal hold; the recording. */
export async function releaseLegalHold(api: Api, recordingId: string): Promise<Recording> {
  return await call(api.DELETE('/api/v1/recordings/{recordingId}/legal-hold', { params: { path: { recordingId } } }));
}

/** How many days a room's recycle bin keeps deleted recordings (0: deletes are permanent). */
export async function fetchTrashDays(api: Api, roomId: string): Promise<number> {
  const room = await call(api.GET('/api/v1/rooms/{roomId}', { params: { path: { roomId } } }));
  return room.config.recording.trashDays;
}

/** Gives the recording a title (`null` clears it); the recording as updated. */
export async function setTitle(api: Api, recordingId: string, title: string | null): Promise<Recording> {
  return await call(
    api.PATCH('/api/v1/recordings/{recordingId}', { params: { path: { recordingId } }, body: { title } }),
  );
}

/** Deletes one recording: into its room's recycle bin (until when it can be restored), or for
 * good where the room keeps none or `permanent`. */
export async function deleteOne(api: Api, recordingId: string, { permanent = false } = {}): Promise<Outcome> {
  const answer = await call(
    api.DELETE('/api/v1/recordings/{recordingId}', {
      params: { path: { recordingId }, ...(permanent ? { query: { permanent: true } } : {}) },
    }),
  );
  return { recordingId, ok: true, reason: null, restorableUntil: answer.restorableUntil ?? null };
}

/** Saves the video: a presigned URL with `Content-Disposition: attachment` and its filename. */
export async function download(api: Api, recordingId: string): Promise<void> {
  const { url } = await call(
    api.GET('/api/v1/recordings/{recordingId}/download', {
      params: { path: { recordingId }, query: { redirect: false } },
    }),
  );
  saveUrl(url);
}

/** Has the browser save what `url` answers (an attachment: the page stays). */
export function saveUrl(url: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}

export type Export = components['schemas']['Export'];

/** Starts building one ZIP of the recordings; the export, `pending`. */
export async function startExport(api: Api, recordingIds: string[]): Promise<Export> {
  return await call(api.POST('/api/v1/recordings/download', { body: { recordingIds } }));
}

/** How far the export got; once complete, with a fresh URL of its ZIP. */
export async function getExport(api: Api, exportId: string): Promise<Export> {
  return await call(api.GET('/api/v1/exports/{exportId}', { params: { path: { exportId } } }));
}

export { ApiError };
