//! `DELETE /api/v1/recordings/{recordingId}` and `DELETE /api/v1/recordings?recordingIds=`:
//! video, metadata and share links, in an order that never loses track of a video.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde_json::json;
use shared::app::App;
use shared::clock::now_millis;
use shared::deletion::{delete_recordings, parse_bulk_ids};
use shared::http::{list_param, recording_id_param};
use shared::response::json_response;
use shared::runtime::HandlerResult;

shared::routes! {
    "DELETE /api/v1/recordings/{recordingId}" => delete_one,
    "DELETE /api/v1/recordings" => delete_many,
}

async fn delete_one(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let principal = app.auth.authenticate(&req)?;
    let outcome = delete_recordings(
        app.deleter(),
        &principal,
        std::slice::from_ref(&id),
        now_millis(),
    )
    .await?;
    app.activity()
        .record(&outcome.activity(&principal, &req))
        .await;
    if let Some((_, failure)) = outcome.failed.first() {
        return Err(failure.to_error(&id));
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({"message": format!("Recording '{id}' deleted successfully")}),
    ))
}

async fn delete_many(app: &App, req: Request) -> HandlerResult {
    let ids = parse_bulk_ids(&list_param(&req, "recordingIds"))?;
    let principal = app.auth.authenticate(&req)?;
    let outcome = delete_recordings(app.deleter(), &principal, &ids, now_millis()).await?;
    app.activity()
        .record(&outcome.activity(&principal, &req))
        .await;
    let deleted: Vec<_> = outcome.deleted.iter().map(|id| id.as_str()).collect();
    let failed: Vec<_> = outcome
        .failed
        .iter()
        .map(|(id, failure)| json!({"recordingId": id, "error": failure.message(id)}))
        .collect();
    let (status, message) = if failed.is_empty() {
        (
            StatusCode::OK,
            "All recordings deleted successfully".to_owned(),
        )
    } else {
        (
            StatusCode::BAD_REQUEST,
            format!("{} recording(s) could not be deleted", failed.len()),
        )
    };
    Ok(json_response(
        status,
        &json!({"message": message, "deleted": deleted, "failed": failed}),
    ))
}
