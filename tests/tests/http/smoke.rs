//! What a client does first: read the demo recordings, log in, make a room and use its
//! links, fetch a video, delete, share, and send what no client should.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use integration_tests::ApiRequest;
use integration_tests::http::HttpApi;
use serde_json::{Value, json};

use crate::expect_status;

const RECORDINGS: &str = "/api/v1/recordings";
const ONE: &str = "/api/v1/recordings/{recordingId}";
const ROOMS: &str = "/api/v1/rooms";
const LOGIN: &str = "/api/v1/auth/login";
/// Demo recordings that `devstack seed` stores, and the video of the first.
const DEMO: &str = "daily-standup-x7k2m--EG_demo001--d001a1b2c3";
const DOOMED: &str = "daily-standup-x7k2m--EG_demo002--d002a1b2c3";
const DEMO_VIDEO: &[u8] = include_bytes!("../../../infra/demo/demo-2.mp4");
const NOT_UTF8: &[u8] = b"\xff\xfe{\"username\": \"\x80\"}";

fn one(method: &str, api: &HttpApi, id: &str) -> ApiRequest {
    api.admin(method, ONE).path_param("recordingId", id)
}

/// The string `body[key]`.
fn text(body: &Value, key: &str) -> String {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {body}"))
        .to_owned()
}

#[tokio::test]
#[ignore = "needs a running API: scripts/smoke.sh"]
async fn the_demo_recordings_are_listed_read_and_refused_as_documented() {
    let api = HttpApi::from_env();
    let all = expect_status(&api.send(&api.admin("GET", RECORDINGS)).await, 200);
    assert_eq!(
        all["recordings"].as_array().map(Vec::len),
        Some(10),
        "{all}"
    );
    assert_eq!(all["pagination"]["isTruncated"], true, "{all}");

    let request = api
        .admin("GET", RECORDINGS)
        .query("roomId", "design-review-p4q9z")
        .query("status", "complete")
        .query("maxItems", "100");
    let room = expect_status(&api.send(&request).await, 200);
    let listed = room["recordings"].as_array().expect("recordings");
    assert!(!listed.is_empty(), "{room}");
    assert!(
        listed
            .iter()
            .all(|r| r["roomId"] == "design-review-p4q9z" && r["status"] == "complete"),
        "{room}"
    );

    let demo = expect_status(&api.send(&one("GET", &api, DEMO)).await, 200);
    assert_eq!(
        (&demo["recordingId"], &demo["status"]),
        (&json!(DEMO), &json!("complete"))
    );

    let unknown = one("GET", &api, "daily-standup-x7k2m--EG_nothing--zz9");
    api.send(&unknown)
        .await
        .expect_error(404, "Recording Error");
    let malformed = api.send(&one("GET", &api, "not-an-id")).await;
    let body = malformed.expect_error(422, "Unprocessable Entity");
    assert_eq!(body["details"][0]["field"], "recordingId", "{body}");
    let zero = api.admin("GET", RECORDINGS).query("maxItems", "0");
    let body = api
        .send(&zero)
        .await
        .expect_error(422, "Unprocessable Entity");
    assert_eq!(body["details"][0]["field"], "maxItems", "{body}");
    let anonymous = ApiRequest::new("GET", RECORDINGS);
    api.send(&anonymous)
        .await
        .expect_error(401, "Authentication Error");
}

#[tokio::test]
#[ignore = "needs a running API: scripts/smoke.sh"]
async fn an_administrator_makes_a_room_whose_speaker_reads_its_config_but_not_its_recordings() {
    let api = HttpApi::from_env();
    let login = ApiRequest::new("POST", LOGIN).json(&json!({
        "username": api.env.get("ADMIN_USERNAME"),
        "password": api.env.get("ADMIN_PASSWORD"),
    }));
    let session = expect_status(&api.send(&login).await, 200);
    assert_eq!(session["expiresIn"], 7200, "{session}");
    let admin_token = text(&session, "accessToken");

    let create = ApiRequest::new("POST", ROOMS)
        .bearer(&admin_token)
        .json(&json!({"roomName": "Smoke", "config": {"recording": {"allowAccessTo": "admin_moderator"}}}));
    let room = expect_status(&api.send(&create).await, 201);
    let room_id = text(&room, "roomId");
    assert!(room_id.starts_with("smoke-"), "{room}");
    let speaker_url = text(&room, "speakerUrl");
    let (_, secret) = speaker_url.split_once("secret=").expect("a secret");

    let exchange = ApiRequest::new("POST", "/api/v1/rooms/{roomId}/recording-token")
        .path_param("roomId", &room_id)
        .json(&json!({"secret": secret}));
    let speaker = expect_status(&api.send(&exchange).await, 200);
    assert_eq!(speaker["role"], "speaker", "{speaker}");
    assert_eq!(
        speaker["permissions"]["canRetrieveRecordings"], false,
        "{speaker}"
    );
    let speaker_token = text(&speaker, "token");

    let config = ApiRequest::new("GET", "/api/v1/rooms/{roomId}/config")
        .path_param("roomId", &room_id)
        .bearer(&speaker_token);
    let config = expect_status(&api.send(&config).await, 200);
    assert_eq!(
        config["recording"]["allowAccessTo"], "admin_moderator",
        "{config}"
    );
    let list = ApiRequest::new("GET", RECORDINGS).bearer(&speaker_token);
    api.send(&list)
        .await
        .expect_error(403, "Authorization Error");

    let bad_config = api
        .admin("PUT", "/api/v1/rooms/{roomId}/config")
        .path_param("roomId", &room_id)
        .json(&json!({"config": {"recording": {"allowAccessTo": "all"}}}));
    let body = api
        .send(&bad_config)
        .await
        .expect_error(422, "Unprocessable Entity");
    assert_eq!(
        body["details"][0]["field"], "config.recording.allowAccessTo",
        "{body}"
    );
}

#[tokio::test]
#[ignore = "needs a running API: scripts/smoke.sh"]
async fn a_video_is_served_from_s3_and_a_deleted_recording_is_gone() {
    let api = HttpApi::from_env();
    let media = api
        .admin("GET", "/api/v1/recordings/{recordingId}/media")
        .path_param("recordingId", DEMO)
        .query("redirect", "false");
    let media = api.send(&media).await;
    let url = text(&expect_status(&media, 200), "url");
    assert!(url.starts_with("http"), "{url}");
    let video = api.get_url(&url).await;
    assert_eq!(
        video.status, 200,
        "the presigned URL serves the video from S3"
    );
    assert!(
        video.body == DEMO_VIDEO,
        "the presigned URL serves the demo video"
    );

    let deleted = expect_status(&api.send(&one("DELETE", &api, DOOMED)).await, 200);
    assert!(
        text(&deleted, "message").ends_with("deleted successfully"),
        "{deleted}"
    );
    api.send(&one("GET", &api, DOOMED))
        .await
        .expect_error(404, "Recording Error");
    let bulk = api
        .admin("DELETE", RECORDINGS)
        .query("recordingIds", DOOMED);
    let bulk = expect_status(&api.send(&bulk).await, 400);
    assert_eq!(bulk["failed"].as_array().map(Vec::len), Some(1), "{bulk}");
    assert_eq!(bulk["deleted"], json!([]), "{bulk}");
}

#[tokio::test]
#[ignore = "needs a running API: scripts/smoke.sh"]
async fn without_a_media_server_or_a_signature_recording_is_refused() {
    let api = HttpApi::from_env();
    let start = api
        .admin("POST", RECORDINGS)
        .json(&json!({"roomId": "daily-standup-x7k2m"}));
    api.send(&start)
        .await
        .expect_error(503, "Service Unavailable");
    let webhook =
        ApiRequest::new("POST", "/webhooks/livekit").json(&json!({"event": "egress_ended"}));
    api.send(&webhook)
        .await
        .expect_error(401, "Authentication Error");
}

/// A body that is not UTF-8 is the function's to answer, as behind API Gateway: the
/// contract's 422 for a body that is not a JSON object.
fn not_utf8(request: ApiRequest, content_type: &str) -> ApiRequest {
    request
        .header("content-type", content_type)
        .raw_body(NOT_UTF8)
}

#[tokio::test]
#[ignore = "needs a running API: scripts/smoke.sh"]
async fn bodies_that_are_not_utf8_get_the_contracts_422_even_in_a_burst() {
    let api = HttpApi::from_env();
    let login = || ApiRequest::new("POST", LOGIN);
    for request in [
        not_utf8(login(), "application/json"),
        not_utf8(api.admin("POST", ROOMS), "text/plain"),
    ] {
        let body = api
            .send(&request)
            .await
            .expect_error(422, "Unprocessable Entity");
        assert_eq!(body["details"][0]["field"], "body", "{body}");
    }
    // A burst of them, mixed with ordinary requests to the same functions and to others:
    // every one is answered by its function, none with a 5xx, none later than 5 s.
    let mut burst = Vec::new();
    for _ in 0..20 {
        let json = "application/json";
        burst.extend([
            (422, "log in, not UTF-8", not_utf8(login(), json)),
            (
                422,
                "create a room, not UTF-8",
                not_utf8(api.admin("POST", ROOMS), json),
            ),
            (422, "log in, {}", login().json(&json!({}))),
            (200, "list rooms", api.admin("GET", ROOMS)),
            (200, "list recordings", api.admin("GET", RECORDINGS)),
        ]);
    }
    let started = Instant::now();
    let answers = join_all(burst.iter().map(|(want, name, request)| async {
        let sent = Instant::now();
        let status = api.send(request).await.status;
        (*want, status, sent.elapsed(), *name)
    }))
    .await;
    let late: Vec<_> = answers
        .iter()
        .filter(|(want, status, took, _)| want != status || *took > Duration::from_secs(5))
        .collect();
    let slowest = answers.iter().map(|a| a.2).max().unwrap_or_default();
    println!(
        "a burst of 40 bodies that are not UTF-8 among 60 other requests: {} answered, the \
         slowest in {slowest:.2?}, {:.1?} in all",
        answers.len(),
        started.elapsed()
    );
    assert!(late.is_empty(), "(want, got, time, request): {late:?}");
}

#[tokio::test]
#[ignore = "needs a running API: scripts/smoke.sh"]
async fn a_share_link_opens_without_credentials_and_in_chromium_and_a_revoked_one_does_not() {
    let api = HttpApi::from_env();
    let share = api
        .admin("GET", "/api/v1/recordings/{recordingId}/url")
        .path_param("recordingId", DEMO);
    let first = expect_status(&api.send(&share).await, 200);
    let share_url = text(&first, "url");
    assert!(share_url.starts_with("http://127.0.0.1"), "{first}");
    let second = expect_status(&api.send(&share).await, 200);
    let revoked_url = text(&second, "url");
    let revoke = api
        .admin(
            "DELETE",
            "/api/v1/recordings/{recordingId}/shares/{shareId}",
        )
        .path_param("recordingId", DEMO)
        .path_param("shareId", &text(&second, "shareId"));
    let revoked = expect_status(&api.send(&revoke).await, 200);
    assert!(text(&revoked, "message").ends_with("revoked"), "{revoked}");

    let link = reqwest::Url::parse(&share_url).expect("a URL");
    let opened = link.query_pairs().fold(
        ApiRequest::new("GET", ONE).path_param("recordingId", DEMO),
        |request, (name, value)| request.query(&name, &value),
    );
    let opened = expect_status(&api.send(&opened).await, 200);
    assert_eq!(opened["recordingId"], DEMO, "{opened}");

    // The recipient's page in a real browser (tests/browser; scripts/smoke.sh installs it).
    let browser_tests = integration_tests::repo_root().join("tests/browser/");
    let status = std::process::Command::new("node")
        .arg("--test")
        .arg(browser_tests)
        .env("SHARE_URL", &share_url)
        .env("EXPECTED_DURATION", "6")
        .env("REVOKED_URL", &revoked_url)
        .status()
        .expect("node runs");
    assert!(status.success(), "the recipient page plays in Chromium");
}
