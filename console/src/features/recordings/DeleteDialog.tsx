// The question before a delete, saying what it will do by the rooms' settings: "Moved to the
// recycle bin for 7 days, where it can be restored." or "This cannot be undone." Those who
// may (administrators) can skip the bin and delete for good at once. The dialog sends the
// delete itself and hands its outcomes on.
import { useState } from 'preact/hooks';
import { ConfirmDialog } from '../../components/Dialog';
import { useApp } from '../../context';
import { userMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import type { Recording } from '../../lib/recordings';
import { deleteFate, fateSentence, type Outcome } from '../../lib/recycleBin';
import { deleteMany, deleteOne } from './api';
import { type TrashDaysMap, useTrashDays } from './useTrashDays';

/** "The recording of Daily standup from 7 Dec 2026, 10:00", "3 recordings". */
export function describeForDelete(recordings: readonly Recording[]): string {
  const [first] = recordings;
  if (recordings.length !== 1 || !first) return `${recordings.length} recordings`;
  const what = first.title ? `“${first.title}” (${first.roomName})` : first.roomName;
  return `The recording of ${what} from ${formatDateTime(first.startDate)}`;
}

export function DeleteDialog({
  recordings,
  canDeleteAtOnce,
  trashDays,
  onDeleted,
  onClose,
}: {
  recordings: Recording[];
  /** Offer "delete permanently now" (administrators). */
  canDeleteAtOnce: boolean;
  /** The rooms' settings the page already knows. */
  trashDays?: TrashDaysMap;
  /** After the request: one outcome per recording (a single delete that failed never gets here). */
  onDeleted: (outcomes: Outcome[], permanent: boolean) => void;
  onClose: () => void;
}) {
  const { api, toast } = useApp();
  const [busy, setBusy] = useState(false);
  const [skipBin, setSkipBin] = useState(false);
  const { days, loading } = useTrashDays(
    recordings.map((r) => r.roomId),
    trashDays,
  );
  const count = recordings.length;
  const one = count === 1;
  const roomFate = deleteFate(
    recordings.map((r) => r.roomId),
    loading ? null : days,
  );
  const fate = skipBin ? deleteFate([], null, true) : roomFate;
  const permanent = fate.kind === 'permanent';
  const what = describeForDelete(recordings);
  const lead = permanent
    ? `${what}, ${one ? 'its video and its share links' : 'their videos and their share links'} will be deleted.`
    : `${what} will be deleted.`;

  const confirm = async () => {
    setBusy(true);
    const ids = recordings.map((r) => r.recordingId);
    try {
      const outcomes =
        one && ids[0]
          ? [await deleteOne(api, ids[0], { permanent: skipBin })]
          : await deleteMany(api, ids, { permanent: skipBin });
      onDeleted(outcomes, skipBin);
    } catch (error) {
      toast('error', userMessage(error));
      onClose();
    }
  };

  return (
    <ConfirmDialog
      title={one ? 'Delete this recording?' : `Delete ${count} recordings?`}
      confirmLabel={
        permanent
          ? one
            ? 'Delete permanently'
            : `Delete ${count} recordings permanently`
          : one
            ? 'Delete'
            : `Delete ${count} recordings`
      }
      busy={busy}
      disabled={loading}
      onConfirm={confirm}
      onClose={onClose}
      message={
        <>
          {loading ? (
            <p role="status">Checking the {one ? "room's" : "rooms'"} recycle bin…</p>
          ) : (
            <p data-fate={fate.kind}>
              {lead} <strong>{fateSentence(fate, count)}</strong>
            </p>
          )}
          {canDeleteAtOnce && !loading && roomFate.kind !== 'permanent' && (
            <label class="checkbox-label">
              <input type="checkbox" checked={skipBin} onChange={(e) => setSkipBin(e.currentTarget.checked)} />
              <span>Skip the recycle bin: delete {one ? 'it' : 'them'} permanently now</span>
            </label>
          )}
        </>
      }
    />
  );
}
