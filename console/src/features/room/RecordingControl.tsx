// What runs in the room: "● REC" with the elapsed time for everyone while a recording is
// starting, active or ending; Start and Stop for those who may record.
import { useEffect, useState } from 'preact/hooks';
import { call } from '../../api/client';
import { ConfirmDialog } from '../../components/Dialog';
import { useApp } from '../../context';
import { ApiError, userMessage } from '../../lib/errors';
import { formatDuration } from '../../lib/format';
import type { CurrentRecording, RoomView } from './useRoom';

const STATUS_TEXT: Record<CurrentRecording['status'], string> = {
  starting: 'starting…',
  active: 'recording',
  ending: 'stopping…',
};

/** What a failed start or stop means to the person who pressed it. */
export function controlMessage(error: unknown, action: 'start' | 'stop'): string {
  if (error instanceof ApiError && error.status === 503) return 'The media server is not available, try again.';
  if (error instanceof ApiError && error.status === 409) {
    return action === 'start' ? 'This room is already being recorded.' : 'This recording is already stopped.';
  }
  if (error instanceof ApiError && error.status === 403 && action === 'start') {
    return 'Recording is turned off for this room, or you may not record it.';
  }
  return userMessage(error);
}

export function RecIndicator({ current }: { current: CurrentRecording }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const elapsed = current.startDate === null ? null : formatDuration(Math.max(0, now - current.startDate) / 1000);
  return (
    <p class="rec-indicator" role="status">
      <strong class="rec-label">● REC</strong>
      {elapsed && <span class="rec-elapsed mono">{elapsed}</span>}
      <span class="muted">{STATUS_TEXT[current.status]}</span>
    </p>
  );
}

export function RecordingControl({ room, onChange }: { room: RoomView; onChange: () => void }) {
  const { api, toast } = useApp();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const current = room.currentRecording;
  if (!room.permissions.canRecord) return null;

  const act = async (action: 'start' | 'stop', request: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await request();
      toast('success', action === 'start' ? 'Recording started' : 'Recording stopping');
    } catch (error) {
      toast('error', controlMessage(error, action));
    } finally {
      setBusy(false);
      setConfirming(false);
      onChange();
    }
  };
  const start = () => act('start', () => call(api.POST('/api/v1/recordings', { body: { roomId: room.roomId } })));
  const recordingId = current?.recordingId ?? null;
  const stop = () =>
    recordingId &&
    act('stop', () => call(api.POST('/api/v1/recordings/{recordingId}/stop', { params: { path: { recordingId } } })));

  return (
    <>
      {current ? (
        <button
          type="button"
          class="button button-danger"
          disabled={busy || !recordingId || current.status === 'ending'}
          onClick={() => setConfirming(true)}
        >
          {current.status === 'ending' ? 'Stopping…' : 'Stop recording'}
        </button>
      ) : (
        <button type="button" class="button button-primary" disabled={busy} onClick={start}>
          {busy ? 'Starting…' : 'Start recording'}
        </button>
      )}
      {confirming && (
        <ConfirmDialog
          title="Stop the recording?"
          message={<p>The recording of {room.roomName} stops for everyone; it is listed once it is saved.</p>}
          confirmLabel="Stop recording"
          busy={busy}
          onConfirm={stop}
          onClose={() => setConfirming(false)}
        />
      )}
    </>
  );
}
