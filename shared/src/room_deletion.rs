//! Deleting rooms, by hand (`DELETE /rooms/{roomId}`, `DELETE /rooms?roomIds=`) or when
//! their `autoDeletionDate` comes, with OpenVidu Meet's policies: `withRecordings` (`fail`,
//! `force`: deleted for good with the room, `close`: kept, the room closed instead) and
//! `withMeeting` (`fail`, `force`: the running recording stopped first, `when_meeting_ends`:
//! done once it ends). A "meeting" here is a recording of the room in progress.
//!
//! The order loses nothing: the room is marked `closing` first (no new recording, no
//! participant admitted), its recordings are deleted in the no-loss order, and the room's
//! own items go last. What does not fit in one request is finished by the sweeper, which
//! finds such rooms, and those waiting for a recording to end or due to delete themselves,
//! through an index of rooms with work due.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde_json::{Value, json};

use crate::app::App;
use crate::deletion::delete_at_once;
use crate::error::{ApiError, Category, FieldError};
use crate::events::RoomEvent;
use crate::http::query_param;
use crate::lifecycle;
use crate::model::{
    Deletion, Principal, RecordingId, RecordingLock, Room, RoomId, RoomStatus, WithMeeting,
    WithRecordings,
};
use crate::store::{MarkScope, RoomChange, StoredRecording};

/// Recordings deleted for good per request: about what the no-loss order deletes well
/// within a request's time; the sweeper goes on with the rest.
const PER_REQUEST_ROUND: usize = 300;
/// Recordings deleted per room and sweep: one `DeleteObjects` of a thousand videos.
const PER_SWEEP_ROUND: usize = 1000;
/// A room's recordings read to decide (for legal holds); a room with more is deleted all
/// the same, round by round.
const RECORDINGS_READ: usize = 10_000;
/// Rooms with work due, taken per sweep.
const ROOMS_PER_SWEEP: usize = 25;

/// What to do with a room's recordings and its running recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub with_meeting: WithMeeting,
    pub with_recordings: WithRecordings,
}

impl Policy {
    /// `withMeeting` and `withRecordings`, each `fail` when left out.
    pub fn parse(req: &Request) -> Result<Self, ApiError> {
        let with_meeting = match query_param(req, "withMeeting") {
            None | Some("fail") => WithMeeting::Fail,
            Some("force") => WithMeeting::Force,
            Some("when_meeting_ends") => WithMeeting::WhenMeetingEnds,
            Some(_) => {
                return Err(ApiError::invalid(
                    "withMeeting",
                    "must be fail, force or when_meeting_ends",
                ));
            }
        };
        let with_recordings = match query_param(req, "withRecordings") {
            None | Some("fail") => WithRecordings::Fail,
            Some("force") => WithRecordings::Force,
            Some("close") => WithRecordings::Close,
            Some(_) => {
                return Err(ApiError::invalid(
                    "withRecordings",
                    "must be fail, force or close",
                ));
            }
        };
        Ok(Self {
            with_meeting,
            with_recordings,
        })
    }
}

/// Most rooms in one `DELETE /rooms?roomIds=`.
pub const MAX_BULK_ROOMS: usize = 50;

/// `roomIds=a,b`: distinct, well-formed, 1 to [`MAX_BULK_ROOMS`]; every malformed id is
/// reported.
pub fn parse_room_ids(raw: &[String]) -> Result<Vec<RoomId>, ApiError> {
    let field = "roomIds";
    if raw.is_empty() {
        return Err(ApiError::invalid(
            field,
            "is required: one or more room ids",
        ));
    }
    let mut ids: Vec<RoomId> = Vec::new();
    let mut errors = Vec::new();
    for value in raw.iter().take(MAX_BULK_ROOMS * 4) {
        match RoomId::parse(value) {
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
    if ids.len() > MAX_BULK_ROOMS || raw.len() > MAX_BULK_ROOMS * 4 {
        return Err(ApiError::invalid(
            field,
            format!("at most {MAX_BULK_ROOMS} ids"),
        ));
    }
    Ok(ids)
}

/// How a deletion went, as OpenVidu Meet answers it: `200` when done, `202` when it goes on
/// in the background.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: StatusCode,
    pub success_code: &'static str,
    pub message: String,
    /// The room as it now is, when it still exists.
    pub room: Option<Room>,
}

impl Outcome {
    pub fn to_json(&self) -> Value {
        let mut body = json!({"successCode": self.success_code, "message": self.message});
        if let Some(room) = &self.room {
            body["room"] = room.to_json("", None);
        }
        body
    }
}

fn conflict(message: String) -> ApiError {
    ApiError::Conflict {
        category: Category::Room,
        message,
    }
}

/// Deletes (or closes) the room as `policy` says. 404 for a room unknown; 409 when the
/// policy refuses, or when a forced deletion would remove a recording on legal hold.
pub async fn delete_room(
    app: &App,
    id: &RoomId,
    policy: Policy,
    now_ms: i64,
) -> Result<Outcome, ApiError> {
    delete_room_by_rounds(app, id, policy, PER_REQUEST_ROUND, now_ms).await
}

async fn delete_room_by_rounds(
    app: &App,
    id: &RoomId,
    policy: Policy,
    per_round: usize,
    now_ms: i64,
) -> Result<Outcome, ApiError> {
    let room = app
        .store
        .get_room(id)
        .await?
        .ok_or_else(|| ApiError::room_not_found(id.as_str()))?;
    if room.status == RoomStatus::Closing {
        return continue_deletion(app, room, None, per_round, now_ms).await;
    }
    let running = room.recording_lock(now_ms);
    let recordings = app.store.room_recordings(id, RECORDINGS_READ).await?;
    let has_recordings = !recordings.is_empty() || running != RecordingLock::Free;
    let base = format!("Room '{id}'");

    if running != RecordingLock::Free && policy.with_meeting == WithMeeting::Fail {
        return Err(conflict(format!(
            "{base} cannot be deleted while a recording runs in it (withMeeting=force stops \
             it first; when_meeting_ends waits for it)"
        )));
    }
    if has_recordings && policy.with_recordings == WithRecordings::Fail {
        return Err(conflict(format!(
            "{base} cannot be deleted because it has recordings (withRecordings=force deletes \
             them; close keeps them and closes the room)"
        )));
    }
    if policy.with_recordings == WithRecordings::Force {
        let held: Vec<&str> = recordings
            .iter()
            .filter(|r| r.recording.legal_hold.is_some())
            .map(|r| r.recording.recording_id.as_str())
            .collect();
        if !held.is_empty() {
            return Err(conflict(format!(
                "{base} has recordings on legal hold, which cannot be removed: {}",
                held.join(", ")
            )));
        }
    }

    match running {
        RecordingLock::Free => {}
        _ if policy.with_meeting == WithMeeting::WhenMeetingEnds => {
            let change = RoomChange::WhenRecordingEnds(policy.with_recordings);
            let room = changed(app, id, change, now_ms).await?;
            let (code, what) = match policy.with_recordings {
                WithRecordings::Close => (
                    "room_with_active_meeting_scheduled_to_be_closed",
                    "scheduled to be closed when its recording ends",
                ),
                _ => (
                    "room_with_active_meeting_and_recordings_scheduled_to_be_deleted",
                    "and its recordings scheduled to be deleted when its recording ends",
                ),
            };
            return Ok(Outcome {
                status: StatusCode::ACCEPTED,
                success_code: code,
                message: format!("{base} {what}"),
                room: Some(room),
            });
        }
        RecordingLock::Starting => {
            return Err(conflict(format!(
                "{base} has a recording starting; retry in a moment"
            )));
        }
        RecordingLock::Held(recording) => stop_recording(app, recording, now_ms).await?,
    }

    let stopped = running != RecordingLock::Free;
    if !has_recordings {
        app.store.delete_room(id).await?;
        app.events().publish_room(RoomEvent::Deleted, &room).await;
        return Ok(Outcome {
            status: StatusCode::OK,
            success_code: "room_deleted",
            message: format!("{base} deleted successfully"),
            room: None,
        });
    }
    if policy.with_recordings == WithRecordings::Close {
        let room = changed(app, id, RoomChange::Close, now_ms).await?;
        app.events().publish_room(RoomEvent::Closed, &room).await;
        let (code, with) = match stopped {
            true => ("room_with_active_meeting_closed", " with active meeting"),
            false => ("room_closed", ""),
        };
        return Ok(Outcome {
            status: StatusCode::OK,
            success_code: code,
            message: format!(
                "{base}{with} has been closed instead of deleted because it has recordings"
            ),
            room: Some(room),
        });
    }
    let room = changed(app, id, RoomChange::Closing, now_ms).await?;
    // The recordings just read are the first round's.
    continue_deletion(app, room, Some(recordings), per_round, now_ms).await
}

/// The room, changed; 404 when it was deleted meanwhile (or is already closing).
async fn changed(
    app: &App,
    id: &RoomId,
    change: RoomChange,
    now_ms: i64,
) -> Result<Room, ApiError> {
    app.store
        .change_room(id, change, now_ms)
        .await?
        .ok_or_else(|| ApiError::room_not_found(id.as_str()))
}

/// Stops the recording that runs, as its room's deletion asks; one already stopping is
/// left to end.
async fn stop_recording(app: &App, recording: &str, now_ms: i64) -> Result<(), ApiError> {
    let Ok(id) = RecordingId::parse(recording) else {
        return Ok(());
    };
    match lifecycle::stop(app, &Principal::Admin, &id, now_ms).await {
        Ok(_) | Err(ApiError::Conflict { .. } | ApiError::NotFound { .. }) => Ok(()),
        Err(err) => Err(err),
    }
}

/// One round of a closing room's deletion: its finished recordings (`read` already, or
/// read now) deleted for good, `per_round` at most, then, once none is left, the room.
async fn continue_deletion(
    app: &App,
    room: Room,
    read: Option<Vec<StoredRecording>>,
    per_round: usize,
    now_ms: i64,
) -> Result<Outcome, ApiError> {
    let id = &room.room_id;
    let base = format!("Room '{id}'");
    let mut recordings = match read {
        Some(read) => read,
        None => app.store.room_recordings(id, per_round).await?,
    };
    recordings.truncate(per_round);
    let finished: Vec<RecordingId> = recordings
        .iter()
        .filter(|r| r.recording.status.is_final())
        .map(|r| r.recording.recording_id.clone())
        .collect();
    let (deleted, failed) = delete_at_once(
        app.deleter(),
        &finished,
        MarkScope::Any,
        Deletion::RoomDeleted,
        now_ms,
    )
    .await;
    for (recording, failure) in &failed {
        tracing::warn!(room = %id, %recording, ?failure, "a closing room's recording was not deleted");
    }
    let all_gone = deleted.len() == recordings.len()
        && room.recording_lock(now_ms) == RecordingLock::Free
        && app.store.room_recordings(id, 1).await?.is_empty();
    if !all_gone {
        return Ok(Outcome {
            status: StatusCode::ACCEPTED,
            success_code: "room_closing",
            message: format!(
                "{base} is closing: its recordings are being deleted, then the room with them"
            ),
            room: Some(room),
        });
    }
    app.store.delete_room(id).await?;
    app.events().publish_room(RoomEvent::Deleted, &room).await;
    Ok(Outcome {
        status: StatusCode::OK,
        success_code: "room_and_recordings_deleted",
        message: format!("{base} and its recordings deleted successfully"),
        room: None,
    })
}

/// The sweeper's part: rooms due to delete themselves, waiting for a recording to end, or
/// closing, each taken one round further. Returns the rooms acted on.
pub async fn sweep_rooms(app: &App, now_ms: i64) -> Result<Vec<RoomId>, ApiError> {
    let mut acted = Vec::new();
    for room in app.store.rooms_due(now_ms, ROOMS_PER_SWEEP).await? {
        let id = room.room_id.clone();
        let policy = match (
            room.status,
            room.deletion_pending,
            room.auto_deletion_policy,
        ) {
            (RoomStatus::Closing, ..) => None,
            (_, Some(with_recordings), _) => Some(Policy {
                with_meeting: WithMeeting::WhenMeetingEnds,
                with_recordings,
            }),
            (_, None, Some(auto)) => Some(Policy {
                with_meeting: auto.with_meeting,
                with_recordings: auto.with_recordings,
            }),
            (_, None, None) => continue,
        };
        // A deletion waiting for its recording waits on while the recording runs.
        if room.deletion_pending.is_some() && room.recording_lock(now_ms) != RecordingLock::Free {
            continue;
        }
        let result = match policy {
            None => continue_deletion(app, room, None, PER_SWEEP_ROUND, now_ms).await,
            Some(policy) => delete_room_by_rounds(app, &id, policy, PER_SWEEP_ROUND, now_ms).await,
        };
        match result {
            Ok(outcome) => {
                tracing::info!(room = %id, outcome = outcome.success_code, "room deletion");
                acted.push(id);
            }
            Err(err) => tracing::warn!(room = %id, error = %err, "a due room deletion was refused"),
        }
    }
    Ok(acted)
}
