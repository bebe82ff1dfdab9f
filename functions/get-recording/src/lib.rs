//! `GET /api/v1/recordings/{recordingId}`: one recording.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use shared::app::App;
use shared::http::{query_param, recording_id_param};
use shared::model::FieldSelection;
use shared::response::json_response;
use shared::runtime::HandlerResult;
use shared::shares::Purpose;

shared::routes! {
    "GET /api/v1/recordings/{recordingId}" => get,
}

async fn get(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let fields = FieldSelection::parse(query_param(&req, "fields"));
    let recording = app
        .readable_recording(&req, &id, Purpose::Read)
        .await
        .recording?;
    Ok(json_response(StatusCode::OK, &fields.apply(&recording)))
}
