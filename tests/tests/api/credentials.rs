use futures_util::future::join_all;
use integration_tests::{ApiRequest, ApiResponse, TestStack};
use serde_json::json;
use shared::model::RecordingAccess;
use shared::throttle::MAX_FAILURES;

use integration_tests::fixtures::room;

const LOGIN: &str = "/api/v1/auth/login";
const EXCHANGE: &str = "/api/v1/rooms/{roomId}/recording-token";

async fn login(stack: &TestStack, username: &str, password: &str, ip: &str) -> ApiResponse {
    let request = ApiRequest::new("POST", LOGIN)
        .from_ip(ip)
        .json(&json!({"username": username, "password": password}));
    stack.call(request, issue_token::handle).await
}

async fn exchange(stack: &TestStack, room_id: &str, secret: &str, ip: &str) -> ApiResponse {
    let request = ApiRequest::new("POST", EXCHANGE)
        .path_param("roomId", room_id)
        .from_ip(ip)
        .json(&json!({ "secret": secret }));
    stack.call(request, issue_token::handle).await
}

#[tokio::test]
async fn the_administrator_logs_in_and_the_token_works() {
    let stack = TestStack::new().await;
    let (user, password) = (
        stack.env.get("ADMIN_USERNAME"),
        stack.env.get("ADMIN_PASSWORD"),
    );
    let response = login(&stack, &user, &password, "198.51.100.1").await;
    assert_eq!(response.status, 200, "{}", response.json());
    let body = response.json();
    assert_eq!(body["expiresIn"], 7200);
    let token = body["accessToken"].as_str().expect("token");

    let list = stack
        .call(
            ApiRequest::new("GET", "/api/v1/rooms").bearer(token),
            room_access::handle,
        )
        .await;
    assert_eq!(list.status, 200);

    for (u, p) in [
        (user.as_str(), "wrong-password"),
        ("root", password.as_str()),
        ("", ""),
    ] {
        let response = login(&stack, u, p, "198.51.100.2").await;
        assert!(
            response.status == 401 || response.status == 422,
            "{u}/{p}: {}",
            response.status
        );
    }
}

#[tokio::test]
async fn repeated_login_failures_are_throttled_per_source() {
    let stack = TestStack::new().await;
    let (user, password) = (
        stack.env.get("ADMIN_USERNAME"),
        stack.env.get("ADMIN_PASSWORD"),
    );
    for _ in 0..MAX_FAILURES {
        let response = login(&stack, &user, "guess", "203.0.113.7").await;
        response.expect_error(401, "Authentication Error");
    }
    // Now even the right password is refused from that source, with a time to retry.
    let blocked = login(&stack, &user, &password, "203.0.113.7").await;
    blocked.expect_error(429, "Too Many Requests");
    let retry_after: i64 = blocked.headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    // Another source is unaffected.
    let other = login(&stack, &user, &password, "203.0.113.8").await;
    assert_eq!(other.status, 200);
}

#[tokio::test]
async fn a_success_clears_earlier_failures() {
    let stack = TestStack::new().await;
    let (user, password) = (
        stack.env.get("ADMIN_USERNAME"),
        stack.env.get("ADMIN_PASSWORD"),
    );
    for _ in 0..MAX_FAILURES - 1 {
        login(&stack, &user, "typo", "203.0.113.9").await;
    }
    assert_eq!(
        login(&stack, &user, &password, "203.0.113.9").await.status,
        200
    );
    for _ in 0..MAX_FAILURES - 1 {
        login(&stack, &user, "typo", "203.0.113.9").await;
    }
    assert_eq!(
        login(&stack, &user, &password, "203.0.113.9").await.status,
        200
    );
}

#[tokio::test]
async fn room_secrets_exchange_for_role_tokens_with_current_permissions() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModerator).await;
    let id = room.room_id.as_str();

    let moderator = exchange(&stack, id, room.moderator_secret.expose(), "192.0.2.10").await;
    assert_eq!(moderator.status, 200, "{}", moderator.json());
    let body = moderator.json();
    assert_eq!(body["role"], "moderator");
    assert_eq!(
        body["permissions"],
        json!({"canRetrieveRecordings": true, "canDeleteRecordings": true, "canRecord": true})
    );

    let speaker = exchange(&stack, id, room.speaker_secret.expose(), "192.0.2.10").await;
    let body = speaker.json();
    assert_eq!(body["role"], "speaker");
    assert_eq!(
        body["permissions"],
        json!({"canRetrieveRecordings": false, "canDeleteRecordings": false, "canRecord": false})
    );

    let wrong = exchange(&stack, id, "not-the-secret", "192.0.2.11").await;
    wrong.expect_error(401, "Authentication Error");
    assert_eq!(wrong.headers["www-authenticate"], "Bearer");
    // Another room's secret, and an unknown room, look the same as a wrong secret.
    let other = self::room(&stack.store, RecordingAccess::Admin).await;
    exchange(&stack, id, other.moderator_secret.expose(), "192.0.2.11")
        .await
        .expect_error(401, "Authentication Error");
    exchange(
        &stack,
        "no-such-room",
        room.moderator_secret.expose(),
        "192.0.2.11",
    )
    .await
    .expect_error(401, "Authentication Error");
    exchange(&stack, "bad--room", "x", "192.0.2.11")
        .await
        .expect_error(422, "Unprocessable Entity");
    let missing = ApiRequest::new("POST", EXCHANGE)
        .path_param("roomId", id)
        .json(&json!({}));
    let response = stack.call(missing, issue_token::handle).await;
    let body = response.expect_error(422, "Unprocessable Entity");
    assert_eq!(body["details"][0]["field"], "secret");
}

#[tokio::test]
async fn repeated_wrong_secrets_are_throttled() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let id = room.room_id.as_str();
    for n in 0..MAX_FAILURES {
        exchange(&stack, id, &format!("guess-{n}"), "192.0.2.20")
            .await
            .expect_error(401, "Authentication Error");
    }
    exchange(&stack, id, room.speaker_secret.expose(), "192.0.2.20")
        .await
        .expect_error(429, "Too Many Requests");
    let elsewhere = exchange(&stack, id, room.speaker_secret.expose(), "192.0.2.21").await;
    assert_eq!(elsewhere.status, 200);
}

#[tokio::test]
async fn a_burst_of_concurrent_wrong_passwords_gets_exactly_the_allowed_tries() {
    let stack = TestStack::new().await;
    let user = stack.env.get("ADMIN_USERNAME");
    let passwords: Vec<String> = (0..20).map(|n| format!("guess-{n}")).collect();
    let guesses = passwords
        .iter()
        .map(|p| login(&stack, &user, p, "203.0.113.40"));
    let statuses: Vec<u16> = join_all(guesses).await.iter().map(|r| r.status).collect();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(
        (checked, refused),
        (MAX_FAILURES as usize, 20 - MAX_FAILURES as usize),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn a_burst_of_concurrent_wrong_secrets_gets_exactly_the_allowed_tries() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let id = room.room_id.as_str();
    let secrets: Vec<String> = (0..20).map(|n| format!("guess-{n}")).collect();
    let guesses = secrets
        .iter()
        .map(|secret| exchange(&stack, id, secret, "192.0.2.40"));
    let statuses: Vec<u16> = join_all(guesses).await.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        MAX_FAILURES as usize,
        "{statuses:?}"
    );
    assert!(statuses.iter().all(|s| *s == 401 || *s == 429));
}

#[tokio::test]
async fn a_success_clears_only_its_own_targets_count() {
    let stack = TestStack::new().await;
    let (a, b) = (
        room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await,
        room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await,
    );
    let ip = "192.0.2.50";
    for n in 0..MAX_FAILURES - 1 {
        exchange(&stack, b.room_id.as_str(), &format!("guess-{n}"), ip)
            .await
            .expect_error(401, "Authentication Error");
    }
    // A genuine secret of room A does not reset the guesses at room B...
    let genuine = exchange(&stack, a.room_id.as_str(), a.speaker_secret.expose(), ip).await;
    assert_eq!(genuine.status, 200);
    exchange(&stack, b.room_id.as_str(), "one-more-guess", ip)
        .await
        .expect_error(401, "Authentication Error");
    exchange(&stack, b.room_id.as_str(), b.speaker_secret.expose(), ip)
        .await
        .expect_error(429, "Too Many Requests");
    // ...nor does the administrator's login, whose own count is separate.
    let (user, password) = (
        stack.env.get("ADMIN_USERNAME"),
        stack.env.get("ADMIN_PASSWORD"),
    );
    assert_eq!(login(&stack, &user, &password, ip).await.status, 200);
    exchange(&stack, b.room_id.as_str(), b.speaker_secret.expose(), ip)
        .await
        .expect_error(429, "Too Many Requests");
}

#[tokio::test]
async fn responses_that_carry_credentials_are_never_cached() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let (user, password) = (
        stack.env.get("ADMIN_USERNAME"),
        stack.env.get("ADMIN_PASSWORD"),
    );
    let responses = [
        login(&stack, &user, &password, "192.0.2.60").await,
        login(&stack, &user, "wrong", "192.0.2.61").await,
        exchange(
            &stack,
            room.room_id.as_str(),
            room.moderator_secret.expose(),
            "192.0.2.60",
        )
        .await,
        stack
            .call(stack.admin("GET", "/api/v1/rooms"), room_access::handle)
            .await,
        stack
            .call(
                stack
                    .admin("GET", "/api/v1/rooms/{roomId}")
                    .path_param("roomId", room.room_id.as_str()),
                room_access::handle,
            )
            .await,
    ];
    for response in responses {
        assert_eq!(response.headers["cache-control"], "no-store");
    }
}
