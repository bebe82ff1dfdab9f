//! Retention per room: a room's `config.recording.retentionDays` removes its recordings
//! that many days after they end, into its recycle bin (or for good when it keeps none),
//! and warns integrations (`recordingRetentionWarning`) a week before. Held recordings
//! stay. Only what is due is read: the rooms with a retention (an index of them), and in
//! each, its recordings that started early enough to be due (its date index, oldest first).

use crate::deletion::{Deleter, delete_at_once, trash};
use crate::error::ApiError;
use crate::events::RecordingEvent;
use crate::model::{ActedBy, Deletion, Recording, RecordingId, Room};
use crate::store::{MarkScope, StoredRecording};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// How long before its removal a recording's warning goes out.
pub const WARNING_AHEAD_MS: i64 = 7 * DAY_MS;
/// Recordings read per room and run; the next run goes on with the rest.
const PER_ROOM: usize = 1000;

/// What a run did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Moved to their rooms' recycle bins.
    pub trashed: Vec<RecordingId>,
    /// Deleted for good (rooms without a bin).
    pub deleted: Vec<RecordingId>,
    pub warned: Vec<RecordingId>,
}

/// Applies every room's retention as of `now_ms`.
pub async fn apply(deleter: Deleter<'_>, now_ms: i64) -> Result<Applied, ApiError> {
    let mut applied = Applied::default();
    for room in deleter.store.retained_rooms().await? {
        apply_to_room(deleter, &room, now_ms, &mut applied).await?;
    }
    Ok(applied)
}

async fn apply_to_room(
    deleter: Deleter<'_>,
    room: &Room,
    now_ms: i64,
    applied: &mut Applied,
) -> Result<(), ApiError> {
    let config = room.config.recording;
    let Some(days) = config.retention_days else {
        return Ok(());
    };
    let due_by = now_ms - i64::from(days) * DAY_MS;
    // A recording ends after it starts: those started later cannot be due, nor warned.
    let read = deleter
        .store
        .started_by(&room.room_id, due_by + WARNING_AHEAD_MS, PER_ROOM)
        .await?;
    let removable = |r: &&StoredRecording| {
        let rec = &r.recording;
        !r.is_gone() && rec.status.is_final() && rec.legal_hold.is_none()
    };
    let (due, soon): (Vec<&StoredRecording>, Vec<&StoredRecording>) = read
        .iter()
        .filter(removable)
        .filter(|r| {
            r.recording
                .end_date
                .is_some_and(|end| end <= due_by + WARNING_AHEAD_MS)
        })
        .partition(|r| r.recording.end_date.is_some_and(|end| end <= due_by));

    let due: Vec<RecordingId> = due
        .iter()
        .map(|r| r.recording.recording_id.clone())
        .collect();
    if config.trash_days > 0 {
        let (trashed, failed) =
            trash(deleter, ActedBy::retention(), &due, |_| config, now_ms).await;
        log_failures(&failed);
        applied
            .trashed
            .extend(trashed.into_iter().map(|r| r.recording_id));
    } else {
        let scope = MarkScope::Listed;
        let (deleted, failed) =
            delete_at_once(deleter, &due, scope, Deletion::Retention, now_ms).await;
        log_failures(&failed);
        applied.deleted.extend(deleted);
    }

    let mut warnings: Vec<Recording> = Vec::new();
    for stored in soon {
        let recording = stored.recording.clone().expiring(Some(&config));
        let Some(expires_at) = recording.expires_at else {
            continue;
        };
        if deleter
            .store
            .note_retention_warning(&recording.recording_id, expires_at)
            .await?
        {
            warnings.push(recording);
        }
    }
    deleter
        .events
        .publish(RecordingEvent::RetentionWarning, &warnings)
        .await;
    applied
        .warned
        .extend(warnings.into_iter().map(|r| r.recording_id));
    Ok(())
}

fn log_failures<F: std::fmt::Debug>(failed: &[(RecordingId, F)]) {
    for (recording, failure) in failed {
        tracing::warn!(%recording, ?failure, "retention did not remove a recording");
    }
}
