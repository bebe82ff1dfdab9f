// A list of recordings a page at a time ("Load more"), with the actions the viewer may take:
// play, download, share, delete one or many. Shared by the Recordings page (every room,
// with filters) and the participants' room view (one room). Where it is shown decides the
// query, the capabilities and what an empty list says.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorPanel, ListFooter, Loading } from '../../components/bits';
import { ConfirmDialog, Dialog } from '../../components/Dialog';
import { useApp } from '../../context';
import { userMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { type ListState, type SortField, viewKey } from '../../lib/listState';
import { type Capabilities, isInProgress, type Recording } from '../../lib/recordings';
import { ShareDialog } from '../share/ShareDialog';
import { BULK_LIMIT, type BulkOutcome, deleteMany, deleteOne, download, fetchPage, mergeRecordings } from './api';
import { ExportDialog } from './ExportDialog';
import { RecordingList } from './RecordingList';

const LIVE_REFRESH_MS = 10_000;

type Load =
  | { state: 'loading' }
  | { state: 'error'; error: unknown }
  | { state: 'ready'; recordings: Recording[]; nextPageToken: string | null };

export interface RecordingsBrowserProps {
  /** What is listed; `pages` is how many pages to open at first. */
  view: ListState;
  /** The number of open pages changed ("Load more", or fewer pages than asked exist). */
  onPagesChange: (pages: number) => void;
  capabilities: Capabilities;
  showRoom?: boolean;
  hrefFor: (recording: Recording) => string;
  /** Changing it reads the list again (Refresh, or news from elsewhere). */
  reloadKey: number;
  /** What an empty list says. */
  empty: ComponentChildren;
  /** Shown instead of the generic error panel when it returns something for the error. */
  errorView?: (error: unknown) => ComponentChildren | null;
  /** Sortable column headers: clicking one asks for that order. */
  onSort?: (field: SortField) => void;
}

export function RecordingsBrowser({
  view,
  onPagesChange,
  capabilities,
  showRoom = true,
  hrefFor,
  reloadKey,
  empty,
  errorView,
  onSort,
}: RecordingsBrowserProps) {
  const { api, toast } = useApp();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [retry, setRetry] = useState(0);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [sharing, setSharing] = useState<Recording | null>(null);
  const [deleting, setDeleting] = useState<Recording[] | null>(null);
  const [exporting, setExporting] = useState<Recording[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcomes, setOutcomes] = useState<BulkOutcome[] | null>(null);
  const pagesRef = useRef(view.pages);
  pagesRef.current = view.pages;
  const generation = useRef(0);
  const key = viewKey(view);

  // The first pages of this view: as many as asked for are open.
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
        if (opened < pagesRef.current) onPagesChange(opened);
      } catch (error) {
        if (run === generation.current) setLoad({ state: 'error', error });
      }
    })();
  }, [api, key, reloadKey, retry]);

  // A filter change shows the loading state, not the previous rows.
  useEffect(() => setLoad({ state: 'loading' }), [key]);

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
  }, [hasLive, api, key]);

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
      onPagesChange(view.pages + 1);
    } catch (error) {
      setMoreError(error);
    } finally {
      setLoadingMore(false);
    }
  };

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
  const selectedRows = [...selected].map((id) => byId.get(id)).filter((r): r is Recording => !!r);
  // Only complete recordings have a video to put in a ZIP.
  const downloadable = selectedRows.filter((r) => r.status === 'complete');

  if (load.state === 'error') {
    return (
      errorView?.(load.error) ?? (
        <ErrorPanel
          title="The recordings could not be loaded"
          error={load.error}
          onRetry={() => setRetry((n) => n + 1)}
        />
      )
    );
  }

  return (
    <>
      {selected.size > 0 && (
        <section class="selection-bar" aria-label="Selection">
          <span>{selected.size} selected</span>
          <button type="button" class="button button-small" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
          {capabilities.canPlay && (
            <button
              type="button"
              class="button button-small"
              disabled={downloadable.length === 0 || downloadable.length > BULK_LIMIT}
              title={downloadable.length > BULK_LIMIT ? `At most ${BULK_LIMIT} recordings in one ZIP` : undefined}
              onClick={() => setExporting(downloadable)}
            >
              Download as ZIP ({downloadable.length})
            </button>
          )}
          {capabilities.canDelete && (
            <button type="button" class="button button-small button-danger" onClick={() => setDeleting(selectedRows)}>
              Delete selected
            </button>
          )}
        </section>
      )}

      {load.state === 'loading' && <Loading label="Loading recordings…" />}
      {load.state === 'ready' && recordings.length === 0 && empty}
      {load.state === 'ready' && recordings.length > 0 && (
        <>
          <RecordingList
            recordings={recordings}
            capabilities={capabilities}
            showRoom={showRoom}
            selected={selected}
            onSelect={(ids, on) =>
              setSelected((s) => {
                const next = new Set(s);
                for (const id of ids) on ? next.add(id) : next.delete(id);
                return next;
              })
            }
            hrefFor={hrefFor}
            sort={onSort && { field: view.sortField, order: view.sortOrder, onSort }}
            onDownload={onDownload}
            onShare={setSharing}
            onDelete={(r) => setDeleting([r])}
          />
          <ListFooter
            shown={`${recordings.length} recording${recordings.length === 1 ? '' : 's'} shown`}
            hasMore={Boolean(load.nextPageToken)}
            moreError={moreError}
            loadingMore={loadingMore}
            onLoadMore={loadMore}
          />
        </>
      )}

      {sharing && (
        <ShareDialog recording={sharing} canRevoke={capabilities.canRevoke} onClose={() => setSharing(null)} />
      )}
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
      {exporting && <ExportDialog recordings={exporting} onClose={() => setExporting(null)} />}
      {outcomes && <BulkOutcomeDialog outcomes={outcomes} onClose={() => setOutcomes(null)} />}
    </>
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
