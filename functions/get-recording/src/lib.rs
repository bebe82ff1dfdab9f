//! `GET /api/v1/recordings/{recordingId}`: one recording.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use shared::auth::authenticate;
use shared::error::ApiError;
use shared::http::{json_response, query_param, recording_id_param};
use shared::model::FieldSelection;
use shared::runtime::{App, HandlerResult};

pub async fn handle(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let fields = FieldSelection::parse(query_param(&req, "fields"));
    let _principal = authenticate(&req, &app.config)?;
    let recording = app
        .store
        .get_recording(&id)
        .await?
        .ok_or_else(|| ApiError::recording_not_found(id.as_str()))?;
    Ok(json_response(StatusCode::OK, &fields.apply(&recording)))
}
