// A list of recordings a page at a time, as many pages open as the view asks ("Load more"
// adds one), with the rows selected: shared by the recordings list and the recycle bin.
// Reads again when the view, `reloadKey` or the recordings (elsewhere: an Undo) change.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useApp } from '../../context';
import { type ListState, viewKey } from '../../lib/listState';
import type { Recording } from '../../lib/recordings';
import { fetchPage, mergeRecordings } from './api';
import { useRecordingsChanges } from './changes';

export type Load =
  | { state: 'loading' }
  | { state: 'error'; error: unknown }
  | { state: 'ready'; recordings: Recording[]; nextPageToken: string | null };

export function usePagedRecordings({
  view,
  trashed = false,
  reloadKey,
  onPagesChange,
}: {
  view: ListState;
  trashed?: boolean;
  reloadKey: number;
  onPagesChange: (pages: number) => void;
}) {
  const { api } = useApp();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [retry, setRetry] = useState(0);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const changes = useRecordingsChanges();
  const pagesRef = useRef(view.pages);
  pagesRef.current = view.pages;
  const generation = useRef(0);
  const key = `${trashed ? 'bin' : 'list'}${viewKey(view)}`;

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
          const page = await fetchPage(api, view, token, { trashed });
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
  }, [api, key, reloadKey, retry, changes]);

  // A filter change shows the loading state, not the previous rows.
  useEffect(() => setLoad({ state: 'loading' }), [key]);

  const loadMore = async () => {
    if (load.state !== 'ready' || !load.nextPageToken) return;
    setLoadingMore(true);
    setMoreError(null);
    const run = generation.current;
    try {
      const page = await fetchPage(api, view, load.nextPageToken, { trashed });
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

  const select = (ids: string[], on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      for (const id of ids) on ? next.add(id) : next.delete(id);
      return next;
    });

  const recordings = load.state === 'ready' ? load.recordings : [];
  const byId = new Map(recordings.map((r) => [r.recordingId, r]));
  const selectedRows = [...selected].map((id) => byId.get(id)).filter((r): r is Recording => !!r);

  return {
    load,
    setLoad,
    recordings,
    selected,
    selectedRows,
    select,
    clearSelection: () => setSelected(new Set()),
    removeRows,
    loadMore,
    loadingMore,
    moreError,
    retry: () => setRetry((n) => n + 1),
    /** Increases with every read of the first pages: a late answer of an older read is dropped. */
    generation,
    key,
  };
}
