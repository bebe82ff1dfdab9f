//! Starting and stopping recordings through LiveKit's egress (a local server speaking its
//! Twirp protocol), webhooks signed by LiveKit's own SDK, events, and the sweeper.

use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::future::join_all;
use integration_tests::egress::{API_KEY, API_SECRET, Behaviour, FakeEgress, signed_webhook};
use integration_tests::{ApiRequest, ApiResponse, TestStack};
use serde_json::{Value, json};
use shared::clock::{now_millis, now_seconds};
use shared::model::{
    Recording, RecordingAccess, RecordingConfig, RecordingId, RecordingStatus, Role, Room,
    RoomConfig,
};

use integration_tests::fixtures::{recording, room, room_token, stored_room};

const START: &str = "/api/v1/recordings";
const STOP: &str = "/api/v1/recordings/{recordingId}/stop";
const WEBHOOK: &str = "/webhooks/livekit";

async fn stack_with(egress: &FakeEgress) -> TestStack {
    let env = egress.env();
    let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    TestStack::with_events(&vars).await
}

async fn start(stack: &TestStack, room: &Room, token: Option<&str>) -> ApiResponse {
    let request = match token {
        Some(token) => ApiRequest::new("POST", START).bearer(token),
        None => stack.admin("POST", START),
    }
    .json(&json!({"roomId": room.room_id.as_str()}));
    stack.call(request, record_control::handle).await
}

async fn stop(stack: &TestStack, id: &str) -> ApiResponse {
    let request = stack.admin("POST", STOP).path_param("recordingId", id);
    stack.call(request, record_control::handle).await
}

/// A webhook about `id`'s egress, signed with `secret` (the right one unless testing).
fn event(id: &RecordingId, kind: &str, status: &str, extra: Value, created_at: i64) -> Value {
    let mut info = json!({
        "egressId": id.egress_id(),
        "roomName": id.room_id().as_str(),
        "status": status,
        "startedAt": (now_millis() * 1_000_000).to_string(),
        "roomComposite": {"roomName": id.room_id().as_str(), "fileOutputs": [{"filepath": id.s3_key()}]},
    });
    if let (Some(info), Some(extra)) = (info.as_object_mut(), extra.as_object()) {
        info.extend(extra.clone());
    }
    static EVENTS: AtomicUsize = AtomicUsize::new(0);
    let event_id = format!("EV_{}_{}", id.uid(), EVENTS.fetch_add(1, Ordering::Relaxed));
    json!({"event": kind, "id": event_id, "createdAt": created_at.to_string(), "egressInfo": info})
}

async fn deliver(stack: &TestStack, event: &Value, secret: &str) -> ApiResponse {
    let (body, authorization) = signed_webhook(event, API_KEY, secret);
    deliver_raw(stack, &body, Some(&authorization)).await
}

async fn deliver_raw(stack: &TestStack, body: &str, authorization: Option<&str>) -> ApiResponse {
    let mut request = ApiRequest::new("POST", WEBHOOK).raw_body(body);
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    stack.call(request, egress_webhook::handle).await
}

async fn stored(stack: &TestStack, id: &RecordingId) -> Recording {
    stack
        .store
        .get_recording(id)
        .await
        .expect("read")
        .expect("the recording exists")
}

fn recording_id(response: &ApiResponse) -> RecordingId {
    RecordingId::parse(response.json()["recordingId"].as_str().expect("id")).expect("valid id")
}

#[tokio::test]
async fn start_asks_the_egress_for_the_room_and_file_then_stop_ends_it() {
    let egress = FakeEgress::start().await;
    let stack = stack_with(&egress).await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let moderator = room_token(&stack, &room, Role::Moderator).await;

    let response = start(&stack, &room, Some(&moderator)).await;
    assert_eq!(response.status, 201, "{}", response.json());
    let id = recording_id(&response);
    assert_eq!(
        response.headers["location"],
        format!("/api/v1/recordings/{id}").as_str()
    );
    let body = response.json();
    assert_eq!(body["status"], "starting");
    assert_eq!(body["roomId"], room.room_id.as_str());
    assert_eq!(body["filename"], id.filename());

    let calls = egress.calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.method, "StartRoomCompositeEgress");
    let claims = call
        .claims
        .as_ref()
        .expect("the token verifies with the API secret");
    // Recording that room and nothing more (no roomAdmin).
    assert_eq!(
        claims["video"],
        json!({"roomRecord": true, "room": room.room_id.as_str()})
    );
    assert_eq!(call.body["roomName"], room.room_id.as_str());
    assert_eq!(call.body["fileOutputs"][0]["filepath"], id.s3_key());
    assert_eq!(
        call.body["fileOutputs"][0]["s3"]["bucket"],
        stack.bucket.as_str()
    );

    // One active recording per room.
    let again = start(&stack, &room, None).await;
    again.expect_error(409, "Recording Error");

    let stopped = stop(&stack, id.as_str()).await;
    assert_eq!(stopped.status, 202, "{}", stopped.json());
    assert_eq!(stopped.json()["status"], "ending");
    let stop_call = egress.calls().pop().expect("a stop call");
    assert_eq!(stop_call.method, "StopEgress");
    assert_eq!(stop_call.body["egressId"], id.egress_id());
    assert!(stop_call.claims.is_some());
    stop(&stack, id.as_str())
        .await
        .expect_error(409, "Recording Error");
}

#[tokio::test]
async fn who_may_start_and_stop() {
    let egress = FakeEgress::start().await;
    let stack = stack_with(&egress).await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let other = self::room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let speaker = room_token(&stack, &room, Role::Speaker).await;
    let stranger = room_token(&stack, &other, Role::Moderator).await;

    start(&stack, &room, Some(&speaker))
        .await
        .expect_error(403, "Authorization Error");
    start(&stack, &room, Some(&stranger))
        .await
        .expect_error(403, "Authorization Error");
    let started = start(&stack, &room, None).await;
    assert_eq!(started.status, 201);
    let id = recording_id(&started);
    for token in [&speaker, &stranger] {
        let request = ApiRequest::new("POST", STOP)
            .path_param("recordingId", id.as_str())
            .bearer(token);
        stack
            .call(request, record_control::handle)
            .await
            .expect_error(403, "Authorization Error");
    }

    // Recording disabled: nobody may start, administrators included.
    let disabled = stored_room(
        &stack.store,
        RoomConfig {
            recording: RecordingConfig {
                enabled: false,
                allow_access_to: RecordingAccess::AdminModeratorSpeaker,
                ..RecordingConfig::default()
            },
            ..RoomConfig::default()
        },
    )
    .await;
    let moderator = room_token(&stack, &disabled, Role::Moderator).await;
    start(&stack, &disabled, None)
        .await
        .expect_error(403, "Authorization Error");
    start(&stack, &disabled, Some(&moderator))
        .await
        .expect_error(403, "Authorization Error");

    let request = stack
        .admin("POST", START)
        .json(&json!({"roomId": "no-such-room"}));
    stack
        .call(request, record_control::handle)
        .await
        .expect_error(404, "Room Error");
    for body in [
        json!({}),
        json!({"roomId": "bad--room"}),
        json!({"roomId": 5, "x": 1}),
    ] {
        let request = stack.admin("POST", START).json(&body);
        stack
            .call(request, record_control::handle)
            .await
            .expect_error(422, "Unprocessable Entity");
    }
}

#[tokio::test]
async fn concurrent_starts_of_one_room_start_exactly_one_recording() {
    let egress = FakeEgress::start().await;
    let stack = stack_with(&egress).await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let attempts = (0..6).map(|_| start(&stack, &room, None));
    let statuses: Vec<u16> = join_all(attempts).await.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(egress.calls().len(), 1, "only the winner asked the egress");
}

#[tokio::test]
async fn an_egress_that_fails_or_hangs_gives_503_and_frees_the_room() {
    let egress = FakeEgress::start().await;
    let stack = stack_with(&egress).await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    for behaviour in [Behaviour::Fails, Behaviour::Hangs] {
        egress.set(behaviour);
        let started = std::time::Instant::now();
        start(&stack, &room, None)
            .await
            .expect_error(503, "Service Unavailable");
        assert!(started.elapsed().as_secs() < 8, "the egress call timed out");
    }
    let listed = stack
        .call(
            stack.admin("GET", "/api/v1/recordings"),
            list_recordings::handle,
        )
        .await;
    assert_eq!(
        listed.json()["recordings"],
        json!([]),
        "nothing left starting"
    );
    egress.set(Behaviour::Works);
    let response = start(&stack, &room, None).await;
    assert_eq!(response.status, 201, "the room is free");
    let id = recording_id(&response);

    // A stop the egress cannot hear leaves the recording as it was, to be stopped again.
    egress.set(Behaviour::Fails);
    stop(&stack, id.as_str())
        .await
        .expect_error(503, "Service Unavailable");
    assert_eq!(stored(&stack, &id).await.status, RecordingStatus::Starting);
    egress.set(Behaviour::Works);
    assert_eq!(stop(&stack, id.as_str()).await.status, 202);
}

#[tokio::test]
async fn webhooks_complete_the_recording_which_then_plays_and_events_are_published() {
    let egress = FakeEgress::start().await;
    let stack = stack_with(&egress).await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let started = start(&stack, &room, None).await;
    let id = recording_id(&started);

    let now = now_seconds();
    let response = deliver(
        &stack,
        &event(&id, "egress_started", "EGRESS_ACTIVE", json!({}), now),
        API_SECRET,
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.json());
    assert_eq!(stored(&stack, &id).await.status, RecordingStatus::Active);

    // The egress writes the file where it was asked to, then reports the end.
    let video: Vec<u8> = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../infra/demo/demo-1.mp4"
    ))
    .expect("demo video");
    stack.put_video(&id.s3_key(), video.clone()).await;
    let ended = event(
        &id,
        "egress_ended",
        "EGRESS_COMPLETE",
        json!({
            "endedAt": ((now_millis() + 4000) * 1_000_000).to_string(),
            "fileResults": [{"filename": id.s3_key(), "size": video.len().to_string(), "duration": "4000000000"}],
        }),
        now,
    );
    assert_eq!(deliver(&stack, &ended, API_SECRET).await.status, 200);
    let done = stored(&stack, &id).await;
    assert_eq!(done.status, RecordingStatus::Complete);
    assert_eq!(done.size, Some(video.len() as u64));
    assert_eq!(done.duration, Some(4.0));
    assert!(done.end_date.is_some());

    let play = stack
        .call(
            stack
                .admin("GET", "/api/v1/recordings/{recordingId}/media")
                .path_param("recordingId", id.as_str()),
            download_recording::handle,
        )
        .await;
    assert_eq!(play.status, 302);
    let fetched = reqwest::get(play.headers["location"].to_str().expect("ascii"))
        .await
        .expect("fetched");
    assert_eq!(fetched.bytes().await.expect("bytes").to_vec(), video);

    // The room is free again, and integrations heard of it all.
    assert_eq!(start(&stack, &room, None).await.status, 201);
    let deleted = stack
        .call(
            stack
                .admin("DELETE", "/api/v1/recordings/{recordingId}")
                .path_param("recordingId", id.as_str())
                .query("permanent", "true"),
            delete_recordings::handle,
        )
        .await;
    assert_eq!(deleted.status, 200);
    let events = stack.events.as_ref().expect("events").received(4).await;
    let of_this: Vec<&str> = events
        .iter()
        .filter(|(_, detail)| detail["recordingId"] == id.as_str())
        .map(|(kind, _)| kind.as_str())
        .collect();
    assert_eq!(
        of_this,
        ["recordingStarted", "recordingEnded", "recordingDeleted"]
    );
}

#[tokio::test]
async fn duplicate_and_late_webhooks_change_nothing() {
    let egress = FakeEgress::start().await;
    let stack = stack_with(&egress).await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let id = recording_id(&start(&stack, &room, None).await);
    let now = now_seconds();
    let complete = event(
        &id,
        "egress_ended",
        "EGRESS_COMPLETE",
        json!({"fileResults": [{"filename": id.s3_key(), "size": "1000", "duration": "2000000000"}]}),
        now,
    );
    assert_eq!(
        deliver(&stack, &complete, API_SECRET).await.json()["message"],
        "applied"
    );
    let first = stored(&stack, &id).await;
    assert_eq!(
        deliver(&stack, &complete, API_SECRET).await.json()["message"],
        "duplicate"
    );
    let late = event(
        &id,
        "egress_updated",
        "EGRESS_ACTIVE",
        json!({"fileResults": [{"size": "5"}]}),
        now,
    );
    assert_eq!(
        deliver(&stack, &late, API_SECRET).await.json()["message"],
        "ignored"
    );
    let failed = event(
        &id,
        "egress_ended",
        "EGRESS_FAILED",
        json!({"error": "late failure"}),
        now,
    );
    deliver(&stack, &failed, API_SECRET).await;
    assert_eq!(
        stored(&stack, &id).await,
        first,
        "the first final state stands"
    );

    // A webhook for an egress whose start was never stored creates the recording.
    let orphan = recording(room.room_id.as_str(), 77, RecordingStatus::Active).recording_id;
    let response = deliver(
        &stack,
        &event(&orphan, "egress_updated", "EGRESS_ACTIVE", json!({}), now),
        API_SECRET,
    )
    .await;
    assert_eq!(response.json()["message"], "applied");
    let created = stored(&stack, &orphan).await;
    assert_eq!(created.status, RecordingStatus::Active);
    assert_eq!(created.room_name, room.room_name);
}

#[tokio::test]
async fn unverified_webhooks_are_401_and_change_nothing() {
    let egress = FakeEgress::start().await;
    let stack = stack_with(&egress).await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let id = recording_id(&start(&stack, &room, None).await);
    let now = now_seconds();
    let complete = event(&id, "egress_ended", "EGRESS_COMPLETE", json!({}), now);
    let (body, authorization) = signed_webhook(&complete, API_KEY, API_SECRET);

    let tampered = body.replace("EGRESS_COMPLETE", "EGRESS_FAILED");
    let (_, wrong_key) = signed_webhook(&complete, API_KEY, "another-secret-of-some-length");
    let (_, other_issuer) = signed_webhook(&complete, "APIother", API_SECRET);
    let stale = event(
        &id,
        "egress_ended",
        "EGRESS_COMPLETE",
        json!({}),
        now - 3600,
    );
    let (stale_body, stale_auth) = signed_webhook(&stale, API_KEY, API_SECRET);
    for (name, body, auth) in [
        (
            "tampered body",
            tampered.as_str(),
            Some(authorization.as_str()),
        ),
        ("wrong secret", body.as_str(), Some(wrong_key.as_str())),
        (
            "another API key",
            body.as_str(),
            Some(other_issuer.as_str()),
        ),
        ("stale", stale_body.as_str(), Some(stale_auth.as_str())),
        ("no signature", body.as_str(), None),
        ("garbage signature", body.as_str(), Some("nonsense")),
    ] {
        let response = deliver_raw(&stack, body, auth).await;
        assert_eq!(response.status, 401, "{name}");
        response.expect_error(401, "Authentication Error");
    }
    assert_eq!(stored(&stack, &id).await.status, RecordingStatus::Starting);
    // The genuine one, with or without a Bearer prefix, is applied.
    let response = deliver_raw(&stack, &body, Some(&format!("Bearer {authorization}"))).await;
    assert_eq!(response.status, 200);
    assert_eq!(stored(&stack, &id).await.status, RecordingStatus::Complete);
}

#[tokio::test]
async fn the_sweeper_aborts_stuck_recordings_and_leaves_healthy_ones() {
    let egress = FakeEgress::start().await;
    let stack = stack_with(&egress).await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let healthy = recording_id(&start(&stack, &room, None).await);
    let mut stuck = recording("stuck-room", 1, RecordingStatus::Starting);
    stuck.start_date = now_millis() - 3_600_000;
    stack.store.put_recording(&stuck).await.expect("stored");
    let mut finished = recording("stuck-room", 2, RecordingStatus::Complete);
    finished.start_date = now_millis() - 3_600_000;
    stack.store.put_recording(&finished).await.expect("stored");

    let result = sweep_recordings::sweep(&stack.app).await.expect("swept");
    assert_eq!(result["aborted"], json!([stuck.recording_id.as_str()]));
    assert_eq!(
        stored(&stack, &stuck.recording_id).await.status,
        RecordingStatus::Aborted
    );
    assert_eq!(
        stored(&stack, &healthy).await.status,
        RecordingStatus::Starting
    );
    assert_eq!(
        stored(&stack, &finished.recording_id).await.status,
        RecordingStatus::Complete
    );
    // Aborted recordings can be deleted.
    let deleted = stack
        .call(
            stack
                .admin("DELETE", "/api/v1/recordings/{recordingId}")
                .path_param("recordingId", stuck.recording_id.as_str())
                .query("permanent", "true"),
            delete_recordings::handle,
        )
        .await;
    assert_eq!(deleted.status, 200);
    let again = sweep_recordings::sweep(&stack.app).await.expect("swept");
    assert_eq!(again["aborted"], json!([]));
}

fn demo_video() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../infra/demo/demo-1.mp4"
    ))
    .expect("demo video")
}

/// `egress_ended` reporting the finished file of `id`.
fn ended(id: &RecordingId, size: usize) -> Value {
    event(
        id,
        "egress_ended",
        "EGRESS_COMPLETE",
        json!({"fileResults": [{"filename": id.s3_key(), "size": size.to_string(), "duration": "4000000000"}]}),
        now_seconds(),
    )
}

async fn delete(stack: &TestStack, id: &RecordingId) -> ApiResponse {
    let request = stack
        .admin("DELETE", "/api/v1/recordings/{recordingId}")
        .path_param("recordingId", id.as_str())
        .query("permanent", "true");
    stack.call(request, delete_recordings::handle).await
}

async fn listed(stack: &TestStack) -> Vec<String> {
    let response = stack
        .call(stack.admin("GET", START), list_recordings::handle)
        .await;
    response.json()["recordings"]
        .as_array()
        .expect("recordings")
        .iter()
        .filter_map(|r| r["recordingId"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_deleted_recording_stays_deleted_whatever_its_egress_reports_later() {
    let egress = FakeEgress::start().await;
    let stack = stack_with(&egress).await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let id = recording_id(&start(&stack, &room, None).await);
    let video = demo_video();
    stack.put_video(&id.s3_key(), video.clone()).await;
    let complete = ended(&id, video.len());
    assert_eq!(
        deliver(&stack, &complete, API_SECRET).await.json()["message"],
        "applied"
    );
    assert_eq!(delete(&stack, &id).await.status, 200);

    // The same event again (a LiveKit retry or a replay), and a later one with a new id,
    // each after the egress wrote the file once more.
    let again = ended(&id, video.len());
    for late in [&complete, &again] {
        stack.put_video(&id.s3_key(), video.clone()).await;
        let response = deliver(&stack, late, API_SECRET).await;
        assert_eq!(response.status, 200, "{}", response.json());
        assert_eq!(response.json()["message"], "refused");
        assert!(
            stack
                .store
                .get_recording(&id)
                .await
                .expect("read")
                .is_none(),
            "not brought back"
        );
        assert!(!listed(&stack).await.contains(&id.to_string()));
        assert!(
            !stack.video_keys().await.contains(&id.s3_key()),
            "the late file is deleted, not orphaned"
        );
    }
    let get = stack
        .call(
            stack
                .admin("GET", "/api/v1/recordings/{recordingId}")
                .path_param("recordingId", id.as_str()),
            get_recording::handle,
        )
        .await;
    get.expect_error(404, "Recording Error");
}

#[tokio::test]
async fn a_recording_aborted_and_deleted_before_its_upload_stays_deleted() {
    let egress = FakeEgress::start().await;
    let stack = stack_with(&egress).await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let id = recording_id(&start(&stack, &room, None).await);
    let much_later = now_millis() + 48 * 3_600_000;
    let aborted = shared::lifecycle::sweep(&stack.app, much_later)
        .await
        .expect("swept");
    assert_eq!(aborted.len(), 1);
    assert_eq!(delete(&stack, &id).await.status, 200);

    // The egress finishes uploading after all.
    let video = demo_video();
    stack.put_video(&id.s3_key(), video.clone()).await;
    let response = deliver(&stack, &ended(&id, video.len()), API_SECRET).await;
    assert_eq!(response.json()["message"], "refused");
    assert!(
        stack
            .store
            .get_recording(&id)
            .await
            .expect("read")
            .is_none()
    );
    assert!(!stack.video_keys().await.contains(&id.s3_key()));
}

#[tokio::test]
async fn one_video_one_recording_another_egress_for_the_same_file_is_refused() {
    let egress = FakeEgress::start().await;
    let stack = stack_with(&egress).await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let id = recording_id(&start(&stack, &room, None).await);
    let video = demo_video();
    stack.put_video(&id.s3_key(), video.clone()).await;
    deliver(&stack, &ended(&id, video.len()), API_SECRET).await;
    let first = stored(&stack, &id).await;

    // A new egress id with the first recording's uid names the same file.
    let alias = RecordingId::new(id.room_id(), "EG_alias", id.uid()).expect("valid id");
    assert_eq!(alias.s3_key(), id.s3_key());
    for kind in [
        event(
            &alias,
            "egress_started",
            "EGRESS_ACTIVE",
            json!({}),
            now_seconds(),
        ),
        ended(&alias, 5),
    ] {
        let response = deliver(&stack, &kind, API_SECRET).await;
        assert_eq!(response.json()["message"], "refused");
    }
    assert!(
        stack
            .store
            .get_recording(&alias)
            .await
            .expect("read")
            .is_none()
    );
    assert_eq!(stored(&stack, &id).await, first);
    assert!(stack.video_keys().await.contains(&id.s3_key()));

    // The same holds for a recording that a webhook created (its start never stored).
    let orphan = recording(room.room_id.as_str(), 78, RecordingStatus::Active).recording_id;
    let response = deliver(
        &stack,
        &event(
            &orphan,
            "egress_updated",
            "EGRESS_ACTIVE",
            json!({}),
            now_seconds(),
        ),
        API_SECRET,
    )
    .await;
    assert_eq!(response.json()["message"], "applied");
    let orphan_alias =
        RecordingId::new(orphan.room_id(), "EG_alias2", orphan.uid()).expect("valid id");
    let response = deliver(&stack, &ended(&orphan_alias, 5), API_SECRET).await;
    assert_eq!(response.json()["message"], "refused");
    assert_eq!(
        stored(&stack, &orphan).await.status,
        RecordingStatus::Active
    );
}

/// The room view's one request: the room, what the caller may do, what runs in it; polled
/// with `If-None-Match`, an unchanged room is a bodiless 304.
#[tokio::test]
async fn the_room_read_shows_its_current_recording_and_answers_304_while_unchanged() {
    let egress = FakeEgress::start().await;
    let stack = stack_with(&egress).await;
    let room = room(&stack.store, RecordingAccess::AdminModerator).await;
    let speaker = room_token(&stack, &room, Role::Speaker).await;
    let read = |etag: Option<&str>| {
        let mut request = ApiRequest::new("GET", "/api/v1/rooms/{roomId}")
            .path_param("roomId", room.room_id.as_str())
            .bearer(&speaker);
        if let Some(etag) = etag {
            request = request.header("if-none-match", etag);
        }
        stack.call(request, room_access::handle)
    };

    let idle = read(None).await;
    assert_eq!(idle.status, 200);
    assert_eq!(idle.json()["currentRecording"], Value::Null);
    // A speaker of an admins-and-moderators room: nothing to retrieve, delete or record.
    assert_eq!(
        idle.json()["permissions"],
        json!({"canRetrieveRecordings": false, "canDeleteRecordings": false, "canRecord": false})
    );
    let etag = idle.headers["etag"].to_str().expect("ascii").to_owned();
    let unchanged = read(Some(&etag)).await;
    assert_eq!(unchanged.status, 304);
    assert!(unchanged.body.is_empty());
    assert_eq!(unchanged.headers["etag"], etag.as_str());
    assert_eq!(unchanged.headers["cache-control"], "no-store");

    let started = start(&stack, &room, None).await;
    let id = recording_id(&started);
    let recording = read(Some(&etag)).await;
    assert_eq!(recording.status, 200, "a new recording changes the room");
    assert_eq!(
        recording.json()["currentRecording"],
        json!({"recordingId": id.as_str(), "status": "starting", "startDate": started.json()["startDate"]})
    );
    // Reading it costs the room and the recording that holds its lock.
    assert_eq!(recording.aws_calls, 2);

    assert_eq!(stop(&stack, id.as_str()).await.status, 202);
    let ending = read(Some(recording.headers["etag"].to_str().expect("ascii"))).await;
    assert_eq!(ending.json()["currentRecording"]["status"], "ending");

    let ended = event(
        &id,
        "egress_ended",
        "EGRESS_ABORTED",
        json!({}),
        now_seconds(),
    );
    assert_eq!(deliver(&stack, &ended, API_SECRET).await.status, 200);
    let after = read(None).await;
    assert_eq!(after.json()["currentRecording"], Value::Null);
    assert_eq!(after.json()["roomId"], room.room_id.as_str());
}
