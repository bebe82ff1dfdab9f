// The room as its view shows it (name, what the participant may do now, the recording that
// runs), read again every few seconds while the page is visible. Each read sends the last
// answer's ETag, so an unchanged room costs a bodiless 304.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { components } from '../../api/schema';
import { errorFromFailure, errorFromResponse, isRetryable } from '../../lib/errors';

export type RoomView = components['schemas']['RoomView'];
export type CurrentRecording = components['schemas']['CurrentRecording'];

export type RoomLoad = { state: 'loading' } | { state: 'ready'; room: RoomView } | { state: 'error'; error: unknown };

export const ROOM_POLL_MS = 3_000;

export function useRoom(api: Api, roomId: string, { poll = true } = {}): { load: RoomLoad; refresh: () => void } {
  const [load, setLoad] = useState<RoomLoad>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const etag = useRef<string | null>(null);
  const refresh = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const { data, error, response } = await api.GET('/api/v1/rooms/{roomId}', {
          params: { path: { roomId }, ...(etag.current ? { header: { 'If-None-Match': etag.current } } : {}) },
        });
        if (!live || response.status === 304) return;
        if (!response.ok || !data) {
          throw errorFromResponse(response.status, error, response.headers.get('Retry-After'));
        }
        etag.current = response.headers.get('ETag');
        setLoad({ state: 'ready', room: data });
      } catch (cause) {
        const error = errorFromFailure(cause);
        // A passing outage keeps what is shown; the next poll tries again.
        if (live) setLoad((l) => (l.state === 'ready' && isRetryable(error) ? l : { state: 'error', error }));
      }
    })();
    return () => {
      live = false;
    };
  }, [api, roomId, tick]);

  useEffect(() => {
    if (!poll) return;
    const whenVisible = () => {
      if (document.visibilityState === 'visible') refresh();
    };
    const timer = setInterval(whenVisible, ROOM_POLL_MS);
    document.addEventListener('visibilitychange', whenVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', whenVisible);
    };
  }, [poll, refresh]);

  return { load, refresh };
}
