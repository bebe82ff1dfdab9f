use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::{ApiRequest, TestStack};
use serde_json::{Value, json};
use shared::model::{RecordingAccess, Role};

use integration_tests::fixtures::{room, room_token};

const ROOMS: &str = "/api/v1/rooms";
const ROOM: &str = "/api/v1/rooms/{roomId}";
const CONFIG: &str = "/api/v1/rooms/{roomId}/config";

async fn create(stack: &TestStack, body: &Value) -> integration_tests::ApiResponse {
    stack
        .call(stack.admin("POST", ROOMS).json(body), room_access::handle)
        .await
}

fn fields_of(body: &Value) -> Vec<String> {
    body["details"]
        .as_array()
        .expect("details")
        .iter()
        .map(|d| d["field"].as_str().expect("field").to_owned())
        .collect()
}

#[tokio::test]
async fn admin_creates_a_room_with_secret_urls() {
    let stack = TestStack::new().await;
    let response = create(
        &stack,
        &json!({"roomName": "Daily standup", "config": {"recording": {"enabled": true, "allowAccessTo": "admin_moderator"}}}),
    )
    .await;
    assert_eq!(response.status, 201, "{}", response.json());
    let body = response.json();
    let room_id = body["roomId"].as_str().expect("roomId");
    assert!(room_id.starts_with("daily-standup-"), "{room_id}");
    assert_eq!(body["roomName"], "Daily standup");
    assert!(body["creationDate"].as_i64().expect("date") > 0);
    assert_eq!(
        body["config"],
        json!({"recording": {"enabled": true, "allowAccessTo": "admin_moderator", "trashDays": 7}})
    );
    let base = stack.env.get("CONSOLE_ORIGIN");
    let mut secrets = Vec::new();
    for key in ["moderatorUrl", "speakerUrl"] {
        let url = body[key].as_str().expect("url");
        let prefix = format!("{base}/room/{room_id}?secret=");
        let secret = url.strip_prefix(&prefix).expect("room url format");
        assert!(secret.len() >= 22, "at least 128 bits");
        secrets.push(secret.to_owned());
    }
    assert_ne!(secrets[0], secrets[1]);
}

/// Every function reads room items; only room-access may read the secrets' own partition
/// (the template's `dynamodb:LeadingKeys`), so the room item holds digests alone.
#[tokio::test]
async fn room_secrets_live_apart_from_the_room_and_still_admit() {
    let stack = TestStack::new().await;
    let created = create(&stack, &json!({"roomName": "Apart"})).await.json();
    let room_id = created["roomId"].as_str().expect("roomId");
    let secret_of = |body: &Value, key: &str| {
        let url = body[key].as_str().expect("url");
        url.split_once("secret=").expect("a secret").1.to_owned()
    };
    let moderator = secret_of(&created, "moderatorUrl");
    let speaker = secret_of(&created, "speakerUrl");

    let item = |pk: String| {
        let dynamodb = stack.dynamodb.clone();
        let table = stack.table.clone();
        async move {
            dynamodb
                .get_item()
                .table_name(table)
                .key("PK", AttributeValue::S(pk))
                .key("SK", AttributeValue::S("META".into()))
                .send()
                .await
                .expect("read")
                .item
                .expect("the item")
        }
    };
    let room_item = format!("{:?}", item(format!("ROOM#{room_id}")).await);
    for secret in [&moderator, &speaker] {
        assert!(!room_item.contains(secret.as_str()), "{room_item}");
        let digest = shared::crypto::sha256_hex(secret.as_bytes());
        assert!(room_item.contains(&digest), "{room_item}");
    }
    let secrets_item = item(format!("ROOMSECRET#{room_id}")).await;
    assert_eq!(
        secrets_item.get("moderatorSecret"),
        Some(&AttributeValue::S(moderator.clone()))
    );
    assert!(
        secrets_item.keys().all(|k| !k.starts_with("GSI")),
        "no index returns the secrets"
    );

    // Administrators still see the same URLs, whichever way they read the room.
    let got = stack
        .call(
            stack.admin("GET", ROOM).path_param("roomId", room_id),
            room_access::handle,
        )
        .await
        .json();
    let listed = stack
        .call(stack.admin("GET", ROOMS), room_access::handle)
        .await
        .json();
    let listed = listed["rooms"]
        .as_array()
        .expect("rooms")
        .iter()
        .find(|r| r["roomId"] == room_id)
        .cloned()
        .expect("listed");
    for body in [&got, &listed] {
        assert_eq!(secret_of(body, "moderatorUrl"), moderator);
        assert_eq!(secret_of(body, "speakerUrl"), speaker);
    }

    // And the secrets admit, compared with the digests.
    for (secret, role) in [(&moderator, "moderator"), (&speaker, "speaker")] {
        let response = stack
            .call(
                ApiRequest::new("POST", "/api/v1/rooms/{roomId}/recording-token")
                    .path_param("roomId", room_id)
                    .json(&json!({ "secret": secret })),
                issue_token::handle,
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.json());
        assert_eq!(response.json()["role"], role);
    }
}

#[tokio::test]
async fn defaults_apply_when_fields_are_left_out() {
    let stack = TestStack::new().await;
    let body = create(&stack, &json!({})).await.json();
    assert_eq!(body["roomName"], "Room");
    assert_eq!(
        body["config"]["recording"],
        json!({"enabled": true, "allowAccessTo": "admin_moderator_speaker", "trashDays": 7})
    );
}

#[tokio::test]
async fn unknown_fields_and_bad_values_are_422_with_details() {
    let stack = TestStack::new().await;
    let response = create(
        &stack,
        &json!({
            "roomName": 5,
            "color": "red",
            "config": {"recording": {"enabled": "yes", "allowAccessTo": "everyone", "extra": 1}, "whiteboard": {}},
        }),
    )
    .await;
    let body = response.expect_error(422, "Unprocessable Entity");
    let mut fields = fields_of(&body);
    fields.sort();
    assert_eq!(
        fields,
        [
            "color",
            "config.recording.allowAccessTo",
            "config.recording.enabled",
            "config.recording.extra",
            "config.whiteboard",
            "roomName",
        ]
    );
    for bad in ["not json", "[]", "null", "\"room\""] {
        let request = stack.admin("POST", ROOMS).raw_body(bad);
        let response = stack.call(request, room_access::handle).await;
        response.expect_error(422, "Unprocessable Entity");
    }
    let huge = json!({"roomName": "x".repeat(70_000)});
    create(&stack, &huge)
        .await
        .expect_error(413, "Payload Too Large");
    let long_name = json!({"roomName": "x".repeat(129)});
    create(&stack, &long_name)
        .await
        .expect_error(422, "Unprocessable Entity");
}

#[tokio::test]
async fn only_admins_create_rooms_list_rooms_and_change_config() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    for role in [Role::Moderator, Role::Speaker] {
        let token = room_token(&stack, &room, role).await;
        let attempts = [
            ApiRequest::new("POST", ROOMS).json(&json!({})),
            ApiRequest::new("GET", ROOMS),
            ApiRequest::new("PUT", CONFIG)
                .path_param("roomId", room.room_id.as_str())
                .json(&json!({"config": {"recording": {"allowAccessTo": "admin"}}})),
        ];
        for request in attempts {
            let response = stack
                .call(request.bearer(&token), room_access::handle)
                .await;
            response.expect_error(403, "Authorization Error");
        }
    }
    let unauthenticated = stack
        .call(ApiRequest::new("GET", ROOMS), room_access::handle)
        .await;
    unauthenticated.expect_error(401, "Authentication Error");
}

#[tokio::test]
async fn rooms_are_listed_newest_first_across_pages() {
    let stack = TestStack::new().await;
    let mut created = Vec::new();
    for n in 0..7 {
        let body = create(&stack, &json!({"roomName": format!("Room {n}")}))
            .await
            .json();
        created.push(body["roomId"].as_str().expect("id").to_owned());
        // Distinct creation dates.
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut request = stack.admin("GET", ROOMS).query("maxItems", "3");
        if let Some(t) = &token {
            request = request.query("nextPageToken", t);
        }
        let body = stack.call(request, room_access::handle).await.json();
        pages += 1;
        for room in body["rooms"].as_array().expect("rooms") {
            assert!(room["moderatorUrl"].is_string());
            seen.push(room["roomId"].as_str().expect("id").to_owned());
        }
        match body["pagination"]["nextPageToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    created.reverse();
    assert_eq!(seen, created);
    assert_eq!(pages, 3);
    let bad = stack
        .call(
            stack.admin("GET", ROOMS).query("nextPageToken", "bogus"),
            room_access::handle,
        )
        .await;
    bad.expect_error(422, "Unprocessable Entity");
}

#[tokio::test]
async fn a_room_is_read_by_its_participants_without_secrets() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::Admin).await;
    let other = self::room(&stack.store, RecordingAccess::Admin).await;
    let get =
        |route: &str| ApiRequest::new("GET", route).path_param("roomId", room.room_id.as_str());

    let admin = stack
        .call(
            stack
                .admin("GET", ROOM)
                .path_param("roomId", room.room_id.as_str()),
            room_access::handle,
        )
        .await;
    assert_eq!(admin.status, 200);
    assert!(admin.json()["speakerUrl"].is_string());

    for role in [Role::Moderator, Role::Speaker] {
        let token = room_token(&stack, &room, role).await;
        let response = stack
            .call(get(ROOM).bearer(&token), room_access::handle)
            .await;
        assert_eq!(response.status, 200);
        let body = response.json();
        assert_eq!(body["roomId"], room.room_id.as_str());
        assert!(body.get("moderatorUrl").is_none() && body.get("speakerUrl").is_none());
        let text = String::from_utf8_lossy(&response.body).into_owned();
        assert!(!text.contains(room.moderator_secret.expose()));
        assert!(!text.contains(room.speaker_secret.expose()));

        let config = stack
            .call(get(CONFIG).bearer(&token), room_access::handle)
            .await;
        assert_eq!(config.status, 200);
        assert_eq!(
            config.json(),
            json!({"recording": {"enabled": true, "allowAccessTo": "admin", "trashDays": 7}})
        );

        let stranger = room_token(&stack, &other, role).await;
        for route in [ROOM, CONFIG] {
            let response = stack
                .call(get(route).bearer(&stranger), room_access::handle)
                .await;
            response.expect_error(403, "Authorization Error");
        }
    }
    let missing = stack
        .call(
            stack
                .admin("GET", ROOM)
                .path_param("roomId", "no-such-room"),
            room_access::handle,
        )
        .await;
    missing.expect_error(404, "Room Error");
    let malformed = stack
        .call(
            stack.admin("GET", ROOM).path_param("roomId", "bad--id"),
            room_access::handle,
        )
        .await;
    malformed.expect_error(422, "Unprocessable Entity");
}

#[tokio::test]
async fn config_updates_set_only_the_fields_given() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let put = |body: Value| {
        stack
            .admin("PUT", CONFIG)
            .path_param("roomId", room.room_id.as_str())
            .json(&body)
    };
    let response = stack
        .call(
            put(json!({"config": {"recording": {"allowAccessTo": "admin"}}})),
            room_access::handle,
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.json());
    assert_eq!(
        response.json(),
        json!({"recording": {"enabled": true, "allowAccessTo": "admin", "trashDays": 7}})
    );
    let response = stack
        .call(
            put(json!({"config": {"recording": {"enabled": false}}})),
            room_access::handle,
        )
        .await;
    assert_eq!(
        response.json(),
        json!({"recording": {"enabled": false, "allowAccessTo": "admin", "trashDays": 7}})
    );
    let stored = stack
        .store
        .get_room(&room.room_id)
        .await
        .expect("read")
        .expect("room");
    assert!(!stored.config.recording.enabled);
    assert_eq!(stored.secret_digests, room.secret_digests, "secrets kept");

    for (body, field) in [
        (json!({}), "config.recording"),
        (json!({"config": {}}), "config.recording"),
        (json!({"config": {"recording": {}}}), "config.recording"),
        (
            json!({"config": {"recording": {"allowAccessTo": "nobody"}}}),
            "config.recording.allowAccessTo",
        ),
        (
            json!({"config": {"recording": {"enabled": true}}, "x": 1}),
            "x",
        ),
    ] {
        let response = stack.call(put(body.clone()), room_access::handle).await;
        let error = response.expect_error(422, "Unprocessable Entity");
        assert!(
            fields_of(&error).contains(&field.to_owned()),
            "{body}: {error}"
        );
    }
    let missing = stack
        .call(
            stack
                .admin("PUT", CONFIG)
                .path_param("roomId", "no-such-room")
                .json(&json!({"config": {"recording": {"enabled": true}}})),
            room_access::handle,
        )
        .await;
    missing.expect_error(404, "Room Error");
}
