//! `GET /api/v1/recordings/{recordingId}`: one recording.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use shared::app::App;
use shared::clock::now_millis;
use shared::http::{query_param, recording_id_param};
use shared::model::FieldSelection;
use shared::response::json_response;
use shared::runtime::HandlerResult;
use shared::shares::readable_recording;

shared::routes! {
    "GET /api/v1/recordings/{recordingId}" => get,
}

async fn get(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let fields = FieldSelection::parse(query_param(&req, "fields"));
    let recording = readable_recording(
        &app.store,
        &id,
        query_param(&req, "secret"),
        || app.auth.authenticate(&req),
        now_millis(),
    )
    .await?;
    Ok(json_response(StatusCode::OK, &fields.apply(&recording)))
}
