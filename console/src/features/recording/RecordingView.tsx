// One recording: the player, its facts, and Download, Share, Delete as the viewer may. Shown
// to administrators (from the Recordings page) and to a room's participants (from its room
// view), who come back to where they were. Those who may delete it also get its activity
// trail, in a tab beside its details, and see its legal hold, which administrators set and
// release here.
import { useEffect, useState } from 'preact/hooks';
import { call } from '../../api/client';
import { CopyButton, ErrorPanel, HoldBadge, Loading, StatusBadge, useTitle } from '../../components/bits';
import { Tabs } from '../../components/Tabs';
import { useApp } from '../../context';
import { ApiError, userMessage } from '../../lib/errors';
import { formatDateTime, formatDuration, formatSize } from '../../lib/format';
import {
  ADMIN_CAPABILITIES,
  actionsFor,
  type Capabilities,
  isHeld,
  isInProgress,
  type Recording,
} from '../../lib/recordings';
import { Link, navigate } from '../../router';
import { ActivityPanel } from '../activity/ActivityPanel';
import { download } from '../recordings/api';
import { DeleteDialog } from '../recordings/DeleteDialog';
import { tellDeleted } from '../recordings/undo';
import type { TrashDaysMap } from '../recordings/useTrashDays';
import { ShareDialog } from '../share/ShareDialog';
import { HoldButton, HoldDialog, HoldPanel, ReleaseDialog } from './LegalHold';
import { Player } from './Player';
import { TitleEditor } from './TitleEditor';

type Load = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'ready'; recording: Recording };

/** Where the view sits: the list it came from, and what the viewer may do. */
export interface RecordingContext {
  backHref: string;
  backLabel: string;
  capabilities: Capabilities;
  /** The room's name links to the Recordings page filtered to it (administrators). */
  linkRoom: boolean;
  /** The room's recycle-bin days, when the view already knows them (else read on delete). */
  trashDays?: TrashDaysMap;
}

const ADMIN_CONTEXT: RecordingContext = {
  backHref: '/recordings',
  backLabel: 'All recordings',
  capabilities: ADMIN_CAPABILITIES,
  linkRoom: true,
};

export function RecordingView({
  recordingId,
  context = ADMIN_CONTEXT,
}: {
  recordingId: string;
  context?: RecordingContext;
}) {
  const { api, toast } = useApp();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [reload, setReload] = useState(0);
  const [sharing, setSharing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [holding, setHolding] = useState<'set' | 'release' | null>(null);
  const [tab, setTab] = useState<'details' | 'activity'>('details');
  useTitle(
    load.state === 'ready'
      ? `${load.recording.title ?? load.recording.roomName}, ${formatDateTime(load.recording.startDate)}`
      : 'Recording',
  );

  useEffect(() => {
    let live = true;
    call(api.GET('/api/v1/recordings/{recordingId}', { params: { path: { recordingId } } })).then(
      (recording) => live && setLoad({ state: 'ready', recording: recording as Recording }),
      (error) => live && setLoad({ state: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [recordingId, reload]);

  const back = (
    <p class="back">
      <Link href={context.backHref}>← {context.backLabel}</Link>
    </p>
  );
  if (load.state === 'loading')
    return (
      <>
        {back}
        <Loading label="Loading the recording…" />
      </>
    );
  if (load.state === 'error') {
    const notFound = load.error instanceof ApiError && (load.error.status === 404 || load.error.status === 422);
    return (
      <>
        {back}
        {notFound ? (
          <div class="panel">
            <h1>Recording not found</h1>
            <p>
              It may have been deleted. <Link href={context.backHref}>Back to the recordings</Link>.
            </p>
          </div>
        ) : (
          <ErrorPanel
            title="The recording could not be loaded"
            error={load.error}
            onRetry={() => setReload((n) => n + 1)}
          />
        )}
      </>
    );
  }

  const r = load.recording;
  const held = isHeld(r);
  const actions = actionsFor(r.status, context.capabilities, { held });
  const saved = (recording: Recording) => {
    setHolding(null);
    setLoad({ state: 'ready', recording });
  };

  const head = (
    <div class="page-head">
      <div class="title-block">
        <h1 id="page-title">
          {r.title ?? r.roomName} <span class="muted">· {formatDateTime(r.startDate)}</span>
        </h1>
        {r.title && <p class="muted subtitle">{r.roomName}</p>}
        {context.capabilities.canDelete && (
          <TitleEditor recording={r} onSaved={(recording) => setLoad({ state: 'ready', recording })} />
        )}
      </div>
      <div class="actions">
        {actions.download.enabled && (
          <button
            type="button"
            class="button"
            onClick={async () => {
              try {
                await download(api, r.recordingId);
                toast('success', `Downloading ${r.filename}`);
              } catch (e) {
                toast('error', userMessage(e));
              }
            }}
          >
            Download
          </button>
        )}
        {actions.share.enabled && (
          <button type="button" class="button" onClick={() => setSharing(true)}>
            Share
          </button>
        )}
        {context.capabilities.canHold && !held && <HoldButton onClick={() => setHolding('set')} />}
        {actions.delete.shown && (
          <button
            type="button"
            class="button button-danger-quiet"
            aria-disabled={actions.delete.enabled ? undefined : 'true'}
            title={actions.delete.reason ?? undefined}
            onClick={() => (actions.delete.enabled ? setDeleting(true) : toast('info', actions.delete.reason ?? ''))}
          >
            Delete
          </button>
        )}
      </div>
    </div>
  );

  const player =
    r.status === 'complete' ? (
      <Player recordingId={r.recordingId} title={`${r.title ?? r.roomName}, ${formatDateTime(r.startDate)}`} />
    ) : isInProgress(r.status) ? (
      <div class="panel panel-live" role="status">
        <h2>
          <StatusBadge status={r.status} /> This recording is in progress
        </h2>
        <p>It can be played once it is complete.</p>
        <button type="button" class="button button-primary" onClick={() => setReload((n) => n + 1)}>
          Refresh
        </button>
      </div>
    ) : (
      <div class="panel panel-error">
        <h2>
          This recording{' '}
          {r.status === 'failed' ? 'failed' : r.status === 'aborted' ? 'was aborted' : 'stopped at its limit'}
        </h2>
        <p>{r.error ?? 'There is no video to play.'}</p>
      </div>
    );

  const facts = (
    <dl class="facts">
      <div>
        <dt>Status</dt>
        <dd class="badges">
          <StatusBadge status={r.status} />
          {held && <HoldBadge />}
        </dd>
      </div>
      <div>
        <dt>Room</dt>
        <dd>
          {context.linkRoom ? (
            <Link href={`/recordings?room=${encodeURIComponent(r.roomId)}`}>{r.roomName}</Link>
          ) : (
            r.roomName
          )}{' '}
          <span class="muted mono small">{r.roomId}</span>
        </dd>
      </div>
      <div>
        <dt>Started</dt>
        <dd>{formatDateTime(r.startDate)}</dd>
      </div>
      <div>
        <dt>Ended</dt>
        <dd>{formatDateTime(r.endDate)}</dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd>{formatDuration(r.duration)}</dd>
      </div>
      <div>
        <dt>Size</dt>
        <dd>{formatSize(r.size)}</dd>
      </div>
      <div>
        <dt>File name</dt>
        <dd class="mono">{r.filename}</dd>
      </div>
      {(r.error || r.errorCode !== null) && (
        <div>
          <dt>Error</dt>
          <dd>
            {r.error}
            {r.errorCode !== null ? ` (code ${r.errorCode})` : ''}
          </dd>
        </div>
      )}
      {r.details && (
        <div>
          <dt>Details</dt>
          <dd>{r.details}</dd>
        </div>
      )}
      <div>
        <dt>Recording id</dt>
        <dd class="id-row">
          <code class="mono">{r.recordingId}</code> <CopyButton text={r.recordingId} what="recording id" />
        </dd>
      </div>
    </dl>
  );

  return (
    <article class="page recording-view" aria-labelledby="page-title">
      {back}
      {head}
      {held && (
        <HoldPanel
          recording={r}
          canHold={context.capabilities.canHold}
          onEdit={() => setHolding('set')}
          onRelease={() => setHolding('release')}
        />
      )}
      {player}
      {context.capabilities.canDelete ? (
        <Tabs
          label="About this recording"
          idPrefix="recording"
          selected={tab}
          onSelect={setTab}
          tabs={[
            { id: 'details', label: 'Details', render: () => facts },
            { id: 'activity', label: 'Activity', render: () => <ActivityPanel recordingId={r.recordingId} /> },
          ]}
        />
      ) : (
        facts
      )}

      {sharing && (
        <ShareDialog recording={r} canRevoke={context.capabilities.canRevoke} onClose={() => setSharing(false)} />
      )}
      {deleting && (
        <DeleteDialog
          recordings={[r]}
          canDeleteAtOnce={context.capabilities.canDeleteAtOnce}
          trashDays={context.trashDays}
          onDeleted={(outcomes, permanent) => {
            // Undo, from the list: the toast outlives this view.
            tellDeleted(api, toast, outcomes, { permanent });
            navigate(context.backHref);
          }}
          onClose={() => setDeleting(false)}
        />
      )}
      {holding === 'set' && <HoldDialog recording={r} onSaved={saved} onClose={() => setHolding(null)} />}
      {holding === 'release' && <ReleaseDialog recording={r} onSaved={saved} onClose={() => setHolding(null)} />}
    </article>
  );
}
