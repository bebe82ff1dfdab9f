// After a delete: the toast that says what happened and, when recordings went to a recycle
// bin, offers Undo (one bulk restore of them), after which every list reads itself again.
import type { Api } from '../../api/client';
import type { AppServices, ToastAction } from '../../context';
import { userMessage } from '../../lib/errors';
import { deletedMessage, type Outcome, restoredMessage } from '../../lib/recycleBin';
import { restoreMany } from './api';
import { announceRecordingsChanged } from './changes';

/** Restores these recordings, says how it went, and has the lists read again. */
export async function restoreAndTell(api: Api, toast: AppServices['toast'], ids: string[]): Promise<Outcome[]> {
  try {
    const outcomes = await restoreMany(api, ids);
    const failed = outcomes.find((o) => !o.ok);
    if (failed) toast('error', `${restoredMessage(outcomes)}: ${failed.reason ?? 'no reason given'}`);
    else toast('success', restoredMessage(outcomes));
    return outcomes;
  } catch (error) {
    toast('error', userMessage(error));
    return [];
  } finally {
    announceRecordingsChanged();
  }
}

/** The recordings of these outcomes that went to a recycle bin. */
export function binned(outcomes: readonly Outcome[]): string[] {
  return outcomes.filter((o) => o.ok && typeof o.restorableUntil === 'number').map((o) => o.recordingId);
}

/** "Undo" for the recordings a delete moved to the bin, if it moved any. */
export function undoAction(
  api: Api,
  toast: AppServices['toast'],
  outcomes: readonly Outcome[],
): ToastAction | undefined {
  const ids = binned(outcomes);
  if (ids.length === 0) return undefined;
  return {
    label: 'Undo',
    description: ids.length === 1 ? 'Undo: restore the recording' : `Undo: restore the ${ids.length} recordings`,
    run: () => void restoreAndTell(api, toast, ids),
  };
}

/** The toast after a delete that went through (wholly or in part), with Undo where it can. */
export function tellDeleted(
  api: Api,
  toast: AppServices['toast'],
  outcomes: readonly Outcome[],
  { permanent = false } = {},
): void {
  const failed = outcomes.some((o) => !o.ok);
  toast(failed ? 'error' : 'success', deletedMessage(outcomes, permanent), undoAction(api, toast, outcomes));
}
