// What a bulk delete or restore did, recording by recording, with the API's reason for each
// one that failed.
import type { ComponentChildren } from 'preact';
import { Dialog } from '../../components/Dialog';
import type { Outcome } from '../../lib/recycleBin';

export function OutcomesDialog({
  title,
  outcomes,
  done,
  describe,
  extra,
  onClose,
}: {
  title: string;
  outcomes: Outcome[];
  /** What the ones that went through were: "deleted", "restored". */
  done: string;
  describe: (outcome: Outcome) => string;
  /** More buttons beside Close. */
  extra?: ComponentChildren;
  onClose: () => void;
}) {
  const ok = outcomes.filter((o) => o.ok).length;
  return (
    <Dialog
      title={title}
      onClose={onClose}
      wide
      footer={
        <>
          {extra}
          <button type="button" class="button button-primary" onClick={onClose}>
            Close
          </button>
        </>
      }
    >
      <p>
        {ok} of {outcomes.length} {done}.
      </p>
      <ul class="outcomes" aria-label="Outcome per recording">
        {outcomes.map((o) => (
          <li key={o.recordingId} class={o.ok ? 'outcome-ok' : 'outcome-failed'} data-recording-id={o.recordingId}>
            <span class="mono small">{o.recordingId}</span>
            <span>{describe(o)}</span>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
