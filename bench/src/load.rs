//! The bounded load run: many concurrent clients against `cargo lambda watch` on
//! 127.0.0.1, mixing reads with deletes and share creations, then a check that no write
//! was lost. Bounded by a deadline and a request count; it stops by itself.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shared::model::{Recording, RecordingId};
use shared::permissions::RecordingAccess;

use crate::fixtures::{self, Aws, PLACEHOLDER_VIDEO};
use crate::stats::{round3, summarize};

/// What `load-setup` made and `load-run` uses.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadState {
    pub name: String,
    pub api_key: String,
    pub rooms: Vec<String>,
    /// Read, played and shared; never deleted.
    pub kept: Vec<String>,
    /// Deleted during the run, as far as the run gets.
    pub doomed: Vec<String>,
    /// (recording id, share secret) of links made before the run.
    pub shares: Vec<(String, String)>,
}

pub async fn setup(
    aws: &Aws,
    name: &str,
    api_key: &str,
    kept: usize,
    doomed: usize,
) -> Result<LoadState, String> {
    aws.create_stack(name, false).await?;
    let store = aws.store(name);
    let mut rooms = Vec::new();
    for _ in 0..4 {
        let room =
            integration_tests::fixtures::room(&store, RecordingAccess::AdminModeratorSpeaker);
        rooms.push(room.await.room_id.clone());
    }
    let size = PLACEHOLDER_VIDEO.len();
    let kept = fixtures::recordings(&rooms, "k", 0..kept, size)?;
    let doomed = fixtures::recordings(&rooms, "x", 0..doomed, size)?;
    aws.put_with_placeholders(name, &[kept.as_slice(), &doomed].concat())
        .await?;
    let ids = |set: &[Recording]| set.iter().map(|r| r.recording_id.to_string()).collect();
    let (kept_ids, doomed_ids): (Vec<String>, Vec<String>) = (ids(&kept), ids(&doomed));
    let mut shares = Vec::new();
    for r in kept.iter().take(200) {
        let secret = fixtures::share_link(&store, &r.recording_id).await?;
        shares.push((r.recording_id.to_string(), secret));
    }
    Ok(LoadState {
        name: name.to_owned(),
        api_key: api_key.to_owned(),
        rooms: rooms.iter().map(ToString::to_string).collect(),
        kept: kept_ids,
        doomed: doomed_ids,
        shares,
    })
}

#[derive(Default)]
struct Tally {
    latency: BTreeMap<&'static str, Vec<f64>>,
    statuses: BTreeMap<String, u64>,
    server_errors: u64,
    transport_errors: u64,
    first_errors: Vec<String>,
    /// (ids, status) of every delete request.
    deletes: Vec<(Vec<String>, u16)>,
    /// (recording, share id) of every share created with 200.
    shares_created: Vec<(String, String)>,
    /// Share creations on recordings that were never deleted and still answered other
    /// than 200.
    shares_refused_on_kept: u64,
}

/// How long and how hard `load-run` loads the functions.
#[derive(clap::Args)]
pub struct LoadArgs {
    #[arg(long)]
    pub state: std::path::PathBuf,
    #[arg(long)]
    pub port: u16,
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..))]
    pub clients: u16,
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub seconds: u64,
    #[arg(long, default_value_t = 200_000)]
    pub max_requests: usize,
    /// Instances per function in `cargo lambda watch`.
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,
    /// When scripts/load.sh started, in seconds since the epoch.
    #[arg(long)]
    pub started_at: Option<f64>,
}

/// The mix, in percent of requests.
const MIX: [(&str, usize); 6] = [
    ("list", 30),
    ("get", 25),
    ("media", 20),
    ("share-open", 15),
    ("share-create", 5),
    ("delete", 5),
];

/// What every client shares.
struct Run {
    client: reqwest::Client,
    base: String,
    state: LoadState,
    kept: HashSet<String>,
    doomed: Mutex<VecDeque<String>>,
    tally: Mutex<Tally>,
    sent: AtomicUsize,
    deadline: Instant,
    max_requests: usize,
}

impl Run {
    /// One request of the mix: its operation, its path under /api/v1/recordings, and the
    /// ids it deletes or the recording it shares.
    fn pick(&self, rng: &mut fastrand::Rng) -> (&'static str, String, Vec<String>) {
        let state = &self.state;
        let one = |rng: &mut fastrand::Rng, list: &[String]| list[rng.usize(..list.len())].clone();
        let mut roll = rng.usize(..100);
        let op = MIX.iter().find(|(_, share)| {
            let hit = roll < *share;
            roll = roll.saturating_sub(*share);
            hit
        });
        let kept = one(rng, &state.kept);
        let get = |op, path| (op, path, Vec::new());
        match op.map_or("list", |(name, _)| *name) {
            "list" if rng.bool() => get(
                "list",
                format!("?maxItems=10&roomId={}", one(rng, &state.rooms)),
            ),
            "list" => get("list", "?maxItems=10".to_owned()),
            "get" => get("get", format!("/{kept}")),
            "media" => get("media", format!("/{kept}/media?redirect=false")),
            "share-open" => {
                let (id, secret) = &state.shares[rng.usize(..state.shares.len())];
                get("share-open", format!("/{id}?secret={secret}"))
            }
            "share-create" => {
                let target = match rng.bool() {
                    true => kept,
                    _ => one(rng, &state.doomed),
                };
                ("share-create", format!("/{target}/url"), vec![target])
            }
            _ => {
                let take = if rng.usize(..4) == 0 { 5 } else { 1 };
                let mut ids = Vec::new();
                if let Ok(mut queue) = self.doomed.lock() {
                    ids.extend((0..take).map_while(|_| queue.pop_front()));
                }
                let path = match ids.as_slice() {
                    [] => return get("get", format!("/{kept}")),
                    [id] => format!("/{id}?permanent=true"),
                    ids => format!("?permanent=true&recordingIds={}", ids.join(",")),
                };
                ("delete", path, ids)
            }
        }
    }

    /// Sends requests of the mix until the deadline or the request count, tallying each.
    async fn client(&self, c: u64) {
        let mut rng = fastrand::Rng::with_seed(c);
        while Instant::now() < self.deadline
            && self.sent.fetch_add(1, Ordering::Relaxed) < self.max_requests
        {
            let (op, path, ids) = self.pick(&mut rng);
            let key = (op != "share-open").then_some(self.state.api_key.as_str());
            let request = api(&self.client, &self.base, key, op == "delete", &path);
            let sent_at = Instant::now();
            let (status, body) = match request.send().await {
                Ok(response) => (response.status().as_u16(), response.text().await),
                Err(e) => (0, Ok(e.to_string())),
            };
            let ms = sent_at.elapsed().as_secs_f64() * 1000.0;
            let body = body.unwrap_or_default();
            let Ok(mut t) = self.tally.lock() else { break };
            t.latency.entry(op).or_default().push(ms);
            *t.statuses.entry(format!("{op} {status}")).or_default() += 1;
            t.transport_errors += u64::from(status == 0);
            t.server_errors += u64::from(status >= 500);
            // A share creation may lose its race with the recording's delete.
            let on_kept = op == "share-create" && self.kept.contains(&ids[0]);
            let expected = status == 200 || (op == "share-create" && !on_kept);
            if !expected && t.first_errors.len() < 10 {
                let body: String = body.chars().take(300).collect();
                t.first_errors.push(format!("{op} {status}: {body}"));
            }
            match (op, status) {
                ("delete", _) => t.deletes.push((ids, status)),
                ("share-create", 200) => {
                    let share = serde_json::from_str::<Value>(&body).unwrap_or_default();
                    let share = share["shareId"].as_str().unwrap_or_default().to_owned();
                    t.shares_created.push((ids[0].clone(), share));
                }
                _ => t.shares_refused_on_kept += u64::from(on_kept),
            }
        }
    }
}

pub async fn run(aws: &Aws, state: LoadState, args: &LoadArgs) -> Result<Value, String> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(args.clients.into())
        .build()
        .map_err(|e| e.to_string())?;
    let base = format!("http://127.0.0.1:{}", args.port);
    warm_up(&client, &base, &state, args.concurrency).await;
    let started = Instant::now();
    let run = Arc::new(Run {
        client,
        base,
        kept: state.kept.iter().cloned().collect(),
        doomed: Mutex::new(state.doomed.iter().cloned().collect()),
        state,
        tally: Mutex::default(),
        sent: AtomicUsize::new(0),
        deadline: started + Duration::from_secs(args.seconds),
        max_requests: args.max_requests,
    });
    let clients = (0..args.clients).map(|c| {
        let run = run.clone();
        tokio::spawn(async move { run.client(c.into()).await })
    });
    for client in futures_util::future::join_all(clients).await {
        client.map_err(|e| e.to_string())?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let run = Arc::try_unwrap(run).map_err(|_| "clients still running".to_owned())?;
    let (state, tally) = (
        run.state,
        run.tally.into_inner().map_err(|e| e.to_string())?,
    );
    eprintln!("[bench] load: {elapsed:.1} s; checking every recording's item and video");
    let check = verify(aws, &state, &tally).await?;
    let total: usize = tally.latency.values().map(Vec::len).sum();
    let all: Vec<f64> = tally.latency.values().flatten().copied().collect();
    let by_op = tally.latency.iter().map(|(op, samples)| {
        json!({"op": op, "requests": samples.len(), "latency_ms": summarize(samples)})
    });
    Ok(json!({
        "date": crate::machine::now_rfc3339(),
        "machine": crate::machine::describe(),
        "settings": {
            "clients": args.clients,
            "duration_s": args.seconds,
            "max_requests": args.max_requests,
            "watch_concurrency": args.concurrency,
            "mix_percent": MIX.iter().map(|(op, share)| json!({"op": op, "percent": share})).collect::<Vec<_>>(),
            "kept_recordings": state.kept.len(),
            "doomed_recordings": state.doomed.len(),
            "address": format!("127.0.0.1:{}", args.port),
        },
        "elapsed_s": round3(elapsed),
        "requests": total,
        "requests_per_s": round3(total as f64 / elapsed),
        "latency_ms": summarize(&all),
        "by_op": by_op.collect::<Vec<_>>(),
        "statuses": tally.statuses,
        "server_errors": tally.server_errors,
        "transport_errors": tally.transport_errors,
        "first_errors": tally.first_errors,
        "shares_refused_on_kept": tally.shares_refused_on_kept,
        "check": check,
        "load_average_end": crate::machine::load_average(),
    }))
}

/// A request under `/api/v1/recordings`: a `DELETE` or a `GET`, with the API key if given.
fn api(
    client: &reqwest::Client,
    base: &str,
    key: Option<&str>,
    delete: bool,
    path: &str,
) -> reqwest::RequestBuilder {
    let method = if delete { Method::DELETE } else { Method::GET };
    let request = client.request(method, format!("{base}/api/v1/recordings{path}"));
    match key {
        Some(key) => request.header("x-api-key", key),
        None => request,
    }
}

/// Starts every instance the run will use (`cargo lambda watch` starts them on first use)
/// with requests that change nothing: a few concurrent ones per function, not measured.
async fn warm_up(client: &reqwest::Client, base: &str, state: &LoadState, concurrency: usize) {
    let (kept, (shared, secret)) = (&state.kept[0], &state.shares[0]);
    let key = Some(state.api_key.as_str());
    let requests = [
        (key, false, String::new()),
        (key, false, format!("/{kept}")),
        (key, false, format!("/{kept}/media?redirect=false")),
        (None, false, format!("/{shared}?secret={secret}")),
        (key, false, format!("/{kept}/shares")),
        (key, true, format!("/{}--EG_none--u0", state.rooms[0])),
    ];
    let send = |(key, delete, path): &(Option<&str>, bool, String)| {
        api(client, base, *key, *delete, path).send()
    };
    // First one at a time, until each function answers: `cargo lambda watch` builds and
    // starts a function on its first request, which waits while another build holds
    // cargo's lock.
    let deadline = Instant::now() + Duration::from_secs(900);
    for request in &requests {
        while Instant::now() < deadline
            && !send(request).await.is_ok_and(|r| r.status().as_u16() < 500)
        {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
    for _round in 0..3 {
        let copies = (0..concurrency.max(1) * 2).flat_map(|_| requests.iter().map(send));
        futures_util::future::join_all(copies).await;
    }
}

/// The share ids of a recording's links.
async fn shares_of(aws: &Aws, table: &str, id: &str) -> Result<Vec<String>, String> {
    let links = aws.store(table).list_shares(&RecordingId::parse(id)?).await;
    let links = links.map_err(|e| e.to_string())?;
    Ok(links.into_iter().map(|l| l.share_id).collect())
}

/// Every recording, after the run: the ones not deleted still have their item and video;
/// the ones whose delete answered 200 have neither; shares created are where they should be.
async fn verify(aws: &Aws, state: &LoadState, tally: &Tally) -> Result<Value, String> {
    let table = &state.name;
    let all: Vec<String> = state.kept.iter().chain(&state.doomed).cloned().collect();
    let (items, videos) = fixtures::stored(aws, table, &all).await?;
    let present = |id: &str| items.get(id).is_some_and(|i| !i.deleting) && videos.contains(id);
    let deleted = |ok: bool| -> HashSet<&String> {
        let requests = tally
            .deletes
            .iter()
            .filter(|(_, status)| (*status == 200) == ok);
        requests.flat_map(|(ids, _)| ids).collect()
    };
    let (deleted_ok, delete_failed) = (deleted(true), deleted(false));
    let untouched = state
        .doomed
        .iter()
        .filter(|id| !deleted_ok.contains(id) && !delete_failed.contains(id));
    let (intact, lost): (Vec<&String>, Vec<&String>) = untouched.partition(|id| present(id));
    let lost = lost.len() + state.kept.iter().filter(|id| !present(id)).count();
    let left = deleted_ok
        .iter()
        .filter(|id| items.contains_key(**id) || videos.contains(**id))
        .count();
    let mut orphan_shares = 0;
    for id in &deleted_ok {
        orphan_shares += shares_of(aws, table, id).await?.len();
    }
    // Every share created on a recording that still exists is stored.
    let (mut shares_checked, mut shares_missing) = (0, 0);
    let mut created: HashMap<&String, Vec<&String>> = HashMap::new();
    for (id, share) in &tally.shares_created {
        created.entry(id).or_default().push(share);
    }
    for (id, shares) in created.iter().filter(|(id, _)| !deleted_ok.contains(*id)) {
        let stored = shares_of(aws, table, id).await?;
        shares_checked += shares.len();
        shares_missing += shares.iter().filter(|s| !stored.contains(s)).count();
    }
    Ok(json!({
        "kept_checked": state.kept.len(),
        "deleted_with_200": deleted_ok.len(),
        "delete_not_200": delete_failed.len(),
        "doomed_not_reached_intact": intact.len(),
        "lost_writes": lost,
        "left_after_delete": left,
        "shares_created": tally.shares_created.len(),
        "shares_checked": shares_checked,
        "shares_missing": shares_missing,
        "orphan_share_items": orphan_shares,
    }))
}
