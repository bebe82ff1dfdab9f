//! The bounded load run: many concurrent clients against `cargo lambda watch` on
//! 127.0.0.1, mixing reads with deletes and share creations, then a check that no write
//! was lost. Bounded by a deadline and a request count; it stops by itself.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shared::model::{Recording, RecordingId};
use shared::permissions::RecordingAccess;
use shared::store::StoredRecording;

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
    let kept = fixtures::recordings(&rooms, "k", 0..kept, size);
    let doomed = fixtures::recordings(&rooms, "x", 0..doomed, size);
    aws.put_with_placeholders(name, &[kept.as_slice(), &doomed].concat())
        .await?;
    let ids = |set: &[Recording]| set.iter().map(|r| r.recording_id.to_string()).collect();
    let (kept_ids, doomed_ids): (Vec<String>, Vec<String>) = (ids(&kept), ids(&doomed));
    let mut shares = Vec::new();
    for id in kept_ids.iter().take(200) {
        let parsed = RecordingId::parse(id)?;
        let (_, secret) = fixtures::share_link(&store, &parsed).await?;
        shares.push((id.clone(), secret));
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

/// xorshift64*: enough randomness to mix requests, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
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

pub struct LoadSettings {
    pub port: u16,
    pub clients: usize,
    pub duration: Duration,
    pub max_requests: usize,
    pub watch_concurrency: usize,
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

pub async fn run(aws: &Aws, state: &LoadState, settings: &LoadSettings) -> Result<Value, String> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(settings.clients)
        .build()
        .map_err(|e| e.to_string())?;
    let base = format!("http://127.0.0.1:{}", settings.port);
    let doomed: Arc<Mutex<VecDeque<String>>> =
        Arc::new(Mutex::new(state.doomed.iter().cloned().collect()));
    let kept_set: Arc<HashSet<String>> = Arc::new(state.kept.iter().cloned().collect());
    let tally = Arc::new(Mutex::new(Tally::default()));
    let sent = Arc::new(AtomicUsize::new(0));
    warm_up(&client, &base, state, settings.watch_concurrency).await;
    let started = Instant::now();
    let deadline = started + settings.duration;
    let state = Arc::new(state.clone());
    let mut workers = Vec::new();
    for c in 0..settings.clients {
        let (client, base, doomed, kept_set, tally, sent, state) = (
            client.clone(),
            base.clone(),
            doomed.clone(),
            kept_set.clone(),
            tally.clone(),
            sent.clone(),
            state.clone(),
        );
        let max_requests = settings.max_requests;
        workers.push(tokio::spawn(async move {
            let mut rng =
                Rng(0x9E37_79B9_7F4A_7C15 ^ (c as u64 + 1).wrapping_mul(0x1234_5678_9ABC));
            while Instant::now() < deadline && sent.fetch_add(1, Ordering::Relaxed) < max_requests {
                let mut pick = rng.below(100);
                let mut op = "list";
                for (name, share) in MIX {
                    if pick < share {
                        op = name;
                        break;
                    }
                    pick -= share;
                }
                let kept = &state.kept[rng.below(state.kept.len())];
                let mut delete_ids = Vec::new();
                let mut share_target = String::new();
                // The path under /api/v1/recordings, and whether it is a delete.
                let (path, delete) = match op {
                    "list" => match rng.below(2) {
                        0 => {
                            let room = &state.rooms[rng.below(state.rooms.len())];
                            (format!("?maxItems=10&roomId={room}"), false)
                        }
                        _ => ("?maxItems=10".to_owned(), false),
                    },
                    "get" => (format!("/{kept}"), false),
                    "media" => (format!("/{kept}/media?redirect=false"), false),
                    "share-open" => {
                        let (id, secret) = &state.shares[rng.below(state.shares.len())];
                        (format!("/{id}?secret={secret}"), false)
                    }
                    "share-create" => {
                        share_target = match rng.below(2) {
                            0 => kept.clone(),
                            _ => state.doomed[rng.below(state.doomed.len())].clone(),
                        };
                        (format!("/{share_target}/url"), false)
                    }
                    _ => {
                        let take = if rng.below(4) == 0 { 5 } else { 1 };
                        if let Ok(mut queue) = doomed.lock() {
                            delete_ids.extend((0..take).map_while(|_| queue.pop_front()));
                        }
                        match delete_ids.as_slice() {
                            [] => {
                                op = "get";
                                (format!("/{kept}"), false)
                            }
                            [id] => (format!("/{id}"), true),
                            ids => (format!("?recordingIds={}", ids.join(",")), true),
                        }
                    }
                };
                let key = (op != "share-open").then_some(state.api_key.as_str());
                let request = api(&client, &base, key, delete, &path);
                let sent_at = Instant::now();
                let result = request.send().await;
                let ms = sent_at.elapsed().as_secs_f64() * 1000.0;
                let (status, body) = match result {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        (status, response.text().await.unwrap_or_default())
                    }
                    Err(e) => (0, e.to_string()),
                };
                let Ok(mut t) = tally.lock() else { break };
                t.latency.entry(op).or_default().push(ms);
                *t.statuses.entry(format!("{op} {status}")).or_default() += 1;
                if status == 0 {
                    t.transport_errors += 1;
                } else if status >= 500 {
                    t.server_errors += 1;
                }
                let expected = match op {
                    "share-create" => status == 200 || !kept_set.contains(&share_target),
                    _ => status == 200,
                };
                if !expected && t.first_errors.len() < 10 {
                    t.first_errors.push(format!(
                        "{op} {status}: {}",
                        body.chars().take(300).collect::<String>()
                    ));
                }
                if op == "delete" {
                    t.deletes.push((delete_ids, status));
                } else if op == "share-create" {
                    if status == 200 {
                        let share_id = serde_json::from_str::<Value>(&body)
                            .ok()
                            .and_then(|b| b["shareId"].as_str().map(str::to_owned))
                            .unwrap_or_default();
                        t.shares_created.push((share_target, share_id));
                    } else if kept_set.contains(&share_target) {
                        t.shares_refused_on_kept += 1;
                    }
                }
            }
        }));
    }
    for worker in workers {
        worker.await.map_err(|e| e.to_string())?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let tally = Arc::try_unwrap(tally)
        .map_err(|_| "clients still running".to_owned())?
        .into_inner()
        .map_err(|e| e.to_string())?;
    eprintln!("[bench] load: {elapsed:.1} s; checking every recording's item and video");
    let check = verify(aws, &state, &tally).await?;
    let total: usize = tally.latency.values().map(Vec::len).sum();
    let mut all: Vec<f64> = tally.latency.values().flatten().copied().collect();
    all.sort_by(f64::total_cmp);
    let by_op: Vec<Value> = tally
        .latency
        .iter()
        .map(|(op, samples)| {
            json!({"op": op, "requests": samples.len(), "latency_ms": summarize(samples)})
        })
        .collect();
    Ok(json!({
        "date": crate::machine::now_rfc3339(),
        "machine": crate::machine::describe(),
        "settings": {
            "clients": settings.clients,
            "duration_s": settings.duration.as_secs(),
            "max_requests": settings.max_requests,
            "watch_concurrency": settings.watch_concurrency,
            "mix_percent": MIX.iter().map(|(op, share)| json!({"op": op, "percent": share})).collect::<Vec<_>>(),
            "kept_recordings": state.kept.len(),
            "doomed_recordings": state.doomed.len(),
            "address": format!("127.0.0.1:{}", settings.port),
        },
        "elapsed_s": round3(elapsed),
        "requests": total,
        "requests_per_s": round3(total as f64 / elapsed),
        "latency_ms": summarize(&all),
        "by_op": by_op,
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
    let url = format!("{base}/api/v1/recordings{path}");
    let request = if delete {
        client.delete(url)
    } else {
        client.get(url)
    };
    match key {
        Some(key) => request.header("x-api-key", key),
        None => request,
    }
}

/// Starts every instance the run will use (`cargo lambda watch` starts them on first use)
/// with requests that change nothing: a few concurrent ones per function, not measured.
async fn warm_up(client: &reqwest::Client, base: &str, state: &LoadState, concurrency: usize) {
    let key = Some(state.api_key.as_str());
    let kept = &state.kept[0];
    let (shared, secret) = &state.shares[0];
    let missing = format!("{}--EG_none--u0", state.rooms[0]);
    let requests = [
        api(client, base, key, false, ""),
        api(client, base, key, false, &format!("/{kept}")),
        api(
            client,
            base,
            key,
            false,
            &format!("/{kept}/media?redirect=false"),
        ),
        api(
            client,
            base,
            None,
            false,
            &format!("/{shared}?secret={secret}"),
        ),
        api(client, base, key, false, &format!("/{kept}/shares")),
        api(client, base, key, true, &format!("/{missing}")),
    ];
    // First one at a time, until each function answers: `cargo lambda watch` builds and
    // starts a function on its first request, which waits while another build holds
    // cargo's lock.
    let deadline = Instant::now() + Duration::from_secs(900);
    for request in &requests {
        while Instant::now() < deadline {
            let answered = match request.try_clone() {
                Some(r) => r.send().await.is_ok_and(|r| r.status().as_u16() < 500),
                None => true,
            };
            if answered {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
    for _round in 0..3 {
        let mut sent = Vec::new();
        for request in &requests {
            for _ in 0..concurrency.max(1) * 2 {
                if let Some(r) = request.try_clone() {
                    sent.push(r.send());
                }
            }
        }
        futures_util::future::join_all(sent).await;
    }
}

/// The share ids of a recording's links.
async fn shares_of(aws: &Aws, table: &str, id: &RecordingId) -> Result<Vec<String>, String> {
    let links = aws.store(table).list_shares(id).await;
    let links = links.map_err(|e| e.to_string())?;
    Ok(links.into_iter().map(|l| l.share_id).collect())
}

/// Every recording, after the run: the ones not deleted still have their item and video;
/// the ones whose delete answered 200 have neither; shares created are where they should be.
async fn verify(aws: &Aws, state: &LoadState, tally: &Tally) -> Result<Value, String> {
    let table = &state.name;
    let all: Vec<RecordingId> = state
        .kept
        .iter()
        .chain(&state.doomed)
        .map(|id| RecordingId::parse(id))
        .collect::<Result<_, _>>()?;
    let loaded = aws.store(table).load_with_rooms(&all, &[]).await;
    let items: HashMap<String, StoredRecording> = loaded
        .map_err(|e| e.to_string())?
        .recordings
        .into_iter()
        .map(|(id, item)| (id.to_string(), item))
        .collect();
    let videos: HashSet<String> = fixtures::object_keys(aws, table, "recordings/")
        .await?
        .into_iter()
        .collect();
    let video_of = |id: &str| {
        RecordingId::parse(id)
            .map(|r| r.s3_key())
            .unwrap_or_default()
    };
    let present =
        |id: &str| items.get(id).is_some_and(|i| !i.deleting) && videos.contains(&video_of(id));
    let mut deleted_ok: HashSet<String> = HashSet::new();
    let mut delete_failed: HashSet<String> = HashSet::new();
    for (ids, status) in &tally.deletes {
        for id in ids {
            if *status == 200 {
                deleted_ok.insert(id.clone());
            } else {
                delete_failed.insert(id.clone());
            }
        }
    }
    let mut lost = Vec::new();
    for id in &state.kept {
        if !present(id) {
            lost.push(id.clone());
        }
    }
    let mut not_deleted_intact = 0;
    for id in &state.doomed {
        if !deleted_ok.contains(id) && !delete_failed.contains(id) {
            if present(id) {
                not_deleted_intact += 1;
            } else {
                lost.push(id.clone());
            }
        }
    }
    let mut left_after_delete = Vec::new();
    let mut orphan_shares = 0usize;
    for id in &deleted_ok {
        if items.contains_key(id) || videos.contains(&video_of(id)) {
            left_after_delete.push(id.clone());
        }
        orphan_shares += shares_of(aws, table, &RecordingId::parse(id)?).await?.len();
    }
    // Every share created on a recording that still exists is stored.
    let mut shares_missing = 0usize;
    let mut shares_checked = 0usize;
    let mut by_recording: HashMap<&str, Vec<&str>> = HashMap::new();
    for (id, share) in &tally.shares_created {
        by_recording
            .entry(id.as_str())
            .or_default()
            .push(share.as_str());
    }
    for (id, created) in by_recording {
        if deleted_ok.contains(id) {
            continue;
        }
        let stored = shares_of(aws, table, &RecordingId::parse(id)?).await?;
        for share in created {
            shares_checked += 1;
            if !stored.iter().any(|s| s == share) {
                shares_missing += 1;
            }
        }
    }
    Ok(json!({
        "kept_checked": state.kept.len(),
        "deleted_with_200": deleted_ok.len(),
        "delete_not_200": delete_failed.len(),
        "doomed_not_reached_intact": not_deleted_intact,
        "lost_writes": lost.len(),
        "lost_examples": lost.iter().take(5).collect::<Vec<_>>(),
        "left_after_delete": left_after_delete.len(),
        "left_examples": left_after_delete.iter().take(5).collect::<Vec<_>>(),
        "shares_created": tally.shares_created.len(),
        "shares_checked": shares_checked,
        "shares_missing": shares_missing,
        "orphan_share_items": orphan_shares,
    }))
}
