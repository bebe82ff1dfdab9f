// The recycle bin a page at a time ("Load more"): restore one or many, or delete them
// permanently after a confirmation that says how many and that it cannot be undone. Shared
// by the administrators' Recycle bin page (every room, with the list's filters) and a
// room's moderators (their room's bin).
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ErrorPanel, ListFooter, Loading } from '../../components/bits';
import { ConfirmDialog } from '../../components/Dialog';
import { useApp } from '../../context';
import { userMessage } from '../../lib/errors';
import type { ListState, SortField } from '../../lib/listState';
import type { Recording } from '../../lib/recordings';
import { deletedMessage, type Outcome, restoredMessage } from '../../lib/recycleBin';
import { deleteMany, deleteOne, restoreMany, restoreOne } from '../recordings/api';
import { announceRecordingsChanged } from '../recordings/changes';
import { describeForDelete } from '../recordings/DeleteDialog';
import { OutcomesDialog } from '../recordings/OutcomesDialog';
import { usePagedRecordings } from '../recordings/usePagedRecordings';
import { BinList } from './BinList';

export interface RecycleBinBrowserProps {
  view: ListState;
  onPagesChange: (pages: number) => void;
  showRoom?: boolean;
  reloadKey: number;
  empty: ComponentChildren;
  errorView?: (error: unknown) => ComponentChildren | null;
  onSort?: (field: SortField) => void;
}

type Results = { kind: 'restore' | 'delete'; outcomes: Outcome[] };

export function RecycleBinBrowser({
  view,
  onPagesChange,
  showRoom = true,
  reloadKey,
  empty,
  errorView,
  onSort,
}: RecycleBinBrowserProps) {
  const { api, toast } = useApp();
  const list = usePagedRecordings({ view, trashed: true, reloadKey, onPagesChange });
  const { load, recordings, selected, selectedRows } = list;
  const [purging, setPurging] = useState<Recording[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<Results | null>(null);

  const settle = (kind: Results['kind'], outcomes: Outcome[]) => {
    list.removeRows(outcomes.filter((o) => o.ok).map((o) => o.recordingId));
    const failed = outcomes.some((o) => !o.ok);
    const message = kind === 'restore' ? restoredMessage(outcomes) : deletedMessage(outcomes, true);
    toast(failed ? 'error' : 'success', message);
    if (failed && outcomes.length > 1) setResults({ kind, outcomes });
    // The lists shown elsewhere (another tab of this page's views) read again.
    if (kind === 'restore') announceRecordingsChanged();
  };

  const restore = async (rows: Recording[]) => {
    if (rows.length === 0) return;
    setBusy(true);
    try {
      if (rows.length === 1 && rows[0]) {
        const id = rows[0].recordingId;
        await restoreOne(api, id);
        settle('restore', [{ recordingId: id, ok: true, reason: null }]);
      } else {
        settle(
          'restore',
          await restoreMany(
            api,
            rows.map((r) => r.recordingId),
          ),
        );
      }
    } catch (error) {
      toast('error', userMessage(error));
    } finally {
      setBusy(false);
    }
  };

  const purge = async () => {
    if (!purging) return;
    setBusy(true);
    const ids = purging.map((r) => r.recordingId);
    try {
      const outcomes =
        ids.length === 1 && ids[0]
          ? [await deleteOne(api, ids[0], { permanent: true })]
          : await deleteMany(api, ids, { permanent: true });
      setPurging(null);
      settle('delete', outcomes);
    } catch (error) {
      toast('error', userMessage(error));
      setPurging(null);
    } finally {
      setBusy(false);
    }
  };

  if (load.state === 'error') {
    return (
      errorView?.(load.error) ?? (
        <ErrorPanel title="The recycle bin could not be loaded" error={load.error} onRetry={list.retry} />
      )
    );
  }

  const count = selectedRows.length;
  return (
    <>
      {selected.size > 0 && (
        <section class="selection-bar" aria-label="Selection">
          <span>{selected.size} selected</span>
          <button type="button" class="button button-small" onClick={list.clearSelection}>
            Clear selection
          </button>
          <button type="button" class="button button-small" disabled={busy} onClick={() => restore(selectedRows)}>
            Restore ({count})
          </button>
          <button
            type="button"
            class="button button-small button-danger"
            disabled={busy}
            onClick={() => setPurging(selectedRows)}
          >
            Delete permanently ({count})
          </button>
        </section>
      )}

      {load.state === 'loading' && <Loading label="Loading the recycle bin…" />}
      {load.state === 'ready' && recordings.length === 0 && empty}
      {load.state === 'ready' && recordings.length > 0 && (
        <>
          <BinList
            recordings={recordings}
            showRoom={showRoom}
            selected={selected}
            onSelect={list.select}
            sort={onSort && { field: view.sortField, order: view.sortOrder, onSort }}
            onRestore={(r) => restore([r])}
            onPurge={(r) => setPurging([r])}
          />
          <ListFooter
            shown={`${recordings.length} recording${recordings.length === 1 ? '' : 's'} in the bin shown`}
            hasMore={Boolean(load.nextPageToken)}
            moreError={list.moreError}
            loadingMore={list.loadingMore}
            onLoadMore={list.loadMore}
          />
        </>
      )}

      {purging && (
        <ConfirmDialog
          title={
            purging.length === 1
              ? 'Delete this recording permanently?'
              : `Delete ${purging.length} recordings permanently?`
          }
          confirmLabel={purging.length === 1 ? 'Delete permanently' : `Delete ${purging.length} permanently`}
          busy={busy}
          onConfirm={purge}
          onClose={() => setPurging(null)}
          message={
            <p>
              {describeForDelete(purging)},{' '}
              {purging.length === 1 ? 'its video and its share links' : 'their videos and their share links'} will be
              deleted now. <strong>This cannot be undone.</strong>
            </p>
          }
        />
      )}
      {results && (
        <OutcomesDialog
          title={results.kind === 'restore' ? 'Restore results' : 'Delete results'}
          outcomes={results.outcomes}
          done={results.kind === 'restore' ? 'restored' : 'deleted'}
          describe={(o) =>
            results.kind === 'restore'
              ? o.ok
                ? 'Restored'
                : `Not restored: ${o.reason}`
              : o.ok
                ? 'Deleted'
                : `Not deleted: ${o.reason}`
          }
          onClose={() => setResults(null)}
        />
      )}
    </>
  );
}
