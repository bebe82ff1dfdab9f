//! Share links: created, opened with no credentials (API and recipient page), private,
//! expired, revoked, outliving neither their recording nor their creator's access.

use integration_tests::{ApiRequest, ApiResponse, TestStack, remember_secret};
use serde_json::{Value, json};
use shared::model::{Deletion, Recording, RecordingAccess, RecordingStatus, Role, Room};
use shared::store::{MarkScope, WriteOutcome};

use integration_tests::fixtures::{put_all, recording, room, room_token};

pub(crate) const URL: &str = "/api/v1/recordings/{recordingId}/url";
pub(crate) const SHARES: &str = "/api/v1/recordings/{recordingId}/shares";
const SHARE: &str = "/api/v1/recordings/{recordingId}/shares/{shareId}";
pub(crate) const GET: &str = "/api/v1/recordings/{recordingId}";
pub(crate) const MEDIA: &str = "/api/v1/recordings/{recordingId}/media";
pub(crate) const PAGE: &str = "/recording/{recordingId}";

pub(crate) struct Link {
    pub(crate) secret: String,
    pub(crate) share_id: String,
    pub(crate) body: Value,
}

pub(crate) fn video() -> Vec<u8> {
    (0..2048u32).map(|i| (i % 253) as u8).collect()
}

pub(crate) async fn shared_recording(stack: &TestStack, room: &Room) -> Recording {
    let rec = recording(room.room_id.as_str(), 1, RecordingStatus::Complete);
    put_all(&stack.store, std::slice::from_ref(&rec)).await;
    stack.put_video(&rec.recording_id.s3_key(), video()).await;
    rec
}

/// Creates a link as `creator` (a bearer token, or the API key when `None`).
pub(crate) async fn create(
    stack: &TestStack,
    rec: &Recording,
    creator: Option<&str>,
    query: &[(&str, &str)],
) -> ApiResponse {
    let mut request = match creator {
        Some(token) => ApiRequest::new("GET", URL).bearer(token),
        None => stack.admin("GET", URL),
    }
    .path_param("recordingId", rec.recording_id.as_str());
    for (k, v) in query {
        request = request.query(k, v);
    }
    stack.call(request, share_recording::handle).await
}

pub(crate) async fn link(
    stack: &TestStack,
    rec: &Recording,
    creator: Option<&str>,
    query: &[(&str, &str)],
) -> Link {
    let response = create(stack, rec, creator, query).await;
    assert_eq!(response.status, 200, "{}", response.json());
    let body = response.json();
    let url = body["url"].as_str().expect("url");
    let expected_prefix = format!(
        "{}/recording/{}?secret=",
        stack.env.get("PUBLIC_BASE_URL"),
        rec.recording_id
    );
    let secret = url
        .strip_prefix(&expected_prefix)
        .expect("link format")
        .to_owned();
    remember_secret(&secret);
    Link {
        share_id: body["shareId"].as_str().expect("shareId").to_owned(),
        secret,
        body,
    }
}

/// Opens the recording through the API with only the secret (and optionally a token).
pub(crate) async fn open_api(
    stack: &TestStack,
    rec: &Recording,
    secret: &str,
    token: Option<&str>,
) -> ApiResponse {
    let mut request = ApiRequest::new("GET", GET)
        .path_param("recordingId", rec.recording_id.as_str())
        .query("secret", secret);
    if let Some(token) = token {
        request = request.bearer(token);
    }
    stack.call(request, get_recording::handle).await
}

pub(crate) async fn open_page(stack: &TestStack, rec: &Recording, secret: &str) -> ApiResponse {
    let request = ApiRequest::new("GET", PAGE)
        .path_param("recordingId", rec.recording_id.as_str())
        .query("secret", secret);
    stack.call(request, share_page::handle).await
}

pub(crate) fn html(response: &ApiResponse) -> String {
    assert_eq!(response.headers["content-type"], "text/html; charset=utf-8");
    String::from_utf8(response.body.clone()).expect("utf-8")
}

/// The `src` of the page's video element, unescaped.
pub(crate) fn video_src(page: &str) -> String {
    let start = page.find("<video").expect("a video element");
    let src = &page[start..];
    let src = &src[src.find("src=\"").expect("src") + 5..];
    src[..src.find('"').expect("end of src")].replace("&amp;", "&")
}

#[tokio::test]
async fn a_titled_recordings_page_is_headed_by_its_title_beside_its_room() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let mut rec = recording(room.room_id.as_str(), 1, RecordingStatus::Complete);
    rec.title = Some("Q1 <board> review".to_owned());
    put_all(&stack.store, std::slice::from_ref(&rec)).await;
    stack.put_video(&rec.recording_id.s3_key(), video()).await;
    let link = link(&stack, &rec, None, &[]).await;
    let page = html(&open_page(&stack, &rec, &link.secret).await);
    assert!(page.contains("<h1>Q1 &lt;board&gt; review</h1>"), "{page}");
    assert!(
        page.contains(&format!("<p class=\"meta\">{} · ", rec.room_name)),
        "{page}"
    );
    assert!(
        page.contains("<title>Q1 &lt;board&gt; review - recording</title>"),
        "{page}"
    );
}

#[tokio::test]
async fn a_public_link_opens_without_credentials_in_the_api_and_the_page() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let rec = shared_recording(&stack, &room).await;
    let link = link(&stack, &rec, None, &[]).await;
    assert_eq!(link.body["expiresAt"], Value::Null);
    assert!(link.secret.len() >= 40);

    let api = open_api(&stack, &rec, &link.secret, None).await;
    assert_eq!(api.status, 200);
    assert_eq!(api.json()["recordingId"], rec.recording_id.as_str());
    assert_eq!(api.aws_calls, 1, "link, recording and room in one read");

    let media = stack
        .call(
            ApiRequest::new("GET", MEDIA)
                .path_param("recordingId", rec.recording_id.as_str())
                .query("secret", &link.secret),
            download_recording::handle,
        )
        .await;
    assert_eq!(media.status, 302);
    let fetched = reqwest::get(media.headers["location"].to_str().expect("ascii"))
        .await
        .expect("fetched");
    assert_eq!(fetched.bytes().await.expect("bytes").to_vec(), video());

    let page = open_page(&stack, &rec, &link.secret).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.headers["referrer-policy"], "no-referrer");
    assert_eq!(page.headers["cache-control"], "no-store");
    let page_html = html(&page);
    assert!(page_html.contains(&rec.room_name));
    assert!(page_html.contains("Download"));
    assert!(
        !page_html.contains(&link.secret),
        "no secret beyond the presigned URLs"
    );
    let fetched = reqwest::get(video_src(&page_html)).await.expect("fetched");
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.bytes().await.expect("bytes").to_vec(), video());
}

#[tokio::test]
async fn a_private_link_also_needs_credentials_for_the_room() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let other = self::room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let rec = shared_recording(&stack, &room).await;
    let link = link(&stack, &rec, None, &[("privateAccess", "true")]).await;
    let member = room_token(&stack, &room, Role::Speaker).await;
    let stranger = room_token(&stack, &other, Role::Moderator).await;

    open_api(&stack, &rec, &link.secret, None)
        .await
        .expect_error(401, "Authentication Error");
    open_api(&stack, &rec, &link.secret, Some(&stranger))
        .await
        .expect_error(403, "Authorization Error");
    assert_eq!(
        open_api(&stack, &rec, &link.secret, Some(&member))
            .await
            .status,
        200
    );
    let page = open_page(&stack, &rec, &link.secret).await;
    assert_eq!(page.status, 401);
    assert!(html(&page).contains("private"));
}

#[tokio::test]
async fn expired_revoked_deleted_and_wrong_links_are_refused() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let rec = shared_recording(&stack, &room).await;
    let other_rec = {
        let r = recording(room.room_id.as_str(), 2, RecordingStatus::Complete);
        put_all(&stack.store, std::slice::from_ref(&r)).await;
        r
    };

    let short = link(&stack, &rec, None, &[("expiresIn", "1")]).await;
    let expires_at = short.body["expiresAt"].as_i64().expect("expiresAt");
    assert!(expires_at > shared::clock::now_millis());
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    open_api(&stack, &rec, &short.secret, None)
        .await
        .expect_error(410, "Share Error");
    assert_eq!(open_page(&stack, &rec, &short.secret).await.status, 410);

    let revoked = link(&stack, &rec, None, &[]).await;
    let kept = link(&stack, &rec, None, &[]).await;
    let response = stack
        .call(
            stack
                .admin("DELETE", SHARE)
                .path_param("recordingId", rec.recording_id.as_str())
                .path_param("shareId", &revoked.share_id),
            share_recording::handle,
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.json());
    open_api(&stack, &rec, &revoked.secret, None)
        .await
        .expect_error(410, "Share Error");
    assert_eq!(open_page(&stack, &rec, &revoked.secret).await.status, 410);
    assert_eq!(open_api(&stack, &rec, &kept.secret, None).await.status, 200);

    // The listing shows every link, never a secret.
    let listing = stack
        .call(
            stack
                .admin("GET", SHARES)
                .path_param("recordingId", rec.recording_id.as_str()),
            share_recording::handle,
        )
        .await;
    assert_eq!(listing.status, 200);
    let shares = listing.json()["shares"].as_array().expect("shares").clone();
    assert_eq!(shares.len(), 3);
    let text = String::from_utf8_lossy(&listing.body).into_owned();
    for secret in [&short.secret, &revoked.secret, &kept.secret] {
        assert!(!text.contains(secret.as_str()));
    }
    assert!(!text.contains("secretHash"));

    let all = stack
        .call(
            stack
                .admin("DELETE", SHARES)
                .path_param("recordingId", rec.recording_id.as_str()),
            share_recording::handle,
        )
        .await;
    assert_eq!(all.status, 200);
    assert_eq!(all.json()["revoked"], 2, "the two not yet revoked");
    open_api(&stack, &rec, &kept.secret, None)
        .await
        .expect_error(410, "Share Error");

    // Tampered, another recording's, and malformed secrets.
    let fresh = link(&stack, &rec, None, &[]).await;
    let mut tampered = fresh.secret.clone().into_bytes();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("ascii");
    for bad in [tampered.as_str(), "", "nonsense", "abcdefghijkl.xyz"] {
        open_api(&stack, &rec, bad, None)
            .await
            .expect_error(401, "Authentication Error");
        assert_eq!(open_page(&stack, &rec, bad).await.status, 404);
    }
    open_api(&stack, &other_rec, &fresh.secret, None)
        .await
        .expect_error(401, "Authentication Error");
    assert_eq!(
        open_page(&stack, &other_rec, &fresh.secret).await.status,
        404
    );

    // Deleting the recording deletes its links.
    let deleted = stack
        .call(
            stack
                .admin("DELETE", GET)
                .path_param("recordingId", rec.recording_id.as_str())
                .query("permanent", "true"),
            delete_recordings::handle,
        )
        .await;
    assert_eq!(deleted.status, 200);
    assert!(
        stack
            .store
            .list_shares(&rec.recording_id)
            .await
            .expect("query")
            .is_empty()
    );
    open_api(&stack, &rec, &fresh.secret, None)
        .await
        .expect_error(401, "Authentication Error");
    assert_eq!(open_page(&stack, &rec, &fresh.secret).await.status, 404);
}

#[tokio::test]
async fn links_follow_their_creators_access_to_the_room() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let rec = shared_recording(&stack, &room).await;
    let speaker = room_token(&stack, &room, Role::Speaker).await;
    let moderator = room_token(&stack, &room, Role::Moderator).await;
    let by_speaker = link(&stack, &rec, Some(&speaker), &[]).await;
    let by_moderator = link(&stack, &rec, Some(&moderator), &[]).await;
    let by_admin = link(&stack, &rec, None, &[]).await;

    for (access, speaker_ok, moderator_ok) in [
        ("admin_moderator", false, true),
        ("admin", false, false),
        ("admin_moderator_speaker", true, true),
    ] {
        let set = stack
            .admin("PUT", "/api/v1/rooms/{roomId}/config")
            .path_param("roomId", room.room_id.as_str())
            .json(&json!({"config": {"recording": {"allowAccessTo": access}}}));
        assert_eq!(stack.call(set, room_access::handle).await.status, 200);
        for (link, ok) in [
            (&by_speaker, speaker_ok),
            (&by_moderator, moderator_ok),
            (&by_admin, true),
        ] {
            let response = open_api(&stack, &rec, &link.secret, None).await;
            let expected = if ok { 200 } else { 403 };
            assert_eq!(response.status, expected, "{access}: {}", link.share_id);
            let page = open_page(&stack, &rec, &link.secret).await;
            assert_eq!(page.status, expected, "page under {access}");
        }
    }
}

#[tokio::test]
async fn who_may_create_list_and_revoke_links() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModerator).await;
    let rec = shared_recording(&stack, &room).await;
    let speaker = room_token(&stack, &room, Role::Speaker).await;
    let moderator = room_token(&stack, &room, Role::Moderator).await;

    create(&stack, &rec, Some(&speaker), &[])
        .await
        .expect_error(403, "Authorization Error");
    let made = link(&stack, &rec, Some(&moderator), &[]).await;
    let listing = ApiRequest::new("GET", SHARES)
        .path_param("recordingId", rec.recording_id.as_str())
        .bearer(&speaker);
    stack
        .call(listing, share_recording::handle)
        .await
        .expect_error(403, "Authorization Error");
    let revoke = ApiRequest::new("DELETE", SHARE)
        .path_param("recordingId", rec.recording_id.as_str())
        .path_param("shareId", &made.share_id)
        .bearer(&moderator);
    assert_eq!(
        stack.call(revoke, share_recording::handle).await.status,
        200
    );
    let unknown = stack
        .admin("DELETE", SHARE)
        .path_param("recordingId", rec.recording_id.as_str())
        .path_param("shareId", "nosuchshare1");
    stack
        .call(unknown, share_recording::handle)
        .await
        .expect_error(404, "Share Error");

    for (name, value) in [
        ("expiresIn", "0"),
        ("expiresIn", "-5"),
        ("expiresIn", "soon"),
        ("expiresIn", "99999999999"),
        ("privateAccess", "yes"),
    ] {
        create(&stack, &rec, None, &[(name, value)])
            .await
            .expect_error(422, "Unprocessable Entity");
    }
    let missing = recording(room.room_id.as_str(), 9, RecordingStatus::Complete);
    create(&stack, &missing, None, &[])
        .await
        .expect_error(404, "Recording Error");
}

#[tokio::test]
async fn a_thousand_random_secrets_are_all_refused() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let rec = shared_recording(&stack, &room).await;
    let real = link(&stack, &rec, None, &[]).await;
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut refused = 0;
    for n in 0..1000usize {
        let bytes = shared::crypto::random_bytes(12);
        let share_id: String = if n % 2 == 0 {
            // The real link's id with a random secret part.
            real.share_id.clone()
        } else {
            bytes
                .iter()
                .map(|b| alphabet[usize::from(*b) % alphabet.len()] as char)
                .collect()
        };
        let secret = match n % 4 {
            3 => shared::crypto::random_token(n % 50),
            _ => format!("{share_id}.{}", shared::crypto::random_token(24)),
        };
        let response = open_api(&stack, &rec, &secret, None).await;
        assert!(response.status < 500, "{secret}: {}", response.status);
        assert_eq!(response.status, 401, "{secret}");
        refused += 1;
    }
    assert_eq!(refused, 1000);
    assert_eq!(open_api(&stack, &rec, &real.secret, None).await.status, 200);
}

async fn revoke_all(stack: &TestStack, rec: &Recording) -> ApiResponse {
    let request = stack
        .admin("DELETE", SHARES)
        .path_param("recordingId", rec.recording_id.as_str());
    stack.call(request, share_recording::handle).await
}

/// The items of a recording's share partition (links and their counter).
async fn share_items(stack: &TestStack, rec: &Recording) -> usize {
    let out = stack
        .dynamodb
        .query()
        .table_name(&stack.table)
        .key_condition_expression("PK = :pk")
        .expression_attribute_values(
            ":pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("SHARE#{}", rec.recording_id)),
        )
        .consistent_read(true)
        .send()
        .await
        .expect("queried");
    out.items().len()
}

/// A stack with a complete recording that has `links` public links.
async fn recording_with_links(links: usize) -> (TestStack, Recording) {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let rec = shared_recording(&stack, &room).await;
    for _ in 0..links {
        link(&stack, &rec, None, &[]).await;
    }
    (stack, rec)
}

#[tokio::test]
async fn live_links_per_recording_are_capped() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let rec = shared_recording(&stack, &room).await;
    let cap = shared::shares::MAX_LIVE_LINKS as usize;
    let mut links = Vec::new();
    for _ in 0..cap - 1 {
        links.push(link(&stack, &rec, None, &[]).await);
    }
    // The last place goes to a link that expires at once.
    link(&stack, &rec, None, &[("expiresIn", "1")]).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    // Its place is free again once it has expired...
    link(&stack, &rec, None, &[]).await;
    // ...and now every place is taken.
    let refused = create(&stack, &rec, None, &[]).await;
    let body = refused.expect_error(409, "Share Error");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("revoke"),
        "{body}"
    );
    // Revoking one frees a place.
    let request = stack
        .admin("DELETE", SHARE)
        .path_param("recordingId", rec.recording_id.as_str())
        .path_param("shareId", &links[0].share_id);
    assert_eq!(
        stack.call(request, share_recording::handle).await.status,
        200
    );
    link(&stack, &rec, None, &[]).await;
    assert_eq!(create(&stack, &rec, None, &[]).await.status, 409);
}

#[tokio::test]
async fn links_die_with_their_recording_and_nothing_brings_their_items_back() {
    let (stack, rec) = recording_with_links(3).await;
    let id = &rec.recording_id;
    // A delete marks the recording first: a link made now is refused.
    let marked = stack
        .store
        .mark_deleting(
            std::slice::from_ref(id),
            MarkScope::Any,
            Deletion::Permanent,
            0,
        )
        .await;
    assert_eq!(marked[0].1, WriteOutcome::Written);
    create(&stack, &rec, None, &[])
        .await
        .expect_error(404, "Recording Error");
    // A revoke-all racing the delete writes nothing back once the delete removed them.
    let delete = stack
        .admin("DELETE", GET)
        .path_param("recordingId", id.as_str())
        .query("permanent", "true");
    let (deleted, revoked) = tokio::join!(
        stack.call(delete, delete_recordings::handle),
        revoke_all(&stack, &rec)
    );
    assert_eq!(deleted.status, 200, "{}", deleted.json());
    assert!(revoked.status == 200 || revoked.status == 404 || revoked.status == 503);
    assert_eq!(revoke_all(&stack, &rec).await.status, 404);
    assert_eq!(
        share_items(&stack, &rec).await,
        0,
        "no share item outlives it"
    );
}

#[tokio::test]
async fn a_delete_that_fails_among_the_share_links_is_finished_by_a_retry() {
    let (stack, rec) = recording_with_links(3).await;
    let id = &rec.recording_id;
    // DynamoDB answers the mark, the read (the counter among it) and the links' query,
    // then fails deleting the links.
    let broken =
        stack.app_with_interceptors(Some(integration_tests::Interceptor::outage_after(3)), None);
    let delete = || {
        stack
            .admin("DELETE", GET)
            .path_param("recordingId", id.as_str())
            .query("permanent", "true")
    };
    let response = stack
        .call_with(&broken, delete(), delete_recordings::handle)
        .await;
    response.expect_error(503, "Service Unavailable");
    assert!(share_items(&stack, &rec).await > 0, "links kept");
    assert!(
        stack.store.get_recording(id).await.expect("read").is_some(),
        "the recording's item stays until its links are gone"
    );
    let retry = stack.call(delete(), delete_recordings::handle).await;
    assert_eq!(retry.status, 200, "{}", retry.json());
    assert_eq!(share_items(&stack, &rec).await, 0);
    assert!(stack.store.get_recording(id).await.expect("read").is_none());
}

#[tokio::test]
async fn share_links_are_never_cached() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let rec = shared_recording(&stack, &room).await;
    let response = create(&stack, &rec, None, &[]).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.headers["cache-control"], "no-store");
}
