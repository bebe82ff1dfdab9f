import { describe, expect, it } from 'vitest';
import { controlMessage } from '../../src/features/room/RecordingControl';
import { capabilitiesOf } from '../../src/features/room/RoomPage';
import { readClaims } from '../../src/features/room/roomToken';
import type { RoomView } from '../../src/features/room/useRoom';
import { contentSecurityPolicy, isEmbeddable, parseEmbedOrigins } from '../../src/lib/csp';
import { ApiError } from '../../src/lib/errors';
import { matchRoute } from '../../src/router';

const base64url = (value: object) =>
  btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

describe('room pages', () => {
  it('maps room links, the framed list and a recording opened from it', () => {
    expect(matchRoute('/room/daily-standup-x7k2m')).toEqual({
      page: 'room',
      roomId: 'daily-standup-x7k2m',
      roomPage: 'home',
    });
    expect(matchRoute('/room/a-b/recordings/')).toEqual({ page: 'room', roomId: 'a-b', roomPage: 'embed' });
    expect(matchRoute('/room/a-b/recordings/a-b--EG_x--u1')).toEqual({
      page: 'room',
      roomId: 'a-b',
      roomPage: 'recording',
      recordingId: 'a-b--EG_x--u1',
    });
    expect(matchRoute('/room/a-b/recycle-bin')).toEqual({ page: 'room', roomId: 'a-b', roomPage: 'recycle-bin' });
    expect(matchRoute('/room/a-b/other').page).toBe('not-found');
  });
  it('reads the role and expiry of its own token, and nothing from a broken one', () => {
    const token = `x.${base64url({ role: 'speaker', exp: 1_800_000_000, room: 'a' })}.sig`;
    expect(readClaims(token)).toEqual({ role: 'speaker', expiresAt: 1_800_000_000_000 });
    expect(readClaims('not-a-jwt')).toEqual({ role: null, expiresAt: null });
    expect(readClaims(`x.${base64url({ role: 'admin' })}.y`).role).toBeNull();
  });
  it('offers what the room permits now', () => {
    const room = (read: boolean, remove: boolean) =>
      ({ permissions: { canRetrieveRecordings: read, canDeleteRecordings: remove, canRecord: false } }) as RoomView;
    expect(capabilitiesOf(room(true, false))).toEqual({
      canPlay: true,
      canShare: true,
      canDelete: false,
      canRevoke: false,
      canDeleteAtOnce: false,
      canHold: false,
    });
    expect(capabilitiesOf(room(true, true)).canRevoke).toBe(true);
    // A moderator deletes into the bin and never sets holds, whatever the room allows.
    expect(capabilitiesOf(room(true, true))).toMatchObject({ canDelete: true, canDeleteAtOnce: false, canHold: false });
  });
  it('says what a failed start or stop means', () => {
    const error = (status: number) => new ApiError({ kind: 'http', status, message: 'from the API' });
    expect(controlMessage(error(503), 'start')).toBe('The media server is not available, try again.');
    expect(controlMessage(error(409), 'start')).toBe('This room is already being recorded.');
    expect(controlMessage(error(409), 'stop')).toBe('This recording is already stopped.');
    expect(controlMessage(error(500), 'stop')).toBe('from the API.');
  });
});

describe('framing', () => {
  it('lets only the room recordings be framed, by the configured origins', () => {
    expect(isEmbeddable('/room/a-b/recordings')).toBe(true);
    expect(isEmbeddable('/room/a-b/recordings/a-b--EG_x--u1')).toBe(true);
    expect(isEmbeddable('/room/a-b')).toBe(false);
    expect(isEmbeddable('/recordings')).toBe(false);
    expect(parseEmbedOrigins(' https://meet.example.com  http://localhost:3000/app nonsense ')).toEqual([
      'https://meet.example.com',
      'http://localhost:3000',
    ]);
    const framed = contentSecurityPolicy({
      apiBaseUrl: '',
      mediaOrigin: '',
      frameAncestors: ['https://meet.example.com'],
    });
    expect(framed).toContain('frame-ancestors https://meet.example.com;');
    expect(contentSecurityPolicy({ apiBaseUrl: '', mediaOrigin: '' })).toContain("frame-ancestors 'none'");
  });
});
