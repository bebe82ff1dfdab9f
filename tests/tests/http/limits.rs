//! The input limits: oversized bodies, query strings, id lists, header values and path
//! parameters get a 4xx in the contract's error shape, never a 5xx.

use integration_tests::http::HttpApi;
use integration_tests::{ApiRequest, ApiResponse};
use serde_json::json;

/// The demo room, whose config the body limits aim at, and a recording id in it.
const ROOM: &str = "daily-standup-x7k2m";
const SOME_RECORDING: &str = "daily-standup-x7k2m--EG_contract--x1";

fn repeat(c: char, n: usize) -> String {
    c.to_string().repeat(n)
}

/// What is wrong with a refusal that should have `want`: the contract's error shape, as
/// JSON, and on a 401 the challenge `WWW-Authenticate: Bearer`.
fn problem(response: &ApiResponse, want: u16) -> Option<String> {
    let header = |name: &str| {
        let value = response.headers.get(name)?.to_str().ok()?;
        Some(value.to_ascii_lowercase())
    };
    if let Err(problem) = response.error_shape(want) {
        return Some(problem);
    }
    if !header("content-type").is_some_and(|t| t.starts_with("application/json")) {
        return Some("Content-Type is not application/json".to_owned());
    }
    if want == 401 && !header("www-authenticate").is_some_and(|a| a.starts_with("bearer")) {
        return Some("no WWW-Authenticate: Bearer".to_owned());
    }
    None
}

/// `n` distinct, well-formed recording ids.
fn recording_ids(n: usize) -> String {
    let digits: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
    let uid = |mut i: usize| {
        let mut s = String::new();
        loop {
            s.insert(0, digits[i % 62]);
            i /= 62;
            if i == 0 {
                return s;
            }
        }
    };
    let ids: Vec<String> = (0..n).map(|i| format!("a--EG_b--{}", uid(i))).collect();
    ids.join(",")
}

#[tokio::test]
#[ignore = "needs a running API: scripts/smoke.sh"]
async fn oversized_and_malformed_input_gets_a_4xx_in_the_contracts_error_shape() {
    let api = HttpApi::from_env();
    let admin = |method, route| api.admin(method, route);
    let anonymous = ApiRequest::new;
    let with_json = |request: ApiRequest, body: &[u8]| {
        request
            .header("content-type", "application/json")
            .raw_body(body)
    };
    let mib = json!({"roomName": repeat('a', 1 << 20)}).to_string();
    let config = json!({"config": {"recording": {"allowAccessTo": repeat('a', 65536)}}});
    let token = "/api/v1/rooms/{roomId}/recording-token";
    let config_route = "/api/v1/rooms/{roomId}/config";
    let one = "/api/v1/recordings/{recordingId}";
    let ids = recording_ids(5000);
    let first_151: Vec<&str> = ids.split(',').take(151).collect();
    let malformed = vec![repeat('x', 40); 1000].join(",");
    let long_id = repeat('r', 10000);
    let cases: Vec<(&str, u16, ApiRequest)> = vec![
        (
            "1 MiB body (create a room)",
            413,
            with_json(admin("POST", "/api/v1/rooms"), mib.as_bytes()),
        ),
        (
            "1 MiB body without credentials (log in)",
            413,
            with_json(anonymous("POST", "/api/v1/auth/login"), mib.as_bytes()),
        ),
        (
            "1 MiB body (exchange a room secret)",
            413,
            with_json(
                anonymous("POST", token).path_param("roomId", ROOM),
                mib.as_bytes(),
            ),
        ),
        (
            "just over 64 KiB body (change a room's config)",
            413,
            admin("PUT", config_route)
                .path_param("roomId", ROOM)
                .json(&config),
        ),
        (
            "20 KB query string: roomId",
            422,
            admin("GET", "/api/v1/recordings").query("roomId", &repeat('a', 20000)),
        ),
        (
            "20 KB query string: nextPageToken",
            422,
            admin("GET", "/api/v1/recordings").query("nextPageToken", &repeat('a', 20000)),
        ),
        (
            "20 KB query string: nextPageToken of rooms",
            422,
            admin("GET", "/api/v1/rooms").query("nextPageToken", &repeat('a', 20000)),
        ),
        (
            "20 KB query string: maxItems",
            422,
            admin("GET", "/api/v1/recordings").query("maxItems", &repeat('x', 20000)),
        ),
        (
            "20 KB query string: expiresIn",
            422,
            admin("GET", "/api/v1/recordings/{recordingId}/url")
                .path_param("recordingId", SOME_RECORDING)
                .query("expiresIn", &repeat('9', 20000)),
        ),
        (
            "20 KB query string: a share secret",
            401,
            anonymous("GET", one)
                .path_param("recordingId", SOME_RECORDING)
                .query("secret", &repeat('a', 20000)),
        ),
        (
            "5000 recordingIds",
            422,
            admin("DELETE", "/api/v1/recordings").query("recordingIds", &ids),
        ),
        (
            "151 distinct recordingIds",
            422,
            admin("DELETE", "/api/v1/recordings").query("recordingIds", &first_151.join(",")),
        ),
        (
            "1000 malformed recordingIds",
            422,
            admin("DELETE", "/api/v1/recordings").query("recordingIds", &malformed),
        ),
        (
            "8 KB X-API-KEY",
            401,
            anonymous("GET", "/api/v1/recordings").header("x-api-key", &repeat('a', 8192)),
        ),
        (
            "8 KB bearer token",
            401,
            anonymous("GET", "/api/v1/recordings").header(
                "authorization",
                &format!("Bearer {}.b.c", repeat('a', 8192)),
            ),
        ),
        (
            "8 KB Authorization, not a bearer token",
            401,
            anonymous("GET", "/api/v1/recordings").header("authorization", &repeat('a', 8192)),
        ),
        (
            "a body that is not UTF-8 (log in)",
            422,
            with_json(anonymous("POST", "/api/v1/auth/login"), b"\xff\xfe{}"),
        ),
        (
            "a body that is not UTF-8 (change a room's config)",
            422,
            with_json(
                admin("PUT", config_route).path_param("roomId", ROOM),
                b"{\"config\": \"\xc3\x28\"}",
            ),
        ),
        (
            "8 KB X-API-KEY (log in ignores it)",
            422,
            with_json(
                anonymous("POST", "/api/v1/auth/login").header("x-api-key", &repeat('a', 8192)),
                b"{}",
            ),
        ),
        (
            "10 KB recordingId",
            422,
            admin("GET", one).path_param("recordingId", &format!("{long_id}--EG_a--a")),
        ),
        (
            "10 KB recordingId (delete)",
            422,
            admin("DELETE", one).path_param("recordingId", &long_id),
        ),
        (
            "10 KB recordingId (media)",
            422,
            admin("GET", "/api/v1/recordings/{recordingId}/media")
                .path_param("recordingId", &long_id),
        ),
        (
            "10 KB roomId",
            422,
            admin("GET", "/api/v1/rooms/{roomId}").path_param("roomId", &long_id),
        ),
        (
            "10 KB roomId (exchange a room secret)",
            422,
            anonymous("POST", token)
                .path_param("roomId", &long_id)
                .json(&json!({"secret": "x"})),
        ),
        (
            "10 KB shareId",
            404,
            admin(
                "DELETE",
                "/api/v1/recordings/{recordingId}/shares/{shareId}",
            )
            .path_param("recordingId", SOME_RECORDING)
            .path_param("shareId", &repeat('s', 10000)),
        ),
    ];
    let mut failed = Vec::new();
    for (name, want, request) in &cases {
        let response = api.send(request).await;
        match problem(&response, *want) {
            None => println!("ok   limit: {name} ({want})"),
            Some(problem) => failed.push(format!("{name}: {problem}")),
        }
    }
    // The recipient's page answers in HTML: a 404 page for what is not a link.
    let page = anonymous("GET", "/recording/{recordingId}")
        .path_param("recordingId", &long_id)
        .query("secret", &repeat('a', 10000));
    let page = api.send(&page).await;
    let html = page
        .headers
        .get("content-type")
        .and_then(|t| t.to_str().ok())
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("text/html"));
    if page.status != 404 || !html {
        failed.push(format!(
            "10 KB recordingId and secret on the recipient's page: status {}, not a 404 page",
            page.status
        ));
    }
    assert!(
        failed.is_empty(),
        "{} of {} limits failed:\n{}",
        failed.len(),
        cases.len() + 1,
        failed.join("\n")
    );
}
