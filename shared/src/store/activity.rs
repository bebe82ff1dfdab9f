//! The activity trail. Every entry lives in its room's partition, `ACT#<roomId>`, sorted by
//! `<at>#<activityId>`; an entry about a recording is also in GSI3 under
//! `ACT#<recordingId>`. Either list is one query, newest first; `expiresAt` lets
//! DynamoDB's TTL remove entries after the retention period.

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use futures_util::future::join_all;
use serde::{Deserialize, Serialize};

use super::{BATCH_WRITE_ITEMS, Item, Store, decode, encode, s};
use crate::aws::AwsError;
use crate::model::{Activity, ActivityKind, RecordingId, RoomId};
use crate::pagination::{Cursor, Page};

const ACTIVITY_PREFIX: &str = "ACT#";
/// Items read per query while a `kind` filter fills a page.
const FILTERED_READ_BATCH: i32 = 100;
/// Queries one page may take before it answers a short one with a token to go on.
const MAX_QUERIES_PER_PAGE: usize = 10;

/// Whose activity a list reads.
#[derive(Debug, Clone, Copy)]
pub enum ActivityScope<'a> {
    Room(&'a RoomId),
    Recording(&'a RecordingId),
}

#[derive(Serialize, Deserialize)]
struct ActivityItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "GSI3PK", default, skip_serializing_if = "Option::is_none")]
    gsi3pk: Option<String>,
    #[serde(rename = "GSI3SK", default, skip_serializing_if = "Option::is_none")]
    gsi3sk: Option<String>,
    /// Epoch seconds, for DynamoDB's TTL.
    #[serde(rename = "expiresAt")]
    expires_at: i64,
    #[serde(flatten)]
    activity: Activity,
}

impl From<ActivityItem> for Activity {
    fn from(item: ActivityItem) -> Self {
        item.activity
    }
}

fn room_partition(room_id: &RoomId) -> String {
    format!("{ACTIVITY_PREFIX}{room_id}")
}

fn recording_partition(id: &RecordingId) -> String {
    format!("{ACTIVITY_PREFIX}{id}")
}

fn sort_key(at: i64, activity_id: &str) -> String {
    format!("{at:013}#{activity_id}")
}

impl Store {
    /// Writes entries: one `PutItem`, or `BatchWriteItem`s of 25 (unprocessed items
    /// retried) for several.
    pub async fn put_activity(
        &self,
        entries: &[Activity],
        expires_at: i64,
    ) -> Result<(), AwsError> {
        let items = entries
            .iter()
            .map(|entry| {
                let sk = sort_key(entry.at, &entry.activity_id);
                encode(ActivityItem {
                    pk: room_partition(&entry.room_id),
                    gsi3pk: entry.recording_id.as_ref().map(recording_partition),
                    gsi3sk: entry.recording_id.as_ref().map(|_| sk.clone()),
                    sk,
                    expires_at,
                    activity: entry.clone(),
                })
            })
            .collect::<Result<Vec<Item>, _>>()?;
        if let [item] = items.as_slice() {
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item.clone()))
                .send()
                .await?;
            return Ok(());
        }
        let calls = items
            .chunks(BATCH_WRITE_ITEMS)
            .map(|chunk| self.batch_put(chunk));
        join_all(calls).await.into_iter().collect()
    }

    async fn batch_put(&self, items: &[Item]) -> Result<(), AwsError> {
        let requests = items
            .iter()
            .map(|item| {
                PutRequest::builder()
                    .set_item(Some(item.clone()))
                    .build()
                    .map(|p| WriteRequest::builder().put_request(p).build())
                    .map_err(|e| AwsError::Other(e.into()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let pending = self.batch_write(requests).await.map_err(|(e, _)| e)?;
        if pending.is_empty() {
            return Ok(());
        }
        Err(AwsError::Unavailable(
            format!("{} activity entries left unprocessed", pending.len()).into(),
        ))
    }

    /// A page of a room's or a recording's activity, newest first, only of `kinds` when
    /// some are given. A sparse filter reads on until the page is full, for at most
    /// [`MAX_QUERIES_PER_PAGE`] queries; then the page is short and its token goes on.
    pub async fn list_activity(
        &self,
        scope: ActivityScope<'_>,
        kinds: &[ActivityKind],
        max_items: u32,
        cursor: Option<&Cursor>,
    ) -> Result<Page<Activity>, AwsError> {
        let (partition, index) = match scope {
            ActivityScope::Room(room_id) => (room_partition(room_id), None),
            ActivityScope::Recording(id) => (recording_partition(id), Some("GSI3")),
        };
        let (pk_attr, sk_attr) = if index.is_some() {
            ("GSI3PK", "GSI3SK")
        } else {
            ("PK", "SK")
        };
        let wanted = usize::try_from(max_items).unwrap_or(usize::MAX);
        let mut start = cursor.map(|c| start_key(scope, &c.key));
        let mut found: Vec<(Activity, String)> = Vec::new();
        let mut position = None;
        for _ in 0..MAX_QUERIES_PER_PAGE {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(index.map(str::to_owned))
                .key_condition_expression(format!("{pk_attr} = :pk"))
                .expression_attribute_values(":pk", s(&partition))
                .scan_index_forward(false)
                .set_exclusive_start_key(start.take());
            if kinds.is_empty() {
                query = query.limit(i32::try_from(wanted - found.len()).unwrap_or(i32::MAX));
            } else {
                let names: Vec<String> = (0..kinds.len()).map(|i| format!(":k{i}")).collect();
                query = query
                    .limit(FILTERED_READ_BATCH)
                    .filter_expression(format!("#kind IN ({})", names.join(", ")))
                    .expression_attribute_names("#kind", "kind");
                for (name, kind) in names.iter().zip(kinds) {
                    query = query.expression_attribute_values(name, s(kind.as_str()));
                }
            }
            let out = query.send().await?;
            for item in out.items.unwrap_or_default() {
                let sk = match item.get(sk_attr) {
                    Some(AttributeValue::S(sk)) => sk.clone(),
                    _ => continue,
                };
                found.push((decode::<ActivityItem, _>(item)?, sk));
            }
            position = out
                .last_evaluated_key
                .and_then(|mut key| key.remove(sk_attr))
                .and_then(|sk| sk.as_s().ok().cloned());
            if found.len() >= wanted || position.is_none() {
                break;
            }
            start = position.as_deref().map(|sk| start_key(scope, sk));
        }
        if found.len() > wanted {
            found.truncate(wanted);
            position = found.last().map(|(_, sk)| sk.clone());
        }
        let next = position.map(|key| Cursor { key, segment: 0 });
        Ok(Page::of(found, next))
    }
}

/// The key a query resumes after: the entry's, in the table or in GSI3.
fn start_key(scope: ActivityScope<'_>, sk: &str) -> Item {
    match scope {
        ActivityScope::Room(room_id) => Item::from([
            ("PK".to_owned(), s(room_partition(room_id))),
            ("SK".to_owned(), s(sk)),
        ]),
        ActivityScope::Recording(id) => Item::from([
            ("PK".to_owned(), s(room_partition(id.room_id()))),
            ("SK".to_owned(), s(sk)),
            ("GSI3PK".to_owned(), s(recording_partition(id))),
            ("GSI3SK".to_owned(), s(sk)),
        ]),
    }
}
