// The Recordings page's state in its URL: filters, search, date range, sort and how many
// pages are open, so a reload, the back button or a shared link shows the same view.
import type { operations } from '../api/schema';
import { type RecordingStatus, STATUSES } from './recordings';

type ListQuery = NonNullable<operations['listRecordings']['parameters']['query']>;

export type SortOrder = 'desc' | 'asc';
export type SortField = 'startDate' | 'roomName' | 'duration' | 'size';
export const SORT_FIELDS: SortField[] = ['startDate', 'roomName', 'duration', 'size'];

/** How the search box matches: a room name by prefix, substring, whole name or regular
 * expression, or words of titles and room names. */
export type SearchMode = 'prefix' | 'partial' | 'exact' | 'regex' | 'words';
export const SEARCH_MODES: { mode: SearchMode; label: string }[] = [
  { mode: 'words', label: 'Title or room has the words' },
  { mode: 'prefix', label: 'Room name starts with' },
  { mode: 'partial', label: 'Room name contains' },
  { mode: 'exact', label: 'Room name is' },
  { mode: 'regex', label: 'Room name matches the regex' },
];

export interface ListState {
  roomId: string | null;
  status: RecordingStatus | null;
  /** The search box's text ("" for none) and how it matches. */
  search: string;
  mode: SearchMode;
  /** Calendar days (YYYY-MM-DD), inclusive, in the viewer's time zone. */
  from: string | null;
  to: string | null;
  sortField: SortField;
  sortOrder: SortOrder;
  /** Pages loaded with "Load more" (1 = the first page only). */
  pages: number;
}

export const DEFAULT_LIST_STATE: ListState = {
  roomId: null,
  status: null,
  search: '',
  mode: 'words',
  from: null,
  to: null,
  sortField: 'startDate',
  sortOrder: 'desc',
  pages: 1,
};
export const MAX_PAGES = 20;
/** The API's longest search: a room name (a regex may be 100 characters, `q` 200). */
export const MAX_SEARCH = 128;
const ROOM_ID = /^[A-Za-z0-9_]+(-[A-Za-z0-9_]+)*$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function day(value: string | null): string | null {
  return value && DAY.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00`)) ? value : null;
}

/** The state a query string describes; anything invalid falls back to the default. */
export function parseListState(search: string | URLSearchParams): ListState {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const room = params.get('room');
  const status = params.get('status');
  const pages = Number(params.get('pages'));
  const mode = params.get('match');
  const sortField = params.get('sortBy');
  const text = params.get('q') ?? '';
  let from = day(params.get('from'));
  let to = day(params.get('to'));
  if (from && to && from > to) [from, to] = [to, from];
  return {
    roomId: room && room.length <= 128 && ROOM_ID.test(room) ? room : null,
    status: status && (STATUSES as string[]).includes(status) ? (status as RecordingStatus) : null,
    search: text.trim().length > 0 && text.length <= MAX_SEARCH ? text : '',
    mode: SEARCH_MODES.some((m) => m.mode === mode) ? (mode as SearchMode) : 'words',
    from,
    to,
    sortField: (SORT_FIELDS as (string | null)[]).includes(sortField) ? (sortField as SortField) : 'startDate',
    sortOrder: params.get('sort') === 'asc' ? 'asc' : 'desc',
    pages: Number.isInteger(pages) && pages >= 1 ? Math.min(pages, MAX_PAGES) : 1,
  };
}

/** The query string for a state ("" for the default view), in a stable order. */
export function formatListState(state: ListState): string {
  const params = new URLSearchParams();
  if (state.roomId) params.set('room', state.roomId);
  if (state.status) params.set('status', state.status);
  if (state.search) {
    params.set('q', state.search);
    if (state.mode !== 'words') params.set('match', state.mode);
  }
  if (state.from) params.set('from', state.from);
  if (state.to) params.set('to', state.to);
  if (state.sortField !== 'startDate') params.set('sortBy', state.sortField);
  if (state.sortOrder !== 'desc') params.set('sort', state.sortOrder);
  if (state.pages > 1) params.set('pages', String(Math.min(state.pages, MAX_PAGES)));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function hasFilters(state: ListState): boolean {
  return state.roomId !== null || state.status !== null || state.search !== '' || !!state.from || !!state.to;
}

/** A change of filters or sort starts again from the first page. */
export function withFilters(state: ListState, change: Partial<Omit<ListState, 'pages'>>): ListState {
  return { ...state, ...change, pages: 1 };
}

/** Clicking a column: its natural first order (names A–Z, the rest largest first), then
 * the other way. */
export function sortedBy(state: ListState, field: SortField): ListState {
  const sortOrder: SortOrder =
    state.sortField === field ? (state.sortOrder === 'desc' ? 'asc' : 'desc') : field === 'roomName' ? 'asc' : 'desc';
  return withFilters(state, { sortField: field, sortOrder });
}

/** The list request's search parameters for a state (the API's names). */
export function searchQuery(state: ListState): ListQuery {
  const query: ListQuery = {};
  if (state.search) {
    if (state.mode === 'words') query.q = state.search;
    else {
      query.roomName = state.search;
      query.roomNameMatchMode = state.mode;
      query.roomNameCaseInsensitive = 'true';
    }
  }
  // Whole days in the viewer's time zone: from its first to its last millisecond.
  const at = (time: string) => String(Math.max(0, new Date(time).getTime()));
  if (state.from) query.startDateFrom = at(`${state.from}T00:00:00`);
  if (state.to) query.startDateTo = at(`${state.to}T23:59:59.999`);
  if (state.sortField !== 'startDate') query.sortField = state.sortField;
  return query;
}

/** Everything that decides which rows are listed, as one key for effects. */
export function viewKey(state: ListState): string {
  return formatListState({ ...state, pages: 1 });
}
