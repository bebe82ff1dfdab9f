//! `PATCH /api/v1/recordings/{recordingId}`: give a recording a title, or clear it.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde_json::json;
use shared::app::App;
use shared::http::recording_id_param;
use shared::model::{Activity, ActivityKind, Actor};
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
