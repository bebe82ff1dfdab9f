//! Share-link secrets, passwords and views: `shares::open` (what `GET /recording/{id}?secret=`
//! and the API's reads through a link run) with any secret, password and purpose, against
//! a DynamoDB answered in process with a link (its options included), recording, room,
//! password-attempt window and view count of the fuzzer's choosing. Never a panic; a
//! malformed secret reads nothing; a well-formed one reads exactly the link it names; a
//! recording is served only for the secret whose digest the link stores, while the link is
//! live, the recording not being deleted, and (private links) the caller's own credentials
//! allow it; a wrong secret learns nothing else. A password link serves only with its
//! password (or a view pass), every guess is counted before it is compared and a full window
//! refuses even the right one; a play-only link never downloads; a view is served only when
//! its conditional count succeeded, and reading the metadata counts none.
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
use shared::shares::{Opening, Purpose, Refusal, Visit, open};

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
    password: bool,
    allow_download: bool,
    max_views: Option<u16>,
    views: u16,
}

#[derive(Debug, Arbitrary)]
enum Password {
    None,
    Right,
    Wrong(String),
}

#[derive(Debug, Arbitrary)]
struct Visiting {
    purpose: u8,
    password: Password,
    counted_already: bool,
    /// The attempt window of this link and source is full.
    throttled: bool,
    /// Concurrent views used the last one up between the read and the count.
    race_lost: bool,
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
    visiting: Visiting,
}

/// The link's password, and its argon2id hash with the smallest parameters (the check
/// reads them from the hash), so that a run stays fast.
const PASSWORD: &str = "the right password";
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let params = argon2::Params::new(8, 1, 1, None).expect("valid parameters");
        let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let salt = SaltString::encode_b64(b"fuzzing-salt-16b").expect("a salt");
        argon
            .hash_password(PASSWORD.as_bytes(), &salt)
            .expect("hashed")
            .to_string()
    })
}

/// One reply of the in-process DynamoDB: a status and a body.
type Reply = (u16, String);

/// What the in-process DynamoDB answers, by call (`BatchGetItem`, `GetItem`, `DeleteItem`,
/// and `UpdateItem` of a `THROTTLE#` or a `SHARE#` item), and what it was asked.
#[derive(Default)]
struct Replies {
    batch_get: String,
    throttle_update: Reply,
    throttle_get: String,
    view_update: Reply,
}
static REPLIES: Mutex<Option<Replies>> = Mutex::new(None);
/// Each call's operation and body, in order.
static REQUESTS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
static CALLS: AtomicUsize = AtomicUsize::new(0);

const CONDITION_FAILED: &str =
    r#"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}"#;

fn reply_to(operation: &str, body: &str) -> Reply {
    let replies = REPLIES.lock().expect("replies");
    let Some(replies) = replies.as_ref() else {
        return (200, "{}".into());
    };
    match operation {
        "BatchGetItem" => (200, replies.batch_get.clone()),
        "GetItem" => (200, replies.throttle_get.clone()),
        "UpdateItem" if body.contains("THROTTLE#") => replies.throttle_update.clone(),
        "UpdateItem" => replies.view_update.clone(),
        _ => (200, "{}".into()),
    }
}

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
            let body = String::from_utf8_lossy(request.body().bytes().unwrap_or_default()).into_owned();
            let operation = request
                .headers()
                .get("x-amz-target")
                .and_then(|t| t.to_str().ok())
                .and_then(|t| t.rsplit('.').next())
                .unwrap_or_default()
                .to_owned();
            let (status, reply) = reply_to(&operation, &body);
            REQUESTS.lock().expect("requests").push((operation, body));
            http::Response::builder()
                .status(status)
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
            password: true,
            allow_download: false,
            max_views: Some(2),
            views: 1,
        }),
        recording: Some(Stored { deleting: false }),
        room: Some(StoredRoom {
            access: 2,
            enabled: true,
        }),
        caller: Caller::Nobody,
        visiting: Visiting {
            purpose: 1,
            password: Password::Right,
            counted_already: false,
            throttled: false,
            race_lost: false,
        },
    };
    let result = exercise(&input);
    assert!(matches!(result, Ok(Ok(_))), "self-test: {result:?}");
}

type Opened = Result<Result<Recording, Refusal>, shared::error::ApiError>;

/// What reading the metadata through the link (no view, no password) finds.
fn read_through(opening: Result<Opening, shared::error::ApiError>) -> Opened {
    opening.map(|o| o.outcome)
}

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
        trash: None,
        legal_hold: None,
        expires_at: None,
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
            allow_download: link.allow_download,
            password_hash: link.password.then(|| password_hash().to_owned()),
            max_views: link.max_views.map(u32::from),
            views: u32::from(link.views),
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
                ..RecordingConfig::default()
            },
            ..RoomConfig::default()
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
    let visiting = &input.visiting;
    let view_allowed = input
        .link
        .as_ref()
        .is_some_and(|l| l.max_views.is_none_or(|max| l.views < max))
        && !visiting.race_lost;
    *REPLIES.lock().expect("replies") = Some(Replies {
        batch_get: json!({
            "Responses": {recordings_fuzz::TABLE: items},
            "UnprocessedKeys": {},
        })
        .to_string(),
        throttle_update: if visiting.throttled {
            (400, CONDITION_FAILED.to_owned())
        } else {
            (200, "{}".to_owned())
        },
        throttle_get: json!({"Item": {"attempts": {"N": "5"}, "expiresAt": {"N": (now_ms / 1000 + 600).to_string()}}})
            .to_string(),
        view_update: if view_allowed {
            (200, "{}".to_owned())
        } else {
            (400, CONDITION_FAILED.to_owned())
        },
    });
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
    let purpose = [Purpose::Read, Purpose::Play, Purpose::Download, Purpose::Page]
        [usize::from(visiting.purpose) % 4];
    let password = match &visiting.password {
        Password::None => None,
        Password::Right => Some(PASSWORD),
        Password::Wrong(guess) => Some(guess.as_str()),
    };
    let visit = Visit {
        secret: &secret,
        password,
        source: "192.0.2.1",
        purpose,
        counted_already: visiting.counted_already,
    };
    let result = read_through(
        world
            .runtime
            .block_on(open(&world.app.store, &id, visit, caller, now_ms)),
    );
    let calls = CALLS.load(Ordering::SeqCst);

    let Some(named) = named_share(&secret) else {
        assert_eq!(calls, 0, "a malformed secret read the table: {secret:?}");
        assert!(
            matches!(result, Ok(Err(Refusal::Unknown))),
            "{secret:?}: {result:?}"
        );
        return result;
    };
    let requests = REQUESTS.lock().expect("requests").clone();
    assert_eq!(calls, requests.len());
    let batch_gets = requests.iter().filter(|(op, _)| op == "BatchGetItem").count();
    assert_eq!(batch_gets, 1, "one read for {secret:?}");
    let asked = requests[0].1.clone();
    assert!(
        asked.contains(&format!("\"LINK#{named}\"")),
        "the read names the link of {secret:?}: {asked}"
    );

    let genuine = input.link.as_ref().is_some_and(|l| l.matches);
    match &result {
        Ok(Err(refusal)) if !genuine => {
            assert!(
                matches!(refusal, Refusal::Unknown),
                "a wrong secret learnt more: {secret:?}: {refusal:?}"
            )
        }
        Ok(Err(Refusal::Caller(err))) => {
            let link = input
                .link
                .as_ref()
                .expect("only a link's own check fails this way");
            assert!(link.private, "{err:?}");
            let status = err.status().as_u16();
            assert!(status == 401 || status == 403, "{err:?}");
        }
        Ok(Err(Refusal::WrongPassword)) => {
            let guessed = requests.iter().any(|(op, body)| op == "UpdateItem" && body.contains("THROTTLE#"));
            assert!(guessed, "a wrong password was compared before it was counted");
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
            check_options(input, link, purpose, &requests);
        }
        Err(err) => panic!("the in-process table never fails: {err:?}"),
    }
    for (_, body) in &requests {
        assert!(!body.contains(PASSWORD), "a password was sent to the table");
        assert!(!body.contains("$argon2"), "a password hash was sent to the table");
    }
    result
}

/// What serving through `link` requires of its options.
fn check_options(input: &Input, link: &Link, purpose: Purpose, requests: &[(String, String)]) {
    let visiting = &input.visiting;
    let view_counts = requests
        .iter()
        .filter(|(op, body)| op == "UpdateItem" && body.contains("SHARE#"))
        .count();
    if purpose == Purpose::Read || visiting.counted_already {
        assert_eq!(view_counts, 0, "a view was counted for {purpose:?}");
    }
    if visiting.counted_already {
        return;
    }
    if link.password {
        assert!(matches!(visiting.password, Password::Right), "served without the password");
        assert!(!visiting.throttled, "served through a full attempt window");
        let counted = requests
            .iter()
            .position(|(op, body)| op == "UpdateItem" && body.contains("THROTTLE#"));
        assert!(counted.is_some(), "the password was not counted before it was compared");
    }
    if purpose == Purpose::Download {
        assert!(link.allow_download, "a play-only link downloaded");
    }
    if purpose != Purpose::Read {
        assert_eq!(view_counts, 1, "served a view without counting it");
        assert!(
            link.max_views.is_none_or(|max| link.views < max) && !visiting.race_lost,
            "served a view past the limit"
        );
    } else {
        assert!(link.max_views.is_none_or(|max| link.views < max), "a used-up link served");
    }
}
