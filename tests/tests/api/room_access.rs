//! Room tokens against the recording routes, as rooms' recording access changes.

use integration_tests::{ApiRequest, TestStack};
use serde_json::json;
use shared::model::{RecordingAccess, RecordingStatus, Role};

use integration_tests::fixtures::{put_all, recording, room, room_token};

const LIST: &str = "/api/v1/recordings";
const GET: &str = "/api/v1/recordings/{recordingId}";
const CONFIG: &str = "/api/v1/rooms/{roomId}/config";

#[tokio::test]
async fn a_room_token_lists_and_gets_only_its_room() {
    let stack = TestStack::new().await;
    let mine = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let theirs = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let my_recording = recording(mine.room_id.as_str(), 1, RecordingStatus::Complete);
    let their_recording = recording(theirs.room_id.as_str(), 2, RecordingStatus::Complete);
    put_all(
        &stack.store,
        &[my_recording.clone(), their_recording.clone()],
    )
    .await;
    let token = room_token(&stack, &mine, Role::Speaker).await;

    // Without roomId: scoped to the token's room.
    let list = stack
        .call(
            ApiRequest::new("GET", LIST).bearer(&token),
            list_recordings::handle,
        )
        .await;
    assert_eq!(list.status, 200);
    let ids: Vec<_> = list.json()["recordings"]
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["recordingId"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids, [my_recording.recording_id.to_string()]);

    let other_room = ApiRequest::new("GET", LIST)
        .query("roomId", theirs.room_id.as_str())
        .bearer(&token);
    stack
        .call(other_room, list_recordings::handle)
        .await
        .expect_error(403, "Authorization Error");

    let get = |id: &str| {
        ApiRequest::new("GET", GET)
            .path_param("recordingId", id)
            .bearer(&token)
    };
    let own = stack
        .call(
            get(my_recording.recording_id.as_str()),
            get_recording::handle,
        )
        .await;
    assert_eq!(own.status, 200);
    assert_eq!(own.aws_calls, 1, "recording and room in one read");
    stack
        .call(
            get(their_recording.recording_id.as_str()),
            get_recording::handle,
        )
        .await
        .expect_error(403, "Authorization Error");
    // Another room's unknown recording: 403, not 404, so ids cannot be probed.
    let unknown_elsewhere = format!("{}--EG_x--nope", theirs.room_id);
    stack
        .call(get(&unknown_elsewhere), get_recording::handle)
        .await
        .expect_error(403, "Authorization Error");
    let unknown_here = format!("{}--EG_x--nope", mine.room_id);
    stack
        .call(get(&unknown_here), get_recording::handle)
        .await
        .expect_error(404, "Recording Error");
}

#[tokio::test]
async fn changing_a_rooms_access_applies_to_tokens_already_issued() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let rec = recording(room.room_id.as_str(), 1, RecordingStatus::Complete);
    put_all(&stack.store, std::slice::from_ref(&rec)).await;
    let speaker = room_token(&stack, &room, Role::Speaker).await;
    let moderator = room_token(&stack, &room, Role::Moderator).await;

    let set_access = |access: &str| {
        stack
            .admin("PUT", CONFIG)
            .path_param("roomId", room.room_id.as_str())
            .json(&json!({"config": {"recording": {"allowAccessTo": access}}}))
    };
    let statuses = |token: String| {
        let stack = &stack;
        let id = rec.recording_id.to_string();
        async move {
            let list = stack
                .call(
                    ApiRequest::new("GET", LIST).bearer(&token),
                    list_recordings::handle,
                )
                .await
                .status;
            let get = stack
                .call(
                    ApiRequest::new("GET", GET)
                        .path_param("recordingId", &id)
                        .bearer(&token),
                    get_recording::handle,
                )
                .await
                .status;
            (list, get)
        }
    };

    for (access, speaker_status, moderator_status) in [
        ("admin_moderator_speaker", 200, 200),
        ("admin_moderator", 403, 200),
        ("admin", 403, 403),
        ("admin_moderator", 403, 200),
        ("admin_moderator_speaker", 200, 200),
    ] {
        let response = stack.call(set_access(access), room_access::handle).await;
        assert_eq!(response.status, 200, "{}", response.json());
        assert_eq!(
            statuses(speaker.clone()).await,
            (speaker_status, speaker_status),
            "speaker under {access}"
        );
        assert_eq!(
            statuses(moderator.clone()).await,
            (moderator_status, moderator_status),
            "moderator under {access}"
        );
        // Administrators keep access throughout.
        let admin = stack
            .call(
                stack
                    .admin("GET", GET)
                    .path_param("recordingId", rec.recording_id.as_str()),
                get_recording::handle,
            )
            .await;
        assert_eq!(admin.status, 200);
    }
}
