//! DynamoDB access: the single table's item layout lives here and nowhere else.
//!
//! | item        | PK                      | SK     | index keys                                   |
//! |-------------|-------------------------|--------|----------------------------------------------|
//! | recording   | `REC#<id>`              | `META` | GSI1 `ROOM#<roomId>` / `<date>#<id>`; GSI2 `ALL` / `<date>#<id>`; GSI3 `LIVE` / `<date>#<id>` while unfinished, `DELETING` / `<marked>#<id>` while being deleted |
//! | room        | `ROOM#<roomId>`         | `META` | GSI1 `ROOMS` / `<created>#<roomId>`; `activeRecording` while one runs; its secrets' digests |
//! | room secrets | `ROOMSECRET#<roomId>`  | `META` | none; the plaintext secrets, which only the rooms function may read |
//! | share link  | `SHARE#<id>`            | `LINK#<shareId>` | none; found by a query on the partition |
//! | live links  | `SHARE#<id>`            | `COUNT` | none; how many links are live, for the cap |
//! | video claim | `VIDEO#<s3Key>`         | `META` | none; the recording the file belongs to; a tombstone with `expiresAt` once deleted |
//! | webhook event | `EVENT#<eventId>`     | `META` | none; events applied, `expiresAt` after a day |
//! | throttle    | `THROTTLE#<scope>#<target>#<source>` | `META` | none; `expiresAt` lets DynamoDB's TTL remove it |

mod deletion;
mod items;
mod progress;
mod recordings;
mod rooms;
mod shares;
mod throttle;
mod update;

use std::collections::HashMap;
use std::error::Error;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::{
    TransactWriteItemsError, TransactWriteItemsOutput,
};
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::aws::AwsError;
use crate::pagination::{Cursor, Listed, Page, SortOrder};

pub use deletion::{DELETABLE_STATUSES, MarkOutcome};
pub use items::StoredRecording;
pub use progress::{Applied, Progress};
pub use recordings::Loaded;
pub use shares::ShareCreated;
pub use shares::ShareOpening;
pub use throttle::Reservation;

type Item = HashMap<String, AttributeValue>;

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

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn primary_key(pk: String) -> Item {
    HashMap::from([("PK".to_owned(), s(pk)), ("SK".to_owned(), s(META))])
}

fn encode<T: Serialize>(value: T) -> Result<Item, AwsError> {
    serde_dynamo::to_item(value).map_err(|e| AwsError::Other(format!("encoding an item: {e}")))
}

fn decode<I: DeserializeOwned, T: From<I>>(item: Item) -> Result<T, AwsError> {
    serde_dynamo::from_item::<_, I>(item)
        .map(T::from)
        .map_err(|e| AwsError::Other(format!("decoding an item: {e}")))
}

/// Items read per query while a sparse `status` filter is filling a page: large enough to
/// fill most pages in one round trip, small enough to stay far below DynamoDB's 1 MB.
const FILTERED_READ_BATCH: i32 = 200;

/// How long a filtered list keeps reading before it answers a short page: with one more
/// call (at most 5 s, the SDK's operation timeout) it stays inside the function's 10 s.
const LIST_TIME_BUDGET: Duration = Duration::from_secs(3);

/// The cursor that resumes a list from an index key (`<date>#<id>` sort keys).
fn cursor_of_key(key: &Item, sort_key_attribute: &str) -> Option<Cursor> {
    let AttributeValue::S(sort_key) = key.get(sort_key_attribute)? else {
        return None;
    };
    let (date, id) = sort_key.split_once('#')?;
    Some(Cursor {
        date: date.parse().ok()?,
        id: id.to_owned(),
    })
}

/// Which index a list reads, and how its items' keys are made.
#[derive(Clone, Copy)]
struct IndexList<'a> {
    index: &'static str,
    pk_attr: &'static str,
    sk_attr: &'static str,
    partition: &'a str,
    table_pk: fn(&str) -> String,
}

/// `Ok(None)` when a conditional write's condition did not hold (for a transaction: when
/// it was cancelled, which a failed condition does), so callers can tell "not now" from a
/// failure.
fn condition_held<T, E, R>(result: Result<T, SdkError<E, R>>) -> Result<Option<T>, AwsError>
where
    E: ProvideErrorMetadata + Error + 'static,
    R: std::fmt::Debug,
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
fn transaction_outcome<R: std::fmt::Debug>(
    result: Result<TransactWriteItemsOutput, SdkError<TransactWriteItemsError, R>>,
    items: usize,
) -> Result<Option<Vec<bool>>, AwsError> {
    let cancelled = match result {
        Ok(_) => return Ok(None),
        Err(SdkError::ServiceError(e)) => match e.into_err() {
            TransactWriteItemsError::TransactionCanceledException(c) => c,
            other => return Err(AwsError::of_service(&other)),
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

    async fn batch_get(&self, keys: &[Item]) -> Result<Vec<Item>, AwsError> {
        let mut keys = KeysAndAttributes::builder()
            .set_keys(Some(keys.to_vec()))
            .consistent_read(true)
            .build()
            .map_err(|e| AwsError::Other(e.to_string()))?;
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

    async fn query_page<I: DeserializeOwned, T: From<I> + Listed>(
        &self,
        list: IndexList<'_>,
        max_items: u32,
        sort: SortOrder,
        cursor: Option<&Cursor>,
        filter: Option<(&str, &str)>,
    ) -> Result<Page<T>, AwsError> {
        let wanted = max_items as usize;
        let mut start_key = cursor.map(|c| {
            let mut key = primary_key((list.table_pk)(&c.id));
            key.insert(list.pk_attr.to_owned(), s(list.partition));
            key.insert(list.sk_attr.to_owned(), s(date_sort_key(c.date, &c.id)));
            key
        });
        let mut items = Vec::with_capacity(wanted + 1);
        let started = Instant::now();
        loop {
            // One more than the page, so we know whether anything follows it.
            let limit = match filter {
                Some(_) => FILTERED_READ_BATCH,
                None => (wanted + 1 - items.len()) as i32,
            };
            let mut request = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(list.index)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", list.pk_attr)
                .expression_attribute_values(":pk", s(list.partition))
                .scan_index_forward(sort == SortOrder::Asc)
                .limit(limit)
                .set_exclusive_start_key(start_key.take());
            if let Some((attribute, value)) = filter {
                request = request
                    .filter_expression("#f = :f")
                    .expression_attribute_names("#f", attribute)
                    .expression_attribute_values(":f", s(value));
            }
            let out = request.send().await?;
            for item in out.items.unwrap_or_default() {
                items.push(decode::<I, T>(item)?);
                if items.len() > wanted {
                    items.truncate(wanted);
                    let next = items.last().map(Listed::cursor);
                    return Ok(Page { items, next });
                }
            }
            match out.last_evaluated_key {
                None => return Ok(Page { items, next: None }),
                // A sparse filter over a slow table: answer what was found so far, and let
                // the next page go on from where the reading stopped.
                Some(key) if started.elapsed() >= LIST_TIME_BUDGET => {
                    let next = cursor_of_key(&key, list.sk_attr);
                    return Ok(Page { items, next });
                }
                Some(key) => start_key = Some(key),
            }
        }
    }
}
