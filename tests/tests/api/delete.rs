//! Deletes for good (`permanent=true`, or in rooms that keep no recycle bin): single and
//! bulk, permissions, and faults in the middle of a delete. The recycle bin's own are in
//! `recycle_bin.rs`.

use integration_tests::intercept::CallCounts;
use integration_tests::{ApiRequest, ApiResponse, Interceptor, TestStack};
use serde_json::Value;
use shared::app::App;
use shared::model::{Recording, RecordingAccess, RecordingId, RecordingStatus, Role};

use integration_tests::fixtures::{put_with_videos, recording, room_keeping, room_token};

const ONE: &str = "/api/v1/recordings/{recordingId}";
const MANY: &str = "/api/v1/recordings";

/// Whether the recording still has an item (deleting or not) and a video.
async fn remains(stack: &TestStack, id: &RecordingId) -> (bool, bool) {
    let loaded = stack
        .store
        .load_with_rooms(std::slice::from_ref(id), &[])
        .await
        .expect("read");
    let keys = stack.video_keys().await;
    (
        loaded.recordings.contains_key(id),
        keys.contains(&id.s3_key()),
    )
}

/// Every video in the bucket is pointed to by a recording item (listed, or marked
/// `deleting` for a retry to finish).
async fn no_orphan_videos(stack: &TestStack) {
    let pointed_to = stack.recording_video_keys().await;
    for key in stack.video_keys().await {
        assert!(pointed_to.contains(&key), "video {key} has no item");
    }
}

async fn delete_one(stack: &TestStack, app: &App, id: &RecordingId) -> ApiResponse {
    let request = stack
        .admin("DELETE", ONE)
        .path_param("recordingId", id.as_str())
        .query("permanent", "true");
    stack
        .call_with(app, request, delete_recordings::handle)
        .await
}

/// An administrator's permanent bulk delete.
fn delete_many(stack: &TestStack, ids: &[String]) -> ApiRequest {
    stack
        .admin("DELETE", MANY)
        .query("recordingIds", &ids_param(ids))
        .query("permanent", "true")
}

fn ids_param(ids: &[String]) -> String {
    ids.join(",")
}

#[tokio::test]
async fn a_single_delete_removes_item_and_video() {
    let stack = TestStack::new().await;
    let rec = recording("room-a", 1, RecordingStatus::Complete);
    put_with_videos(&stack, std::slice::from_ref(&rec)).await;
    let id = &rec.recording_id;

    let response = delete_one(&stack, &stack.app, id).await;
    assert_eq!(response.status, 200, "{}", response.json());
    assert_eq!(
        response.json()["message"],
        format!("Recording '{id}' deleted successfully")
    );
    // Mark (with the tombstone), read the recording and its share counter (none: never
    // shared), delete the video, delete the item; then its activity entry.
    assert_eq!(response.aws_calls, 5);
    assert_eq!(remains(&stack, id).await, (false, false));
    delete_one(&stack, &stack.app, id)
        .await
        .expect_error(404, "Recording Error");
}

#[tokio::test]
async fn unfinished_recordings_are_409_and_kept() {
    let stack = TestStack::new().await;
    for (n, status) in [
        RecordingStatus::Starting,
        RecordingStatus::Active,
        RecordingStatus::Ending,
    ]
    .into_iter()
    .enumerate()
    {
        let rec = recording("room-a", n, status);
        put_with_videos(&stack, std::slice::from_ref(&rec)).await;
        delete_one(&stack, &stack.app, &rec.recording_id)
            .await
            .expect_error(409, "Recording Error");
        assert_eq!(remains(&stack, &rec.recording_id).await, (true, true));
    }
    for (n, status) in [
        RecordingStatus::Failed,
        RecordingStatus::Aborted,
        RecordingStatus::LimitReached,
    ]
    .into_iter()
    .enumerate()
    {
        let rec = recording("room-b", n, status);
        put_with_videos(&stack, std::slice::from_ref(&rec)).await;
        assert_eq!(
            delete_one(&stack, &stack.app, &rec.recording_id)
                .await
                .status,
            200
        );
    }
}

#[tokio::test]
async fn speakers_cannot_delete_moderators_can_strangers_cannot() {
    let stack = TestStack::new().await;
    let mine = room_keeping(&stack.store, RecordingAccess::AdminModeratorSpeaker, 0).await;
    let admins_only = room_keeping(&stack.store, RecordingAccess::Admin, 0).await;
    let a = recording(mine.room_id.as_str(), 1, RecordingStatus::Complete);
    let b = recording(admins_only.room_id.as_str(), 2, RecordingStatus::Complete);
    put_with_videos(&stack, &[a.clone(), b.clone()]).await;
    let speaker = room_token(&stack, &mine, Role::Speaker).await;
    let moderator = room_token(&stack, &mine, Role::Moderator).await;
    let restricted_moderator = room_token(&stack, &admins_only, Role::Moderator).await;

    let delete = |id: &RecordingId, token: &str| {
        ApiRequest::new("DELETE", ONE)
            .path_param("recordingId", id.as_str())
            .bearer(token)
    };
    stack
        .call(delete(&a.recording_id, &speaker), delete_recordings::handle)
        .await
        .expect_error(403, "Authorization Error");
    stack
        .call(
            delete(&a.recording_id, &restricted_moderator),
            delete_recordings::handle,
        )
        .await
        .expect_error(403, "Authorization Error");
    stack
        .call(
            delete(&b.recording_id, &restricted_moderator),
            delete_recordings::handle,
        )
        .await
        .expect_error(403, "Authorization Error");
    assert_eq!(remains(&stack, &a.recording_id).await, (true, true));
    assert_eq!(remains(&stack, &b.recording_id).await, (true, true));

    let response = stack
        .call(
            delete(&a.recording_id, &moderator),
            delete_recordings::handle,
        )
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(remains(&stack, &a.recording_id).await, (false, false));
    // Only administrators delete in an admin-only room.
    assert_eq!(
        delete_one(&stack, &stack.app, &b.recording_id).await.status,
        200
    );
}

#[tokio::test]
async fn bulk_delete_reports_exactly_what_was_deleted_and_why_not() {
    let stack = TestStack::new().await;
    let mine = room_keeping(&stack.store, RecordingAccess::AdminModeratorSpeaker, 0).await;
    let other = room_keeping(&stack.store, RecordingAccess::AdminModeratorSpeaker, 0).await;
    let moderator = room_token(&stack, &mine, Role::Moderator).await;
    let my_room = mine.room_id.as_str();

    let allowed: Vec<_> = (0..60)
        .map(|n| recording(my_room, n, RecordingStatus::Complete))
        .collect();
    let forbidden: Vec<_> = (100..130)
        .map(|n| recording(other.room_id.as_str(), n, RecordingStatus::Complete))
        .collect();
    let unfinished: Vec<_> = (200..220)
        .map(|n| recording(my_room, n, RecordingStatus::Active))
        .collect();
    let unknown: Vec<String> = (300..320)
        .map(|n| format!("{my_room}--EG_t{n}--u{n}"))
        .collect();
    let malformed: Vec<String> = (0..20).map(|n| format!("not-an-id-{n}")).collect();
    put_with_videos(&stack, &allowed).await;
    put_with_videos(&stack, &forbidden).await;
    put_with_videos(&stack, &unfinished).await;

    let id_strings = |rs: &[Recording]| -> Vec<String> {
        rs.iter().map(|r| r.recording_id.to_string()).collect()
    };
    let mut well_formed = id_strings(&allowed);
    well_formed.extend(id_strings(&forbidden));
    well_formed.extend(id_strings(&unfinished));
    well_formed.extend(unknown.clone());
    let mut all = well_formed.clone();
    all.extend(malformed.clone());
    assert_eq!(all.len(), 150);

    let bulk = |ids: &[String]| {
        ApiRequest::new("DELETE", MANY)
            .query("recordingIds", &ids_param(ids))
            .bearer(&moderator)
    };
    let response = stack.call(bulk(&all), delete_recordings::handle).await;
    let body = response.expect_error(422, "Unprocessable Entity");
    assert_eq!(body["details"].as_array().expect("details").len(), 20);
    assert_eq!(response.aws_calls, 0, "nothing touched");

    // Duplicates collapse.
    let mut with_duplicates = well_formed.clone();
    with_duplicates.extend(id_strings(&allowed[..5]));
    let response = stack
        .call(bulk(&with_duplicates), delete_recordings::handle)
        .await;
    assert_eq!(response.status, 400);
    let body = response.json();
    assert_eq!(body["message"], "70 recording(s) could not be deleted");
    let mut deleted: Vec<String> = body["deleted"]
        .as_array()
        .expect("deleted")
        .iter()
        .map(|v| v.as_str().expect("id").to_owned())
        .collect();
    deleted.sort();
    let mut expected = id_strings(&allowed);
    expected.sort();
    assert_eq!(deleted, expected);

    let failed: Vec<(String, String)> = body["failed"]
        .as_array()
        .expect("failed")
        .iter()
        .map(|f| {
            (
                f["recordingId"].as_str().expect("id").to_owned(),
                f["error"].as_str().expect("error").to_owned(),
            )
        })
        .collect();
    assert_eq!(failed.len(), 70);
    let reason = |id: &str| {
        failed
            .iter()
            .find(|(f, _)| f == id)
            .map(|(_, e)| e.clone())
            .unwrap_or_else(|| panic!("{id} not in failed"))
    };
    for id in id_strings(&forbidden) {
        assert_eq!(reason(&id), "Not allowed to delete recordings");
    }
    for id in id_strings(&unfinished) {
        assert!(reason(&id).contains("is not finished"), "{id}");
    }
    for id in &unknown {
        assert_eq!(reason(id), format!("Recording '{id}' not found"));
    }

    for r in &allowed {
        assert_eq!(remains(&stack, &r.recording_id).await, (false, false));
    }
    for r in forbidden.iter().chain(&unfinished) {
        assert_eq!(remains(&stack, &r.recording_id).await, (true, true));
    }
    no_orphan_videos(&stack).await;
}

#[tokio::test]
async fn bulk_delete_is_batched() {
    let stack = TestStack::new().await;
    let counts = CallCounts::default();
    let app = stack.app_with_interceptors(Some(counts.interceptor()), Some(counts.interceptor()));
    let (mut calls, mut by_operation) = (Vec::new(), Vec::new());
    for (batch, size) in [25usize, 100, 150].into_iter().enumerate() {
        let recordings: Vec<_> = (0..size)
            .map(|n| recording(&format!("room-{batch}"), n, RecordingStatus::Complete))
            .collect();
        put_with_videos(&stack, &recordings).await;
        let ids: Vec<String> = recordings
            .iter()
            .map(|r| r.recording_id.to_string())
            .collect();
        let response = stack
            .call_with(&app, delete_many(&stack, &ids), delete_recordings::handle)
            .await;
        assert_eq!(response.status, 200, "{}", response.json());
        assert_eq!(response.json()["failed"], Value::Array(Vec::new()));
        assert_eq!(
            response.json()["message"],
            "All recordings deleted successfully"
        );
        calls.push((size, response.aws_calls));
        by_operation.push((size, counts.take()));
    }
    // N ids of an administrator, whose decision reads no room: ⌈N/50⌉ marks (each with
    // its video's tombstone), ⌈2N/100⌉ reads of the recordings and their share counters
    // together (no recording here was shared, so no partition to query), ⌈N/1000⌉ S3
    // calls, ⌈N/25⌉ item deletes and ⌈N/25⌉ writes of activity entries. DynamoDB Local cancels some concurrent transactions
    // even on different items (DynamoDB does not), and the mark sends those again: the
    // marks are at least ⌈N/50⌉.
    for ((size, total), (_, operations)) in calls.iter().zip(&by_operation) {
        let count = |operation: &str| operations.get(operation).copied().unwrap_or(0);
        let marks = count("DynamoDB TransactWriteItems");
        let expected = [
            ("DynamoDB BatchGetItem", (2 * size).div_ceil(100)),
            ("S3 DeleteObjects", size.div_ceil(1000)),
            // The item deletes, then as many writes of activity entries.
            ("DynamoDB BatchWriteItem", 2 * size.div_ceil(25)),
        ];
        for (operation, n) in expected {
            assert_eq!(count(operation), n as u64, "{size} ids: {operations:?}");
        }
        assert!(
            marks >= size.div_ceil(50) as u64,
            "{size} ids: {operations:?}"
        );
        assert_eq!(*total, operations.values().sum::<u64>(), "{operations:?}");
    }
    println!("AWS calls per bulk delete (ids, calls): {calls:?}");
    assert!(stack.video_keys().await.is_empty());
}

#[tokio::test]
async fn s3_failing_mid_delete_leaves_the_recording_and_its_video_and_a_retry_finishes() {
    let stack = TestStack::new().await;
    let rec = recording("room-a", 1, RecordingStatus::Complete);
    put_with_videos(&stack, std::slice::from_ref(&rec)).await;
    let id = &rec.recording_id;

    let broken_s3 = stack.app_with_interceptors(None, Some(Interceptor::outage_after(0)));
    let response = delete_one(&stack, &broken_s3, id).await;
    response.expect_error(503, "Service Unavailable");
    assert!(response.headers.contains_key("retry-after"));
    assert_eq!(
        remains(&stack, id).await,
        (true, true),
        "item and video kept"
    );
    no_orphan_videos(&stack).await;

    let response = delete_one(&stack, &stack.app, id).await;
    assert_eq!(response.status, 200, "{}", response.json());
    assert_eq!(remains(&stack, id).await, (false, false));
}

#[tokio::test]
async fn dynamodb_failing_after_the_video_is_gone_is_finished_by_a_retry() {
    let stack = TestStack::new().await;
    let rec = recording("room-a", 1, RecordingStatus::Complete);
    put_with_videos(&stack, std::slice::from_ref(&rec)).await;
    let id = &rec.recording_id;

    // DynamoDB answers the mark and the read, then is unreachable.
    let broken_dynamodb = stack.app_with_interceptors(Some(Interceptor::outage_after(2)), None);
    let response = delete_one(&stack, &broken_dynamodb, id).await;
    response.expect_error(503, "Service Unavailable");
    let (item, video) = remains(&stack, id).await;
    assert!(item && !video, "marked item kept, video gone");
    // Marked: no longer listed or served.
    let get = stack
        .call(
            stack
                .admin("GET", ONE)
                .path_param("recordingId", id.as_str()),
            get_recording::handle,
        )
        .await;
    get.expect_error(404, "Recording Error");

    let response = delete_one(&stack, &stack.app, id).await;
    assert_eq!(response.status, 200, "{}", response.json());
    assert_eq!(remains(&stack, id).await, (false, false));
}

#[tokio::test]
async fn bulk_delete_with_s3_down_reports_every_affected_id() {
    let stack = TestStack::new().await;
    let recordings: Vec<_> = (0..5)
        .map(|n| recording("room-a", n, RecordingStatus::Complete))
        .collect();
    put_with_videos(&stack, &recordings).await;
    let ids: Vec<String> = recordings
        .iter()
        .map(|r| r.recording_id.to_string())
        .collect();
    let broken_s3 = stack.app_with_interceptors(None, Some(Interceptor::outage_after(0)));
    let response = stack
        .call_with(
            &broken_s3,
            delete_many(&stack, &ids),
            delete_recordings::handle,
        )
        .await;
    assert_eq!(response.status, 400);
    let body = response.json();
    assert_eq!(body["failed"].as_array().expect("failed").len(), 5);
    assert_eq!(body["deleted"], Value::Array(Vec::new()));
    for r in &recordings {
        assert_eq!(remains(&stack, &r.recording_id).await, (true, true));
    }
    no_orphan_videos(&stack).await;

    let response = stack
        .call(delete_many(&stack, &ids), delete_recordings::handle)
        .await;
    assert_eq!(response.status, 200, "{}", response.json());
    assert!(stack.video_keys().await.is_empty());
}

#[tokio::test]
async fn dynamodb_down_from_the_start_is_a_clean_503() {
    let stack = TestStack::new().await;
    let rec = recording("room-a", 1, RecordingStatus::Complete);
    put_with_videos(&stack, std::slice::from_ref(&rec)).await;
    let broken = stack.app_with_interceptors(Some(Interceptor::outage_after(0)), None);
    let response = delete_one(&stack, &broken, &rec.recording_id).await;
    response.expect_error(503, "Service Unavailable");
    assert_eq!(remains(&stack, &rec.recording_id).await, (true, true));
    let listed = stack
        .call_with(&broken, stack.admin("GET", MANY), list_recordings::handle)
        .await;
    listed.expect_error(503, "Service Unavailable");
}

#[tokio::test]
async fn a_delete_its_caller_abandoned_is_finished_by_the_sweeper() {
    let stack = TestStack::new().await;
    let rec = recording("room-a", 1, RecordingStatus::Complete);
    put_with_videos(&stack, std::slice::from_ref(&rec)).await;
    let id = &rec.recording_id;
    // DynamoDB answers the mark and the read, then is unreachable; nobody retries.
    let broken_dynamodb = stack.app_with_interceptors(Some(Interceptor::outage_after(2)), None);
    delete_one(&stack, &broken_dynamodb, id)
        .await
        .expect_error(503, "Service Unavailable");
    assert_eq!(remains(&stack, id).await, (true, false));

    let now = shared::clock::now_millis();
    let early = shared::deletion::finish_abandoned(stack.app.deleter(), now)
        .await
        .expect("swept");
    assert!(early.is_empty(), "a delete under way is left to its caller");
    let later = now + shared::deletion::ABANDONED_AFTER_MS + 1000;
    let finished = shared::deletion::finish_abandoned(stack.app.deleter(), later)
        .await
        .expect("swept");
    assert_eq!(finished.len(), 1);
    assert_eq!(remains(&stack, id).await, (false, false));
    no_orphan_videos(&stack).await;
    let again = shared::deletion::finish_abandoned(stack.app.deleter(), later)
        .await
        .expect("swept");
    assert!(again.is_empty());
}
