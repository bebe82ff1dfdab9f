// The recordings calls of the list and the recording view. A page of the list is one
// request: everything a row shows comes in it (no request per row).
import { type Api, ApiError, call, callWithStatus } from '../../api/client';
import type { components } from '../../api/schema';
import { errorFromResponse } from '../../lib/errors';
import { type ListState, searchQuery } from '../../lib/listState';
import type { Recording } from '../../lib/recordings';

export const PAGE_SIZE = 20;
/** The API's limit on ids per bulk delete. */
export const BULK_LIMIT = 150;

export interface Page {
  recordings: Recording[];
  nextPageToken: string | null;
}

export async function fetchPage(api: Api, state: ListState, token: string | null): Promise<Page> {
  const page = await call(
    api.GET('/api/v1/recordings', {
      params: {
        query: {
          maxItems: PAGE_SIZE,
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

export interface BulkOutcome {
  recordingId: string;
  deleted: boolean;
  reason: string | null;
}

type BulkResult = components['schemas']['BulkDeleteResult'];

/** Deletes in as few requests as the API allows; one outcome per id, in the given order. */
export async function deleteMany(api: Api, ids: string[]): Promise<BulkOutcome[]> {
  const outcomes = new Map<string, BulkOutcome>();
  for (let i = 0; i < ids.length; i += BULK_LIMIT) {
    const chunk = ids.slice(i, i + BULK_LIMIT);
    const answer = await callWithStatus<BulkResult, unknown>(
      api.DELETE('/api/v1/recordings', { params: { query: { recordingIds: chunk } } }),
    );
    const body = (answer.data ?? answer.error) as Partial<BulkResult> | undefined;
    if ((answer.status === 200 || answer.status === 400) && body && Array.isArray(body.deleted)) {
      for (const id of body.deleted) outcomes.set(id, { recordingId: id, deleted: true, reason: null });
      for (const f of body.failed ?? [])
        outcomes.set(f.recordingId, { recordingId: f.recordingId, deleted: false, reason: f.error });
    } else {
      const error = errorFromResponse(answer.status, answer.error, null);
      for (const id of chunk) outcomes.set(id, { recordingId: id, deleted: false, reason: error.message });
    }
  }
  return ids.map(
    (id) => outcomes.get(id) ?? { recordingId: id, deleted: false, reason: 'No answer for this recording' },
  );
}

/** Gives the recording a title (`null` clears it); the recording as updated. */
export async function setTitle(api: Api, recordingId: string, title: string | null): Promise<Recording> {
  return await call(
    api.PATCH('/api/v1/recordings/{recordingId}', { params: { path: { recordingId } }, body: { title } }),
  );
}

export async function deleteOne(api: Api, recordingId: string): Promise<void> {
  await call(api.DELETE('/api/v1/recordings/{recordingId}', { params: { path: { recordingId } } }));
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
