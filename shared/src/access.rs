//! Applies the permission decision to a request: 403 unless allowed.

use lambda_http::Request;

use crate::clock::now_millis;
use crate::error::ApiError;
use crate::http::query_param;
use crate::model::{Recording, RecordingId, Room, RoomId};
use crate::permissions::{Action, Principal, is_allowed};
use crate::runtime::App;
use crate::shares::{self, Refusal};
use crate::store::Store;

/// Decides `action` on `room` (the room as just read, or `None` when it does not exist).
pub fn authorize(
    principal: &Principal,
    action: Action,
    room: Option<&Room>,
) -> Result<(), ApiError> {
    if is_allowed(principal, action, room.map(Room::policy).as_ref()) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "Not allowed to {}",
            action.name()
        )))
    }
}

/// Whether deciding an action an administrator may always do, in `room_id`, depends on the
/// room: only for a participant of that room. Anyone else is decided without reading it.
pub fn decision_reads_room(principal: &Principal, room_id: &RoomId) -> bool {
    matches!(principal, Principal::Participant { room_id: own, .. } if own == room_id)
}

/// Like [`authorize`], reading the room only when the decision depends on it (see
/// [`decision_reads_room`]). Only for actions an administrator may always do (`room_id`
/// `None` means every room).
pub async fn authorize_in_room(
    store: &Store,
    principal: &Principal,
    action: Action,
    room_id: Option<&RoomId>,
) -> Result<(), ApiError> {
    let room = match room_id {
        Some(id) if decision_reads_room(principal, id) => store.get_room(id).await?,
        _ => None,
    };
    authorize(principal, action, room.as_ref())
}

/// Loads a recording the caller may read (get, play, download), in one DynamoDB round
/// trip: with a share link's `?secret=`, through the link; otherwise through the caller's
/// credentials. Someone who may not read the room's recordings gets 403 whether or not the
/// recording exists.
pub async fn readable_recording(
    app: &App,
    req: &Request,
    id: &RecordingId,
) -> Result<Recording, ApiError> {
    if let Some(secret) = query_param(req, "secret") {
        return shares::open(app, req, id, secret, now_millis())
            .await?
            .map_err(Refusal::to_error);
    }
    let principal = app.auth.authenticate(req)?;
    authorized_recording(app, &principal, id, Action::ReadRecording).await
}

/// Loads a recording (not being deleted) and its room in one round trip, and authorizes
/// `action` on it: 403 for those not allowed, whether or not it exists; then 404.
pub async fn authorized_recording(
    app: &App,
    principal: &Principal,
    id: &RecordingId,
    action: Action,
) -> Result<Recording, ApiError> {
    let (recording, room) = app.store.get_recording_with_room(id).await?;
    authorize(principal, action, room.as_ref())?;
    recording.ok_or_else(|| ApiError::recording_not_found(id.as_str()))
}
