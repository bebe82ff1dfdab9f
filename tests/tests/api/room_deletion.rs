//! Deleting and closing rooms under each policy, the sweeper finishing what one request
//! cannot, rooms deleting themselves on their `autoDeletionDate`, and retention per room.

use integration_tests::egress::FakeEgress;
use integration_tests::fixtures::{
    BASE_DATE, put_with_videos, recording, room, room_keeping, room_token,
};
use integration_tests::{ApiRequest, ApiResponse, TestStack};
use serde_json::{Value, json};
use shared::clock::now_millis;
use shared::model::{Recording, RecordingAccess, RecordingStatus, Role, Room};
use shared::{retention, room_deletion};

const ROOM: &str = "/api/v1/rooms/{roomId}";
const ROOMS: &str = "/api/v1/rooms";
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

async fn delete_room(stack: &TestStack, room: &Room, policy: &[(&str, &str)]) -> ApiResponse {
    let mut request = stack
        .admin("DELETE", ROOM)
        .path_param("roomId", room.room_id.as_str());
    for (name, value) in policy {
        request = request.query(name, value);
    }
    stack.call(request, delete_recordings::handle).await
}

async fn exchange(stack: &TestStack, room: &Room, secret: &str) -> ApiResponse {
    let request = ApiRequest::new("POST", "/api/v1/rooms/{roomId}/recording-token")
        .path_param("roomId", room.room_id.as_str())
        .json(&json!({ "secret": secret }));
    stack.call(request, issue_token::handle).await
}

async fn get_room(stack: &TestStack, room: &Room, token: Option<&str>) -> ApiResponse {
    let request = match token {
        Some(token) => ApiRequest::new("GET", ROOM).bearer(token),
        None => stack.admin("GET", ROOM),
    }
    .path_param("roomId", room.room_id.as_str());
    stack.call(request, room_access::handle).await
}

/// A stack publishing events, whose media server is `egress`.
async fn with_egress(egress: &FakeEgress) -> TestStack {
    let env = egress.env();
    let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    TestStack::with_events(&vars).await
}

/// Every video in the bucket is pointed to by a recording item.
async fn no_orphan_videos(stack: &TestStack) {
    let pointed_to = stack.recording_video_keys().await;
    for key in stack.video_keys().await {
        assert!(pointed_to.contains(&key), "video {key} has no item");
    }
}

fn recordings_of(room: &Room, range: std::ops::Range<usize>) -> Vec<Recording> {
    range
        .map(|n| recording(room.room_id.as_str(), n, RecordingStatus::Complete))
        .collect()
}

#[tokio::test]
async fn a_room_without_recordings_is_deleted_and_its_tokens_stop_working_at_once() {
    let stack = TestStack::with_events(&[]).await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let moderator = room_token(&stack, &room, Role::Moderator).await;
    assert_eq!(get_room(&stack, &room, Some(&moderator)).await.status, 200);

    let response = delete_room(&stack, &room, &[]).await;
    assert_eq!(response.status, 200, "{}", response.json());
    assert_eq!(response.json()["successCode"], "room_deleted");
    get_room(&stack, &room, Some(&moderator))
        .await
        .expect_error(403, "Authorization Error");
    get_room(&stack, &room, None)
        .await
        .expect_error(404, "Room Error");
    exchange(&stack, &room, room.moderator_secret.expose())
        .await
        .expect_error(401, "Authentication Error");
    delete_room(&stack, &room, &[])
        .await
        .expect_error(404, "Room Error");
    let events = stack.events.as_ref().expect("events").received(1).await;
    assert!(
        events.iter().any(|(kind, room_json)| kind == "roomDeleted"
            && room_json["roomId"] == room.room_id.as_str()),
        "{events:?}"
    );

    for (name, value) in [("withRecordings", "all"), ("withMeeting", "later")] {
        delete_room(&stack, &room, &[(name, value)])
            .await
            .expect_error(422, "Unprocessable Entity");
    }
    let moderator_delete = ApiRequest::new("DELETE", ROOM)
        .path_param("roomId", room.room_id.as_str())
        .bearer(&moderator);
    stack
        .call(moderator_delete, delete_recordings::handle)
        .await
        .expect_error(403, "Authorization Error");
}

#[tokio::test]
async fn recordings_make_a_deletion_fail_close_the_room_or_go_with_it() {
    let egress = FakeEgress::start().await;
    let stack = with_egress(&egress).await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let recordings = recordings_of(&room, 0..3);
    put_with_videos(&stack, &recordings).await;
    // One of them in the bin: a recording all the same.
    let binned = stack
        .admin("DELETE", "/api/v1/recordings/{recordingId}")
        .path_param("recordingId", recordings[2].recording_id.as_str());
    assert_eq!(
        stack.call(binned, delete_recordings::handle).await.status,
        200
    );
    let moderator = room_token(&stack, &room, Role::Moderator).await;

    let refused = delete_room(&stack, &room, &[]).await;
    let error = refused.expect_error(409, "Room Error");
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("has recordings")
    );

    // Closed: its links admit no one, its recordings stay for administrators.
    let response = delete_room(&stack, &room, &[("withRecordings", "close")]).await;
    assert_eq!(response.status, 200, "{}", response.json());
    let body = response.json();
    assert_eq!(body["successCode"], "room_closed");
    assert_eq!(body["room"]["status"], "closed");
    get_room(&stack, &room, Some(&moderator))
        .await
        .expect_error(403, "Authorization Error");
    let refused = exchange(&stack, &room, room.speaker_secret.expose()).await;
    let error = refused.expect_error(403, "Authorization Error");
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("closed")
    );
    let listed = stack
        .call(
            stack
                .admin("GET", "/api/v1/recordings")
                .query("roomId", room.room_id.as_str()),
            list_recordings::handle,
        )
        .await;
    assert_eq!(
        listed.json()["recordings"].as_array().expect("list").len(),
        2
    );
    let start = stack
        .admin("POST", "/api/v1/recordings")
        .json(&json!({"roomId": room.room_id.as_str()}));
    stack
        .call(start, record_control::handle)
        .await
        .expect_error(403, "Authorization Error");
    assert_eq!(
        get_room(&stack, &room, None).await.json()["status"],
        "closed"
    );

    // Forced: the room and every recording, the bin's too, in the no-loss order.
    let response = delete_room(&stack, &room, &[("withRecordings", "force")]).await;
    assert_eq!(response.status, 200, "{}", response.json());
    assert_eq!(
        response.json()["successCode"],
        "room_and_recordings_deleted"
    );
    assert!(stack.video_keys().await.is_empty());
    no_orphan_videos(&stack).await;
    get_room(&stack, &room, None)
        .await
        .expect_error(404, "Room Error");
    let events = stack.events.as_ref().expect("events").received(7).await;
    let by_room: Vec<&Value> = events
        .iter()
        .filter(|(kind, detail)| kind == "recordingDeleted" && detail["deletion"] == "roomDeleted")
        .map(|(_, detail)| detail)
        .collect();
    assert_eq!(by_room.len(), 3, "{events:?}");
    assert!(events.iter().any(|(kind, _)| kind == "roomClosed"));
    assert!(events.iter().any(|(kind, _)| kind == "roomDeleted"));
}

#[tokio::test]
async fn a_recording_on_legal_hold_stops_a_forced_deletion() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let recordings = recordings_of(&room, 0..2);
    put_with_videos(&stack, &recordings).await;
    let held = &recordings[1].recording_id;
    let hold = stack
        .admin("PUT", "/api/v1/recordings/{recordingId}/legal-hold")
        .path_param("recordingId", held.as_str())
        .json(&json!({"reason": "Audit"}));
    assert_eq!(stack.call(hold, update_recording::handle).await.status, 200);

    let refused = delete_room(&stack, &room, &[("withRecordings", "force")]).await;
    let error = refused.expect_error(409, "Room Error");
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains(held.as_str())
    );
    assert_eq!(stack.video_keys().await.len(), 2, "nothing deleted");
    assert_eq!(get_room(&stack, &room, None).await.json()["status"], "open");
    // Closing keeps it, held or not.
    let closed = delete_room(&stack, &room, &[("withRecordings", "close")]).await;
    assert_eq!(closed.status, 200);
}

#[tokio::test]
async fn a_room_with_more_recordings_than_a_request_deletes_is_finished_by_the_sweeper() {
    let stack = TestStack::new().await;
    let room = room_keeping(&stack.store, RecordingAccess::AdminModeratorSpeaker, 0).await;
    let recordings = recordings_of(&room, 0..320);
    put_with_videos(&stack, &recordings).await;

    let response = delete_room(&stack, &room, &[("withRecordings", "force")]).await;
    assert_eq!(response.status, 202, "{}", response.json());
    let body = response.json();
    assert_eq!(body["successCode"], "room_closing");
    assert_eq!(body["room"]["status"], "closing");
    assert_eq!(stack.video_keys().await.len(), 20);
    no_orphan_videos(&stack).await;
    // Closing: no one is admitted, no recording starts.
    exchange(&stack, &room, room.moderator_secret.expose())
        .await
        .expect_error(403, "Authorization Error");

    let acted = room_deletion::sweep_rooms(&stack.app, now_millis())
        .await
        .expect("swept");
    assert_eq!(acted, std::slice::from_ref(&room.room_id));
    assert!(stack.video_keys().await.is_empty());
    get_room(&stack, &room, None)
        .await
        .expect_error(404, "Room Error");
}

#[tokio::test]
async fn a_running_recording_fails_a_deletion_is_stopped_or_waited_for() {
    let egress = FakeEgress::start().await;
    let stack = with_egress(&egress).await;
    let now = now_millis();

    // A room whose recording runs: its lock held by it.
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let mut running = recording(room.room_id.as_str(), 1, RecordingStatus::Active);
    running.end_date = None;
    let done = recording(room.room_id.as_str(), 2, RecordingStatus::Complete);
    put_with_videos(&stack, &[running.clone(), done.clone()]).await;
    let id = running.recording_id.as_str();
    assert!(
        stack
            .store
            .lock_room_recording(&room.room_id, id, now, now + DAY_MS)
            .await
            .expect("locked")
    );

    let refused = delete_room(&stack, &room, &[("withRecordings", "force")]).await;
    let error = refused.expect_error(409, "Room Error");
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("recording runs")
    );

    // When it ends: 202, then nothing until it has ended.
    let policy = [
        ("withRecordings", "force"),
        ("withMeeting", "when_meeting_ends"),
    ];
    let response = delete_room(&stack, &room, &policy).await;
    assert_eq!(response.status, 202, "{}", response.json());
    let body = response.json();
    assert_eq!(
        body["successCode"],
        "room_with_active_meeting_and_recordings_scheduled_to_be_deleted"
    );
    assert_eq!(body["room"]["meetingEndAction"], "delete");
    let acted = room_deletion::sweep_rooms(&stack.app, now_millis())
        .await
        .expect("swept");
    assert!(acted.is_empty(), "the recording still runs");
    assert_eq!(stack.video_keys().await.len(), 2);

    // It ends (as its webhook would leave it); the next sweep deletes it all.
    let ended = stack
        .store
        .transition(
            &running.recording_id,
            &[RecordingStatus::Active],
            RecordingStatus::Complete,
            now,
        )
        .await
        .expect("ended");
    assert!(ended.is_some());
    stack
        .store
        .unlock_room_recording(&room.room_id, id)
        .await
        .expect("unlocked");
    let acted = room_deletion::sweep_rooms(&stack.app, now_millis())
        .await
        .expect("swept");
    assert_eq!(acted, std::slice::from_ref(&room.room_id));
    assert!(stack.video_keys().await.is_empty());
    get_room(&stack, &room, None)
        .await
        .expect_error(404, "Room Error");

    // Forced: the recording is stopped first, and with `close` the room closes.
    let other = room_keeping(&stack.store, RecordingAccess::AdminModeratorSpeaker, 7).await;
    let mut live = recording(other.room_id.as_str(), 3, RecordingStatus::Active);
    live.end_date = None;
    put_with_videos(&stack, std::slice::from_ref(&live)).await;
    let live_id = live.recording_id.as_str();
    assert!(
        stack
            .store
            .lock_room_recording(&other.room_id, live_id, now, now + DAY_MS)
            .await
            .expect("locked")
    );
    let policy = [("withRecordings", "close"), ("withMeeting", "force")];
    let response = delete_room(&stack, &other, &policy).await;
    assert_eq!(response.status, 200, "{}", response.json());
    assert_eq!(
        response.json()["successCode"],
        "room_with_active_meeting_closed"
    );
    assert!(
        egress
            .calls()
            .iter()
            .any(|call| call.method.contains("StopEgress")),
        "the egress was told to stop"
    );
    let stopped = stack
        .store
        .get_recording(&live.recording_id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(stopped.status, RecordingStatus::Ending);
}

#[tokio::test]
async fn rooms_are_deleted_in_bulk_each_on_its_own() {
    let stack = TestStack::new().await;
    let empty = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let with_recordings = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    put_with_videos(&stack, &recordings_of(&with_recordings, 0..1)).await;
    let ids = format!("{},{},unknown-room", empty.room_id, with_recordings.room_id);
    let request = stack.admin("DELETE", ROOMS).query("roomIds", &ids);
    let response = stack.call(request, delete_recordings::handle).await;
    assert_eq!(response.status, 400, "{}", response.json());
    let body = response.json();
    let successful = body["successful"].as_array().expect("successful");
    assert_eq!(successful.len(), 1);
    assert_eq!(successful[0]["roomId"], empty.room_id.as_str());
    assert_eq!(successful[0]["successCode"], "room_deleted");
    let failed = body["failed"].as_array().expect("failed");
    assert_eq!(failed.len(), 2);
    assert!(
        failed
            .iter()
            .any(|f| f["roomId"] == "unknown-room" && f["error"] == "Room Error")
    );

    let request = stack
        .admin("DELETE", ROOMS)
        .query("roomIds", with_recordings.room_id.as_str())
        .query("withRecordings", "close");
    let response = stack.call(request, delete_recordings::handle).await;
    assert_eq!(response.status, 200, "{}", response.json());
    assert_eq!(
        response.json()["successful"][0]["successCode"],
        "room_closed"
    );

    for ids in ["", "bad--id"] {
        let request = stack.admin("DELETE", ROOMS).query("roomIds", ids);
        stack
            .call(request, delete_recordings::handle)
            .await
            .expect_error(422, "Unprocessable Entity");
    }
}

#[tokio::test]
async fn openvidu_meets_room_fields_are_accepted_and_a_room_deletes_itself_when_due() {
    let stack = TestStack::new().await;
    let now = now_millis();
    let create = |body: Value| stack.admin("POST", ROOMS).json(&body);
    let date = now + 2 * 60 * 60 * 1000;
    let body = json!({
        "roomName": "Town hall",
        "autoDeletionDate": date,
        "autoDeletionPolicy": {"withMeeting": "force", "withRecordings": "close"},
        "config": {
            "recording": {"enabled": true},
            "chat": {"enabled": false},
            "virtualBackground": {"enabled": true},
        },
    });
    let response = stack.call(create(body), room_access::handle).await;
    assert_eq!(response.status, 201, "{}", response.json());
    let created = response.json();
    assert_eq!(created["autoDeletionDate"], date);
    assert_eq!(
        created["autoDeletionPolicy"],
        json!({"withMeeting": "force", "withRecordings": "close"})
    );
    assert_eq!(created["config"]["chat"], json!({"enabled": false}));
    assert_eq!(
        created["config"]["virtualBackground"],
        json!({"enabled": true})
    );
    assert_eq!(created["status"], "open");
    assert_eq!(created["meetingEndAction"], "none");

    for (body, field) in [
        (
            json!({"autoDeletionDate": now + 60_000}),
            "autoDeletionDate",
        ),
        (json!({"autoDeletionDate": "tomorrow"}), "autoDeletionDate"),
        (
            json!({"autoDeletionPolicy": {"withMeeting": "fail"}}),
            "autoDeletionPolicy.withMeeting",
        ),
        (
            json!({"config": {"chat": {"enabled": "yes"}}}),
            "config.chat.enabled",
        ),
        (json!({"config": {"chat": {}}}), "config.chat.enabled"),
        (
            json!({"config": {"whiteboard": {"enabled": true}}}),
            "config.whiteboard",
        ),
    ] {
        let response = stack.call(create(body.clone()), room_access::handle).await;
        let error = response.expect_error(422, "Unprocessable Entity");
        assert!(error.to_string().contains(field), "{body}: {error}");
    }

    // Not due yet; then due: no recordings, so the room goes.
    let id = created["roomId"].as_str().expect("roomId").to_owned();
    let acted = room_deletion::sweep_rooms(&stack.app, now)
        .await
        .expect("swept");
    assert!(acted.is_empty());
    let acted = room_deletion::sweep_rooms(&stack.app, date + 1)
        .await
        .expect("swept");
    assert_eq!(acted.len(), 1);
    assert_eq!(acted[0].as_str(), id);
    let gone = stack.store.get_room(&acted[0]).await.expect("read");
    assert!(gone.is_none());
}

#[tokio::test]
async fn retention_moves_what_is_due_to_the_bin_warns_a_week_ahead_and_spares_held_ones() {
    let stack = TestStack::with_events(&[]).await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let put = stack
        .admin("PUT", "/api/v1/rooms/{roomId}/config")
        .path_param("roomId", room.room_id.as_str())
        .json(&json!({"config": {"recording": {"retentionDays": 30}}}));
    let response = stack.call(put, room_access::handle).await;
    assert_eq!(response.status, 200, "{}", response.json());
    assert_eq!(response.json()["recording"]["retentionDays"], 30);

    // Recording n ends 30 s after BASE_DATE + n minutes.
    let recordings = recordings_of(&room, 0..3);
    put_with_videos(&stack, &recordings).await;
    let hold = stack
        .admin("PUT", "/api/v1/recordings/{recordingId}/legal-hold")
        .path_param("recordingId", recordings[2].recording_id.as_str())
        .json(&json!({"reason": "Audit"}));
    assert_eq!(stack.call(hold, update_recording::handle).await.status, 200);
    let end = |n: usize| recordings[n].end_date.expect("ended");
    let expires = |n: usize| end(n) + 30 * DAY_MS;

    let get = stack
        .admin("GET", "/api/v1/recordings/{recordingId}")
        .path_param("recordingId", recordings[0].recording_id.as_str());
    assert_eq!(
        stack.call(get, get_recording::handle).await.json()["expiresAt"],
        expires(0)
    );

    // Eight days before: nothing. Six days before recording 0's end: it is warned of,
    // once; the held one is not.
    let applied = retention::apply(stack.app.deleter(), expires(0) - 8 * DAY_MS)
        .await
        .expect("applied");
    assert!(applied.warned.is_empty() && applied.trashed.is_empty());
    let six_days_before = expires(0) - 6 * DAY_MS;
    let applied = retention::apply(stack.app.deleter(), six_days_before)
        .await
        .expect("applied");
    assert_eq!(applied.warned.len(), 2, "recordings 0 and 1: {applied:?}");
    assert!(applied.trashed.is_empty());
    let again = retention::apply(stack.app.deleter(), six_days_before)
        .await
        .expect("applied");
    assert!(again.warned.is_empty(), "each warning goes out once");

    // Due: recording 0 only (recording 1 ends a minute later), into the bin.
    let applied = retention::apply(stack.app.deleter(), expires(0))
        .await
        .expect("applied");
    assert_eq!(applied.trashed, [recordings[0].recording_id.clone()]);
    let bin = stack
        .call(
            stack
                .admin("GET", "/api/v1/recordings")
                .query("trashed", "true"),
            list_recordings::handle,
        )
        .await
        .json();
    assert_eq!(
        bin["recordings"][0]["deletedBy"],
        json!({"kind": "retention", "role": null})
    );
    // Long after: recording 1 too; the held one stays.
    let applied = retention::apply(stack.app.deleter(), expires(2) + DAY_MS)
        .await
        .expect("applied");
    assert_eq!(applied.trashed, [recordings[1].recording_id.clone()]);
    assert_eq!(stack.video_keys().await.len(), 3, "in the bin, videos kept");

    let events = stack.events.as_ref().expect("events").received(4).await;
    let warnings: Vec<&Value> = events
        .iter()
        .filter(|(kind, _)| kind == "recordingRetentionWarning")
        .map(|(_, detail)| detail)
        .collect();
    assert_eq!(warnings.len(), 2, "{events:?}");
    assert!(warnings.iter().any(|w| w["expiresAt"] == expires(0)));

    // A room without a bin: retention deletes for good.
    let no_bin = room_keeping(&stack.store, RecordingAccess::AdminModeratorSpeaker, 0).await;
    let put = stack
        .admin("PUT", "/api/v1/rooms/{roomId}/config")
        .path_param("roomId", no_bin.room_id.as_str())
        .json(&json!({"config": {"recording": {"retentionDays": 1}}}));
    assert_eq!(stack.call(put, room_access::handle).await.status, 200);
    let old = recording(no_bin.room_id.as_str(), 5, RecordingStatus::Complete);
    put_with_videos(&stack, std::slice::from_ref(&old)).await;
    let applied = retention::apply(stack.app.deleter(), BASE_DATE + 3 * DAY_MS)
        .await
        .expect("applied");
    assert_eq!(applied.deleted, std::slice::from_ref(&old.recording_id));
    assert!(
        !stack
            .video_keys()
            .await
            .contains(&old.recording_id.s3_key())
    );

    // Retention cleared: nothing more is due.
    let put = stack
        .admin("PUT", "/api/v1/rooms/{roomId}/config")
        .path_param("roomId", room.room_id.as_str())
        .json(&json!({"config": {"recording": {"retentionDays": null}}}));
    let response = stack.call(put, room_access::handle).await;
    assert!(response.json()["recording"].get("retentionDays").is_none());
    let rooms = stack.store.retained_rooms().await.expect("read");
    assert_eq!(
        rooms.len(),
        1,
        "only the room without a bin keeps a retention"
    );
}
