// The participants' side of the console, reached from a room's moderator or speaker link
// (`/room/<roomId>?secret=...`): the secret is exchanged for a room token and removed from
// the address bar and history; the room's recordings follow with what the participant's
// role allows now, and the recording control. `/room/<roomId>/recordings` is the list alone,
// for meeting applications that frame it. Those who may delete the room's recordings also
// get its recycle bin (`/room/<roomId>/recycle-bin`).
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createApi } from '../../api/client';
import { clearSession } from '../../auth/session';
import { ErrorPanel, Loading, useTitle } from '../../components/bits';
import { AppContext, useApp } from '../../context';
import { ApiError, formatWait } from '../../lib/errors';
import { DEFAULT_LIST_STATE, parseListState } from '../../lib/listState';
import type { Capabilities } from '../../lib/recordings';
import { Link, navigate } from '../../router';
import { RecycleBinBrowser } from '../bin/RecycleBinBrowser';
import { RecordingView } from '../recording/RecordingView';
import { RecordingsBrowser } from '../recordings/RecordingsBrowser';
import { RecIndicator, RecordingControl } from './RecordingControl';
import { exchangeSecret, readClaims, roomScope, roomSession } from './roomToken';
import { type RoomView, useRoom } from './useRoom';

export type RoomMode =
  | { kind: 'home' }
  | { kind: 'embed' }
  | { kind: 'recycle-bin' }
  | { kind: 'recording'; recordingId: string };

type Access =
  | { state: 'checking' }
  | { state: 'ready' }
  | { state: 'no-token' }
  | { state: 'invalid' }
  | { state: 'throttled'; wait: number | null }
  | { state: 'error'; error: unknown };

const ROLE_LABEL = { moderator: 'Moderator', speaker: 'Speaker' } as const;

export function capabilitiesOf(room: RoomView): Capabilities {
  const { canRetrieveRecordings: read, canDeleteRecordings: remove } = room.permissions;
  // Participants delete into the room's recycle bin (or at once where it keeps none), and
  // never set legal holds.
  return {
    canPlay: read,
    canShare: read,
    canDelete: remove,
    canRevoke: remove,
    canDeleteAtOnce: false,
    canHold: false,
  };
}

export function RoomPage({ roomId, mode, search }: { roomId: string; mode: RoomMode; search: string }) {
  const services = useApp();
  const secret = new URLSearchParams(search).get('secret');
  const [access, setAccess] = useState<Access>({ state: 'checking' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!secret) {
      setAccess(roomSession(roomId) ? { state: 'ready' } : { state: 'no-token' });
      return;
    }
    let live = true;
    const publicApi = createApi({ baseUrl: services.config.apiBaseUrl, token: () => null, onUnauthorized: () => {} });
    exchangeSecret(publicApi, roomId, secret).then(
      () => {
        if (!live) return;
        // The secret leaves the address bar and this history entry.
        const params = new URLSearchParams(search);
        params.delete('secret');
        const rest = params.toString();
        navigate(`${window.location.pathname}${rest ? `?${rest}` : ''}`, { replace: true });
        setAccess({ state: 'ready' });
      },
      (error) => {
        if (!live) return;
        if (error instanceof ApiError && (error.status === 401 || error.status === 404 || error.status === 422)) {
          setAccess({ state: 'invalid' });
        } else if (error instanceof ApiError && error.status === 429) {
          setAccess({ state: 'throttled', wait: error.retryAfter });
        } else {
          setAccess({ state: 'error', error });
        }
      },
    );
    return () => {
      live = false;
    };
  }, [roomId, secret, attempt]);

  // Requests carry this room's token; a 401 means it expired or the room's links changed.
  const roomApi = useMemo(
    () =>
      createApi({
        baseUrl: services.config.apiBaseUrl,
        token: () => roomSession(roomId)?.token ?? null,
        onUnauthorized: () => {
          clearSession(roomScope(roomId));
          setAccess({ state: 'no-token' });
        },
      }),
    [services.config.apiBaseUrl, roomId],
  );

  switch (access.state) {
    case 'checking':
      return <Loading label="Opening the room…" />;
    case 'no-token':
      return (
        <Notice title="Open the room link again">
          Your access to this room has ended, or this tab never opened its link. Open the room's moderator or speaker
          link again to see its recordings.
        </Notice>
      );
    case 'invalid':
      return (
        <Notice title="This room link is not valid">
          It may be incomplete, or the room's links may have been changed. Ask the room's organiser for a new link.
        </Notice>
      );
    case 'throttled':
      return (
        <Notice title="Too many attempts">
          This room link was tried too often from here.{' '}
          {access.wait !== null ? `Try again in ${formatWait(access.wait)}.` : 'Try again later.'}
        </Notice>
      );
    case 'error':
      return (
        <ErrorPanel
          title="The room could not be opened"
          error={access.error}
          onRetry={() => setAttempt((n) => n + 1)}
        />
      );
    case 'ready':
      return (
        <AppContext.Provider value={{ ...services, api: roomApi }}>
          <Room roomId={roomId} mode={mode} search={search} />
        </AppContext.Provider>
      );
  }
}

function Notice({ title, children }: { title: string; children: ComponentChildren }) {
  useTitle(title);
  return (
    <div class="panel room-notice" role="alert">
      <h1>{title}</h1>
      <p>{children}</p>
    </div>
  );
}

function NotAllowed({ bin = false }: { bin?: boolean }) {
  return (
    <div class="panel empty">
      <h2>You are not allowed to access this room's {bin ? 'recycle bin' : 'recordings'}</h2>
      <p>
        {bin
          ? "Only those who may delete the room's recordings see its recycle bin."
          : "The room's settings keep its recordings from your role."}{' '}
        Ask the room's organiser if you need them.
      </p>
    </div>
  );
}

/** What the room's bin does with deletes, after its name. */
function binIntro(trashDays: number): string {
  return trashDays > 0
    ? `deleted recordings wait here ${trashDays} day${trashDays === 1 ? '' : 's'}, then are deleted for good.`
    : 'deletes are permanent now; what was deleted before waits here until its time is up.';
}

function Room({ roomId, mode, search }: { roomId: string; mode: RoomMode; search: string }) {
  const { api } = useApp();
  const { load, refresh } = useRoom(api, roomId, { poll: mode.kind === 'home' });
  const [reload, setReload] = useState(0);
  const room = load.state === 'ready' ? load.room : null;
  useTitle(room ? room.roomName : 'Room');

  // What runs in the room changed (it started, moved on, or ended): the list reads it too,
  // so its row says what the indicator says, and a finished recording appears by itself.
  const current = room?.currentRecording;
  const running = room ? (current ? `${current.recordingId ?? 'pending'} ${current.status}` : null) : undefined;
  const seen = useRef(running);
  useEffect(() => {
    if (seen.current !== undefined && running !== undefined && seen.current !== running) setReload((n) => n + 1);
    seen.current = running;
  }, [running]);

  if (load.state === 'loading') return <Loading label="Opening the room…" />;
  if (load.state === 'error') {
    if (load.error instanceof ApiError && (load.error.status === 404 || load.error.status === 403)) {
      return (
        <Notice title="This room does not exist">
          It may have been removed, or the link may be wrong. Ask the room's organiser for a new link.
        </Notice>
      );
    }
    return <ErrorPanel title="The room could not be loaded" error={load.error} onRetry={refresh} />;
  }
  const r = load.room;
  const capabilities = capabilitiesOf(r);
  const base = `/room/${encodeURIComponent(roomId)}`;
  const listHref = mode.kind === 'embed' ? `${base}/recordings` : base;
  const trashDays = new Map([[roomId, r.config.recording.trashDays]]);
  const pages = parseListState(search).pages;

  if (mode.kind === 'recording') {
    return (
      <RecordingView
        recordingId={mode.recordingId}
        key={mode.recordingId}
        context={{ backHref: listHref, backLabel: r.roomName, capabilities, linkRoom: false, trashDays }}
      />
    );
  }

  if (mode.kind === 'recycle-bin') {
    const binHref = `${base}/recycle-bin`;
    return (
      <section class="page" aria-labelledby="page-title">
        <p class="back">
          <Link href={base}>← {r.roomName}</Link>
        </p>
        <div class="page-head">
          <div>
            <h1 id="page-title">Recycle bin</h1>
            <p class="muted room-role">
              {r.roomName}: {binIntro(r.config.recording.trashDays)}
            </p>
          </div>
        </div>
        {r.permissions.canDeleteRecordings ? (
          <RecycleBinBrowser
            view={{ ...DEFAULT_LIST_STATE, roomId, pages }}
            onPagesChange={(n) => navigate(`${binHref}${n > 1 ? `?pages=${n}` : ''}`, { replace: true })}
            showRoom={false}
            reloadKey={reload}
            empty={
              <div class="panel empty">
                <h2>The recycle bin is empty</h2>
                <p>Recordings deleted in this room wait here before they are deleted for good.</p>
              </div>
            }
            errorView={(error) => (error instanceof ApiError && error.status === 403 ? <NotAllowed bin /> : null)}
          />
        ) : (
          <NotAllowed bin />
        )}
      </section>
    );
  }

  const list = r.permissions.canRetrieveRecordings ? (
    <RecordingsBrowser
      view={{ ...DEFAULT_LIST_STATE, roomId, pages }}
      onPagesChange={(n) => navigate(`${listHref}${n > 1 ? `?pages=${n}` : ''}`, { replace: true })}
      capabilities={capabilities}
      showRoom={false}
      hrefFor={(rec) => `${base}/recordings/${encodeURIComponent(rec.recordingId)}`}
      reloadKey={reload}
      empty={
        <div class="panel empty">
          <h2>No recordings in this room yet</h2>
          <p>Recordings of this room appear here once they are made.</p>
        </div>
      }
      errorView={(error) => (error instanceof ApiError && error.status === 403 ? <NotAllowed /> : null)}
    />
  ) : (
    <NotAllowed />
  );

  if (mode.kind === 'embed') {
    return (
      <section class="page" aria-label={`Recordings of ${r.roomName}`}>
        {list}
      </section>
    );
  }

  const role = readClaims(roomSession(roomId)?.token ?? '').role;
  return (
    <section class="page" aria-labelledby="page-title">
      <div class="page-head">
        <div>
          <h1 id="page-title">{r.roomName}</h1>
          <p class="muted room-role">
            {role ? `You are in this room as ${ROLE_LABEL[role].toLowerCase()}` : 'You are in this room'}
          </p>
        </div>
        <div class="actions">
          <RecordingControl room={r} onChange={refresh} />
        </div>
      </div>
      {r.currentRecording && <RecIndicator current={r.currentRecording} />}
      <div class="section-head">
        <h2 class="section-title">Recordings</h2>
        {r.permissions.canDeleteRecordings && (
          <Link href={`${base}/recycle-bin`} class="button button-small">
            Recycle bin
          </Link>
        )}
      </div>
      {list}
    </section>
  );
}
