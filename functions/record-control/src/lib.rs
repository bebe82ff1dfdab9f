//! `POST /api/v1/recordings` starts recording a room; `POST /api/v1/recordings/{id}/stop`
//! stops it. For administrators and the room's moderators, while the room has recording
//! enabled.

use lambda_http::Request;
use lambda_http::http::{StatusCode, header};
use shared::app::App;
use shared::clock::now_millis;
use shared::error::ApiError;
use shared::http::{Fields, recording_id_param};
use shared::lifecycle;
use shared::model::RoomId;
use shared::response::json_response;
use shared::runtime::HandlerResult;

shared::routes! {
    "POST /api/v1/recordings" => start,
    "POST /api/v1/recordings/{recordingId}/stop" => stop,
}

async fn start(app: &App, req: Request) -> HandlerResult {
    let mut fields = Fields::from_body(&req)?;
    let room = fields.required_string("roomId", 128);
    fields.finish()?;
    let room_id = RoomId::parse(&room.unwrap_or_default())
        .map_err(|message| ApiError::invalid("roomId", message))?;
    let principal = app.auth.authenticate(&req)?;
    let recording = lifecycle::start(app, &principal, &room_id, now_millis()).await?;
    let mut response = json_response(StatusCode::CREATED, &recording);
    let location = format!("/api/v1/recordings/{}", recording.recording_id);
    if let Ok(value) = header::HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

async fn stop(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let principal = app.auth.authenticate(&req)?;
    let recording = lifecycle::stop(app, &principal, &id, now_millis()).await?;
    Ok(json_response(StatusCode::ACCEPTED, &recording))
}
