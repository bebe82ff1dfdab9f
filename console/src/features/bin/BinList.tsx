// The recycle bin's recordings as a table (wide screens) or cards (narrow): what each one
// was, who deleted it and when, and when the purge deletes it for good; Restore and Delete
// permanently per row, and selection for many at once. A recording in the bin cannot be
// opened or played, so nothing links to it.
import { StatusBadge, useMediaQuery } from '../../components/bits';
import { formatDateTime, formatRelative, formatSize } from '../../lib/format';
import type { Recording } from '../../lib/recordings';
import { actedByLabel } from '../../lib/recycleBin';
import { describe, SelectBox, SortHeader, type SortSpec, TitleLine } from '../recordings/RecordingList';

interface BinListProps {
  recordings: Recording[];
  showRoom?: boolean;
  selected: Set<string>;
  onSelect: (ids: string[], selected: boolean) => void;
  sort?: SortSpec;
  onRestore: (recording: Recording) => void;
  onPurge: (recording: Recording) => void;
}

function Deleted({ recording }: { recording: Recording }) {
  return (
    <>
      <span class="nowrap">{formatDateTime(recording.trashedAt)}</span>
      <span class="muted small">by {actedByLabel(recording.deletedBy)}</span>
    </>
  );
}

function Purge({ recording }: { recording: Recording }) {
  const at = recording.purgeAt;
  return (
    <>
      <span class="nowrap">{formatDateTime(at)}</span>
      {typeof at === 'number' && <span class="muted small">{formatRelative(at)}</span>}
    </>
  );
}

function RowActions({
  recording,
  onRestore,
  onPurge,
}: {
  recording: Recording;
  onRestore: (r: Recording) => void;
  onPurge: (r: Recording) => void;
}) {
  const what = describe(recording);
  return (
    <div class="actions">
      <button
        type="button"
        class="button button-small"
        aria-label={`Restore ${what}`}
        data-action="restore"
        onClick={() => onRestore(recording)}
      >
        Restore
      </button>
      <button
        type="button"
        class="button button-small button-danger-quiet"
        aria-label={`Delete permanently ${what}`}
        data-action="purge"
        onClick={() => onPurge(recording)}
      >
        Delete permanently
      </button>
    </div>
  );
}

export function BinList({ recordings, showRoom = true, selected, onSelect, sort, onRestore, onPurge }: BinListProps) {
  const narrow = useMediaQuery('(max-width: 760px)');
  const allSelected = recordings.length > 0 && recordings.every((r) => selected.has(r.recordingId));
  const someSelected = !allSelected && recordings.some((r) => selected.has(r.recordingId));

  if (narrow) {
    return (
      <ul class="cards" aria-label="Recordings in the recycle bin">
        {recordings.map((r) => (
          <li key={r.recordingId} class="card" data-recording-id={r.recordingId}>
            <div class="card-head">
              <SelectBox recording={r} selected={selected} onSelect={onSelect} />
              <div class="card-title">
                <TitleLine recording={r} />
                {showRoom && <span class="room-name-plain">{r.roomName}</span>}
                <span class="muted">{formatDateTime(r.startDate)}</span>
              </div>
              <StatusBadge status={r.status} />
            </div>
            <dl class="card-facts">
              <div>
                <dt>Deleted</dt>
                <dd class="stacked">
                  <Deleted recording={r} />
                </dd>
              </div>
              <div>
                <dt>Deleted for good</dt>
                <dd class="stacked">
                  <Purge recording={r} />
                </dd>
              </div>
              <div>
                <dt>Size</dt>
                <dd>{formatSize(r.size)}</dd>
              </div>
            </dl>
            <RowActions recording={r} onRestore={onRestore} onPurge={onPurge} />
          </li>
        ))}
      </ul>
    );
  }

  return (
    <div class="table-wrap">
      <table class="table">
        <caption class="visually-hidden">Recordings in the recycle bin</caption>
        <thead>
          <tr>
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
            {showRoom && <SortHeader field="roomName" label="Room" sort={sort} />}
            <SortHeader field="startDate" label="Started" sort={sort} />
            <th scope="col">Deleted</th>
            <th scope="col">Deleted for good</th>
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
              <td class="col-select">
                <SelectBox recording={r} selected={selected} onSelect={onSelect} />
              </td>
              {showRoom && (
                <td>
                  <TitleLine recording={r} />
                  <span class="room-name-plain">{r.roomName}</span>
                  <span class="muted mono small">{r.roomId}</span>
                </td>
              )}
              <td>
                {!showRoom && <TitleLine recording={r} />}
                <time dateTime={new Date(r.startDate).toISOString()}>{formatDateTime(r.startDate)}</time>
              </td>
              <td class="stacked">
                <Deleted recording={r} />
              </td>
              <td class="stacked">
                <Purge recording={r} />
              </td>
              <td class="num">{formatSize(r.size)}</td>
              <td class="col-actions">
                <RowActions recording={r} onRestore={onRestore} onPurge={onPurge} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
