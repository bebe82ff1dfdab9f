//! `DELETE /api/v1/recordings/{recordingId}` and `DELETE /api/v1/recordings?recordingIds=`:
//! into the room's recycle bin, or (`permanent=true`, or in a room that keeps none) video,
//! metadata and share links, in an order that never loses track of a video; and
//! `POST /api/v1/recordings/{recordingId}/restore` and `POST /api/v1/recordings/restore`,
//! back from the bin; and `DELETE /api/v1/rooms/{roomId}` and `DELETE /api/v1/rooms?roomIds=`,
//! rooms with what their policies say of their recordings.

use std::collections::BTreeMap;

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::{Value, json};
use shared::app::App;
use shared::clock::now_millis;
use shared::deletion::{delete_recordings, parse_bulk_ids};
use shared::error::ApiError;
use shared::http::{Fields, bool_param, list_param, recording_id_param, room_id_param};
use shared::model::RecordingId;
use shared::permissions::{Action, authorize};
use shared::recycle_bin::restore_recordings;
use shared::response::json_response;
use shared::room_deletion::{self, Policy, parse_room_ids};
use shared::runtime::HandlerResult;

shared::routes! {
    "DELETE /api/v1/recordings/{recordingId}" => delete_one,
    "DELETE /api/v1/recordings" => delete_many,
    "POST /api/v1/recordings/{recordingId}/restore" => restore_one,
    "POST /api/v1/recordings/restore" => restore_many,
    "DELETE /api/v1/rooms/{roomId}" => delete_room,
    "DELETE /api/v1/rooms" => delete_rooms,
}

async fn delete_one(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let permanent = bool_param(&req, "permanent", false)?;
    let principal = app.auth.authenticate(&req)?;
    let ids = std::slice::from_ref(&id);
    let outcome =
        delete_recordings(app.deleter(), &principal, ids, permanent, now_millis()).await?;
    app.activity()
        .record(&outcome.activity(&principal, &req))
        .await;
    if let Some((_, failure)) = outcome.failed.first() {
        return Err(failure.to_error(&id));
    }
    let mut body = json!({"message": format!("Recording '{id}' deleted successfully")});
    if let Some(until) = outcome
        .trashed
        .first()
        .and_then(|r| r.trash)
        .map(|t| t.purge_at)
    {
        body["restorableUntil"] = until.into();
    }
    Ok(json_response(StatusCode::OK, &body))
}

async fn delete_many(app: &App, req: Request) -> HandlerResult {
    let ids = parse_bulk_ids(&list_param(&req, "recordingIds"))?;
    let permanent = bool_param(&req, "permanent", false)?;
    let principal = app.auth.authenticate(&req)?;
    let outcome =
        delete_recordings(app.deleter(), &principal, &ids, permanent, now_millis()).await?;
    app.activity()
        .record(&outcome.activity(&principal, &req))
        .await;
    let restorable: BTreeMap<&str, i64> = outcome
        .trashed
        .iter()
        .filter_map(|r| Some((r.recording_id.as_str(), r.trash?.purge_at)))
        .collect();
    let mut body = bulk_body(
        "deleted",
        outcome.removed(),
        outcome.failed.iter().map(|(id, f)| (id, f.message(id))),
    );
    body["restorableUntil"] = json!(restorable);
    Ok(bulk_response(&body))
}

async fn restore_one(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let principal = app.auth.authenticate(&req)?;
    let ids = std::slice::from_ref(&id);
    let outcome = restore_recordings(app.deleter(), &principal, ids).await?;
    app.activity()
        .record(&outcome.activity(&principal, &req))
        .await;
    match (outcome.restored.into_iter().next(), outcome.failed.first()) {
        (Some(recording), _) => Ok(json_response(StatusCode::OK, &recording)),
        (None, Some((_, failure))) => Err(failure.to_error(&id)),
        (None, None) => Err(ApiError::recording_not_found(id.as_str())),
    }
}

async fn restore_many(app: &App, req: Request) -> HandlerResult {
    let mut fields = Fields::from_body(&req)?;
    let raw = fields.strings("recordingIds").unwrap_or_default();
    fields.finish()?;
    let ids = parse_bulk_ids(&raw)?;
    let principal = app.auth.authenticate(&req)?;
    let outcome = restore_recordings(app.deleter(), &principal, &ids).await?;
    app.activity()
        .record(&outcome.activity(&principal, &req))
        .await;
    let body = bulk_body(
        "restored",
        outcome.restored.iter().map(|r| &r.recording_id).collect(),
        outcome.failed.iter().map(|(id, f)| (id, f.message(id))),
    );
    Ok(bulk_response(&body))
}

async fn delete_room(app: &App, req: Request) -> HandlerResult {
    let id = room_id_param(&req)?;
    let policy = Policy::parse(&req)?;
    let principal = app.auth.authenticate(&req)?;
    authorize(&principal, Action::DeleteRoom, None)?;
    let outcome = room_deletion::delete_room(app, &id, policy, now_millis()).await?;
    Ok(json_response(outcome.status, &outcome.to_json()))
}

/// One room after another; each answered as its own deletion would be.
async fn delete_rooms(app: &App, req: Request) -> HandlerResult {
    let ids = parse_room_ids(&list_param(&req, "roomIds"))?;
    let policy = Policy::parse(&req)?;
    let principal = app.auth.authenticate(&req)?;
    authorize(&principal, Action::DeleteRoom, None)?;
    let (mut successful, mut failed) = (Vec::new(), Vec::new());
    for id in &ids {
        match room_deletion::delete_room(app, id, policy, now_millis()).await {
            Ok(outcome) => {
                let mut done = outcome.to_json();
                done["roomId"] = json!(id);
                successful.push(done);
            }
            Err(err) => failed.push(json!({
                "roomId": id,
                "error": err.category().as_str(),
                "message": err.to_string(),
            })),
        }
    }
    let (status, message) = match failed.len() {
        0 => (
            StatusCode::OK,
            "All rooms processed successfully".to_owned(),
        ),
        n => (
            StatusCode::BAD_REQUEST,
            format!("{n} room(s) could not be deleted"),
        ),
    };
    let body = json!({"message": message, "successful": successful, "failed": failed});
    Ok(json_response(status, &body))
}

/// OpenVidu Meet's shape of a bulk answer: what was done, and why not for the rest.
fn bulk_body<'a>(
    done_name: &str,
    done: Vec<&RecordingId>,
    failed: impl Iterator<Item = (&'a RecordingId, String)>,
) -> Value {
    let failed: Vec<Value> = failed
        .map(|(id, error)| json!({"recordingId": id, "error": error}))
        .collect();
    let message = if failed.is_empty() {
        format!("All recordings {done_name} successfully")
    } else {
        format!("{} recording(s) could not be {done_name}", failed.len())
    };
    json!({"message": message, done_name: done, "failed": failed})
}

/// 200 when everything was done, 400 when anything failed.
fn bulk_response(body: &Value) -> Response<Body> {
    let failed = body["failed"].as_array().is_some_and(|f| !f.is_empty());
    let status = if failed {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    json_response(status, body)
}
