// What can be done with a recording in each status, as the API allows it (docs/api.md),
// and how each status is shown. Who may do it (administrator, moderator, speaker) comes
// from the caller's capabilities: the API still decides every request.
import type { components } from '../api/schema';

export type Recording = components['schemas']['Recording'];
export type RecordingStatus = components['schemas']['RecordingStatus'];

export const STATUSES: RecordingStatus[] = [
  'starting',
  'active',
  'ending',
  'complete',
  'failed',
  'aborted',
  'limit_reached',
];

export const STATUS_LABEL: Record<RecordingStatus, string> = {
  starting: 'Starting',
  active: 'Recording',
  ending: 'Stopping',
  complete: 'Complete',
  failed: 'Failed',
  aborted: 'Aborted',
  limit_reached: 'Limit reached',
};

export function isInProgress(status: RecordingStatus): boolean {
  return status === 'starting' || status === 'active' || status === 'ending';
}

/** What the signed-in user may do anywhere in the list (from their role). */
export interface Capabilities {
  canPlay: boolean;
  canShare: boolean;
  /** Delete (into the room's recycle bin, where it keeps one), and restore from the bin. */
  canDelete: boolean;
  canRevoke: boolean;
  /** Delete for good at once, skipping the recycle bin (administrators). */
  canDeleteAtOnce: boolean;
  /** Set and release legal holds (administrators). */
  canHold: boolean;
}

export const ADMIN_CAPABILITIES: Capabilities = {
  canPlay: true,
  canShare: true,
  canDelete: true,
  canRevoke: true,
  canDeleteAtOnce: true,
  canHold: true,
};

export interface ActionState {
  /** Offered at all (the role has it). */
  shown: boolean;
  enabled: boolean;
  /** Why it is disabled, shown beside it. */
  reason: string | null;
}

export interface RecordingActions {
  play: ActionState;
  download: ActionState;
  share: ActionState;
  delete: ActionState;
}

const ok: ActionState = { shown: true, enabled: true, reason: null };
const hidden: ActionState = { shown: false, enabled: false, reason: null };
const disabled = (reason: string): ActionState => ({ shown: true, enabled: false, reason });

/** Whether the recording is on legal hold (those who may delete it are told). */
export function isHeld(recording: Pick<Recording, 'legalHold'>): boolean {
  return Boolean(recording.legalHold);
}

export function actionsFor(status: RecordingStatus, can: Capabilities, { held = false } = {}): RecordingActions {
  const complete = status === 'complete';
  const playable = complete ? ok : disabled('Only complete recordings can be played');
  const downloadable = complete ? ok : disabled('Only complete recordings can be downloaded');
  const shareable = complete ? ok : disabled('Only complete recordings can be shared');
  const deletable = isInProgress(status)
    ? disabled('A recording in progress cannot be deleted: stop it first')
    : held
      ? disabled(
          can.canHold
            ? 'This recording is on legal hold: release the hold to delete it'
            : 'This recording is on legal hold and cannot be deleted',
        )
      : ok;
  return {
    play: can.canPlay ? playable : hidden,
    download: can.canPlay ? downloadable : hidden,
    share: can.canShare ? shareable : hidden,
    delete: can.canDelete ? deletable : hidden,
  };
}
