// Small shared pieces: status and legal-hold badges, delayed loading indicator, error panel
// with Retry, copy button, a fieldset of explained choices, and a media-query hook for the
// narrow layout.
import type { ComponentChildren, VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../context';
import { userMessage } from '../lib/errors';
import { isInProgress, type RecordingStatus, STATUS_LABEL } from '../lib/recordings';

export function StatusBadge({ status }: { status: RecordingStatus }) {
  const live = isInProgress(status);
  return (
    <span class={`badge badge-${status}`}>
      {live && <span class="live-dot" aria-hidden="true" />}
      {STATUS_LABEL[status]}
    </span>
  );
}

/** "Legal hold": the recording cannot be deleted until an administrator releases it. */
export function HoldBadge() {
  return (
    <span class="badge badge-hold" title="On legal hold: it cannot be deleted until the hold is released">
      <span aria-hidden="true">⚖</span> Legal hold
    </span>
  );
}

/** Shows its children only after `delay` ms, so quick loads do not flash. */
export function Delayed({ delay = 300, children }: { delay?: number; children: ComponentChildren }) {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setShown(true), delay);
    return () => clearTimeout(timer);
  }, [delay]);
  return shown ? (children as VNode) : null;
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <Delayed>
      <div class="loading" role="status">
        <span class="spinner" aria-hidden="true" />
        {label}
      </div>
    </Delayed>
  );
}

export function ErrorPanel({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  return (
    <div class="panel panel-error" role="alert">
      <h2>{title ?? 'Something went wrong'}</h2>
      <p>{userMessage(error)}</p>
      {onRetry && (
        <button type="button" class="button button-primary" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export async function copyText(text: string): Promise<void> {
  await navigator.clipboard.writeText(text);
}

export function CopyButton({ text, label = 'Copy', what }: { text: string; label?: string; what: string }) {
  const { toast } = useApp();
  return (
    <button
      type="button"
      class="button button-small"
      aria-label={`${label} ${what}`}
      onClick={async () => {
        try {
          await copyText(text);
          toast('success', `${what[0]?.toUpperCase()}${what.slice(1)} copied`);
        } catch {
          toast('error', 'Could not copy: select the text and copy it by hand');
        }
      }}
    >
      {label}
    </button>
  );
}

export function useMediaQuery(query: string): boolean {
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const update = () => setMatches(list.matches);
    list.addEventListener('change', update);
    update();
    return () => list.removeEventListener('change', update);
  }, [query]);
  return matches;
}

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Recordings console`;
  }, [title]);
}

/** Under a paginated list: how many are shown, and "Load more" (or "Retry") while more remain. */
export function ListFooter({
  shown,
  hasMore,
  moreError,
  loadingMore,
  onLoadMore,
}: {
  /** "12 recordings shown". */
  shown: string;
  hasMore: boolean;
  moreError: unknown;
  loadingMore: boolean;
  onLoadMore: () => void;
}) {
  return (
    <div class="list-footer">
      <span class="muted" role="status">
        {shown}
        {hasMore ? '' : ', no more to load'}
      </span>
      {moreError !== null && (
        <span class="form-error" role="alert">
          {userMessage(moreError)}
        </span>
      )}
      {hasMore && (
        <button type="button" class="button" onClick={onLoadMore} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : moreError ? 'Retry' : 'Load more'}
        </button>
      )}
    </div>
  );
}

/** One choice of a `Choices` fieldset: its value, its words, and what it does. */
export interface Choice<T extends string> {
  value: T;
  label: string;
  hint: string;
}

/** Radio buttons under a legend, each choice saying what it does. */
export function Choices<T extends string>({
  legend,
  name,
  choices,
  value,
  onChange,
}: {
  legend: string;
  name: string;
  choices: readonly Choice<T>[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {choices.map((choice) => (
        <label class="radio" key={choice.value}>
          <input
            type="radio"
            name={name}
            value={choice.value}
            checked={value === choice.value}
            onChange={() => onChange(choice.value)}
          />
          <span>
            <strong>{choice.label}</strong>
            <span class="hint">{choice.hint}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
