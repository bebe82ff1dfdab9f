//! Cold starts: each function binary started under our runtime API with an event waiting,
//! from `exec` to its first `GET .../next` (initialisation) and to its first response, beside
//! an SDK-free `lambda_http` hello binary measured in the same rounds.

use std::path::PathBuf;
use std::time::Instant;

use serde_json::{Value, json};

use crate::harness::FunctionProcess;
use crate::stats::{Summary, round3, summarize};
use crate::targets::{ColdTarget, HELLO, World};
use integration_tests::repo_root;

/// A binary and the events its starts are measured with.
pub struct Target {
    pub spec: &'static ColdTarget,
    pub binary: PathBuf,
}

struct Start {
    init_ms: f64,
    first_response_ms: f64,
    status: u16,
    aws_calls: Option<u64>,
    peak_rss_kib: Option<f64>,
    minor_faults: Option<f64>,
}

async fn one_start(
    target: &Target,
    event: &Value,
    env: &[(String, String)],
) -> Result<Start, String> {
    let process = FunctionProcess::start(&target.binary, target.spec.name, env).await?;
    // Queued just after the spawn, well before the process can ask: it asks once initialised.
    let invocation = process.invoke(event).await?;
    let since_spawn = |t: Instant| (t - process.spawned_at).as_secs_f64() * 1000.0;
    Ok(Start {
        init_ms: process.api.first_next().map_or(f64::NAN, since_spawn),
        first_response_ms: since_spawn(invocation.completion.completed_at),
        status: invocation.status,
        aws_calls: invocation.aws_calls(),
        // The process now waits for its next event: its peak so far is its peak.
        peak_rss_kib: process.peak_rss_kib(),
        minor_faults: process.minor_faults(),
    })
}

/// The size of `target/lambda/<name>/<file>`, as `scripts/build-lambda.sh` left it.
fn arm64_size(name: &str, file: &str) -> Option<u64> {
    let path = repo_root().join(format!("target/lambda/{name}/{file}"));
    std::fs::metadata(path).ok().map(|m| m.len())
}

/// Runs `iterations` measured starts of every target (plus one unmeasured start each to
/// warm the page cache), round-robin so that other load on the machine falls on all of
/// them alike; the hello among them is the floor.
pub async fn run(
    targets: &[Target],
    world: &World,
    iterations: usize,
    env: &[(String, String)],
) -> Result<Value, String> {
    #[derive(Default)]
    struct Samples {
        init: Vec<f64>,
        first: Vec<f64>,
        no_aws: Vec<f64>,
        rss: Vec<f64>,
        faults: Vec<f64>,
        status: u16,
        aws_calls: Option<u64>,
    }
    let mut samples: Vec<Samples> = targets.iter().map(|_| Samples::default()).collect();
    for round in 0..=iterations {
        for offset in 0..targets.len() {
            let index = (round + offset) % targets.len();
            let target = &targets[index];
            let real = one_start(target, &target.spec.event(world, round), env).await?;
            let no_aws = match target.spec.no_aws(world) {
                Some(event) => Some(one_start(target, &event, env).await?),
                None => None,
            };
            if round == 0 {
                continue;
            }
            let s = &mut samples[index];
            s.init.push(real.init_ms);
            s.first.push(real.first_response_ms);
            s.rss.extend(real.peak_rss_kib);
            s.faults.extend(real.minor_faults);
            s.status = real.status;
            s.aws_calls = real.aws_calls;
            if let Some(start) = no_aws {
                s.no_aws.push(start.first_response_ms);
            }
        }
        eprintln!("[bench]   cold starts: round {round}/{iterations}");
    }
    let hello_index = targets
        .iter()
        .position(|t| t.spec.name == HELLO)
        .ok_or("the hello binary is not among the targets")?;
    let floor_init = summarize(&samples[hello_index].init).p50;
    let floor_first = summarize(&samples[hello_index].first).p50;
    let binaries: Vec<Value> = targets
        .iter()
        .zip(&samples)
        .map(|(target, s)| {
            let init = summarize(&s.init);
            let first = summarize(&s.first);
            let no_aws = (!s.no_aws.is_empty()).then(|| summarize(&s.no_aws));
            let size = std::fs::metadata(&target.binary).map(|m| m.len()).ok();
            let name = target.spec.name;
            json!({
                "name": name,
                "request": target.spec.describe,
                // Functions that are not behind API Gateway have no status.
                "status": if s.status == 0 { json!("ok") } else { json!(s.status) },
                "aws_calls": s.aws_calls,
                "size_bytes": size,
                "arm64_size_bytes": if name == HELLO { None } else { arm64_size(name, "bootstrap") },
                "arm64_zip_bytes": if name == HELLO { None } else { arm64_size(name, "bootstrap.zip") },
                "peak_rss_kib": summarize(&s.rss).p50,
                "minor_faults": summarize(&s.faults).p50,
                "init_ms": init,
                "first_response_ms": first,
                "first_response_no_aws_ms": no_aws,
                "ratio_init": round3(init.p50 / floor_init),
                "ratio_first_response": round3(first.p50 / floor_first),
                "ratio_no_aws": no_aws.as_ref().map(|n| round3(n.p50 / floor_first)),
            })
        })
        .collect();
    Ok(json!({
        "hello": HELLO,
        "iterations": iterations,
        "binaries": binaries,
    }))
}

/// `target` started with each of two environments and the hello with the first,
/// round-robin so that the machine's load falls on all three alike: their times to first
/// event, and each side's ratio to the hello's median.
async fn side_by_side(
    (target, hello): (&Target, &Target),
    (world, iterations): (&World, usize),
    envs: [&[(String, String)]; 2],
) -> Result<([Summary; 2], [f64; 2]), String> {
    let mut samples = [Vec::new(), Vec::new(), Vec::new()];
    for round in 0..=iterations {
        let event = |t: &Target| t.spec.event(world, round);
        let starts = [
            one_start(target, &event(target), envs[0]).await?,
            one_start(target, &event(target), envs[1]).await?,
            one_start(hello, &event(hello), envs[0]).await?,
        ];
        for (samples, start) in samples.iter_mut().zip(starts).filter(|_| round > 0) {
            samples.push(start.init_ms);
        }
    }
    let [first, second, floor] = samples.map(|s| summarize(&s));
    let ratios = [
        round3(first.p50 / floor.p50),
        round3(second.p50 / floor.p50),
    ];
    Ok(([first, second], ratios))
}

/// What the functions' bundled roots save: the same binary started as usual (trusting the
/// AWS roots it carries) and with `SSL_CERT_FILE` and `SSL_CERT_DIR` naming the system's
/// store, which makes it load that store as the SDK's default client does.
pub async fn system_store(
    pair: (&Target, &Target),
    world: &World,
    iterations: usize,
    env: &[(String, String)],
) -> Result<Value, String> {
    let certs = std::path::Path::new("/etc/ssl/certs");
    let bundle = certs.join("ca-certificates.crt");
    if !bundle.is_file() {
        return Err(format!("no system trust store at {}", bundle.display()));
    }
    let mut system = env.to_vec();
    system.push(("SSL_CERT_FILE".into(), bundle.display().to_string()));
    system.push(("SSL_CERT_DIR".into(), certs.display().to_string()));
    let ([bundled, loaded], [ratio_bundled, ratio_loaded]) =
        side_by_side(pair, (world, iterations), [env, &system]).await?;
    Ok(json!({
        "binary": pair.0.spec.name,
        "bundled_roots_init_ms": bundled,
        "ratio_bundled": ratio_bundled,
        "system_store_init_ms": loaded,
        "ratio_system_store": ratio_loaded,
        "saved_ms": round3(loaded.p50 - bundled.p50),
        "certificate_entries": std::fs::read_dir(certs).map_or(0, |d| d.count()),
    }))
}

/// What reading secrets at cold start costs, as deployed functions do: the same binary
/// given its secrets as plain variables (as locally) and as the ARNs of Secrets Manager
/// secrets holding them (`secrets`: variable and ARN).
pub async fn secrets_manager(
    pair: (&Target, &Target),
    world: &World,
    iterations: usize,
    env: &[(String, String)],
    secrets: &[(String, String)],
) -> Result<Value, String> {
    let arn = |(variable, arn): &(String, String)| {
        let name = format!("{variable}{}", shared::secrets::SECRET_ARN_SUFFIX);
        (name, arn.clone())
    };
    let plain = env
        .iter()
        .filter(|(k, _)| !secrets.iter().any(|(v, _)| v == k));
    let deployed: Vec<_> = plain.cloned().chain(secrets.iter().map(arn)).collect();
    let ([environment, read], [ratio_environment, ratio_read]) =
        side_by_side(pair, (world, iterations), [env, &deployed]).await?;
    Ok(json!({
        "binary": pair.0.spec.name,
        "environment_init_ms": environment,
        "ratio_environment": ratio_environment,
        "secrets_manager_init_ms": read,
        "ratio_secrets_manager": ratio_read,
        "added_ms": round3(read.p50 - environment.p50),
        "secrets": secrets.iter().map(|(variable, _)| variable).collect::<Vec<_>>(),
    }))
}
