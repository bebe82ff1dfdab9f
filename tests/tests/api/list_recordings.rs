use integration_tests::{ApiRequest, ApiResponse, TestStack};
use serde_json::Value;
use shared::model::{Recording, RecordingStatus};

use integration_tests::fixtures::{put_all, recording};

const ROUTE: &str = "/api/v1/recordings";

pub(crate) async fn list(stack: &TestStack, query: &[(&str, &str)]) -> ApiResponse {
    let mut request = stack.admin("GET", ROUTE);
    for (k, v) in query {
        request = request.query(k, v);
    }
    stack.call(request, list_recordings::handle).await
}

pub(crate) fn ids(body: &Value) -> Vec<String> {
    body["recordings"]
        .as_array()
        .expect("recordings array")
        .iter()
        .map(|r| r["recordingId"].as_str().expect("id").to_owned())
        .collect()
}

pub(crate) fn ids_of<'a>(recordings: impl IntoIterator<Item = &'a Recording>) -> Vec<String> {
    recordings
        .into_iter()
        .map(|r| r.recording_id.to_string())
        .collect()
}

/// Follows `nextPageToken` to the end, returning every page's ids.
async fn all_pages(stack: &TestStack, query: &[(&str, &str)]) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut q = query.to_vec();
        if let Some(t) = &token {
            q.push(("nextPageToken", t));
        }
        let response = list(stack, &q).await;
        assert_eq!(response.status, 200, "{}", response.json());
        let body = response.json();
        pages.push(ids(&body));
        let pagination = &body["pagination"];
        match pagination.get("nextPageToken").and_then(Value::as_str) {
            Some(t) => {
                assert_eq!(pagination["isTruncated"], true);
                token = Some(t.to_owned());
            }
            None => {
                assert_eq!(pagination["isTruncated"], false);
                return pages;
            }
        }
        assert!(pages.len() < 50, "pagination does not end");
    }
}

#[tokio::test]
async fn lists_newest_first_with_default_page_size_in_one_query() {
    let stack = TestStack::new().await;
    let recordings: Vec<_> = (0..15)
        .map(|n| recording("room-a", n, RecordingStatus::Complete))
        .collect();
    put_all(&stack.store, &recordings).await;

    let response = list(&stack, &[]).await;

    assert_eq!(response.status, 200);
    let body = response.json();
    let expected: Vec<_> = ids_of(recordings.iter().rev().take(10));
    assert_eq!(ids(&body), expected);
    assert_eq!(body["pagination"]["maxItems"], 10);
    assert_eq!(body["pagination"]["isTruncated"], true);
    assert_eq!(
        body["recordings"][0],
        serde_json::to_value(&recordings[14]).expect("json")
    );
    // One query, and one read of the page's rooms (their retention, for `expiresAt`).
    assert_eq!(response.aws_calls, 2, "a page is one query and its rooms");
}

#[tokio::test]
async fn sparse_status_filter_pages_stay_full_across_pages() {
    let stack = TestStack::new().await;
    // 60 recordings, one in six failed: the filter leaves most rows out.
    let recordings: Vec<_> = (0..60)
        .map(|n| {
            let status = if n % 6 == 0 {
                RecordingStatus::Failed
            } else {
                RecordingStatus::Complete
            };
            recording("room-a", n, status)
        })
        .collect();
    put_all(&stack.store, &recordings).await;

    let pages = all_pages(&stack, &[("status", "failed"), ("maxItems", "3")]).await;

    let sizes: Vec<_> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [3, 3, 3, 1]);
    let expected = ids_of(
        recordings
            .iter()
            .rev()
            .filter(|r| r.status == RecordingStatus::Failed),
    );
    assert_eq!(pages.concat(), expected);
}

#[tokio::test]
async fn pages_in_ascending_order_cover_everything_once() {
    let stack = TestStack::new().await;
    let recordings: Vec<_> = (0..23)
        .map(|n| recording("room-a", n, RecordingStatus::Complete))
        .collect();
    put_all(&stack.store, &recordings).await;

    let asc = all_pages(&stack, &[("sortOrder", "asc"), ("maxItems", "7")]).await;
    assert_eq!(asc.iter().map(Vec::len).collect::<Vec<_>>(), [7, 7, 7, 2]);
    assert_eq!(asc.concat(), ids_of(&recordings));

    let desc = all_pages(&stack, &[("sortOrder", "desc"), ("maxItems", "10")]).await;
    assert_eq!(desc.concat(), ids_of(recordings.iter().rev()));
}

#[tokio::test]
async fn a_page_that_ends_exactly_at_the_last_item_has_no_token() {
    let stack = TestStack::new().await;
    let recordings: Vec<_> = (0..6)
        .map(|n| recording("room-a", n, RecordingStatus::Complete))
        .collect();
    put_all(&stack.store, &recordings).await;
    let pages = all_pages(&stack, &[("maxItems", "3")]).await;
    assert_eq!(pages.len(), 2);
}

#[tokio::test]
async fn room_filter_lists_only_that_room() {
    let stack = TestStack::new().await;
    let mut recordings = Vec::new();
    for n in 0..12 {
        let room = ["room-a", "room-b", "room-c"][n % 3];
        recordings.push(recording(room, n, RecordingStatus::Complete));
    }
    put_all(&stack.store, &recordings).await;

    let pages = all_pages(&stack, &[("roomId", "room-b"), ("maxItems", "2")]).await;
    let expected = ids_of(
        recordings
            .iter()
            .rev()
            .filter(|r| r.room_id.as_str() == "room-b"),
    );
    assert_eq!(pages.concat(), expected);
    assert_eq!(pages.len(), 2);

    let empty = list(&stack, &[("roomId", "room-z")]).await;
    assert_eq!(empty.status, 200);
    assert_eq!(ids(&empty.json()), Vec::<String>::new());
    assert_eq!(empty.json()["pagination"]["isTruncated"], false);
}

#[tokio::test]
async fn fields_restrict_every_listed_object() {
    let stack = TestStack::new().await;
    put_all(
        &stack.store,
        &[recording("room-a", 1, RecordingStatus::Complete)],
    )
    .await;
    let body = list(&stack, &[("fields", "recordingId,status")])
        .await
        .json();
    assert_eq!(
        body["recordings"][0],
        serde_json::json!({"recordingId": "room-a--EG_t1--u1", "status": "complete"})
    );
}

#[tokio::test]
async fn max_items_above_100_is_clamped() {
    let stack = TestStack::new().await;
    let body = list(&stack, &[("maxItems", "5000")]).await.json();
    assert_eq!(body["pagination"]["maxItems"], 100);
}

#[tokio::test]
async fn bad_query_parameters_are_422_with_details() {
    let stack = TestStack::new().await;
    for (name, value) in [
        ("maxItems", "0"),
        ("maxItems", "-5"),
        ("maxItems", "ten"),
        ("maxItems", ""),
        ("status", "deleting"),
        ("status", "COMPLETE"),
        ("sortOrder", "newest"),
        ("roomId", "bad room"),
        ("roomId", "a--b"),
        ("nextPageToken", "garbage"),
        ("nextPageToken", ""),
    ] {
        let response = list(&stack, &[(name, value)]).await;
        let body = response.expect_error(422, "Unprocessable Entity");
        assert_eq!(body["message"], "Invalid request");
        assert_eq!(body["details"][0]["field"], name, "{name}={value}");
        assert!(body["details"][0]["message"].is_string());
        assert_eq!(response.aws_calls, 0);
    }
}

#[tokio::test]
async fn page_tokens_are_bound_to_their_query_and_tamper_proof() {
    let stack = TestStack::new().await;
    let recordings: Vec<_> = (0..5)
        .map(|n| recording("room-a", n, RecordingStatus::Complete))
        .collect();
    put_all(&stack.store, &recordings).await;
    let first = list(&stack, &[("roomId", "room-a"), ("maxItems", "2")])
        .await
        .json();
    let token = first["pagination"]["nextPageToken"]
        .as_str()
        .expect("a token")
        .to_owned();

    // Reused with other filters or sort.
    for other in [
        vec![("roomId", "room-b")],
        vec![],
        vec![("roomId", "room-a"), ("status", "complete")],
        vec![("roomId", "room-a"), ("sortOrder", "asc")],
    ] {
        let mut q = other.clone();
        q.push(("nextPageToken", &token));
        list(&stack, &q)
            .await
            .expect_error(422, "Unprocessable Entity");
    }
    // Tampered: every single-character change and truncation is refused.
    let mut tampered: Vec<String> = (0..token.len())
        .step_by(3)
        .map(|i| {
            let mut bytes = token.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            String::from_utf8(bytes).expect("ascii")
        })
        .collect();
    tampered.push(token[..token.len() / 2].to_owned());
    for bad in tampered.iter().filter(|t| **t != token) {
        let response = list(&stack, &[("roomId", "room-a"), ("nextPageToken", bad)]).await;
        response.expect_error(422, "Unprocessable Entity");
    }
    // The untouched token still works with its own query.
    let second = list(
        &stack,
        &[
            ("roomId", "room-a"),
            ("maxItems", "2"),
            ("nextPageToken", &token),
        ],
    )
    .await;
    assert_eq!(second.status, 200);
    assert_eq!(
        ids(&second.json()),
        ids_of([&recordings[2], &recordings[1]])
    );
}

#[tokio::test]
async fn requires_a_valid_api_key() {
    let stack = TestStack::new().await;
    for request in [
        ApiRequest::new("GET", ROUTE),
        ApiRequest::new("GET", ROUTE).header("x-api-key", "not-the-key"),
        ApiRequest::new("GET", ROUTE).header("authorization", "Bearer x"),
    ] {
        let response = stack.call(request, list_recordings::handle).await;
        response.expect_error(401, "Authentication Error");
        assert_eq!(response.headers["www-authenticate"], "Bearer");
    }
}
