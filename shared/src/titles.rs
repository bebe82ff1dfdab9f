//! Recording titles: given by those who may delete a recording, shown above its room's
//! name and searched by `q`.

use lambda_http::Request;

use crate::access::authorize_in_room;
use crate::error::ApiError;
use crate::http::Fields;
use crate::model::{Recording, RecordingId};
use crate::permissions::{Action, Principal};
use crate::store::Store;

pub const MAX_TITLE_CHARS: usize = 200;

/// `{"title": "..."}` or `{"title": null}`: the title to set, `None` to clear it.
pub fn parse_title_patch(req: &Request) -> Result<Option<String>, ApiError> {
    let mut fields = Fields::from_body(req)?;
    let title = fields.required_text_or_null("title", MAX_TITLE_CHARS);
    fields.finish()?;
    Ok(title.flatten())
}

/// Sets or clears the title, and nothing else of the recording: 403 for those who may
/// not delete it, whether or not it exists; then 404 for one unknown or being deleted.
pub async fn set_title(
    store: &Store,
    principal: &Principal,
    id: &RecordingId,
    title: Option<&str>,
) -> Result<Recording, ApiError> {
    authorize_in_room(store, principal, Action::EditRecording, Some(id.room_id())).await?;
    store
        .set_recording_title(id, title)
        .await?
        .ok_or_else(|| ApiError::recording_not_found(id.as_str()))
}
