//! Forged, stale and malformed credentials: each is 401, never a 5xx.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use integration_tests::{ApiRequest, TestStack};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use shared::clock::now_seconds;
use shared::crypto::derive_key;
use shared::model::{RecordingAccess, Role};
use shared::tokens::JWT_KEY_PURPOSE;

use integration_tests::fixtures::{room, room_token};

const ROUTE: &str = "/api/v1/recordings";

fn key(stack: &TestStack) -> Vec<u8> {
    derive_key(
        stack.env.get("TOKEN_SIGNING_KEY").as_bytes(),
        JWT_KEY_PURPOSE,
    )
}

fn sign(claims: &Value, algorithm: Algorithm, key: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(key),
    )
    .expect("signed")
}

fn valid_admin_claims() -> Value {
    let now = now_seconds();
    json!({
        "iss": "recordings-api", "aud": "recordings-admin", "sub": "admin",
        "iat": now, "nbf": now, "exp": now + 600, "role": "admin",
    })
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().expect("object").remove(key);
    claims
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

#[tokio::test]
async fn a_correctly_forged_admin_token_is_accepted_so_the_attacks_below_are_meaningful() {
    let stack = TestStack::new().await;
    let token = sign(&valid_admin_claims(), Algorithm::HS256, &key(&stack));
    let response = stack
        .call(
            ApiRequest::new("GET", ROUTE).bearer(&token),
            list_recordings::handle,
        )
        .await;
    assert_eq!(response.status, 200);
}

#[tokio::test]
async fn forged_stale_and_malformed_tokens_are_401() {
    let stack = TestStack::new().await;
    let key = key(&stack);
    let claims = valid_admin_claims();
    let now = now_seconds();
    let good = sign(&claims, Algorithm::HS256, &key);
    let (header, payload, signature) = {
        let mut parts = good.split('.');
        (
            parts.next().expect("header").to_owned(),
            parts.next().expect("payload").to_owned(),
            parts.next().expect("signature").to_owned(),
        )
    };
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let speaker = room_token(&stack, &room, Role::Speaker).await;
    let speaker_payload: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(speaker.split('.').nth(1).expect("payload"))
            .expect("base64"),
    )
    .expect("json");
    let promoted = with(speaker_payload.clone(), "role", json!("moderator"));
    let speaker_parts: Vec<&str> = speaker.split('.').collect();

    let attacks: Vec<(&str, String)> = vec![
        (
            "alg none",
            format!("{}.{payload}.", b64(&json!({"alg": "none", "typ": "JWT"}))),
        ),
        (
            "alg none with the original signature",
            format!("{}.{payload}.{signature}", b64(&json!({"alg": "none"}))),
        ),
        ("HS512, not allowed", sign(&claims, Algorithm::HS512, &key)),
        ("HS384, not allowed", sign(&claims, Algorithm::HS384, &key)),
        (
            "another key",
            sign(
                &claims,
                Algorithm::HS256,
                b"some other key of enough length",
            ),
        ),
        (
            "the root key instead of the derived one",
            sign(
                &claims,
                Algorithm::HS256,
                stack.env.get("TOKEN_SIGNING_KEY").as_bytes(),
            ),
        ),
        (
            "expired",
            sign(
                &with(claims.clone(), "exp", json!(now - 60)),
                Algorithm::HS256,
                &key,
            ),
        ),
        (
            "not yet valid",
            sign(
                &with(claims.clone(), "nbf", json!(now + 600)),
                Algorithm::HS256,
                &key,
            ),
        ),
        (
            "wrong iss",
            sign(
                &with(claims.clone(), "iss", json!("someone-else")),
                Algorithm::HS256,
                &key,
            ),
        ),
        (
            "wrong aud",
            sign(
                &with(claims.clone(), "aud", json!("other-service")),
                Algorithm::HS256,
                &key,
            ),
        ),
        (
            "exp as a string",
            sign(
                &with(claims.clone(), "exp", json!((now + 600).to_string())),
                Algorithm::HS256,
                &key,
            ),
        ),
        (
            "no sub",
            sign(&without(claims.clone(), "sub"), Algorithm::HS256, &key),
        ),
        (
            "no nbf",
            sign(&without(claims.clone(), "nbf"), Algorithm::HS256, &key),
        ),
        (
            "no exp",
            sign(&without(claims.clone(), "exp"), Algorithm::HS256, &key),
        ),
        (
            "no iss",
            sign(&without(claims.clone(), "iss"), Algorithm::HS256, &key),
        ),
        (
            "tampered payload",
            format!(
                "{header}.{}.{signature}",
                b64(&with(claims.clone(), "sub", json!("root")))
            ),
        ),
        (
            "a speaker token edited into a moderator",
            format!(
                "{}.{}.{}",
                speaker_parts[0],
                b64(&promoted),
                speaker_parts[2]
            ),
        ),
        (
            "a room token presented as an admin token",
            sign(
                &with(speaker_payload.clone(), "aud", json!("recordings-admin")),
                Algorithm::HS256,
                &key,
            ),
        ),
        (
            "an admin audience claiming a room role",
            sign(
                &with(claims.clone(), "role", json!("moderator")),
                Algorithm::HS256,
                &key,
            ),
        ),
        (
            "a room token without its room",
            sign(
                &without(speaker_payload.clone(), "room"),
                Algorithm::HS256,
                &key,
            ),
        ),
        ("garbage", "a.b.c".to_owned()),
    ];
    for (name, token) in attacks {
        let response = stack
            .call(
                ApiRequest::new("GET", ROUTE).bearer(&token),
                list_recordings::handle,
            )
            .await;
        assert_eq!(response.status, 401, "{name}");
        response.expect_error(401, "Authentication Error");
        assert_eq!(response.headers["www-authenticate"], "Bearer", "{name}");
    }
}

#[tokio::test]
async fn tokens_are_never_read_from_the_query_string() {
    let stack = TestStack::new().await;
    let token = sign(&valid_admin_claims(), Algorithm::HS256, &key(&stack));
    for name in ["token", "access_token", "authorization", "accessToken"] {
        let request = ApiRequest::new("GET", ROUTE).query(name, &token);
        let response = stack.call(request, list_recordings::handle).await;
        response.expect_error(401, "Authentication Error");
    }
}

#[tokio::test]
async fn malformed_authorization_headers_are_401() {
    let stack = TestStack::new().await;
    let token = sign(&valid_admin_claims(), Algorithm::HS256, &key(&stack));
    for header in [
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        format!("Basic {token}"),
        format!("Bearer  {token}"),
        format!("Token {token}"),
        token.clone(),
        format!("Bearer {token} extra"),
        "Bearer a.b".to_owned(),
        format!("Bearer {}", "a".repeat(10_000)),
    ] {
        let request = ApiRequest::new("GET", ROUTE).header("authorization", &header);
        let response = stack.call(request, list_recordings::handle).await;
        response.expect_error(401, "Authentication Error");
    }
    // An API key and a bearer token together are ambiguous.
    let both = stack.admin("GET", ROUTE).bearer(&token);
    stack
        .call(both, list_recordings::handle)
        .await
        .expect_error(401, "Authentication Error");
}

#[tokio::test]
async fn a_genuine_room_token_on_an_admin_route_is_403() {
    let stack = TestStack::new().await;
    let room = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let token = room_token(&stack, &room, Role::Moderator).await;
    let response = stack
        .call(
            ApiRequest::new("GET", "/api/v1/rooms").bearer(&token),
            room_access::handle,
        )
        .await;
    response.expect_error(403, "Authorization Error");
}
