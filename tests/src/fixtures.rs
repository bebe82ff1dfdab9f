//! Recordings to arrange tests with.

use integration_tests::{ApiRequest, TestStack, remember_secret};
use shared::model::{
    Recording, RecordingConfig, RecordingId, RecordingStatus, Room, RoomConfig, RoomId, RoomSecret,
    RoomSecrets,
};
use shared::permissions::{RecordingAccess, Role};
use shared::store::Store;

pub const BASE_DATE: i64 = 1_764_000_000_000;

pub fn recording(room: &str, n: usize, status: RecordingStatus) -> Recording {
    let room_id = RoomId::parse(room).expect("valid room id");
    let id = RecordingId::new(&room_id, &format!("EG_t{n}"), &format!("u{n}"))
        .expect("valid recording id");
    Recording {
        filename: id.filename(),
        recording_id: id,
        room_id,
        room_name: format!("Room {room}"),
        title: None,
        status,
        // Distinct, increasing start dates: recording n is the n-th oldest.
        start_date: BASE_DATE + n as i64 * 60_000,
        end_date: Some(BASE_DATE + n as i64 * 60_000 + 30_000),
        duration: Some(30.0),
        size: Some(1000 + n as u64),
        error_code: None,
        error: None,
        details: None,
    }
}

pub async fn put_all(store: &Store, recordings: &[Recording]) {
    for r in recordings {
        store.put_recording(r).await.expect("recording stored");
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

/// A room with `access`, stored directly.
pub async fn room(stack: &TestStack, access: RecordingAccess) -> TestRoom {
    let config = RoomConfig {
        recording: RecordingConfig {
            enabled: true,
            allow_access_to: access,
        },
    };
    stored_room(stack, config).await
}

/// A room with `config`, stored directly.
pub async fn stored_room(stack: &TestStack, config: RoomConfig) -> TestRoom {
    let secrets = RoomSecrets::generate();
    let room = Room::new("Test room".to_owned(), config, BASE_DATE, &secrets);
    assert!(
        stack
            .store
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
