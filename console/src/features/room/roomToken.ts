// A participant's credential: the secret of a room link, exchanged once for a room token
// that is kept for that room only, in this tab (session scope "room:<roomId>"), until it
// expires. The secret itself is never kept.
import type { Api } from '../../api/client';
import { call } from '../../api/client';
import { getSession, type Session, setSession } from '../../auth/session';

export type RoomRole = 'moderator' | 'speaker';

export const roomScope = (roomId: string): string => `room:${roomId}`;

/** The claims the console reads from its own token, to show the role and know the expiry;
 * the API verifies the token on every request. */
export function readClaims(token: string): { role: RoomRole | null; expiresAt: number | null } {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { role?: unknown; exp?: unknown };
    const role = claims.role === 'moderator' || claims.role === 'speaker' ? claims.role : null;
    return { role, expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : null };
  } catch {
    return { role: null, expiresAt: null };
  }
}

/** Exchanges a room link's secret for a token of that room and keeps it for this tab. */
export async function exchangeSecret(api: Api, roomId: string, secret: string): Promise<Session> {
  const { token } = await call(
    api.POST('/api/v1/rooms/{roomId}/recording-token', { params: { path: { roomId } }, body: { secret } }),
  );
  // Without a readable expiry, the token is kept for the API's token lifetime at most.
  const session = { token, expiresAt: readClaims(token).expiresAt ?? Date.now() + 2 * 60 * 60 * 1000 };
  setSession(session, roomScope(roomId));
  return session;
}

export function roomSession(roomId: string): Session | null {
  return getSession(roomScope(roomId));
}
