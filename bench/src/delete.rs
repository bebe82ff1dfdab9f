//! Bulk deletes of 100 and 1,000 recordings beside deleting as many one request at a
//! time, through the delete function kept warm; and, in process, which AWS operations one
//! request makes (each client counting its own calls by operation).

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use integration_tests::ApiRequest;
use integration_tests::intercept::CallCounts;
use serde_json::{Value, json};
use shared::app::App;
use shared::aws::count_aws_calls;
use shared::config::Config;
use shared::deletion::delete_recordings;
use shared::events::RecordingEvent;
use shared::model::{Deletion, Recording, RecordingId};
use shared::permissions::{Principal, RecordingAccess};
use shared::store::MarkScope;

use crate::fixtures::{self, Aws, PLACEHOLDER_VIDEO};
use crate::harness::FunctionProcess;
use crate::stats::round3;

/// The API's limit on ids in one bulk delete.
pub const MAX_BULK: usize = shared::deletion::MAX_BULK_IDS;

/// The deletes measured: (set tag, recordings, mode, ids per request).
const PLAN: [(&str, usize, &str, usize); 4] = [
    ("a", 100, "bulk", MAX_BULK),
    ("c", 100, "one at a time", 1),
    ("b", 1000, "bulk", MAX_BULK),
    ("d", 1000, "one at a time", 1),
];

/// How many ids each request of a plan row carries.
fn request_sizes(count: usize, per_request: usize) -> Vec<usize> {
    let starts = (0..count).step_by(per_request);
    starts.map(|start| per_request.min(count - start)).collect()
}

/// The distinct request sizes of the plan, each replayed once in process to split its
/// AWS calls by operation.
fn composition_sizes() -> Vec<usize> {
    let mut sizes: Vec<usize> = PLAN
        .iter()
        .flat_map(|(_, count, _, per)| request_sizes(*count, *per))
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    sizes
}

/// 1000 recordings deleted in process in requests as the API allows them, and in one call:
/// (set tag, ids per call).
const LARGER: [(&str, usize); 2] = [("f", MAX_BULK), ("g", 1000)];
/// 1000 recordings whose marks and events alone are timed.
const FLOORS: &str = "h";

/// Every set deleted: (tag, count).
fn sets() -> Vec<(String, usize)> {
    let plan = PLAN
        .iter()
        .map(|(tag, count, _, _)| ((*tag).to_owned(), *count));
    let replays = composition_sizes()
        .into_iter()
        .map(|n| (format!("e{n}x"), n));
    let larger = LARGER.iter().map(|(tag, _)| ((*tag).to_owned(), 1000));
    let floors = std::iter::once((FLOORS.to_owned(), 1000));
    plan.chain(replays).chain(larger).chain(floors).collect()
}

/// One permanent delete request (the no-loss order's cost; a move to the recycle bin costs
/// less): of one id by its path, or of several with `recordingIds`.
fn delete_request(api_key: &str, ids: &[String]) -> ApiRequest {
    let request = match ids {
        [id] => ApiRequest::new("DELETE", "/api/v1/recordings/{recordingId}")
            .path_param("recordingId", id),
        _ => ApiRequest::new("DELETE", "/api/v1/recordings").query("recordingIds", &ids.join(",")),
    };
    request
        .query("permanent", "true")
        .header("x-api-key", api_key)
}

/// An App whose DynamoDB and S3 clients count their calls.
fn counting_app(aws: &Aws, config: Config) -> (App, CallCounts) {
    let counts = CallCounts::default();
    let app = App::with_clients(
        config,
        &aws.sdk,
        aws_sdk_dynamodb::config::Builder::from(&aws.sdk).interceptor(counts.interceptor()),
        aws_sdk_s3::config::Builder::from(&aws.sdk).interceptor(counts.interceptor()),
    );
    (app, counts)
}

/// The counted calls by operation, and EventBridge's: the rest of the `total` AWS calls.
pub(crate) fn operations(counts: &CallCounts, total: u32) -> BTreeMap<String, u64> {
    let mut operations: BTreeMap<String, u64> = counts.take();
    let counted: u64 = operations.values().sum();
    let events = u64::from(total).saturating_sub(counted);
    if events > 0 {
        operations.insert("EventBridge PutEvents".into(), events);
    }
    operations
}

/// One request's operations, in process, with counters on the DynamoDB and S3 clients
/// (EventBridge's calls are the rest of the request's total).
async fn composition(
    aws: &Aws,
    config: Config,
    api_key: &str,
    ids: &[String],
) -> Result<Value, String> {
    let (app, counts) = counting_app(aws, config);
    let request = delete_request(api_key, ids).build();
    let (response, total) = count_aws_calls(delete_recordings::handle(&app, request)).await;
    let response =
        response.map_err(|e| format!("deleting {} recording(s) in process: {e:?}", ids.len()))?;
    let operations = operations(&counts, total);
    Ok(json!({
        "ids": ids.len(),
        "status": response.status().as_u16(),
        "total": total,
        "operations": operations,
    }))
}

/// `ids` deleted in process by an administrator, `per_call` at a time, calls one after
/// another, with counting clients: whether a request larger than the API allows would pay.
async fn in_process(
    aws: &Aws,
    config: Config,
    ids: &[String],
    per_call: usize,
) -> Result<Value, String> {
    let (app, counts) = counting_app(aws, config);
    let ids: Vec<RecordingId> = ids
        .iter()
        .map(|id| RecordingId::parse(id))
        .collect::<Result<_, _>>()?;
    let (started, mut total, mut deleted) = (Instant::now(), 0, 0);
    for chunk in ids.chunks(per_call) {
        let now = shared::clock::now_millis();
        let call = delete_recordings(app.deleter(), &Principal::Admin, chunk, true, now);
        let (outcome, calls) = count_aws_calls(call).await;
        let outcome = outcome.map_err(|e| format!("deleting in process: {e}"))?;
        total += calls;
        deleted += outcome.deleted.len();
    }
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    let operations = operations(&counts, total);
    Ok(json!({
        "ids_per_call": per_call,
        "calls": ids.len().div_ceil(per_call),
        "deleted": deleted,
        "wall_ms": round3(wall_ms),
        "total": total,
        "operations": operations,
    }))
}

/// What the emulators take for the two steps a delete pays for each recording whatever the
/// batching: its transactional mark and its event, for `recordings` in requests as the API
/// allows them (each request's calls concurrent, as a delete makes them). The recordings
/// are then deleted, untimed.
async fn floors(aws: &Aws, config: Config, recordings: &[Recording]) -> Result<Value, String> {
    let app = App::new(config, &aws.sdk);
    let ids: Vec<RecordingId> = recordings.iter().map(|r| r.recording_id.clone()).collect();
    let now = shared::clock::now_millis();
    let started = Instant::now();
    for chunk in ids.chunks(MAX_BULK) {
        app.store
            .mark_deleting(chunk, MarkScope::Any, Deletion::Permanent, now)
            .await;
    }
    let marks_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    for chunk in recordings.chunks(MAX_BULK) {
        app.events()
            .publish(RecordingEvent::Deleted(Deletion::Permanent), chunk)
            .await;
    }
    let events_ms = started.elapsed().as_secs_f64() * 1000.0;
    for chunk in ids.chunks(MAX_BULK) {
        delete_recordings(app.deleter(), &Principal::Admin, chunk, true, now)
            .await
            .map_err(|e| format!("deleting in process: {e}"))?;
    }
    Ok(json!({
        "recordings": recordings.len(),
        "marks_ms": round3(marks_ms),
        "events_ms": round3(events_ms),
    }))
}

fn op(composition: &Value, name: &str) -> u64 {
    composition["operations"][name].as_u64().unwrap_or(0)
}

/// Totals by budget category for requests of the given sizes, from each size's replay.
fn categories(compositions: &HashMap<usize, Value>, sizes: &[usize]) -> Value {
    let sum = |f: &dyn Fn(&Value) -> u64| -> u64 {
        sizes.iter().map(|n| compositions.get(n).map_or(0, f)).sum()
    };
    json!({
        "reads": sum(&|c| op(c, "DynamoDB BatchGetItem")),
        "marks": sum(&|c| op(c, "DynamoDB TransactWriteItems")),
        "writes": sum(&|c| op(c, "DynamoDB BatchWriteItem")),
        "s3": sum(&|c| op(c, "S3 DeleteObjects")),
        "events": sum(&|c| op(c, "EventBridge PutEvents")),
        "total": sum(&|c| c["total"].as_u64().unwrap_or(0)),
    })
}

/// Stores a room with every set's recordings, each with a placeholder video, in the table
/// and bucket `name`, then deletes them.
pub async fn run(
    aws: &Aws,
    name: &str,
    process: &FunctionProcess,
    api_key: &str,
    config: Config,
) -> Result<Value, String> {
    let store = aws.store(name);
    let room = integration_tests::fixtures::room(&store, RecordingAccess::Admin).await;
    let room = [room.room_id.clone()];
    let set =
        |tag: &str, count| fixtures::recordings(&room, tag, 0..count, PLACEHOLDER_VIDEO.len());
    let mut all = Vec::new();
    for (tag, count) in sets() {
        all.extend(set(&tag, count)?);
    }
    aws.put_with_placeholders(name, &all).await?;
    let id = |r: &Recording| r.recording_id.to_string();
    let ids = |tag: &str, count| -> Result<Vec<String>, String> {
        Ok(set(tag, count)?.iter().map(id).collect())
    };
    let mut compositions: HashMap<usize, Value> = HashMap::new();
    for size in composition_sizes() {
        let set = ids(&format!("e{size}x"), size)?;
        compositions.insert(size, composition(aws, config.clone(), api_key, &set).await?);
    }

    let mut rows = Vec::new();
    for (tag, count, mode, per_request) in PLAN {
        let set = ids(tag, count)?;
        let (started, mut aws_calls) = (Instant::now(), 0);
        for batch in set.chunks(per_request) {
            let event = delete_request(api_key, batch).event();
            let invocation = process.invoke(&event).await?;
            aws_calls += invocation.aws_calls().unwrap_or(0);
            if invocation.status != 200 {
                let body = &invocation.response["body"];
                eprintln!("[bench]   delete answered {}: {body}", invocation.status);
            }
        }
        let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
        let (items, videos) = fixtures::stored(aws, name, &set).await?;
        eprintln!("[bench]   delete {count} {mode}: {wall_ms:.0} ms, {aws_calls} AWS calls");
        // Each recording and its share counter read, 100 keys a call; its item deleted, 25
        // a call; its video, 1000 keys a call.
        let budget = json!({"reads": (2 * count).div_ceil(100), "s3": count.div_ceil(1000), "writes": count.div_ceil(25)});
        rows.push(json!({
            "n": count,
            "mode": mode,
            "requests": count.div_ceil(per_request),
            "wall_ms": round3(wall_ms),
            "aws_calls": aws_calls,
            "items_left": items.len(),
            "videos_left": videos.len(),
            "by_category": categories(&compositions, &request_sizes(count, per_request)),
            "budget": (per_request > 1).then_some(budget),
        }));
    }
    let floors = floors(aws, config.clone(), &set(FLOORS, 1000)?).await?;
    let mut larger = Vec::new();
    for (tag, per_call) in LARGER {
        larger.push(in_process(aws, config.clone(), &ids(tag, 1000)?, per_call).await?);
    }
    // The plan's rows come in pairs: bulk, then one at a time, of as many recordings.
    let ratio = |pair: &[Value]| {
        let f = |v: &Value, k: &str| v[k].as_f64().unwrap_or(f64::NAN);
        let of = |k| round3(f(&pair[1], k) / f(&pair[0], k));
        json!({"n": pair[0]["n"], "wall": of("wall_ms"), "aws_calls": of("aws_calls")})
    };
    Ok(json!({
        "ratios": rows.chunks(2).map(ratio).collect::<Vec<_>>(),
        "rows": rows,
        "composition": composition_sizes()
            .iter()
            .filter_map(|n| compositions.get(n).cloned())
            .collect::<Vec<_>>(),
        "max_bulk_ids": MAX_BULK,
        "larger": larger,
        "floors": floors,
    }))
}

/// The functions' configuration for an in-process App.
pub fn config_from(env: &[(String, String)]) -> Result<Config, String> {
    let vars: HashMap<&str, &str> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Config::from_lookup(|k| vars.get(k).map(|v| (*v).to_owned())).map_err(|e| e.to_string())
}
