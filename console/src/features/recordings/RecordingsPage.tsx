// The console's home: every recording, newest first, filtered by room, status, a search and
// a date range, sorted by any column, a page at a time ("Load more"); all of it lives in the
// URL. Its other view, the recycle bin (`/recycle-bin`), has the same filters, which a switch
// between the two keeps.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { call } from '../../api/client';
import type { components } from '../../api/schema';
import { useMediaQuery, useTitle } from '../../components/bits';
import { useApp } from '../../context';
import {
  formatListState,
  hasFilters,
  type ListState,
  MAX_SEARCH,
  parseListState,
  SEARCH_MODES,
  type SearchMode,
  type SortField,
  type SortOrder,
  sortedBy,
  withFilters,
} from '../../lib/listState';
import { ADMIN_CAPABILITIES, type RecordingStatus, STATUS_LABEL, STATUSES } from '../../lib/recordings';
import { Link, navigate } from '../../router';
import { RecycleBinBrowser } from '../bin/RecycleBinBrowser';
import { RecordingsBrowser } from './RecordingsBrowser';

type Room = components['schemas']['RoomWithUrls'];

const LIST_PATH = '/recordings';
const BIN_PATH = '/recycle-bin';

export function RecordingsPage({ search, bin = false }: { search: string; bin?: boolean }) {
  useTitle(bin ? 'Recycle bin' : 'Recordings');
  const { api } = useApp();
  const view = parseListState(search);
  const path = bin ? BIN_PATH : LIST_PATH;
  const go = (next: ListState, replace = false) => navigate(`${path}${formatListState(next)}`, { replace });
  // The other view, with the same filters and order (from its first page).
  const sameFilters = formatListState({ ...view, pages: 1 });
  const [reload, setReload] = useState(0);
  const [rooms, setRooms] = useState<Room[] | null>(null);
  const narrow = useMediaQuery('(max-width: 760px)');

  useEffect(() => {
    call(api.GET('/api/v1/rooms', { params: { query: { maxItems: 100 } } })).then(
      (page) => setRooms(page.rooms),
      () => setRooms([]),
    );
  }, [api]);

  const roomName = (id: string) => rooms?.find((r) => r.roomId === id)?.roomName ?? id;
  // What each room's recycle bin keeps, for the delete confirmations.
  const trashDays = useMemo(
    () => new Map((rooms ?? []).map((r) => [r.roomId, r.config.recording.trashDays] as const)),
    [rooms],
  );
  const clearFilters = () => go(withFilters(view, { roomId: null, status: null, search: '', from: null, to: null }));
  const modeLabel = SEARCH_MODES.find((m) => m.mode === view.mode)?.label ?? '';
  const dateChip = [view.from && `from ${view.from}`, view.to && `to ${view.to}`].filter(Boolean).join(' ');

  const activeFilters = [view.roomId, view.status, view.from || view.to].filter(Boolean).length;
  // Room, status, dates and order: folded away on narrow screens, where the list comes first.
  const filterFields = (
    <>
      <div class="field-inline">
        <label for="filter-room">Room</label>
        <select
          id="filter-room"
          value={view.roomId ?? ''}
          onChange={(e) => go(withFilters(view, { roomId: e.currentTarget.value || null }))}
        >
          <option value="">All rooms</option>
          {view.roomId && !rooms?.some((r) => r.roomId === view.roomId) && (
            <option value={view.roomId}>{roomName(view.roomId)}</option>
          )}
          {(rooms ?? []).map((room) => (
            <option key={room.roomId} value={room.roomId}>
              {room.roomName} ({room.roomId})
            </option>
          ))}
        </select>
      </div>
      <div class="field-inline">
        <label for="filter-status">Status</label>
        <select
          id="filter-status"
          value={view.status ?? ''}
          onChange={(e) => go(withFilters(view, { status: (e.currentTarget.value || null) as RecordingStatus | null }))}
        >
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABEL[s]}
            </option>
          ))}
        </select>
      </div>
      <div class="field-inline">
        <label for="filter-from">From</label>
        <input
          id="filter-from"
          type="date"
          value={view.from ?? ''}
          max={view.to ?? undefined}
          onChange={(e) => go(withFilters(view, { from: e.currentTarget.value || null }))}
        />
      </div>
      <div class="field-inline">
        <label for="filter-to">To</label>
        <input
          id="filter-to"
          type="date"
          value={view.to ?? ''}
          min={view.from ?? undefined}
          onChange={(e) => go(withFilters(view, { to: e.currentTarget.value || null }))}
        />
      </div>
      <div class="field-inline">
        <label for="sort-order">Order</label>
        <select
          id="sort-order"
          value={`${view.sortField}:${view.sortOrder}`}
          onChange={(e) => {
            const [sortField, sortOrder] = e.currentTarget.value.split(':') as [SortField, SortOrder];
            go(withFilters(view, { sortField, sortOrder }));
          }}
        >
          {SORT_CHOICES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
    </>
  );

  return (
    <section class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">{bin ? 'Recycle bin' : 'Recordings'}</h1>
        <button type="button" class="button" onClick={() => setReload((n) => n + 1)}>
          Refresh
        </button>
      </div>
      <nav class="subnav" aria-label="Recordings and recycle bin">
        <Link href={`${LIST_PATH}${sameFilters}`} class="subnav-link" aria-current={bin ? undefined : 'page'}>
          Recordings
        </Link>
        <Link href={`${BIN_PATH}${sameFilters}`} class="subnav-link" aria-current={bin ? 'page' : undefined}>
          Recycle bin
        </Link>
      </nav>
      {bin && (
        <p class="muted page-intro">
          Deleted recordings wait here for as many days as their room's recycle bin keeps them, then are deleted for
          good. Restored, a recording is back as it was, with its share links.
        </p>
      )}
      <search class="toolbar" aria-label={bin ? 'Filter the recycle bin' : 'Filter recordings'}>
        <SearchBox view={view} onSearch={(search, mode) => go(withFilters(view, { search, mode }))} />
        {narrow ? (
          <details class="filters-disclosure">
            <summary>Filters and order{activeFilters > 0 ? ` (${activeFilters} on)` : ''}</summary>
            <div class="filters-stack">{filterFields}</div>
          </details>
        ) : (
          filterFields
        )}
      </search>

      {hasFilters(view) && (
        <ul class="chips" aria-label="Active filters">
          {view.roomId && (
            <li class="chip">
              Room: {roomName(view.roomId)}
              <button
                type="button"
                class="chip-remove"
                aria-label={`Remove filter room ${roomName(view.roomId)}`}
                onClick={() => go(withFilters(view, { roomId: null }))}
              >
                ×
              </button>
            </li>
          )}
          {view.search && (
            <li class="chip">
              {modeLabel}: “{view.search}”
              <button
                type="button"
                class="chip-remove"
                aria-label={`Remove search ${view.search}`}
                onClick={() => go(withFilters(view, { search: '' }))}
              >
                ×
              </button>
            </li>
          )}
          {dateChip && (
            <li class="chip">
              Started {dateChip}
              <button
                type="button"
                class="chip-remove"
                aria-label="Remove the date range"
                onClick={() => go(withFilters(view, { from: null, to: null }))}
              >
                ×
              </button>
            </li>
          )}
          {view.status && (
            <li class="chip">
              Status: {STATUS_LABEL[view.status]}
              <button
                type="button"
                class="chip-remove"
                aria-label={`Remove filter status ${STATUS_LABEL[view.status]}`}
                onClick={() => go(withFilters(view, { status: null }))}
              >
                ×
              </button>
            </li>
          )}
          <li>
            <button type="button" class="button button-link" onClick={clearFilters}>
              Clear all
            </button>
          </li>
        </ul>
      )}

      {bin ? (
        <RecycleBinBrowser
          view={view}
          onPagesChange={(pages) => go({ ...view, pages }, true)}
          reloadKey={reload}
          onSort={(field) => go(sortedBy(view, field))}
          empty={
            hasFilters(view) ? (
              <div class="panel empty">
                <h2>No deleted recordings match these filters</h2>
                <p>Try another search, room, status or dates.</p>
                <button type="button" class="button button-primary" onClick={clearFilters}>
                  Clear filters
                </button>
              </div>
            ) : (
              <div class="panel empty">
                <h2>The recycle bin is empty</h2>
                <p>Recordings deleted in rooms that keep a recycle bin wait here before they are deleted for good.</p>
              </div>
            )
          }
        />
      ) : (
        <RecordingsBrowser
          view={view}
          onPagesChange={(pages) => go({ ...view, pages }, true)}
          capabilities={ADMIN_CAPABILITIES}
          hrefFor={(r) => `/recordings/${encodeURIComponent(r.recordingId)}`}
          reloadKey={reload}
          onSort={(field) => go(sortedBy(view, field))}
          trashDays={rooms ? trashDays : undefined}
          empty={
            hasFilters(view) ? (
              <div class="panel empty">
                <h2>No recordings match these filters</h2>
                <p>Try another search, room, status or dates.</p>
                <button type="button" class="button button-primary" onClick={clearFilters}>
                  Clear filters
                </button>
              </div>
            ) : (
              <div class="panel empty">
                <h2>No recordings yet</h2>
                <p>Recordings appear here as soon as a meeting is recorded.</p>
              </div>
            )
          }
        />
      )}
    </section>
  );
}

const SORT_CHOICES: [string, string][] = [
  ['startDate:desc', 'Newest first'],
  ['startDate:asc', 'Oldest first'],
  ['roomName:asc', 'Room A–Z'],
  ['roomName:desc', 'Room Z–A'],
  ['duration:desc', 'Longest first'],
  ['duration:asc', 'Shortest first'],
  ['size:desc', 'Largest first'],
  ['size:asc', 'Smallest first'],
];

/** The search box: its text and how it matches are applied together, on Enter or Search. */
function SearchBox({ view, onSearch }: { view: ListState; onSearch: (search: string, mode: SearchMode) => void }) {
  const [text, setText] = useState(view.search);
  const [mode, setMode] = useState<SearchMode>(view.mode);
  // The URL wins when it changes (back button, a removed chip).
  useEffect(() => {
    setText(view.search);
    setMode(view.mode);
  }, [view.search, view.mode]);
  return (
    <form
      class="search-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(text.trim(), mode);
      }}
    >
      <label for="search-mode" class="visually-hidden">
        Search by
      </label>
      <select id="search-mode" value={mode} onChange={(e) => setMode(e.currentTarget.value as SearchMode)}>
        {SEARCH_MODES.map((m) => (
          <option key={m.mode} value={m.mode}>
            {m.label}
          </option>
        ))}
      </select>
      <label for="search-text" class="visually-hidden">
        Search
      </label>
      <input
        id="search-text"
        type="search"
        value={text}
        maxLength={mode === 'regex' ? 100 : MAX_SEARCH}
        placeholder={mode === 'words' ? 'Title or room name' : mode === 'regex' ? 'Regular expression' : 'Room name'}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit" class="button">
        Search
      </button>
    </form>
  );
}
