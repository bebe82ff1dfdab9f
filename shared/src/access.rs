//! Applies the permission decision to a request: 403 unless allowed.

use crate::error::ApiError;
use crate::model::{Room, RoomId};
use crate::permissions::{Action, Principal, is_allowed};
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

/// Like [`authorize`], reading the room only when the decision depends on it: a
/// participant of that room. Only for actions an administrator may always do (`room_id`
/// `None` means every room); a participant acting on another room is refused without a
/// read.
pub async fn authorize_in_room(
    store: &Store,
    principal: &Principal,
    action: Action,
    room_id: Option<&RoomId>,
) -> Result<(), ApiError> {
    let room = match (principal, room_id) {
        (Principal::Participant { room_id: own, .. }, Some(id)) if own == id => {
            store.get_room(id).await?
        }
        _ => None,
    };
    authorize(principal, action, room.as_ref())
}
