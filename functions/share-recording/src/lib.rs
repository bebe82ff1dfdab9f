//! Share links of a recording: `GET /api/v1/recordings/{recordingId}/url` creates one;
//! `GET .../shares` lists them; `DELETE .../shares/{shareId}` and `DELETE .../shares`
//! revoke one or all.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde_json::json;
use shared::access::authorized_recording;
use shared::app::App;
use shared::clock::now_millis;
use shared::error::{ApiError, Category};
use shared::http::{bool_param, path_param, query_param, recording_id_param};
use shared::model::{RecordingId, ShareAccess};
use shared::permissions::Action;
use shared::response::json_response;
use shared::runtime::HandlerResult;
use shared::shares::{MAX_EXPIRES_IN_SECONDS, MAX_LIVE_LINKS, new_link};
use shared::store::ShareCreated;

shared::routes! {
    "GET /api/v1/recordings/{recordingId}/url" => create,
    "GET /api/v1/recordings/{recordingId}/shares" => list,
    "DELETE /api/v1/recordings/{recordingId}/shares" => revoke_all,
    "DELETE /api/v1/recordings/{recordingId}/shares/{shareId}" => revoke,
}

/// `expiresIn`: optional whole seconds, 1 to a year.
fn expires_in(req: &Request) -> Result<Option<i64>, ApiError> {
    let Some(raw) = query_param(req, "expiresIn") else {
        return Ok(None);
    };
    raw.parse::<i64>()
        .ok()
        .filter(|s| (1..=MAX_EXPIRES_IN_SECONDS).contains(s))
        .map(Some)
        .ok_or_else(|| {
            ApiError::invalid(
                "expiresIn",
                format!("must be a whole number of seconds from 1 to {MAX_EXPIRES_IN_SECONDS}"),
            )
        })
}

async fn create(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let access = if bool_param(&req, "privateAccess", false)? {
        ShareAccess::Private
    } else {
        ShareAccess::Public
    };
    let expires_in = expires_in(&req)?;
    let principal = app.auth.authenticate(&req)?;
    authorized_recording(&app.store, &principal, &id, Action::CreateShareLink).await?;
    let now = now_millis();
    let (link, secret) = new_link(&principal, access, now, expires_in);
    match app
        .store
        .create_share(&id, &link, MAX_LIVE_LINKS, now)
        .await?
    {
        ShareCreated::Created => {}
        // Deleted, or being deleted, since it was read.
        ShareCreated::RecordingGone => return Err(ApiError::recording_not_found(id.as_str())),
        ShareCreated::AtCap => return Err(too_many_links(&id)),
    }
    let url = format!(
        "{}/recording/{id}?secret={secret}",
        app.config.public_base_url
    );
    Ok(json_response(
        StatusCode::OK,
        &json!({"url": url, "shareId": link.share_id, "expiresAt": link.link_expires_at}),
    ))
}

fn too_many_links(id: &RecordingId) -> ApiError {
    ApiError::Conflict {
        category: Category::Share,
        message: format!(
            "Recording '{id}' has {MAX_LIVE_LINKS} live share links, the most it may have: revoke some first"
        ),
    }
}

async fn list(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let principal = app.auth.authenticate(&req)?;
    authorized_recording(&app.store, &principal, &id, Action::RevokeShareLinks).await?;
    let links = app.store.list_shares(&id).await?;
    let shares: Vec<_> = links.iter().map(|l| l.to_json()).collect();
    Ok(json_response(StatusCode::OK, &json!({ "shares": shares })))
}

async fn revoke(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let share_id = path_param(&req, "shareId")?;
    let principal = app.auth.authenticate(&req)?;
    authorized_recording(&app.store, &principal, &id, Action::RevokeShareLinks).await?;
    let known = share_id.len() <= 64 && app.store.revoke_share(&id, share_id, now_millis()).await?;
    if !known {
        return Err(ApiError::NotFound {
            category: Category::Share,
            message: "Share link not found".to_owned(),
        });
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({"message": format!("Share link '{share_id}' revoked")}),
    ))
}

async fn revoke_all(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let principal = app.auth.authenticate(&req)?;
    authorized_recording(&app.store, &principal, &id, Action::RevokeShareLinks).await?;
    let revoked = app.store.revoke_all_shares(&id, now_millis()).await?;
    Ok(json_response(
        StatusCode::OK,
        &json!({"message": format!("{revoked} share link(s) revoked"), "revoked": revoked}),
    ))
}
