//! Where a request's time goes inside the handler, apart from waiting on AWS: each piece
//! timed in a tight loop in process, and the thread CPU time of whole handler calls (on a
//! single-threaded runtime, so the SDK's and the HTTP client's work counts too).

use std::collections::HashMap;
use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};

use cpu_time::ThreadTime;
use lambda_http::Request;
use serde_json::{Value, json};
use shared::app::App;
use shared::model::{FieldSelection, Recording, RecordingId, RoomId};
use shared::pagination::{Cursor, ListQuery, Page};
use shared::permissions::{Action, Principal, RecordingAccess, Role, is_allowed};
use shared::runtime::{HandlerResult, dispatch};

use crate::events::ApiEvent;
use crate::fixtures;
use crate::stats::{round3, summarize};

/// What the handler benchmarks run against: the warm data of the run.
pub struct Inputs {
    pub api_key: String,
    pub recording: RecordingId,
    pub share_secret: String,
    pub room: RoomId,
}

const ROUNDS: usize = 7;
const ROUND_TIME: Duration = Duration::from_millis(40);

/// Nanoseconds per call of `f`: the median of several rounds, each long enough to
/// dwarf the clock's cost.
fn time_sync(mut f: impl FnMut()) -> f64 {
    let started = Instant::now();
    f();
    let once = started.elapsed().max(Duration::from_nanos(20));
    let iterations = (ROUND_TIME.as_nanos() / once.as_nanos()).clamp(1, 5_000_000) as usize;
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for _ in 0..iterations {
            f();
        }
        rounds.push(started.elapsed().as_nanos() as f64 / iterations as f64);
    }
    summarize(&rounds).p50
}

async fn time_async<F, Fut>(mut f: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let started = Instant::now();
    f().await;
    let once = started.elapsed().max(Duration::from_nanos(20));
    let iterations = (ROUND_TIME.as_nanos() / once.as_nanos()).clamp(1, 1_000_000) as usize;
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for _ in 0..iterations {
            f().await;
        }
        rounds.push(started.elapsed().as_nanos() as f64 / iterations as f64);
    }
    summarize(&rounds).p50
}

fn request(event: &ApiEvent) -> Request {
    lambda_http::request::from_str(&event.to_json("cpu").to_string())
        .unwrap_or_else(|_| Request::default())
}

async fn micro(app: &App, inputs: &Inputs) -> Result<Vec<Value>, String> {
    let mut rows = Vec::new();
    let mut add = |name: &str, ns: f64, note: &str| {
        eprintln!("[bench]   {name}: {ns:.0} ns");
        rows.push(json!({"name": name, "ns": round3(ns), "note": note}));
    };
    let now = shared::clock::now_seconds();
    let get = ApiEvent::new("GET", "/api/v1/recordings/{recordingId}")
        .path_param("recordingId", inputs.recording.as_str())
        .api_key(&inputs.api_key);
    let get_json = get.to_json("cpu").to_string();
    add(
        "API Gateway event → request",
        time_sync(|| {
            black_box(lambda_http::request::from_str(black_box(&get_json)).ok());
        }),
        "what the runtime does with every event (lambda_http)",
    );
    let with_key = request(&get);
    add(
        "authenticate an API key",
        time_sync(|| {
            black_box(app.auth.authenticate(black_box(&with_key)).ok());
        }),
        "SHA-256 of the key, constant-time comparison with each configured digest",
    );
    let admin_token = app
        .auth
        .tokens
        .issue_admin("admin", now)
        .map_err(|e| e.to_string())?;
    let room_token = app
        .auth
        .tokens
        .issue_room(&inputs.room, Role::Moderator, now)
        .map_err(|e| e.to_string())?;
    add(
        "verify an admin JWT",
        time_sync(|| {
            black_box(app.auth.tokens.verify(black_box(&admin_token)).ok());
        }),
        "HS256 (aws-lc HMAC), claims checked",
    );
    add(
        "verify a room JWT",
        time_sync(|| {
            black_box(app.auth.tokens.verify(black_box(&room_token)).ok());
        }),
        "as above, plus the room id's validation",
    );
    let with_bearer = request(
        &ApiEvent::new("GET", "/api/v1/recordings/{recordingId}")
            .path_param("recordingId", inputs.recording.as_str())
            .bearer(&admin_token),
    );
    add(
        "authenticate a bearer token",
        time_sync(|| {
            black_box(app.auth.authenticate(black_box(&with_bearer)).ok());
        }),
        "header parsing plus JWT verification",
    );
    let (room, _) = fixtures::room(
        inputs.room.as_str(),
        "Bench",
        RecordingAccess::AdminModerator,
    )?;
    let participant = Principal::Participant {
        room_id: inputs.room.clone(),
        role: Role::Moderator,
    };
    add(
        "permission decision",
        time_sync(|| {
            black_box(is_allowed(
                black_box(&participant),
                Action::ReadRecording,
                Some(&room.policy()),
            ));
        }),
        "shared::permissions::is_allowed for a participant",
    );
    let digest = shared::crypto::sha256_hex(inputs.share_secret.as_bytes());
    add(
        "check a share secret",
        time_sync(|| {
            let presented = shared::crypto::sha256_hex(black_box(inputs.share_secret.as_bytes()));
            black_box(shared::crypto::constant_time_eq(
                presented.as_bytes(),
                digest.as_bytes(),
            ));
        }),
        "SHA-256 of the presented secret, constant-time comparison",
    );
    let cursor = Cursor {
        key: format!("{:016}#{}", 1_793_491_200_000_i64, inputs.recording),
        segment: 0,
    };
    let fingerprint = "room=*;status=*;sort=desc";
    let page_tokens = app.page_tokens().map_err(|e| e.to_string())?;
    add(
        "encode a page token",
        time_sync(|| {
            black_box(page_tokens.encode(black_box(&cursor), fingerprint));
        }),
        "JSON, HMAC-SHA-256, base64url",
    );
    let token = page_tokens.encode(&cursor, fingerprint);
    add(
        "decode a page token",
        time_sync(|| {
            black_box(page_tokens.decode(black_box(&token), fingerprint).ok());
        }),
        "base64url, HMAC verification, JSON",
    );
    let params: HashMap<&str, &str> =
        HashMap::from([("maxItems", "10"), ("nextPageToken", token.as_str())]);
    add(
        "parse a list query with a page token",
        time_sync(|| {
            black_box(ListQuery::parse(|k| params.get(k).copied(), page_tokens).ok());
        }),
        "every parameter validated, the token decoded and bound to the query",
    );
    let room_id = inputs.room.clone();
    let recordings: Vec<Recording> = (0..10)
        .map(|n| fixtures::recording(&room_id, "cpu", n, 100_000))
        .collect::<Result<_, _>>()?;
    let items: Vec<_> = recordings
        .iter()
        .map(fixtures::recording_item)
        .collect::<Result<_, _>>()?;
    add(
        "decode 10 DynamoDB items",
        time_sync(|| {
            for item in &items {
                let decoded = shared::store::decode_recording_item(item.clone()).ok();
                black_box(decoded);
            }
        }),
        "serde_dynamo into the store's item type (includes cloning the items)",
    );
    let page = Page {
        next: Some(cursor.clone()),
        items: recordings.clone(),
    };
    let fields = FieldSelection::parse(None);
    add(
        "serialize a page of 10 recordings",
        time_sync(|| {
            let body = page.to_json("recordings", 10, fingerprint, page_tokens, |r| {
                fields.apply(r)
            });
            black_box(serde_json::to_vec(&body).ok());
        }),
        "the list body with its next page token, to bytes",
    );
    add(
        "serialize one recording",
        time_sync(|| {
            black_box(serde_json::to_vec(&fields.apply(black_box(&recordings[0]))).ok());
        }),
        "the get body, to bytes",
    );
    let key = inputs.recording.s3_key();
    let filename = inputs.recording.filename();
    let presign = time_async(|| async {
        black_box(
            app.media
                .presign_video(&key, &filename, shared::media::Disposition::Inline)
                .await
                .ok(),
        );
    })
    .await;
    add(
        "presign a GET URL",
        presign,
        "SigV4 query signing by the SDK, no network",
    );
    add(
        "write the request's log line",
        time_sync(|| {
            tracing::info!(
                request_id = "bench-request-id",
                method = "GET",
                route = "/api/v1/recordings/{recordingId}",
                status = 200u16,
                latency_ms = 1.234f64,
                aws_calls = 1u32,
                "request"
            );
        }),
        "one JSON line through tracing (to a sink here, stdout in Lambda)",
    );
    Ok(rows)
}

async fn handler_cpu<'a, F, Fut>(
    app: &'a App,
    label: &str,
    event: &ApiEvent,
    handler: F,
    count: usize,
) -> Value
where
    F: Fn(&'a App, Request) -> Fut + Copy,
    Fut: Future<Output = HandlerResult>,
{
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    let mut status = 0;
    for i in 0..count + 20 {
        let req = request(event);
        let cpu_started = ThreadTime::now();
        let started = Instant::now();
        let response = dispatch(app, req, handler).await;
        let elapsed = started.elapsed();
        let cpu_used = cpu_started.elapsed();
        status = response.status().as_u16();
        if i >= 20 {
            wall.push(elapsed.as_secs_f64() * 1e6);
            cpu.push(cpu_used.as_secs_f64() * 1e6);
        }
    }
    let (wall, cpu) = (summarize(&wall), summarize(&cpu));
    eprintln!(
        "[bench]   {label}: wall p50 {:.0} µs, CPU p50 {:.0} µs",
        wall.p50, cpu.p50
    );
    json!({
        "route": label,
        "status": status,
        "wall_us": wall,
        "cpu_us": cpu,
        "cpu_share": round3(cpu.p50 / wall.p50),
    })
}

async fn handlers(app: &App, inputs: &Inputs, count: usize) -> Vec<Value> {
    let id = inputs.recording.as_str();
    let get =
        ApiEvent::new("GET", "/api/v1/recordings/{recordingId}").path_param("recordingId", id);
    let admin_token = app
        .auth
        .tokens
        .issue_admin("admin", shared::clock::now_seconds())
        .unwrap_or_default();
    let list = ApiEvent::new("GET", "/api/v1/recordings")
        .api_key(&inputs.api_key)
        .query("maxItems", "10");
    let media = ApiEvent::new("GET", "/api/v1/recordings/{recordingId}/media")
        .path_param("recordingId", id)
        .api_key(&inputs.api_key)
        .query("redirect", "false");
    let page = ApiEvent::new("GET", "/recording/{recordingId}")
        .path_param("recordingId", id)
        .query("secret", &inputs.share_secret);
    vec![
        handler_cpu(
            app,
            "get (API key)",
            &get.clone().api_key(&inputs.api_key),
            get_recording::handle,
            count,
        )
        .await,
        handler_cpu(
            app,
            "get (admin JWT)",
            &get.clone().bearer(&admin_token),
            get_recording::handle,
            count,
        )
        .await,
        handler_cpu(
            app,
            "get (?secret=)",
            &get.clone().query("secret", &inputs.share_secret),
            get_recording::handle,
            count,
        )
        .await,
        handler_cpu(
            app,
            "list a page of 10 (API key)",
            &list,
            list_recordings::handle,
            count,
        )
        .await,
        handler_cpu(
            app,
            "media ?redirect=false (API key)",
            &media,
            download_recording::handle,
            count,
        )
        .await,
        handler_cpu(
            app,
            "share page (?secret=)",
            &page,
            share_page::handle,
            count,
        )
        .await,
    ]
}

/// The cold start's own work, repeated in a warm process (so without the first-time costs
/// of page faults and lazy statics): what a function does before its first event.
async fn init(
    env: &[(String, String)],
    config: &shared::config::Config,
) -> Result<Vec<Value>, String> {
    let mut rows = Vec::new();
    let mut add = |name: &str, ns: f64, note: &str| {
        eprintln!("[bench]   {name}: {ns:.0} ns");
        rows.push(json!({"name": name, "ns": round3(ns), "note": note}));
    };
    add(
        "read the configuration",
        time_sync(|| {
            black_box(crate::delete::config_from(black_box(env)).ok());
        }),
        "the function's variables: key digests, the admin hash's PHC format",
    );
    add(
        "load the SDK configuration",
        time_async(|| async {
            black_box(shared::runtime::sdk_config().await.ok());
        })
        .await,
        "shared::runtime::sdk_config: region, credentials chain, endpoints (no network), the HTTPS client",
    );
    let sdk = shared::runtime::sdk_config().await?;
    add(
        "build the App",
        time_sync(|| {
            black_box(App::new(config.clone(), &sdk).ok());
        }),
        "DynamoDB, S3 and EventBridge clients, keys, and the LiveKit client when LIVEKIT_* is set",
    );
    if let Some(livekit) = &config.livekit {
        add(
            "of which the LiveKit client",
            time_sync(|| {
                black_box(shared::livekit::Egress::new(livekit).ok());
            }),
            "reqwest with rustls and the web PKI roots; every function builds it when LIVEKIT_* is set",
        );
    }
    Ok(rows)
}

/// Runs on a thread of its own with a single-threaded runtime.
pub fn run(
    env: Vec<(String, String)>,
    inputs: Inputs,
    handler_calls: usize,
) -> Result<Value, String> {
    let worker = std::thread::spawn(move || -> Result<Value, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async move {
            let config = crate::delete::config_from(&env)?;
            let init = init(&env, &config).await?;
            let sdk = shared::runtime::sdk_config().await?;
            let app = App::new(config, &sdk)?;
            let micro = micro(&app, &inputs).await?;
            let handlers = handlers(&app, &inputs, handler_calls).await;
            Ok(json!({"init": init, "micro": micro, "handlers": handlers}))
        })
    });
    worker
        .join()
        .map_err(|_| "the CPU benchmark thread panicked".to_owned())?
}
