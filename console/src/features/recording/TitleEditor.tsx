// A recording's title, edited in place by those who may delete the recording: Enter or
// Save keeps it, Escape or Cancel leaves it, an empty title clears it.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useApp } from '../../context';
import { userMessage } from '../../lib/errors';
import type { Recording } from '../../lib/recordings';
import { setTitle } from '../recordings/api';

export const MAX_TITLE = 200;

export function TitleEditor({ recording, onSaved }: { recording: Recording; onSaved: (r: Recording) => void }) {
  const { api, toast } = useApp();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);

  // Focus follows the editor: into the field when it opens, back to the button after.
  useLayoutEffect(() => {
    if (editing) input.current?.select();
    else if (wasEditing.current) opener.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  if (!editing) {
    return (
      <button
        ref={opener}
        type="button"
        class="button button-link button-small"
        onClick={() => {
          setText(recording.title ?? '');
          setError(null);
          setEditing(true);
        }}
      >
        {recording.title ? 'Edit title' : 'Add a title'}
      </button>
    );
  }

  const save = async () => {
    const title = text.trim();
    if (title === (recording.title ?? '')) {
      setEditing(false);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const saved = await setTitle(api, recording.recordingId, title === '' ? null : title);
      onSaved(saved);
      toast('success', title === '' ? 'Title removed' : 'Title saved');
      setEditing(false);
    } catch (e) {
      setError(userMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="title-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          setEditing(false);
        }
      }}
    >
      <label for="recording-title">Title</label>
      <input
        ref={input}
        id="recording-title"
        type="text"
        value={text}
        maxLength={MAX_TITLE}
        placeholder="e.g. Board meeting, March"
        aria-describedby="recording-title-hint"
        aria-invalid={error ? 'true' : undefined}
        onInput={(e) => setText(e.currentTarget.value)}
        disabled={busy}
      />
      <button type="submit" class="button button-primary button-small" disabled={busy}>
        {busy ? 'Saving…' : 'Save'}
      </button>
      <button type="button" class="button button-small" onClick={() => setEditing(false)} disabled={busy}>
        Cancel
      </button>
      <span id="recording-title-hint" class="hint">
        Up to {MAX_TITLE} characters; leave it empty to remove the title.
      </span>
      {error && (
        <span class="form-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
