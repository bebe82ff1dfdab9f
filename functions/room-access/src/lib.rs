//! Rooms and their recording access: `POST /api/v1/rooms`, `GET /api/v1/rooms`,
//! `GET /api/v1/rooms/{roomId}`, `GET` and `PUT /api/v1/rooms/{roomId}/config`. The only
//! function that reads rooms' secrets, to show administrators the rooms' URLs.

use lambda_http::Request;
use lambda_http::http::{Method, StatusCode};
use shared::access::authorize;
use shared::clock::now_millis;
use shared::error::ApiError;
use shared::http::{json_response, query_param, room_id_param};
use shared::model::{Room, RoomSecrets};
use shared::pagination::RoomListQuery;
use shared::permissions::{Action, Principal};
use shared::rooms::{CreateRoom, parse_config_update};
use shared::runtime::{App, HandlerResult};

pub async fn handle(app: &App, req: Request) -> HandlerResult {
    // `/api/v1/rooms`, `/api/v1/rooms/{roomId}` or `/api/v1/rooms/{roomId}/config`.
    let depth = req.uri().path().trim_end_matches('/').split('/').count();
    match (req.method().clone(), depth) {
        (Method::POST, 4) => create(app, req).await,
        (Method::GET, 4) => list(app, req).await,
        (Method::GET, 5) => get(app, req).await,
        (Method::GET, 6) => get_config(app, req).await,
        (Method::PUT, 6) => update_config(app, req).await,
        _ => Err(ApiError::no_such_route()),
    }
}

async fn create(app: &App, req: Request) -> HandlerResult {
    let input = CreateRoom::parse(&req)?;
    let principal = app.auth.authenticate(&req)?;
    authorize(&principal, Action::CreateRoom, None)?;
    let secrets = RoomSecrets::generate();
    let room = Room::new(input.room_name, input.config, now_millis(), &secrets);
    if !app.store.create_room(&room, &secrets).await? {
        // Ids end in a random suffix; a clash is vanishingly rare and safe to retry.
        return Err(ApiError::Unavailable("room id clash".into()));
    }
    Ok(json_response(
        StatusCode::CREATED,
        &room.to_json(&app.config.public_base_url, Some(&secrets)),
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
    let body = page.to_json(
        "rooms",
        query.max_items,
        RoomListQuery::FINGERPRINT,
        app.page_tokens()?,
        |room| room.to_json(&app.config.public_base_url, secrets.get(&room.room_id)),
    );
    Ok(json_response(StatusCode::OK, &body))
}

/// Reads the room and authorizes reading it; 404 only for those who may know. With
/// `urls`, an administrator's read takes the room's secrets too, in the same round trip.
async fn load_readable(
    app: &App,
    req: &Request,
    urls: bool,
) -> Result<(Room, Option<RoomSecrets>), ApiError> {
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
    Ok((room, secrets))
}

async fn get(app: &App, req: Request) -> HandlerResult {
    let (room, secrets) = load_readable(app, &req, true).await?;
    Ok(json_response(
        StatusCode::OK,
        &room.to_json(&app.config.public_base_url, secrets.as_ref()),
    ))
}

async fn get_config(app: &App, req: Request) -> HandlerResult {
    let (room, _) = load_readable(app, &req, false).await?;
    Ok(json_response(StatusCode::OK, &room.config))
}

async fn update_config(app: &App, req: Request) -> HandlerResult {
    let room_id = room_id_param(&req)?;
    let patch = parse_config_update(&req)?;
    let principal = app.auth.authenticate(&req)?;
    authorize(&principal, Action::ChangeRoomConfig, None)?;
    let room = app
        .store
        .update_recording_config(&room_id, &patch)
        .await?
        .ok_or_else(|| ApiError::room_not_found(room_id.as_str()))?;
    Ok(json_response(StatusCode::OK, &room.config))
}
