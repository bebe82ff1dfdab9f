//! Legal holds: a recording an administrator holds cannot be deleted, moved to the recycle
//! bin, purged, or removed with its room, until the hold is released.

use lambda_http::Request;

use crate::access::authorize_in_room;
use crate::error::ApiError;
use crate::http::Fields;
use crate::model::{ActedBy, LegalHold, Recording, RecordingId};
use crate::permissions::{Action, Principal};
use crate::store::Store;

pub const MAX_REASON_CHARS: usize = 500;

/// `{"reason": "..."}`: why the recording is held.
pub fn parse_hold(req: &Request) -> Result<String, ApiError> {
    let mut fields = Fields::from_body(req)?;
    let reason = fields.required_string("reason", MAX_REASON_CHARS);
    fields.finish()?;
    reason.ok_or_else(|| ApiError::invalid("reason", "is required"))
}

/// Holds the recording for `reason` (replacing a hold it has), or with `None` releases
/// it: 403 for all but administrators, then 404 for a recording unknown, being deleted or
/// in the recycle bin. Returns the recording as it now is.
pub async fn set_hold(
    store: &Store,
    principal: &Principal,
    id: &RecordingId,
    reason: Option<String>,
    now_ms: i64,
) -> Result<Recording, ApiError> {
    authorize_in_room(store, principal, Action::HoldRecording, Some(id.room_id())).await?;
    let hold = reason.map(|reason| LegalHold {
        reason,
        by: ActedBy::of(principal),
        since: now_ms,
    });
    store
        .set_legal_hold(id, hold.as_ref())
        .await?
        .ok_or_else(|| ApiError::recording_not_found(id.as_str()))
}
