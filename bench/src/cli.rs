//! The `bench` command: `run` (every benchmark, then the report), `export` (the export
//! job), `lifecycle` (purge, retention and a room's deletion at 100,000 recordings),
//! `load-setup`, `load-run` and `cleanup` (the load run, driven by scripts/load.sh),
//! `render`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, ValueEnum};
use integration_tests::LocalEnv;
use serde_json::{Value, json};
use shared::model::{Room, RoomId};
use shared::permissions::{RecordingAccess, Role};
use shared::tokens::Tokens;

use crate::fixtures::{self, Aws, DEMO_VIDEO};
use crate::harness::{self, FunctionProcess};
use crate::stats::round3;
use crate::targets::{COLD, HELLO, World};
use crate::{cold, cpu, delete, export, flat, lifecycle, load, machine, report, warm};
use integration_tests::repo_root;

/// Benchmarks of the functions on the local stack, and the bounded load run; both write
/// docs/benchmarks.json and render docs/benchmarks.md from it.
#[derive(Parser)]
enum Command {
    /// Every benchmark on a table, buckets and an event bus of its own, then the report.
    Run(RunArgs),
    /// The export job on 1 GiB, on a table and bucket of its own, then the report.
    Export {
        #[arg(long)]
        name: Option<String>,
        /// Where the release binaries are (default target/release).
        #[arg(long)]
        bin_dir: Option<PathBuf>,
    },
    /// The recycle bins' purge and retention, each over 10,000 due recordings among
    /// 100,000, and a room of 1,000 deleted with them, in process with counting clients, on
    /// a table, bucket and event bus of their own; then the report.
    Lifecycle {
        #[arg(long)]
        name: Option<String>,
    },
    /// The load run's data, described in the state file for `load-run`.
    LoadSetup {
        #[arg(long)]
        name: String,
        #[arg(long)]
        state: PathBuf,
        #[arg(long, default_value_t = 2000)]
        kept: usize,
        #[arg(long, default_value_t = 4000)]
        doomed: usize,
    },
    /// The load run against functions served on 127.0.0.1, then its checks.
    LoadRun(load::LoadArgs),
    /// Deletes what `run` or `load-setup` made under `--name`.
    Cleanup {
        #[arg(long)]
        name: String,
    },
    /// Renders docs/benchmarks.md from docs/benchmarks.json.
    Render,
}

#[derive(Args)]
struct RunArgs {
    #[arg(long)]
    name: Option<String>,
    /// Cold starts per binary.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u16).range(1..))]
    iterations: u16,
    /// Warm requests per route.
    #[arg(long, default_value_t = 1000)]
    requests: usize,
    #[arg(long, default_value_t = 1000)]
    small: usize,
    #[arg(long, default_value_t = 100_000)]
    large: usize,
    /// Pages per list figure.
    #[arg(long, default_value_t = 200)]
    pages: usize,
    /// Handler calls per CPU figure.
    #[arg(long, default_value_t = 300)]
    handler_calls: usize,
    #[arg(long)]
    build_seconds: Option<f64>,
    #[arg(long, value_enum)]
    arm64: Option<Arm64>,
    #[arg(long)]
    arm64_seconds: Option<f64>,
    /// Where the release binaries are (default target/release).
    #[arg(long)]
    bin_dir: Option<PathBuf>,
    /// The output of `cargo bench -p shared --bench cpu`, for the CPU section.
    #[arg(long)]
    micro: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum Arm64 {
    Built,
    Existing,
}

pub async fn main() -> ExitCode {
    let command = Command::parse();
    // The handlers called in process log like the functions do, to nowhere.
    shared::runtime::init_logging(std::io::sink);
    let result = match command {
        Command::Run(args) => run(&args).await,
        Command::Export { name, bin_dir } => export_run(name, bin_dir).await,
        Command::Lifecycle { name } => lifecycle_run(name).await,
        Command::LoadSetup {
            name,
            state,
            kept,
            doomed,
        } => load_setup(&name, &state, kept, doomed).await,
        Command::LoadRun(args) => load_run(&args).await,
        Command::Cleanup { name } => cleanup(&name).await,
        Command::Render => report::render(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn cleanup(name: &str) -> Result<(), String> {
    Aws::connect().await?.drop_stack(name).await;
    Ok(())
}

/// The binary measured, from `--bin-dir`.
fn release_binary(args: &RunArgs, name: &str) -> Result<PathBuf, String> {
    release_binary_in(args.bin_dir.clone(), name)
}

fn release_binary_in(dir: Option<PathBuf>, name: &str) -> Result<PathBuf, String> {
    let dir = dir.unwrap_or_else(|| repo_root().join("target/release"));
    let path = dir.join(name);
    match path.is_file() {
        true => Ok(path),
        false => Err(format!(
            "{} is missing: scripts/bench.sh builds it (cargo build --release)",
            path.display()
        )),
    }
}

/// Every crate under `functions/` must have a cold-start target: none goes unmeasured.
fn cold_targets(args: &RunArgs) -> Result<Vec<cold::Target>, String> {
    let dir = repo_root().join("functions");
    for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let name = entry.map_err(|e| e.to_string())?.file_name();
        let name = name.to_string_lossy();
        if !COLD.iter().any(|t| t.name == name) {
            return Err(format!(
                "functions/{name} has no cold-start target (bench/src/targets.rs)"
            ));
        }
    }
    COLD.iter()
        .map(|spec| {
            let binary = release_binary(args, spec.name)?;
            Ok(cold::Target { spec, binary })
        })
        .collect()
}

async fn run(args: &RunArgs) -> Result<(), String> {
    let started = Instant::now();
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| format!("bench-{}", std::process::id()));
    let aws = Aws::connect().await?;
    let load_start = machine::load_average();
    eprintln!("[bench] table, bucket and event bus {name}");
    aws.create_stack(&name, true).await?;
    let result = measure(args, &aws, &name, &format!("{name}-meta")).await;
    eprintln!("[bench] deleting {name} and {name}-meta");
    aws.drop_stack(&name).await;
    let mut section = result?;
    section["date"] = json!(machine::now_rfc3339());
    section["machine"] = machine::describe();
    section["load_average"] = json!({"start": load_start, "end": machine::load_average()});
    let (run, build, arm64) = (
        started.elapsed().as_secs_f64(),
        args.build_seconds,
        args.arm64_seconds,
    );
    let total = run + build.unwrap_or(0.0) + arm64.unwrap_or(0.0);
    section["durations_s"] = json!({
        "run": round3(run), "build": build.map(round3), "arm64_build": arm64.map(round3), "total": round3(total),
    });
    section["cold_start"]["arm64"] = arm64_source(args);
    report::update("bench", section)?;
    eprintln!("[bench] wrote docs/benchmarks.md and docs/benchmarks.json");
    Ok(())
}

async fn export_run(name: Option<String>, bin_dir: Option<PathBuf>) -> Result<(), String> {
    let name = name.unwrap_or_else(|| format!("bench-export-{}", std::process::id()));
    let binary = release_binary_in(bin_dir, "build-export")?;
    let aws = Aws::connect().await?;
    let load_start = machine::load_average();
    eprintln!("[bench] export: table and bucket {name}");
    aws.create_stack(&name, false).await?;
    let env = harness::function_env(
        &LocalEnv::load(),
        &[
            ("TABLE_NAME", name.clone()),
            ("BUCKET_NAME", name.clone()),
            ("RUST_LOG", "info".to_owned()),
        ],
    );
    let result = export::run(&aws, &name, &binary, &env).await;
    eprintln!("[bench] deleting {name}");
    aws.drop_stack(&name).await;
    write_step("export", result?, load_start)
}

async fn lifecycle_run(name: Option<String>) -> Result<(), String> {
    let name = name.unwrap_or_else(|| format!("bench-lifecycle-{}", std::process::id()));
    let aws = Aws::connect().await?;
    let load_start = machine::load_average();
    eprintln!("[bench] lifecycle: table, bucket and event bus {name}");
    aws.create_stack(&name, false).await?;
    let env = harness::function_env(
        &LocalEnv::load(),
        &[
            ("TABLE_NAME", name.clone()),
            ("BUCKET_NAME", name.clone()),
            ("EVENT_BUS_NAME", name.clone()),
        ],
    );
    let result = match delete::config_from(&env) {
        Ok(config) => lifecycle::run(&aws, &name, config).await,
        Err(e) => Err(e),
    };
    eprintln!("[bench] deleting {name}");
    aws.drop_stack(&name).await;
    write_step("lifecycle", result?, load_start)
}

/// Writes one step's section of the report, stamped with when and on what it ran (the
/// machine's load when the step began, `load_start`, and now).
fn write_step(key: &str, mut section: Value, load_start: String) -> Result<(), String> {
    section["date"] = json!(machine::now_rfc3339());
    section["machine"] = machine::describe();
    section["load_average"] = json!({"start": load_start, "end": machine::load_average()});
    report::update(key, section)?;
    eprintln!("[bench] wrote docs/benchmarks.md and docs/benchmarks.json");
    Ok(())
}

/// Where the report's arm64 sizes come from: this run's build, or the last one left in
/// target/lambda/ (when it finished), or none.
fn arm64_source(args: &RunArgs) -> Value {
    let left = std::fs::read_dir(repo_root().join("target/lambda"))
        .into_iter()
        .flatten();
    let newest = left
        .filter_map(|e| {
            std::fs::metadata(e.ok()?.path().join("bootstrap"))
                .ok()?
                .modified()
                .ok()
        })
        .max();
    json!({
        "built": args.arm64 == Some(Arm64::Built),
        "seconds": args.arm64_seconds,
        "left_at": newest.map(|when| machine::rfc3339(when.into())),
    })
}

/// Ten rooms (the second without speakers) and the cold starts' room; returns the rooms
/// and the first room's speaker secret.
async fn rooms(aws: &Aws, name: &str) -> (Vec<Room>, String) {
    let store = aws.store(name);
    let mut rooms = Vec::new();
    for r in 0..=10 {
        let access = match r {
            10 => RecordingAccess::Admin,
            1 => RecordingAccess::AdminModerator,
            _ => RecordingAccess::AdminModeratorSpeaker,
        };
        rooms.push(integration_tests::fixtures::room(&store, access).await);
    }
    let speaker = rooms[0].speaker_secret.expose().to_owned();
    (rooms.into_iter().map(|r| r.room).collect(), speaker)
}

async fn measure(args: &RunArgs, aws: &Aws, name: &str, meta: &str) -> Result<Value, String> {
    let iterations = usize::from(args.iterations);
    let (requests, pages) = (args.requests, args.pages);
    let (small, large) = (args.small, args.large.max(args.small));
    let local = LocalEnv::load();
    let api_key = local.get("LOCAL_API_KEY");
    let env = harness::function_env(
        &local,
        &[
            ("TABLE_NAME", name.to_owned()),
            ("BUCKET_NAME", name.to_owned()),
            ("EVENT_BUS_NAME", name.to_owned()),
            ("PUBLIC_BASE_URL", "http://127.0.0.1:9000".to_owned()),
            ("RUST_LOG", "info".to_owned()),
        ],
    );
    let store = aws.store(name);

    eprintln!("[bench] data: rooms, {small} recordings, a share link");
    let (rooms, speaker_secret) = rooms(aws, name).await;
    let ids: Vec<RoomId> = rooms.iter().map(|r| r.room_id.clone()).collect();
    let placeholder = fixtures::PLACEHOLDER_VIDEO.len();
    let cold = fixtures::recordings(&ids[10..], "z", 0..iterations + 5, placeholder)?;
    let recordings = fixtures::recordings(&ids[..10], "s", 0..small, DEMO_VIDEO.len())?;
    aws.batch_put(name, recordings.iter().chain(&cold), 16)
        .await?;
    let featured = recordings[0].recording_id.clone();
    let mut videos = vec![(featured.s3_key(), DEMO_VIDEO.to_vec(), "video/mp4")];
    videos.extend(cold.iter().map(fixtures::placeholder_video));
    aws.put_objects(name, videos, 16).await?;
    let metadata = recordings.iter().map(fixtures::openvidu_metadata).collect();
    aws.put_objects(meta, metadata, 48).await?;
    let share_secret = fixtures::share_link(&store, &featured).await?;
    let tokens = Tokens::new(local.get("TOKEN_SIGNING_KEY").as_bytes());
    let now = shared::clock::now_seconds();
    let world = World {
        admin_token: tokens
            .issue_admin("admin", now)
            .map_err(|e| e.to_string())?,
        moderator_token: tokens
            .issue_room(&rooms[0].room_id, Role::Moderator, now)
            .map_err(|e| e.to_string())?,
        api_key: api_key.clone(),
        speaker_secret,
        share_secret,
        cold_deletes: cold.iter().map(|r| r.recording_id.to_string()).collect(),
        share_targets: recordings
            .iter()
            .skip(1)
            .take(100)
            .map(|r| r.recording_id.to_string())
            .collect(),
        featured: featured.to_string(),
        rooms: rooms.iter().map(|r| r.room_id.to_string()).collect(),
    };

    eprintln!("[bench] cold starts: {iterations} per binary");
    let targets = cold_targets(args)?;
    let mut cold_start = cold::run(&targets, &world, iterations, &env).await?;
    let find = |name: &str| targets.iter().find(|t| t.spec.name == name);
    if let (Some(list), Some(hello)) = (find("list-recordings"), find(HELLO)) {
        eprintln!("[bench] cold starts loading the system's trust store");
        cold_start["system_store"] =
            cold::system_store((list, hello), &world, iterations, &env).await?;
        eprintln!("[bench] cold starts reading their secrets from Secrets Manager");
        let secrets = aws.store_secrets(name, &env).await?;
        cold_start["secrets_manager"] =
            cold::secrets_manager((list, hello), &world, iterations, &env, &secrets).await?;
    }

    eprintln!("[bench] warm latency: {requests} requests per route");
    let mut processes = HashMap::new();
    for function in warm::FUNCTIONS {
        let binary = release_binary(args, function)?;
        processes.insert(
            function,
            FunctionProcess::start(&binary, function, &env).await?,
        );
    }
    let warm = warm::run(&processes, &world, requests, 20).await?;

    let list: &FunctionProcess = processes.get("list-recordings").ok_or("no list process")?;
    let flat_room = &world.rooms[3];
    eprintln!("[bench] list flatness at {small} recordings");
    let mut rows = flat::measure(small, list, aws, meta, &api_key, flat_room, pages).await?;
    // The smaller table's recordings: every search below covers them alone.
    let searched = fixtures::recordings(&ids[3..4], "n", 0..1, 0)?
        .remove(0)
        .room_name;
    let newest = fixtures::NEWEST_START;
    let search_room = (searched.as_str(), newest, newest - small as i64 * 1000);
    let mut searches = flat::searches(small, list, &api_key, search_room, pages).await?;

    let more = large - small;
    eprintln!("[bench] loading {more} more recordings into DynamoDB and as S3 objects");
    let extra = fixtures::recordings(&ids[..10], "s", small..large, DEMO_VIDEO.len())?;
    let objects = extra.iter().map(fixtures::openvidu_metadata).collect();
    let (dynamodb_load, s3_load) = tokio::join!(
        aws.batch_put(name, &extra, 16),
        aws.put_objects(meta, objects, 48)
    );
    let (dynamodb_load, s3_load) = (dynamodb_load?, s3_load?);
    eprintln!("[bench] list flatness at {large} recordings");
    rows.extend(flat::measure(large, list, aws, meta, &api_key, flat_room, pages).await?);
    searches.extend(flat::searches(large, list, &api_key, search_room, pages).await?);
    let flatness = json!({
        "sizes": [small, large],
        "rows": rows,
        "searches": searches,
        "load": {
            "from": small,
            "items": more,
            "dynamodb_s": round3(dynamodb_load.as_secs_f64()),
            "s3_s": round3(s3_load.as_secs_f64()),
            "dynamodb_concurrency": 16,
            "s3_concurrency": 48,
            "per_room_large": large / 10,
        },
    });

    eprintln!("[bench] bulk deletes");
    let delete_process = processes
        .get("delete-recordings")
        .ok_or("no delete process")?;
    let config = delete::config_from(&env)?;
    let deletes = delete::run(aws, name, delete_process, &api_key, config).await?;
    drop(processes);

    eprintln!("[bench] CPU per request");
    let config = delete::config_from(&env)?;
    let micro = args.micro.clone();
    let calls = args.handler_calls;
    let cpu = tokio::task::spawn_blocking(move || cpu::run(config, world, calls, micro))
        .await
        .map_err(|e| e.to_string())??;

    Ok(json!({
        "settings": {
            "cold_starts": iterations,
            "warm_requests": requests,
            "small": small,
            "large": large,
            "pages": pages,
            "handler_calls": args.handler_calls,
        },
        "cold_start": cold_start,
        "warm": warm,
        "flatness": flatness,
        "delete": deletes,
        "cpu": cpu,
    }))
}

async fn load_setup(name: &str, state: &PathBuf, kept: usize, doomed: usize) -> Result<(), String> {
    let api_key = LocalEnv::load().get("LOCAL_API_KEY");
    let aws = Aws::connect().await?;
    eprintln!("[bench] load data: {kept} recordings that stay, {doomed} to delete, in {name}");
    let setup = load::setup(&aws, name, &api_key, kept, doomed).await?;
    let text = serde_json::to_string(&setup).map_err(|e| e.to_string())?;
    std::fs::write(state, text).map_err(|e| format!("writing {}: {e}", state.display()))
}

async fn load_run(args: &load::LoadArgs) -> Result<(), String> {
    let load_start = machine::load_average();
    let text = std::fs::read_to_string(&args.state)
        .map_err(|e| format!("reading {}: {e}", args.state.display()))?;
    let state: load::LoadState = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let aws = Aws::connect().await?;
    eprintln!(
        "[bench] load: {} clients for {} s against 127.0.0.1:{}",
        args.clients, args.seconds, args.port
    );
    let mut result = load::run(&aws, state, args).await?;
    result["load_average_start"] = json!(load_start);
    if let Some(started) = args.started_at {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        result["total_s"] = json!(round3(now - started));
    }
    let count = |v: &Value| v.as_u64().unwrap_or(0);
    let check = &result["check"];
    let failures = count(&result["server_errors"])
        + count(&result["transport_errors"])
        + count(&check["lost_writes"])
        + count(&check["shares_missing"])
        + count(&check["left_after_delete"]);
    eprintln!(
        "[bench] load: {} requests, {} requests/s, {} 5xx, {} lost writes",
        result["requests"], result["requests_per_s"], result["server_errors"], check["lost_writes"]
    );
    report::update("load", result)?;
    if failures > 0 {
        return Err(format!(
            "{failures} failure(s): 5xx, transport errors, lost writes or deletes that left data (see docs/benchmarks.md)"
        ));
    }
    Ok(())
}
