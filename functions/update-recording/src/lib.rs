//! `PATCH /api/v1/recordings/{recordingId}`: give a recording a title, or clear it.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use shared::app::App;
use shared::http::recording_id_param;
use shared::response::json_response;
use shared::runtime::HandlerResult;
use shared::titles::{parse_title_patch, set_title};

shared::routes! {
    "PATCH /api/v1/recordings/{recordingId}" => update,
}

async fn update(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let title = parse_title_patch(&req)?;
    let principal = app.auth.authenticate(&req)?;
    let recording = set_title(&app.store, &principal, &id, title.as_deref()).await?;
    Ok(json_response(StatusCode::OK, &recording))
}
