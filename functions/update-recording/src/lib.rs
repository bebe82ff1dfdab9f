//! `PATCH /api/v1/recordings/{recordingId}`: give a recording a title, or clear it; and
//! `PUT` / `DELETE /api/v1/recordings/{recordingId}/legal-hold`: hold it, or release it.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde_json::json;
use shared::app::App;
use shared::clock::now_millis;
use shared::http::recording_id_param;
use shared::legal_hold::{parse_hold, set_hold};
use shared::model::{Activity, ActivityKind, Actor};
use shared::response::json_response;
use shared::runtime::HandlerResult;
use shared::titles::{parse_title_patch, set_title};

shared::routes! {
    "PATCH /api/v1/recordings/{recordingId}" => update,
    "PUT /api/v1/recordings/{recordingId}/legal-hold" => hold,
    "DELETE /api/v1/recordings/{recordingId}/legal-hold" => release,
}

async fn update(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let title = parse_title_patch(&req)?;
    let principal = app.auth.authenticate(&req)?;
    let result = set_title(&app.store, &principal, &id, title.as_deref())
        .await
        .map(|recording| json_response(StatusCode::OK, &recording));
    let mut entry =
        Activity::of_recording(ActivityKind::TitleChanged, &id, Actor::of(&principal), &req)
            .answered(&result);
    // The title, once it is the recording's: a refused one is nobody's to show.
    if result.is_ok() {
        entry = entry.with_details(json!({ "title": title }));
    }
    app.activity().record(&[entry]).await;
    result
}

async fn hold(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let reason = parse_hold(&req)?;
    let principal = app.auth.authenticate(&req)?;
    let result = set_hold(
        &app.store,
        &principal,
        &id,
        Some(reason.clone()),
        now_millis(),
    )
    .await
    .map(|recording| json_response(StatusCode::OK, &recording));
    let mut entry =
        Activity::of_recording(ActivityKind::LegalHoldSet, &id, Actor::of(&principal), &req)
            .answered(&result);
    if result.is_ok() {
        entry = entry.with_details(json!({ "reason": reason }));
    }
    app.activity().record(&[entry]).await;
    result
}

async fn release(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let principal = app.auth.authenticate(&req)?;
    let result = set_hold(&app.store, &principal, &id, None, now_millis())
        .await
        .map(|recording| json_response(StatusCode::OK, &recording));
    let entry = Activity::of_recording(
        ActivityKind::LegalHoldReleased,
        &id,
        Actor::of(&principal),
        &req,
    )
    .answered(&result);
    app.activity().record(&[entry]).await;
    result
}
