import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIST_STATE,
  formatListState,
  hasFilters,
  type ListState,
  parseListState,
  searchQuery,
  sortedBy,
  withFilters,
} from '../../src/lib/listState';

describe('the Recordings page state in the URL', () => {
  it('round-trips every field', () => {
    const state: ListState = {
      roomId: 'daily-standup-x7k2m',
      status: 'complete',
      search: 'board',
      mode: 'prefix',
      from: '2026-03-01',
      to: '2026-03-31',
      sortField: 'size',
      sortOrder: 'asc',
      pages: 3,
    };
    const search = formatListState(state);
    expect(search).toBe(
      '?room=daily-standup-x7k2m&status=complete&q=board&match=prefix&from=2026-03-01&to=2026-03-31&sortBy=size&sort=asc&pages=3',
    );
    expect(parseListState(search)).toEqual(state);
  });
  it('leaves defaults out of the URL', () => {
    expect(formatListState(DEFAULT_LIST_STATE)).toBe('');
    expect(parseListState('')).toEqual(DEFAULT_LIST_STATE);
  });
  it('ignores what is not valid', () => {
    expect(
      parseListState('?room=bad--id&status=nope&sort=sideways&pages=-2&sortBy=title&match=fuzzy&from=03/01/2026'),
    ).toEqual(DEFAULT_LIST_STATE);
    expect(parseListState('?room=-x&pages=1.5&q=%20%20&to=2026-13-45')).toEqual(DEFAULT_LIST_STATE);
    expect(parseListState(`?room=${'a'.repeat(129)}`).roomId).toBeNull();
    expect(parseListState(`?q=${'a'.repeat(129)}`).search).toBe('');
  });
  it('puts a reversed date range the right way round', () => {
    const state = parseListState('?from=2026-05-01&to=2026-04-01');
    expect([state.from, state.to]).toEqual(['2026-04-01', '2026-05-01']);
  });
  it('caps the open pages', () => {
    expect(parseListState('?pages=999').pages).toBe(20);
  });
  it('goes back to the first page when a filter changes', () => {
    const state = { ...DEFAULT_LIST_STATE, pages: 4 };
    expect(withFilters(state, { status: 'failed' })).toEqual({ ...DEFAULT_LIST_STATE, status: 'failed', pages: 1 });
  });
  it('knows when filters are on', () => {
    expect(hasFilters(DEFAULT_LIST_STATE)).toBe(false);
    expect(hasFilters({ ...DEFAULT_LIST_STATE, roomId: 'r' })).toBe(true);
    expect(hasFilters({ ...DEFAULT_LIST_STATE, search: 'x' })).toBe(true);
    expect(hasFilters({ ...DEFAULT_LIST_STATE, to: '2026-01-01' })).toBe(true);
    expect(hasFilters({ ...DEFAULT_LIST_STATE, sortOrder: 'asc', sortField: 'size' })).toBe(false);
  });
  it('sorts a column largest first (names A–Z), then the other way', () => {
    const bySize = sortedBy({ ...DEFAULT_LIST_STATE, pages: 2 }, 'size');
    expect([bySize.sortField, bySize.sortOrder, bySize.pages]).toEqual(['size', 'desc', 1]);
    expect(sortedBy(bySize, 'size').sortOrder).toBe('asc');
    expect(sortedBy(bySize, 'roomName').sortOrder).toBe('asc');
  });
  it('asks the API with its parameter names', () => {
    expect(searchQuery(DEFAULT_LIST_STATE)).toEqual({});
    expect(searchQuery({ ...DEFAULT_LIST_STATE, search: 'march board' })).toEqual({ q: 'march board' });
    expect(searchQuery({ ...DEFAULT_LIST_STATE, search: 'Boa', mode: 'prefix', sortField: 'roomName' })).toEqual({
      roomName: 'Boa',
      roomNameMatchMode: 'prefix',
      roomNameCaseInsensitive: 'true',
      sortField: 'roomName',
    });
    const days = searchQuery({ ...DEFAULT_LIST_STATE, from: '2026-03-01', to: '2026-03-01' });
    const from = Number(days.startDateFrom);
    const to = Number(days.startDateTo);
    expect(new Date(from).getHours()).toBe(0);
    expect(to - from).toBe(24 * 3600 * 1000 - 1);
  });
});
