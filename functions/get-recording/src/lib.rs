//! `GET /api/v1/recordings/{recordingId}`: one recording.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use shared::access::readable_recording;
use shared::http::{json_response, query_param, recording_id_param};
use shared::model::FieldSelection;
use shared::runtime::{App, HandlerResult};

pub async fn handle(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let fields = FieldSelection::parse(query_param(&req, "fields"));
    let recording = readable_recording(app, &req, &id).await?;
    Ok(json_response(StatusCode::OK, &fields.apply(&recording)))
}
