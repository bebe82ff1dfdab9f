// "The recordings changed": an Undo or a restore made elsewhere (a toast outlives the view
// that showed it) tells every list on the page to read itself again.
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();

export function announceRecordingsChanged(): void {
  for (const listener of listeners) listener();
}

/** A number that changes each time the recordings changed elsewhere. */
export function useRecordingsChanges(): number {
  const [count, setCount] = useState(0);
  useEffect(() => {
    const listener = () => setCount((n) => n + 1);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return count;
}
