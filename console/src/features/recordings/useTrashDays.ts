// How many days each room's recycle bin keeps deleted recordings, for a delete's
// confirmation: taken from what the page already knows (its rooms list, the participant's
// room), the other rooms read once each (GET /rooms/{roomId}, which administrators and the
// room's participants may read).
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../../context';
import { fetchTrashDays } from './api';

export type TrashDaysMap = ReadonlyMap<string, number>;

export function useTrashDays(
  roomIds: readonly string[],
  known: TrashDaysMap | undefined,
): { days: TrashDaysMap; loading: boolean } {
  const { api } = useApp();
  const distinct = [...new Set(roomIds)].sort();
  const missing = distinct.filter((id) => !known?.has(id));
  const [read, setRead] = useState<Map<string, number>>(new Map());
  const [loading, setLoading] = useState(missing.length > 0);
  const key = missing.join(',');

  useEffect(() => {
    if (missing.length === 0) {
      setLoading(false);
      return;
    }
    let live = true;
    setLoading(true);
    Promise.allSettled(missing.map((id) => fetchTrashDays(api, id))).then((results) => {
      if (!live) return;
      const next = new Map<string, number>();
      results.forEach((result, i) => {
        const id = missing[i];
        if (id !== undefined && result.status === 'fulfilled') next.set(id, result.value);
      });
      setRead(next);
      setLoading(false);
    });
    return () => {
      live = false;
    };
  }, [api, key]);

  const days = new Map<string, number>(read);
  for (const id of distinct) {
    const value = known?.get(id);
    if (value !== undefined) days.set(id, value);
  }
  return { days, loading };
}
