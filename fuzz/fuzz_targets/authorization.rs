//! Credentials on a request: `Authenticator::authenticate` with arbitrary `Authorization`,
//! `X-API-KEY` and other headers, in any number and any bytes. Never a panic; a refusal is
//! always 401; a principal only for exactly one credential, which is the configured API key
//! or `Bearer <token>` with a token the server issued, and then that token's principal.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use lambda_http::http::{HeaderName, HeaderValue, header::AUTHORIZATION};
use libfuzzer_sys::fuzz_target;
use shared::auth::Authenticator;
use shared::model::{Principal, Role, RoomId};

#[derive(Debug, Arbitrary)]
enum Name {
    Authorization,
    ApiKey,
    Other(String),
}

#[derive(Debug, Arbitrary)]
enum Value {
    Raw(Vec<u8>),
    /// A real API key or token, with bytes of the fuzzer's around it.
    Key {
        prefix: Vec<u8>,
        suffix: Vec<u8>,
    },
    Admin {
        prefix: Vec<u8>,
        suffix: Vec<u8>,
    },
    Room {
        room: String,
        moderator: bool,
        prefix: Vec<u8>,
        suffix: Vec<u8>,
    },
}

#[derive(Debug, Arbitrary)]
struct Input {
    headers: Vec<(Name, Value)>,
}

fn authenticator() -> &'static Authenticator {
    static AUTH: OnceLock<Authenticator> = OnceLock::new();
    AUTH.get_or_init(|| Authenticator::new(recordings_fuzz::config()))
}

fn wrapped(prefix: &[u8], middle: &[u8], suffix: &[u8]) -> Vec<u8> {
    [prefix, middle, suffix].concat()
}

fuzz_target!(|input: Input| {
    let auth = authenticator();
    let now = recordings_fuzz::now_seconds();
    let mut issued: Vec<(String, Principal)> = Vec::new();
    let mut request = lambda_http::http::Request::builder()
        .method("GET")
        .uri("/api/v1/recordings")
        .body(lambda_http::Body::Empty)
        .expect("a request");
    for (name, value) in input.headers.iter().take(16) {
        let name = match name {
            Name::Authorization => AUTHORIZATION,
            Name::ApiKey => HeaderName::from_static("x-api-key"),
            Name::Other(s) => match HeaderName::from_bytes(s.as_bytes()) {
                Ok(n) => n,
                Err(_) => continue,
            },
        };
        let bytes = match value {
            Value::Raw(b) => b.clone(),
            Value::Key { prefix, suffix } => {
                wrapped(prefix, recordings_fuzz::API_KEY.as_bytes(), suffix)
            }
            Value::Admin { prefix, suffix } => {
                let token = auth.tokens.issue_admin("admin", now).expect("signed");
                issued.push((token.clone(), Principal::Admin));
                wrapped(prefix, token.as_bytes(), suffix)
            }
            Value::Room {
                room,
                moderator,
                prefix,
                suffix,
            } => {
                let room_id =
                    RoomId::parse(room).unwrap_or_else(|_| RoomId::parse("room-a").expect("valid"));
                let role = if *moderator {
                    Role::Moderator
                } else {
                    Role::Speaker
                };
                let token = auth.tokens.issue_room(&room_id, role, now).expect("signed");
                issued.push((token.clone(), Principal::Participant { room_id, role }));
                wrapped(prefix, token.as_bytes(), suffix)
            }
        };
        let Ok(value) = HeaderValue::from_bytes(&bytes) else {
            continue;
        };
        request.headers_mut().append(name, value);
    }

    let result = auth.authenticate(&request);
    let headers = request.headers();
    let keys: Vec<_> = headers.get_all("x-api-key").iter().collect();
    let authorizations: Vec<_> = headers.get_all(AUTHORIZATION).iter().collect();
    match result {
        Err(err) => assert_eq!(err.status().as_u16(), 401, "{err:?}"),
        Ok(principal) => match (keys.as_slice(), authorizations.as_slice()) {
            ([key], []) => {
                assert_eq!(key.as_bytes(), recordings_fuzz::API_KEY.as_bytes());
                assert_eq!(principal, Principal::Admin);
            }
            ([], [authorization]) => {
                let value = std::str::from_utf8(authorization.as_bytes()).expect("UTF-8");
                let (scheme, token) = value.split_once(' ').expect("scheme and token");
                assert!(scheme.eq_ignore_ascii_case("bearer"), "{value:?}");
                let (_, expected) = issued
                    .iter()
                    .find(|(t, _)| t == token)
                    .unwrap_or_else(|| panic!("a token never issued was accepted: {value:?}"));
                assert_eq!(&principal, expected);
            }
            _ => panic!(
                "accepted {} keys and {} authorizations",
                keys.len(),
                authorizations.len()
            ),
        },
    }
});
