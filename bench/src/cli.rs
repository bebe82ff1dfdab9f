//! The `bench` command: `run` (every benchmark, then the report), `load-setup`,
//! `load-run` and `cleanup` (the load run, driven by scripts/load.sh), `render`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_secretsmanager::error::DisplayErrorContext;
use serde_json::{Value, json};
use shared::model::{Recording, RecordingId, Room};
use shared::permissions::{RecordingAccess, Role};
use shared::tokens::Tokens;

use crate::cold::Target;
use crate::env::{LocalEnv, repo_root};
use crate::events::{ApiEvent, scheduled_event};
use crate::fixtures::{self, Aws, DEMO_VIDEO};
use crate::harness::{self, FunctionProcess};
use crate::warm::Route;
use crate::{cold, cpu, delete, flat, load, machine, report, warm};

const USAGE: &str =
    "usage: bench run [--name N] [--iterations 15] [--requests 1000] [--small 1000] \
[--large 100000] [--pages 200] [--handler-calls 300] [--build-seconds S] [--arm64 built|existing] \
[--arm64-seconds S] [--bin-dir target/release]
       bench load-setup --name N --state FILE [--kept 2000] [--doomed 4000]
       bench load-run --state FILE --port P [--clients 32] [--seconds 60] [--max-requests 200000] \
[--concurrency 1] [--started-at EPOCH]
       bench cleanup --name N
       bench render";

struct Options(HashMap<String, String>);

impl Options {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut map = HashMap::new();
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            let key = arg
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument {arg:?}\n{USAGE}"))?;
            let value = iter
                .next()
                .ok_or_else(|| format!("--{key} needs a value\n{USAGE}"))?;
            map.insert(key.to_owned(), value.clone());
        }
        Ok(Self(map))
    }

    fn text(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }

    fn required(&self, key: &str) -> Result<String, String> {
        self.text(key)
            .ok_or_else(|| format!("--{key} is required\n{USAGE}"))
    }

    fn number(&self, key: &str, default: usize) -> Result<usize, String> {
        match self.0.get(key) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("--{key} must be a whole number")),
        }
    }

    fn seconds(&self, key: &str) -> Option<f64> {
        self.0.get(key).and_then(|v| v.parse().ok())
    }
}

pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first().cloned() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let options = match Options::parse(&args[1..]) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // The handlers called in process log like the functions do, to nowhere.
    shared::runtime::init_logging(std::io::sink);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match command.as_str() {
            "run" => run(&options).await,
            "load-setup" => load_setup(&options).await,
            "load-run" => load_run(&options).await,
            "cleanup" => cleanup(&options).await,
            "render" => report::render(),
            _ => Err(USAGE.to_owned()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Where the binaries measured are: `target/release` unless `--bin-dir` says otherwise.
static BIN_DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

fn release_binary(name: &str) -> Result<PathBuf, String> {
    let dir = BIN_DIR.get_or_init(|| repo_root().join("target/release"));
    let path = dir.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is missing: scripts/bench.sh builds it (cargo build --release)",
            path.display()
        ))
    }
}

/// Every crate under `functions/`.
fn function_names() -> Result<Vec<String>, String> {
    let dir = repo_root().join("functions");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .collect();
    names.sort();
    Ok(names)
}

/// What the run's requests need to know.
struct World {
    api_key: String,
    rooms: Vec<Room>,
    /// The speaker secret of the first room.
    speaker_secret: String,
    featured: RecordingId,
    share_secret: String,
    admin_token: String,
    moderator_token: String,
    cold_deletes: Vec<String>,
    /// How many generated recordings there are (`s` tag, numbered from 0).
    recordings: usize,
}

fn api_get(route: &str, id: &str) -> ApiEvent {
    ApiEvent::new("GET", route).path_param("recordingId", id)
}

/// The list function's secrets (as `env` gives them) stored in the local Secrets Manager,
/// as a deployment stores them: each variable with its secret's ARN.
async fn store_secrets(
    aws: &Aws,
    name: &str,
    env: &[(String, String)],
) -> Result<Vec<(String, String)>, String> {
    let client = aws_sdk_secretsmanager::Client::new(&aws.sdk);
    let mut secrets = Vec::new();
    for variable in ["TOKEN_SIGNING_KEY", "API_KEY_HASHES"] {
        let value = env
            .iter()
            .find(|(k, _)| k == variable)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("{variable} is not in the functions' environment"))?;
        let created = client
            .create_secret()
            .name(format!("{name}-{variable}"))
            .secret_string(value)
            .send()
            .await
            .map_err(|e| format!("creating a secret: {}", DisplayErrorContext(&e)))?;
        let arn = created.arn.ok_or("a secret without an ARN")?;
        secrets.push((variable.to_owned(), arn));
    }
    Ok(secrets)
}

fn cold_targets(world: &Arc<World>, iterations: usize) -> Result<Vec<Target>, String> {
    let mut targets = Vec::new();
    let no_credentials = |event: ApiEvent| Some(event.to_json("cold"));
    for name in function_names()? {
        let w = world.clone();
        let id = w.featured.to_string();
        let key = w.api_key.clone();
        let room = w.rooms[0].room_id.to_string();
        let (event, describe, no_aws, describe_no_aws): (
            Box<dyn Fn() -> Value + Send + Sync>,
            String,
            Option<Value>,
            String,
        ) = match name.as_str() {
            "list-recordings" => {
                let e = ApiEvent::new("GET", "/api/v1/recordings");
                let real = e.clone().api_key(&key).to_json("cold");
                (
                    Box::new(move || real.clone()),
                    "GET /api/v1/recordings".into(),
                    no_credentials(e),
                    "no credentials → 401".into(),
                )
            }
            "get-recording" => {
                let e = api_get("/api/v1/recordings/{recordingId}", &id);
                let real = e.clone().api_key(&key).to_json("cold");
                (
                    Box::new(move || real.clone()),
                    "GET /api/v1/recordings/{id}".into(),
                    no_credentials(e),
                    "no credentials → 401".into(),
                )
            }
            "update-recording" => {
                let e = ApiEvent::new("PATCH", "/api/v1/recordings/{recordingId}")
                    .path_param("recordingId", &id)
                    .json_body(&json!({"title": "Cold start"}));
                let real = e.clone().api_key(&key).to_json("cold");
                (
                    Box::new(move || real.clone()),
                    "PATCH /api/v1/recordings/{id} (a title)".into(),
                    no_credentials(e),
                    "no credentials → 401".into(),
                )
            }
            "download-recording" => {
                let e = api_get("/api/v1/recordings/{recordingId}/media", &id)
                    .query("redirect", "false");
                let real = e.clone().api_key(&key).to_json("cold");
                (
                    Box::new(move || real.clone()),
                    "GET …/media?redirect=false".into(),
                    no_credentials(e),
                    "no credentials → 401".into(),
                )
            }
            "delete-recordings" => {
                let next = Arc::new(AtomicUsize::new(0));
                let ids = w.cold_deletes.clone();
                let key2 = key.clone();
                let e = ApiEvent::new("DELETE", "/api/v1/recordings/{recordingId}")
                    .path_param("recordingId", &ids[0]);
                (
                    Box::new(move || {
                        let i = next.fetch_add(1, Ordering::Relaxed) % ids.len();
                        ApiEvent::new("DELETE", "/api/v1/recordings/{recordingId}")
                            .path_param("recordingId", &ids[i])
                            .api_key(&key2)
                            .to_json("cold")
                    }),
                    "DELETE /api/v1/recordings/{id} (a fresh one each start)".into(),
                    no_credentials(e),
                    "no credentials → 401".into(),
                )
            }
            "share-recording" => {
                let e = api_get("/api/v1/recordings/{recordingId}/shares", &id);
                let real = e.clone().api_key(&key).to_json("cold");
                (
                    Box::new(move || real.clone()),
                    "GET …/shares".into(),
                    no_credentials(e),
                    "no credentials → 401".into(),
                )
            }
            "share-page" => {
                let e = api_get("/recording/{recordingId}", &id);
                let real = e.clone().query("secret", &w.share_secret).to_json("cold");
                (
                    Box::new(move || real.clone()),
                    "GET /recording/{id}?secret=".into(),
                    no_credentials(e),
                    "no secret → 404 page".into(),
                )
            }
            "room-access" => {
                let e = ApiEvent::new("GET", "/api/v1/rooms/{roomId}").path_param("roomId", &room);
                let real = e.clone().api_key(&key).to_json("cold");
                (
                    Box::new(move || real.clone()),
                    "GET /api/v1/rooms/{roomId}".into(),
                    no_credentials(e),
                    "no credentials → 401".into(),
                )
            }
            "issue-token" => {
                let e = ApiEvent::new("POST", "/api/v1/rooms/{roomId}/recording-token")
                    .path_param("roomId", &room);
                let real = e
                    .clone()
                    .json_body(&json!({"secret": w.speaker_secret}))
                    .to_json("cold");
                (
                    Box::new(move || real.clone()),
                    "POST …/recording-token (speaker secret)".into(),
                    Some(e.json_body(&json!({})).to_json("cold")),
                    "no secret in the body → 422".into(),
                )
            }
            "record-control" => {
                let e = ApiEvent::new("POST", "/api/v1/recordings/{recordingId}/stop")
                    .path_param("recordingId", &id);
                let real = e.clone().api_key(&key).to_json("cold");
                (
                    Box::new(move || real.clone()),
                    "POST …/stop of a finished recording".into(),
                    no_credentials(e),
                    "no credentials → 401".into(),
                )
            }
            "egress-webhook" => {
                let real = ApiEvent::new("POST", "/webhooks/livekit")
                    .json_body(&json!({"event": "egress_ended"}))
                    .to_json("cold");
                (
                    Box::new(move || real.clone()),
                    "POST /webhooks/livekit, unsigned (no LiveKit here)".into(),
                    None,
                    String::new(),
                )
            }
            "sweep-recordings" => {
                let real = scheduled_event();
                (
                    Box::new(move || real.clone()),
                    "a scheduled (EventBridge) event".into(),
                    None,
                    String::new(),
                )
            }
            _ => {
                let real = ApiEvent::new("GET", "/").to_json("cold");
                (
                    Box::new(move || real.clone()),
                    "GET / (no specific request known)".into(),
                    None,
                    String::new(),
                )
            }
        };
        targets.push(Target {
            binary: release_binary(&name)?,
            name,
            event,
            describe,
            no_aws_event: no_aws,
            describe_no_aws,
        });
    }
    let hello = ApiEvent::new("GET", "/hello").to_json("cold");
    targets.push(Target {
        name: "bench-hello".into(),
        binary: release_binary("bench-hello")?,
        event: Box::new(move || hello.clone()),
        describe: "GET /hello".into(),
        no_aws_event: None,
        describe_no_aws: String::new(),
    });
    if iterations == 0 {
        return Err("--iterations must be at least 1".into());
    }
    Ok(targets)
}

fn warm_routes(world: &Arc<World>) -> Vec<Route> {
    let w = world;
    let id = w.featured.to_string();
    let key = w.api_key.clone();
    let room = w.rooms[0].room_id.to_string();
    let other_room = w.rooms[3].room_id.to_string();
    let secret = w.share_secret.clone();
    let admin = w.admin_token.clone();
    let moderator = w.moderator_token.clone();
    let speaker_secret = w.speaker_secret.clone();
    let share_targets: Vec<String> = (1..=100)
        .filter(|n| *n < w.recordings)
        .filter_map(|n| fixtures::recording(&w.rooms[n % 10].room_id, "s", n, 0).ok())
        .map(|r| r.recording_id.to_string())
        .collect();
    let fixed = |event: ApiEvent| -> Box<dyn Fn(usize) -> ApiEvent + Send + Sync> {
        Box::new(move |_| event.clone())
    };
    let route = |label: &str,
                 function: &str,
                 route: &str,
                 credential: &str,
                 expect_status: u16,
                 budget: Option<u64>,
                 note: &str,
                 event: Box<dyn Fn(usize) -> ApiEvent + Send + Sync>| Route {
        label: label.into(),
        function: function.into(),
        route: route.into(),
        credential: credential.into(),
        expect_status,
        budget,
        note: note.into(),
        event,
    };
    let get = api_get("/api/v1/recordings/{recordingId}", &id);
    let media = api_get("/api/v1/recordings/{recordingId}/media", &id);
    vec![
        route(
            "list",
            "list-recordings",
            "GET /api/v1/recordings",
            "API key",
            200,
            Some(1),
            "first page of 10, every room",
            fixed(ApiEvent::new("GET", "/api/v1/recordings").api_key(&key)),
        ),
        route(
            "list one room",
            "list-recordings",
            "GET /api/v1/recordings?roomId=",
            "API key",
            200,
            Some(1),
            "first page of 10",
            fixed(
                ApiEvent::new("GET", "/api/v1/recordings")
                    .api_key(&key)
                    .query("roomId", &other_room),
            ),
        ),
        route(
            "list as a participant",
            "list-recordings",
            "GET /api/v1/recordings",
            "room token (moderator)",
            200,
            None,
            "a room token's list reads the room's access first: 2 calls by design",
            fixed(ApiEvent::new("GET", "/api/v1/recordings").bearer(&moderator)),
        ),
        route(
            "get",
            "get-recording",
            "GET /api/v1/recordings/{id}",
            "API key",
            200,
            Some(1),
            "",
            fixed(get.clone().api_key(&key)),
        ),
        route(
            "get",
            "get-recording",
            "GET /api/v1/recordings/{id}",
            "admin JWT",
            200,
            Some(1),
            "",
            fixed(get.clone().bearer(&admin)),
        ),
        route(
            "get",
            "get-recording",
            "GET /api/v1/recordings/{id}",
            "room token (moderator)",
            200,
            Some(1),
            "",
            fixed(get.clone().bearer(&moderator)),
        ),
        route(
            "share-open",
            "get-recording",
            "GET /api/v1/recordings/{id}?secret=",
            "share link",
            200,
            Some(1),
            "the link, its recording and the room in one BatchGetItem",
            fixed(get.clone().query("secret", &secret)),
        ),
        route(
            "media",
            "download-recording",
            "GET /api/v1/recordings/{id}/media?redirect=false",
            "API key",
            200,
            Some(1),
            "presigned locally",
            fixed(media.clone().api_key(&key).query("redirect", "false")),
        ),
        route(
            "media",
            "download-recording",
            "GET /api/v1/recordings/{id}/media",
            "API key",
            302,
            Some(1),
            "redirect",
            fixed(media.clone().api_key(&key)),
        ),
        route(
            "download",
            "download-recording",
            "GET /api/v1/recordings/{id}/download",
            "API key",
            302,
            Some(1),
            "redirect",
            fixed(api_get("/api/v1/recordings/{recordingId}/download", &id).api_key(&key)),
        ),
        route(
            "media share-open",
            "download-recording",
            "GET /api/v1/recordings/{id}/media?secret=",
            "share link",
            200,
            Some(1),
            "?redirect=false",
            fixed(
                media
                    .clone()
                    .query("secret", &secret)
                    .query("redirect", "false"),
            ),
        ),
        route(
            "share page",
            "share-page",
            "GET /recording/{id}?secret=",
            "share link",
            200,
            Some(1),
            "HTML with two presigned URLs",
            fixed(api_get("/recording/{recordingId}", &id).query("secret", &secret)),
        ),
        route(
            "share link",
            "share-recording",
            "GET /api/v1/recordings/{id}/url",
            "API key",
            200,
            None,
            "reads, then stores the link and lists it on its recording in one transaction: 2 calls",
            Box::new(move |i| {
                api_get(
                    "/api/v1/recordings/{recordingId}/url",
                    &share_targets[i % share_targets.len()],
                )
                .api_key(&key)
            }),
        ),
        route(
            "room",
            "room-access",
            "GET /api/v1/rooms/{roomId}",
            "API key",
            200,
            None,
            "",
            fixed(
                ApiEvent::new("GET", "/api/v1/rooms/{roomId}")
                    .path_param("roomId", &room)
                    .api_key(&w.api_key),
            ),
        ),
        route(
            "room token",
            "issue-token",
            "POST /api/v1/rooms/{roomId}/recording-token",
            "speaker secret",
            200,
            None,
            "reads the caller's failed attempts, then the room",
            fixed(
                ApiEvent::new("POST", "/api/v1/rooms/{roomId}/recording-token")
                    .path_param("roomId", &room)
                    .json_body(&json!({"secret": speaker_secret})),
            ),
        ),
    ]
}

async fn run(options: &Options) -> Result<(), String> {
    let started = Instant::now();
    if let Some(dir) = options.text("bin-dir") {
        let _ = BIN_DIR.set(PathBuf::from(dir));
    }
    let name = options
        .text("name")
        .unwrap_or_else(|| format!("bench-{}", std::process::id()));
    let aws = Aws::connect().await?;
    let load_start = machine::load_average();
    eprintln!("[bench] table, bucket and event bus {name}");
    aws.create_stack(&name).await?;
    let meta = format!("{name}-meta");
    aws.create_bucket(&meta).await?;
    let result = measure(options, &aws, &name, &meta).await;
    eprintln!("[bench] deleting {name} and {meta}");
    aws.drop_stack(&name).await;
    aws.drop_bucket(&meta).await;
    let mut section = result?;
    section["date"] = json!(machine::now_rfc3339());
    section["machine"] = machine::describe();
    section["load_average"] = json!({"start": load_start, "end": machine::load_average()});
    let run_s = started.elapsed().as_secs_f64();
    let build = options.seconds("build-seconds");
    let arm64 = options.seconds("arm64-seconds");
    section["durations_s"]["run"] = json!(stats_round(run_s));
    section["durations_s"]["build"] = json!(build.map(stats_round));
    section["durations_s"]["arm64_build"] = json!(arm64.map(stats_round));
    section["durations_s"]["total"] = json!(stats_round(
        run_s + build.unwrap_or(0.0) + arm64.unwrap_or(0.0)
    ));
    section["cold_start"]["arm64_note"] = json!(arm64_note(options));
    report::update("bench", section)?;
    eprintln!(
        "[bench] wrote {} and {}",
        report::md_path().display(),
        report::json_path().display()
    );
    Ok(())
}

fn stats_round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn arm64_note(options: &Options) -> String {
    let built = repo_root().join("target/lambda");
    let newest = std::fs::read_dir(&built)
        .ok()
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::metadata(e.path().join("bootstrap")).ok())
        .filter_map(|m| m.modified().ok())
        .max();
    match (options.text("arm64").as_deref(), newest) {
        (Some("built"), _) => format!(
            "arm64 sizes: `scripts/build-lambda.sh` (`cargo lambda build --release --arm64`) built them in this run, in {} s.",
            options.seconds("arm64-seconds").map_or("?".into(), |s| format!("{s:.0}"))
        ),
        (_, Some(when)) => format!(
            "arm64 sizes: as the last `scripts/build-lambda.sh` left them in `target/lambda/` ({} UTC); a missing one was not built. `BENCH_ARM64=1 make bench` rebuilds them first, which is slow on 2 cores (every function linked with thin LTO and one codegen unit for aarch64). Cold starts are measured on x86-64, the only architecture this machine runs.",
            time::OffsetDateTime::from(when)
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        ),
        _ => "arm64: not built here (x86-64 sizes only); `BENCH_ARM64=1 make bench` builds them first with `scripts/build-lambda.sh`, which is slow on 2 cores. Cold starts are measured on x86-64, the only architecture this machine runs.".into(),
    }
}

async fn start_processes(
    names: &[&str],
    env: &[(String, String)],
) -> Result<HashMap<String, FunctionProcess>, String> {
    let mut processes = HashMap::new();
    for name in names {
        let process = harness::start(&release_binary(name)?, name, env).await?;
        processes.insert((*name).to_owned(), process);
    }
    Ok(processes)
}

async fn measure(options: &Options, aws: &Aws, name: &str, meta: &str) -> Result<Value, String> {
    let iterations = options.number("iterations", 15)?;
    let requests = options.number("requests", 1000)?;
    let small = options.number("small", 1000)?;
    let large = options.number("large", 100_000)?.max(small);
    let pages = options.number("pages", 200)?;
    let handler_calls = options.number("handler-calls", 300)?;
    let local = LocalEnv::load()?;
    let api_key = local.require("LOCAL_API_KEY")?;
    let env = local.function_env(&[
        ("TABLE_NAME", name.to_owned()),
        ("BUCKET_NAME", name.to_owned()),
        ("EVENT_BUS_NAME", name.to_owned()),
        ("PUBLIC_BASE_URL", "http://127.0.0.1:9000".to_owned()),
        ("RUST_LOG", "info".to_owned()),
    ]);
    let store = aws.store(name);

    eprintln!("[bench] data: rooms, {small} recordings, a share link");
    let mut rooms = Vec::new();
    let mut speaker_secrets = Vec::new();
    for r in 0..10 {
        let access = if r == 1 {
            RecordingAccess::AdminModerator
        } else {
            RecordingAccess::AdminModeratorSpeaker
        };
        let (room, secrets) =
            fixtures::room(&format!("bench-r{r}"), &format!("Bench room {r}"), access)?;
        store
            .create_room(&room, &secrets)
            .await
            .map_err(|e| e.to_string())?;
        rooms.push(room);
        speaker_secrets.push(secrets.speaker);
    }
    let (cold_room, cold_secrets) =
        fixtures::room("bench-cold", "Bench cold starts", RecordingAccess::Admin)?;
    store
        .create_room(&cold_room, &cold_secrets)
        .await
        .map_err(|e| e.to_string())?;
    // The loader's items must be the store's: checked on a recording of the cold room,
    // which the cold starts delete.
    let cold: Vec<Recording> = (0..iterations + 5)
        .map(|n| {
            fixtures::recording(
                &cold_room.room_id,
                "z",
                n,
                fixtures::PLACEHOLDER_VIDEO.len(),
            )
        })
        .collect::<Result<_, _>>()?;
    let recordings: Vec<Recording> = (0..small)
        .map(|n| fixtures::recording(&rooms[n % rooms.len()].room_id, "s", n, DEMO_VIDEO.len()))
        .collect::<Result<_, _>>()?;
    let mut items = Vec::new();
    for r in recordings.iter().chain(&cold) {
        items.push(fixtures::recording_item(r)?);
    }
    aws.batch_put(name, items, 16).await?;
    let featured = recordings[0].recording_id.clone();
    let mut videos = vec![(featured.s3_key(), DEMO_VIDEO.to_vec(), "video/mp4")];
    for r in &cold {
        videos.push((
            r.recording_id.s3_key(),
            fixtures::PLACEHOLDER_VIDEO.to_vec(),
            "video/mp4",
        ));
    }
    aws.put_objects(name, videos, 16).await?;
    let metadata: Vec<(String, Vec<u8>, &'static str)> = recordings
        .iter()
        .map(|r| {
            let (key, body) = fixtures::openvidu_metadata(r);
            (key, body, "application/json")
        })
        .collect();
    aws.put_objects(meta, metadata, 48).await?;
    let (_, share_secret) = fixtures::share_link(&store, &featured).await?;
    let tokens = Tokens::new(local.require("TOKEN_SIGNING_KEY")?.as_bytes());
    let now = shared::clock::now_seconds();
    let world = Arc::new(World {
        admin_token: tokens
            .issue_admin("admin", now)
            .map_err(|e| e.to_string())?,
        moderator_token: tokens
            .issue_room(&rooms[0].room_id, Role::Moderator, now)
            .map_err(|e| e.to_string())?,
        api_key: api_key.clone(),
        rooms,
        speaker_secret: speaker_secrets[0].expose().to_owned(),
        featured,
        share_secret,
        cold_deletes: cold.iter().map(|r| r.recording_id.to_string()).collect(),
        recordings: small,
    });

    let mut timings = serde_json::Map::new();
    let mut phase = Instant::now();
    let mut lap = |timings: &mut serde_json::Map<String, Value>, key: &str| {
        timings.insert(
            key.into(),
            json!(stats_round(phase.elapsed().as_secs_f64())),
        );
        phase = Instant::now();
    };
    lap(&mut timings, "data");

    eprintln!("[bench] cold starts: {iterations} per binary");
    let targets = cold_targets(&world, iterations)?;
    let mut cold_start = cold::run(&targets, "bench-hello", iterations, &env).await?;
    let find = |name: &str| targets.iter().find(|t| t.name == name);
    if let (Some(list), Some(hello)) = (find("list-recordings"), find("bench-hello")) {
        eprintln!("[bench] cold starts loading the system's trust store");
        cold_start["system_store"] = cold::system_store(list, hello, iterations, &env).await?;
        eprintln!("[bench] cold starts reading their secrets from Secrets Manager");
        let secrets = store_secrets(aws, name, &env).await?;
        cold_start["secrets_manager"] =
            cold::secrets_manager(list, hello, iterations, &env, &secrets).await?;
    }
    lap(&mut timings, "cold_start");

    eprintln!("[bench] warm latency: {requests} requests per route");
    let processes = start_processes(
        &[
            "list-recordings",
            "get-recording",
            "download-recording",
            "share-page",
            "share-recording",
            "room-access",
            "issue-token",
            "delete-recordings",
        ],
        &env,
    )
    .await?;
    let warm = warm::run(&processes, &warm_routes(&world), requests, 20).await?;
    lap(&mut timings, "warm");

    let list = processes.get("list-recordings").ok_or("no list process")?;
    let flat_room = world.rooms[3].room_id.to_string();
    eprintln!("[bench] list flatness at {small} recordings");
    let mut rows = flat::measure(small, list, aws, meta, &api_key, &flat_room, pages).await?;
    // The smaller table's recordings: every search below covers them alone.
    let searched_name = fixtures::recording(&world.rooms[3].room_id, "n", 0, 0)?.room_name;
    let search_room = (
        searched_name.as_str(),
        fixtures::NEWEST_START,
        fixtures::NEWEST_START - small as i64 * 1000,
    );
    let mut searches = flat::searches(small, list, &api_key, search_room, pages).await?;
    lap(&mut timings, "flatness_small");

    let more = large - small;
    eprintln!("[bench] loading {more} more recordings into DynamoDB and as S3 objects");
    let extra: Vec<Recording> = (small..large)
        .map(|n| fixtures::recording(&world.rooms[n % 10].room_id, "s", n, DEMO_VIDEO.len()))
        .collect::<Result<_, _>>()?;
    let items = extra
        .iter()
        .map(fixtures::recording_item)
        .collect::<Result<Vec<_>, _>>()?;
    let objects: Vec<(String, Vec<u8>, &'static str)> = extra
        .iter()
        .map(|r| {
            let (key, body) = fixtures::openvidu_metadata(r);
            (key, body, "application/json")
        })
        .collect();
    drop(extra);
    let (dynamodb_load, s3_load) = tokio::join!(
        aws.batch_put(name, items, 16),
        aws.put_objects(meta, objects, 48)
    );
    let (dynamodb_load, s3_load) = (dynamodb_load?, s3_load?);
    lap(&mut timings, "load_large");
    eprintln!("[bench] list flatness at {large} recordings");
    rows.extend(flat::measure(large, list, aws, meta, &api_key, &flat_room, pages).await?);
    searches.extend(flat::searches(large, list, &api_key, search_room, pages).await?);
    lap(&mut timings, "flatness_large");
    let flatness = json!({
        "sizes": [small, large],
        "rows": rows,
        "searches": searches,
        "load": {
            "from": small,
            "items": more,
            "dynamodb_s": stats_round(dynamodb_load.as_secs_f64()),
            "s3_s": stats_round(s3_load.as_secs_f64()),
            "dynamodb_concurrency": 16,
            "s3_concurrency": 48,
            "per_room_large": large / 10,
        },
    });

    eprintln!("[bench] bulk deletes");
    delete::setup(aws, name, name).await?;
    let delete_process = processes
        .get("delete-recordings")
        .ok_or("no delete process")?;
    let deletes = delete::run(
        aws,
        name,
        name,
        delete_process,
        &api_key,
        delete::config_from(&env)?,
    )
    .await?;
    lap(&mut timings, "delete");
    drop(processes);

    eprintln!("[bench] CPU per request");
    let inputs = cpu::Inputs {
        api_key: api_key.clone(),
        recording: world.featured.clone(),
        share_secret: world.share_secret.clone(),
        room: world.rooms[0].room_id.clone(),
    };
    let cpu_env = env.clone();
    let cpu = tokio::task::spawn_blocking(move || cpu::run(cpu_env, inputs, handler_calls))
        .await
        .map_err(|e| e.to_string())??;
    lap(&mut timings, "cpu");

    Ok(json!({
        "settings": {
            "cold_starts": iterations,
            "warm_requests": requests,
            "small": small,
            "large": large,
            "pages": pages,
            "handler_calls": handler_calls,
        },
        "cold_start": cold_start,
        "warm": warm,
        "flatness": flatness,
        "delete": deletes,
        "cpu": cpu,
        "durations_s": {"parts": timings},
    }))
}

async fn load_setup(options: &Options) -> Result<(), String> {
    let name = options.required("name")?;
    let state_path = options.required("state")?;
    let kept = options.number("kept", 2000)?;
    let doomed = options.number("doomed", 4000)?;
    let local = LocalEnv::load()?;
    let aws = Aws::connect().await?;
    eprintln!("[bench] load data: {kept} recordings that stay, {doomed} to delete, in {name}");
    let state = load::setup(&aws, &name, &local.require("LOCAL_API_KEY")?, kept, doomed).await?;
    let text = serde_json::to_string(&state).map_err(|e| e.to_string())?;
    std::fs::write(&state_path, text).map_err(|e| format!("writing {state_path}: {e}"))
}

async fn load_run(options: &Options) -> Result<(), String> {
    let load_start = machine::load_average();
    let state_path = options.required("state")?;
    let text =
        std::fs::read_to_string(&state_path).map_err(|e| format!("reading {state_path}: {e}"))?;
    let state: load::LoadState = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let port: u16 = options
        .required("port")?
        .parse()
        .map_err(|_| "--port must be a port number")?;
    let settings = load::LoadSettings {
        port,
        clients: options.number("clients", 32)?.max(1),
        duration: Duration::from_secs(options.number("seconds", 60)?.clamp(1, 600) as u64),
        max_requests: options.number("max-requests", 200_000)?,
        watch_concurrency: options.number("concurrency", 1)?,
    };
    let aws = Aws::connect().await?;
    eprintln!(
        "[bench] load: {} clients for {} s against 127.0.0.1:{port}",
        settings.clients,
        settings.duration.as_secs()
    );
    let mut result = load::run(&aws, &state, &settings).await?;
    result["load_average_start"] = json!(load_start);
    if let Some(started) = options.seconds("started-at") {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        result["total_s"] = json!(stats_round(now - started));
    }
    let failures = result["server_errors"].as_u64().unwrap_or(0)
        + result["transport_errors"].as_u64().unwrap_or(0)
        + result["check"]["lost_writes"].as_u64().unwrap_or(0)
        + result["check"]["shares_missing"].as_u64().unwrap_or(0)
        + result["check"]["left_after_delete"].as_u64().unwrap_or(0);
    eprintln!(
        "[bench] load: {} requests, {} requests/s, {} 5xx, {} lost writes",
        result["requests"],
        result["requests_per_s"],
        result["server_errors"],
        result["check"]["lost_writes"]
    );
    report::update("load", result)?;
    if failures > 0 {
        return Err(format!(
            "{failures} failure(s): 5xx, transport errors, lost writes or deletes that left data (see docs/benchmarks.md)"
        ));
    }
    Ok(())
}

async fn cleanup(options: &Options) -> Result<(), String> {
    let name = options.required("name")?;
    let aws = Aws::connect().await?;
    aws.drop_stack(&name).await;
    aws.drop_bucket(&format!("{name}-meta")).await;
    Ok(())
}
