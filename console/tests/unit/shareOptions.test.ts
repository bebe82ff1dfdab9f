import { describe, expect, it } from 'vitest';
import {
  downloadLabel,
  linkState,
  parseMaxViews,
  passwordLabel,
  passwordProblem,
  revocable,
  type ShareForm,
  shareOptionsSummary,
  shareRequest,
  viewsLabel,
} from '../../src/lib/shareOptions';

const form = (change: Partial<ShareForm> = {}): ShareForm => ({
  access: 'public',
  expiresIn: null,
  allowDownload: true,
  requirePassword: false,
  password: '',
  limitViews: false,
  maxViews: '10',
  ...change,
});

describe('views of a link', () => {
  it('says how many are left of a limit', () => {
    expect(viewsLabel(3, 10)).toBe('7 of 10 views left');
    expect(viewsLabel(0, 10)).toBe('10 of 10 views left');
    expect(viewsLabel(9, 10)).toBe('1 of 10 views left');
    expect(viewsLabel(0, 1)).toBe('1 of 1 view left');
  });
  it('says "Used up" once every view was used', () => {
    expect(viewsLabel(10, 10)).toBe('Used up');
    expect(viewsLabel(11, 10)).toBe('Used up');
  });
  it('counts views without a limit', () => {
    expect(viewsLabel(12, null)).toBe('12 views');
    expect(viewsLabel(1, null)).toBe('1 view');
    expect(viewsLabel(0, null)).toBe('0 views');
  });
});

describe('a link’s options in words', () => {
  it('says play only or play and download, and whether a password is asked', () => {
    expect(downloadLabel(false)).toBe('Play only');
    expect(downloadLabel(true)).toBe('Play and download');
    expect(passwordLabel(true)).toBe('Password required');
    expect(passwordLabel(false)).toBe('No password');
  });
  it('sums them up in one phrase', () => {
    expect(shareOptionsSummary({ allowDownload: false, passwordRequired: true, maxViews: 10 })).toBe(
      'Play only, password required, at most 10 views',
    );
    expect(
      shareOptionsSummary({ access: 'private', allowDownload: true, passwordRequired: false, maxViews: null }),
    ).toBe('Private, play and download, no password, no view limit');
    expect(shareOptionsSummary({ maxViews: 1 })).toBe('At most 1 view');
    expect(shareOptionsSummary({})).toBe('');
  });
});

describe('the share dialog’s checks', () => {
  it('asks for 8 to 128 characters of password', () => {
    expect(passwordProblem('')).toMatch(/Enter a password of 8 to 128 characters/);
    expect(passwordProblem('short')).toBe('The password is too short: at least 8 characters (it has 5).');
    expect(passwordProblem('x'.repeat(129))).toBe('The password is too long: at most 128 characters (it has 129).');
    expect(passwordProblem('12345678')).toBeNull();
    expect(passwordProblem('x'.repeat(128))).toBeNull();
    // Characters, not UTF-16 units: seven emoji are too short.
    expect(passwordProblem('😀'.repeat(7))).toMatch(/too short/);
    expect(passwordProblem('😀'.repeat(8))).toBeNull();
  });
  it('takes a whole number of views from 1 to 10000', () => {
    expect(parseMaxViews('10')).toBe(10);
    expect(parseMaxViews(' 1 ')).toBe(1);
    expect(parseMaxViews('10000')).toBe(10000);
    for (const bad of ['', '0', '10001', '2.5', '-3', 'ten', '1e3']) {
      expect(parseMaxViews(bad)).toEqual({ error: 'Enter a whole number of views from 1 to 10,000.' });
    }
  });
  it('sends the defaults explicitly, nothing else', () => {
    expect(shareRequest(form())).toEqual({ request: { privateAccess: false, allowDownload: true } });
  });
  it('sends every option chosen, the password in the body', () => {
    expect(
      shareRequest(
        form({
          access: 'private',
          expiresIn: 3600,
          allowDownload: false,
          requirePassword: true,
          password: 'correct horse',
          limitViews: true,
          maxViews: '25',
        }),
      ),
    ).toEqual({
      request: {
        privateAccess: true,
        expiresIn: 3600,
        allowDownload: false,
        password: 'correct horse',
        maxViews: 25,
      },
    });
  });
  it('ignores the fields of options left unticked', () => {
    expect(shareRequest(form({ password: 'x', maxViews: 'nope' }))).toEqual({
      request: { privateAccess: false, allowDownload: true },
    });
  });
  it('reports every field that is not valid, and sends nothing', () => {
    expect(shareRequest(form({ requirePassword: true, password: 'short', limitViews: true, maxViews: '0' }))).toEqual({
      errors: {
        password: 'The password is too short: at least 8 characters (it has 5).',
        maxViews: 'Enter a whole number of views from 1 to 10,000.',
      },
    });
  });
});

describe('where a link stands', () => {
  const link = (change = {}) => ({ revokedAt: null, expiresAt: null, maxViews: null, views: 0, ...change });
  it('is active, used up, revoked or expired', () => {
    expect(linkState(link(), 1000)).toBe('active');
    expect(linkState(link({ maxViews: 10, views: 9 }), 1000)).toBe('active');
    expect(linkState(link({ maxViews: 10, views: 10 }), 1000)).toBe('used-up');
    expect(linkState(link({ expiresAt: 1000 }), 1000)).toBe('expired');
    expect(linkState(link({ revokedAt: 500, maxViews: 1, views: 1 }), 1000)).toBe('revoked');
  });
  it('can be revoked while it is live, used up or not', () => {
    expect(revocable('active')).toBe(true);
    expect(revocable('used-up')).toBe(true);
    expect(revocable('revoked')).toBe(false);
    expect(revocable('expired')).toBe(false);
  });
});
