//! `POST /webhooks/livekit`: the media server's egress events. Each is verified (signed
//! with the API secret, the body's digest in the signature, fresh) before it changes
//! anything; duplicates and late events change nothing.

use lambda_http::Request;
use lambda_http::http::{StatusCode, header};
use serde_json::json;
use shared::app::App;
use shared::clock::now_millis;
use shared::error::ApiError;
use shared::http::MAX_BODY_BYTES;
use shared::lifecycle;
use shared::response::json_response;
use shared::runtime::HandlerResult;
use shared::store::Applied;

shared::routes! {
    "POST /webhooks/livekit" => receive,
}

async fn receive(app: &App, req: Request) -> HandlerResult {
    let body = req.body().as_ref();
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    let egress = app.egress()?;
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let now = now_millis();
    let event = egress.verify_webhook(authorization, body, now / 1000)?;
    let applied = lifecycle::apply_webhook(app, &event, now).await?;
    let message = match applied {
        Some(Applied::Written(_)) => "applied",
        Some(Applied::Duplicate) => "duplicate",
        Some(Applied::Aliased | Applied::Deleted) => "refused",
        Some(Applied::Stale) | None => "ignored",
    };
    Ok(json_response(
        StatusCode::OK,
        &json!({ "message": message }),
    ))
}
