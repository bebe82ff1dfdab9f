// A recording's activity trail, newest first: when, what, who, from where and how it went,
// a page at a time ("Load more"), filtered by kind. A table on wide screens, one sentence
// per entry on narrow ones. For those who may delete the recording (the API decides).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorPanel, ListFooter, Loading, useMediaQuery } from '../../components/bits';
import { useApp } from '../../context';
import {
  type Activity,
  type ActivityKind,
  activityDetail,
  activityResult,
  activitySentence,
  activityWhat,
  actorLabel,
  KIND_LABEL,
  RECORDING_ACTIVITY_KINDS,
} from '../../lib/activity';
import { formatDateTime, formatRelative } from '../../lib/format';
import { fetchRecordingActivity, mergeActivity } from './api';

type Load =
  | { state: 'loading' }
  | { state: 'error'; error: unknown }
  | { state: 'ready'; activity: Activity[]; nextPageToken: string | null };

const KINDS = RECORDING_ACTIVITY_KINDS;

export function ActivityPanel({ recordingId }: { recordingId: string }) {
  const { api } = useApp();
  const narrow = useMediaQuery('(max-width: 760px)');
  const [shown, setShown] = useState<Set<ActivityKind>>(() => new Set(KINDS));
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [reload, setReload] = useState(0);
  const [loadingMore, setLoadingMore] = useState(false);
  // A refresh of the same kinds keeps the entries shown until the new ones are in.
  const [refreshing, setRefreshing] = useState(false);
  const shownKey = useRef<string | null>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  const generation = useRef(0);

  const chosen = KINDS.filter((k) => shown.has(k));
  // Every kind: no `kind` parameter at all (the API then includes kinds this console does
  // not know yet).
  const kinds = chosen.length === KINDS.length ? null : chosen;
  const key = kinds ? kinds.join(',') : '*';

  useEffect(() => {
    const run = ++generation.current;
    setMoreError(null);
    if (kinds && kinds.length === 0) {
      shownKey.current = key;
      setRefreshing(false);
      setLoad({ state: 'ready', activity: [], nextPageToken: null });
      return;
    }
    if (shownKey.current === key) {
      setRefreshing(true);
    } else {
      setLoad({ state: 'loading' });
    }
    const settle = (next: Load, loadedKey: string | null) => {
      if (run !== generation.current) return;
      shownKey.current = loadedKey;
      setRefreshing(false);
      setLoad(next);
    };
    fetchRecordingActivity(api, recordingId, kinds, null).then(
      (page) => settle({ state: 'ready', ...page }, key),
      (error) => settle({ state: 'error', error }, null),
    );
  }, [api, recordingId, key, reload]);

  const loadMore = async () => {
    if (load.state !== 'ready' || !load.nextPageToken) return;
    const run = generation.current;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await fetchRecordingActivity(api, recordingId, kinds, load.nextPageToken);
      if (run !== generation.current) return;
      setLoad({
        state: 'ready',
        activity: mergeActivity(load.activity, page.activity),
        nextPageToken: page.nextPageToken,
      });
    } catch (error) {
      if (run === generation.current) setMoreError(error);
    } finally {
      setLoadingMore(false);
    }
  };

  const toggle = (kind: ActivityKind, on: boolean) =>
    setShown((s) => {
      const next = new Set(s);
      if (on) next.add(kind);
      else next.delete(kind);
      return next;
    });

  return (
    <section class="activity" aria-labelledby="activity-title">
      <div class="activity-head">
        <h2 id="activity-title">Activity</h2>
        <button
          type="button"
          class="button button-small"
          onClick={() => setReload((n) => n + 1)}
          disabled={refreshing}
          aria-busy={refreshing}
        >
          {refreshing ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <fieldset class="activity-filter">
        <legend>Show</legend>
        <div class="activity-kinds">
          {KINDS.map((kind) => (
            <label key={kind} class="checkbox-label">
              <input
                type="checkbox"
                name="kind"
                value={kind}
                checked={shown.has(kind)}
                onChange={(e) => toggle(kind, e.currentTarget.checked)}
              />
              <span>{KIND_LABEL[kind]}</span>
            </label>
          ))}
        </div>
        {chosen.length < KINDS.length && (
          <button type="button" class="button button-link button-small" onClick={() => setShown(new Set(KINDS))}>
            Show every kind
          </button>
        )}
      </fieldset>

      {load.state === 'loading' && <Loading label="Loading the activity…" />}
      {load.state === 'error' && (
        <ErrorPanel
          title="The activity could not be loaded"
          error={load.error}
          onRetry={() => setReload((n) => n + 1)}
        />
      )}
      {load.state === 'ready' && load.activity.length === 0 && (
        <div class="panel empty" role="status">
          {kinds && kinds.length === 0 ? (
            <p>Choose at least one kind of activity to show.</p>
          ) : kinds ? (
            <p>No activity of these kinds.</p>
          ) : (
            <p>No activity yet: plays, downloads, share links and changes of this recording will show here.</p>
          )}
        </div>
      )}
      {load.state === 'ready' && load.activity.length > 0 && (
        <>
          {narrow ? <ActivityList activity={load.activity} /> : <ActivityTable activity={load.activity} />}
          <ListFooter
            shown={`${load.activity.length} ${load.activity.length === 1 ? 'entry' : 'entries'} shown`}
            hasMore={Boolean(load.nextPageToken)}
            moreError={moreError}
            // Not while a refresh replaces the list the next page would be added to.
            loadingMore={loadingMore || refreshing}
            onLoadMore={loadMore}
          />
        </>
      )}
    </section>
  );
}

/** Relative time, with the date and time on hover and for screen readers. */
function When({ at }: { at: number }) {
  const absolute = formatDateTime(at);
  return (
    <time dateTime={new Date(at).toISOString()} title={absolute}>
      {formatRelative(at)}
      <span class="visually-hidden"> ({absolute})</span>
    </time>
  );
}

function ResultBadge({ activity }: { activity: Activity }) {
  const result = activityResult(activity.result);
  return <span class={`badge ${result.ok ? 'badge-result-ok' : 'badge-result-failed'}`}>{result.label}</span>;
}

function ActivityTable({ activity }: { activity: Activity[] }) {
  return (
    <div class="table-wrap">
      <table class="table table-compact activity-table">
        <caption class="visually-hidden">Activity of this recording, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Who</th>
            <th scope="col">From</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {activity.map((a) => {
            const detail = activityDetail(a);
            const result = activityResult(a.result);
            return (
              <tr key={a.activityId} data-activity-id={a.activityId} data-kind={a.kind}>
                <td>
                  <When at={a.at} />
                </td>
                <td data-field="what">
                  <span class="activity-what">{activityWhat(a)}</span>
                  {detail && <span class="hint">{detail}</span>}
                </td>
                <td data-field="who" title={a.actor.shareId ?? undefined}>
                  {actorLabel(a.actor)}
                </td>
                <td data-field="from" class="mono">
                  {a.sourceIp ?? <span class="muted">Unknown</span>}
                </td>
                <td data-field="result">
                  <ResultBadge activity={a} />
                  {result.message && <span class="hint activity-message">{result.message}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function ActivityList({ activity }: { activity: Activity[] }) {
  return (
    <ol class="activity-list" aria-label="Activity of this recording, newest first">
      {activity.map((a) => {
        const detail = activityDetail(a);
        return (
          <li key={a.activityId} class="card activity-card" data-activity-id={a.activityId} data-kind={a.kind}>
            <div class="activity-card-head">
              <When at={a.at} />
              <ResultBadge activity={a} />
            </div>
            <p class="activity-sentence">{activitySentence(a)}</p>
            {detail && <p class="hint">{detail}</p>}
          </li>
        );
      })}
    </ol>
  );
}
