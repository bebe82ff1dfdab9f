// Rooms (administrators): who may access each room's recordings, how long its recycle bin
// keeps deleted ones and how long it keeps recordings at all, its links, its recordings;
// closing and deleting rooms.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { call } from '../../api/client';
import type { components } from '../../api/schema';
import { type Choice, Choices, CopyButton, ErrorPanel, Loading, useMediaQuery, useTitle } from '../../components/bits';
import { Dialog } from '../../components/Dialog';
import { useApp } from '../../context';
import { userMessage } from '../../lib/errors';
import { formatDate } from '../../lib/format';
import {
  parseRetentionDays,
  parseTrashDays,
  RETENTION_DAYS_MAX,
  retentionLabel,
  TRASH_DAYS_DEFAULT,
  TRASH_DAYS_MAX,
  trashDaysLabel,
} from '../../lib/recycleBin';
import { Link } from '../../router';
import { DeleteRoomDialog } from './DeleteRoomDialog';

type Room = components['schemas']['RoomWithUrls'];
type Access = components['schemas']['RecordingAccess'];

export const ACCESS: Choice<Access>[] = [
  { value: 'admin', label: 'Only admins', hint: 'Participants cannot see, share or delete the recordings.' },
  {
    value: 'admin_moderator',
    label: 'Admins and moderators',
    hint: 'Moderators can play, share and delete them; speakers cannot see them.',
  },
  {
    value: 'admin_moderator_speaker',
    label: 'Admins, moderators and speakers',
    hint: 'Everyone in the room can play and share them; moderators can also delete them.',
  },
];
export const ACCESS_LABEL = Object.fromEntries(ACCESS.map((a) => [a.value, a.label])) as Record<Access, string>;

type Load =
  | { state: 'loading' }
  | { state: 'error'; error: unknown }
  | { state: 'ready'; rooms: Room[]; next: string | null };

export function RoomsPage() {
  useTitle('Rooms');
  const { api, toast } = useApp();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Room | null>(null);
  const [deleting, setDeleting] = useState<Room | null>(null);
  const narrow = useMediaQuery('(max-width: 760px)');

  const fetchRooms = useCallback(
    async (token: string | null) =>
      call(
        api.GET('/api/v1/rooms', { params: { query: { maxItems: 50, ...(token ? { nextPageToken: token } : {}) } } }),
      ),
    [api],
  );
  const refresh = useCallback(() => {
    fetchRooms(null).then(
      (page) => setLoad({ state: 'ready', rooms: page.rooms, next: page.pagination.nextPageToken ?? null }),
      (error) => setLoad({ state: 'error', error }),
    );
  }, [fetchRooms]);
  useEffect(refresh, [refresh]);

  const more = async () => {
    if (load.state !== 'ready' || !load.next) return;
    try {
      const page = await fetchRooms(load.next);
      setLoad({ state: 'ready', rooms: [...load.rooms, ...page.rooms], next: page.pagination.nextPageToken ?? null });
    } catch (error) {
      toast('error', userMessage(error));
    }
  };
  const replace = (room: Room) =>
    setLoad((l) =>
      l.state === 'ready' ? { ...l, rooms: l.rooms.map((r) => (r.roomId === room.roomId ? room : r)) } : l,
    );

  return (
    <section class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">Rooms</h1>
        <button type="button" class="button button-primary" onClick={() => setCreating(true)}>
          Create room
        </button>
      </div>
      {load.state === 'loading' && <Loading label="Loading rooms…" />}
      {load.state === 'error' && (
        <ErrorPanel title="The rooms could not be loaded" error={load.error} onRetry={refresh} />
      )}
      {load.state === 'ready' && load.rooms.length === 0 && (
        <div class="panel empty">
          <h2>No rooms yet</h2>
          <p>Create a room to get its moderator and speaker links.</p>
        </div>
      )}
      {load.state === 'ready' && load.rooms.length > 0 && (
        <ul class={narrow ? 'cards' : 'room-list'} aria-label="Rooms">
          {load.rooms.map((room) => (
            <RoomItem
              key={room.roomId}
              room={room}
              onEdit={() => setEditing(room)}
              onDelete={() => setDeleting(room)}
            />
          ))}
        </ul>
      )}
      {load.state === 'ready' && load.next && (
        <div class="list-footer">
          <button type="button" class="button" onClick={more}>
            Load more
          </button>
        </div>
      )}
      {creating && (
        <RoomDialog
          onClose={() => setCreating(false)}
          onSaved={(room) => {
            setCreating(false);
            setLoad((l) => (l.state === 'ready' ? { ...l, rooms: [room, ...l.rooms] } : l));
          }}
        />
      )}
      {editing && (
        <RoomDialog
          room={editing}
          onClose={() => setEditing(null)}
          onSaved={(room) => {
            setEditing(null);
            replace(room);
          }}
        />
      )}
      {deleting && (
        <DeleteRoomDialog
          room={deleting}
          onClose={() => setDeleting(null)}
          onDone={(room) => {
            const gone = deleting.roomId;
            setDeleting(null);
            if (room) replace(room);
            else setLoad((l) => (l.state === 'ready' ? { ...l, rooms: l.rooms.filter((r) => r.roomId !== gone) } : l));
          }}
        />
      )}
    </section>
  );
}

const STATUS_LABEL = { closed: 'Closed', closing: 'Being deleted' } as const;

function RoomItem({ room, onEdit, onDelete }: { room: Room; onEdit: () => void; onDelete: () => void }) {
  const rec = room.config.recording;
  const status = room.status && room.status !== 'open' ? room.status : null;
  return (
    <li class="card room" data-room-id={room.roomId}>
      <div class="room-main">
        <h2 class="room-title">
          {room.roomName}
          {status && (
            <span class="badge badge-room-status" data-status={status}>
              {STATUS_LABEL[status]}
            </span>
          )}
        </h2>
        <span class="muted mono small">{room.roomId}</span>
        <dl class="room-facts">
          <div>
            <dt>Created</dt>
            <dd>{formatDate(room.creationDate)}</dd>
          </div>
          <div>
            <dt>Recording</dt>
            <dd>{rec.enabled ? 'On' : 'Off'}</dd>
          </div>
          <div>
            <dt>Who can access recordings</dt>
            <dd data-field="access">{ACCESS_LABEL[rec.allowAccessTo]}</dd>
          </div>
          <div>
            <dt>Recycle bin</dt>
            <dd data-field="trash-days">{trashDaysLabel(rec.trashDays)}</dd>
          </div>
          <div>
            <dt>Recordings</dt>
            <dd data-field="retention">{retentionLabel(rec.retentionDays)}</dd>
          </div>
        </dl>
      </div>
      <div class="actions room-actions">
        <CopyButton text={room.moderatorUrl} label="Moderator link" what={`moderator link of ${room.roomName}`} />
        <CopyButton text={room.speakerUrl} label="Speaker link" what={`speaker link of ${room.roomName}`} />
        <Link href={`/recordings?room=${encodeURIComponent(room.roomId)}`} class="button button-small">
          Recordings
        </Link>
        <button
          type="button"
          class="button button-small"
          aria-label={`Recording settings of ${room.roomName}`}
          onClick={onEdit}
        >
          Settings
        </button>
        {room.status !== 'closing' && (
          <button
            type="button"
            class="button button-small button-danger"
            aria-label={`Delete or close ${room.roomName}`}
            onClick={onDelete}
          >
            Delete…
          </button>
        )}
      </div>
    </li>
  );
}

function RoomDialog({ room, onClose, onSaved }: { room?: Room; onClose: () => void; onSaved: (room: Room) => void }) {
  const { api, toast } = useApp();
  const [name, setName] = useState(room?.roomName ?? '');
  const [enabled, setEnabled] = useState(room?.config.recording.enabled ?? true);
  const [access, setAccess] = useState<Access>(room?.config.recording.allowAccessTo ?? 'admin_moderator_speaker');
  const [binDays, setBinDays] = useState(String(room?.config.recording.trashDays ?? TRASH_DAYS_DEFAULT));
  const [binError, setBinError] = useState<string | null>(null);
  const [keepDays, setKeepDays] = useState(String(room?.config.recording.retentionDays ?? ''));
  const [keepError, setKeepError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const trashDays = parseTrashDays(binDays);
  const retentionDays = parseRetentionDays(keepDays);

  const save = async (event: Event) => {
    event.preventDefault();
    if (!room && !name.trim()) {
      setError('Give the room a name');
      return;
    }
    if (typeof trashDays !== 'number') {
      setBinError(trashDays.error);
      document.getElementById('room-trash-days')?.focus();
      return;
    }
    if (retentionDays !== null && typeof retentionDays !== 'number') {
      setKeepError(retentionDays.error);
      document.getElementById('room-retention-days')?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    setBinError(null);
    setKeepError(null);
    const recording = { enabled, allowAccessTo: access, trashDays };
    try {
      if (room) {
        const config = await call(
          api.PUT('/api/v1/rooms/{roomId}/config', {
            params: { path: { roomId: room.roomId } },
            body: { config: { recording: { ...recording, retentionDays } } },
          }),
        );
        onSaved({ ...room, config });
        toast('success', `Settings of ${room.roomName} saved`);
      } else {
        const created = await call(
          api.POST('/api/v1/rooms', {
            body: {
              roomName: name.trim(),
              config: { recording: retentionDays === null ? recording : { ...recording, retentionDays } },
            },
          }),
        );
        onSaved(created);
        toast('success', `Room ${created.roomName} created`);
      }
    } catch (e) {
      setError(userMessage(e));
      setBusy(false);
    }
  };

  return (
    <Dialog title={room ? `Recording settings: ${room.roomName}` : 'Create room'} onClose={onClose}>
      <form onSubmit={save} class="room-form" noValidate>
        {!room && (
          <div class="field">
            <label for="room-name">Name</label>
            <input id="room-name" maxLength={128} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </div>
        )}
        <label class="checkbox-label">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          <span>
            <strong>Recording enabled</strong>
            <span class="hint">Moderators can start and stop recordings of this room.</span>
          </span>
        </label>
        <Choices
          legend="Who can access recordings"
          name="access"
          choices={ACCESS}
          value={access}
          onChange={setAccess}
        />
        <div class="field">
          <label for="room-trash-days">Recycle bin: keep deleted recordings</label>
          <span class="field-row-inline">
            <input
              id="room-trash-days"
              class="input-days"
              type="number"
              inputMode="numeric"
              min={0}
              max={TRASH_DAYS_MAX}
              step={1}
              value={binDays}
              aria-describedby="room-trash-days-hint"
              aria-invalid={binError ? 'true' : undefined}
              onInput={(e) => {
                setBinDays(e.currentTarget.value);
                setBinError(null);
              }}
            />
            <span aria-hidden="true">days</span>
          </span>
          <span id="room-trash-days-hint" class="hint">
            {typeof trashDays === 'number' && trashDays === 0
              ? 'Deletes are permanent: they cannot be undone.'
              : `0 to ${TRASH_DAYS_MAX} days. Until they are up, deleted recordings can be restored; 0 deletes them at once.`}
          </span>
          {binError && (
            <span class="form-error" role="alert">
              {binError}
            </span>
          )}
        </div>
        <div class="field">
          <label for="room-retention-days">Retention: remove recordings after</label>
          <span class="field-row-inline">
            <input
              id="room-retention-days"
              class="input-days"
              type="number"
              inputMode="numeric"
              min={1}
              max={RETENTION_DAYS_MAX}
              step={1}
              value={keepDays}
              placeholder="never"
              aria-describedby="room-retention-days-hint"
              aria-invalid={keepError ? 'true' : undefined}
              onInput={(e) => {
                setKeepDays(e.currentTarget.value);
                setKeepError(null);
              }}
            />
            <span aria-hidden="true">days</span>
          </span>
          <span id="room-retention-days-hint" class="hint">
            Empty keeps recordings forever. Otherwise they go to the recycle bin (or are deleted, without one) that many
            days after they end; integrations hear of it a week before. Recordings on legal hold stay.
          </span>
          {keepError && (
            <span class="form-error" role="alert">
              {keepError}
            </span>
          )}
        </div>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-footer">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : room ? 'Save' : 'Create room'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
