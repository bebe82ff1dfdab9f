//! Tokens for credentials: `POST /api/v1/auth/login` (administrator) and
//! `POST /api/v1/rooms/{roomId}/recording-token` (a room's moderator or speaker secret).
//! Attempts are throttled per target (the login, or the room) and source address.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde_json::json;
use shared::app::App;
use shared::auth::verify_admin;
use shared::clock::now_seconds;
use shared::error::ApiError;
use shared::http::{Fields, room_id_param, source_ip};
use shared::model::Principal;
use shared::permissions::RoomPermissions;
use shared::response::json_response;
use shared::runtime::HandlerResult;
use shared::throttle::{self, Target};
use shared::tokens::TOKEN_LIFETIME_SECONDS;

const MAX_CREDENTIAL_CHARS: usize = 256;

shared::routes! {
    "POST /api/v1/auth/login" => login,
    "POST /api/v1/rooms/{roomId}/recording-token" => room_token,
}

async fn login(app: &App, req: Request) -> HandlerResult {
    let mut fields = Fields::from_body(&req)?;
    let username = fields.required_string("username", MAX_CREDENTIAL_CHARS);
    let password = fields.required_string("password", MAX_CREDENTIAL_CHARS);
    fields.finish()?;
    let (Some(username), Some(password)) = (username, password) else {
        return Err(ApiError::invalid(
            "body",
            "username and password are required",
        ));
    };
    let login = app.config.admin_login.as_ref().ok_or_else(|| {
        ApiError::Internal("ADMIN_USERNAME/ADMIN_PASSWORD_HASH not configured".into())
    })?;
    let now = now_seconds();
    let attempt = throttle::begin(&app.store, Target::AdminLogin, &source_ip(&req), now).await?;
    if !verify_admin(login, &username, &password) {
        attempt.failed();
        return Err(ApiError::Unauthenticated("Invalid username or password"));
    }
    attempt.succeeded().await?;
    let token = app
        .auth
        .tokens
        .issue_admin(&username, now)
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(json_response(
        StatusCode::OK,
        &json!({"accessToken": token, "expiresIn": TOKEN_LIFETIME_SECONDS}),
    ))
}

async fn room_token(app: &App, req: Request) -> HandlerResult {
    let room_id = room_id_param(&req)?;
    let mut fields = Fields::from_body(&req)?;
    let secret = fields.required_string("secret", MAX_CREDENTIAL_CHARS);
    fields.finish()?;
    let secret = secret.unwrap_or_default();
    let now = now_seconds();
    let attempt =
        throttle::begin(&app.store, Target::Room(&room_id), &source_ip(&req), now).await?;
    let room = app.store.get_room(&room_id).await?;
    // An unknown room and a wrong secret look the same, so ids cannot be probed.
    let Some((room, role)) = room.and_then(|r| r.role_for_secret(&secret).map(|role| (r, role)))
    else {
        attempt.failed();
        return Err(ApiError::Unauthenticated("Invalid room secret"));
    };
    attempt.succeeded().await?;
    // A closed room's links admit no one; its right secret may say so.
    if !room.policy().open {
        return Err(ApiError::Forbidden(format!(
            "Room '{room_id}' is closed: its links no longer admit anyone"
        )));
    }
    let token = app
        .auth
        .tokens
        .issue_room(&room.room_id, role, now)
        .map_err(|e| ApiError::Internal(e.into()))?;
    let principal = Principal::Participant {
        room_id: room.room_id.clone(),
        role,
    };
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "token": token,
            "role": role.as_str(),
            "permissions": RoomPermissions::of(&principal, &room.policy()),
        }),
    ))
}
