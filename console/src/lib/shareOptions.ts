// Share-link options: what the share dialog sends (checked here first, with a message for
// each field), and how a link's options and views read in words.
import type { components } from '../api/schema';

export type ShareLinkRequest = components['schemas']['CreateShareLinkRequest'];
type ShareAccess = components['schemas']['ShareAccess'];
type ShareLink = components['schemas']['ShareLink'];

/** The API's bounds (docs/openapi.yaml, `CreateShareLinkRequest`). */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const MAX_VIEWS = 10_000;

/** The dialog's fields, as typed. */
export interface ShareForm {
  access: ShareAccess;
  /** Seconds, or null for a link that does not expire. */
  expiresIn: number | null;
  allowDownload: boolean;
  requirePassword: boolean;
  password: string;
  limitViews: boolean;
  /** The number field's text. */
  maxViews: string;
}

export type ShareFormField = 'password' | 'maxViews';
export type ShareFormErrors = Partial<Record<ShareFormField, string>>;

/** Characters as people count them (code points), as the API counts them. */
function length(text: string): number {
  return [...text].length;
}

/** What is wrong with a link's password, or null. */
export function passwordProblem(password: string): string | null {
  const n = length(password);
  if (n === 0)
    return `Enter a password of ${PASSWORD_MIN} to ${PASSWORD_MAX} characters, or untick “Require a password”.`;
  if (n < PASSWORD_MIN) return `The password is too short: at least ${PASSWORD_MIN} characters (it has ${n}).`;
  if (n > PASSWORD_MAX) return `The password is too long: at most ${PASSWORD_MAX} characters (it has ${n}).`;
  return null;
}

/** The number of views typed, or what is wrong with it. */
export function parseMaxViews(text: string): number | { error: string } {
  const trimmed = text.trim();
  const error = `Enter a whole number of views from 1 to ${MAX_VIEWS.toLocaleString('en')}.`;
  if (!/^\d+$/.test(trimmed)) return { error };
  const n = Number(trimmed);
  return n >= 1 && n <= MAX_VIEWS ? n : { error };
}

/**
 * The body of `POST /recordings/{id}/url` for the dialog's fields, or a message for each
 * field that is not valid. The password goes in the body only, never in a URL.
 */
export function shareRequest(form: ShareForm): { request: ShareLinkRequest } | { errors: ShareFormErrors } {
  const errors: ShareFormErrors = {};
  const request: ShareLinkRequest = {
    privateAccess: form.access === 'private',
    allowDownload: form.allowDownload,
  };
  if (form.expiresIn !== null) request.expiresIn = form.expiresIn;
  if (form.requirePassword) {
    const problem = passwordProblem(form.password);
    if (problem) errors.password = problem;
    else request.password = form.password;
  }
  if (form.limitViews) {
    const views = parseMaxViews(form.maxViews);
    if (typeof views === 'number') request.maxViews = views;
    else errors.maxViews = views.error;
  }
  return Object.keys(errors).length > 0 ? { errors } : { request };
}

const plural = (n: number, one: string, many = `${one}s`) => (n === 1 ? one : many);

/** A link's views in words: "3 of 10 views left", "Used up", or "12 views" without a limit. */
export function viewsLabel(views: number, maxViews: number | null): string {
  if (maxViews === null) return `${views} ${plural(views, 'view')}`;
  if (views >= maxViews) return 'Used up';
  return `${maxViews - views} of ${maxViews} ${plural(maxViews, 'view')} left`;
}

/** What a link lets its recipients do, in words: "Play only" or "Play and download". */
export function downloadLabel(allowDownload: boolean): string {
  return allowDownload ? 'Play and download' : 'Play only';
}

export function passwordLabel(passwordRequired: boolean): string {
  return passwordRequired ? 'Password required' : 'No password';
}

export interface ShareOptions {
  access?: ShareAccess;
  allowDownload?: boolean;
  passwordRequired?: boolean;
  maxViews?: number | null;
}

/** A link's options as one phrase: "Public, play only, password required, at most 10 views". */
export function shareOptionsSummary(options: ShareOptions): string {
  const parts: string[] = [];
  if (options.access) parts.push(options.access === 'public' ? 'public' : 'private');
  if (options.allowDownload !== undefined) parts.push(options.allowDownload ? 'play and download' : 'play only');
  if (options.passwordRequired !== undefined)
    parts.push(options.passwordRequired ? 'password required' : 'no password');
  if (options.maxViews !== undefined) {
    parts.push(
      options.maxViews === null ? 'no view limit' : `at most ${options.maxViews} ${plural(options.maxViews, 'view')}`,
    );
  }
  const text = parts.join(', ');
  return text ? `${text[0]?.toUpperCase()}${text.slice(1)}` : '';
}

export type LinkState = 'active' | 'used-up' | 'revoked' | 'expired';

export const LINK_STATE_LABEL: Record<LinkState, string> = {
  active: 'Active',
  'used-up': 'Used up',
  revoked: 'Revoked',
  expired: 'Expired',
};

/** Where a link stands. A used-up link opens no more, but still counts among the
 * recording's live links until it is revoked or expires. */
export function linkState(
  link: Pick<ShareLink, 'revokedAt' | 'expiresAt' | 'maxViews' | 'views'>,
  now = Date.now(),
): LinkState {
  if (link.revokedAt !== null) return 'revoked';
  if (link.expiresAt !== null && link.expiresAt <= now) return 'expired';
  if (link.maxViews !== null && link.views >= link.maxViews) return 'used-up';
  return 'active';
}

/** Whether revoking the link changes anything. */
export function revocable(state: LinkState): boolean {
  return state === 'active' || state === 'used-up';
}
