import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { mergeRecordings } from '../../src/features/recordings/api';
import { contentSecurityPolicy } from '../../src/lib/csp';
import { expiresInFor } from '../../src/lib/expiry';
import { ADMIN_CAPABILITIES, actionsFor, type Recording } from '../../src/lib/recordings';
import { matchRoute, safeNext } from '../../src/router';

describe('actions per status', () => {
  it('plays, downloads and shares only complete recordings', () => {
    const complete = actionsFor('complete', ADMIN_CAPABILITIES);
    expect(
      complete.play.enabled && complete.download.enabled && complete.share.enabled && complete.delete.enabled,
    ).toBe(true);
    const failed = actionsFor('failed', ADMIN_CAPABILITIES);
    expect(failed.play).toEqual({ shown: true, enabled: false, reason: 'Only complete recordings can be played' });
    expect(failed.delete.enabled).toBe(true);
  });
  it('does not delete recordings in progress', () => {
    for (const status of ['starting', 'active', 'ending'] as const) {
      expect(actionsFor(status, ADMIN_CAPABILITIES).delete.enabled).toBe(false);
    }
  });
  it('hides what the role may not do', () => {
    const speaker = {
      canPlay: true,
      canShare: true,
      canDelete: false,
      canRevoke: false,
      canDeleteAtOnce: false,
      canHold: false,
    };
    expect(actionsFor('complete', speaker).delete.shown).toBe(false);
  });
  it('does not delete a recording on legal hold, and says who can change that', () => {
    expect(actionsFor('complete', ADMIN_CAPABILITIES, { held: true }).delete).toEqual({
      shown: true,
      enabled: false,
      reason: 'This recording is on legal hold: release the hold to delete it',
    });
    const moderator = { ...ADMIN_CAPABILITIES, canDeleteAtOnce: false, canHold: false };
    expect(actionsFor('failed', moderator, { held: true }).delete.reason).toBe(
      'This recording is on legal hold and cannot be deleted',
    );
    expect(actionsFor('complete', ADMIN_CAPABILITIES, { held: true }).play.enabled).toBe(true);
  });
});

describe('pages', () => {
  const r = (id: string) => ({ recordingId: id }) as Recording;
  it('keeps each recording once across pages', () => {
    expect(mergeRecordings([r('a'), r('b')], [r('b'), r('c'), r('c')]).map((x) => x.recordingId)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });
});

describe('routes', () => {
  it('maps paths to pages', () => {
    expect(matchRoute('/')).toEqual({ page: 'recordings' });
    expect(matchRoute('/recordings/')).toEqual({ page: 'recordings' });
    expect(matchRoute('/recordings/a--EG_b--c')).toEqual({ page: 'recording', recordingId: 'a--EG_b--c' });
    expect(matchRoute('/rooms')).toEqual({ page: 'rooms' });
    expect(matchRoute('/recycle-bin')).toEqual({ page: 'recycle-bin' });
    expect(matchRoute('/nope')).toEqual({ page: 'not-found' });
  });
  it('goes back only to paths of the console', () => {
    expect(safeNext('/recordings?room=a')).toBe('/recordings?room=a');
    expect(safeNext('//evil.example')).toBe('/recordings');
    expect(safeNext('https://evil.example')).toBe('/recordings');
    expect(safeNext('/login?next=/x')).toBe('/recordings');
    expect(safeNext(null)).toBe('/recordings');
  });
});

describe('config.json', () => {
  it('reads the API base URL', () => {
    expect(parseConfig({ apiBaseUrl: 'https://x.example/' }).apiBaseUrl).toBe('https://x.example');
    expect(parseConfig({ apiBaseUrl: '' }).apiBaseUrl).toBe('');
  });
  it('refuses what is not a config', () => {
    expect(() => parseConfig(null)).toThrow();
    expect(() => parseConfig({})).toThrow(/apiBaseUrl/);
    expect(() => parseConfig({ apiBaseUrl: 'javascript:alert(1)' })).toThrow();
  });
});

describe('the Content-Security-Policy', () => {
  it('allows the API and the bucket only, and no inline script', () => {
    const csp = contentSecurityPolicy({
      apiBaseUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com',
      mediaOrigin: 'https://b.s3.eu-west-1.amazonaws.com',
    });
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self' https://abc.execute-api.eu-west-1.amazonaws.com;");
    expect(csp).toContain('media-src https://b.s3.eu-west-1.amazonaws.com;');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
  });
});

describe('share-link expiry', () => {
  const now = new Date(2026, 0, 10, 12, 0, 0).getTime();
  it('gives seconds for each choice', () => {
    expect(expiresInFor('never', '', now)).toBeNull();
    expect(expiresInFor('1h', '', now)).toBe(3600);
    expect(expiresInFor('30d', '', now)).toBe(2_592_000);
  });
  it('ends a chosen date at the end of that day', () => {
    expect(expiresInFor('date', '2026-01-10', now)).toBe(12 * 3600 - 1);
    expect(expiresInFor('date', '2026-01-09', now)).toEqual({ error: 'Choose a date in the future' });
    expect(expiresInFor('date', '2027-06-01', now)).toEqual({ error: 'Choose a date within a year' });
    expect(expiresInFor('date', '', now)).toEqual({ error: 'Choose a date' });
  });
});
