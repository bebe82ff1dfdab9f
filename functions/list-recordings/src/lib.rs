//! `GET /api/v1/recordings`: one page of recordings, or of the recycle bin
//! (`trashed=true`), filtered and sorted; and the activity
//! trails, `GET /api/v1/recordings/{recordingId}/activity` and
//! `GET /api/v1/rooms/{roomId}/activity`, newest first.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use shared::access::authorize_in_room;
use shared::app::App;
use shared::error::ApiError;
use shared::http::{query_param, recording_id_param, room_id_param};
use shared::model::RoomId;
use shared::pagination::{ActivityQuery, ListQuery};
use shared::permissions::Action;
use shared::response::json_response;
use shared::runtime::HandlerResult;
use shared::store::ActivityScope;

shared::routes! {
    "GET /api/v1/recordings" => list,
    "GET /api/v1/recordings/{recordingId}/activity" => recording_activity,
    "GET /api/v1/rooms/{roomId}/activity" => room_activity,
}

async fn list(app: &App, req: Request) -> HandlerResult {
    let mut query = ListQuery::parse(|name| query_param(&req, name), app.page_tokens()?)?;
    let principal = app.auth.authenticate(&req)?;
    query.scope_to(&principal);
    let action = match query.trashed {
        true => Action::ListRecycleBin,
        false => Action::ListRecordings,
    };
    let decider = authorize_in_room(&app.store, &principal, action, query.room_id.as_ref()).await?;
    let may_delete = decider.may(Action::DeleteRecording);
    let page = app.store.list_recordings(&query).await?;
    // The page's rooms, for when their retention removes each recording (`expiresAt`):
    // one more read, of at most a page's rooms; none for the recycle bin.
    let rooms: Vec<&RoomId> = match query.trashed {
        true => Vec::new(),
        false => page.items.iter().map(|r| &r.room_id).collect(),
    };
    let rooms = app.store.load_with_rooms(&[], &rooms).await?.rooms;
    let body = page.to_json(
        "recordings",
        query.max_items,
        &query.fingerprint,
        app.page_tokens()?,
        |r| {
            let config = rooms.get(&r.room_id).map(|room| &room.config.recording);
            query
                .fields
                .apply(&r.clone().shown_to(may_delete).expiring(config))
        },
    );
    Ok(json_response(StatusCode::OK, &body))
}

/// A recording's trail, kept after it is deleted: the room in its id is what decides.
async fn recording_activity(app: &App, req: Request) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let scope = format!("recording={id}");
    let query = ActivityQuery::parse(|name| query_param(&req, name), &scope, app.page_tokens()?)?;
    let principal = app.auth.authenticate(&req)?;
    authorize_in_room(
        &app.store,
        &principal,
        Action::ReadRecordingActivity,
        Some(id.room_id()),
    )
    .await?;
    activity_page(app, ActivityScope::Recording(&id), &scope, &query).await
}

async fn room_activity(app: &App, req: Request) -> HandlerResult {
    let room_id = room_id_param(&req)?;
    let scope = format!("room={room_id}");
    let query = ActivityQuery::parse(|name| query_param(&req, name), &scope, app.page_tokens()?)?;
    let principal = app.auth.authenticate(&req)?;
    authorize_in_room(&app.store, &principal, Action::ReadRoomActivity, None).await?;
    if app.store.get_room(&room_id).await?.is_none() {
        return Err(ApiError::room_not_found(room_id.as_str()));
    }
    activity_page(app, ActivityScope::Room(&room_id), &scope, &query).await
}

async fn activity_page(
    app: &App,
    scope: ActivityScope<'_>,
    fingerprint_scope: &str,
    query: &ActivityQuery,
) -> HandlerResult {
    let page = app
        .store
        .list_activity(scope, &query.kinds, query.max_items, query.cursor.as_ref())
        .await?;
    let body = page.to_json(
        "activity",
        query.max_items,
        &ActivityQuery::fingerprint(fingerprint_scope, &query.kinds),
        app.page_tokens()?,
        |entry| serde_json::json!(entry),
    );
    Ok(json_response(StatusCode::OK, &body))
}
