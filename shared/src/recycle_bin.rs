//! The recycle bin: where a delete puts recordings in rooms that keep one, how they come
//! back, and the purge that deletes them for good once their time is over.
//!
//! A recording in the bin keeps its video, its share links and every attribute; only its
//! list keys move to the bin's partitions, so that no list, read or change sees it. A
//! restore moves them back, and the recording is exactly as it was.

use lambda_http::Request;

use crate::access::decision_reads_room;
use crate::deletion::{Deleter, delete_at_once, read, reclassify, settle};
use crate::error::{ApiError, Category};
use crate::events::RecordingEvent;
use crate::model::{Activity, ActivityKind, Actor, Deletion, Recording, RecordingId, RoomId};
use crate::permissions::{Action, Principal, authorize};
use crate::store::{MarkScope, StoredRecording};

/// Why one recording was not restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreFailure {
    NotFound,
    Forbidden,
    NotInBin,
    Unavailable,
}

impl RestoreFailure {
    pub fn to_error(self, id: &RecordingId) -> ApiError {
        match self {
            Self::NotFound => ApiError::recording_not_found(id.as_str()),
            Self::Forbidden => ApiError::Forbidden("Not allowed to restore recordings".into()),
            Self::NotInBin => ApiError::Conflict {
                category: Category::Recording,
                message: format!("Recording '{id}' is not in the recycle bin"),
            },
            Self::Unavailable => {
                ApiError::Unavailable(format!("restoring recording '{id}' did not complete").into())
            }
        }
    }

    /// The message of a bulk restore's `failed` entry.
    pub fn message(self, id: &RecordingId) -> String {
        match self.to_error(id) {
            ApiError::Unavailable(_) => {
                "The service is temporarily unavailable; retry the restore".to_owned()
            }
            other => other.to_string(),
        }
    }

    fn of(stored: Option<&StoredRecording>) -> Option<Self> {
        match stored {
            None => Some(Self::NotFound),
            Some(r) if r.deleting => Some(Self::NotFound),
            Some(r) if r.recording.trash.is_none() => Some(Self::NotInBin),
            Some(_) => None,
        }
    }
}

#[derive(Debug, Default)]
pub struct Restored {
    /// As they are again.
    pub restored: Vec<Recording>,
    pub failed: Vec<(RecordingId, RestoreFailure)>,
}

impl Restored {
    /// One activity entry per recording restored or not.
    pub fn activity(&self, principal: &Principal, req: &Request) -> Vec<Activity> {
        let entry =
            |id| Activity::of_recording(ActivityKind::Restored, id, Actor::of(principal), req);
        let restored = self.restored.iter().map(|r| entry(&r.recording_id));
        let refused = self
            .failed
            .iter()
            .map(|(id, failure)| entry(id).failed(&failure.to_error(id)));
        restored.chain(refused).collect()
    }
}

/// Brings `ids` (distinct) back from their rooms' recycle bins on behalf of `principal`,
/// who must be allowed to delete them, and tells the integrations.
pub async fn restore_recordings(
    deleter: Deleter<'_>,
    principal: &Principal,
    ids: &[RecordingId],
) -> Result<Restored, ApiError> {
    let rooms: Vec<&RoomId> = ids
        .iter()
        .map(RecordingId::room_id)
        .filter(|room_id| decision_reads_room(principal, room_id))
        .collect();
    let rooms = deleter.store.load_with_rooms(&[], &rooms).await?.rooms;
    let mut outcome = Restored::default();
    let (allowed, forbidden): (Vec<_>, Vec<_>) = ids.iter().cloned().partition(|id| {
        authorize(principal, Action::RestoreRecording, rooms.get(id.room_id())).is_ok()
    });
    outcome.failed.extend(
        forbidden
            .into_iter()
            .map(|id| (id, RestoreFailure::Forbidden)),
    );
    if allowed.is_empty() {
        return Ok(outcome);
    }
    let Some(read) = read(deleter, &allowed).await else {
        let failed = allowed
            .into_iter()
            .map(|id| (id, RestoreFailure::Unavailable));
        outcome.failed.extend(failed);
        return Ok(outcome);
    };
    let mut candidates = Vec::new();
    for id in &allowed {
        match RestoreFailure::of(read.get(id)) {
            Some(failure) => outcome.failed.push((id.clone(), failure)),
            None => candidates.extend(read.get(id).map(|stored| Recording {
                trash: None,
                ..stored.recording.clone()
            })),
        }
    }
    let outcomes = deleter.store.restore_recordings(&candidates).await;
    let (restored, refused) = settle(
        candidates,
        outcomes,
        &mut outcome.failed,
        RestoreFailure::Unavailable,
    );
    outcome.failed.extend(
        reclassify(deleter, &refused, RestoreFailure::of)
            .await
            .into_iter()
            .map(|(id, failure)| (id, failure.unwrap_or(RestoreFailure::Unavailable))),
    );
    deleter
        .events
        .publish(RecordingEvent::Restored, &restored)
        .await;
    outcome.restored = restored;
    Ok(outcome)
}

/// Ids read by the purge at a time: each batch is one query of the purge's index, and one
/// `DeleteObjects` of its videos.
const PURGE_BATCH: usize = 1000;
/// Batches per run: the purge stops there and the next run resumes with what is still due.
const PURGE_BATCHES_PER_RUN: usize = 2;

/// Deletes for good what has stayed in a recycle bin until its `purgeAt`, in bounded
/// batches. Returns the recordings deleted.
pub async fn purge(deleter: Deleter<'_>, now_ms: i64) -> Result<Vec<RecordingId>, ApiError> {
    let mut purged = Vec::new();
    for _ in 0..PURGE_BATCHES_PER_RUN {
        let due = deleter.store.due_for_purge(now_ms, PURGE_BATCH).await?;
        let scope = MarkScope::PurgeDue(now_ms);
        let (deleted, failed) =
            delete_at_once(deleter, &due, scope, Deletion::Purged, now_ms).await;
        for (id, failure) in &failed {
            tracing::warn!(recording = %id, ?failure, "a purge did not delete a recording");
        }
        let more = due.len() == PURGE_BATCH;
        let progressed = !deleted.is_empty();
        purged.extend(deleted);
        // What failed stays due: the next run tries it again, rather than this one
        // reading it over and over.
        if !more || !progressed {
            break;
        }
    }
    Ok(purged)
}
