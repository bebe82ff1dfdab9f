// A recording's legal hold: while it is held, nobody can delete it, move it to the recycle
// bin or have it purged. Administrators set one (with its reason), change the reason and
// release it; those who may delete the recording see that it is held, and why.
import { useState } from 'preact/hooks';
import { HoldBadge } from '../../components/bits';
import { ConfirmDialog, Dialog } from '../../components/Dialog';
import { useApp } from '../../context';
import { userMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import type { Recording } from '../../lib/recordings';
import { actedByLabel, HOLD_REASON_MAX, parseHoldReason } from '../../lib/recycleBin';
import { releaseLegalHold, setLegalHold } from '../recordings/api';

/** "Set legal hold", beside the recording's other actions (administrators, not held). */
export function HoldButton({ onClick }: { onClick: () => void }) {
  return (
    <button type="button" class="button" onClick={onClick}>
      Set legal hold
    </button>
  );
}

/** The held recording's banner: since when, by whom, why; Change reason and Release for
 * administrators. */
export function HoldPanel({
  recording,
  canHold,
  onEdit,
  onRelease,
}: {
  recording: Recording;
  canHold: boolean;
  onEdit: () => void;
  onRelease: () => void;
}) {
  const hold = recording.legalHold;
  if (!hold) return null;
  return (
    <section class="hold-panel" aria-labelledby="hold-title">
      <div class="hold-text">
        <h2 id="hold-title" class="hold-title">
          <HoldBadge /> This recording is on legal hold
        </h2>
        <p>
          Since {formatDateTime(hold.since)}, set by {actedByLabel(hold.by).toLowerCase()}. It cannot be deleted, moved
          to the recycle bin or purged until the hold is released.
        </p>
        <p class="hold-reason">
          <span class="muted">Reason:</span> {hold.reason}
        </p>
      </div>
      {canHold && (
        <div class="actions">
          <button type="button" class="button button-small" onClick={onEdit}>
            Change reason
          </button>
          <button type="button" class="button button-small" onClick={onRelease}>
            Release hold
          </button>
        </div>
      )}
    </section>
  );
}

/** Asks for the hold's reason and sets it (or changes it, on a held recording). */
export function HoldDialog({
  recording,
  onSaved,
  onClose,
}: {
  recording: Recording;
  onSaved: (recording: Recording) => void;
  onClose: () => void;
}) {
  const { api, toast } = useApp();
  const held = Boolean(recording.legalHold);
  const [text, setText] = useState(recording.legalHold?.reason ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (event: Event) => {
    event.preventDefault();
    const reason = parseHoldReason(text);
    if (typeof reason !== 'string') {
      setError(reason.error);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const saved = await setLegalHold(api, recording.recordingId, reason);
      onSaved(saved);
      toast('success', held ? 'Reason of the legal hold changed' : 'Legal hold set: the recording cannot be deleted');
    } catch (e) {
      setError(userMessage(e));
      setBusy(false);
    }
  };

  return (
    <Dialog title={held ? 'Change the reason of the hold' : 'Set a legal hold'} onClose={onClose}>
      <form class="hold-form" onSubmit={save}>
        {!held && (
          <p>
            While the recording is held, nobody can delete it, move it to the recycle bin or have it purged, until an
            administrator releases the hold.
          </p>
        )}
        <div class="field">
          <label for="hold-reason">Reason</label>
          <textarea
            id="hold-reason"
            rows={3}
            maxLength={HOLD_REASON_MAX}
            value={text}
            placeholder="e.g. Litigation 2026-14: keep until the case is closed"
            aria-describedby="hold-reason-hint"
            aria-invalid={error ? 'true' : undefined}
            onInput={(e) => setText(e.currentTarget.value)}
            disabled={busy}
          />
          <span id="hold-reason-hint" class="hint">
            Up to {HOLD_REASON_MAX} characters. Those who may delete the recording see it.
          </span>
        </div>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-footer">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : held ? 'Save reason' : 'Set legal hold'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Asks before releasing the hold, then releases it. */
export function ReleaseDialog({
  recording,
  onSaved,
  onClose,
}: {
  recording: Recording;
  onSaved: (recording: Recording) => void;
  onClose: () => void;
}) {
  const { api, toast } = useApp();
  const [busy, setBusy] = useState(false);
  const release = async () => {
    setBusy(true);
    try {
      const saved = await releaseLegalHold(api, recording.recordingId);
      onSaved(saved);
      toast('success', 'Legal hold released');
    } catch (e) {
      toast('error', userMessage(e));
      setBusy(false);
      onClose();
    }
  };
  return (
    <ConfirmDialog
      title="Release the legal hold?"
      confirmLabel="Release hold"
      busy={busy}
      onConfirm={release}
      onClose={onClose}
      message={
        <p>
          Once released, the recording can be deleted again by anyone who may delete it. The hold was for:{' '}
          <q>{recording.legalHold?.reason}</q>
        </p>
      }
    />
  );
}
