//! Rooms and their recording access: `POST /api/v1/rooms`, `GET /api/v1/rooms`,
//! `GET /api/v1/rooms/{roomId}`, `GET` and `PUT /api/v1/rooms/{roomId}/config`. The only
//! function that reads rooms' secrets, to show administrators the rooms' URLs, which open
//! the room in the console.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde_json::json;
use shared::app::App;
use shared::clock::now_millis;
use shared::error::ApiError;
use shared::http::{query_param, room_id_param};
use shared::lifecycle::current_recording;
use shared::model::{Activity, ActivityKind, Actor, Principal, Room, RoomSecrets};
use shared::pagination::RoomListQuery;
use shared::permissions::{Action, RoomPermissions, authorize};
use shared::response::{conditional_json_response, json_response};
use shared::rooms::{CreateRoom, parse_config_update};
use shared::runtime::HandlerResult;

shared::routes! {
    "POST /api/v1/rooms" => create,
    "GET /api/v1/rooms" => list,
    "GET /api/v1/rooms/{roomId}" => get,
    "GET /api/v1/rooms/{roomId}/config" => get_config,
    "PUT /api/v1/rooms/{roomId}/config" => update_config,
}

async fn create(app: &App, req: Request) -> HandlerResult {
    let now = now_millis();
    let input = CreateRoom::parse(&req, now)?;
    let principal = app.auth.authenticate(&req)?;
    authorize(&principal, Action::CreateRoom, None)?;
    let secrets = RoomSecrets::generate();
    let room = Room {
        auto_deletion_date: input.auto_deletion_date,
        auto_deletion_policy: input.auto_deletion_policy,
        ..Room::new(input.room_name, input.config, now, &secrets)
    };
    if !app.store.create_room(&room, &secrets).await? {
        // Ids end in a random suffix; a clash is vanishingly rare and safe to retry.
        return Err(ApiError::Unavailable("room id clash".into()));
    }
    Ok(json_response(
        StatusCode::CREATED,
        &room.to_json(app.console_origin()?, Some(&secrets)),
    ))
}

/// Rooms are listed to administrators only, so every room comes with its URLs: one more
/// read for the page's secrets.
async fn list(app: &App, req: Request) -> HandlerResult {
    let query = RoomListQuery::parse(|name| query_param(&req, name), app.page_tokens()?)?;
    let principal = app.auth.authenticate(&req)?;
    authorize(&principal, Action::ListRooms, None)?;
    let page = app.store.list_rooms(&query).await?;
    let ids: Vec<_> = page.items.iter().map(|room| &room.room_id).collect();
    let secrets = app.store.room_secrets(&ids).await?;
    let console = app.console_origin()?;
    let body = page.to_json(
        "rooms",
        query.max_items,
        RoomListQuery::FINGERPRINT,
        app.page_tokens()?,
        |room| room.to_json(console, secrets.get(&room.room_id)),
    );
    Ok(json_response(StatusCode::OK, &body))
}

/// Reads the room and authorizes reading it; 404 only for those who may know. With
/// `urls`, an administrator's read takes the room's secrets too, in the same round trip.
async fn load_readable(
    app: &App,
    req: &Request,
    urls: bool,
) -> Result<(Room, Option<RoomSecrets>, Principal), ApiError> {
    let room_id = room_id_param(req)?;
    let principal = app.auth.authenticate(req)?;
    let (room, secrets) = if urls && principal == Principal::Admin {
        match app.store.get_room_with_secrets(&room_id).await? {
            Some((room, secrets)) => (Some(room), secrets),
            None => (None, None),
        }
    } else {
        (app.store.get_room(&room_id).await?, None)
    };
    authorize(&principal, Action::ReadRoom, room.as_ref())?;
    let room = room.ok_or_else(|| ApiError::room_not_found(room_id.as_str()))?;
    Ok((room, secrets, principal))
}

/// The room, what the caller may do in it now and what it records now: all a room view
/// shows, in one request that a poll with `If-None-Match` gets back as a bodiless 304.
async fn get(app: &App, req: Request) -> HandlerResult {
    let (room, secrets, principal) = load_readable(app, &req, true).await?;
    let current = current_recording(&app.store, &room, now_millis()).await?;
    // Only an administrator's read has the secrets, and with them the links.
    let console = match secrets {
        Some(_) => app.console_origin()?,
        None => "",
    };
    let mut body = room.to_json(console, secrets.as_ref());
    body["permissions"] = json!(RoomPermissions::of(&principal, &room.policy()));
    body["currentRecording"] = json!(current);
    Ok(conditional_json_response(&req, StatusCode::OK, &body))
}

async fn get_config(app: &App, req: Request) -> HandlerResult {
    let (room, ..) = load_readable(app, &req, false).await?;
    Ok(json_response(StatusCode::OK, &room.config))
}

async fn update_config(app: &App, req: Request) -> HandlerResult {
    let room_id = room_id_param(&req)?;
    let patch = parse_config_update(&req)?;
    let principal = app.auth.authenticate(&req)?;
    authorize(&principal, Action::ChangeRoomConfig, None)?;
    let result = match app.store.update_recording_config(&room_id, &patch).await {
        Ok(Some(room)) => Ok(room.config),
        Ok(None) => Err(ApiError::room_not_found(room_id.as_str())),
        Err(err) => Err(err.into()),
    };
    // Changes to rooms that exist go into their activity.
    if let Ok(config) = &result {
        let entry = Activity::of_room(
            ActivityKind::RoomConfigChanged,
            &room_id,
            Actor::of(&principal),
            &req,
        )
        .with_details(json!(config));
        app.activity().record(&[entry]).await;
    }
    result.map(|config| json_response(StatusCode::OK, &config))
}
