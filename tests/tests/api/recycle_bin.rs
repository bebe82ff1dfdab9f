//! The recycle bin and legal holds: deletes that move recordings to their room's bin, what
//! a recording in the bin answers, restores (single and bulk), permanent deletes and who may
//! make them, the purge (with a clock the test sets), and holds refusing every removal.

use integration_tests::{ApiRequest, ApiResponse, TestStack};
use serde_json::{Value, json};
use shared::clock::now_millis;
use shared::deletion::{ABANDONED_AFTER_MS, finish_abandoned};
use shared::model::{Recording, RecordingAccess, RecordingId, RecordingStatus, Role};
use shared::recycle_bin::purge;

use crate::shares::{link, open_api, open_page, shared_recording};
use integration_tests::fixtures::{put_with_videos, recording, room, room_keeping, room_token};

const ONE: &str = "/api/v1/recordings/{recordingId}";
const MANY: &str = "/api/v1/recordings";
const RESTORE_ONE: &str = "/api/v1/recordings/{recordingId}/restore";
const RESTORE_MANY: &str = "/api/v1/recordings/restore";
const HOLD: &str = "/api/v1/recordings/{recordingId}/legal-hold";
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const ON_HOLD: &str = "is on legal hold and cannot be removed";

fn on(request: ApiRequest, token: Option<&str>, stack: &TestStack) -> ApiRequest {
    match token {
        Some(token) => request.bearer(token),
        None => request.header("x-api-key", &stack.api_key()),
    }
}

async fn delete(
    stack: &TestStack,
    id: &RecordingId,
    token: Option<&str>,
    permanent: bool,
) -> ApiResponse {
    let mut request = ApiRequest::new("DELETE", ONE).path_param("recordingId", id.as_str());
    if permanent {
        request = request.query("permanent", "true");
    }
    let request = on(request, token, stack);
    stack.call(request, delete_recordings::handle).await
}

async fn restore(stack: &TestStack, id: &RecordingId, token: Option<&str>) -> ApiResponse {
    let request = ApiRequest::new("POST", RESTORE_ONE).path_param("recordingId", id.as_str());
    stack
        .call(on(request, token, stack), delete_recordings::handle)
        .await
}

async fn get(stack: &TestStack, id: &RecordingId, token: Option<&str>) -> ApiResponse {
    let request = ApiRequest::new("GET", ONE).path_param("recordingId", id.as_str());
    stack
        .call(on(request, token, stack), get_recording::handle)
        .await
}

/// The ids of a list page (the bin with `trashed`), as an administrator or `token` sees it.
async fn listed(stack: &TestStack, trashed: bool, token: Option<&str>) -> Vec<Value> {
    let mut request = ApiRequest::new("GET", MANY).query("maxItems", "100");
    if trashed {
        request = request.query("trashed", "true");
    }
    let response = stack
        .call(on(request, token, stack), list_recordings::handle)
        .await;
    assert_eq!(response.status, 200, "{}", response.json());
    response.json()["recordings"]
        .as_array()
        .expect("recordings")
        .clone()
}

fn ids_of(recordings: &[Value]) -> Vec<String> {
    recordings
        .iter()
        .map(|r| r["recordingId"].as_str().expect("id").to_owned())
        .collect()
}

/// Whether the recording still has an item and a video.
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

async fn hold(
    stack: &TestStack,
    id: &RecordingId,
    token: Option<&str>,
    body: Value,
) -> ApiResponse {
    let request = ApiRequest::new("PUT", HOLD)
        .path_param("recordingId", id.as_str())
        .json(&body);
    stack
        .call(on(request, token, stack), update_recording::handle)
        .await
}

async fn release(stack: &TestStack, id: &RecordingId) -> ApiResponse {
    let request = stack
        .admin("DELETE", HOLD)
        .path_param("recordingId", id.as_str());
    stack.call(request, update_recording::handle).await
}

#[tokio::test]
async fn a_delete_moves_the_recording_to_the_bin_where_nothing_reads_it_and_a_restore_brings_it_back()
 {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let mut rec = shared_recording(&stack, &room).await;
    rec.title = Some("Board meeting".to_owned());
    stack.store.put_recording(&rec).await.expect("titled");
    let id = rec.recording_id.clone();
    let shared = link(&stack, &rec, None, &[]).await;
    let moderator = room_token(&stack, &room, Role::Moderator).await;
    let before = get(&stack, &id, None).await.json();

    let started = now_millis();
    let response = delete(&stack, &id, Some(&moderator), false).await;
    assert_eq!(response.status, 200, "{}", response.json());
    let body = response.json();
    assert_eq!(
        body["message"],
        format!("Recording '{id}' deleted successfully")
    );
    let until = body["restorableUntil"].as_i64().expect("restorableUntil");
    assert!((started + 7 * DAY_MS..=now_millis() + 7 * DAY_MS).contains(&until));
    assert_eq!(
        remains(&stack, &id).await,
        (true, true),
        "item and video kept"
    );

    // Gone for every read, list and change.
    get(&stack, &id, None)
        .await
        .expect_error(404, "Recording Error");
    for route in ["/media", "/download"] {
        let request = stack
            .admin("GET", &format!("{ONE}{route}"))
            .path_param("recordingId", id.as_str());
        stack
            .call(request, download_recording::handle)
            .await
            .expect_error(404, "Recording Error");
    }
    let title = stack
        .admin("PATCH", ONE)
        .path_param("recordingId", id.as_str())
        .json(&json!({"title": "x"}));
    stack
        .call(title, update_recording::handle)
        .await
        .expect_error(404, "Recording Error");
    open_api(&stack, &rec, &shared.secret, None)
        .await
        .expect_error(404, "Recording Error");
    let page = open_page(&stack, &rec, &shared.secret).await;
    assert_eq!(page.status, 404);
    assert!(String::from_utf8_lossy(&page.body).contains("This recording is not available"));
    assert!(!ids_of(&listed(&stack, false, None).await).contains(&id.to_string()));
    delete(&stack, &id, None, false)
        .await
        .expect_error(404, "Recording Error");

    // The bin lists it, with who deleted it and when it goes.
    let bin = listed(&stack, true, Some(&moderator)).await;
    assert_eq!(ids_of(&bin), [id.to_string()]);
    assert_eq!(
        bin[0]["deletedBy"],
        json!({"kind": "participant", "role": "moderator"})
    );
    assert_eq!(bin[0]["purgeAt"], json!(until));
    assert!(bin[0]["trashedAt"].as_i64().expect("trashedAt") >= started);
    let speaker = room_token(&stack, &room, Role::Speaker).await;
    let request = ApiRequest::new("GET", MANY)
        .query("trashed", "true")
        .bearer(&speaker);
    stack
        .call(request, list_recordings::handle)
        .await
        .expect_error(403, "Authorization Error");

    // Back exactly as it was, its link working again.
    let response = restore(&stack, &id, Some(&moderator)).await;
    assert_eq!(response.status, 200, "{}", response.json());
    assert_eq!(response.json(), before);
    assert_eq!(get(&stack, &id, None).await.json(), before);
    assert!(ids_of(&listed(&stack, false, None).await).contains(&id.to_string()));
    assert!(listed(&stack, true, None).await.is_empty());
    assert_eq!(
        open_api(&stack, &rec, &shared.secret, None).await.status,
        200
    );
    restore(&stack, &id, None)
        .await
        .expect_error(409, "Recording Error");
    restore(&stack, &id, Some(&speaker))
        .await
        .expect_error(403, "Authorization Error");
}

#[tokio::test]
async fn bulk_deletes_and_restores_report_each_recording() {
    let stack = TestStack::new().await;
    let binned = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let no_bin = room_keeping(&stack.store, RecordingAccess::AdminModeratorSpeaker, 0).await;
    let kept: Vec<Recording> = (0..3)
        .map(|n| recording(binned.room_id.as_str(), n, RecordingStatus::Complete))
        .collect();
    let at_once = recording(no_bin.room_id.as_str(), 10, RecordingStatus::Complete);
    let running = recording(binned.room_id.as_str(), 11, RecordingStatus::Active);
    let held = recording(binned.room_id.as_str(), 12, RecordingStatus::Complete);
    let unknown = format!("{}--EG_none--u0", binned.room_id);
    let mut all: Vec<Recording> = kept.clone();
    all.extend([at_once.clone(), running.clone(), held.clone()]);
    put_with_videos(&stack, &all).await;
    let response = hold(
        &stack,
        &held.recording_id,
        None,
        json!({"reason": "Litigation 42"}),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.json());

    let mut ids: Vec<String> = all.iter().map(|r| r.recording_id.to_string()).collect();
    ids.push(unknown.clone());
    let request = stack
        .admin("DELETE", MANY)
        .query("recordingIds", &ids.join(","));
    let response = stack.call(request, delete_recordings::handle).await;
    assert_eq!(response.status, 400);
    let body = response.json();
    assert_eq!(body["message"], "3 recording(s) could not be deleted");
    let mut deleted: Vec<&str> = body["deleted"]
        .as_array()
        .expect("deleted")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    deleted.sort_unstable();
    let mut expected: Vec<String> = kept.iter().map(|r| r.recording_id.to_string()).collect();
    expected.push(at_once.recording_id.to_string());
    expected.sort();
    assert_eq!(deleted, expected);
    let restorable = body["restorableUntil"]
        .as_object()
        .expect("restorableUntil");
    assert_eq!(
        restorable.len(),
        3,
        "the room without a bin deletes at once"
    );
    assert!(!restorable.contains_key(at_once.recording_id.as_str()));
    let reason = |id: &str| -> String {
        body["failed"]
            .as_array()
            .expect("failed")
            .iter()
            .find(|f| f["recordingId"] == id)
            .and_then(|f| f["error"].as_str())
            .unwrap_or_else(|| panic!("{id} not failed: {body}"))
            .to_owned()
    };
    assert!(reason(running.recording_id.as_str()).contains("is not finished"));
    assert!(reason(held.recording_id.as_str()).contains(ON_HOLD));
    assert_eq!(reason(&unknown), format!("Recording '{unknown}' not found"));
    assert_eq!(remains(&stack, &at_once.recording_id).await, (false, false));
    for r in &kept {
        assert_eq!(remains(&stack, &r.recording_id).await, (true, true));
    }

    // Restored in bulk: those in the bin; the rest reported.
    let other_room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let moderator = room_token(&stack, &other_room, Role::Moderator).await;
    let mut restore_ids: Vec<String> = kept.iter().map(|r| r.recording_id.to_string()).collect();
    restore_ids.extend([held.recording_id.to_string(), unknown.clone()]);
    let request = ApiRequest::new("POST", RESTORE_MANY)
        .bearer(&moderator)
        .json(&json!({"recordingIds": restore_ids}));
    let response = stack.call(request, delete_recordings::handle).await;
    assert_eq!(response.status, 400);
    assert_eq!(
        response.json()["restored"],
        json!([]),
        "another room's moderator"
    );
    let request = stack
        .admin("POST", RESTORE_MANY)
        .json(&json!({"recordingIds": restore_ids}));
    let response = stack.call(request, delete_recordings::handle).await;
    assert_eq!(response.status, 400);
    let body = response.json();
    assert_eq!(body["message"], "2 recording(s) could not be restored");
    assert_eq!(body["restored"].as_array().expect("restored").len(), 3);
    let failed = body["failed"].to_string();
    assert!(failed.contains("is not in the recycle bin"), "{failed}");
    assert!(failed.contains("not found"), "{failed}");
    assert_eq!(listed(&stack, false, None).await.len(), 5);

    for (body, field) in [
        (json!({}), "recordingIds"),
        (json!({"recordingIds": []}), "recordingIds"),
        (json!({"recordingIds": ["bad"]}), "recordingIds"),
        (json!({"recordingIds": [1]}), "recordingIds"),
        (json!({"recordingIds": restore_ids, "extra": 1}), "extra"),
    ] {
        let request = stack.admin("POST", RESTORE_MANY).json(&body);
        let response = stack.call(request, delete_recordings::handle).await;
        let error = response.expect_error(422, "Unprocessable Entity");
        assert!(error.to_string().contains(field), "{body}: {error}");
    }
}

#[tokio::test]
async fn permanent_deletes_are_for_administrators_and_for_moderators_emptying_the_bin() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let recordings: Vec<Recording> = (0..3)
        .map(|n| recording(room.room_id.as_str(), n, RecordingStatus::Complete))
        .collect();
    put_with_videos(&stack, &recordings).await;
    let moderator = room_token(&stack, &room, Role::Moderator).await;
    let [listed_one, binned, by_admin] = [0, 1, 2].map(|n| recordings[n].recording_id.clone());

    let refused = delete(&stack, &listed_one, Some(&moderator), true).await;
    let error = refused.expect_error(403, "Authorization Error");
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("recycle bin")
    );
    assert_eq!(remains(&stack, &listed_one).await, (true, true));

    assert_eq!(
        delete(&stack, &binned, Some(&moderator), false)
            .await
            .status,
        200
    );
    let response = delete(&stack, &binned, Some(&moderator), true).await;
    assert_eq!(response.status, 200, "{}", response.json());
    assert!(response.json().get("restorableUntil").is_none());
    assert_eq!(remains(&stack, &binned).await, (false, false));

    let response = delete(&stack, &by_admin, None, true).await;
    assert_eq!(response.status, 200, "{}", response.json());
    assert_eq!(remains(&stack, &by_admin).await, (false, false));
    assert!(listed(&stack, true, None).await.is_empty());
}

#[tokio::test]
async fn a_rooms_bin_is_set_in_its_config() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let put = |body: Value| {
        stack
            .admin("PUT", "/api/v1/rooms/{roomId}/config")
            .path_param("roomId", room.room_id.as_str())
            .json(&body)
    };
    for days in [json!(-1), json!(91), json!(1.5), json!("7")] {
        let body = json!({"config": {"recording": {"trashDays": days}}});
        let response = stack.call(put(body), room_access::handle).await;
        let error = response.expect_error(422, "Unprocessable Entity");
        assert!(
            error.to_string().contains("config.recording.trashDays"),
            "{error}"
        );
    }
    let response = stack
        .call(
            put(json!({"config": {"recording": {"trashDays": 0}}})),
            room_access::handle,
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.json());
    assert_eq!(response.json()["recording"]["trashDays"], 0);

    let rec = recording(room.room_id.as_str(), 1, RecordingStatus::Complete);
    put_with_videos(&stack, std::slice::from_ref(&rec)).await;
    let response = delete(&stack, &rec.recording_id, None, false).await;
    assert_eq!(response.status, 200);
    assert!(response.json().get("restorableUntil").is_none());
    assert_eq!(remains(&stack, &rec.recording_id).await, (false, false));
}

#[tokio::test]
async fn the_purge_deletes_what_is_due_for_good_and_a_failure_is_finished_later() {
    let stack = TestStack::with_events(&[]).await;
    let room = room_keeping(&stack.store, RecordingAccess::AdminModeratorSpeaker, 1).await;
    // `shared_recording` is the room's first.
    let recordings: Vec<Recording> = (2..5)
        .map(|n| recording(room.room_id.as_str(), n, RecordingStatus::Complete))
        .collect();
    put_with_videos(&stack, &recordings).await;
    let shared = shared_recording(&stack, &room).await;
    link(&stack, &shared, None, &[]).await;
    let untouched = recording(room.room_id.as_str(), 9, RecordingStatus::Complete);
    put_with_videos(&stack, std::slice::from_ref(&untouched)).await;
    let mut binned: Vec<RecordingId> = recordings.iter().map(|r| r.recording_id.clone()).collect();
    binned.push(shared.recording_id.clone());
    for id in &binned {
        assert_eq!(delete(&stack, id, None, false).await.status, 200);
    }
    let now = now_millis();

    // Not due yet: nothing happens.
    let purged = purge(stack.app.deleter(), now).await.expect("purged");
    assert!(purged.is_empty());
    assert_eq!(listed(&stack, true, None).await.len(), 4);

    // A day later, with S3 down: nothing is lost, the recordings stay marked.
    let later = now + DAY_MS + 1000;
    let broken_s3 =
        stack.app_with_interceptors(None, Some(integration_tests::Interceptor::outage_after(0)));
    let purged = purge(broken_s3.deleter(), later).await.expect("purged");
    assert!(purged.is_empty());
    for id in &binned {
        assert_eq!(remains(&stack, id).await, (true, true), "{id}");
    }
    assert!(
        listed(&stack, true, None).await.is_empty(),
        "marked, out of the bin"
    );
    // The sweeper finishes what the purge began, as for any abandoned delete.
    let finished = finish_abandoned(stack.app.deleter(), later + ABANDONED_AFTER_MS + 1000)
        .await
        .expect("finished");
    assert_eq!(finished.len(), 4);
    for id in &binned {
        assert_eq!(remains(&stack, id).await, (false, false), "{id}");
    }
    assert!(
        stack
            .store
            .list_shares(&shared.recording_id)
            .await
            .expect("query")
            .is_empty()
    );
    assert_eq!(remains(&stack, &untouched.recording_id).await, (true, true));

    let events = stack.events.as_ref().expect("events").received(8).await;
    let deleted: Vec<&Value> = events
        .iter()
        .filter(|(kind, _)| kind == "recordingDeleted")
        .map(|(_, detail)| detail)
        .collect();
    assert_eq!(deleted.len(), 4, "{events:?}");
    assert!(
        deleted.iter().all(|d| d["deletion"] == "purged"),
        "{deleted:?}"
    );
    let trashed = events.iter().filter(|(kind, _)| kind == "recordingTrashed");
    assert_eq!(trashed.count(), 4, "{events:?}");

    // And a purge with every service up, of what is due.
    let last = recording(room.room_id.as_str(), 20, RecordingStatus::Complete);
    put_with_videos(&stack, std::slice::from_ref(&last)).await;
    assert_eq!(
        delete(&stack, &last.recording_id, None, false).await.status,
        200
    );
    let purged = purge(stack.app.deleter(), now_millis() + DAY_MS + 1000)
        .await
        .expect("purged");
    assert_eq!(purged, std::slice::from_ref(&last.recording_id));
    assert_eq!(remains(&stack, &last.recording_id).await, (false, false));
}

#[tokio::test]
async fn a_legal_hold_refuses_every_removal_until_released() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let rec = recording(room.room_id.as_str(), 1, RecordingStatus::Complete);
    put_with_videos(&stack, std::slice::from_ref(&rec)).await;
    let id = &rec.recording_id;
    let moderator = room_token(&stack, &room, Role::Moderator).await;
    let speaker = room_token(&stack, &room, Role::Speaker).await;

    for body in [
        json!({}),
        json!({"reason": " "}),
        json!({"reason": "x".repeat(501)}),
        json!({"reason": "ok", "by": "me"}),
    ] {
        hold(&stack, id, None, body)
            .await
            .expect_error(422, "Unprocessable Entity");
    }
    hold(&stack, id, Some(&moderator), json!({"reason": "mine"}))
        .await
        .expect_error(403, "Authorization Error");
    let unknown = RecordingId::parse(&format!("{}--EG_x--u9", room.room_id)).expect("id");
    hold(&stack, &unknown, None, json!({"reason": "x"}))
        .await
        .expect_error(404, "Recording Error");

    let response = hold(&stack, id, None, json!({"reason": "  Litigation 42 "})).await;
    assert_eq!(response.status, 200, "{}", response.json());
    let held = &response.json()["legalHold"];
    assert_eq!(held["reason"], "Litigation 42");
    assert_eq!(held["by"], json!({"kind": "admin", "role": "admin"}));
    assert!(held["since"].as_i64().is_some());

    // Shown to those who may delete it, not to speakers.
    assert_eq!(
        get(&stack, id, Some(&moderator)).await.json()["legalHold"],
        *held
    );
    assert!(
        get(&stack, id, Some(&speaker))
            .await
            .json()
            .get("legalHold")
            .is_none()
    );
    let speakers_list = listed(&stack, false, Some(&speaker)).await;
    assert!(speakers_list[0].get("legalHold").is_none());
    assert_eq!(listed(&stack, false, None).await[0]["legalHold"], *held);

    for (token, permanent) in [
        (Some(moderator.as_str()), false),
        (None, false),
        (None, true),
    ] {
        let error = delete(&stack, id, token, permanent)
            .await
            .expect_error(409, "Recording Error");
        assert!(
            error["message"]
                .as_str()
                .expect("message")
                .contains(ON_HOLD)
        );
    }
    assert_eq!(remains(&stack, id).await, (true, true));

    let response = release(&stack, id).await;
    assert_eq!(response.status, 200);
    assert!(response.json().get("legalHold").is_none());
    assert_eq!(delete(&stack, id, None, false).await.status, 200);
    // In the bin, it cannot be held (nor released): it is gone for every change.
    hold(&stack, id, None, json!({"reason": "late"}))
        .await
        .expect_error(404, "Recording Error");
}
