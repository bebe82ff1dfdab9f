//! `GET /api/v1/recordings/{recordingId}`: one recording.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use shared::access::authorize;
use shared::error::ApiError;
use shared::http::{json_response, query_param, recording_id_param};
use shared::model::FieldSelection;
use shared::permissions::Action;
use shared::runtime::{App, HandlerResult};

pub async fn handle(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let fields = FieldSelection::parse(query_param(&req, "fields"));
    let principal = app.auth.authenticate(&req)?;
    let (recording, room) = app.store.get_recording_with_room(&id).await?;
    authorize(&principal, Action::ReadRecording, room.as_ref())?;
    let recording = recording.ok_or_else(|| ApiError::recording_not_found(id.as_str()))?;
    Ok(json_response(StatusCode::OK, &fields.apply(&recording)))
}
