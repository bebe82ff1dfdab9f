//! The permission decision applied to what is stored: loads what a decision needs, then
//! authorizes (403 unless allowed).

use crate::error::ApiError;
use crate::model::{Principal, Recording, RecordingId, Room, RoomId};
use crate::permissions::{Action, authorize, is_allowed};
use crate::store::Store;

/// Whether deciding an action an administrator may always do, in `room_id`, depends on the
/// room: only for a participant of that room. Anyone else is decided without reading it.
pub fn decision_reads_room(principal: &Principal, room_id: &RoomId) -> bool {
    matches!(principal, Principal::Participant { room_id: own, .. } if own == room_id)
}

/// Like [`authorize`], reading the room only when the decision depends on it (see
/// [`decision_reads_room`]). Only for actions an administrator may always do (`room_id`
/// `None` means every room). Returns a [`Decider`] for further decisions in that room.
pub async fn authorize_in_room<'p>(
    store: &Store,
    principal: &'p Principal,
    action: Action,
    room_id: Option<&RoomId>,
) -> Result<Decider<'p>, ApiError> {
    let room = match room_id {
        Some(id) if decision_reads_room(principal, id) => store.get_room(id).await?,
        _ => None,
    };
    authorize(principal, action, room.as_ref())?;
    Ok(Decider { principal, room })
}

/// A principal and the room read for its decisions, to decide more without reading again.
pub struct Decider<'p> {
    principal: &'p Principal,
    room: Option<Room>,
}

impl Decider<'_> {
    /// May the principal also do `action` (one an administrator may always do)?
    pub fn may(&self, action: Action) -> bool {
        is_allowed(
            self.principal,
            action,
            self.room.as_ref().map(Room::policy).as_ref(),
        )
    }
}

/// Loads a recording (not being deleted, not in the recycle bin) and its room in one round
/// trip, and authorizes `action` on it: 403 for those not allowed, whether or not it
/// exists; then 404. It comes as the principal may see it ([`Recording::shown_to`]).
pub async fn authorized_recording(
    store: &Store,
    principal: &Principal,
    id: &RecordingId,
    action: Action,
) -> Result<Recording, ApiError> {
    let (recording, room) = store.get_recording_with_room(id).await?;
    authorize(principal, action, room.as_ref())?;
    let may_delete = is_allowed(
        principal,
        Action::DeleteRecording,
        room.as_ref().map(Room::policy).as_ref(),
    );
    let config = room.as_ref().map(|room| &room.config.recording);
    recording
        .map(|r| r.shown_to(may_delete).expiring(config))
        .ok_or_else(|| ApiError::recording_not_found(id.as_str()))
}
