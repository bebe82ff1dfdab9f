// The recordings as a table (wide screens) or cards (narrow), with selection and the actions
// each row's status and the viewer's capabilities allow. Shared by the Recordings page and
// the participants' room view (which hides the room column).
import { HoldBadge, StatusBadge, useMediaQuery } from '../../components/bits';
import { useApp } from '../../context';
import { formatDateTime, formatDuration, formatSize } from '../../lib/format';
import type { SortField, SortOrder } from '../../lib/listState';
import { type ActionState, actionsFor, type Capabilities, isHeld, type Recording } from '../../lib/recordings';
import { Link } from '../../router';

export interface RowHandlers {
  onDownload: (recording: Recording) => void;
  onShare: (recording: Recording) => void;
  onDelete: (recording: Recording) => void;
}

interface ListProps extends RowHandlers {
  recordings: Recording[];
  capabilities: Capabilities;
  showRoom?: boolean;
  selected: Set<string>;
  onSelect: (ids: string[], selected: boolean) => void;
  /** Where a recording's own view is. */
  hrefFor: (recording: Recording) => string;
  /** The list's order, when its columns may change it. */
  sort?: { field: SortField; order: SortOrder; onSort: (field: SortField) => void };
}

export type SortSpec = ListProps['sort'];

/** A column header that sorts by its field, saying how the list is sorted now. */
export function SortHeader({
  field,
  label,
  sort,
  numeric,
}: {
  field: SortField;
  label: string;
  sort: SortSpec;
  numeric?: boolean;
}) {
  const active = sort?.field === field;
  const ariaSort = active ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined;
  return (
    <th scope="col" class={numeric ? 'num' : undefined} aria-sort={ariaSort}>
      {sort ? (
        <button type="button" class="sort-button" data-sort={field} onClick={() => sort.onSort(field)}>
          {label}
          <span aria-hidden="true" class="sort-mark">
            {active ? (sort.order === 'asc' ? ' ▲' : ' ▼') : ''}
          </span>
        </button>
      ) : (
        label
      )}
    </th>
  );
}

/** A recording's title, where it has one, above its room's name. */
export function TitleLine({ recording }: { recording: Recording }) {
  return recording.title ? <span class="recording-title">{recording.title}</span> : null;
}

/** The recording in words, for buttons' accessible names: "Board meeting (Daily standup), 7 Dec 2026, 10:00". */
export function describe(recording: Recording): string {
  const what = recording.title ? `${recording.title} (${recording.roomName})` : recording.roomName;
  return `${what}, ${formatDateTime(recording.startDate)}`;
}

function ActionButton({
  state,
  label,
  what,
  danger,
  onClick,
}: {
  state: ActionState;
  label: string;
  what: string;
  danger?: boolean;
  onClick: () => void;
}) {
  const { toast } = useApp();
  if (!state.shown) return null;
  const handle = (event: MouseEvent) => {
    event.preventDefault();
    if (state.enabled) onClick();
    else if (state.reason) toast('info', state.reason);
  };
  return (
    <button
      type="button"
      class={`button button-small${danger ? ' button-danger-quiet' : ''}`}
      aria-disabled={state.enabled ? undefined : 'true'}
      aria-label={`${label} ${what}`}
      title={state.reason ?? undefined}
      data-action={label.toLowerCase()}
      onClick={handle}
    >
      {label}
    </button>
  );
}

function Actions({
  recording,
  capabilities,
  hrefFor,
  onDownload,
  onShare,
  onDelete,
}: {
  recording: Recording;
  capabilities: Capabilities;
  hrefFor: (recording: Recording) => string;
} & RowHandlers) {
  const actions = actionsFor(recording.status, capabilities, { held: isHeld(recording) });
  const what = describe(recording);
  return (
    <div class="actions">
      {actions.play.shown &&
        (actions.play.enabled ? (
          <Link href={hrefFor(recording)} class="button button-small" aria-label={`Play ${what}`} data-action="play">
            Play
          </Link>
        ) : (
          <ActionButton state={actions.play} label="Play" what={what} onClick={() => undefined} />
        ))}
      <ActionButton state={actions.download} label="Download" what={what} onClick={() => onDownload(recording)} />
      <ActionButton state={actions.share} label="Share" what={what} onClick={() => onShare(recording)} />
      <ActionButton state={actions.delete} label="Delete" what={what} danger onClick={() => onDelete(recording)} />
    </div>
  );
}

export function SelectBox({
  recording,
  selected,
  onSelect,
}: {
  recording: Recording;
  selected: Set<string>;
  onSelect: (ids: string[], selected: boolean) => void;
}) {
  return (
    <input
      type="checkbox"
      class="checkbox"
      aria-label={`Select ${describe(recording)}`}
      checked={selected.has(recording.recordingId)}
      onChange={(e) => onSelect([recording.recordingId], e.currentTarget.checked)}
    />
  );
}

export function RecordingList(props: ListProps) {
  const narrow = useMediaQuery('(max-width: 760px)');
  const { recordings, selected, onSelect, capabilities, showRoom = true, hrefFor, sort } = props;
  // Selected rows can be downloaded as one ZIP or deleted.
  const selectable = capabilities.canDelete || capabilities.canPlay;
  const allSelected = recordings.length > 0 && recordings.every((r) => selected.has(r.recordingId));
  const someSelected = !allSelected && recordings.some((r) => selected.has(r.recordingId));

  if (narrow) {
    return (
      <ul class="cards" aria-label="Recordings">
        {recordings.map((r) => (
          <li key={r.recordingId} class="card" data-recording-id={r.recordingId}>
            <div class="card-head">
              {selectable && <SelectBox recording={r} selected={selected} onSelect={onSelect} />}
              <div class="card-title">
                <TitleLine recording={r} />
                {showRoom && (
                  <Link href={hrefFor(r)} class="room-name">
                    {r.roomName}
                  </Link>
                )}
                <span class="muted">{formatDateTime(r.startDate)}</span>
              </div>
              <span class="badges">
                <StatusBadge status={r.status} />
                {isHeld(r) && <HoldBadge />}
              </span>
            </div>
            <dl class="card-facts">
              <div>
                <dt>Duration</dt>
                <dd>{formatDuration(r.duration)}</dd>
              </div>
              <div>
                <dt>Size</dt>
                <dd>{formatSize(r.size)}</dd>
              </div>
              {showRoom && (
                <div>
                  <dt>Room id</dt>
                  <dd class="mono">{r.roomId}</dd>
                </div>
              )}
            </dl>
            <Actions recording={r} {...props} />
          </li>
        ))}
      </ul>
    );
  }

  return (
    <div class="table-wrap">
      <table class="table">
        <caption class="visually-hidden">Recordings</caption>
        <thead>
          <tr>
            {selectable && (
              <th scope="col" class="col-select">
                <input
                  type="checkbox"
                  class="checkbox"
                  aria-label="Select all loaded recordings"
                  checked={allSelected}
                  ref={(el) => {
                    if (el) el.indeterminate = someSelected;
                  }}
                  onChange={(e) =>
                    onSelect(
                      recordings.map((r) => r.recordingId),
                      e.currentTarget.checked,
                    )
                  }
                />
              </th>
            )}
            {showRoom && <SortHeader field="roomName" label="Room" sort={sort} />}
            <th scope="col">Status</th>
            <SortHeader field="startDate" label="Started" sort={sort} />
            <SortHeader field="duration" label="Duration" sort={sort} numeric />
            <SortHeader field="size" label="Size" sort={sort} numeric />
            <th scope="col" class="col-actions">
              Actions
            </th>
          </tr>
        </thead>
        <tbody>
          {recordings.map((r) => (
            <tr
              key={r.recordingId}
              data-recording-id={r.recordingId}
              class={selected.has(r.recordingId) ? 'row-selected' : ''}
            >
              {selectable && (
                <td class="col-select">
                  <SelectBox recording={r} selected={selected} onSelect={onSelect} />
                </td>
              )}
              {showRoom && (
                <td>
                  <TitleLine recording={r} />
                  <Link href={hrefFor(r)} class="room-name">
                    {r.roomName}
                  </Link>
                  <span class="muted mono small">{r.roomId}</span>
                </td>
              )}

              <td>
                <span class="badges">
                  <StatusBadge status={r.status} />
                  {isHeld(r) && <HoldBadge />}
                </span>
              </td>
              <td>
                {!showRoom && <TitleLine recording={r} />}
                <time dateTime={new Date(r.startDate).toISOString()}>{formatDateTime(r.startDate)}</time>
              </td>
              <td class="num">{formatDuration(r.duration)}</td>
              <td class="num">{formatSize(r.size)}</td>
              <td class="col-actions">
                <Actions recording={r} {...props} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
