// Credentials of this tab: in memory, and in sessionStorage so that a reload keeps them;
// never in a URL or localStorage. A scope is "admin" (the console administrator) or, for
// the participants' room view, "room:<roomId>", so a room token serves its room only.

export interface Session {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
}

const PREFIX = 'recordings-console:';
const memory = new Map<string, Session>();
const listeners = new Set<() => void>();

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

export function getSession(scope = 'admin', now = Date.now()): Session | null {
  let session = memory.get(scope) ?? null;
  if (!session) {
    const raw = storage()?.getItem(PREFIX + scope);
    if (raw) {
      try {
        const parsed = JSON.parse(raw) as Session;
        if (typeof parsed.token === 'string' && typeof parsed.expiresAt === 'number') session = parsed;
      } catch {
        // Unreadable: treated as signed out.
      }
    }
  }
  if (session && session.expiresAt <= now) {
    clearSession(scope);
    return null;
  }
  if (session) memory.set(scope, session);
  return session;
}

export function setSession(session: Session, scope = 'admin'): void {
  memory.set(scope, session);
  storage()?.setItem(PREFIX + scope, JSON.stringify(session));
  for (const listener of listeners) listener();
}

export function clearSession(scope = 'admin'): void {
  memory.delete(scope);
  storage()?.removeItem(PREFIX + scope);
  for (const listener of listeners) listener();
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
