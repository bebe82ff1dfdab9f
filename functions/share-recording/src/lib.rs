//! Share links of a recording: `GET /api/v1/recordings/{recordingId}/url` (options in the
//! query) or `POST .../url` (options in a JSON body, a password kept out of the URL)
//! creates one;
//! `GET .../shares` lists them; `DELETE .../shares/{shareId}` and `DELETE .../shares`
//! revoke one or all.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde_json::json;
use shared::access::authorized_recording;
use shared::app::App;
use shared::clock::now_millis;
use shared::error::{ApiError, Category};
use shared::http::{path_param, recording_id_param};
use shared::model::{Activity, ActivityKind, Actor, RecordingId};
use shared::permissions::Action;
use shared::response::json_response;
use shared::runtime::HandlerResult;
use shared::share_options::LinkOptions;
use shared::shares::{MAX_LIVE_LINKS, new_link};
use shared::store::ShareCreated;

shared::routes! {
    "GET /api/v1/recordings/{recordingId}/url" => create,
    "POST /api/v1/recordings/{recordingId}/url" => create,
    "GET /api/v1/recordings/{recordingId}/shares" => list,
    "DELETE /api/v1/recordings/{recordingId}/shares" => revoke_all,
    "DELETE /api/v1/recordings/{recordingId}/shares/{shareId}" => revoke,
}

/// Creates a link with the options of the query (`GET`) or of the JSON body (`POST`).
async fn create(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let options = LinkOptions::from_request(&req)?;
    let principal = app.auth.authenticate(&req)?;
    authorized_recording(&app.store, &principal, &id, Action::CreateShareLink).await?;
    let now = now_millis();
    let (link, secret) = new_link(&principal, &options, now)?;
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
    let mut described = link.to_json();
    let entry =
        Activity::of_recording(ActivityKind::ShareCreated, &id, Actor::of(&principal), &req)
            .with_details(described.clone());
    app.activity().record(&[entry]).await;
    described["url"] = json!(format!(
        "{}/recording/{id}?secret={secret}",
        app.config.public_base_url
    ));
    Ok(json_response(StatusCode::OK, &described))
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
    let entry =
        Activity::of_recording(ActivityKind::ShareRevoked, &id, Actor::of(&principal), &req)
            .with_details(json!({ "shareId": share_id }));
    app.activity().record(&[entry]).await;
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
    let entry =
        Activity::of_recording(ActivityKind::ShareRevoked, &id, Actor::of(&principal), &req)
            .with_details(json!({ "revoked": revoked }));
    app.activity().record(&[entry]).await;
    Ok(json_response(
        StatusCode::OK,
        &json!({"message": format!("{revoked} share link(s) revoked"), "revoked": revoked}),
    ))
}
