//! Deleting recordings without losing or leaking anything:
//!
//! 1. mark each recording `deleting`, conditionally, and turn its video's claim into a
//!    tombstone in the same transaction (it leaves the lists; a later delete sees the mark
//!    and carries on; no event of the media server can bring it back);
//! 2. delete the videos from S3 (`DeleteObjects`, 1000 keys a call);
//! 3. delete the recordings' share links (found by a query of their share partition);
//! 4. delete the recordings' own items, last, once nothing else of them is left.
//!
//! A failure at any step leaves the recording marked, and a repeated delete, or the
//! sweeper for a delete abandoned a while, finishes the job; no video is ever left that no
//! item points to. Every step is batched across recordings, and each id is authorized on
//! its own.

use std::collections::HashMap;

use crate::access::decision_reads_room;
use crate::error::{ApiError, Category, FieldError};
use crate::events::{Events, RecordingEvent};
use crate::media::Media;
use crate::model::{Recording, RecordingId, RoomId};
use crate::permissions::{Action, Principal, authorize};
use crate::store::{DELETABLE_STATUSES, MarkOutcome, Store, StoredRecording};

/// At most this many distinct ids in one bulk delete: the most whose query string, with a
/// bearer token, stays inside API Gateway's 10 KB limit on a request line and headers.
pub const MAX_BULK_IDS: usize = 150;
/// Bounds the work spent on a request before duplicates are collapsed.
const MAX_RAW_IDS: usize = 1000;

/// `recordingIds=a,b,c`: distinct, well-formed, at least one and at most
/// [`MAX_BULK_IDS`]; every malformed id is reported.
pub fn parse_bulk_ids(raw: &[String]) -> Result<Vec<RecordingId>, ApiError> {
    let field = "recordingIds";
    if raw.is_empty() {
        return Err(ApiError::invalid(
            field,
            "is required: one or more recording ids",
        ));
    }
    if raw.len() > MAX_RAW_IDS {
        return Err(ApiError::invalid(
            field,
            format!("at most {MAX_BULK_IDS} ids"),
        ));
    }
    let mut ids: Vec<RecordingId> = Vec::new();
    let mut errors = Vec::new();
    for value in raw {
        match RecordingId::parse(value) {
            Ok(id) if !ids.contains(&id) => ids.push(id),
            Ok(_) => {}
            Err(reason) => {
                let shown: String = value.chars().take(64).collect();
                errors.push(FieldError::new(field, format!("'{shown}' {reason}")));
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if ids.len() > MAX_BULK_IDS {
        return Err(ApiError::invalid(
            field,
            format!("at most {MAX_BULK_IDS} ids"),
        ));
    }
    Ok(ids)
}

/// Why one recording was not deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteFailure {
    NotFound,
    Forbidden,
    NotFinished,
    /// S3 or DynamoDB failed; the recording is marked and a retry completes it.
    Unavailable,
}

impl DeleteFailure {
    /// The error a single delete answers with.
    pub fn to_error(&self, id: &RecordingId) -> ApiError {
        match self {
            Self::NotFound => ApiError::recording_not_found(id.as_str()),
            Self::Forbidden => ApiError::Forbidden("Not allowed to delete recordings".into()),
            Self::NotFinished => ApiError::Conflict {
                category: Category::Recording,
                message: format!("Recording '{id}' is not finished and cannot be deleted"),
            },
            Self::Unavailable => {
                ApiError::Unavailable(format!("deleting recording '{id}' did not complete").into())
            }
        }
    }

    /// The message of a bulk delete's `failed` entry.
    pub fn message(&self, id: &RecordingId) -> String {
        match self.to_error(id) {
            ApiError::Unavailable(_) => {
                "The service is temporarily unavailable; retry the delete".to_owned()
            }
            other => other.to_string(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub deleted: Vec<RecordingId>,
    pub failed: Vec<(RecordingId, DeleteFailure)>,
}

/// What deleting touches: the items, the videos, and the integrations told of it.
#[derive(Clone, Copy)]
pub struct Deleter<'a> {
    pub store: &'a Store,
    pub media: &'a Media,
    pub events: &'a Events,
}

/// Deletes `ids` (distinct) on behalf of `principal`.
pub async fn delete_recordings(
    deleter: Deleter<'_>,
    principal: &Principal,
    ids: &[RecordingId],
    now_ms: i64,
) -> Result<Outcome, ApiError> {
    // An administrator's delete needs no room, so 100 ids are one BatchGetItem.
    let rooms: Vec<&RoomId> = ids
        .iter()
        .map(RecordingId::room_id)
        .filter(|room_id| decision_reads_room(principal, room_id))
        .collect();
    let mut loaded = deleter.store.load_with_rooms(ids, &rooms).await?;
    let mut outcome = Outcome::default();
    let mut candidates: HashMap<RecordingId, StoredRecording> = HashMap::new();
    for id in ids {
        let room = loaded.rooms.get(id.room_id());
        let allowed = authorize(principal, Action::DeleteRecording, room).is_ok();
        let checked = match loaded.recordings.remove(id) {
            _ if !allowed => Err(DeleteFailure::Forbidden),
            None => Err(DeleteFailure::NotFound),
            Some(s) if !s.deleting && !DELETABLE_STATUSES.contains(&s.recording.status) => {
                Err(DeleteFailure::NotFinished)
            }
            Some(s) => Ok(s),
        };
        match checked {
            Ok(stored) => {
                candidates.insert(id.clone(), stored);
            }
            Err(failure) => outcome.failed.push((id.clone(), failure)),
        }
    }
    if candidates.is_empty() {
        return Ok(outcome);
    }

    let to_mark: Vec<RecordingId> = candidates.keys().cloned().collect();
    let mut marked = Vec::new();
    for (id, result) in deleter.store.mark_deleting(&to_mark, now_ms).await {
        match result {
            MarkOutcome::Marked => marked.extend(candidates.remove(&id)),
            // It changed since it was read: gone, or back in a live status.
            MarkOutcome::ConditionFailed => {
                outcome.failed.push((id, DeleteFailure::NotFinished));
            }
            MarkOutcome::Unavailable => outcome.failed.push((id, DeleteFailure::Unavailable)),
        }
    }
    let (deleted, unfinished) = finish_marked(deleter, marked).await;
    outcome.deleted = deleted.iter().map(|r| r.recording_id.clone()).collect();
    outcome.failed.extend(
        unfinished
            .into_iter()
            .map(|id| (id, DeleteFailure::Unavailable)),
    );
    deleter
        .events
        .publish(RecordingEvent::Deleted, &deleted)
        .await;
    Ok(outcome)
}

/// A delete not finished this long after it began was abandoned by its caller.
pub const ABANDONED_AFTER_MS: i64 = 5 * 60 * 1000;
/// Abandoned deletes finished per sweep: a bounded batch, the rest in the next run.
const ABANDONED_PER_SWEEP: i32 = 100;

/// Finishes deletes that began before `now_ms - ABANDONED_AFTER_MS` and were never
/// completed (their callers gave up after a failure). Returns the recordings deleted.
pub async fn finish_abandoned(
    deleter: Deleter<'_>,
    now_ms: i64,
) -> Result<Vec<Recording>, ApiError> {
    let abandoned = deleter
        .store
        .abandoned_deletes(now_ms - ABANDONED_AFTER_MS, ABANDONED_PER_SWEEP)
        .await?;
    let (deleted, unfinished) = finish_marked(deleter, abandoned).await;
    for id in unfinished {
        tracing::warn!(recording = %id, "an abandoned delete is still unfinished");
    }
    deleter
        .events
        .publish(RecordingEvent::Deleted, &deleted)
        .await;
    Ok(deleted)
}

/// Steps 2 to 4 for recordings already marked. Returns the recordings deleted, and those
/// still marked because a step failed.
async fn finish_marked(
    Deleter { store, media, .. }: Deleter<'_>,
    marked: Vec<StoredRecording>,
) -> (Vec<Recording>, Vec<RecordingId>) {
    let mut unfinished = Vec::new();
    let keys: Vec<String> = marked.iter().map(|r| r.s3_key.clone()).collect();
    let undeleted_videos = media.delete_objects(&keys).await;
    let (videos_gone, videos_left): (Vec<_>, Vec<_>) = marked
        .into_iter()
        .partition(|r| !undeleted_videos.contains(&r.s3_key));
    unfinished.extend(videos_left.into_iter().map(|r| r.recording.recording_id));

    let ids: Vec<RecordingId> = videos_gone
        .iter()
        .map(|r| r.recording.recording_id.clone())
        .collect();
    let links_left = store.delete_share_partitions(&ids).await;
    let (links_gone, with_links): (Vec<_>, Vec<_>) = videos_gone
        .into_iter()
        .partition(|r| !links_left.contains(&r.recording.recording_id));
    unfinished.extend(with_links.into_iter().map(|r| r.recording.recording_id));

    let items_left = store.delete_recording_items(&links_gone).await;
    let mut deleted = Vec::new();
    for stored in links_gone {
        if items_left.contains(&stored.recording.recording_id) {
            unfinished.push(stored.recording.recording_id);
        } else {
            deleted.push(stored.recording);
        }
    }
    (deleted, unfinished)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn bulk_ids_are_deduplicated_in_order() {
        let ids =
            parse_bulk_ids(&strings(&["r--EG_a--1", "r--EG_b--2", "r--EG_a--1"])).expect("valid");
        let ids: Vec<_> = ids.iter().map(RecordingId::as_str).collect();
        assert_eq!(ids, ["r--EG_a--1", "r--EG_b--2"]);
    }

    #[test]
    fn empty_malformed_or_too_many_ids_are_422() {
        assert!(parse_bulk_ids(&[]).is_err());
        match parse_bulk_ids(&strings(&["r--EG_a--1", "bad", "worse--x"])) {
            Err(ApiError::Validation(details)) => assert_eq!(details.len(), 2),
            other => panic!("expected 422, got {other:?}"),
        }
        let many: Vec<String> = (0..=MAX_BULK_IDS)
            .map(|n| format!("r--EG_a--{n}"))
            .collect();
        assert!(parse_bulk_ids(&many).is_err());
        let repeated = vec!["r--EG_a--1".to_owned(); MAX_RAW_IDS + 1];
        assert!(parse_bulk_ids(&repeated).is_err());
        let just_enough: Vec<String> = (0..MAX_BULK_IDS).map(|n| format!("r--EG_a--{n}")).collect();
        assert_eq!(
            parse_bulk_ids(&just_enough).expect("valid").len(),
            MAX_BULK_IDS
        );
    }
}
