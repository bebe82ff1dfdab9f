//! What tests arrange before they call a handler: recordings and rooms stored through the
//! real [`Store`] (so through its own encoding of items, never one written here), videos,
//! and credentials obtained through the real handlers.
//!
//! [`recording`] makes the `n`-th recording of a room and [`recording_with`] any one, [`put_all`] stores recordings, [`put_with_videos`] stores them with their videos;
//! [`room`] and [`stored_room`] store a room and keep its secrets; [`room_token`] and [`admin_token`] log in as a room's member
//! or the administrator.

use crate::{ApiRequest, TestStack, remember_secret};
use shared::model::{
    DEFAULT_TRASH_DAYS, Recording, RecordingAccess, RecordingConfig, RecordingId, RecordingStatus,
    Role, Room, RoomConfig, RoomId, RoomSecret, RoomSecrets,
};
use shared::store::Store;

/// The start date of recording 0 (milliseconds since the epoch).
pub const BASE_DATE: i64 = 1_764_000_000_000;

/// The `n`-th recording of room `room`, in `status`: 30 seconds and `1000 + n` bytes long,
/// its id unique to the room and `n`; recording n is the n-th oldest.
pub fn recording(room: &str, n: usize, status: RecordingStatus) -> Recording {
    let room_id = RoomId::parse(room).expect("valid room id");
    let id = RecordingId::new(&room_id, &format!("EG_t{n}"), &format!("u{n}"));
    let start_date = BASE_DATE + n as i64 * 60_000;
    recording_with(
        id.expect("valid recording id"),
        status,
        start_date,
        1000 + n as u64,
    )
}

/// The recording `id`, in `status`, 30 seconds long from `start_date`, `size` bytes.
pub fn recording_with(
    id: RecordingId,
    status: RecordingStatus,
    start_date: i64,
    size: u64,
) -> Recording {
    Recording {
        filename: id.filename(),
        room_id: id.room_id().clone(),
        room_name: format!("Room {}", id.room_id()),
        recording_id: id,
        title: None,
        status,
        start_date,
        end_date: Some(start_date + 30_000),
        duration: Some(30.0),
        size: Some(size),
        error_code: None,
        error: None,
        details: None,
        trash: None,
        legal_hold: None,
        expires_at: None,
    }
}

pub async fn put_all(store: &Store, recordings: &[Recording]) {
    for r in recordings {
        store.put_recording(r).await.expect("recording stored");
    }
}

/// Recordings stored, each with a (three-byte) video.
pub async fn put_with_videos(stack: &TestStack, recordings: &[Recording]) {
    put_all(&stack.store, recordings).await;
    for r in recordings {
        stack
            .put_video(&r.recording_id.s3_key(), vec![1, 2, 3])
            .await;
    }
}

/// A room as stored, and the secrets that only its URLs carry, which tests exchange for
/// tokens. Reads as the room.
pub struct TestRoom {
    pub room: Room,
    pub moderator_secret: RoomSecret,
    pub speaker_secret: RoomSecret,
}

impl std::ops::Deref for TestRoom {
    type Target = Room;
    fn deref(&self) -> &Room {
        &self.room
    }
}

/// A room with `access`, stored directly, with the default recycle bin.
pub async fn room(store: &Store, access: RecordingAccess) -> TestRoom {
    room_keeping(store, access, DEFAULT_TRASH_DAYS).await
}

/// A room with `access` whose recycle bin keeps deletes `trash_days` (0: deletes are
/// permanent at once), stored directly.
pub async fn room_keeping(store: &Store, access: RecordingAccess, trash_days: u8) -> TestRoom {
    let config = RoomConfig {
        recording: RecordingConfig {
            enabled: true,
            allow_access_to: access,
            trash_days,
            retention_days: None,
        },
        ..RoomConfig::default()
    };
    stored_room(store, config).await
}

/// A room with `config`, stored directly.
pub async fn stored_room(store: &Store, config: RoomConfig) -> TestRoom {
    let secrets = RoomSecrets::generate();
    let room = Room::new("Test room".to_owned(), config, BASE_DATE, &secrets);
    assert!(
        store
            .create_room(&room, &secrets)
            .await
            .expect("room stored")
    );
    TestRoom {
        room,
        moderator_secret: secrets.moderator,
        speaker_secret: secrets.speaker,
    }
}

/// A room token, exchanged for the room's secret through the real handler.
pub async fn room_token(stack: &TestStack, room: &TestRoom, role: Role) -> String {
    let secret = match role {
        Role::Moderator => room.moderator_secret.expose(),
        Role::Speaker => room.speaker_secret.expose(),
    };
    remember_secret(secret);
    let request = ApiRequest::new("POST", "/api/v1/rooms/{roomId}/recording-token")
        .path_param("roomId", room.room_id.as_str())
        .json(&serde_json::json!({ "secret": secret }));
    let response = stack.call(request, issue_token::handle).await;
    assert_eq!(response.status, 200, "{}", response.json());
    response.json()["token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

/// An admin token from the real login.
pub async fn admin_token(stack: &TestStack) -> String {
    let request = ApiRequest::new("POST", "/api/v1/auth/login").json(&serde_json::json!({
        "username": stack.env.get("ADMIN_USERNAME"),
        "password": stack.env.get("ADMIN_PASSWORD"),
    }));
    let response = stack.call(request, issue_token::handle).await;
    assert_eq!(response.status, 200, "{}", response.json());
    response.json()["accessToken"]
        .as_str()
        .expect("a token")
        .to_owned()
}
