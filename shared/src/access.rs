//! The permission decision applied to what is stored: loads what a decision needs, then
//! authorizes (403 unless allowed).

use crate::error::ApiError;
use crate::model::{Principal, Recording, RecordingId, RoomId};
use crate::permissions::{Action, authorize};
use crate::store::Store;

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

/// Loads a recording (not being deleted) and its room in one round trip, and authorizes
/// `action` on it: 403 for those not allowed, whether or not it exists; then 404.
pub async fn authorized_recording(
    store: &Store,
    principal: &Principal,
    id: &RecordingId,
    action: Action,
) -> Result<Recording, ApiError> {
    let (recording, room) = store.get_recording_with_room(id).await?;
    authorize(principal, action, room.as_ref())?;
    recording.ok_or_else(|| ApiError::recording_not_found(id.as_str()))
}
