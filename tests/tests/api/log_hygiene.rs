use integration_tests::{ApiRequest, TestStack, log_lines, remembered_secrets};
use serde_json::json;
use shared::model::{RecordingAccess, Role};

use integration_tests::fixtures::{admin_token, room, room_token};

/// Runs every credential-bearing path, right and wrong, then checks that no log line
/// written so far in this test run (this test's and every other's) contains any
/// credential the tests used or were issued.
#[tokio::test]
async fn no_credential_reaches_a_log_line() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let admin = admin_token(&stack).await;
    let moderator = room_token(&stack, &room, Role::Moderator).await;
    let created = stack
        .call(
            ApiRequest::new("POST", "/api/v1/rooms")
                .bearer(&admin)
                .json(&json!({"roomName": "Hygiene"})),
            room_access::handle,
        )
        .await;
    assert_eq!(created.status, 201);
    let wrong_secret = format!("{}x", room.speaker_secret.expose());
    integration_tests::remember_secret(&wrong_secret);
    let failing = [
        ApiRequest::new("POST", "/api/v1/rooms/{roomId}/recording-token")
            .path_param("roomId", room.room_id.as_str())
            .json(&json!({ "secret": wrong_secret })),
        ApiRequest::new("POST", "/api/v1/auth/login")
            .json(&json!({"username": "admin", "password": "wrong-password-do-not-log"})),
    ];
    integration_tests::remember_secret("wrong-password-do-not-log");
    for request in failing {
        stack.call(request, issue_token::handle).await;
    }
    let tampered = format!("{moderator}x");
    stack
        .call(
            ApiRequest::new("GET", "/api/v1/recordings").bearer(&tampered),
            list_recordings::handle,
        )
        .await;
    stack
        .call(
            ApiRequest::new("GET", "/api/v1/recordings")
                .header("x-api-key", "wrong-key-do-not-log"),
            list_recordings::handle,
        )
        .await;
    integration_tests::remember_secret("wrong-key-do-not-log");

    let lines = log_lines();
    assert!(lines.len() > 5, "the handlers logged");
    let secrets = remembered_secrets();
    assert!(
        secrets.len() >= 8,
        "credentials were collected: {}",
        secrets.len()
    );
    for line in &lines {
        let text = line.to_string();
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "a log line contains a credential: {text}"
            );
        }
    }
}
