//! Play and download: presigned S3 URLs, fetched for real from LocalStack with signature
//! checking on.

use integration_tests::{ApiRequest, ApiResponse, TestStack};
use shared::model::{Recording, RecordingAccess, RecordingStatus, Role};

use integration_tests::fixtures::{put_all, recording, room, room_token};

const MEDIA: &str = "/api/v1/recordings/{recordingId}/media";
const DOWNLOAD: &str = "/api/v1/recordings/{recordingId}/download";

fn video_bytes() -> Vec<u8> {
    (0..4096u32).map(|i| (i * 7 % 251) as u8).collect()
}

/// A complete recording with its video in the bucket.
async fn stored_recording(stack: &TestStack, room: &str) -> Recording {
    let rec = recording(room, 1, RecordingStatus::Complete);
    put_all(&stack.store, std::slice::from_ref(&rec)).await;
    stack
        .put_video(&rec.recording_id.s3_key(), video_bytes())
        .await;
    rec
}

fn location(response: &ApiResponse) -> String {
    assert_eq!(
        response.status,
        302,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    assert_eq!(response.headers["cache-control"], "no-store");
    response.headers["location"]
        .to_str()
        .expect("ascii")
        .to_owned()
}

async fn play(stack: &TestStack, route: &str, rec: &Recording) -> ApiResponse {
    let request = stack
        .admin("GET", route)
        .path_param("recordingId", rec.recording_id.as_str());
    stack.call(request, download_recording::handle).await
}

#[tokio::test]
async fn media_redirects_to_a_url_that_serves_the_video_and_byte_ranges() {
    let stack = TestStack::new().await;
    let rec = stored_recording(&stack, "room-a").await;
    let response = play(&stack, MEDIA, &rec).await;
    assert_eq!(
        response.aws_calls, 2,
        "one DynamoDB read and the activity entry; presigning is local"
    );
    let url = location(&response);

    let http = reqwest::Client::new();
    let whole = http.get(&url).send().await.expect("fetched");
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()["content-type"], "video/mp4");
    assert!(
        whole.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .starts_with("inline")
    );
    assert_eq!(whole.bytes().await.expect("body").to_vec(), video_bytes());

    let part = http
        .get(&url)
        .header("range", "bytes=100-199")
        .send()
        .await
        .expect("fetched");
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.bytes().await.expect("body").to_vec(),
        video_bytes()[100..200].to_vec()
    );
}

#[tokio::test]
async fn download_sets_an_attachment_disposition() {
    let stack = TestStack::new().await;
    let rec = stored_recording(&stack, "room-a").await;
    let url = location(&play(&stack, DOWNLOAD, &rec).await);
    let response = reqwest::get(&url).await.expect("fetched");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-disposition"],
        format!("attachment; filename=\"{}\"", rec.filename).as_str()
    );
}

#[tokio::test]
async fn redirect_false_answers_the_url_as_json() {
    let stack = TestStack::new().await;
    let rec = stored_recording(&stack, "room-a").await;
    let request = stack
        .admin("GET", MEDIA)
        .path_param("recordingId", rec.recording_id.as_str())
        .query("redirect", "false");
    let response = stack.call(request, download_recording::handle).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.headers["cache-control"], "no-store");
    let body = response.json();
    let now = shared::clock::now_millis();
    let expires_at = body["expiresAt"].as_i64().expect("expiresAt");
    assert!(
        (now + 290_000..=now + 301_000).contains(&expires_at),
        "five minutes"
    );
    let fetched = reqwest::get(body["url"].as_str().expect("url"))
        .await
        .expect("fetched");
    assert_eq!(fetched.status(), 200);

    let bad = stack
        .admin("GET", MEDIA)
        .path_param("recordingId", rec.recording_id.as_str())
        .query("redirect", "maybe");
    stack
        .call(bad, download_recording::handle)
        .await
        .expect_error(422, "Unprocessable Entity");
}

#[tokio::test]
async fn s3_refuses_a_tampered_or_expired_url() {
    let stack = TestStack::with_env(&[("PRESIGN_TTL_SECONDS", "1")]).await;
    let rec = stored_recording(&stack, "room-a").await;
    let url = location(&play(&stack, MEDIA, &rec).await);

    let (head, signature) = url.split_once("X-Amz-Signature=").expect("signed url");
    let flipped = if signature.starts_with('0') { "1" } else { "0" };
    let tampered = format!("{head}X-Amz-Signature={flipped}{}", &signature[1..]);
    let response = reqwest::get(&tampered).await.expect("fetched");
    assert_eq!(response.status(), 403);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("SignatureDoesNotMatch")
    );

    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let response = reqwest::get(&url).await.expect("fetched");
    assert_eq!(response.status(), 403);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("AccessDenied")
    );
}

#[tokio::test]
async fn only_complete_recordings_play() {
    let stack = TestStack::new().await;
    for (n, status) in [
        RecordingStatus::Starting,
        RecordingStatus::Active,
        RecordingStatus::Ending,
        RecordingStatus::Failed,
        RecordingStatus::Aborted,
        RecordingStatus::LimitReached,
    ]
    .into_iter()
    .enumerate()
    {
        let rec = recording("room-a", n, status);
        put_all(&stack.store, std::slice::from_ref(&rec)).await;
        for route in [MEDIA, DOWNLOAD] {
            play(&stack, route, &rec)
                .await
                .expect_error(409, "Recording Error");
        }
    }
    let unknown = recording("room-a", 99, RecordingStatus::Complete);
    play(&stack, MEDIA, &unknown)
        .await
        .expect_error(404, "Recording Error");
    let malformed = stack.admin("GET", MEDIA).path_param("recordingId", "x");
    stack
        .call(malformed, download_recording::handle)
        .await
        .expect_error(422, "Unprocessable Entity");
}

#[tokio::test]
async fn who_may_play_follows_the_rooms_access() {
    let stack = TestStack::new().await;
    let open = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let closed = room(&stack.store, RecordingAccess::Admin).await;
    let open_rec = stored_recording(&stack, open.room_id.as_str()).await;
    let closed_rec = stored_recording(&stack, closed.room_id.as_str()).await;
    let speaker = room_token(&stack, &open, Role::Speaker).await;
    let moderator_elsewhere = room_token(&stack, &closed, Role::Moderator).await;

    let request = |route: &str, rec: &Recording, token: &str| {
        ApiRequest::new("GET", route)
            .path_param("recordingId", rec.recording_id.as_str())
            .bearer(token)
    };
    for route in [MEDIA, DOWNLOAD] {
        let response = stack
            .call(
                request(route, &open_rec, &speaker),
                download_recording::handle,
            )
            .await;
        assert_eq!(response.status, 302, "a speaker plays and downloads");
        stack
            .call(
                request(route, &open_rec, &moderator_elsewhere),
                download_recording::handle,
            )
            .await
            .expect_error(403, "Authorization Error");
        stack
            .call(
                request(route, &closed_rec, &moderator_elsewhere),
                download_recording::handle,
            )
            .await
            .expect_error(403, "Authorization Error");
        assert_eq!(
            play(&stack, route, &closed_rec).await.status,
            302,
            "admins may"
        );
    }
}
