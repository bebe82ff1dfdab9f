//! DynamoDB access: the single table's item layout lives here and nowhere else.
//!
//! | item        | PK                      | SK     | index keys                                   |
//! |-------------|-------------------------|--------|----------------------------------------------|
//! | recording   | `REC#<id>`              | `META` | GSI1 `ROOM#<roomId>` / `<date>#<id>` (`BIN#ROOM#…` in the recycle bin, `DEL#ROOM#…` while being deleted); GSI2 `ALL` / `<date>#<id>`; GSI4–GSI8 by size, duration and room name (`orders.rs`); GSI3 `LIVE` / `<date>#<id>` while unfinished, `TRASH` / `<purgeAt>#<id>` while in the recycle bin (its list keys then in `BIN#`-prefixed partitions), `DELETING` / `<marked>#<id>` while being deleted |
//! | room        | `ROOM#<roomId>`         | `META` | GSI1 `ROOMS` / `<created>#<roomId>`; GSI2 `RETAINED` / `<roomId>` while it has a retention; GSI3 `ROOMDUE` / `<due>#<roomId>` while a deletion is due, waiting or under way; `activeRecording` while one runs; its secrets' digests |
//! | room secrets | `ROOMSECRET#<roomId>`  | `META` | none; the plaintext secrets, which only the rooms function may read |
//! | share link  | `SHARE#<id>`            | `LINK#<shareId>` | none; found by a query on the partition |
//! | live links  | `SHARE#<id>`            | `COUNT` | none; how many links are live, for the cap |
//! | video claim | `VIDEO#<s3Key>`         | `META` | none; the recording the file belongs to; a tombstone with `expiresAt` once deleted |
//! | webhook event | `EVENT#<eventId>`     | `META` | none; events applied, `expiresAt` after a day |
//! | export      | `EXPORT#<exportId>`     | `META` | none; what the ZIP holds, its job's progress and upload, `expiresAt` |
//! | activity    | `ACT#<roomId>`          | `<at>#<activityId>` | GSI3 `ACT#<recordingId>` / the same, for entries about a recording; `expiresAt` after the retention period |
//! | throttle    | `THROTTLE#<scope>#<target>#<source>` | `META` | none; `expiresAt` lets DynamoDB's TTL remove it |

mod activity;
mod bin;
mod deletion;
mod exports;
mod items;
mod orders;
mod progress;
mod recordings;
mod room_lifecycle;
mod rooms;
mod shares;
mod throttle;
mod update;

use std::collections::HashMap;
use std::error::Error;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::{
    TransactWriteItemsError, TransactWriteItemsOutput,
};
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, TransactWriteItem, WriteRequest};
use futures_util::future::join_all;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::aws::AwsError;
use crate::model::{Recording, RecordingId};
use crate::pagination::{Cursor, Page, SortOrder};

pub use activity::ActivityScope;
pub use deletion::{MarkScope, ReadForDelete};
pub use exports::{ExportResult, StoredExport};
pub use items::StoredRecording;
pub use progress::{Applied, Progress};
pub use recordings::Loaded;
pub use room_lifecycle::RoomChange;
pub use shares::ShareCreated;
pub use shares::{ShareOpening, ViewCounted};
pub use throttle::Reservation;

use orders::KeyRange;

pub type Item = HashMap<String, AttributeValue>;

/// Batch calls can leave work unprocessed under load; retried this many times.
const BATCH_RETRIES: usize = 5;
const BATCH_GET_KEYS: usize = 100;
const BATCH_WRITE_ITEMS: usize = 25;

const META: &str = "META";
/// GSI2's one partition: every recording.
const ALL_RECORDINGS: &str = "ALL";
/// GSI1's partition of every room.
const ALL_ROOMS: &str = "ROOMS";
/// GSI3's one partition: recordings not yet finished.
const LIVE_RECORDINGS: &str = "LIVE";
/// GSI3's partition of recordings in a recycle bin, by when the purge deletes them.
const TRASHED_RECORDINGS: &str = "TRASH";
/// GSI3's partition of rooms with work due: an automatic deletion by its date, a deletion
/// waiting for a recording to end, or under way.
const ROOMS_DUE: &str = "ROOMDUE";
/// GSI2's partition of rooms with a retention, for the retention job.
const RETAINED_ROOMS: &str = "RETAINED";

fn recording_pk(id: &str) -> String {
    format!("REC#{id}")
}

fn room_pk(id: &str) -> String {
    format!("ROOM#{id}")
}

/// Index sort key: zero-padded so that string order is date order, then id for ties.
fn date_sort_key(date: i64, id: &str) -> String {
    format!("{date:016}#{id}")
}

/// The item [`Store::put_recording`] writes, for loaders that batch their writes (the
/// benchmarks): the layout stays defined here alone.
#[doc(hidden)]
pub fn recording_item(recording: &Recording) -> Result<Item, AwsError> {
    encode(items::RecordingItem::from(recording))
}

/// A recording's item as the store reads it.
#[doc(hidden)]
pub fn decode_recording_item(item: Item) -> Result<StoredRecording, AwsError> {
    decode::<items::RecordingItem, _>(item)
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn primary_key(pk: String) -> Item {
    HashMap::from([("PK".to_owned(), s(pk)), ("SK".to_owned(), s(META))])
}

fn encode<T: Serialize>(value: T) -> Result<Item, AwsError> {
    serde_dynamo::to_item(value)
        .map_err(|e| AwsError::Other(format!("encoding an item: {e}").into()))
}

fn decode<I: DeserializeOwned, T: From<I>>(item: Item) -> Result<T, AwsError> {
    serde_dynamo::from_item::<_, I>(item)
        .map(T::from)
        .map_err(|e| AwsError::Other(format!("decoding an item: {e}").into()))
}

/// Items read per query while a sparse `status` filter is filling a page: large enough to
/// fill most pages in one round trip, small enough to stay far below DynamoDB's 1 MB.
const FILTERED_READ_BATCH: i32 = 200;

/// How long a filtered list keeps reading before it answers a short page: with one more
/// call (at most 5 s, the SDK's operation timeout) it stays inside the function's 10 s.
const LIST_TIME_BUDGET: Duration = Duration::from_secs(3);

/// Which index a list reads, and how its items' keys are made.
struct IndexList {
    index: &'static str,
    pk_attr: String,
    sk_attr: String,
    /// Read in turn: the second, if any, holds the items without the index's value.
    partitions: Vec<String>,
    key_range: Option<KeyRange>,
    table_pk: fn(&str) -> String,
}

impl IndexList {
    /// The key a query resumes after: the item's, in the partition it was found in.
    fn start_key(&self, cursor: &Cursor) -> Option<Item> {
        let partition = self.partitions.get(usize::from(cursor.segment))?;
        let mut key = primary_key((self.table_pk)(cursor.id()));
        key.insert(self.pk_attr.clone(), s(partition));
        key.insert(self.sk_attr.clone(), s(&cursor.key));
        Some(key)
    }
}

/// What a page keeps of what it reads: everything, or what a filter the index cannot
/// serve lets through (then reads are larger and continue until the page is full).
enum Keep<'a, T> {
    All,
    Matching(&'a (dyn Fn(&T) -> bool + Sync)),
}

/// `Ok(None)` when a conditional write's condition did not hold (for a transaction: when
/// it was cancelled, which a failed condition does), so callers can tell "not now" from a
/// failure.
fn condition_held<T, E, R>(result: Result<T, SdkError<E, R>>) -> Result<Option<T>, AwsError>
where
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(value) => Ok(Some(value)),
        Err(SdkError::ServiceError(e))
            if matches!(
                e.err().code(),
                Some("ConditionalCheckFailedException" | "TransactionCanceledException")
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// How a transaction went: `Ok(None)` when it was written; `Ok(Some(failed))` when it was
/// cancelled because conditions failed, `failed[i]` telling whether item `i`'s did. A
/// cancellation with no failed condition (a conflict with another transaction) is an
/// [`AwsError::Unavailable`]: the caller may try again.
fn transaction_outcome<R: std::fmt::Debug + Send + Sync + 'static>(
    result: Result<TransactWriteItemsOutput, SdkError<TransactWriteItemsError, R>>,
    items: usize,
) -> Result<Option<Vec<bool>>, AwsError> {
    let cancelled = match result {
        Ok(_) => return Ok(None),
        Err(SdkError::ServiceError(e)) => match e.into_err() {
            TransactWriteItemsError::TransactionCanceledException(c) => c,
            other => return Err(AwsError::of_service(other)),
        },
        Err(e) => return Err(e.into()),
    };
    let reasons = cancelled.cancellation_reasons.unwrap_or_default();
    let failed: Vec<bool> = (0..items)
        .map(|i| {
            reasons
                .get(i)
                .and_then(|r| r.code())
                .is_some_and(|c| c == "ConditionalCheckFailed")
        })
        .collect();
    if failed.contains(&true) {
        Ok(Some(failed))
    } else {
        Err(AwsError::Unavailable(
            "a transaction conflicted with another".into(),
        ))
    }
}

/// How one recording's conditional write went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    Written,
    /// The recording was not in a state the write allows (or is absent).
    ConditionFailed,
    Unavailable,
}

#[derive(Clone)]
pub struct Store {
    client: Client,
    table: String,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// One `BatchWriteItem` of `requests` (at most 25), what DynamoDB leaves unprocessed
    /// sent again, [`BATCH_RETRIES`] calls in all; returns what is still pending then (none
    /// when every request was written). A failed call ends the retries: its error comes
    /// with what was still pending before it.
    async fn batch_write(
        &self,
        mut pending: Vec<WriteRequest>,
    ) -> Result<Vec<WriteRequest>, (AwsError, Vec<WriteRequest>)> {
        for _ in 0..BATCH_RETRIES {
            let out = match self
                .client
                .batch_write_item()
                .request_items(&self.table, pending.clone())
                .send()
                .await
            {
                Ok(out) => out,
                Err(e) => return Err((e.into(), pending)),
            };
            pending = out
                .unprocessed_items
                .and_then(|mut u| u.remove(&self.table))
                .unwrap_or_default();
            if pending.is_empty() {
                break;
            }
        }
        Ok(pending)
    }

    /// Writes each recording's conditional items (the same number for each) all or none,
    /// `per_call` recordings to a transaction, transactions concurrent. When one is
    /// cancelled, the recordings whose condition failed are dropped and the rest are tried
    /// again.
    async fn transact_each(
        &self,
        ids: &[RecordingId],
        per_call: usize,
        items_of: impl Fn(&RecordingId) -> Result<Vec<TransactWriteItem>, AwsError> + Sync,
    ) -> Vec<(RecordingId, WriteOutcome)> {
        let calls = ids
            .chunks(per_call)
            .map(|chunk| self.transact_chunk(chunk.to_vec(), &items_of));
        join_all(calls).await.into_iter().flatten().collect()
    }

    async fn transact_chunk(
        &self,
        mut ids: Vec<RecordingId>,
        items_of: &(impl Fn(&RecordingId) -> Result<Vec<TransactWriteItem>, AwsError> + Sync),
    ) -> Vec<(RecordingId, WriteOutcome)> {
        let mut outcomes = Vec::new();
        for _ in 0..BATCH_RETRIES {
            if ids.is_empty() {
                break;
            }
            let items: Result<Vec<Vec<_>>, _> = ids.iter().map(items_of).collect();
            let result = match items {
                Ok(items) => {
                    let per_id = items.first().map_or(1, Vec::len).max(1);
                    let sent = self
                        .client
                        .transact_write_items()
                        .set_transact_items(Some(items.into_iter().flatten().collect()))
                        .send()
                        .await;
                    transaction_outcome(sent, ids.len() * per_id)
                        .map(|failed| failed.map(|f| (f, per_id)))
                }
                Err(e) => Err(e),
            };
            match result {
                Ok(None) => outcomes.extend(ids.drain(..).map(|id| (id, WriteOutcome::Written))),
                Ok(Some((failed, per_id))) => {
                    let (refused, rest): (Vec<_>, Vec<_>) = ids
                        .drain(..)
                        .zip(failed.chunks(per_id))
                        .partition(|(_, items)| items.contains(&true));
                    outcomes.extend(
                        refused
                            .into_iter()
                            .map(|(id, _)| (id, WriteOutcome::ConditionFailed)),
                    );
                    ids = rest.into_iter().map(|(id, _)| id).collect();
                }
                Err(e) => {
                    tracing::warn!(error = %e, "a transaction of recordings failed");
                    outcomes.extend(ids.drain(..).map(|id| (id, WriteOutcome::Unavailable)));
                }
            }
        }
        outcomes.extend(ids.into_iter().map(|id| (id, WriteOutcome::Unavailable)));
        outcomes
    }

    /// Every item of `keys` that exists: 100 keys a `BatchGetItem`, calls concurrent.
    async fn batch_get(&self, keys: &[Item]) -> Result<Vec<Item>, AwsError> {
        let calls = keys
            .chunks(BATCH_GET_KEYS)
            .map(|chunk| self.batch_get_chunk(chunk));
        let mut items = Vec::new();
        for chunk in join_all(calls).await {
            items.extend(chunk?);
        }
        Ok(items)
    }

    async fn batch_get_chunk(&self, keys: &[Item]) -> Result<Vec<Item>, AwsError> {
        let mut keys = KeysAndAttributes::builder()
            .set_keys(Some(keys.to_vec()))
            .consistent_read(true)
            .build()
            .map_err(|e| AwsError::Other(e.into()))?;
        let mut items = Vec::new();
        for _ in 0..BATCH_RETRIES {
            let out = self
                .client
                .batch_get_item()
                .request_items(&self.table, keys.clone())
                .send()
                .await?;
            items.extend(
                out.responses
                    .and_then(|mut r| r.remove(&self.table))
                    .unwrap_or_default(),
            );
            match out.unprocessed_keys.and_then(|mut u| u.remove(&self.table)) {
                Some(rest) if !rest.keys().is_empty() => keys = rest,
                _ => return Ok(items),
            }
        }
        Err(AwsError::Unavailable(
            "BatchGetItem left keys unprocessed".into(),
        ))
    }

    /// One page of an index list, in `sort` order, after `cursor`. Unfiltered, a page is
    /// one query (two where a list's first partition ends); filtered, queries continue until
    /// the page is full, the index ends or the time budget is spent, and a short page's
    /// cursor continues from where the reading stopped.
    async fn query_page<I: DeserializeOwned, T: From<I>>(
        &self,
        list: &IndexList,
        page: (u32, SortOrder, Option<&Cursor>),
        keep: Keep<'_, T>,
        key_of: impl Fn(&T) -> String,
    ) -> Result<Page<T>, AwsError> {
        let (max_items, sort, cursor) = page;
        let wanted = max_items as usize;
        let mut segment = cursor.map_or(0, |c| c.segment);
        // A token's partition the list has not (it cannot be forged) ends the list.
        let mut start_key = cursor.and_then(|c| list.start_key(c));
        let mut items = Vec::with_capacity(wanted + 1);
        let started = Instant::now();
        while let Some(partition) = list.partitions.get(usize::from(segment)) {
            // One more than the page, so we know whether anything follows it.
            let limit = match keep {
                Keep::Matching(_) => FILTERED_READ_BATCH,
                Keep::All => (wanted + 1 - items.len()) as i32,
            };
            let mut request = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(list.index)
                .expression_attribute_names("#pk", &list.pk_attr)
                .expression_attribute_values(":pk", s(partition))
                .scan_index_forward(sort == SortOrder::Asc)
                .limit(limit)
                .set_exclusive_start_key(start_key.take());
            request = match &list.key_range {
                None => request.key_condition_expression("#pk = :pk"),
                Some(range) => request
                    .key_condition_expression("#pk = :pk AND #sk BETWEEN :low AND :high")
                    .expression_attribute_names("#sk", &list.sk_attr)
                    .expression_attribute_values(":low", s(&range.low))
                    .expression_attribute_values(":high", s(&range.high)),
            };
            let out = request.send().await?;
            for item in out.items.unwrap_or_default() {
                let item = decode::<I, T>(item)?;
                if let Keep::Matching(matches) = keep
                    && !matches(&item)
                {
                    continue;
                }
                items.push((item, segment));
                if items.len() > wanted {
                    items.truncate(wanted);
                    let next = items.last().map(|(last, segment)| Cursor {
                        key: key_of(last),
                        segment: *segment,
                    });
                    return Ok(Page::of(items, next));
                }
            }
            match out.last_evaluated_key {
                None => segment += 1,
                Some(key) => start_key = Some(key),
            }
            // A sparse filter over a slow table: answer what was found so far, and let the
            // next page go on from where the reading stopped (a list's second partition is
            // always begun, so that a cursor always names an item's key).
            if let Some(key) = &start_key
                && started.elapsed() >= LIST_TIME_BUDGET
            {
                let next = cursor_of_key(key, &list.sk_attr, segment);
                return Ok(Page::of(items, next));
            }
        }
        Ok(Page::of(items, None))
    }
}

/// Items asked of one query page (DynamoDB stops earlier at 1 MB read).
const QUERY_PAGE: usize = 1000;

/// What `query` finds, page after page, `limit` items at most: a query's `Limit` is only
/// what one page may hold, and DynamoDB ends a page at 1 MB read whatever it asked.
async fn query_items(query: QueryFluentBuilder, limit: usize) -> Result<Vec<Item>, AwsError> {
    let mut found = Vec::new();
    let mut start: Option<Item> = None;
    while found.len() < limit {
        let page = i32::try_from((limit - found.len()).min(QUERY_PAGE)).unwrap_or(1);
        let out = query
            .clone()
            .set_exclusive_start_key(start.take())
            .limit(page)
            .send()
            .await?;
        found.extend(out.items.unwrap_or_default());
        start = out.last_evaluated_key;
        if start.is_none() {
            break;
        }
    }
    Ok(found)
}

/// The cursor of a query's last evaluated key.
fn cursor_of_key(key: &Item, sort_key_attribute: &str, segment: u8) -> Option<Cursor> {
    let AttributeValue::S(sort_key) = key.get(sort_key_attribute)? else {
        return None;
    };
    Some(Cursor {
        key: sort_key.clone(),
        segment,
    })
}
