//! `PATCH /recordings/{recordingId}`: titles, who may give them, what they may be, and that
//! they never undo what the media server reports meanwhile.

use integration_tests::{ApiRequest, ApiResponse, TestStack};
use serde_json::{Value, json};
use shared::model::{Recording, RecordingAccess, RecordingStatus, Role};
use shared::store::{Applied, Progress};

use integration_tests::fixtures::{put_all, recording, room, room_token};

fn patch(id: &str, body: &Value) -> ApiRequest {
    ApiRequest::new("PATCH", "/api/v1/recordings/{recordingId}")
        .path_param("recordingId", id)
        .json(body)
}

async fn as_admin(stack: &TestStack, id: &str, body: &Value) -> ApiResponse {
    let request = patch(id, body).header("x-api-key", &stack.api_key());
    stack.call(request, update_recording::handle).await
}

#[tokio::test]
async fn a_title_is_set_trimmed_listed_searched_and_cleared() {
    let stack = TestStack::new().await;
    let r = recording("room-a", 1, RecordingStatus::Complete);
    put_all(&stack.store, std::slice::from_ref(&r)).await;
    let id = r.recording_id.as_str();

    let response = as_admin(&stack, id, &json!({"title": "  Board meeting, March  "})).await;
    assert_eq!(response.status, 200, "{}", response.json());
    let mut expected = serde_json::to_value(&r).expect("json");
    expected["title"] = json!("Board meeting, March");
    assert_eq!(
        response.json(),
        expected,
        "the updated recording, nothing else changed"
    );

    let listed = stack
        .call(
            stack.admin("GET", "/api/v1/recordings").query("q", "march"),
            list_recordings::handle,
        )
        .await
        .json();
    assert_eq!(listed["recordings"][0]["title"], "Board meeting, March");
    let got = stack
        .call(
            stack
                .admin("GET", "/api/v1/recordings/{recordingId}")
                .path_param("recordingId", id)
                .query("fields", "title"),
            get_recording::handle,
        )
        .await
        .json();
    assert_eq!(got, json!({"title": "Board meeting, March"}));

    let cleared = as_admin(&stack, id, &json!({"title": null})).await;
    assert_eq!(cleared.status, 200);
    assert_eq!(cleared.json()["title"], Value::Null);
    let stored: Recording = stack
        .store
        .get_recording(&r.recording_id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(stored, r);
}

#[tokio::test]
async fn invalid_titles_are_422_and_change_nothing() {
    let stack = TestStack::new().await;
    let r = recording("room-a", 1, RecordingStatus::Complete);
    put_all(&stack.store, std::slice::from_ref(&r)).await;
    let id = r.recording_id.as_str();
    for body in [
        json!({}),
        json!({"title": ""}),
        json!({"title": "   "}),
        json!({"title": "a".repeat(201)}),
        json!({"title": "line\nbreak"}),
        json!({"title": "tab\there"}),
        json!({"title": 5}),
        json!({"title": ["a"]}),
        json!({"title": "ok", "status": "failed"}),
    ] {
        let response = as_admin(&stack, id, &body).await;
        response.expect_error(422, "Unprocessable Entity");
        assert_eq!(response.aws_calls, 0, "{body}");
    }
    let request = ApiRequest::new("PATCH", "/api/v1/recordings/{recordingId}")
        .path_param("recordingId", id)
        .header("x-api-key", &stack.api_key())
        .raw_body("not json");
    stack
        .call(request, update_recording::handle)
        .await
        .expect_error(422, "Unprocessable Entity");
    let fits = "é".repeat(200);
    assert_eq!(
        as_admin(&stack, id, &json!({"title": fits})).await.status,
        200
    );
    as_admin(&stack, "bad id", &json!({"title": "x"}))
        .await
        .expect_error(422, "Unprocessable Entity");
    as_admin(&stack, "room-a--EG_none--u9", &json!({"title": "x"}))
        .await
        .expect_error(404, "Recording Error");
}

#[tokio::test]
async fn those_who_may_delete_may_title_and_no_one_else() {
    let stack = TestStack::new().await;
    let open = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let closed = room(&stack.store, RecordingAccess::Admin).await;
    let in_open = recording(open.room_id.as_str(), 1, RecordingStatus::Complete);
    let in_closed = recording(closed.room_id.as_str(), 2, RecordingStatus::Complete);
    put_all(&stack.store, &[in_open.clone(), in_closed.clone()]).await;
    let body = json!({"title": "Renamed"});
    let call = |token: String, id: String| {
        let stack = &stack;
        let body = &body;
        async move {
            let request = patch(&id, body).bearer(&token);
            stack.call(request, update_recording::handle).await
        }
    };
    let moderator = room_token(&stack, &open, Role::Moderator).await;
    let speaker = room_token(&stack, &open, Role::Speaker).await;
    let closed_moderator = room_token(&stack, &closed, Role::Moderator).await;
    let open_id = in_open.recording_id.to_string();
    let closed_id = in_closed.recording_id.to_string();

    assert_eq!(call(moderator.clone(), open_id.clone()).await.status, 200);
    call(speaker, open_id.clone())
        .await
        .expect_error(403, "Authorization Error");
    call(closed_moderator, closed_id.clone())
        .await
        .expect_error(403, "Authorization Error");
    call(moderator.clone(), closed_id)
        .await
        .expect_error(403, "Authorization Error");
    // Unknown in the token's own room: 404 once allowed.
    let unknown = format!("{}--EG_none--u9", open.room_id);
    call(moderator, unknown)
        .await
        .expect_error(404, "Recording Error");
    let anonymous = stack
        .call(patch(&open_id, &body), update_recording::handle)
        .await;
    anonymous.expect_error(401, "Authentication Error");
}

#[tokio::test]
async fn a_title_never_undoes_a_concurrent_report_nor_the_report_the_title() {
    let stack = TestStack::new().await;
    let recordings: Vec<Recording> = (0..8)
        .map(|n| {
            let mut r = recording("room-a", n, RecordingStatus::Active);
            r.size = None;
            r.duration = None;
            r.end_date = None;
            r
        })
        .collect();
    put_all(&stack.store, &recordings).await;
    let now = shared::clock::now_millis();
    let work = recordings.iter().enumerate().map(|(n, r)| {
        let stack = &stack;
        async move {
            let progress = Progress {
                recording_id: r.recording_id.clone(),
                room_name: r.room_name.clone(),
                status: RecordingStatus::Complete,
                start_date: r.start_date,
                end_date: Some(r.start_date + 5_000),
                duration: Some(5.0),
                size: Some(4242),
                error: None,
                error_code: None,
                details: None,
            };
            let title = json!({"title": format!("Title {n}")});
            let event_id = format!("event-{n}");
            let (applied, titled) = tokio::join!(
                stack.store.apply_progress(&progress, &event_id, now),
                as_admin(stack, r.recording_id.as_str(), &title),
            );
            assert!(matches!(applied, Ok(Applied::Written(_))), "{applied:?}");
            assert_eq!(titled.status, 200, "{}", titled.json());
        }
    });
    futures_util::future::join_all(work).await;
    for (n, r) in recordings.iter().enumerate() {
        let stored = stack
            .store
            .get_recording(&r.recording_id)
            .await
            .expect("read")
            .expect("stored");
        assert_eq!(stored.title.as_deref(), Some(format!("Title {n}").as_str()));
        assert_eq!(stored.status, RecordingStatus::Complete);
        assert_eq!(stored.size, Some(4242));
    }
    // And the report moved it into the size order.
    let by_size = stack
        .call(
            stack
                .admin("GET", "/api/v1/recordings")
                .query("sortField", "size")
                .query("maxItems", "100"),
            list_recordings::handle,
        )
        .await
        .json();
    let sizes: Vec<_> = by_size["recordings"]
        .as_array()
        .expect("recordings")
        .iter()
        .map(|r| r["size"].clone())
        .collect();
    assert_eq!(sizes, vec![json!(4242); 8]);
}
