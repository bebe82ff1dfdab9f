//! The data lifecycle at scale, in process with counting clients, as the sweeper runs it:
//! the recycle bins' purge and the rooms' retention, each over 10,000 due recordings among
//! 100,000, run after run (each run is bounded) until a run finds nothing due; and a room
//! of 1,000 recordings deleted with them (`withRecordings=force`), then taken round after
//! round by the sweeper's room deletions until the room is gone.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use aws_sdk_dynamodb::config::interceptors::AfterDeserializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemOutput;
use aws_sdk_dynamodb::operation::get_item::GetItemOutput;
use aws_sdk_dynamodb::operation::query::QueryOutput;
use integration_tests::fixtures::{recording_with, stored_room};
use integration_tests::intercept::CallCounts;
use serde_json::{Value, json};
use shared::app::App;
use shared::aws::count_aws_calls;
use shared::config::Config;
use shared::model::{
    ActedBy, DEFAULT_TRASH_DAYS, Principal, Recording, RecordingConfig, RecordingId,
    RecordingStatus, RoomConfig, RoomId, Trash, WithMeeting, WithRecordings,
};
use shared::room_deletion::{Policy, delete_room, sweep_rooms};
use shared::store::Store;
use shared::{recycle_bin, retention};

use crate::delete::operations;
use crate::fixtures::{self, Aws, PLACEHOLDER_VIDEO};
use crate::stats::round3;

const MINUTE_MS: i64 = 60 * 1000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

/// 100 rooms of 1,000 recordings: the table's 100,000.
const ROOMS: usize = 100;
const PER_ROOM: usize = 1000;
/// A room's recordings, newest first, one every 0.36 days (8.64 hours): the last 360 days.
const SPACING_MS: i64 = 360 * DAY_MS / PER_ROOM as i64;
/// The first rooms keep their recordings 180 days: in each, the 500 oldest are due.
const RETAINED: usize = 20;
const RETENTION_DAYS: u16 = 180;
/// Of those, the last ones keep no recycle bin: retention deletes theirs for good.
const RETAINED_WITHOUT_BIN: usize = 5;
/// In every other room, 125 recordings are in the recycle bin, due: every 7th from the
/// 100th newest (36 days old) on, deleted by people 7 to 14 days ago.
const IN_BIN_FROM: usize = 100;
const IN_BIN_STEP: usize = 7;
const IN_BIN_PER_ROOM: usize = 125;
/// The purge's backlog: `purgeAt` spread over the last week.
const BACKLOG_MS: i64 = 7 * DAY_MS;
/// Recordings of the room deleted with them.
const DELETED_ROOM: usize = 1000;
/// A job still finding work after this many runs is reported as an error.
const MAX_RUNS: usize = 60;
/// Failed runs tolerated per job (each is run again, as the sweeper would).
const MAX_FAILED_RUNS: usize = 5;

/// Items DynamoDB returned to queries and reads, counted as the responses arrive.
#[derive(Debug, Clone, Default)]
struct ItemsRead(Arc<AtomicU64>);

impl ItemsRead {
    fn take(&self) -> u64 {
        self.0.swap(0, Ordering::SeqCst)
    }
}

impl Intercept for ItemsRead {
    fn name(&self) -> &'static str {
        "ItemsRead"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Ok(output) = context.output_or_error() else {
            return Ok(());
        };
        let items = if let Some(out) = output.downcast_ref::<QueryOutput>() {
            out.items().len()
        } else if let Some(out) = output.downcast_ref::<BatchGetItemOutput>() {
            out.responses()
                .map_or(0, |tables| tables.values().map(Vec::len).sum())
        } else if let Some(out) = output.downcast_ref::<GetItemOutput>() {
            usize::from(out.item().is_some())
        } else {
            0
        };
        self.0.fetch_add(items as u64, Ordering::SeqCst);
        Ok(())
    }
}

/// What one run cost: its wall time, its AWS calls by operation (EventBridge's the rest of
/// the total) and the items DynamoDB returned.
#[derive(Debug, Clone, Default)]
struct Cost {
    wall_ms: f64,
    total: u64,
    operations: BTreeMap<String, u64>,
    items_read: u64,
}

impl Cost {
    fn add(&mut self, other: &Self) {
        self.wall_ms += other.wall_ms;
        self.total += other.total;
        self.items_read += other.items_read;
        for (operation, n) in &other.operations {
            *self.operations.entry(operation.clone()).or_default() += n;
        }
    }

    fn to_json(&self) -> Value {
        let op = |name: &str| self.operations.get(name).copied().unwrap_or(0);
        let s3: u64 = self
            .operations
            .iter()
            .filter(|(name, _)| name.starts_with("S3 "))
            .map(|(_, n)| n)
            .sum();
        let (queries, gets, batch_gets) = (
            op("DynamoDB Query"),
            op("DynamoDB GetItem"),
            op("DynamoDB BatchGetItem"),
        );
        let (batch_writes, single_writes) = (
            op("DynamoDB BatchWriteItem"),
            op("DynamoDB UpdateItem") + op("DynamoDB PutItem") + op("DynamoDB DeleteItem"),
        );
        let (transactions, events) = (
            op("DynamoDB TransactWriteItems"),
            op("EventBridge PutEvents"),
        );
        let known = queries + gets + batch_gets + batch_writes + single_writes;
        let other = self
            .total
            .saturating_sub(known + transactions + events + s3);
        json!({
            "wall_ms": round3(self.wall_ms),
            "total": self.total,
            "items_read": self.items_read,
            "operations": self.operations,
            "by_category": {
                "queries": queries,
                "gets": gets,
                "batch_gets": batch_gets,
                "reads": queries + gets + batch_gets,
                "transactions": transactions,
                "batch_writes": batch_writes,
                "single_writes": single_writes,
                "writes": batch_writes + single_writes,
                "s3": s3,
                "events": events,
                "other": other,
            },
        })
    }
}

/// An App whose DynamoDB and S3 clients count their calls and the items read.
struct Meter {
    app: App,
    counts: CallCounts,
    items: ItemsRead,
}

impl Meter {
    fn new(aws: &Aws, config: Config) -> Self {
        let (counts, items) = (CallCounts::default(), ItemsRead::default());
        let dynamodb = aws_sdk_dynamodb::config::Builder::from(&aws.sdk)
            .interceptor(counts.interceptor())
            .interceptor(items.clone());
        let s3 = aws_sdk_s3::config::Builder::from(&aws.sdk).interceptor(counts.interceptor());
        let app = App::with_clients(config, &aws.sdk, dynamodb, s3);
        Self { app, counts, items }
    }

    /// Runs `work`, one run of a job, and says what it cost.
    async fn measure<T>(&self, work: impl Future<Output = T>) -> (T, Cost) {
        self.counts.take();
        self.items.take();
        let started = Instant::now();
        let (output, total) = count_aws_calls(work).await;
        let cost = Cost {
            wall_ms: started.elapsed().as_secs_f64() * 1000.0,
            total: u64::from(total),
            operations: operations(&self.counts, total),
            items_read: self.items.take(),
        };
        (output, cost)
    }
}

/// A job's runs, one after another, until one finds nothing to do.
#[derive(Default)]
struct Runs {
    rows: Vec<Value>,
    all: Cost,
    /// The last run, which found nothing due.
    idle: Option<Cost>,
    /// Runs that ended in an error (a call timed out, say): the sweeper's next run takes
    /// over where such a run stopped, and so does the bench's.
    failed: usize,
}

impl Runs {
    fn row(&mut self, cost: &Cost, removed: usize, extra: Value) {
        let mut row = cost.to_json();
        row["run"] = json!(self.rows.len() + 1);
        row["removed"] = json!(removed);
        if let (Value::Object(row), Value::Object(extra)) = (&mut row, extra) {
            row.extend(extra);
        }
        self.rows.push(row);
        self.all.add(cost);
    }

    /// Records a run that removed `removed` recordings; `false` once one removed none.
    fn record(&mut self, what: &str, cost: Cost, removed: usize, extra: Value) -> bool {
        eprintln!(
            "[bench]   {what} run {}: {removed} removed, {:.0} ms, {} AWS calls",
            self.rows.len() + 1,
            cost.wall_ms,
            cost.total
        );
        self.row(&cost, removed, extra);
        if removed == 0 {
            self.idle = Some(cost);
        }
        removed > 0
    }

    /// Records a run that failed; an error once too many have.
    fn record_failure(&mut self, what: &str, cost: Cost, error: &str) -> Result<(), String> {
        eprintln!(
            "[bench]   {what} run {} failed after {:.0} ms, {} AWS calls: {error}",
            self.rows.len() + 1,
            cost.wall_ms,
            cost.total
        );
        self.row(&cost, 0, json!({"error": error}));
        self.failed += 1;
        match self.failed > MAX_FAILED_RUNS {
            true => Err(format!(
                "{what}: {} runs failed; the last: {error}",
                self.failed
            )),
            false => Ok(()),
        }
    }

    fn check_bounded(&self, what: &str) -> Result<(), String> {
        match self.rows.len() >= MAX_RUNS {
            true => Err(format!("{what} still found work after {MAX_RUNS} runs")),
            false => Ok(()),
        }
    }

    fn to_json(&self, due: usize) -> Value {
        let busy: Vec<&Value> = self.rows.iter().filter(|r| r["removed"] != 0).collect();
        let slowest = busy
            .iter()
            .filter_map(|r| r["wall_ms"].as_f64())
            .fold(0.0, f64::max);
        let most = busy
            .iter()
            .filter_map(|r| r["removed"].as_u64())
            .max()
            .unwrap_or(0);
        json!({
            "due": due,
            "runs": self.rows.len(),
            "failed_runs": self.failed,
            "rows": self.rows,
            "all": self.all.to_json(),
            "idle": self.idle.as_ref().map(Cost::to_json),
            "slowest_run_ms": round3(slowest),
            "most_per_run": most,
            "ms_per_recording": round3(self.all.wall_ms / due.max(1) as f64),
        })
    }
}

/// An error with its causes, for the report.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// The rooms' recording configuration: a retention in the first [`RETAINED`] (the last
/// [`RETAINED_WITHOUT_BIN`] of them keeping no bin), the default bin everywhere else.
fn room_config(r: usize) -> RoomConfig {
    let retained = r < RETAINED;
    let without_bin = (RETAINED - RETAINED_WITHOUT_BIN..RETAINED).contains(&r);
    RoomConfig {
        recording: RecordingConfig {
            retention_days: retained.then_some(RETENTION_DAYS),
            trash_days: if without_bin { 0 } else { DEFAULT_TRASH_DAYS },
            ..RecordingConfig::default()
        },
        ..RoomConfig::default()
    }
}

/// Recording `k` (0 the newest) of room number `r`, finished, of set `tag`.
fn recording(
    room: &RoomId,
    tag: &str,
    (r, k): (usize, usize),
    now: i64,
) -> Result<Recording, String> {
    let id = RecordingId::new(room, &format!("EG_{tag}{r}k{k}"), &format!("{tag}{r}k{k}"))?;
    let start = now - HOUR_MS - k as i64 * SPACING_MS - r as i64 * MINUTE_MS;
    let size = PLACEHOLDER_VIDEO.len() as u64;
    Ok(recording_with(id, RecordingStatus::Complete, start, size))
}

/// The table's 100,000 recordings and what each job finds due in them.
struct Data {
    all: Vec<Recording>,
    /// In recycle bins, `purgeAt` past.
    purge_due: Vec<Recording>,
    /// Ended more than the retention ago, in rooms with a bin, and in rooms without one.
    retention_to_bin: Vec<RecordingId>,
    retention_for_good: Vec<RecordingId>,
    /// Ending within the week before they are due: warned.
    warning_window: usize,
}

fn data(rooms: &[RoomId], now: i64) -> Result<Data, String> {
    let due_by = now - i64::from(RETENTION_DAYS) * DAY_MS;
    let warn_by = due_by + retention::WARNING_AHEAD_MS;
    let in_bin_total = ((ROOMS - RETAINED) * IN_BIN_PER_ROOM) as i64;
    let mut data = Data {
        all: Vec::with_capacity(ROOMS * PER_ROOM),
        purge_due: Vec::new(),
        retention_to_bin: Vec::new(),
        retention_for_good: Vec::new(),
        warning_window: 0,
    };
    for (r, room) in rooms.iter().enumerate() {
        let config = room_config(r).recording;
        for k in 0..PER_ROOM {
            let mut recording = recording(room, "l", (r, k), now)?;
            let end = recording.end_date.unwrap_or(i64::MAX);
            let step = k.checked_sub(IN_BIN_FROM).filter(|s| s % IN_BIN_STEP == 0);
            let nth = step
                .map(|s| s / IN_BIN_STEP)
                .filter(|n| *n < IN_BIN_PER_ROOM);
            match (config.retention_days, nth) {
                (Some(_), _) if end <= due_by => {
                    let id = recording.recording_id.clone();
                    match config.trash_days {
                        0 => data.retention_for_good.push(id),
                        _ => data.retention_to_bin.push(id),
                    }
                }
                (Some(_), _) if end <= warn_by => data.warning_window += 1,
                (None, Some(n)) => {
                    // Rooms interleaved in the purge's order, the oldest deletes first.
                    let i = (n * (ROOMS - RETAINED) + r - RETAINED) as i64;
                    let purge_at =
                        now - MINUTE_MS - (in_bin_total - 1 - i) * BACKLOG_MS / in_bin_total;
                    recording.trash = Some(Trash {
                        trashed_at: purge_at - i64::from(config.trash_days) * DAY_MS,
                        purge_at,
                        deleted_by: ActedBy::of(&Principal::Admin),
                    });
                    data.purge_due.push(recording.clone());
                }
                _ => {}
            }
            data.all.push(recording);
        }
    }
    Ok(data)
}

/// What the sweeper's first step does for deletes a failed run left marked: finishes them,
/// run after run (the bench's clock set past their abandonment). Nothing is left in a run
/// without failures, and this costs one query.
async fn finish_abandoned(meter: &Meter, now: i64) -> Result<Value, String> {
    let later = now + shared::deletion::ABANDONED_AFTER_MS + 1;
    let mut runs = Runs::default();
    loop {
        let (result, cost) = meter
            .measure(shared::deletion::finish_abandoned(
                meter.app.deleter(),
                later,
            ))
            .await;
        match result {
            Ok(done) => {
                if !runs.record("abandoned deletes", cost, done.len(), json!({})) {
                    break;
                }
            }
            Err(e) => runs.record_failure("abandoned deletes", cost, &chain(&e))?,
        }
        runs.check_bounded("finishing abandoned deletes")?;
    }
    let finished: u64 = runs.rows.iter().filter_map(|r| r["removed"].as_u64()).sum();
    let mut json = runs.to_json(usize::try_from(finished).unwrap_or(0));
    json["removed"] = json!(finished);
    Ok(json)
}

/// How many of `ids` still have an item, and a video, in the table and bucket `name`.
async fn left(aws: &Aws, name: &str, ids: &[RecordingId]) -> Result<(usize, usize), String> {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let (items, videos) = fixtures::stored(aws, name, &ids).await?;
    Ok((items.len(), videos.len()))
}

/// How many of `ids` are in their room's recycle bin.
async fn in_bin(store: &Store, ids: &[RecordingId]) -> Result<usize, String> {
    let mut found = 0;
    for chunk in ids.chunks(1000) {
        let loaded = store.load_with_rooms(chunk, &[]).await;
        let loaded = loaded.map_err(|e| e.to_string())?.recordings;
        found += loaded
            .values()
            .filter(|r| !r.deleting && r.recording.trash.is_some())
            .count();
    }
    Ok(found)
}

/// Stores the rooms and recordings in the table and bucket `name`, then runs the purge,
/// retention and a room's deletion with counting clients, each until it is done.
pub async fn run(aws: &Aws, name: &str, config: Config) -> Result<Value, String> {
    let store = aws.store(name);
    let now = shared::clock::now_millis();
    eprintln!("[bench]   {ROOMS} rooms, {} recordings", ROOMS * PER_ROOM);
    let mut rooms = Vec::with_capacity(ROOMS);
    for r in 0..ROOMS {
        rooms.push(stored_room(&store, room_config(r)).await.room.room_id);
    }
    let data = data(&rooms, now)?;
    let for_good: std::collections::HashSet<&RecordingId> =
        data.retention_for_good.iter().collect();
    let videos: Vec<_> = data
        .all
        .iter()
        .filter(|r| r.trash.is_some() || for_good.contains(&r.recording_id))
        .map(fixtures::placeholder_video)
        .collect();
    let video_count = videos.len();
    let started = Instant::now();
    let (items, objects) = tokio::join!(
        aws.batch_put(name, &data.all, 16),
        aws.put_objects(name, videos, 32)
    );
    let (items, objects) = (items?, objects?);
    let load_s = started.elapsed().as_secs_f64();
    let meter = Meter::new(aws, config);

    // --- the purge: every run deletes what is due, a bounded batch ---
    eprintln!("[bench]   purge: {} due", data.purge_due.len());
    let mut purge = Runs::default();
    let mut purged = 0;
    loop {
        let (result, cost) = meter
            .measure(recycle_bin::purge(meter.app.deleter(), now))
            .await;
        match result {
            Ok(removed) => {
                purged += removed.len();
                if !purge.record("purge", cost, removed.len(), json!({})) {
                    break;
                }
            }
            Err(e) => purge.record_failure("purge", cost, &chain(&e))?,
        }
        purge.check_bounded("the purge")?;
    }
    let purge_ids: Vec<RecordingId> = data
        .purge_due
        .iter()
        .map(|r| r.recording_id.clone())
        .collect();
    let abandoned = finish_abandoned(&meter, now).await?;
    let (items_left, videos_left) = left(aws, name, &purge_ids).await?;
    let mut purge_json = purge.to_json(data.purge_due.len());
    purge_json["removed"] = json!(purge_ids.len() - items_left);
    purge_json["reported"] = json!(purged);
    purge_json["abandoned"] = abandoned;
    purge_json["items_left"] = json!(items_left);
    purge_json["videos_left"] = json!(videos_left);

    // The purged recordings' places taken by as many listed ones, so that retention too
    // runs among 100,000.
    let fresh: Vec<Recording> = data
        .purge_due
        .iter()
        .map(|r| {
            let uid = format!("b{}", r.recording_id.uid());
            let id = RecordingId::new(&r.room_id, &format!("EG_{uid}"), &uid)?;
            Ok(recording_with(
                id,
                r.status,
                r.start_date,
                r.size.unwrap_or(0),
            ))
        })
        .collect::<Result<_, String>>()?;
    aws.batch_put(name, &fresh, 16).await?;

    // --- retention: every run removes what is due in each retained room ---
    let retention_due = data.retention_to_bin.len() + data.retention_for_good.len();
    eprintln!("[bench]   retention: {retention_due} due");
    let mut kept = Runs::default();
    let (mut trashed, mut deleted, mut warned) = (0, 0, 0);
    loop {
        let (result, cost) = meter
            .measure(retention::apply(meter.app.deleter(), now))
            .await;
        match result {
            Ok(applied) => {
                let (to_bin, for_good) = (applied.trashed.len(), applied.deleted.len());
                let warnings = applied.warned.len();
                (trashed, deleted, warned) =
                    (trashed + to_bin, deleted + for_good, warned + warnings);
                let extra = json!({"trashed": to_bin, "deleted": for_good, "warned": warnings});
                if !kept.record("retention", cost, to_bin + for_good, extra) {
                    break;
                }
            }
            Err(e) => kept.record_failure("retention", cost, &chain(&e))?,
        }
        kept.check_bounded("retention")?;
    }
    let abandoned = finish_abandoned(&meter, now).await?;
    let (items_left, videos_left) = left(aws, name, &data.retention_for_good).await?;
    let moved = in_bin(&store, &data.retention_to_bin).await?;
    let mut retention_json = kept.to_json(retention_due);
    retention_json["removed"] = json!(moved + data.retention_for_good.len() - items_left);
    retention_json["abandoned"] = abandoned;
    retention_json["trashed"] = json!(trashed);
    retention_json["deleted"] = json!(deleted);
    retention_json["warned"] = json!(warned);
    retention_json["due_to_bin"] = json!(data.retention_to_bin.len());
    retention_json["due_for_good"] = json!(data.retention_for_good.len());
    retention_json["warning_window"] = json!(data.warning_window);
    retention_json["in_bin"] = json!(moved);
    retention_json["items_left"] = json!(items_left);
    retention_json["videos_left"] = json!(videos_left);

    // --- a room deleted with its recordings, then round after round by the sweeper ---
    eprintln!("[bench]   a room of {DELETED_ROOM} recordings deleted with them");
    let room = stored_room(&store, RoomConfig::default())
        .await
        .room
        .room_id;
    let recordings: Vec<Recording> = (0..DELETED_ROOM)
        .map(|k| recording(&room, "f", (ROOMS, k), now))
        .collect::<Result<_, _>>()?;
    aws.put_with_placeholders(name, &recordings).await?;
    let policy = Policy {
        with_meeting: WithMeeting::Fail,
        with_recordings: WithRecordings::Force,
    };
    // The first round is the request's (`DELETE /rooms/{roomId}?withRecordings=force`,
    // sent again if it fails), the others the sweeper's, until the room is gone.
    let mut rounds = Runs::default();
    let (mut remaining, mut first) = (DELETED_ROOM, None);
    loop {
        let (result, cost) = match first {
            None => {
                let (outcome, cost) = meter
                    .measure(delete_room(&meter.app, &room, policy, now))
                    .await;
                (outcome.map(|o| first = Some(o)), cost)
            }
            Some(_) => {
                let (result, cost) = meter.measure(sweep_rooms(&meter.app, now)).await;
                (result.map(drop), cost)
            }
        };
        let now_left = store.room_recordings(&room, 10 * DELETED_ROOM).await;
        let now_left = now_left.map_err(|e| e.to_string())?.len();
        let gone = store.get_room(&room).await.map_err(|e| e.to_string())?;
        let gone = gone.is_none();
        let removed = remaining.saturating_sub(now_left);
        remaining = now_left;
        let label = match rounds.rows.len() {
            0 => "room deletion",
            _ => "sweeper's room",
        };
        match result {
            Ok(()) => {
                let extra = json!({"left": now_left, "room_gone": gone});
                rounds.record(label, cost, removed, extra);
            }
            Err(e) => rounds.record_failure(label, cost, &chain(&e))?,
        }
        if gone {
            break;
        }
        rounds.check_bounded("the room's deletion")?;
    }
    let first = first.ok_or("the room's deletion never answered")?;
    let ids: Vec<RecordingId> = recordings.iter().map(|r| r.recording_id.clone()).collect();
    let abandoned = finish_abandoned(&meter, now).await?;
    let (items_left, videos_left) = left(aws, name, &ids).await?;
    let mut room_json = rounds.to_json(DELETED_ROOM);
    room_json["removed"] = json!(DELETED_ROOM - items_left);
    room_json["abandoned"] = abandoned;
    room_json["first_status"] = json!(first.status.as_u16());
    room_json["first_outcome"] = json!(first.success_code);
    room_json["items_left"] = json!(items_left);
    room_json["videos_left"] = json!(videos_left);
    room_json["room_gone"] = json!(
        store
            .get_room(&room)
            .await
            .map_err(|e| e.to_string())?
            .is_none()
    );

    Ok(json!({
        "data": {
            "recordings": data.all.len(),
            "rooms": ROOMS,
            "per_room": PER_ROOM,
            "spacing_h": round3(SPACING_MS as f64 / HOUR_MS as f64),
            "span_days": SPACING_MS * PER_ROOM as i64 / DAY_MS,
            "retained_rooms": RETAINED,
            "retained_without_bin": RETAINED_WITHOUT_BIN,
            "retention_days": RETENTION_DAYS,
            "trash_days": DEFAULT_TRASH_DAYS,
            "in_bin_per_room": IN_BIN_PER_ROOM,
            "in_bin_min_age_days": round3((IN_BIN_FROM as i64 * SPACING_MS) as f64 / DAY_MS as f64),
            "backlog_days": BACKLOG_MS / DAY_MS,
            "videos": video_count,
            "load_s": round3(load_s),
            "dynamodb_load_s": round3(items.as_secs_f64()),
            "s3_load_s": round3(objects.as_secs_f64()),
        },
        "purge": purge_json,
        "retention": retention_json,
        "room": room_json,
    }))
}
