//! Share-link options: play-only, a password (asked by the page and the API, throttled,
//! never stored or shown in the clear) and a view limit counted atomically.

use futures_util::future::join_all;
use integration_tests::{ApiRequest, ApiResponse, TestStack, remember_secret};
use serde_json::{Value, json};
use shared::model::{Recording, RecordingAccess};

use crate::shares::{
    GET, Link, MEDIA, PAGE, SHARES, URL, create, html, link, open_api, open_page, shared_recording,
    video_src,
};
use integration_tests::fixtures::room;

const DOWNLOAD: &str = "/api/v1/recordings/{recordingId}/download";
const PASSWORD: &str = "open sesame 42";

/// A link created with `POST …/url` and a JSON body.
async fn posted_link(stack: &TestStack, rec: &Recording, body: &Value) -> Link {
    remember_secret(PASSWORD);
    let request = stack
        .admin("POST", URL)
        .path_param("recordingId", rec.recording_id.as_str())
        .json(body);
    let response = stack.call(request, share_recording::handle).await;
    assert_eq!(response.status, 200, "{}", response.json());
    let body = response.json();
    let secret = body["url"]
        .as_str()
        .and_then(|u| u.split_once("secret="))
        .map(|(_, s)| s.to_owned())
        .expect("a secret in the url");
    Link {
        share_id: body["shareId"].as_str().expect("shareId").to_owned(),
        secret,
        body,
    }
}

async fn fresh(stack: &TestStack) -> Recording {
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    shared_recording(stack, &room).await
}

/// `/media` or `/download` with the link, from `ip`, with a password header if given.
async fn view(
    stack: &TestStack,
    route: &str,
    rec: &Recording,
    secret: &str,
    password: Option<&str>,
    ip: &str,
) -> ApiResponse {
    let mut request = ApiRequest::new("GET", route)
        .path_param("recordingId", rec.recording_id.as_str())
        .query("secret", secret)
        .from_ip(ip);
    if let Some(password) = password {
        request = request.header("x-share-password", password);
    }
    stack.call(request, download_recording::handle).await
}

async fn shares_of(stack: &TestStack, rec: &Recording) -> Vec<Value> {
    let request = stack
        .admin("GET", SHARES)
        .path_param("recordingId", rec.recording_id.as_str());
    let response = stack.call(request, share_recording::handle).await;
    assert_eq!(response.status, 200);
    response.json()["shares"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn location(response: &ApiResponse) -> String {
    response.headers["location"]
        .to_str()
        .expect("ascii")
        .to_owned()
}

#[tokio::test]
async fn a_play_only_link_plays_inline_and_refuses_downloads() {
    let stack = TestStack::new().await;
    let rec = fresh(&stack).await;
    let link = link(&stack, &rec, None, &[("allowDownload", "false")]).await;
    assert_eq!(link.body["allowDownload"], false);

    let played = view(&stack, MEDIA, &rec, &link.secret, None, "192.0.2.1").await;
    assert_eq!(played.status, 302);
    assert!(
        !location(&played).contains("attachment"),
        "a play-only link's media URL is inline: {}",
        location(&played)
    );
    let refused = view(&stack, DOWNLOAD, &rec, &link.secret, None, "192.0.2.1").await;
    assert_eq!(refused.status, 403, "{}", refused.json());
    assert_eq!(
        refused.json()["message"],
        "This share link allows playing only"
    );

    let page = html(&open_page(&stack, &rec, &link.secret).await);
    assert!(
        page.contains("<video") && !page.contains("Download"),
        "{page}"
    );
    // A refused download used up no view; the play and the page each used one.
    let listed = shares_of(&stack, &rec).await;
    assert_eq!(listed[0]["allowDownload"], false);
    assert_eq!(listed[0]["views"], 2);
}

#[tokio::test]
async fn the_api_asks_for_a_links_password_in_a_header() {
    let stack = TestStack::new().await;
    let rec = fresh(&stack).await;
    let link = posted_link(&stack, &rec, &json!({"password": PASSWORD})).await;
    assert_eq!(link.body["passwordRequired"], true);
    assert!(!link.body.to_string().contains("argon2"));

    let missing = open_api(&stack, &rec, &link.secret, None).await;
    assert_eq!(missing.status, 401);
    assert!(
        missing.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("X-Share-Password")),
        "{}",
        missing.json()
    );
    let wrong = view(
        &stack,
        MEDIA,
        &rec,
        &link.secret,
        Some("open sesame 43"),
        "192.0.2.7",
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json()["message"], "Wrong share link password");
    let read = ApiRequest::new("GET", GET)
        .path_param("recordingId", rec.recording_id.as_str())
        .query("secret", &link.secret)
        .header("x-share-password", PASSWORD);
    let read = stack.call(read, get_recording::handle).await;
    assert_eq!(read.status, 200, "{}", read.json());
    let played = view(
        &stack,
        MEDIA,
        &rec,
        &link.secret,
        Some(PASSWORD),
        "192.0.2.7",
    )
    .await;
    assert_eq!(played.status, 302);

    let listed = shares_of(&stack, &rec).await;
    assert_eq!(listed[0]["passwordRequired"], true);
    assert!(!Value::Array(listed).to_string().contains("argon2"));
    // Only its argon2id hash is stored.
    let stored = stack
        .store
        .list_shares(&rec.recording_id)
        .await
        .expect("listed");
    let hash = stored[0].password_hash.as_deref().expect("a hash");
    assert!(hash.starts_with("$argon2id$") && !hash.contains(PASSWORD));
}

#[tokio::test]
async fn the_page_asks_for_the_password_then_lets_reloads_through() {
    let stack = TestStack::new().await;
    let rec = fresh(&stack).await;
    let link = posted_link(&stack, &rec, &json!({"password": PASSWORD, "maxViews": 2})).await;

    let asked = open_page(&stack, &rec, &link.secret).await;
    assert_eq!(asked.status, 401);
    let form = html(&asked);
    assert!(
        form.contains("type=\"password\"") && !form.contains("<video"),
        "{form}"
    );
    assert!(
        !form.contains(&rec.room_name),
        "nothing about the recording before the password"
    );

    let post = |password: &str| {
        ApiRequest::new("POST", PAGE)
            .path_param("recordingId", rec.recording_id.as_str())
            .query("secret", &link.secret)
            .header("content-type", "application/x-www-form-urlencoded")
            .raw_body(format!("password={}", password.replace(' ', "+")))
    };
    let oversized = post("x").raw_body(vec![b'a'; 5000]);
    assert_eq!(stack.call(oversized, share_page::handle).await.status, 413);
    let wrong = stack.call(post("not it at all"), share_page::handle).await;
    assert_eq!(wrong.status, 401);
    assert!(html(&wrong).contains("That password is not right"));

    let right = stack.call(post(PASSWORD), share_page::handle).await;
    assert_eq!(right.status, 303);
    assert_eq!(location(&right), format!("?secret={}", link.secret));
    let cookie = right.headers["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(cookie.contains(&format!("Path=/recording/{}", rec.recording_id)));
    let pass = cookie.split(';').next().expect("name=value").to_owned();

    // The page's reloads under the pass: the player, neither asking nor counting again.
    for _ in 0..3 {
        let request = ApiRequest::new("GET", PAGE)
            .path_param("recordingId", rec.recording_id.as_str())
            .query("secret", &link.secret)
            .header("cookie", &pass);
        let page = stack.call(request, share_page::handle).await;
        assert_eq!(page.status, 200);
        assert!(video_src(&html(&page)).starts_with("http"));
        // Never renewed: a pass lasts as long as it was issued for.
        assert!(!page.headers.contains_key("set-cookie"));
    }
    assert_eq!(shares_of(&stack, &rec).await[0]["views"], 1);
    // A pass is good for its own link only.
    let other = posted_link(&stack, &rec, &json!({"password": PASSWORD})).await;
    let request = ApiRequest::new("GET", PAGE)
        .path_param("recordingId", rec.recording_id.as_str())
        .query("secret", &other.secret)
        .header("cookie", &pass.replace(&link.share_id, &other.share_id));
    assert_eq!(stack.call(request, share_page::handle).await.status, 401);
}

#[tokio::test]
async fn concurrent_wrong_passwords_are_all_counted_then_throttled() {
    let stack = TestStack::new().await;
    let rec = fresh(&stack).await;
    let link = posted_link(&stack, &rec, &json!({"password": PASSWORD})).await;
    let guesses = (0..8).map(|i| {
        let guess = format!("wrong guess {i}");
        let secret = link.secret.clone();
        let (stack, rec) = (&stack, &rec);
        async move { view(stack, MEDIA, rec, &secret, Some(&guess), "198.51.100.9").await }
    });
    let statuses: Vec<u16> = join_all(guesses).await.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        3,
        "{statuses:?}"
    );
    // Even the right password waits now, from that address; told how long.
    let right = view(
        &stack,
        MEDIA,
        &rec,
        &link.secret,
        Some(PASSWORD),
        "198.51.100.9",
    )
    .await;
    assert_eq!(right.status, 429);
    assert!(right.headers.contains_key("retry-after"));
    // Another address is not held up.
    let elsewhere = view(
        &stack,
        MEDIA,
        &rec,
        &link.secret,
        Some(PASSWORD),
        "198.51.100.10",
    )
    .await;
    assert_eq!(elsewhere.status, 302);
    // The page says so in words.
    let request = ApiRequest::new("POST", PAGE)
        .path_param("recordingId", rec.recording_id.as_str())
        .query("secret", &link.secret)
        .from_ip("198.51.100.9")
        .raw_body(format!("password={}", PASSWORD.replace(' ', "+")));
    let page = stack.call(request, share_page::handle).await;
    assert_eq!(page.status, 429);
    assert!(html(&page).contains("Too many attempts"));
}

#[tokio::test]
async fn concurrent_views_at_the_limit_let_exactly_max_views_through() {
    let stack = TestStack::new().await;
    let rec = fresh(&stack).await;
    let link = link(&stack, &rec, None, &[("maxViews", "3")]).await;
    assert_eq!(link.body["maxViews"], 3);
    let views = (0..10).map(|i| {
        let route = if i % 2 == 0 { MEDIA } else { DOWNLOAD };
        view(&stack, route, &rec, &link.secret, None, "192.0.2.1")
    });
    let responses = join_all(views).await;
    let through = responses.iter().filter(|r| r.status == 302).count();
    assert_eq!(through, 3);
    for refused in responses.iter().filter(|r| r.status != 302) {
        assert_eq!(refused.status, 410);
        assert_eq!(
            refused.json()["message"],
            "View limit reached: this share link allows no more views"
        );
    }
    let listed = shares_of(&stack, &rec).await;
    assert_eq!(
        (listed[0]["views"].clone(), listed[0]["maxViews"].clone()),
        (json!(3), json!(3))
    );
    // Used up everywhere: the metadata (not a view itself) and the page.
    assert_eq!(open_api(&stack, &rec, &link.secret, None).await.status, 410);
    let page = open_page(&stack, &rec, &link.secret).await;
    assert_eq!(page.status, 410);
    assert!(html(&page).contains("reached its view limit"));
}

#[tokio::test]
async fn reading_the_metadata_is_not_a_view() {
    let stack = TestStack::new().await;
    let rec = fresh(&stack).await;
    let link = link(&stack, &rec, None, &[("maxViews", "1")]).await;
    for _ in 0..3 {
        assert_eq!(open_api(&stack, &rec, &link.secret, None).await.status, 200);
    }
    assert_eq!(
        view(&stack, MEDIA, &rec, &link.secret, None, "192.0.2.1")
            .await
            .status,
        302
    );
    assert_eq!(
        view(&stack, MEDIA, &rec, &link.secret, None, "192.0.2.1")
            .await
            .status,
        410
    );
}

#[tokio::test]
async fn options_are_checked_in_the_query_and_the_body() {
    let stack = TestStack::new().await;
    let rec = fresh(&stack).await;
    let bad_query = create(
        &stack,
        &rec,
        None,
        &[
            ("maxViews", "0"),
            ("allowDownload", "maybe"),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(bad_query.status, 422);
    let fields: Vec<_> = bad_query.json()["details"]
        .as_array()
        .map(|d| d.iter().map(|e| e["field"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(
        fields,
        [json!("allowDownload"), json!("maxViews"), json!("password")]
    );
    for body in [
        json!({"maxViews": 10001}),
        json!({"maxViews": "3"}),
        json!({"password": 12345678}),
        json!({"password": "x".repeat(129)}),
        json!({"allowDownload": "false"}),
        json!({"expiresIn": 0}),
        json!({"unknown": true}),
        json!([]),
    ] {
        let request = stack
            .admin("POST", URL)
            .path_param("recordingId", rec.recording_id.as_str())
            .json(&body);
        let response = stack.call(request, share_recording::handle).await;
        assert_eq!(response.status, 422, "{body}: {}", response.json());
        assert!(response.error_shape(422).is_ok());
    }
    // Every option together, and an empty body for the defaults.
    let all = posted_link(
        &stack,
        &rec,
        &json!({"privateAccess": true, "expiresIn": 600, "allowDownload": false, "maxViews": 5, "password": PASSWORD}),
    )
    .await;
    assert_eq!(all.body["access"], "private");
    assert_eq!(all.body["maxViews"], 5);
    let request = stack
        .admin("POST", URL)
        .path_param("recordingId", rec.recording_id.as_str());
    let defaults = stack.call(request, share_recording::handle).await;
    assert_eq!(defaults.status, 200);
    assert_eq!(defaults.json()["allowDownload"], true);
    assert_eq!(defaults.json()["maxViews"], Value::Null);
}

#[tokio::test]
async fn an_unfinished_recordings_link_hands_out_no_pass_and_uses_no_view() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let rec = integration_tests::fixtures::recording(
        room.room_id.as_str(),
        1,
        shared::model::RecordingStatus::Active,
    );
    integration_tests::fixtures::put_all(&stack.store, std::slice::from_ref(&rec)).await;
    let link = posted_link(&stack, &rec, &json!({"password": PASSWORD, "maxViews": 1})).await;
    let request = ApiRequest::new("POST", PAGE)
        .path_param("recordingId", rec.recording_id.as_str())
        .query("secret", &link.secret)
        .raw_body(format!("password={}", PASSWORD.replace(' ', "+")));
    let posted = stack.call(request, share_page::handle).await;
    assert_eq!(posted.status, 409);
    assert!(!posted.headers.contains_key("set-cookie"));
    assert_eq!(shares_of(&stack, &rec).await[0]["views"], 0);
}

#[tokio::test]
async fn a_password_in_any_language_works_in_the_header() {
    let stack = TestStack::new().await;
    let rec = fresh(&stack).await;
    let password = "mot de passe très sûr";
    remember_secret(password);
    let link = posted_link(&stack, &rec, &json!({"password": password})).await;
    let played = view(
        &stack,
        MEDIA,
        &rec,
        &link.secret,
        Some(password),
        "192.0.2.1",
    )
    .await;
    assert_eq!(played.status, 302);
}
