// A list of recordings a page at a time ("Load more"), with the actions the viewer may take:
// play, download, share, delete one or many. Shared by the Recordings page (every room,
// with filters) and the participants' room view (one room). Where it is shown decides the
// query, the capabilities and what an empty list says. A delete into a recycle bin is
// followed by a toast with Undo.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorPanel, ListFooter, Loading } from '../../components/bits';
import { useApp } from '../../context';
import { userMessage } from '../../lib/errors';
import type { ListState, SortField } from '../../lib/listState';
import { type Capabilities, isInProgress, type Recording } from '../../lib/recordings';
import type { Outcome } from '../../lib/recycleBin';
import { ShareDialog } from '../share/ShareDialog';
import { BULK_LIMIT, download, fetchPage } from './api';
import { DeleteDialog } from './DeleteDialog';
import { ExportDialog } from './ExportDialog';
import { OutcomesDialog } from './OutcomesDialog';
import { RecordingList } from './RecordingList';
import { binned, restoreAndTell, tellDeleted } from './undo';
import { usePagedRecordings } from './usePagedRecordings';
import type { TrashDaysMap } from './useTrashDays';

const LIVE_REFRESH_MS = 10_000;

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
  /** The rooms' recycle-bin days the page already knows (the others are read when needed). */
  trashDays?: TrashDaysMap;
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
  trashDays,
}: RecordingsBrowserProps) {
  const { api, toast } = useApp();
  const list = usePagedRecordings({ view, reloadKey, onPagesChange });
  const { load, setLoad, recordings, selected, selectedRows, generation, key } = list;
  const [sharing, setSharing] = useState<Recording | null>(null);
  const [deleting, setDeleting] = useState<Recording[] | null>(null);
  const [exporting, setExporting] = useState<Recording[] | null>(null);
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);

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

  const onDeleted = (results: Outcome[], permanent: boolean) => {
    setDeleting(null);
    list.removeRows(results.filter((o) => o.ok).map((o) => o.recordingId));
    tellDeleted(api, toast, results, { permanent });
    // Those that failed, and why, recording by recording.
    if (results.some((o) => !o.ok)) setOutcomes(results);
  };

  const onDownload = async (recording: Recording) => {
    try {
      await download(api, recording.recordingId);
      toast('success', `Downloading ${recording.filename}`);
    } catch (error) {
      toast('error', userMessage(error));
    }
  };

  // Only complete recordings have a video to put in a ZIP.
  const downloadable = selectedRows.filter((r) => r.status === 'complete');

  if (load.state === 'error') {
    return (
      errorView?.(load.error) ?? (
        <ErrorPanel title="The recordings could not be loaded" error={load.error} onRetry={list.retry} />
      )
    );
  }

  const undoable = outcomes ? binned(outcomes) : [];
  return (
    <>
      {selected.size > 0 && (
        <section class="selection-bar" aria-label="Selection">
          <span>{selected.size} selected</span>
          <button type="button" class="button button-small" onClick={list.clearSelection}>
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
            onSelect={list.select}
            hrefFor={hrefFor}
            sort={onSort && { field: view.sortField, order: view.sortOrder, onSort }}
            onDownload={onDownload}
            onShare={setSharing}
            onDelete={(r) => setDeleting([r])}
          />
          <ListFooter
            shown={`${recordings.length} recording${recordings.length === 1 ? '' : 's'} shown`}
            hasMore={Boolean(load.nextPageToken)}
            moreError={list.moreError}
            loadingMore={list.loadingMore}
            onLoadMore={list.loadMore}
          />
        </>
      )}

      {sharing && (
        <ShareDialog recording={sharing} canRevoke={capabilities.canRevoke} onClose={() => setSharing(null)} />
      )}
      {deleting && (
        <DeleteDialog
          recordings={deleting}
          canDeleteAtOnce={capabilities.canDeleteAtOnce}
          trashDays={trashDays}
          onDeleted={onDeleted}
          onClose={() => setDeleting(null)}
        />
      )}
      {exporting && <ExportDialog recordings={exporting} onClose={() => setExporting(null)} />}
      {outcomes && (
        <OutcomesDialog
          title="Delete results"
          outcomes={outcomes}
          done="deleted"
          describe={(o) =>
            o.ok
              ? typeof o.restorableUntil === 'number'
                ? 'Moved to the recycle bin'
                : 'Deleted'
              : `Not deleted: ${o.reason}`
          }
          onClose={() => setOutcomes(null)}
          extra={
            undoable.length > 0 && (
              <button
                type="button"
                class="button"
                onClick={() => {
                  setOutcomes(null);
                  void restoreAndTell(api, toast, undoable);
                }}
              >
                Undo: restore {undoable.length === 1 ? 'it' : `these ${undoable.length}`}
              </button>
            )
          }
        />
      )}
    </>
  );
}
