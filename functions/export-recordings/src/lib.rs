//! `POST /api/v1/recordings/download` (and OpenVidu Meet's `GET`, ids in the query): starts
//! an export of several recordings as one ZIP. `GET /api/v1/exports/{exportId}`: how far it
//! got, and once complete a fresh presigned URL of the ZIP.

use lambda_http::Request;
use lambda_http::http::{StatusCode, header};
use serde_json::{Value, json};
use shared::app::App;
use shared::clock::now_millis;
use shared::exports::{followed_export, requested_ids, start_export};
use shared::http::path_param;
use shared::media::PresignedUrl;
use shared::model::Export;
use shared::response::json_response;
use shared::runtime::HandlerResult;

shared::routes! {
    "POST /api/v1/recordings/download" => start,
    "GET /api/v1/recordings/download" => start,
    "GET /api/v1/exports/{exportId}" => follow,
}

async fn start(app: &App, req: Request) -> HandlerResult {
    let ids = requested_ids(&req)?;
    let principal = app.auth.authenticate(&req)?;
    let export = start_export(app, &principal, &ids, now_millis()).await?;
    let mut response = json_response(StatusCode::ACCEPTED, &view(&export, None));
    let location = format!("/api/v1/exports/{}", export.export_id);
    if let Ok(value) = location.parse() {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

async fn follow(app: &App, req: Request) -> HandlerResult {
    let id = path_param(&req, "exportId")?.to_owned();
    let principal = app.auth.authenticate(&req)?;
    let (export, url) = followed_export(app, &principal, &id, now_millis()).await?;
    Ok(json_response(StatusCode::OK, &view(&export, url.as_ref())))
}

/// The export as the API shows it, with its ZIP's URL once there is one.
fn view(export: &Export, url: Option<&PresignedUrl>) -> Value {
    let mut body = serde_json::to_value(export).unwrap_or(Value::Null);
    if let Some(url) = url {
        body["url"] = json!(url.url);
        body["urlExpiresAt"] = json!(url.expires_at);
    }
    body
}
