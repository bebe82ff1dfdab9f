//! CPU per request: the thread CPU time of whole handler calls against the emulators (on
//! a single-threaded runtime, so the SDK's and the HTTP client's work counts too), beside
//! the pieces `cargo bench -p shared --bench cpu` times in isolation (shared/benches).

use std::future::Future;
use std::path::PathBuf;
use std::time::Instant;

use cpu_time::ThreadTime;
use integration_tests::ApiRequest;
use lambda_http::Request;
use serde_json::{Value, json};
use shared::app::App;
use shared::config::Config;
use shared::runtime::{HandlerResult, dispatch};

use crate::stats::{round3, summarize};
use crate::targets::{Credential::ShareSecret, World, get, list, media, recording};

/// The benchmarks of shared/benches/cpu.rs the report shows, one a line: benchmark | what
/// the report calls it | what it covers. Those starting `init_` are a cold start's own work.
const PIECES: &str = "\
event_to_request | API Gateway event → request | what the runtime does with every event (lambda_http)
authenticate_api_key | authenticate an API key | SHA-256 of the key, constant-time comparison with each configured digest
verify_admin_jwt | verify an admin JWT | HS256 (aws-lc HMAC), claims checked
verify_room_jwt | verify a room JWT | as above, plus the room id's validation
authenticate_bearer | authenticate a bearer token | header parsing plus JWT verification
permission_decision | permission decision | shared::permissions::is_allowed for a participant
check_share_secret | check a share secret | SHA-256 of the presented secret, constant-time comparison
encode_page_token | encode a page token | JSON, HMAC-SHA-256, base64url
decode_page_token | decode a page token | base64url, HMAC verification, JSON
parse_list_query | parse a list query with a page token | every parameter validated, the token decoded and bound to the query
decode_items | decode 10 DynamoDB items | serde_dynamo into the store's item type (includes cloning the items)
serialize_page | serialize a page of 10 recordings | the list body with its next page token, to bytes
serialize_recording | serialize one recording | the get body, to bytes
presign_get | presign a GET URL | SigV4 query signing by the SDK, no network
log_line | write the request's log line | one JSON line through tracing (to a sink here, stdout in Lambda)
init_read_config | read the configuration | the function's variables: key digests, the admin hash's PHC format
init_sdk_config | load the SDK configuration | shared::runtime::sdk_config: region, credentials chain, endpoints (no network), the HTTPS client
init_app | build the App | the DynamoDB client and the keys; the other clients wait for their first use
init_first_use_clients | first use of S3 and EventBridge | their clients, built by the first request that needs them (a play, a delete), not at cold start
init_livekit_client | first use of LiveKit | reqwest with rustls and the web PKI roots, built by the first recording start or webhook";

/// Nanoseconds of a duration as divan prints it (`81.3 ns`, `2.4 µs`).
fn nanoseconds(text: &str) -> Option<f64> {
    let (value, unit) = text.trim().split_once(' ')?;
    let scale = match unit {
        "ps" => 1e-3,
        "ns" => 1.0,
        "µs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => return None,
    };
    Some(value.parse::<f64>().ok()? * scale)
}

/// The medians in divan's table (`├─ name  fastest │ slowest │ median │ …`), as the
/// report's `micro` and `init` rows.
fn divan_medians(output: &str) -> Result<(Vec<Value>, Vec<Value>), String> {
    let medians: Vec<(&str, f64)> = output
        .lines()
        .filter_map(|line| {
            let columns: Vec<&str> = line.split('│').collect();
            let name = columns
                .first()?
                .split_whitespace()
                .find(|w| !w.contains('─'))?;
            Some((name, nanoseconds(columns.get(2)?)?))
        })
        .collect();
    let (mut micro, mut init) = (Vec::new(), Vec::new());
    for piece in PIECES.lines() {
        let &[bench, name, note] = &piece.split(" | ").collect::<Vec<_>>()[..] else {
            return Err(format!("a piece without three parts: {piece}"));
        };
        let (_, ns) = medians
            .iter()
            .find(|(b, _)| *b == bench)
            .ok_or_else(|| format!("no benchmark {bench} in the divan output"))?;
        let row = json!({"name": name, "ns": round3(*ns), "note": note});
        match bench.starts_with("init_") {
            true => init.push(row),
            false => micro.push(row),
        }
    }
    Ok((micro, init))
}

async fn handler_cpu<'a, F, Fut>(
    app: &'a App,
    label: &str,
    request: ApiRequest,
    handler: F,
    count: usize,
) -> Value
where
    F: Fn(&'a App, Request) -> Fut + Copy,
    Fut: Future<Output = HandlerResult>,
{
    let (mut wall, mut cpu, mut status) = (Vec::new(), Vec::new(), 0);
    for i in 0..count + 20 {
        let request = request.build();
        let cpu_started = ThreadTime::now();
        let started = Instant::now();
        let response = dispatch(app, request, handler).await;
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

#[rustfmt::skip]
async fn handlers(app: &App, w: &World, count: usize) -> Vec<Value> {
    let page = recording(w, "GET", "/recording/{recordingId}");
    vec![
        handler_cpu(app, "get (API key)", w.admin(get(w)), get_recording::handle, count).await,
        handler_cpu(app, "get (admin JWT)", get(w).bearer(&w.admin_token), get_recording::handle, count).await,
        handler_cpu(app, "get (?secret=)", w.with(ShareSecret, get(w)), get_recording::handle, count).await,
        handler_cpu(app, "list a page of 10 (API key)", w.admin(list()).query("maxItems", "10"),
            list_recordings::handle, count).await,
        handler_cpu(app, "media ?redirect=false (API key)", w.admin(media(w)).query("redirect", "false"),
            download_recording::handle, count).await,
        handler_cpu(app, "share page (?secret=)", w.with(ShareSecret, page), share_page::handle, count).await,
    ]
}

/// Runs on a thread of its own with a single-threaded runtime; `micro` is the output of
/// `cargo bench -p shared --bench cpu`, whose medians are reported beside.
pub fn run(
    config: Config,
    world: World,
    handler_calls: usize,
    micro: Option<PathBuf>,
) -> Result<Value, String> {
    let mut cpu = json!({});
    if let Some(path) = micro {
        let output = std::fs::read_to_string(&path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        let (micro, init) = divan_medians(&output)?;
        cpu = json!({"micro": micro, "init": init});
    }
    let worker = std::thread::spawn(move || -> Result<Value, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async move {
            let sdk = shared::runtime::sdk_config().await?;
            let app = App::new(config, &sdk);
            Ok(json!(handlers(&app, &world, handler_calls).await))
        })
    });
    cpu["handlers"] = worker
        .join()
        .map_err(|_| "the CPU benchmark thread panicked".to_owned())??;
    Ok(cpu)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_medians_of_divan_s_table() {
        let mut output = "cpu  fastest │ slowest │ median │ mean │ samples │ iters\n".to_owned();
        for (n, piece) in super::PIECES.lines().enumerate() {
            let bench = piece.split(" | ").next().unwrap_or_default();
            output += &format!("├─ {bench}  1 ns │ 9 µs │ {n}.5 µs │ 2 µs │ 100 │ 100\n");
        }
        let (micro, init) = super::divan_medians(&output).expect("every piece");
        assert_eq!((micro.len(), init.len()), (15, 5));
        assert_eq!(micro[1]["name"], "authenticate an API key");
        assert_eq!(micro[1]["ns"], 1500.0);
        assert_eq!(init[3]["ns"], 18500.0);
    }
}
