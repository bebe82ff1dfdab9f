// Share a recording: a public or private link, with an expiry; then the recording's links,
// with Revoke for those who may revoke.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { call } from '../../api/client';
import type { components } from '../../api/schema';
import { CopyButton, Loading } from '../../components/bits';
import { Dialog } from '../../components/Dialog';
import { useApp } from '../../context';
import { userMessage } from '../../lib/errors';
import { EXPIRY_LABEL, type ExpiryChoice, expiresInFor } from '../../lib/expiry';
import { formatDateTime } from '../../lib/format';
import type { Recording } from '../../lib/recordings';

type ShareLink = components['schemas']['ShareLink'];

const ROLE: Record<ShareLink['creatorRole'], string> = {
  admin: 'Administrator',
  moderator: 'Moderator',
  speaker: 'Speaker',
};

export function linkState(link: ShareLink, now = Date.now()): 'active' | 'revoked' | 'expired' {
  if (link.revokedAt !== null) return 'revoked';
  if (link.expiresAt !== null && link.expiresAt <= now) return 'expired';
  return 'active';
}

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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ url: string; expiresAt: number | null } | null>(null);
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
    setBusy(true);
    setError(null);
    try {
      const link = await call(
        api.GET('/api/v1/recordings/{recordingId}/url', {
          params: {
            path,
            query: { privateAccess: access === 'private', ...(expiresIn !== null ? { expiresIn } : {}) },
          },
        }),
      );
      setCreated({ url: link.url, expiresAt: link.expiresAt });
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

  const active = (links ?? []).filter((l) => linkState(l) === 'active');

  return (
    <Dialog title="Share recording" onClose={onClose} wide>
      <p class="muted">
        {recording.roomName}, {formatDateTime(recording.startDate)}
      </p>
      <form onSubmit={create} class="share-form">
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
              <span class="hint">No sign-in needed: whoever has the link can watch and download.</span>
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
            <table class="table table-compact">
              <thead>
                <tr>
                  <th scope="col">Created</th>
                  <th scope="col">By</th>
                  <th scope="col">Access</th>
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
                      <td>{l.access === 'public' ? 'Public' : 'Private'}</td>
                      <td>{l.expiresAt ? formatDateTime(l.expiresAt) : 'Never'}</td>
                      <td>
                        <span class={`badge badge-link-${state}`}>{state[0]?.toUpperCase() + state.slice(1)}</span>
                      </td>
                      <td>
                        {state === 'active' && (
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
          )}
        </section>
      )}
    </Dialog>
  );
}
