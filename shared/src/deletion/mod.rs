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
//!
//! In a room that keeps a recycle bin, a delete moves the recording there instead
//! ([`trash`]); the purge ([`crate::recycle_bin`]) deletes it as above once its time is
//! over.

mod at_once;
mod trash;

use futures_util::future::join;
use lambda_http::Request;
use serde_json::json;

use crate::access::decision_reads_room;
use crate::error::{ApiError, Category, FieldError};
use crate::events::Events;
use crate::media::Media;
use crate::model::{
    ActedBy, Activity, ActivityKind, Actor, Deletion, Recording, RecordingConfig, RecordingId,
    RoomId,
};
use crate::permissions::{Action, Principal, authorize, is_allowed};
use crate::store::{MarkScope, Store, StoredRecording};

pub(crate) use at_once::delete_at_once;
pub use at_once::{ABANDONED_AFTER_MS, finish_abandoned};
pub(crate) use trash::{read, reclassify, settle, trash};

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
    /// A participant's permanent delete of a recording not in the recycle bin.
    PermanentNotAllowed,
    NotFinished,
    OnLegalHold,
    /// S3 or DynamoDB failed; a retry completes the delete (the recording stays marked
    /// where the mark was stored).
    Unavailable,
}

impl DeleteFailure {
    /// The error a single delete answers with.
    pub fn to_error(&self, id: &RecordingId) -> ApiError {
        let conflict = |message: String| ApiError::Conflict {
            category: Category::Recording,
            message,
        };
        match self {
            Self::NotFound => ApiError::recording_not_found(id.as_str()),
            Self::Forbidden => ApiError::Forbidden("Not allowed to delete recordings".into()),
            Self::PermanentNotAllowed => ApiError::Forbidden(
                "Only administrators may delete a recording permanently before it is in the \
                 recycle bin"
                    .into(),
            ),
            Self::NotFinished => conflict(format!(
                "Recording '{id}' is not finished and cannot be deleted"
            )),
            Self::OnLegalHold => conflict(format!(
                "Recording '{id}' is on legal hold and cannot be removed"
            )),
            Self::Unavailable => {
                ApiError::Unavailable(format!("deleting recording '{id}' did not complete").into())
            }
        }
    }

    /// The message of a bulk operation's `failed` entry.
    pub fn message(&self, id: &RecordingId) -> String {
        match self.to_error(id) {
            ApiError::Unavailable(_) => {
                "The service is temporarily unavailable; retry the delete".to_owned()
            }
            other => other.to_string(),
        }
    }

    /// Why a recording as read (`None`: absent) may not be deleted within `scope`; `None`
    /// when it may (a delete carries on where one is under way).
    pub fn of(stored: Option<&StoredRecording>, scope: MarkScope) -> Option<Self> {
        let Some(stored) = stored else {
            return Some(Self::NotFound);
        };
        let recording = &stored.recording;
        let in_bin = recording.trash.is_some();
        if stored.deleting {
            return None;
        }
        Some(if recording.legal_hold.is_some() {
            Self::OnLegalHold
        } else if !recording.status.is_final() {
            Self::NotFinished
        } else {
            match scope {
                MarkScope::Listed if in_bin => Self::NotFound,
                MarkScope::Trashed if !in_bin => Self::PermanentNotAllowed,
                MarkScope::PurgeDue(due) if recording.trash.is_none_or(|t| t.purge_at > due) => {
                    Self::NotFound
                }
                _ => return None,
            }
        })
    }
}

#[derive(Debug, Default)]
pub struct Outcome {
    /// Deleted for good.
    pub deleted: Vec<RecordingId>,
    /// Moved to the recycle bin, as they are there.
    pub trashed: Vec<Recording>,
    pub failed: Vec<(RecordingId, DeleteFailure)>,
}

impl Outcome {
    /// Every recording the delete removed, from the bin or for good.
    pub fn removed(&self) -> Vec<&RecordingId> {
        let trashed = self.trashed.iter().map(|r| &r.recording_id);
        self.deleted.iter().chain(trashed).collect()
    }

    /// The activity entries of a delete by `principal`: one per recording deleted, moved
    /// to the bin (saying until when it can be restored) or refused.
    pub fn activity(&self, principal: &Principal, req: &Request) -> Vec<Activity> {
        let entry =
            |id| Activity::of_recording(ActivityKind::Deleted, id, Actor::of(principal), req);
        let deleted = self.deleted.iter().map(entry);
        let trashed = self.trashed.iter().map(|r| {
            let until = r.trash.map(|t| t.purge_at);
            entry(&r.recording_id).with_details(json!({ "restorableUntil": until }))
        });
        let refused = self
            .failed
            .iter()
            .map(|(id, failure)| entry(id).failed(&failure.to_error(id)));
        deleted.chain(trashed).chain(refused).collect()
    }
}

/// What deleting touches: the items, the videos, and the integrations told of it.
#[derive(Clone, Copy)]
pub struct Deleter<'a> {
    pub store: &'a Store,
    pub media: &'a Media,
    pub events: &'a Events,
}

/// Deletes `ids` (distinct) on behalf of `principal`: into their rooms' recycle bins where
/// they keep one, unless `permanent`, which deletes at once (an administrator's anything;
/// a moderator's only what is in the bin).
pub async fn delete_recordings(
    deleter: Deleter<'_>,
    principal: &Principal,
    ids: &[RecordingId],
    permanent: bool,
    now_ms: i64,
) -> Result<Outcome, ApiError> {
    // Only the rooms are read first, where the decision or the room's recycle bin needs
    // them (an administrator's permanent delete needs none): the mark's condition is what
    // checks each recording's existence and status.
    let rooms: Vec<&RoomId> = ids
        .iter()
        .map(RecordingId::room_id)
        .filter(|room_id| !permanent || decision_reads_room(principal, room_id))
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
    let config_of = |id: &RecordingId| {
        rooms
            .get(id.room_id())
            .map_or_else(RecordingConfig::default, |room| room.config.recording)
    };
    let (to_trash, at_once): (Vec<_>, Vec<_>) = allowed
        .into_iter()
        .partition(|id| !permanent && config_of(id).trash_days > 0);

    let scope = match permanent {
        false => MarkScope::Listed,
        true if is_allowed(principal, Action::DeleteRecordingAtOnce, None) => MarkScope::Any,
        true => MarkScope::Trashed,
    };
    let (trashed, deleted) = join(
        trash::trash(
            deleter,
            ActedBy::of(principal),
            &to_trash,
            config_of,
            now_ms,
        ),
        delete_at_once(deleter, &at_once, scope, Deletion::Permanent, now_ms),
    )
    .await;
    let (trashed, trash_failures) = trashed;
    let (deleted, delete_failures) = deleted;
    outcome.trashed = trashed;
    outcome.deleted = deleted;
    outcome.failed.extend(trash_failures);
    outcome.failed.extend(delete_failures);
    Ok(outcome)
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
