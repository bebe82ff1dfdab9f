// The console's home: every recording, newest first, filtered by room and status, a page at
// a time ("Load more"); the filters, sort order and open pages live in the URL.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorPanel, Loading, useTitle } from '../../components/bits';
import { ConfirmDialog, Dialog } from '../../components/Dialog';
import { useApp } from '../../context';
import { userMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import {
  formatListState,
  hasFilters,
  type ListState,
  parseListState,
  type SortOrder,
  withFilters,
} from '../../lib/listState';
import {
  ADMIN_CAPABILITIES,
  isInProgress,
  type Recording,
  type RecordingStatus,
  STATUS_LABEL,
  STATUSES,
} from '../../lib/recordings';
import { navigate } from '../../router';
import { ShareDialog } from '../share/ShareDialog';
import { type BulkOutcome, deleteMany, deleteOne, download, fetchPage, mergeRecordings } from './api';
import { RecordingList } from './RecordingList';

type Room = components['schemas']['RoomWithUrls'];

const LIVE_REFRESH_MS = 10_000;

type Load =
  | { state: 'loading' }
  | { state: 'error'; error: unknown }
  | { state: 'ready'; recordings: Recording[]; nextPageToken: string | null };

export function RecordingsPage({ search }: { search: string }) {
  useTitle('Recordings');
  const { api, toast } = useApp();
  const view = parseListState(search);
  const go = (next: ListState, replace = false) => navigate(`/recordings${formatListState(next)}`, { replace });

  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [reload, setReload] = useState(0);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [rooms, setRooms] = useState<Room[] | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [sharing, setSharing] = useState<Recording | null>(null);
  const [deleting, setDeleting] = useState<Recording[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcomes, setOutcomes] = useState<BulkOutcome[] | null>(null);
  const pagesRef = useRef(view.pages);
  pagesRef.current = view.pages;
  const generation = useRef(0);

  // The first pages of this view: as many as the URL says are open.
  useEffect(() => {
    const run = ++generation.current;
    setLoad((l) => (l.state === 'ready' ? l : { state: 'loading' }));
    setMoreError(null);
    (async () => {
      try {
        let recordings: Recording[] = [];
        let token: string | null = null;
        let opened = 0;
        do {
          const page = await fetchPage(api, view, token);
          if (run !== generation.current) return;
          recordings = mergeRecordings(recordings, page.recordings);
          token = page.nextPageToken;
          opened += 1;
        } while (token && opened < pagesRef.current);
        setLoad({ state: 'ready', recordings, nextPageToken: token });
        setSelected((s) => new Set([...s].filter((id) => recordings.some((r) => r.recordingId === id))));
        if (opened < pagesRef.current) go({ ...view, pages: opened }, true);
      } catch (error) {
        if (run === generation.current) setLoad({ state: 'error', error });
      }
    })();
  }, [view.roomId, view.status, view.sortOrder, reload]);

  // A filter change shows the loading state, not the previous rows.
  useEffect(() => setLoad({ state: 'loading' }), [view.roomId, view.status, view.sortOrder]);

  // Live status: while rows in progress are shown and the page is visible, the first page
  // is read again every few seconds (one request) and those rows take its news.
  const hasLive = load.state === 'ready' && load.recordings.some((r) => isInProgress(r.status));
  useEffect(() => {
    if (!hasLive) return;
    const timer = setInterval(async () => {
      if (document.visibilityState !== 'visible') return;
      const run = generation.current;
      try {
        const page = await fetchPage(api, view, null);
        if (run !== generation.current) return;
        const fresh = new Map(page.recordings.map((r) => [r.recordingId, r]));
        setLoad((l) =>
          l.state === 'ready' ? { ...l, recordings: l.recordings.map((r) => fresh.get(r.recordingId) ?? r) } : l,
        );
      } catch {
        // The next tick tries again; Refresh shows errors.
      }
    }, LIVE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [hasLive, api, view.roomId, view.status, view.sortOrder]);

  useEffect(() => {
    call(api.GET('/api/v1/rooms', { params: { query: { maxItems: 100 } } })).then(
      (page) => setRooms(page.rooms),
      () => setRooms([]),
    );
  }, [api]);

  const loadMore = async () => {
    if (load.state !== 'ready' || !load.nextPageToken) return;
    setLoadingMore(true);
    setMoreError(null);
    const run = generation.current;
    try {
      const page = await fetchPage(api, view, load.nextPageToken);
      if (run !== generation.current) return;
      setLoad({
        state: 'ready',
        recordings: mergeRecordings(load.recordings, page.recordings),
        nextPageToken: page.nextPageToken,
      });
      go({ ...view, pages: view.pages + 1 }, true);
    } catch (error) {
      setMoreError(error);
    } finally {
      setLoadingMore(false);
    }
  };

  const refresh = useCallback(() => setReload((n) => n + 1), []);
  const removeRows = (ids: string[]) => {
    const gone = new Set(ids);
    setLoad((l) =>
      l.state === 'ready' ? { ...l, recordings: l.recordings.filter((r) => !gone.has(r.recordingId)) } : l,
    );
    setSelected((s) => new Set([...s].filter((id) => !gone.has(id))));
  };

  const confirmDelete = async () => {
    if (!deleting) return;
    setBusy(true);
    const ids = deleting.map((r) => r.recordingId);
    try {
      if (deleting.length === 1 && deleting[0]) {
        await deleteOne(api, ids[0] as string);
        removeRows(ids);
        toast('success', 'Recording deleted');
      } else {
        const results = await deleteMany(api, ids);
        removeRows(results.filter((o) => o.deleted).map((o) => o.recordingId));
        setOutcomes(results);
        const failed = results.filter((o) => !o.deleted).length;
        if (failed === 0) toast('success', `${results.length} recordings deleted`);
        else toast('error', `${failed} of ${results.length} recordings could not be deleted`);
      }
      setDeleting(null);
    } catch (error) {
      toast('error', userMessage(error));
    } finally {
      setBusy(false);
    }
  };

  const onDownload = async (recording: Recording) => {
    try {
      await download(api, recording.recordingId);
      toast('success', `Downloading ${recording.filename}`);
    } catch (error) {
      toast('error', userMessage(error));
    }
  };

  const recordings = load.state === 'ready' ? load.recordings : [];
  const byId = new Map(recordings.map((r) => [r.recordingId, r]));
  const roomName = (id: string) => rooms?.find((r) => r.roomId === id)?.roomName ?? byId.get(id)?.roomName ?? id;
  const selectedRows = [...selected].map((id) => byId.get(id)).filter((r): r is Recording => !!r);

  return (
    <section class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">Recordings</h1>
        <button type="button" class="button" onClick={refresh} disabled={load.state === 'loading'}>
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
            <button
              type="button"
              class="button button-link"
              onClick={() => go(withFilters(view, { roomId: null, status: null }))}
            >
              Clear all
            </button>
          </li>
        </ul>
      )}

      {selected.size > 0 && (
        <section class="selection-bar" aria-label="Selection">
          <span>{selected.size} selected</span>
          <button type="button" class="button button-small" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
          <button type="button" class="button button-small button-danger" onClick={() => setDeleting(selectedRows)}>
            Delete selected
          </button>
        </section>
      )}

      {load.state === 'loading' && <Loading label="Loading recordings…" />}
      {load.state === 'error' && (
        <ErrorPanel title="The recordings could not be loaded" error={load.error} onRetry={refresh} />
      )}
      {load.state === 'ready' &&
        recordings.length === 0 &&
        (hasFilters(view) ? (
          <div class="panel empty">
            <h2>No recordings match these filters</h2>
            <p>Try another room or status.</p>
            <button
              type="button"
              class="button button-primary"
              onClick={() => go(withFilters(view, { roomId: null, status: null }))}
            >
              Clear filters
            </button>
          </div>
        ) : (
          <div class="panel empty">
            <h2>No recordings yet</h2>
            <p>Recordings appear here as soon as a meeting is recorded.</p>
          </div>
        ))}
      {load.state === 'ready' && recordings.length > 0 && (
        <>
          <RecordingList
            recordings={recordings}
            capabilities={ADMIN_CAPABILITIES}
            selected={selected}
            onSelect={(ids, on) =>
              setSelected((s) => {
                const next = new Set(s);
                for (const id of ids) on ? next.add(id) : next.delete(id);
                return next;
              })
            }
            hrefFor={(r) => `/recordings/${encodeURIComponent(r.recordingId)}`}
            onDownload={onDownload}
            onShare={setSharing}
            onDelete={(r) => setDeleting([r])}
          />
          <div class="list-footer">
            <span class="muted" role="status">
              {recordings.length} recording{recordings.length === 1 ? '' : 's'} shown
              {load.nextPageToken ? '' : ', no more to load'}
            </span>
            {moreError !== null && (
              <span class="form-error" role="alert">
                {userMessage(moreError)}
              </span>
            )}
            {load.nextPageToken && (
              <button type="button" class="button" onClick={loadMore} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : moreError ? 'Retry' : 'Load more'}
              </button>
            )}
          </div>
        </>
      )}

      {sharing && <ShareDialog recording={sharing} canRevoke onClose={() => setSharing(null)} />}
      {deleting && (
        <ConfirmDialog
          title={deleting.length === 1 ? 'Delete this recording?' : `Delete ${deleting.length} recordings?`}
          confirmLabel={deleting.length === 1 ? 'Delete' : `Delete ${deleting.length} recordings`}
          busy={busy}
          onConfirm={confirmDelete}
          onClose={() => setDeleting(null)}
          message={
            <p>
              {deleting.length === 1 && deleting[0]
                ? `The recording of ${deleting[0].roomName} from ${formatDateTime(deleting[0].startDate)}, its video and its share links will be deleted.`
                : `${deleting.length} recordings, their videos and their share links will be deleted.`}{' '}
              This cannot be undone.
            </p>
          }
        />
      )}
      {outcomes && <BulkOutcomeDialog outcomes={outcomes} onClose={() => setOutcomes(null)} />}
    </section>
  );
}

function BulkOutcomeDialog({ outcomes, onClose }: { outcomes: BulkOutcome[]; onClose: () => void }) {
  const deleted = outcomes.filter((o) => o.deleted).length;
  return (
    <Dialog
      title="Delete results"
      onClose={onClose}
      wide
      footer={
        <button type="button" class="button button-primary" onClick={onClose}>
          Close
        </button>
      }
    >
      <p>
        {deleted} of {outcomes.length} deleted.
      </p>
      <ul class="outcomes" aria-label="Outcome per recording">
        {outcomes.map((o) => (
          <li key={o.recordingId} class={o.deleted ? 'outcome-ok' : 'outcome-failed'} data-recording-id={o.recordingId}>
            <span class="mono small">{o.recordingId}</span>
            <span>{o.deleted ? 'Deleted' : `Not deleted: ${o.reason}`}</span>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
