// Deleting or closing a room, with OpenVidu Meet's policies put as questions: what happens to
// its recordings, and what happens if one is running. Each choice says what it does; the
// answer comes back in words, never as the API's codes.
import { useState } from 'preact/hooks';
import { call } from '../../api/client';
import type { components } from '../../api/schema';
import { type Choice, Choices } from '../../components/bits';
import { Dialog } from '../../components/Dialog';
import { useApp } from '../../context';
import { userMessage } from '../../lib/errors';

type Room = components['schemas']['RoomWithUrls'];
type Deletion = components['schemas']['RoomDeletion'];
type WithRecordings = 'fail' | 'force' | 'close';
type WithMeeting = 'fail' | 'force' | 'when_meeting_ends';

const RECORDINGS: Choice<WithRecordings>[] = [
  {
    value: 'close',
    label: 'Keep them, and close the room',
    hint: 'Its links stop working and it records no more. Its recordings stay, for administrators.',
  },
  {
    value: 'force',
    label: 'Delete them with the room',
    hint: 'Every recording of the room, its recycle bin included, is deleted for good. This cannot be undone; a recording on legal hold prevents it.',
  },
  {
    value: 'fail',
    label: 'Delete the room only if it has none',
    hint: 'Nothing happens if the room has recordings.',
  },
];

const MEETING: Choice<WithMeeting>[] = [
  { value: 'fail', label: 'Do nothing', hint: 'The room is left as it is while a recording runs.' },
  { value: 'force', label: 'Stop the recording first', hint: 'The recording ends now, then the room goes.' },
  {
    value: 'when_meeting_ends',
    label: 'Wait until it ends',
    hint: 'The room is deleted or closed once the recording has ended.',
  },
];

/** What became of the room, in words. */
export function deletionSentence(name: string, deletion: Deletion): string {
  switch (deletion.successCode) {
    case 'room_deleted':
      return `Room ${name} deleted`;
    case 'room_and_recordings_deleted':
      return `Room ${name} and its recordings deleted`;
    case 'room_closed':
    case 'room_with_active_meeting_closed':
      return `Room ${name} closed; its recordings are kept`;
    case 'room_with_active_meeting_scheduled_to_be_closed':
      return `Room ${name} will be closed when its recording ends`;
    case 'room_with_active_meeting_and_recordings_scheduled_to_be_deleted':
      return `Room ${name} and its recordings will be deleted when its recording ends`;
    case 'room_closing':
      return `Room ${name} is being deleted with its recordings; this finishes in the background`;
    default:
      return deletion.message;
  }
}

export function DeleteRoomDialog({
  room,
  onDone,
  onClose,
}: {
  room: Room;
  /** The room as it now is, or `null` once it is gone. */
  onDone: (room: Room | null) => void;
  onClose: () => void;
}) {
  const { api, toast } = useApp();
  const [withRecordings, setWithRecordings] = useState<WithRecordings>('close');
  const [withMeeting, setWithMeeting] = useState<WithMeeting>('fail');
  const [understood, setUnderstood] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const destructive = withRecordings === 'force';

  const submit = async (event: Event) => {
    event.preventDefault();
    if (destructive && !understood) {
      setError('Confirm that the recordings will be deleted for good');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const deletion = await call(
        api.DELETE('/api/v1/rooms/{roomId}', {
          params: { path: { roomId: room.roomId }, query: { withRecordings, withMeeting } },
        }),
      );
      toast('success', deletionSentence(room.roomName, deletion));
      onDone(deletion.room ? { ...room, ...deletion.room } : null);
    } catch (e) {
      setError(userMessage(e));
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Delete room: ${room.roomName}`} onClose={onClose}>
      <form onSubmit={submit} class="room-form" noValidate>
        <Choices
          legend="Its recordings"
          name="with-recordings"
          choices={RECORDINGS}
          value={withRecordings}
          onChange={(value) => {
            setWithRecordings(value);
            setError(null);
          }}
        />
        <Choices
          legend="If a recording is running"
          name="with-meeting"
          choices={MEETING}
          value={withMeeting}
          onChange={setWithMeeting}
        />
        {destructive && (
          <label class="checkbox-label">
            <input
              type="checkbox"
              checked={understood}
              onChange={(e) => {
                setUnderstood(e.currentTarget.checked);
                setError(null);
              }}
            />
            <span>
              <strong>I understand that the room's recordings will be deleted for good</strong>
            </span>
          </label>
        )}
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-footer">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-danger" disabled={busy}>
            {busy ? 'Working…' : withRecordings === 'close' ? 'Close room' : 'Delete room'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
