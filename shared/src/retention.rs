//! Retention per room: a room's `config.recording.retentionDays` removes its recordings
//! that many days after they end, into its recycle bin (or for good when it keeps none),
//! and warns integrations (`recordingRetentionWarning`) a week before. Held recordings
//! stay. Only what is due is read: the rooms with a retention (an index of them), and in
//! each, its recordings that started early enough to be due (its date index, oldest first),
//! [`PER_RUN`] at most a run.

use futures_util::future::join_all;

use crate::aws::AwsError;
use crate::deletion::{Deleter, delete_at_once, trash};
use crate::error::ApiError;
use crate::events::RecordingEvent;
use crate::model::{ActedBy, Deletion, Recording, RecordingId, Room};
use crate::store::{MarkScope, Store, StoredRecording};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// How long before its removal a recording's warning goes out.
pub const WARNING_AHEAD_MS: i64 = 7 * DAY_MS;
/// Warnings noted concurrently.
const WARNINGS_AT_ONCE: usize = 25;
/// Recordings read per run, across rooms: the next run goes on with the rest (what was
/// removed is no longer read), so that a run stays well inside the sweeper's time.
const PER_RUN: usize = 2000;

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
    let mut budget = PER_RUN;
    for room in deleter.store.retained_rooms().await? {
        if budget == 0 {
            break;
        }
        budget -= apply_to_room(deleter, &room, now_ms, budget, &mut applied).await?;
    }
    Ok(applied)
}

/// Applies the room's retention to at most `budget` of its recordings; returns how many
/// were read.
async fn apply_to_room(
    deleter: Deleter<'_>,
    room: &Room,
    now_ms: i64,
    budget: usize,
    applied: &mut Applied,
) -> Result<usize, ApiError> {
    let config = room.config.recording;
    let Some(days) = config.retention_days else {
        return Ok(0);
    };
    let due_by = now_ms - i64::from(days) * DAY_MS;
    // A recording ends after it starts: those started later cannot be due, nor warned.
    let read = deleter
        .store
        .started_by(&room.room_id, due_by + WARNING_AHEAD_MS, budget)
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

    // Each warning once: those already given for this date are not written again.
    let to_warn: Vec<Recording> = soon
        .into_iter()
        .map(|stored| (stored, stored.recording.clone().expiring(Some(&config))))
        .filter(|(stored, r)| r.expires_at.is_some() && stored.retention_warned_for != r.expires_at)
        .map(|(_, r)| r)
        .collect();
    let mut noted = Vec::with_capacity(to_warn.len());
    for chunk in to_warn.chunks(WARNINGS_AT_ONCE) {
        let notes: Vec<_> = chunk.iter().map(|r| note(deleter.store, r)).collect();
        noted.extend(join_all(notes).await);
    }
    let mut warnings = Vec::new();
    for (recording, noted) in to_warn.into_iter().zip(noted) {
        match noted {
            Ok(true) => warnings.push(recording),
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(recording = %recording.recording_id, error = %e, "a retention warning was not noted")
            }
        }
    }
    deleter
        .events
        .publish(RecordingEvent::RetentionWarning, &warnings)
        .await;
    applied
        .warned
        .extend(warnings.into_iter().map(|r| r.recording_id));
    Ok(read.len())
}

/// Notes the warning of `recording`'s removal; `false` when it was given already.
async fn note(store: &Store, recording: &Recording) -> Result<bool, AwsError> {
    let expires_at = recording.expires_at.unwrap_or_default();
    store
        .note_retention_warning(&recording.recording_id, expires_at)
        .await
}

fn log_failures<F: std::fmt::Debug>(failed: &[(RecordingId, F)]) {
    for (recording, failure) in failed {
        tracing::warn!(%recording, ?failure, "retention did not remove a recording");
    }
}
