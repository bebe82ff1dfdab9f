use integration_tests::{ApiRequest, TestStack};
use serde_json::json;
use shared::model::RecordingStatus;

use integration_tests::fixtures::{put_all, recording};

const ROUTE: &str = "/api/v1/recordings/{recordingId}";

#[tokio::test]
async fn gets_one_recording_in_one_aws_call() {
    let stack = TestStack::new().await;
    let rec = recording("room-a", 1, RecordingStatus::Complete);
    put_all(&stack.store, std::slice::from_ref(&rec)).await;

    let request = stack
        .admin("GET", ROUTE)
        .path_param("recordingId", rec.recording_id.as_str());
    let response = stack.call(request, get_recording::handle).await;

    assert_eq!(response.status, 200);
    assert_eq!(response.json(), serde_json::to_value(&rec).expect("json"));
    assert!(
        response.json().get("s3Key").is_none(),
        "no internal attribute leaks"
    );
    assert_eq!(response.aws_calls, 1);
}

#[tokio::test]
async fn fields_restrict_the_object() {
    let stack = TestStack::new().await;
    let rec = recording("room-a", 1, RecordingStatus::Complete);
    put_all(&stack.store, std::slice::from_ref(&rec)).await;

    let request = stack
        .admin("GET", ROUTE)
        .path_param("recordingId", rec.recording_id.as_str())
        .query("fields", "status,size,nonsense");
    let response = stack.call(request, get_recording::handle).await;

    assert_eq!(response.status, 200);
    assert_eq!(response.json(), json!({"status": "complete", "size": 1001}));
}

#[tokio::test]
async fn unknown_id_is_404() {
    let stack = TestStack::new().await;
    let request = stack
        .admin("GET", ROUTE)
        .path_param("recordingId", "room-a--EG_none--missing1");
    let response = stack.call(request, get_recording::handle).await;
    let body = response.expect_error(404, "Recording Error");
    assert_eq!(
        body["message"],
        "Recording 'room-a--EG_none--missing1' not found"
    );
}

#[tokio::test]
async fn malformed_ids_are_422_without_touching_aws() {
    let stack = TestStack::new().await;
    for bad in [
        "nope",
        "room--EG_x",
        "room--XX_x--u1",
        "room--EG_x--u_1",
        "a--b--c--d",
        "../../etc--EG_x--u1",
        "room--EG_x--u1%00",
        &"r".repeat(300),
    ] {
        let request = stack.admin("GET", ROUTE).path_param("recordingId", bad);
        let response = stack.call(request, get_recording::handle).await;
        let body = response.expect_error(422, "Unprocessable Entity");
        assert_eq!(body["details"][0]["field"], "recordingId", "{bad}");
        assert_eq!(response.aws_calls, 0);
    }
}

#[tokio::test]
async fn requires_a_valid_api_key() {
    let stack = TestStack::new().await;
    let id = "room-a--EG_t1--u1";
    for request in [
        ApiRequest::new("GET", ROUTE),
        ApiRequest::new("GET", ROUTE).header("x-api-key", "wrong-key"),
        ApiRequest::new("GET", ROUTE).header("x-api-key", ""),
    ] {
        let response = stack
            .call(request.path_param("recordingId", id), get_recording::handle)
            .await;
        response.expect_error(401, "Authentication Error");
        assert_eq!(response.headers["www-authenticate"], "Bearer");
        assert_eq!(response.aws_calls, 0);
    }
}
