// The console: services (API client, toasts, sign-out) and the page the address shows.
// Every page but sign-in needs the administrator's session; any 401 leads to sign-in and
// back.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { createApi } from './api/client';
import { clearSession, getSession, onSessionChange } from './auth/session';
import { ToastRegion, useToasts } from './components/Toasts';
import type { ConsoleConfig } from './config';
import { AppContext, type AppServices, useApp } from './context';
import { LoginPage } from './features/login/LoginPage';
import { RecordingView } from './features/recording/RecordingView';
import { RecordingsPage } from './features/recordings/RecordingsPage';
import { type RoomMode, RoomPage } from './features/room/RoomPage';
import { RoomsPage } from './features/rooms/RoomsPage';
import { here, Link, matchRoute, navigate, useLocation } from './router';

function loginPath(next: string, expired = false): string {
  const params = new URLSearchParams({ next });
  if (expired) params.set('expired', '1');
  return `/login?${params}`;
}

export function App({ config }: { config: ConsoleConfig }) {
  const location = useLocation();
  const { toasts, push, dismiss } = useToasts();
  const [signedIn, setSignedIn] = useState(() => getSession() !== null);
  useEffect(() => onSessionChange(() => setSignedIn(getSession() !== null)), []);

  const services = useMemo<AppServices>(() => {
    const api = createApi({
      baseUrl: config.apiBaseUrl,
      token: () => getSession()?.token ?? null,
      onUnauthorized: () => {
        clearSession();
        if (!window.location.pathname.startsWith('/login')) navigate(loginPath(here(), true), { replace: true });
      },
    });
    return {
      api,
      config,
      toast: push,
      signOut: () => {
        clearSession();
        navigate('/login');
        push('info', 'You are signed out');
      },
    };
  }, [config, push]);

  const match = matchRoute(location.path);
  // Participants' pages carry their own room credential; every other page is the
  // administrator's.
  const isRoom = match.page === 'room';
  const needsLogin = match.page !== 'login' && !isRoom && !signedIn;
  useEffect(() => {
    if (needsLogin) navigate(loginPath(location.path + location.search), { replace: true });
  }, [needsLogin, location.path, location.search]);

  let page = null;
  if (match.page === 'login') page = <LoginPage search={location.search} />;
  else if (needsLogin) page = null;
  else if (match.page === 'recordings') page = <RecordingsPage search={location.search} />;
  else if (match.page === 'recycle-bin') page = <RecordingsPage search={location.search} bin />;
  else if (match.page === 'recording' && match.recordingId)
    page = <RecordingView recordingId={match.recordingId} key={match.recordingId} />;
  else if (match.page === 'rooms') page = <RoomsPage />;
  else if (isRoom && match.roomId) {
    const mode: RoomMode =
      match.roomPage === 'recording' && match.recordingId
        ? { kind: 'recording', recordingId: match.recordingId }
        : { kind: match.roomPage === 'embed' ? 'embed' : match.roomPage === 'recycle-bin' ? 'recycle-bin' : 'home' };
    page = <RoomPage roomId={match.roomId} mode={mode} search={location.search} key={match.roomId} />;
  } else page = <NotFound />;

  return (
    <AppContext.Provider value={services}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      {match.page !== 'login' && !isRoom && signedIn && <Header page={match.page} environment={config.environment} />}
      {isRoom && match.roomPage !== 'embed' && <RoomHeader environment={config.environment} />}
      <main id="main" class={match.page === 'login' ? 'main main-login' : 'main'} tabIndex={-1}>
        {page}
      </main>
      <ToastRegion toasts={toasts} dismiss={dismiss} />
    </AppContext.Provider>
  );
}

function Header({ page, environment }: { page: string; environment: string | null }) {
  return (
    <header class="app-header">
      <Link href="/recordings" class="brand">
        <Brand environment={environment} />
      </Link>
      <nav aria-label="Main">
        <Link
          href="/recordings"
          class="nav-link"
          aria-current={page === 'recordings' || page === 'recording' || page === 'recycle-bin' ? 'page' : undefined}
        >
          Recordings
        </Link>
        <Link href="/rooms" class="nav-link" aria-current={page === 'rooms' ? 'page' : undefined}>
          Rooms
        </Link>
      </nav>
      <SignOut />
    </header>
  );
}

/** The participants' header: no administrator's navigation. */
function RoomHeader({ environment }: { environment: string | null }) {
  return (
    <header class="app-header">
      <span class="brand">
        <Brand environment={environment} />
      </span>
    </header>
  );
}

function Brand({ environment }: { environment: string | null }) {
  return (
    <>
      <img src="/favicon.svg" alt="" width={24} height={24} />
      <span>Recordings</span>
      {environment && <span class="env-tag">{environment}</span>}
    </>
  );
}

function SignOut() {
  const { signOut } = useApp();
  return (
    <button type="button" class="button button-ghost" onClick={signOut}>
      Sign out
    </button>
  );
}

function NotFound() {
  useEffect(() => {
    document.title = 'Not found · Recordings console';
  }, []);
  return (
    <div class="panel">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link href="/recordings">Go to the recordings</Link>.
      </p>
    </div>
  );
}
