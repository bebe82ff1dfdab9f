// The Recordings page's state in its URL: filters, sort order and how many pages are open,
// so a reload, the back button or a shared link shows the same view.
import { type RecordingStatus, STATUSES } from './recordings';

export type SortOrder = 'desc' | 'asc';

export interface ListState {
  roomId: string | null;
  status: RecordingStatus | null;
  sortOrder: SortOrder;
  /** Pages loaded with "Load more" (1 = the first page only). */
  pages: number;
}

export const DEFAULT_LIST_STATE: ListState = { roomId: null, status: null, sortOrder: 'desc', pages: 1 };
export const MAX_PAGES = 20;
const ROOM_ID = /^[A-Za-z0-9_]+(-[A-Za-z0-9_]+)*$/;

/** The state a query string describes; anything invalid falls back to the default. */
export function parseListState(search: string | URLSearchParams): ListState {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const room = params.get('room');
  const status = params.get('status');
  const pages = Number(params.get('pages'));
  return {
    roomId: room && room.length <= 128 && ROOM_ID.test(room) ? room : null,
    status: status && (STATUSES as string[]).includes(status) ? (status as RecordingStatus) : null,
    sortOrder: params.get('sort') === 'asc' ? 'asc' : 'desc',
    pages: Number.isInteger(pages) && pages >= 1 ? Math.min(pages, MAX_PAGES) : 1,
  };
}

/** The query string for a state ("" for the default view), in a stable order. */
export function formatListState(state: ListState): string {
  const params = new URLSearchParams();
  if (state.roomId) params.set('room', state.roomId);
  if (state.status) params.set('status', state.status);
  if (state.sortOrder !== 'desc') params.set('sort', state.sortOrder);
  if (state.pages > 1) params.set('pages', String(Math.min(state.pages, MAX_PAGES)));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function hasFilters(state: ListState): boolean {
  return state.roomId !== null || state.status !== null;
}

/** A change of filters or sort starts again from the first page. */
export function withFilters(state: ListState, change: Partial<Omit<ListState, 'pages'>>): ListState {
  return { ...state, ...change, pages: 1 };
}
