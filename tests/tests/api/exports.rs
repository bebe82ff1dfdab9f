//! Exports: several recordings as one ZIP, built by the job into S3 and fetched for real
//! through its presigned URL, then read with a standard ZIP reader.

use std::io::Read;
use std::time::Duration;

use integration_tests::fixtures::{put_all, recording, room, room_token};
use integration_tests::iam::{Policies, record_calls};
use integration_tests::intercept::{Interceptor, Verdict};
use integration_tests::{ApiRequest, ApiResponse, TestStack};
use serde_json::{Value, json};
use shared::app::App;
use shared::model::{
    Export, ExportStatus, Principal, Recording, RecordingAccess, RecordingStatus, Role,
    export_owner,
};
use shared::runtime::Deadline;

const START: &str = "/api/v1/recordings/download";
const FOLLOW: &str = "/api/v1/exports/{exportId}";

/// Recordings stored with videos of the given sizes (their `size`), each byte
/// pseudo-random.
async fn with_videos(stack: &TestStack, recordings: &[Recording], sizes: &[usize]) -> Vec<Vec<u8>> {
    let sized: Vec<Recording> = recordings
        .iter()
        .zip(sizes)
        .map(|(r, size)| Recording {
            size: Some(*size as u64),
            ..r.clone()
        })
        .collect();
    put_all(&stack.store, &sized).await;
    let mut videos = Vec::new();
    for (n, (r, size)) in recordings.iter().zip(sizes).enumerate() {
        let bytes: Vec<u8> = (0..*size)
            .map(|i| (i * 31 + n * 7 + i / 251) as u8)
            .collect();
        stack
            .put_video(&r.recording_id.s3_key(), bytes.clone())
            .await;
        videos.push(bytes);
    }
    videos
}

fn ids(recordings: &[Recording]) -> Vec<String> {
    recordings
        .iter()
        .map(|r| r.recording_id.as_str().to_owned())
        .collect()
}

async fn start(stack: &TestStack, request: ApiRequest, ids: &[String]) -> ApiResponse {
    let request = request.json(&json!({ "recordingIds": ids }));
    stack.call(request, export_recordings::handle).await
}

/// Starts an export of `recordings` as an administrator; its id.
async fn started(stack: &TestStack, recordings: &[Recording]) -> String {
    let response = start(stack, stack.admin("POST", START), &ids(recordings)).await;
    assert_eq!(response.status, 202, "{}", response.json());
    response.json()["exportId"]
        .as_str()
        .expect("an id")
        .to_owned()
}

/// No multipart upload is left in the bucket (a failed run aborts its own).
async fn no_uploads_left(stack: &TestStack) {
    let uploads = stack
        .s3
        .list_multipart_uploads()
        .bucket(&stack.bucket)
        .send()
        .await
        .expect("listed");
    assert!(uploads.uploads().is_empty(), "the upload was aborted");
}

async fn follow(stack: &TestStack, request: ApiRequest, export_id: &str) -> ApiResponse {
    let request = request.path_param("exportId", export_id);
    stack.call(request, export_recordings::handle).await
}

async fn follow_as_admin(stack: &TestStack, export_id: &str) -> Value {
    let response = follow(stack, stack.admin("GET", FOLLOW), export_id).await;
    assert_eq!(response.status, 200, "{}", response.json());
    response.json()
}

/// Runs the job for every message the API sent, with `app`'s clients, checking that the
/// job's role allows each of its DynamoDB calls.
async fn run_jobs(stack: &TestStack, app: &App) {
    let jobs = stack.jobs.as_ref().expect("a stack with jobs");
    for body in jobs.take().await {
        let (result, calls) = record_calls(build_export::run(app, body, Deadline::NONE)).await;
        result.expect("the job ran");
        let refused = Policies::deployed().refused("build-export", &calls);
        assert!(
            refused.is_empty(),
            "build-export's role refuses: {refused:?}"
        );
    }
}

/// The ZIP, fetched through the presigned URL of a complete export.
async fn fetch_zip(export: &Value) -> zip::ZipArchive<std::io::Cursor<Vec<u8>>> {
    assert_eq!(export["status"], "complete", "{export}");
    let url = export["url"].as_str().expect("a URL once complete");
    let response = reqwest::get(url).await.expect("fetched");
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let filename = export["filename"].as_str().expect("a filename");
    assert!(filename.starts_with("recordings-") && filename.ends_with(".zip"));
    assert_eq!(disposition, format!("attachment; filename=\"{filename}\""));
    let bytes = response.bytes().await.expect("body").to_vec();
    assert_eq!(
        bytes.len() as u64,
        export["totalBytes"].as_u64().expect("size")
    );
    zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP a standard reader reads")
}

/// Every entry's bytes (the reader checks each one's CRC-32 at its end).
fn entries(zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>) -> Vec<(String, Vec<u8>)> {
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("its bytes, CRC valid");
            (entry.name().expect("a UTF-8 name").into_owned(), bytes)
        })
        .collect()
}

#[tokio::test]
async fn an_export_holds_every_recording_byte_for_byte() {
    let stack = TestStack::with_jobs().await;
    let recordings: Vec<_> = (0..3)
        .map(|n| recording("room-a", n, RecordingStatus::Complete))
        .collect();
    let videos = with_videos(&stack, &recordings, &[1000, 70_000, 1]).await;

    let response = start(&stack, stack.admin("POST", START), &ids(&recordings)).await;
    assert_eq!(response.status, 202, "{}", response.json());
    // The recordings and rooms, the export, the job's message (docs/api.md).
    assert_eq!(response.aws_calls, 3);
    let started = response.json();
    let export_id = started["exportId"].as_str().expect("an id").to_owned();
    assert_eq!(
        response.headers["location"],
        format!("/api/v1/exports/{export_id}").as_str()
    );
    assert_eq!(started["status"], "pending");
    assert_eq!(started["skipped"], json!([]));
    let listed: Vec<_> = started["recordings"]
        .as_array()
        .expect("recordings")
        .iter()
        .map(|r| r["recordingId"].clone())
        .collect();
    assert_eq!(listed, ids(&recordings));
    // The ZIP's exact size, from the recordings' sizes and names.
    let total = started["totalBytes"].as_u64().expect("total");
    assert!(total > 1000 + 70_000 + 1, "{total}");
    assert_eq!(
        follow_as_admin(&stack, &export_id).await["status"],
        "pending"
    );

    run_jobs(&stack, &stack.app).await;
    let export = follow_as_admin(&stack, &export_id).await;
    assert_eq!(export["totalBytes"], total);
    assert_eq!(export["bytesWritten"], total);
    let mut zip = fetch_zip(&export).await;
    let expected: Vec<_> = recordings
        .iter()
        .map(|r| r.filename.clone())
        .zip(videos)
        .collect();
    assert_eq!(entries(&mut zip), expected);
}

#[tokio::test]
async fn openvidu_meets_get_form_starts_the_same_export() {
    let stack = TestStack::with_jobs().await;
    let recordings = [recording("room-a", 0, RecordingStatus::Complete)];
    with_videos(&stack, &recordings, &[10]).await;
    let request = stack
        .admin("GET", START)
        .query("recordingIds", &ids(&recordings).join(","));
    let response = stack.call(request, export_recordings::handle).await;
    assert_eq!(response.status, 202, "{}", response.json());
    assert_eq!(stack.jobs.as_ref().expect("jobs").take().await.len(), 1);
}

#[tokio::test]
async fn each_id_is_authorized_on_its_own_and_the_rest_listed_with_the_reason() {
    let stack = TestStack::with_jobs().await;
    let room_a = room(&stack.store, RecordingAccess::AdminModerator).await;
    let room_b = room(&stack.store, RecordingAccess::AdminModerator).await;
    let a = recording(room_a.room_id.as_str(), 0, RecordingStatus::Complete);
    let b = recording(room_b.room_id.as_str(), 0, RecordingStatus::Complete);
    let live = recording(room_a.room_id.as_str(), 1, RecordingStatus::Active);
    let unknown = recording(room_a.room_id.as_str(), 2, RecordingStatus::Complete);
    with_videos(&stack, &[a.clone(), b.clone(), live.clone()], &[5, 5, 5]).await;
    let moderator = room_token(&stack, &room_a, Role::Moderator).await;

    let asked = ids(&[a.clone(), b.clone(), live.clone(), unknown.clone()]);
    let response = start(
        &stack,
        ApiRequest::new("POST", START).bearer(&moderator),
        &asked,
    )
    .await;
    assert_eq!(response.status, 202, "{}", response.json());
    let body = response.json();
    assert_eq!(body["recordings"].as_array().expect("list").len(), 1);
    assert_eq!(
        body["recordings"][0]["recordingId"],
        a.recording_id.as_str()
    );
    let reasons: Vec<_> = body["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| (s["recordingId"].clone(), s["reason"].clone()))
        .collect();
    assert_eq!(
        reasons,
        [
            (json!(b.recording_id.as_str()), json!("forbidden")),
            (json!(live.recording_id.as_str()), json!("not_finished")),
            (json!(unknown.recording_id.as_str()), json!("not_found")),
        ]
    );

    // A speaker of room A may not download its recordings (admins and moderators only):
    // nothing is left, and the 400 names each id.
    let speaker = room_token(&stack, &room_a, Role::Speaker).await;
    let response = start(
        &stack,
        ApiRequest::new("POST", START).bearer(&speaker),
        &asked,
    )
    .await;
    let error = response.expect_error(400, "Bad Request");
    let details = error["details"].as_array().expect("details");
    assert_eq!(details.len(), 4);
    assert!(
        details[0]["message"]
            .as_str()
            .expect("text")
            .contains(a.recording_id.as_str())
    );
}

#[tokio::test]
async fn bad_requests_are_4xx_and_start_nothing() {
    let stack = TestStack::with_jobs().await;
    let post = |body: Value| stack.admin("POST", START).json(&body);
    for body in [
        json!({}),
        json!({"recordingIds": []}),
        json!({"recordingIds": "a,b"}),
        json!({"recordingIds": [1, 2]}),
        json!({"recordingIds": ["not an id"]}),
        json!({"recordingIds": ["room-a--EG_x--u1"], "extra": true}),
    ] {
        let response = stack
            .call(post(body.clone()), export_recordings::handle)
            .await;
        response.expect_error(422, "Unprocessable Entity");
    }
    let too_many: Vec<String> = (0..151)
        .map(|n| {
            recording("room-a", n, RecordingStatus::Complete)
                .recording_id
                .as_str()
                .to_owned()
        })
        .collect();
    start(&stack, stack.admin("POST", START), &too_many)
        .await
        .expect_error(422, "Unprocessable Entity");
    let raw = stack.admin("POST", START).raw_body(&b"\xff not json"[..]);
    stack
        .call(raw, export_recordings::handle)
        .await
        .expect_error(422, "Unprocessable Entity");
    let nothing = [recording("room-a", 0, RecordingStatus::Complete)];
    start(&stack, stack.admin("POST", START), &ids(&nothing))
        .await
        .expect_error(400, "Bad Request");
    assert!(stack.jobs.as_ref().expect("jobs").take().await.is_empty());
}

#[tokio::test]
async fn more_than_one_export_holds_is_400_saying_so() {
    let stack = TestStack::with_env(&[("EXPORT_MAX_BYTES", "1000")]).await;
    let recordings = [recording("room-a", 0, RecordingStatus::Complete)];
    with_videos(&stack, &recordings, &[2000]).await;
    let response = start(&stack, stack.admin("POST", START), &ids(&recordings)).await;
    let error = response.expect_error(400, "Bad Request");
    let message = error["message"].as_str().expect("message");
    assert!(message.contains("one export holds at most"), "{message}");
}

#[tokio::test]
async fn an_export_is_seen_only_by_who_started_it_and_administrators() {
    let stack = TestStack::with_jobs().await;
    let room_a = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let room_b = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let a = recording(room_a.room_id.as_str(), 0, RecordingStatus::Complete);
    with_videos(&stack, std::slice::from_ref(&a), &[5]).await;
    let moderator = room_token(&stack, &room_a, Role::Moderator).await;
    let response = start(
        &stack,
        ApiRequest::new("POST", START).bearer(&moderator),
        &ids(std::slice::from_ref(&a)),
    )
    .await;
    assert_eq!(response.status, 202, "{}", response.json());
    let export_id = response.json()["exportId"].as_str().expect("id").to_owned();

    let own = follow(
        &stack,
        ApiRequest::new("GET", FOLLOW).bearer(&moderator),
        &export_id,
    )
    .await;
    assert_eq!(own.status, 200);
    follow_as_admin(&stack, &export_id).await;
    for other in [
        room_token(&stack, &room_b, Role::Moderator).await,
        room_token(&stack, &room_a, Role::Speaker).await,
    ] {
        let response = follow(
            &stack,
            ApiRequest::new("GET", FOLLOW).bearer(&other),
            &export_id,
        )
        .await;
        let error = response.expect_error(404, "Recording Error");
        assert_eq!(error["message"], format!("Export '{export_id}' not found"));
    }
    for unknown in ["nosuchexport", "../x", "a%20b"] {
        follow(&stack, stack.admin("GET", FOLLOW), unknown)
            .await
            .expect_error(404, "Recording Error");
    }
    follow(&stack, ApiRequest::new("GET", FOLLOW), &export_id)
        .await
        .expect_error(401, "Authentication Error");
}

#[tokio::test]
async fn a_recording_deleted_before_its_turn_is_skipped_and_listed() {
    let stack = TestStack::with_jobs().await;
    let recordings: Vec<_> = (0..2)
        .map(|n| recording("room-a", n, RecordingStatus::Complete))
        .collect();
    let videos = with_videos(&stack, &recordings, &[100, 200]).await;
    let export_id = started(&stack, &recordings).await;

    let deleted = &recordings[0].recording_id;
    let request = stack
        .admin("DELETE", "/api/v1/recordings/{recordingId}")
        .path_param("recordingId", deleted.as_str());
    assert_eq!(
        stack.call(request, delete_recordings::handle).await.status,
        200
    );
    run_jobs(&stack, &stack.app).await;

    let export = follow_as_admin(&stack, &export_id).await;
    assert_eq!(export["skipped"][0]["recordingId"], deleted.as_str());
    assert_eq!(export["skipped"][0]["reason"], "deleted");
    assert_eq!(export["recordings"].as_array().expect("list").len(), 1);
    let mut zip = fetch_zip(&export).await;
    assert_eq!(
        entries(&mut zip),
        [(recordings[1].filename.clone(), videos[1].clone())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_goes_from_pending_through_running_to_complete() {
    let stack = TestStack::with_jobs().await;
    let recordings: Vec<_> = (0..2)
        .map(|n| recording("room-a", n, RecordingStatus::Complete))
        .collect();
    with_videos(&stack, &recordings, &[6 << 20, 6 << 20]).await;
    let export_id = started(&stack, &recordings).await;
    // Each part takes a while, so that the run can be seen running.
    let slow_parts = Interceptor::new("SlowParts", |call| {
        if call.operation == "UploadPart" {
            std::thread::sleep(Duration::from_millis(700));
        }
        Verdict::Send
    });
    let app = stack.app_with_interceptors(None, Some(slow_parts));
    let job = async {
        run_jobs(&stack, &app).await;
    };
    let watch = async {
        let mut seen: Vec<(String, u64)> = Vec::new();
        loop {
            let export = follow_as_admin(&stack, &export_id).await;
            let status = export["status"].as_str().expect("status").to_owned();
            let written = export["bytesWritten"].as_u64().expect("bytes");
            if seen
                .last()
                .is_none_or(|(s, w)| *s != status || *w != written)
            {
                seen.push((status.clone(), written));
            }
            if status == "complete" || status == "failed" {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let ((), seen) = tokio::join!(job, watch);
    let statuses: Vec<&str> = seen.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(statuses.first(), Some(&"pending"), "{seen:?}");
    assert!(statuses.contains(&"running"), "{seen:?}");
    assert_eq!(statuses.last(), Some(&"complete"), "{seen:?}");
    assert!(
        seen.windows(2).all(|w| w[0].1 <= w[1].1),
        "progress only grows: {seen:?}"
    );
}

#[tokio::test]
async fn s3_failing_mid_upload_aborts_the_upload_and_fails_the_export() {
    let stack = TestStack::with_jobs().await;
    let recordings: Vec<_> = (0..2)
        .map(|n| recording("room-a", n, RecordingStatus::Complete))
        .collect();
    with_videos(&stack, &recordings, &[6 << 20, 6 << 20]).await;
    let export_id = started(&stack, &recordings).await;
    // The first part goes up; the second, and every retry of it, fails.
    let parts = std::sync::atomic::AtomicU32::new(0);
    let second_part_fails = Interceptor::new("SecondPartFails", move |call| {
        let is_part = call.operation == "UploadPart";
        match is_part && parts.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 1 {
            true => Verdict::Fail,
            false => Verdict::Send,
        }
    });
    let app = stack.app_with_interceptors(None, Some(second_part_fails));
    run_jobs(&stack, &app).await;

    let export = follow_as_admin(&stack, &export_id).await;
    assert_eq!(export["status"], "failed");
    assert_eq!(
        export["error"],
        "Reading or writing the recordings failed; start the export again"
    );
    assert!(export.get("url").is_none());
    no_uploads_left(&stack).await;
    let keys = stack.video_keys().await;
    assert!(!keys.iter().any(|k| k.starts_with("exports/")), "{keys:?}");
}

#[tokio::test]
async fn a_run_out_of_time_aborts_and_says_so() {
    let stack = TestStack::with_jobs().await;
    let recordings = [recording("room-a", 0, RecordingStatus::Complete)];
    with_videos(&stack, &recordings, &[10]).await;
    let export_id = started(&stack, &recordings).await;
    let jobs = stack.jobs.as_ref().expect("jobs");
    for body in jobs.take().await {
        // Less than the margin a run keeps to abort: it stops at its first chunk.
        let deadline = Deadline::at(std::time::Instant::now() + Duration::from_secs(5));
        build_export::run(&stack.app, body, deadline)
            .await
            .expect("the job ran");
    }
    let export = follow_as_admin(&stack, &export_id).await;
    assert_eq!(export["status"], "failed");
    assert!(
        export["error"]
            .as_str()
            .expect("error")
            .contains("did not finish")
    );
    no_uploads_left(&stack).await;
}

#[tokio::test]
async fn an_export_whose_job_stalled_says_it_failed() {
    let stack = TestStack::new().await;
    // Started an hour ago, and nothing moved it on since: every run of its job died.
    let an_hour_ago = shared::clock::now_millis() - 60 * 60 * 1000;
    let export = Export {
        export_id: "stalledexport".to_owned(),
        status: ExportStatus::Running,
        recordings: Vec::new(),
        skipped: Vec::new(),
        total_bytes: 100,
        bytes_written: 10,
        filename: "recordings-2026-12-07.zip".to_owned(),
        created_at: an_hour_ago,
        updated_at: an_hour_ago,
        available_until: an_hour_ago + 24 * 60 * 60 * 1000,
        error: None,
    };
    stack
        .store
        .put_export(&export, &export_owner(&Principal::Admin))
        .await
        .expect("stored");
    let shown = follow_as_admin(&stack, "stalledexport").await;
    assert_eq!(shown["status"], "failed");
    assert_eq!(
        shown["error"],
        "The export stopped before it finished; start it again"
    );
    assert!(shown.get("url").is_none());
}

#[tokio::test]
async fn a_message_delivered_again_runs_once_and_a_finished_export_is_left_alone() {
    let stack = TestStack::with_jobs().await;
    let recordings = [recording("room-a", 0, RecordingStatus::Complete)];
    with_videos(&stack, &recordings, &[10]).await;
    let export_id = started(&stack, &recordings).await;
    let body = stack.jobs.as_ref().expect("jobs").take().await.remove(0);
    for _ in 0..2 {
        build_export::run(&stack.app, body.clone(), Deadline::NONE)
            .await
            .expect("the job ran");
    }
    let export = follow_as_admin(&stack, &export_id).await;
    let mut zip = fetch_zip(&export).await;
    assert_eq!(entries(&mut zip).len(), 1);
    // Unreadable and unknown exports are dropped, not retried for ever.
    for body in ["not json", r#"{"exportId": "nosuchexport"}"#] {
        build_export::run(&stack.app, body.to_owned(), Deadline::NONE)
            .await
            .expect("dropped");
    }
}
