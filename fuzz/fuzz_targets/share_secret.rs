//! Share-link secrets: `shares::open` (what `GET /recording/{id}?secret=` runs) with any
//! secret, against a DynamoDB answered in process with a link, recording and room of the
//! fuzzer's choosing. Never a panic; a malformed secret reads nothing; a well-formed one
//! reads exactly the link it names; a recording is served only for the secret whose digest
//! the link stores, while the link is live, the recording not being deleted, and (private
//! links) the caller's own credentials allow it; a wrong secret learns nothing else.
#![no_main]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use arbitrary::Arbitrary;
use aws_smithy_types::body::SdkBody;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};
use shared::app::App;
use shared::model::{
    CreatorRole, Recording, RecordingAccess, RecordingConfig, RecordingId, RecordingStatus, Role,
    Room, RoomConfig, RoomSecrets, ShareAccess, ShareLink,
};
use shared::shares::{Refusal, open};

#[derive(Debug, Arbitrary)]
enum Secret {
    Raw(String),
    /// Always of the documented form `<12 of [a-z0-9]>.<1 to 64 of [A-Za-z0-9_-]>`.
    WellFormed {
        id: [u8; 12],
        random: Vec<u8>,
    },
}

#[derive(Debug, Arbitrary)]
struct Link {
    /// The link stores this secret's digest, or another's.
    matches: bool,
    private: bool,
    creator: u8,
    /// Milliseconds relative to now.
    expires_in: Option<i32>,
    revoked: bool,
}

#[derive(Debug, Arbitrary)]
struct Stored {
    deleting: bool,
}

#[derive(Debug, Arbitrary)]
struct StoredRoom {
    access: u8,
    enabled: bool,
}

#[derive(Debug, Arbitrary)]
enum Caller {
    Nobody,
    ApiKey,
    Admin,
    Participant { moderator: bool, other_room: bool },
    Raw(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
struct Input {
    secret: Secret,
    link: Option<Link>,
    recording: Option<Stored>,
    room: Option<StoredRoom>,
    caller: Caller,
}

/// What the in-process DynamoDB answers next, and what it was asked.
static REPLY: Mutex<String> = Mutex::new(String::new());
static REQUESTS: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
static CALLS: AtomicUsize = AtomicUsize::new(0);

struct World {
    runtime: tokio::runtime::Runtime,
    app: App,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let http = aws_smithy_http_client::test_util::infallible_client_fn(|request| {
            CALLS.fetch_add(1, Ordering::SeqCst);
            let body = request.body().bytes().unwrap_or_default().to_vec();
            REQUESTS.lock().expect("requests").push(body);
            let reply = REPLY.lock().expect("reply").clone();
            http::Response::builder()
                .status(200)
                .header("content-type", "application/x-amz-json-1.0")
                .body(SdkBody::from(reply))
                .expect("a response")
        });
        let sdk = aws_config::SdkConfig::builder()
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_dynamodb::config::SharedCredentialsProvider::new(
                aws_sdk_dynamodb::config::Credentials::new("fuzz", "fuzz", None, None, "fuzz"),
            ))
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let dynamodb = aws_sdk_dynamodb::config::Builder::from(&sdk).http_client(http);
        let s3 = aws_sdk_s3::config::Builder::from(&sdk);
        let app = runtime.block_on(async {
            App::with_clients(recordings_fuzz::config().clone(), &sdk, dynamodb, s3)
        });
        World { runtime, app }
    })
}

/// JSON as DynamoDB writes attribute values on the wire.
fn attribute(value: &Value) -> Value {
    match value {
        Value::Null => json!({"NULL": true}),
        Value::Bool(b) => json!({"BOOL": b}),
        Value::Number(n) => json!({"N": n.to_string()}),
        Value::String(s) => json!({"S": s}),
        Value::Array(a) => json!({"L": a.iter().map(attribute).collect::<Vec<_>>()}),
        Value::Object(o) => json!({"M": item(o)}),
    }
}

fn item(object: &Map<String, Value>) -> Map<String, Value> {
    object
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), attribute(v)))
        .collect()
}

fn with_keys(value: Value, pk: String, sk: String) -> Value {
    let mut object = match value {
        Value::Object(o) => o,
        _ => Map::new(),
    };
    object.insert("PK".into(), json!(pk));
    object.insert("SK".into(), json!(sk));
    Value::Object(item(&object))
}

fn secret_text(secret: &Secret) -> String {
    match secret {
        Secret::Raw(s) => s.clone(),
        Secret::WellFormed { id, random } => {
            const ID: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
            const RANDOM: &[u8] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let id: String = id
                .iter()
                .map(|b| ID[usize::from(*b) % ID.len()] as char)
                .collect();
            let mut random: String = random
                .iter()
                .take(64)
                .map(|b| RANDOM[usize::from(*b) % RANDOM.len()] as char)
                .collect();
            if random.is_empty() {
                random.push('x');
            }
            format!("{id}.{random}")
        }
    }
}

/// The documented form of a secret, and the share id it names.
fn named_share(secret: &str) -> Option<&str> {
    let (id, random) = secret.split_once('.')?;
    let ok = id.len() == 12
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && (1..=64).contains(&random.len())
        && random
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(id)
}

fuzz_target!(|input: Input| {
    static SELF_TEST: std::sync::Once = std::sync::Once::new();
    SELF_TEST.call_once(self_test);
    let _ = exercise(&input);
});

/// The canned items decode as the store's: a live public link with its recording and room
/// opens (otherwise the target would only ever explore refusals).
fn self_test() {
    let input = Input {
        secret: Secret::WellFormed {
            id: [7; 12],
            random: vec![1, 2, 3],
        },
        link: Some(Link {
            matches: true,
            private: false,
            creator: 0,
            expires_in: None,
            revoked: false,
        }),
        recording: Some(Stored { deleting: false }),
        room: Some(StoredRoom {
            access: 2,
            enabled: true,
        }),
        caller: Caller::Nobody,
    };
    let result = exercise(&input);
    assert!(matches!(result, Ok(Ok(_))), "self-test: {result:?}");
}

type Opened = Result<Result<Recording, Refusal>, shared::error::ApiError>;

fn exercise(input: &Input) -> Opened {
    let world = world();
    let now_ms = recordings_fuzz::now_seconds() * 1000;
    let secret = secret_text(&input.secret);
    let id = RecordingId::parse("room-a--EG_fuzz1--u1").expect("valid");
    let share_id = named_share(&secret).unwrap_or("abcdefghijkl").to_owned();

    let recording = Recording {
        filename: id.filename(),
        room_id: id.room_id().clone(),
        recording_id: id.clone(),
        room_name: "Room A".into(),
        title: None,
        status: RecordingStatus::Complete,
        start_date: now_ms - 60_000,
        end_date: Some(now_ms - 30_000),
        duration: Some(30.0),
        size: Some(1000),
        error_code: None,
        error: None,
        details: None,
    };
    let mut items = Vec::new();
    if let Some(link) = &input.link {
        let stored = ShareLink {
            share_id: share_id.clone(),
            access: if link.private {
                ShareAccess::Private
            } else {
                ShareAccess::Public
            },
            creator_role: match link.creator % 3 {
                0 => CreatorRole::Admin,
                1 => CreatorRole::Moderator,
                _ => CreatorRole::Speaker,
            },
            created_at: now_ms - 1000,
            link_expires_at: link.expires_in.map(|e| now_ms + i64::from(e)),
            revoked_at: link.revoked.then_some(now_ms - 10),
            secret_hash: if link.matches {
                shared::crypto::sha256_hex(secret.as_bytes())
            } else {
                shared::crypto::sha256_hex(format!("{secret}!").as_bytes())
            },
        };
        let value = serde_json::to_value(&stored).expect("serializes");
        items.push(with_keys(
            value,
            format!("SHARE#{id}"),
            format!("LINK#{share_id}"),
        ));
    }
    if let Some(stored) = &input.recording {
        let mut value = serde_json::to_value(&recording).expect("serializes");
        value["s3Key"] = json!(id.s3_key());
        if stored.deleting {
            value["deleting"] = json!(true);
        }
        items.push(with_keys(value, format!("REC#{id}"), "META".into()));
    }
    if let Some(stored) = &input.room {
        let access = [
            RecordingAccess::Admin,
            RecordingAccess::AdminModerator,
            RecordingAccess::AdminModeratorSpeaker,
        ][usize::from(stored.access) % 3];
        let config = RoomConfig {
            recording: RecordingConfig {
                enabled: stored.enabled,
                allow_access_to: access,
            },
        };
        let mut room = Room::new(
            "Room A".into(),
            config,
            now_ms - 100_000,
            &RoomSecrets::generate(),
        );
        room.room_id = id.room_id().clone();
        let mut value = serde_json::to_value(&room).expect("serializes");
        value["GSI1PK"] = json!("ROOMS");
        value["GSI1SK"] = json!(format!("{}#{}", room.creation_date, room.room_id));
        items.push(with_keys(
            value,
            format!("ROOM#{}", room.room_id),
            "META".into(),
        ));
    }
    *REPLY.lock().expect("reply") = json!({
        "Responses": {recordings_fuzz::TABLE: items},
        "UnprocessedKeys": {},
    })
    .to_string();
    REQUESTS.lock().expect("requests").clear();
    CALLS.store(0, Ordering::SeqCst);

    let mut request = lambda_http::http::Request::builder()
        .method("GET")
        .uri(format!("/recording/{id}"));
    let tokens = &world.app.auth.tokens;
    let now = now_ms / 1000;
    request = match &input.caller {
        Caller::Nobody => request,
        Caller::ApiKey => request.header("x-api-key", recordings_fuzz::API_KEY),
        Caller::Admin => request.header(
            "authorization",
            format!(
                "Bearer {}",
                tokens.issue_admin("admin", now).expect("signed")
            ),
        ),
        Caller::Participant {
            moderator,
            other_room,
        } => {
            let room = if *other_room {
                shared::model::RoomId::parse("room-b").expect("valid")
            } else {
                id.room_id().clone()
            };
            let role = if *moderator {
                Role::Moderator
            } else {
                Role::Speaker
            };
            let token = tokens.issue_room(&room, role, now).expect("signed");
            request.header("authorization", format!("Bearer {token}"))
        }
        Caller::Raw(bytes) => match http::HeaderValue::from_bytes(bytes) {
            Ok(v) => request.header("authorization", v),
            Err(_) => request,
        },
    };
    let request = request.body(lambda_http::Body::Empty).expect("a request");

    let caller = || world.app.auth.authenticate(&request);
    let result = world
        .runtime
        .block_on(open(&world.app.store, &id, &secret, caller, now_ms));
    let calls = CALLS.load(Ordering::SeqCst);

    let Some(named) = named_share(&secret) else {
        assert_eq!(calls, 0, "a malformed secret read the table: {secret:?}");
        assert!(
            matches!(result, Ok(Err(Refusal::Unknown))),
            "{secret:?}: {result:?}"
        );
        return result;
    };
    assert_eq!(calls, 1, "one read for {secret:?}");
    let asked = String::from_utf8_lossy(&REQUESTS.lock().expect("requests")[0]).into_owned();
    assert!(
        asked.contains(&format!("\"LINK#{named}\"")),
        "the read names the link of {secret:?}: {asked}"
    );

    let genuine = input.link.as_ref().is_some_and(|l| l.matches);
    match &result {
        Ok(Err(refusal)) if !genuine => {
            assert_eq!(
                *refusal,
                Refusal::Unknown,
                "a wrong secret learnt more: {secret:?}"
            )
        }
        Ok(Err(_)) => {}
        Ok(Ok(served)) => {
            let link = input.link.as_ref().expect("a link");
            assert!(genuine, "served for a secret that is not the link's");
            assert!(!link.revoked, "served through a revoked link");
            assert!(
                link.expires_in.is_none_or(|e| e > 0),
                "served through an expired link"
            );
            let stored = input.recording.as_ref().expect("a stored recording");
            assert!(!stored.deleting, "served a recording being deleted");
            assert_eq!(served, &recording);
            if link.private {
                assert!(!matches!(input.caller, Caller::Nobody | Caller::Raw(_)));
            }
        }
        Err(err) => {
            let link = input
                .link
                .as_ref()
                .expect("only a link's own check fails this way");
            assert!(genuine && link.private, "{err:?}");
            let status = err.status().as_u16();
            assert!(status == 401 || status == 403, "{err:?}");
        }
    }
    result
}
