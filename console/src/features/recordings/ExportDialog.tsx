// "Download as ZIP": starts an export of the chosen recordings, shows the ZIP being built
// (the API's bytes written of the total), then has the browser save it. Closing the dialog
// stops following the export; the recordings themselves are untouched either way.
import { useEffect, useState } from 'preact/hooks';
import { Dialog } from '../../components/Dialog';
import { useApp } from '../../context';
import { userMessage } from '../../lib/errors';
import { formatSize } from '../../lib/format';
import type { Recording } from '../../lib/recordings';
import { type Export, getExport, saveUrl, startExport } from './api';

const POLL_MS = 1000;

type Phase =
  | { state: 'starting' }
  | { state: 'building'; export: Export }
  | { state: 'ready'; export: Export; url: string }
  | { state: 'failed'; message: string; export: Export | null };

export function ExportDialog({ recordings, onClose }: { recordings: Recording[]; onClose: () => void }) {
  const { api, toast } = useApp();
  const [phase, setPhase] = useState<Phase>({ state: 'starting' });

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const follow = async (exportId: string) => {
      try {
        const current = await getExport(api, exportId);
        if (stopped) return;
        if (current.status === 'complete' && current.url) {
          setPhase({ state: 'ready', export: current, url: current.url });
          saveUrl(current.url);
          toast('success', `Downloading ${current.filename}`);
        } else if (current.status === 'failed') {
          setPhase({ state: 'failed', message: current.error ?? 'The ZIP could not be built.', export: current });
        } else {
          setPhase({ state: 'building', export: current });
          timer = setTimeout(() => follow(exportId), POLL_MS);
        }
      } catch (error) {
        if (!stopped) setPhase({ state: 'failed', message: userMessage(error), export: null });
      }
    };
    (async () => {
      try {
        const started = await startExport(
          api,
          recordings.map((r) => r.recordingId),
        );
        if (stopped) return;
        setPhase({ state: 'building', export: started });
        timer = setTimeout(() => follow(started.exportId), POLL_MS);
      } catch (error) {
        if (!stopped) setPhase({ state: 'failed', message: userMessage(error), export: null });
      }
    })();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);

  const current = phase.state === 'starting' ? null : phase.export;
  return (
    <Dialog
      title="Download as ZIP"
      onClose={onClose}
      footer={
        <>
          {phase.state === 'ready' && (
            <a class="button" href={phase.url} rel="noopener">
              Download again
            </a>
          )}
          <button type="button" class="button button-primary" onClick={onClose}>
            Close
          </button>
        </>
      }
    >
      {phase.state === 'starting' && (
        <p role="status">
          Starting the ZIP of {recordings.length} recording{recordings.length === 1 ? '' : 's'}…
        </p>
      )}
      {phase.state === 'building' && <Progress export={phase.export} />}
      {phase.state === 'ready' && (
        <p role="status">
          {phase.export.filename} is ready ({formatSize(phase.export.totalBytes)}): your browser is saving it.
        </p>
      )}
      {phase.state === 'failed' && (
        <p class="form-error" role="alert">
          {phase.message}
        </p>
      )}
      {current && current.skipped.length > 0 && (
        <>
          <p>Left out:</p>
          <ul class="outcomes" aria-label="Recordings left out">
            {current.skipped.map((s) => (
              <li key={s.recordingId} class="outcome-failed">
                <span class="mono small">{s.recordingId}</span>
                <span>{s.message}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </Dialog>
  );
}

function Progress({ export: current }: { export: Export }) {
  const total = Math.max(current.totalBytes, 1);
  const written = Math.min(current.bytesWritten, total);
  const percent = Math.floor((written / total) * 100);
  const count = current.recordings.length;
  return (
    <div class="export-progress">
      <label for="export-progress">
        Building the ZIP of {count} recording{count === 1 ? '' : 's'}: {percent}%
      </label>
      <progress id="export-progress" max={total} value={written} />
      <p class="muted small" role="status">
        {formatSize(written)} of {formatSize(current.totalBytes)}
        {current.status === 'pending' ? ' (waiting to start)' : ''}
      </p>
    </div>
  );
}
