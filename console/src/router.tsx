// A small router on the History API: the path picks the page, the query string holds the
// page's state. Links are real <a href> (open in a new tab, copy the address).
import type { AnchorHTMLAttributes, ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  path: string;
  search: string;
}

const listeners = new Set<() => void>();
const current = (): Location => ({ path: window.location.pathname, search: window.location.search });

export function navigate(to: string, { replace = false } = {}): void {
  const before = window.location.pathname + window.location.search;
  if (to === before) return;
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  for (const listener of listeners) listener();
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return location;
}

/** Where the user is now, to come back to after signing in. */
export function here(): string {
  return window.location.pathname + window.location.search;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; children?: ComponentChildren };

export function Link({ href, onClick, ...rest }: LinkProps) {
  return (
    <a
      href={href}
      onClick={(event) => {
        if (typeof onClick === 'function') onClick(event as never);
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        navigate(href);
      }}
      {...rest}
    />
  );
}

export interface Match {
  page: 'login' | 'recordings' | 'recycle-bin' | 'recording' | 'rooms' | 'room' | 'not-found';
  recordingId?: string;
  /** The room of a participant's page (`/room/<roomId>...`). */
  roomId?: string;
  /** Which participant's page: the room, its recordings alone (framed), one recording, or the
   * room's recycle bin. */
  roomPage?: 'home' | 'embed' | 'recording' | 'recycle-bin';
}

/** The page a path shows. */
export function matchRoute(path: string): Match {
  const clean = path.replace(/\/+$/, '') || '/';
  if (clean === '/' || clean === '/recordings') return { page: 'recordings' };
  if (clean === '/login') return { page: 'login' };
  if (clean === '/rooms') return { page: 'rooms' };
  if (clean === '/recycle-bin') return { page: 'recycle-bin' };
  const recording = /^\/recordings\/([^/]+)$/.exec(clean);
  if (recording?.[1]) return { page: 'recording', recordingId: decodeURIComponent(recording[1]) };
  const bin = /^\/room\/([^/]+)\/recycle-bin$/.exec(clean);
  if (bin?.[1]) return { page: 'room', roomId: decodeURIComponent(bin[1]), roomPage: 'recycle-bin' };
  const room = /^\/room\/([^/]+)(\/recordings(?:\/([^/]+))?)?$/.exec(clean);
  if (room?.[1]) {
    const roomId = decodeURIComponent(room[1]);
    if (room[3]) return { page: 'room', roomId, roomPage: 'recording', recordingId: decodeURIComponent(room[3]) };
    return { page: 'room', roomId, roomPage: room[2] ? 'embed' : 'home' };
  }
  return { page: 'not-found' };
}

/** A safe place to go back to after signing in: a path of this app, never another site. */
export function safeNext(next: string | null): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) return '/recordings';
  return next;
}
