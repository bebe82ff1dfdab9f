import { describe, expect, it } from 'vitest';
import { DEFAULT_LIST_STATE, formatListState, hasFilters, parseListState, withFilters } from '../../src/lib/listState';

describe('the Recordings page state in the URL', () => {
  it('round-trips every field', () => {
    const state = { roomId: 'daily-standup-x7k2m', status: 'complete' as const, sortOrder: 'asc' as const, pages: 3 };
    const search = formatListState(state);
    expect(search).toBe('?room=daily-standup-x7k2m&status=complete&sort=asc&pages=3');
    expect(parseListState(search)).toEqual(state);
  });
  it('leaves defaults out of the URL', () => {
    expect(formatListState(DEFAULT_LIST_STATE)).toBe('');
    expect(parseListState('')).toEqual(DEFAULT_LIST_STATE);
  });
  it('ignores what is not valid', () => {
    expect(parseListState('?room=bad--id&status=nope&sort=sideways&pages=-2')).toEqual(DEFAULT_LIST_STATE);
    expect(parseListState('?room=-x&pages=1.5')).toEqual(DEFAULT_LIST_STATE);
    expect(parseListState(`?room=${'a'.repeat(129)}`).roomId).toBeNull();
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
    expect(hasFilters({ ...DEFAULT_LIST_STATE, sortOrder: 'asc' })).toBe(false);
  });
});
