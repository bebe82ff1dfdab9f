// The console's home: every recording, newest first, filtered by room and status, a page at
// a time ("Load more"); the filters, sort order and open pages live in the URL.
import { useEffect, useState } from 'preact/hooks';
import { call } from '../../api/client';
import type { components } from '../../api/schema';
import { useTitle } from '../../components/bits';
import { useApp } from '../../context';
import {
  formatListState,
  hasFilters,
  type ListState,
  parseListState,
  type SortOrder,
  withFilters,
} from '../../lib/listState';
import { ADMIN_CAPABILITIES, type RecordingStatus, STATUS_LABEL, STATUSES } from '../../lib/recordings';
import { navigate } from '../../router';
import { RecordingsBrowser } from './RecordingsBrowser';

type Room = components['schemas']['RoomWithUrls'];

export function RecordingsPage({ search }: { search: string }) {
  useTitle('Recordings');
  const { api } = useApp();
  const view = parseListState(search);
  const go = (next: ListState, replace = false) => navigate(`/recordings${formatListState(next)}`, { replace });
  const [reload, setReload] = useState(0);
  const [rooms, setRooms] = useState<Room[] | null>(null);

  useEffect(() => {
    call(api.GET('/api/v1/rooms', { params: { query: { maxItems: 100 } } })).then(
      (page) => setRooms(page.rooms),
      () => setRooms([]),
    );
  }, [api]);

  const roomName = (id: string) => rooms?.find((r) => r.roomId === id)?.roomName ?? id;
  const clearFilters = () => go(withFilters(view, { roomId: null, status: null }));

  return (
    <section class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">Recordings</h1>
        <button type="button" class="button" onClick={() => setReload((n) => n + 1)}>
          Refresh
        </button>
      </div>
      <search class="toolbar" aria-label="Filter recordings">
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
            onChange={(e) =>
              go(withFilters(view, { status: (e.currentTarget.value || null) as RecordingStatus | null }))
            }
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
          <label for="sort-order">Order</label>
          <select
            id="sort-order"
            value={view.sortOrder}
            onChange={(e) => go(withFilters(view, { sortOrder: e.currentTarget.value as SortOrder }))}
          >
            <option value="desc">Newest first</option>
            <option value="asc">Oldest first</option>
          </select>
        </div>
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

      <RecordingsBrowser
        view={view}
        onPagesChange={(pages) => go({ ...view, pages }, true)}
        capabilities={ADMIN_CAPABILITIES}
        hrefFor={(r) => `/recordings/${encodeURIComponent(r.recordingId)}`}
        reloadKey={reload}
        empty={
          hasFilters(view) ? (
            <div class="panel empty">
              <h2>No recordings match these filters</h2>
              <p>Try another room or status.</p>
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
    </section>
  );
}
