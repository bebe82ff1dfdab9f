//! The activity trail: each kind written with who, what and the result, never a secret;
//! its routes' permissions and pagination; and a request that succeeds whatever becomes
//! of its entry.

use integration_tests::intercept::{Interceptor, Verdict};
use integration_tests::{ApiRequest, ApiResponse, TestStack, log_lines, remembered_secrets};
use serde_json::{Value, json};
use shared::model::{Activity, ActivityKind, Actor, Recording, RecordingAccess, RecordingId, Role};

use crate::shares::{MEDIA, PAGE, SHARES, URL, link, open_page, shared_recording};
use integration_tests::fixtures::{room, room_token};

const RECORDING_ACTIVITY: &str = "/api/v1/recordings/{recordingId}/activity";
const ROOM_ACTIVITY: &str = "/api/v1/rooms/{roomId}/activity";
const DOWNLOAD: &str = "/api/v1/recordings/{recordingId}/download";

async fn recording_activity(
    stack: &TestStack,
    id: &RecordingId,
    token: Option<&str>,
    query: &[(&str, &str)],
) -> ApiResponse {
    let mut request = match token {
        Some(token) => ApiRequest::new("GET", RECORDING_ACTIVITY).bearer(token),
        None => stack.admin("GET", RECORDING_ACTIVITY),
    }
    .path_param("recordingId", id.as_str());
    for (k, v) in query {
        request = request.query(k, v);
    }
    stack.call(request, list_recordings::handle).await
}

async fn room_activity(stack: &TestStack, room_id: &str, token: Option<&str>) -> ApiResponse {
    let request = match token {
        Some(token) => ApiRequest::new("GET", ROOM_ACTIVITY).bearer(token),
        None => stack.admin("GET", ROOM_ACTIVITY),
    }
    .path_param("roomId", room_id);
    stack.call(request, list_recordings::handle).await
}

fn entries(response: &ApiResponse) -> Vec<Value> {
    assert_eq!(response.status, 200, "{}", response.json());
    response.json()["activity"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn kinds(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn every_kind_is_written_with_who_what_and_how_it_went() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let rec = shared_recording(&stack, &room).await;
    let id = &rec.recording_id;
    let speaker = room_token(&stack, &room, Role::Speaker).await;
    let moderator = room_token(&stack, &room, Role::Moderator).await;

    // Played by an administrator; shared play-only by a speaker; the link opened, and a
    // download through it refused (and recorded as such); titled, revoked, deleted.
    let played = ApiRequest::new("GET", MEDIA)
        .path_param("recordingId", id.as_str())
        .query("redirect", "false")
        .header("x-api-key", &stack.api_key())
        .from_ip("203.0.113.5");
    assert_eq!(
        stack.call(played, download_recording::handle).await.status,
        200
    );
    let shared = link(&stack, &rec, Some(&speaker), &[("allowDownload", "false")]).await;
    assert_eq!(open_page(&stack, &rec, &shared.secret).await.status, 200);
    let refused = ApiRequest::new("GET", DOWNLOAD)
        .path_param("recordingId", id.as_str())
        .query("secret", &shared.secret);
    assert_eq!(
        stack.call(refused, download_recording::handle).await.status,
        403
    );
    let title = ApiRequest::new("PATCH", "/api/v1/recordings/{recordingId}")
        .path_param("recordingId", id.as_str())
        .bearer(&moderator)
        .json(&json!({"title": "Quarterly review"}));
    assert_eq!(
        stack.call(title, update_recording::handle).await.status,
        200
    );
    let revoke = ApiRequest::new(
        "DELETE",
        "/api/v1/recordings/{recordingId}/shares/{shareId}",
    )
    .path_param("recordingId", id.as_str())
    .path_param("shareId", &shared.share_id)
    .bearer(&moderator);
    assert_eq!(
        stack.call(revoke, share_recording::handle).await.status,
        200
    );
    let delete = stack
        .admin("DELETE", "/api/v1/recordings/{recordingId}")
        .path_param("recordingId", id.as_str());
    assert_eq!(
        stack.call(delete, delete_recordings::handle).await.status,
        200
    );

    // The trail outlives the recording, newest first.
    let trail = entries(&recording_activity(&stack, id, None, &[("maxItems", "20")]).await);
    assert_eq!(
        kinds(&trail),
        [
            "deleted",
            "shareRevoked",
            "titleChanged",
            "downloaded",
            "shareOpened",
            "shareCreated",
            "played"
        ]
    );
    let by = |kind: &str| {
        trail
            .iter()
            .find(|e| e["kind"] == kind)
            .cloned()
            .expect("an entry of that kind")
    };
    let admin = json!({"kind": "admin", "role": "admin", "shareId": null});
    let link_actor = json!({"kind": "shareLink", "role": null, "shareId": shared.share_id});
    assert_eq!(by("played")["actor"], admin);
    assert_eq!(by("played")["sourceIp"], "203.0.113.5");
    assert_eq!(by("played")["result"], json!({"status": 200}));
    assert_eq!(
        by("shareCreated")["actor"],
        json!({"kind": "participant", "role": "speaker", "shareId": null})
    );
    assert_eq!(by("shareCreated")["details"]["shareId"], shared.share_id);
    assert_eq!(by("shareCreated")["details"]["allowDownload"], false);
    assert_eq!(by("shareOpened")["actor"], link_actor);
    assert_eq!(by("shareOpened")["result"]["status"], 200);
    assert_eq!(by("downloaded")["actor"], link_actor);
    assert_eq!(
        by("downloaded")["result"],
        json!({"status": 403, "message": "This share link allows playing only"})
    );
    assert_eq!(
        by("titleChanged")["details"],
        json!({"title": "Quarterly review"})
    );
    assert_eq!(by("titleChanged")["actor"]["role"], "moderator");
    assert_eq!(
        by("shareRevoked")["details"],
        json!({"shareId": shared.share_id})
    );
    assert_eq!(by("deleted")["actor"], admin);
    for entry in &trail {
        assert_eq!(entry["recordingId"], id.as_str());
        assert_eq!(entry["roomId"], room.room_id.as_str());
    }

    // A room's settings go into the room's trail, with everything of its recordings.
    let config = stack
        .admin("PUT", "/api/v1/rooms/{roomId}/config")
        .path_param("roomId", room.room_id.as_str())
        .json(&json!({"config": {"recording": {"allowAccessTo": "admin_moderator"}}}));
    assert_eq!(stack.call(config, room_access::handle).await.status, 200);
    let room_trail = entries(&room_activity(&stack, room.room_id.as_str(), None).await);
    assert_eq!(room_trail[0]["kind"], "roomConfigChanged");
    assert_eq!(room_trail[0]["recordingId"], Value::Null);
    assert_eq!(
        room_trail[0]["details"]["recording"]["allowAccessTo"],
        "admin_moderator"
    );
    assert_eq!(room_trail[1]["kind"], "deleted");
}

#[tokio::test]
async fn no_entry_carries_a_secret_a_password_or_a_token() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let rec = shared_recording(&stack, &room).await;
    let moderator = room_token(&stack, &room, Role::Moderator).await;
    let password = "a password never logged";
    integration_tests::remember_secret(password);
    let request = ApiRequest::new("POST", URL)
        .path_param("recordingId", rec.recording_id.as_str())
        .bearer(&moderator)
        .json(&json!({"password": password}));
    let created = stack.call(request, share_recording::handle).await;
    assert_eq!(created.status, 200);
    let url = created.json()["url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let secret = url
        .split_once("secret=")
        .map(|(_, s)| s.to_owned())
        .unwrap_or_default();
    for guess in [password, "a wrong password"] {
        let request = ApiRequest::new("POST", PAGE)
            .path_param("recordingId", rec.recording_id.as_str())
            .query("secret", &secret)
            .raw_body(format!("password={}", guess.replace(' ', "+")));
        stack.call(request, share_page::handle).await;
        let request = ApiRequest::new("GET", MEDIA)
            .path_param("recordingId", rec.recording_id.as_str())
            .query("secret", &secret)
            .header("x-share-password", guess);
        stack.call(request, download_recording::handle).await;
    }
    let request = ApiRequest::new("GET", SHARES)
        .path_param("recordingId", rec.recording_id.as_str())
        .bearer(&moderator);
    assert_eq!(
        stack.call(request, share_recording::handle).await.status,
        200
    );

    // Every entry written so far in this run, by every test.
    let scanned = stack
        .dynamodb
        .scan()
        .table_name(&stack.table)
        .filter_expression("begins_with(PK, :act)")
        .expression_attribute_values(
            ":act",
            aws_sdk_dynamodb::types::AttributeValue::S("ACT#".into()),
        )
        .send()
        .await
        .expect("scanned (tests only)");
    let items = scanned.items();
    assert!(items.len() >= 5, "entries were written: {}", items.len());
    let secrets = remembered_secrets();
    for item in items {
        let text = format!("{item:?}");
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "an entry holds a credential: {text}"
            );
        }
        assert!(!text.contains("argon2"), "{text}");
    }
}

#[tokio::test]
async fn who_may_read_a_trail() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModerator).await;
    let other =
        integration_tests::fixtures::room(&stack.store, RecordingAccess::AdminModerator).await;
    let rec = shared_recording(&stack, &room).await;
    let id = &rec.recording_id;
    let moderator = room_token(&stack, &room, Role::Moderator).await;
    let speaker = room_token(&stack, &room, Role::Speaker).await;
    let elsewhere = room_token(&stack, &other, Role::Moderator).await;

    assert_eq!(
        recording_activity(&stack, id, Some(&moderator), &[])
            .await
            .status,
        200
    );
    for token in [&speaker, &elsewhere] {
        let response = recording_activity(&stack, id, Some(token), &[]).await;
        assert_eq!(response.status, 403);
        assert!(response.error_shape(403).is_ok());
    }
    assert_eq!(
        recording_activity(&stack, id, Some("not-a-token"), &[])
            .await
            .status,
        401
    );
    // What does not exist gets no trail: a 404 writes nothing.
    let missing = RecordingId::parse(&format!("{}--EG_missing--u1", room.room_id)).expect("an id");
    let request = stack
        .admin("GET", MEDIA)
        .path_param("recordingId", missing.as_str());
    let response = stack.call(request, download_recording::handle).await;
    assert_eq!((response.status, response.aws_calls), (404, 1));
    assert!(entries(&recording_activity(&stack, &missing, None, &[]).await).is_empty());
    // Another room's participant is refused whether or not the recording exists: its
    // attempts are no part of this room's trail (nor is the title it tried).
    let play = ApiRequest::new("GET", MEDIA)
        .path_param("recordingId", id.as_str())
        .bearer(&elsewhere);
    assert_eq!(
        stack.call(play, download_recording::handle).await.status,
        403
    );
    let title = ApiRequest::new("PATCH", "/api/v1/recordings/{recordingId}")
        .path_param("recordingId", id.as_str())
        .bearer(&elsewhere)
        .json(&json!({"title": "Written by another room"}));
    assert_eq!(
        stack.call(title, update_recording::handle).await.status,
        403
    );
    assert!(entries(&recording_activity(&stack, id, None, &[]).await).is_empty());
    // A room's whole trail is for administrators.
    let room_id = room.room_id.as_str();
    assert_eq!(
        room_activity(&stack, room_id, Some(&moderator))
            .await
            .status,
        403
    );
    assert_eq!(room_activity(&stack, room_id, None).await.status, 200);
    assert_eq!(
        room_activity(&stack, "no-such-room", None).await.status,
        404
    );
    assert_eq!(room_activity(&stack, "Not A Room!", None).await.status, 422);
    for query in [
        [("kind", "played,watched")],
        [("maxItems", "0")],
        [("nextPageToken", "garbage")],
    ] {
        let response = recording_activity(&stack, id, None, &query).await;
        assert_eq!(response.status, 422, "{query:?}");
        assert!(response.error_shape(422).is_ok());
    }
}

/// Entries written directly, `n` of them alternating played and downloaded, oldest first.
async fn written(stack: &TestStack, id: &RecordingId, n: usize) {
    let req = ApiRequest::new("GET", MEDIA).build();
    let entries: Vec<Activity> = (0..n)
        .map(|i| {
            let kind = if i % 5 == 0 {
                ActivityKind::Downloaded
            } else {
                ActivityKind::Played
            };
            let mut entry =
                Activity::of_recording(kind, id, Actor::of(&shared::model::Principal::Admin), &req);
            entry.at = 1_700_000_000_000 + i as i64;
            entry
        })
        .collect();
    stack.app.activity().record(&entries).await;
}

#[tokio::test]
async fn pages_run_newest_first_and_a_filter_keeps_them_full() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let rec: Recording = shared_recording(&stack, &room).await;
    let id = &rec.recording_id;
    written(&stack, id, 60).await;

    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut query = vec![("maxItems", "25")];
        if let Some(t) = &token {
            query.push(("nextPageToken", t.as_str()));
        }
        let response = recording_activity(&stack, id, None, &query).await;
        let page = entries(&response);
        seen.extend(page.iter().map(|e| e["at"].as_i64().unwrap_or_default()));
        token = response.json()["pagination"]["nextPageToken"]
            .as_str()
            .map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen.len(), 60);
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeats"
    );

    // 12 downloads among 60: a page of 10 is full, the next has the last 2.
    let first = recording_activity(
        &stack,
        id,
        None,
        &[("kind", "downloaded"), ("maxItems", "10")],
    )
    .await;
    assert_eq!(kinds(&entries(&first)), vec!["downloaded"; 10]);
    let token = first.json()["pagination"]["nextPageToken"]
        .as_str()
        .expect("more")
        .to_owned();
    // The token is bound to the kinds asked for.
    let other = recording_activity(
        &stack,
        id,
        None,
        &[("kind", "played"), ("nextPageToken", &token)],
    )
    .await;
    assert_eq!(other.status, 422);
    let rest = recording_activity(
        &stack,
        id,
        None,
        &[
            ("kind", "downloaded"),
            ("maxItems", "10"),
            ("nextPageToken", &token),
        ],
    )
    .await;
    assert_eq!(entries(&rest).len(), 2);
    assert_eq!(rest.json()["pagination"]["isTruncated"], false);
}

#[tokio::test]
async fn a_request_succeeds_when_its_entry_cannot_be_written() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let rec = shared_recording(&stack, &room).await;
    let activity_writes_fail = Interceptor::new("ActivityOutage", |call| {
        let writes_activity = call.operation == "PutItem"
            && call.json_body().is_some_and(|b| {
                b["Item"]["PK"]["S"]
                    .as_str()
                    .is_some_and(|pk| pk.starts_with("ACT#"))
            });
        if writes_activity {
            Verdict::Fail
        } else {
            Verdict::Send
        }
    });
    let app = stack.app_with_interceptors(Some(activity_writes_fail), None);
    let request = stack
        .admin("GET", MEDIA)
        .path_param("recordingId", rec.recording_id.as_str());
    let response = stack
        .call_with(&app, request, download_recording::handle)
        .await;
    assert_eq!(response.status, 302);
    // Logged, to be counted (the template's metric filter matches this message).
    assert!(
        log_lines()
            .iter()
            .any(|l| l["message"] == "activity not written" && l["kind"] == "played"),
        "the failure is logged"
    );
    assert!(entries(&recording_activity(&stack, &rec.recording_id, None, &[]).await).is_empty());
}
