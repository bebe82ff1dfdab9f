//! Deleting recordings without losing or leaking anything:
//!
//! 1. mark each recording `deleting`, conditionally (it exists, in a finished status or
//!    already marked), and turn its video's claim into a tombstone in the same transaction
//!    (it leaves the lists; a later delete sees the mark and carries on; no event of the
//!    media server can bring it back, and no share link can be created for it any more);
//! 2. read the marked recordings and their share counters, in the same `BatchGetItem`s;
//! 3. delete the videos from S3 (`DeleteObjects`, 1000 keys a call) and, at the same time,
//!    the recordings' share links (found by a query of their share partition);
//! 4. delete the recordings' own items, last, once nothing else of them is left.
//!
//! A failure at any step leaves the recording marked, and a repeated delete, or the
//! sweeper for a delete abandoned a while, finishes the job; no video is ever left that no
//! item points to. Every step is batched across recordings, and each id is authorized on
//! its own.

use std::collections::HashSet;

use futures_util::future::join;
use lambda_http::Request;

use crate::access::decision_reads_room;
use crate::error::{ApiError, Category, FieldError};
use crate::events::{Events, RecordingEvent};
use crate::media::Media;
use crate::model::{Activity, ActivityKind, Actor, Recording, RecordingId, RoomId};
use crate::permissions::{Action, Principal, authorize};
use crate::store::{MarkOutcome, Store, StoredRecording};

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
    /// S3 or DynamoDB failed; a retry completes the delete (the recording stays marked
    /// where the mark was stored).
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

impl Outcome {
    /// The activity entries of a delete by `principal`: one per recording deleted or
    /// refused.
    pub fn activity(&self, principal: &Principal, req: &Request) -> Vec<Activity> {
        let entry =
            |id| Activity::of_recording(ActivityKind::Deleted, id, Actor::of(principal), req);
        let deleted = self.deleted.iter().map(entry);
        let refused = self
            .failed
            .iter()
            .map(|(id, failure)| entry(id).failed(&failure.to_error(id)));
        deleted.chain(refused).collect()
    }
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
    // Only the rooms are read first, where the decision needs them (an administrator's
    // needs none): the mark's condition is what checks each recording's existence and
    // status, and what a delete must read of them is read after it.
    let rooms: Vec<&RoomId> = ids
        .iter()
        .map(RecordingId::room_id)
        .filter(|room_id| decision_reads_room(principal, room_id))
        .collect();
    let rooms = deleter.store.load_with_rooms(&[], &rooms).await?.rooms;
    let mut outcome = Outcome::default();
    let (allowed, forbidden): (Vec<_>, Vec<_>) = ids.iter().cloned().partition(|id| {
        authorize(principal, Action::DeleteRecording, rooms.get(id.room_id())).is_ok()
    });
    outcome.failed.extend(
        forbidden
            .into_iter()
            .map(|id| (id, DeleteFailure::Forbidden)),
    );
    if allowed.is_empty() {
        return Ok(outcome);
    }

    let (mut marked, mut refused) = (Vec::new(), Vec::new());
    for (id, result) in deleter.store.mark_deleting(&allowed, now_ms).await {
        match result {
            MarkOutcome::Marked => marked.push(id),
            // Absent, or not in a status that may be deleted: the read below tells which.
            MarkOutcome::ConditionFailed => refused.push(id),
            MarkOutcome::Unavailable => outcome.failed.push((id, DeleteFailure::Unavailable)),
        }
    }
    let all: Vec<RecordingId> = marked.iter().chain(&refused).cloned().collect();
    let mut read = match deleter.store.read_for_delete(&all, &marked).await {
        Ok(read) => read,
        Err(e) => {
            // The marked ones stay marked: a retry, or the sweeper, finishes them.
            tracing::warn!(error = %e, "reading recordings being deleted");
            outcome
                .failed
                .extend(all.into_iter().map(|id| (id, DeleteFailure::Unavailable)));
            return Ok(outcome);
        }
    };
    for id in refused {
        let failure = match read.recordings.remove(&id) {
            Some(_) => DeleteFailure::NotFinished,
            None => DeleteFailure::NotFound,
        };
        outcome.failed.push((id, failure));
    }
    let mut to_finish = Vec::new();
    for id in marked {
        match read.recordings.remove(&id) {
            Some(stored) => to_finish.push(stored),
            // Finished meanwhile by another delete of the same recording.
            None => outcome.failed.push((id, DeleteFailure::NotFound)),
        }
    }
    let (deleted, unfinished) = finish_marked(deleter, to_finish, &read.with_links).await;
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
    let ids: Vec<RecordingId> = abandoned
        .iter()
        .map(|r| r.recording.recording_id.clone())
        .collect();
    let with_links = deleter.store.read_for_delete(&[], &ids).await?.with_links;
    let (deleted, unfinished) = finish_marked(deleter, abandoned, &with_links).await;
    for id in unfinished {
        tracing::warn!(recording = %id, "an abandoned delete is still unfinished");
    }
    deleter
        .events
        .publish(RecordingEvent::Deleted, &deleted)
        .await;
    Ok(deleted)
}

/// Steps 3 and 4 for recordings marked and read, of which `with_links` have share links.
/// Returns the recordings deleted, and those still marked because a step failed.
async fn finish_marked(
    Deleter { store, media, .. }: Deleter<'_>,
    marked: Vec<StoredRecording>,
    with_links: &HashSet<RecordingId>,
) -> (Vec<Recording>, Vec<RecordingId>) {
    // The videos and the links go concurrently: a marked recording is neither listed nor
    // served, so neither needs the other gone first. Its item goes last.
    let keys: Vec<String> = marked.iter().map(|r| r.s3_key.clone()).collect();
    let linked: Vec<RecordingId> = marked
        .iter()
        .map(|r| r.recording.recording_id.clone())
        .filter(|id| with_links.contains(id))
        .collect();
    let (undeleted_videos, links_left) = join(
        media.delete_objects(&keys),
        store.delete_share_partitions(&linked),
    )
    .await;
    let (gone, left): (Vec<_>, Vec<_>) = marked.into_iter().partition(|r| {
        !undeleted_videos.contains(&r.s3_key) && !links_left.contains(&r.recording.recording_id)
    });
    let mut unfinished: Vec<RecordingId> =
        left.into_iter().map(|r| r.recording.recording_id).collect();

    let items_left = store.delete_recording_items(&gone).await;
    let mut deleted = Vec::new();
    for stored in gone {
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
