//! `POST /webhooks/livekit`: the media server's egress events. Each is verified (signed
//! with the API secret, the body's digest in the signature, fresh) before it changes
//! anything; duplicates and late events change nothing.

use lambda_http::Request;
use lambda_http::http::{StatusCode, header};
use serde_json::json;
use shared::clock::now_seconds;
use shared::error::ApiError;
use shared::http::{MAX_BODY_BYTES, json_response};
use shared::lifecycle;
use shared::runtime::{App, HandlerResult};

pub async fn handle(app: &App, req: Request) -> HandlerResult {
    let body = req.body().as_ref();
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    let egress = app
        .egress
        .as_ref()
        .ok_or_else(|| ApiError::Internal("LIVEKIT_URL and its keys are not configured".into()))?;
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let event = egress.verify_webhook(authorization, body, now_seconds())?;
    let applied = lifecycle::apply_webhook(app, &event).await?;
    Ok(json_response(
        StatusCode::OK,
        &json!({"message": if applied.is_some() { "applied" } else { "ignored" }}),
    ))
}
