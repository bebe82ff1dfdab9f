// Share a recording: a public or private link, with an expiry, and what it allows (download
// or play only, a password, a number of views); then the recording's links, with what each
// allows and how many views it has left, and Revoke for those who may revoke. Links are
// created with the POST form, so that a password never goes in a URL.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../../api/client';
import type { components } from '../../api/schema';
import { CopyButton, Loading } from '../../components/bits';
import { Dialog } from '../../components/Dialog';
import { useApp } from '../../context';
import { userMessage } from '../../lib/errors';
import { EXPIRY_LABEL, type ExpiryChoice, expiresInFor } from '../../lib/expiry';
import { formatDateTime } from '../../lib/format';
import type { Recording } from '../../lib/recordings';
import {
  downloadLabel,
  LINK_STATE_LABEL,
  linkState,
  MAX_VIEWS,
  PASSWORD_MAX,
  PASSWORD_MIN,
  passwordLabel,
  revocable,
  type ShareFormErrors,
  shareOptionsSummary,
  shareRequest,
  viewsLabel,
} from '../../lib/shareOptions';

type ShareLink = components['schemas']['ShareLink'];
type NewShareLink = components['schemas']['NewShareLink'];

const ROLE: Record<ShareLink['creatorRole'], string> = {
  admin: 'Administrator',
  moderator: 'Moderator',
  speaker: 'Speaker',
};

export function ShareDialog({
  recording,
  canRevoke,
  onClose,
}: {
  recording: Recording;
  canRevoke: boolean;
  onClose: () => void;
}) {
  const { api, toast } = useApp();
  const [access, setAccess] = useState<'public' | 'private'>('public');
  const [expiry, setExpiry] = useState<ExpiryChoice>('never');
  const [date, setDate] = useState('');
  const [allowDownload, setAllowDownload] = useState(true);
  const [requirePassword, setRequirePassword] = useState(false);
  const [password, setPassword] = useState('');
  const [limitViews, setLimitViews] = useState(false);
  const [maxViews, setMaxViews] = useState('10');
  const [fieldErrors, setFieldErrors] = useState<ShareFormErrors>({});
  const passwordInput = useRef<HTMLInputElement>(null);
  const maxViewsInput = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<NewShareLink | null>(null);
  const [links, setLinks] = useState<ShareLink[] | null>(null);
  const [linksError, setLinksError] = useState<unknown>(null);
  const path = { recordingId: recording.recordingId };

  const loadLinks = useCallback(async () => {
    if (!canRevoke) return;
    setLinksError(null);
    try {
      const list = await call(api.GET('/api/v1/recordings/{recordingId}/shares', { params: { path } }));
      setLinks([...list.shares].sort((a, b) => b.createdAt - a.createdAt));
    } catch (e) {
      setLinksError(e);
    }
  }, [api, canRevoke, recording.recordingId]);
  useEffect(() => {
    loadLinks();
  }, [loadLinks]);

  const create = async (event: Event) => {
    event.preventDefault();
    const expiresIn = expiresInFor(expiry, date);
    if (expiresIn !== null && typeof expiresIn === 'object') {
      setError(expiresIn.error);
      return;
    }
    const checked = shareRequest({
      access,
      expiresIn,
      allowDownload,
      requirePassword,
      password,
      limitViews,
      maxViews,
    });
    if ('errors' in checked) {
      setFieldErrors(checked.errors);
      setError(null);
      (checked.errors.password ? passwordInput : maxViewsInput).current?.focus();
      return;
    }
    setFieldErrors({});
    setBusy(true);
    setError(null);
    try {
      const link = await call(
        api.POST('/api/v1/recordings/{recordingId}/url', { params: { path }, body: checked.request }),
      );
      setCreated(link);
      // The password is for the recipients: it is not kept in the dialog once sent.
      setPassword('');
      toast('success', 'Share link created');
      loadLinks();
    } catch (e) {
      setError(userMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (shareId: string | null) => {
    try {
      if (shareId) {
        await call(
          api.DELETE('/api/v1/recordings/{recordingId}/shares/{shareId}', { params: { path: { ...path, shareId } } }),
        );
        toast('success', 'Link revoked');
      } else {
        const result = await call(api.DELETE('/api/v1/recordings/{recordingId}/shares', { params: { path } }));
        toast('success', `${result.revoked} link${result.revoked === 1 ? '' : 's'} revoked`);
      }
      loadLinks();
    } catch (e) {
      toast('error', userMessage(e));
    }
  };

  const active = (links ?? []).filter((l) => revocable(linkState(l)));

  return (
    <Dialog title="Share recording" onClose={onClose} wide>
      <p class="muted">
        {recording.roomName}, {formatDateTime(recording.startDate)}
      </p>
      <form onSubmit={create} class="share-form" noValidate>
        <fieldset>
          <legend>Who can open the link</legend>
          <label class="radio">
            <input
              type="radio"
              name="access"
              value="public"
              checked={access === 'public'}
              onChange={() => setAccess('public')}
            />
            <span>
              <strong>Anyone with the link</strong>
              <span class="hint">No sign-in needed: whoever has the link can open it.</span>
            </span>
          </label>
          <label class="radio">
            <input
              type="radio"
              name="access"
              value="private"
              checked={access === 'private'}
              onChange={() => setAccess('private')}
            />
            <span>
              <strong>Private</strong>
              <span class="hint">The recipient must also be signed in with access to this room's recordings.</span>
            </span>
          </label>
        </fieldset>
        <fieldset class="share-options">
          <legend>What the link allows</legend>
          <label class="checkbox-label">
            <input
              type="checkbox"
              checked={allowDownload}
              onChange={(e) => setAllowDownload(e.currentTarget.checked)}
            />
            <span>
              <strong>Allow download</strong>
              <span class="hint">Untick for a play-only link: recipients can watch but not download.</span>
            </span>
          </label>
          <label class="checkbox-label">
            <input
              type="checkbox"
              checked={requirePassword}
              aria-controls={requirePassword ? 'share-password-field' : undefined}
              onChange={(e) => {
                setRequirePassword(e.currentTarget.checked);
                setFieldErrors(({ password: _, ...rest }) => rest);
              }}
            />
            <span>
              <strong>Require a password</strong>
              <span class="hint">Recipients type it before the recording opens. Send it to them separately.</span>
            </span>
          </label>
          {requirePassword && (
            <div class="field option-field" id="share-password-field">
              <label for="share-password">Link password</label>
              <input
                ref={passwordInput}
                id="share-password"
                type="password"
                autoComplete="new-password"
                value={password}
                aria-invalid={fieldErrors.password ? 'true' : undefined}
                aria-describedby={
                  fieldErrors.password ? 'share-password-hint share-password-error' : 'share-password-hint'
                }
                onInput={(e) => {
                  setPassword(e.currentTarget.value);
                  // An error stays only until the field is changed.
                  setFieldErrors(({ password: _, ...rest }) => rest);
                }}
              />
              <span id="share-password-hint" class="hint">
                {PASSWORD_MIN} to {PASSWORD_MAX} characters.
              </span>
              {fieldErrors.password && (
                <span id="share-password-error" class="form-error" role="alert">
                  {fieldErrors.password}
                </span>
              )}
            </div>
          )}
          <label class="checkbox-label">
            <input
              type="checkbox"
              checked={limitViews}
              aria-controls={limitViews ? 'share-views-field' : undefined}
              onChange={(e) => {
                setLimitViews(e.currentTarget.checked);
                setFieldErrors(({ maxViews: _, ...rest }) => rest);
              }}
            />
            <span>
              <strong>Limit views</strong>
              <span class="hint">Each play or download with the link, and each opening of its page, is a view.</span>
            </span>
          </label>
          {limitViews && (
            <div class="field option-field" id="share-views-field">
              <label for="share-max-views">Number of views</label>
              <input
                ref={maxViewsInput}
                id="share-max-views"
                type="number"
                inputMode="numeric"
                min={1}
                max={MAX_VIEWS}
                step={1}
                value={maxViews}
                aria-invalid={fieldErrors.maxViews ? 'true' : undefined}
                aria-describedby={fieldErrors.maxViews ? 'share-views-hint share-views-error' : 'share-views-hint'}
                onInput={(e) => {
                  setMaxViews(e.currentTarget.value);
                  setFieldErrors(({ maxViews: _, ...rest }) => rest);
                }}
              />
              <span id="share-views-hint" class="hint">
                From 1 to {MAX_VIEWS.toLocaleString('en')}.
              </span>
              {fieldErrors.maxViews && (
                <span id="share-views-error" class="form-error" role="alert">
                  {fieldErrors.maxViews}
                </span>
              )}
            </div>
          )}
        </fieldset>
        <div class="field-row">
          <div class="field">
            <label for="share-expiry">Expires</label>
            <select id="share-expiry" value={expiry} onChange={(e) => setExpiry(e.currentTarget.value as ExpiryChoice)}>
              {(Object.keys(EXPIRY_LABEL) as ExpiryChoice[]).map((c) => (
                <option key={c} value={c}>
                  {EXPIRY_LABEL[c]}
                </option>
              ))}
            </select>
          </div>
          {expiry === 'date' && (
            <div class="field">
              <label for="share-date">Last day</label>
              <input id="share-date" type="date" value={date} onInput={(e) => setDate(e.currentTarget.value)} />
            </div>
          )}
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create link'}
          </button>
        </div>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
      </form>

      {created && (
        <div class="created-link">
          <label for="share-url">
            Link {created.expiresAt ? `(until ${formatDateTime(created.expiresAt)})` : '(does not expire)'}
          </label>
          <div class="copy-row">
            <input id="share-url" readOnly value={created.url} onFocus={(e) => e.currentTarget.select()} />
            <CopyButton text={created.url} what="share link" />
          </div>
          <p class="hint created-options" data-field="created-options">
            {shareOptionsSummary({
              allowDownload: created.allowDownload,
              passwordRequired: created.passwordRequired,
              maxViews: created.maxViews,
            })}
            .{created.passwordRequired && ' Send the password separately: it is not shown again.'}
          </p>
        </div>
      )}

      {canRevoke && (
        <section class="links" aria-labelledby="links-title">
          <div class="links-head">
            <h3 id="links-title">Links of this recording</h3>
            {active.length > 0 && (
              <button type="button" class="button button-small button-danger-quiet" onClick={() => revoke(null)}>
                Revoke all
              </button>
            )}
          </div>
          {linksError !== null && <p class="form-error">{userMessage(linksError)}</p>}
          {links === null && linksError === null && <Loading />}
          {links && links.length === 0 && <p class="muted">No links yet.</p>}
          {links && links.length > 0 && (
            <div class="table-scroll">
              <table class="table table-compact">
                <thead>
                  <tr>
                    <th scope="col">Created</th>
                    <th scope="col">By</th>
                    <th scope="col">Access</th>
                    <th scope="col">Views</th>
                    <th scope="col">Expires</th>
                    <th scope="col">State</th>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {links.map((l) => {
                    const state = linkState(l);
                    return (
                      <tr key={l.shareId} data-share-id={l.shareId}>
                        <td>{formatDateTime(l.createdAt)}</td>
                        <td>{ROLE[l.creatorRole]}</td>
                        <td data-field="access">
                          {l.access === 'public' ? 'Public' : 'Private'}
                          <ul class="link-options" data-field="options">
                            <li>{downloadLabel(l.allowDownload)}</li>
                            <li>{passwordLabel(l.passwordRequired)}</li>
                          </ul>
                        </td>
                        <td data-field="views">{viewsLabel(l.views, l.maxViews)}</td>
                        <td>{l.expiresAt ? formatDateTime(l.expiresAt) : 'Never'}</td>
                        <td>
                          <span class={`badge badge-link-${state}`}>{LINK_STATE_LABEL[state]}</span>
                        </td>
                        <td>
                          {revocable(state) && (
                            <button
                              type="button"
                              class="button button-small"
                              aria-label={`Revoke the link created ${formatDateTime(l.createdAt)}`}
                              onClick={() => revoke(l.shareId)}
                            >
                              Revoke
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </Dialog>
  );
}
