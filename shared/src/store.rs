//! DynamoDB access: the single table's item layout lives here and nowhere else.
//!
//! | item        | PK                      | SK     | index keys                                   |
//! |-------------|-------------------------|--------|----------------------------------------------|
//! | recording   | `REC#<id>`              | `META` | GSI1 `ROOM#<roomId>` / `<date>#<id>`; GSI2 `ALL` / `<date>#<id>`; GSI3 `LIVE` / `<date>#<id>` while unfinished |
//! | room        | `ROOM#<roomId>`         | `META` | GSI1 `ROOMS` / `<created>#<roomId>`; `activeRecording` while one runs |
//! | share link  | `REC#<id>`              | `SHARE#<shareId>` | none; listed in the recording's `shareIds` |
//! | throttle    | `THROTTLE#<scope>#<source>` | `META` | none; `expiresAt` lets DynamoDB's TTL remove it |

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, KeysAndAttributes, Put, PutRequest, ReturnValue,
    TransactWriteItem, Update, WriteRequest,
};
use futures_util::future::join_all;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::aws::AwsError;
use crate::model::{Recording, RecordingId, RecordingStatus, Room, RoomId, ShareLink};
use crate::pagination::{Cursor, ListQuery, Page, RoomListQuery, SortOrder};
use crate::rooms::RecordingConfigPatch;

type Item = HashMap<String, AttributeValue>;

/// Items read per query while a sparse `status` filter is filling a page: large enough to
/// fill most pages in one round trip, small enough to stay far below DynamoDB's 1 MB.
const FILTERED_READ_BATCH: i32 = 200;
/// Batch calls can leave work unprocessed under load; retried this many times.
const BATCH_RETRIES: usize = 5;
const BATCH_GET_KEYS: usize = 100;
const BATCH_WRITE_ITEMS: usize = 25;
const TRANSACTION_ITEMS: usize = 100;
/// Statuses a recording may be deleted in: finished ones.
pub const DELETABLE_STATUSES: [RecordingStatus; 4] = [
    RecordingStatus::Complete,
    RecordingStatus::Failed,
    RecordingStatus::Aborted,
    RecordingStatus::LimitReached,
];

const META: &str = "META";
const ALL_RECORDINGS: &str = "ALL";
const ALL_ROOMS: &str = "ROOMS";
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

/// A recording as stored: the API's fields plus its keys and storage location. The index
/// keys are absent once a delete has marked it, which takes it out of the lists.
#[derive(Serialize, Deserialize)]
struct RecordingItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "GSI1PK", default, skip_serializing_if = "Option::is_none")]
    gsi1pk: Option<String>,
    #[serde(rename = "GSI1SK", default, skip_serializing_if = "Option::is_none")]
    gsi1sk: Option<String>,
    #[serde(rename = "GSI2PK", default, skip_serializing_if = "Option::is_none")]
    gsi2pk: Option<String>,
    #[serde(rename = "GSI2SK", default, skip_serializing_if = "Option::is_none")]
    gsi2sk: Option<String>,
    /// Only while the recording is not finished: the sweeper's index of live recordings.
    #[serde(rename = "GSI3PK", default, skip_serializing_if = "Option::is_none")]
    gsi3pk: Option<String>,
    #[serde(rename = "GSI3SK", default, skip_serializing_if = "Option::is_none")]
    gsi3sk: Option<String>,
    #[serde(rename = "s3Key")]
    s3_key: String,
    /// Set by the first step of a delete; such a recording is no longer listed or served.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    deleting: bool,
    /// The sort keys of the recording's share links, so a delete removes them without a
    /// query.
    #[serde(
        rename = "shareIds",
        default,
        with = "serde_dynamo::string_set",
        skip_serializing_if = "Vec::is_empty"
    )]
    share_ids: Vec<String>,
    #[serde(flatten)]
    recording: Recording,
}

impl From<&Recording> for RecordingItem {
    fn from(r: &Recording) -> Self {
        let sort_key = date_sort_key(r.start_date, r.recording_id.as_str());
        Self {
            pk: recording_pk(r.recording_id.as_str()),
            sk: META.to_owned(),
            gsi1pk: Some(room_pk(r.room_id.as_str())),
            gsi1sk: Some(sort_key.clone()),
            gsi2pk: Some(ALL_RECORDINGS.to_owned()),
            gsi2sk: Some(sort_key.clone()),
            gsi3pk: (!r.status.is_final()).then(|| LIVE_RECORDINGS.to_owned()),
            gsi3sk: (!r.status.is_final()).then_some(sort_key),
            s3_key: r.recording_id.s3_key(),
            deleting: false,
            share_ids: Vec::new(),
            recording: r.clone(),
        }
    }
}

/// A recording with the state only deletes care about.
#[derive(Debug, Clone)]
pub struct StoredRecording {
    pub recording: Recording,
    pub s3_key: String,
    pub deleting: bool,
    pub share_ids: Vec<String>,
}

impl From<RecordingItem> for StoredRecording {
    fn from(item: RecordingItem) -> Self {
        Self {
            s3_key: item.s3_key,
            deleting: item.deleting,
            share_ids: item.share_ids,
            recording: item.recording,
        }
    }
}

impl From<RecordingItem> for Recording {
    fn from(item: RecordingItem) -> Self {
        item.recording
    }
}

/// A share link as stored, under its recording's partition.
#[derive(Serialize, Deserialize)]
struct ShareItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    /// When DynamoDB's TTL may remove the item (epoch seconds): a while after the link
    /// stops working, so that opening it says why until then.
    #[serde(rename = "expiresAt", default, skip_serializing_if = "Option::is_none")]
    purge_at: Option<i64>,
    #[serde(flatten)]
    link: ShareLink,
}

impl From<ShareItem> for ShareLink {
    fn from(item: ShareItem) -> Self {
        item.link
    }
}

fn share_sk(share_id: &str) -> String {
    format!("SHARE#{share_id}")
}

/// How long an expired or revoked link's item is kept, to answer 410 rather than 404.
const SHARE_TOMBSTONE_SECONDS: i64 = 30 * 24 * 60 * 60;

fn share_item(recording: &RecordingId, link: &ShareLink) -> ShareItem {
    let ended = match (link.revoked_at, link.link_expires_at) {
        (Some(revoked), _) => Some(revoked),
        (None, expires) => expires,
    };
    ShareItem {
        pk: recording_pk(recording.as_str()),
        sk: share_sk(&link.share_id),
        purge_at: ended.map(|ms| ms / 1000 + SHARE_TOMBSTONE_SECONDS),
        link: link.clone(),
    }
}

/// What opening a share link reads, in one round trip.
#[derive(Debug)]
pub struct ShareOpening {
    pub recording: Option<StoredRecording>,
    pub room: Option<Room>,
    pub link: Option<ShareLink>,
}

/// What the media server reports about a recording, ready to be written.
#[derive(Debug, Clone)]
pub struct Progress {
    pub recording_id: RecordingId,
    pub room_name: String,
    pub status: RecordingStatus,
    /// Used only if the recording has none yet (epoch ms).
    pub start_date: i64,
    pub end_date: Option<i64>,
    pub duration: Option<f64>,
    pub size: Option<u64>,
    pub error: Option<String>,
    pub error_code: Option<i32>,
    pub details: Option<String>,
}

/// An `UpdateItem` expression with every attribute name behind a placeholder (several of
/// ours, like `status` and `size`, are DynamoDB reserved words).
#[derive(Default)]
struct UpdateBuilder {
    sets: Vec<String>,
    removes: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl UpdateBuilder {
    fn name(&mut self, attribute: &str) -> String {
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    fn set(&mut self, attribute: &str, value: AttributeValue) {
        let (n, v) = (self.name(attribute), self.value(value));
        self.sets.push(format!("{n} = {v}"));
    }

    /// Sets the attribute only where it has no value yet.
    fn set_once(&mut self, attribute: &str, value: AttributeValue) {
        let (n, v) = (self.name(attribute), self.value(value));
        self.sets.push(format!("{n} = if_not_exists({n}, {v})"));
    }

    fn remove(&mut self, attribute: &str) {
        let n = self.name(attribute);
        self.removes.push(n);
    }

    /// `<prefix> (:a, :b, …)`, with `#status_c` standing for `attribute`.
    fn condition_in(
        &mut self,
        prefix: &str,
        attribute: &str,
        values: Vec<AttributeValue>,
    ) -> String {
        self.names
            .insert("#status_c".to_owned(), attribute.to_owned());
        let list: Vec<String> = values.into_iter().map(|v| self.value(v)).collect();
        format!("{prefix} ({})", list.join(", "))
    }

    fn apply(
        self,
        request: aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        let mut expression = format!("SET {}", self.sets.join(", "));
        if !self.removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", self.removes.join(", ")));
        }
        request
            .update_expression(expression)
            .set_expression_attribute_names(Some(self.names))
            .set_expression_attribute_values(Some(self.values))
    }
}

/// Recordings and their rooms read together by id.
#[derive(Debug, Default)]
pub struct Loaded {
    pub recordings: HashMap<RecordingId, StoredRecording>,
    pub rooms: HashMap<RoomId, Room>,
}

/// How marking one recording `deleting` went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkOutcome {
    Marked,
    /// Gone, or no longer in a status that may be deleted.
    ConditionFailed,
    Unavailable,
}

#[derive(Serialize, Deserialize)]
struct RoomItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "GSI1PK")]
    gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    gsi1sk: String,
    #[serde(flatten)]
    room: Room,
}

impl From<&Room> for RoomItem {
    fn from(r: &Room) -> Self {
        Self {
            pk: room_pk(r.room_id.as_str()),
            sk: META.to_owned(),
            gsi1pk: ALL_ROOMS.to_owned(),
            gsi1sk: date_sort_key(r.creation_date, r.room_id.as_str()),
            room: r.clone(),
        }
    }
}

impl From<RoomItem> for Room {
    fn from(item: RoomItem) -> Self {
        item.room
    }
}

fn encode<T: Serialize>(value: T) -> Result<Item, AwsError> {
    serde_dynamo::to_item(value).map_err(|e| AwsError::Other(format!("encoding an item: {e}")))
}

fn decode<I: DeserializeOwned, T: From<I>>(item: Item) -> Result<T, AwsError> {
    serde_dynamo::from_item::<_, I>(item)
        .map(T::from)
        .map_err(|e| AwsError::Other(format!("decoding an item: {e}")))
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

/// Failed attempts from one source within the current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts {
    pub failures: u32,
    /// Epoch seconds at which the window, and the count, end.
    pub window_ends: i64,
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

    pub async fn put_recording(&self, recording: &Recording) -> Result<(), AwsError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(encode(RecordingItem::from(recording))?))
            .send()
            .await?;
        Ok(())
    }

    pub async fn get_recording(&self, id: &RecordingId) -> Result<Option<Recording>, AwsError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(recording_pk(id.as_str()))))
            .send()
            .await?;
        out.item.map(decode::<RecordingItem, _>).transpose()
    }

    /// The recording and its room in one round trip (the id names the room). A recording
    /// being deleted is not returned.
    pub async fn get_recording_with_room(
        &self,
        id: &RecordingId,
    ) -> Result<(Option<Recording>, Option<Room>), AwsError> {
        let mut loaded = self.load_with_rooms(std::slice::from_ref(id)).await?;
        let recording = loaded
            .recordings
            .remove(id)
            .filter(|r| !r.deleting)
            .map(|r| r.recording);
        Ok((recording, loaded.rooms.remove(id.room_id())))
    }

    /// Recordings and their rooms, 100 keys a `BatchGetItem`, calls concurrent.
    pub async fn load_with_rooms(&self, ids: &[RecordingId]) -> Result<Loaded, AwsError> {
        let mut keys: Vec<String> = ids.iter().map(|id| recording_pk(id.as_str())).collect();
        let mut rooms: Vec<String> = ids
            .iter()
            .map(|id| room_pk(id.room_id().as_str()))
            .collect();
        rooms.sort();
        rooms.dedup();
        keys.extend(rooms);
        let keys: Vec<Item> = keys.into_iter().map(primary_key).collect();
        let calls = keys
            .chunks(BATCH_GET_KEYS)
            .map(|chunk| self.batch_get(chunk));
        let mut loaded = Loaded::default();
        for items in join_all(calls).await {
            for item in items? {
                let is_recording =
                    matches!(item.get("PK"), Some(AttributeValue::S(pk)) if pk.starts_with("REC#"));
                if is_recording {
                    let stored: StoredRecording = decode::<RecordingItem, _>(item)?;
                    loaded
                        .recordings
                        .insert(stored.recording.recording_id.clone(), stored);
                } else {
                    let room: Room = decode::<RoomItem, _>(item)?;
                    loaded.rooms.insert(room.room_id.clone(), room);
                }
            }
        }
        Ok(loaded)
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

    /// The recording, its room and one of its share links, in one `BatchGetItem`.
    pub async fn load_share_opening(
        &self,
        id: &RecordingId,
        share_id: &str,
    ) -> Result<ShareOpening, AwsError> {
        let pk = recording_pk(id.as_str());
        let mut share_key = primary_key(pk.clone());
        share_key.insert("SK".into(), s(share_sk(share_id)));
        let keys = [
            primary_key(pk),
            primary_key(room_pk(id.room_id().as_str())),
            share_key,
        ];
        let mut opening = ShareOpening {
            recording: None,
            room: None,
            link: None,
        };
        for item in self.batch_get(&keys).await? {
            let sk = match item.get("SK") {
                Some(AttributeValue::S(sk)) => sk.clone(),
                _ => String::new(),
            };
            let is_room =
                matches!(item.get("PK"), Some(AttributeValue::S(pk)) if pk.starts_with("ROOM#"));
            if sk.starts_with("SHARE#") {
                opening.link = Some(decode::<ShareItem, _>(item)?);
            } else if is_room {
                opening.room = Some(decode::<RoomItem, _>(item)?);
            } else {
                opening.recording = Some(decode::<RecordingItem, _>(item)?);
            }
        }
        Ok(opening)
    }

    /// Stores a share link and lists it on its recording, atomically, and only while the
    /// recording exists and is not being deleted; `false` otherwise.
    pub async fn create_share(&self, id: &RecordingId, link: &ShareLink) -> Result<bool, AwsError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(encode(share_item(id, link))?))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(|e| AwsError::Other(e.to_string()))?;
        let listed = Update::builder()
            .table_name(&self.table)
            .set_key(Some(primary_key(recording_pk(id.as_str()))))
            .update_expression("ADD shareIds :share")
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(deleting)")
            .expression_attribute_values(
                ":share",
                AttributeValue::Ss(vec![share_sk(&link.share_id)]),
            )
            .build()
            .map_err(|e| AwsError::Other(e.to_string()))?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().update(listed).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e))
                if matches!(
                    e.err(),
                    TransactWriteItemsError::TransactionCanceledException(_)
                ) =>
            {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Every share link of a recording, revoked ones included.
    pub async fn list_shares(&self, id: &RecordingId) -> Result<Vec<ShareLink>, AwsError> {
        let mut links = Vec::new();
        let mut start_key = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :share)")
                .expression_attribute_values(":pk", s(recording_pk(id.as_str())))
                .expression_attribute_values(":share", s("SHARE#"))
                .consistent_read(true)
                .set_exclusive_start_key(start_key)
                .send()
                .await?;
            for item in out.items.unwrap_or_default() {
                links.push(decode::<ShareItem, _>(item)?);
            }
            match out.last_evaluated_key {
                Some(key) => start_key = Some(key),
                None => return Ok(links),
            }
        }
    }

    /// Revokes a link, keeping its item a while so that opening it answers 410; `false`
    /// when there is no such link.
    pub async fn revoke_share(
        &self,
        id: &RecordingId,
        share_id: &str,
        now_ms: i64,
    ) -> Result<bool, AwsError> {
        let mut key = primary_key(recording_pk(id.as_str()));
        key.insert("SK".into(), s(share_sk(share_id)));
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression("SET revokedAt = if_not_exists(revokedAt, :now), expiresAt = :purge")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":now", AttributeValue::N(now_ms.to_string()))
            .expression_attribute_values(
                ":purge",
                AttributeValue::N((now_ms / 1000 + SHARE_TOMBSTONE_SECONDS).to_string()),
            )
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Revokes every link of a recording that is not revoked yet: one query, then the
    /// revoked items written back 25 a call. Returns how many were revoked.
    pub async fn revoke_all_shares(
        &self,
        id: &RecordingId,
        now_ms: i64,
    ) -> Result<usize, AwsError> {
        let live: Vec<ShareLink> = self
            .list_shares(id)
            .await?
            .into_iter()
            .filter(|l| l.revoked_at.is_none())
            .map(|mut l| {
                l.revoked_at = Some(now_ms);
                l
            })
            .collect();
        let requests: Vec<WriteRequest> = live
            .iter()
            .map(|link| {
                let item = encode(share_item(id, link))?;
                PutRequest::builder()
                    .set_item(Some(item))
                    .build()
                    .map(|p| WriteRequest::builder().put_request(p).build())
                    .map_err(|e| AwsError::Other(e.to_string()))
            })
            .collect::<Result<_, _>>()?;
        let calls = requests
            .chunks(BATCH_WRITE_ITEMS)
            .map(|c| self.batch_write(c.to_vec()));
        for result in join_all(calls).await {
            result?;
        }
        Ok(live.len())
    }

    async fn batch_write(&self, mut pending: Vec<WriteRequest>) -> Result<(), AwsError> {
        for _ in 0..BATCH_RETRIES {
            let out = self
                .client
                .batch_write_item()
                .request_items(&self.table, pending)
                .send()
                .await?;
            pending = out
                .unprocessed_items
                .and_then(|mut u| u.remove(&self.table))
                .unwrap_or_default();
            if pending.is_empty() {
                return Ok(());
            }
        }
        Err(AwsError::Unavailable(
            "BatchWriteItem left items unprocessed".into(),
        ))
    }

    /// Marks recordings `deleting`, each only if it still exists in a status that may be
    /// deleted (or is already being deleted), and takes it out of the list indexes.
    /// Conditional writes go 100 to a transaction; when a transaction is cancelled, the
    /// items whose condition failed are dropped and the rest are tried again.
    pub async fn mark_deleting(&self, ids: &[RecordingId]) -> Vec<(RecordingId, MarkOutcome)> {
        let calls = ids
            .chunks(TRANSACTION_ITEMS)
            .map(|chunk| self.mark_deleting_batch(chunk.to_vec()));
        join_all(calls).await.into_iter().flatten().collect()
    }

    async fn mark_deleting_batch(
        &self,
        mut ids: Vec<RecordingId>,
    ) -> Vec<(RecordingId, MarkOutcome)> {
        let mut outcomes = Vec::new();
        for _ in 0..BATCH_RETRIES {
            if ids.is_empty() {
                break;
            }
            let items: Result<Vec<_>, _> = ids.iter().map(|id| self.mark_update(id)).collect();
            let result = match items {
                Ok(items) => self
                    .client
                    .transact_write_items()
                    .set_transact_items(Some(items))
                    .send()
                    .await
                    .map(|_| ()),
                Err(e) => {
                    tracing::error!(error = %e, "building a delete mark");
                    outcomes.extend(ids.drain(..).map(|id| (id, MarkOutcome::Unavailable)));
                    break;
                }
            };
            match result {
                Ok(()) => {
                    outcomes.extend(ids.drain(..).map(|id| (id, MarkOutcome::Marked)));
                }
                Err(SdkError::ServiceError(e))
                    if matches!(
                        e.err(),
                        TransactWriteItemsError::TransactionCanceledException(_)
                    ) =>
                {
                    let reasons = match e.into_err() {
                        TransactWriteItemsError::TransactionCanceledException(c) => {
                            c.cancellation_reasons.unwrap_or_default()
                        }
                        _ => Vec::new(),
                    };
                    let failed: Vec<bool> = ids
                        .iter()
                        .enumerate()
                        .map(|(i, _)| {
                            reasons
                                .get(i)
                                .and_then(|r| r.code())
                                .is_some_and(|c| c == "ConditionalCheckFailed")
                        })
                        .collect();
                    let (gone, rest): (Vec<_>, Vec<_>) =
                        ids.drain(..).zip(failed).partition(|(_, f)| *f);
                    outcomes.extend(
                        gone.into_iter()
                            .map(|(id, _)| (id, MarkOutcome::ConditionFailed)),
                    );
                    ids = rest.into_iter().map(|(id, _)| id).collect();
                }
                Err(e) => {
                    tracing::warn!(error = %AwsError::from(e), "marking recordings deleting");
                    outcomes.extend(ids.drain(..).map(|id| (id, MarkOutcome::Unavailable)));
                }
            }
        }
        outcomes.extend(ids.into_iter().map(|id| (id, MarkOutcome::Unavailable)));
        outcomes
    }

    fn mark_update(&self, id: &RecordingId) -> Result<TransactWriteItem, AwsError> {
        let deletable = DELETABLE_STATUSES
            .iter()
            .enumerate()
            .map(|(i, _)| format!(":s{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(primary_key(recording_pk(id.as_str()))))
            .update_expression("SET deleting = :true REMOVE GSI1PK, GSI1SK, GSI2PK, GSI2SK")
            .condition_expression(format!(
                "attribute_exists(PK) AND (deleting = :true OR #status IN ({deletable}))"
            ))
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":true", AttributeValue::Bool(true));
        for (i, status) in DELETABLE_STATUSES.iter().enumerate() {
            update = update.expression_attribute_values(format!(":s{i}"), s(status.as_str()));
        }
        let update = update.build().map_err(|e| AwsError::Other(e.to_string()))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Deletes every item of the given recordings (the recording and its share links),
    /// 25 to a `BatchWriteItem`, calls concurrent, unprocessed items retried. Returns the
    /// recordings whose items could not all be deleted.
    pub async fn delete_recording_items(&self, recordings: &[StoredRecording]) -> Vec<RecordingId> {
        let mut keys: Vec<(RecordingId, Item)> = Vec::new();
        for stored in recordings {
            let id = &stored.recording.recording_id;
            let pk = recording_pk(id.as_str());
            keys.push((id.clone(), primary_key(pk.clone())));
            for share in &stored.share_ids {
                let mut key = primary_key(pk.clone());
                key.insert("SK".into(), s(share.clone()));
                keys.push((id.clone(), key));
            }
        }
        let calls = keys
            .chunks(BATCH_WRITE_ITEMS)
            .map(|chunk| self.batch_delete(chunk));
        let mut failed: Vec<RecordingId> = join_all(calls).await.into_iter().flatten().collect();
        failed.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        failed.dedup();
        failed
    }

    async fn batch_delete(&self, keys: &[(RecordingId, Item)]) -> Vec<RecordingId> {
        let requests: Result<Vec<WriteRequest>, _> = keys
            .iter()
            .map(|(_, key)| {
                DeleteRequest::builder()
                    .set_key(Some(key.clone()))
                    .build()
                    .map(|d| WriteRequest::builder().delete_request(d).build())
            })
            .collect();
        let Ok(mut pending) = requests else {
            return keys.iter().map(|(id, _)| id.clone()).collect();
        };
        for _ in 0..BATCH_RETRIES {
            let out = self
                .client
                .batch_write_item()
                .request_items(&self.table, pending.clone())
                .send()
                .await;
            match out {
                Ok(out) => {
                    pending = out
                        .unprocessed_items
                        .and_then(|mut u| u.remove(&self.table))
                        .unwrap_or_default();
                    if pending.is_empty() {
                        return Vec::new();
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %AwsError::from(e), "BatchWriteItem failed");
                    break;
                }
            }
        }
        // Whatever is still pending names the recordings not fully deleted.
        keys.iter()
            .filter(|(_, key)| {
                pending.iter().any(|w| {
                    w.delete_request()
                        .is_some_and(|d| d.key().get("PK") == key.get("PK"))
                })
            })
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// One page of recordings, newest first unless asked otherwise. Without a `status`
    /// filter a page is one query; with one, queries continue until the page is full or
    /// the index ends, so sparse filters still return full pages.
    pub async fn list_recordings(&self, query: &ListQuery) -> Result<Page<Recording>, AwsError> {
        let partition = query
            .room_id
            .as_ref()
            .map_or_else(|| ALL_RECORDINGS.to_owned(), |r| room_pk(r.as_str()));
        let list = match query.room_id {
            Some(_) => IndexList {
                index: "GSI1",
                pk_attr: "GSI1PK",
                sk_attr: "GSI1SK",
                partition: &partition,
                table_pk: recording_pk,
            },
            None => IndexList {
                index: "GSI2",
                pk_attr: "GSI2PK",
                sk_attr: "GSI2SK",
                partition: &partition,
                table_pk: recording_pk,
            },
        };
        let filter = query.status.map(|s| ("status", s.as_str()));
        self.query_page::<RecordingItem, _>(
            list,
            query.max_items,
            query.sort,
            query.cursor.as_ref(),
            filter,
        )
        .await
    }

    /// One page of rooms, newest first.
    pub async fn list_rooms(&self, query: &RoomListQuery) -> Result<Page<Room>, AwsError> {
        let list = IndexList {
            index: "GSI1",
            pk_attr: "GSI1PK",
            sk_attr: "GSI1SK",
            partition: ALL_ROOMS,
            table_pk: room_pk,
        };
        self.query_page::<RoomItem, _>(
            list,
            query.max_items,
            SortOrder::Desc,
            query.cursor.as_ref(),
            None,
        )
        .await
    }

    async fn query_page<I: DeserializeOwned, T: From<I>>(
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
                    return Ok(Page {
                        items,
                        truncated: true,
                    });
                }
            }
            match out.last_evaluated_key {
                Some(key) => start_key = Some(key),
                None => {
                    return Ok(Page {
                        items,
                        truncated: false,
                    });
                }
            }
        }
    }

    /// Stores a new room unless one with its id exists; returns whether it was stored.
    pub async fn create_room(&self, room: &Room) -> Result<bool, AwsError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(encode(RoomItem::from(room))?))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn get_room(&self, id: &RoomId) -> Result<Option<Room>, AwsError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(room_pk(id.as_str()))))
            .consistent_read(true)
            .send()
            .await?;
        out.item.map(decode::<RoomItem, _>).transpose()
    }

    /// Sets the fields of a room's recording config that `patch` names, atomically;
    /// `None` when the room does not exist.
    pub async fn update_recording_config(
        &self,
        id: &RoomId,
        patch: &RecordingConfigPatch,
    ) -> Result<Option<Room>, AwsError> {
        let mut sets = Vec::new();
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(room_pk(id.as_str()))))
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#config", "config")
            .expression_attribute_names("#recording", "recording")
            .return_values(ReturnValue::AllNew);
        if let Some(enabled) = patch.enabled {
            sets.push("#config.#recording.#enabled = :enabled");
            request = request
                .expression_attribute_names("#enabled", "enabled")
                .expression_attribute_values(":enabled", AttributeValue::Bool(enabled));
        }
        if let Some(access) = patch.allow_access_to {
            sets.push("#config.#recording.#access = :access");
            request = request
                .expression_attribute_names("#access", "allowAccessTo")
                .expression_attribute_values(":access", s(access.as_str()));
        }
        match request
            .update_expression(format!("SET {}", sets.join(", ")))
            .send()
            .await
        {
            Ok(out) => out.attributes.map(decode::<RoomItem, _>).transpose(),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Takes the room's one-recording-at-a-time lock for `holder` until `expires` (epoch
    /// ms), if the room exists and no unexpired lock is held; `false` otherwise.
    pub async fn lock_room_recording(
        &self,
        room: &RoomId,
        holder: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<bool, AwsError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(room_pk(room.as_str()))))
            .update_expression("SET activeRecording = :holder, activeUntil = :until")
            .condition_expression(
                "attribute_exists(PK) AND (attribute_not_exists(activeRecording) OR activeUntil < :now)",
            )
            .expression_attribute_values(":holder", s(holder))
            .expression_attribute_values(":until", AttributeValue::N(expires_ms.to_string()))
            .expression_attribute_values(":now", AttributeValue::N(now_ms.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Releases the room's lock if `holder` still has it.
    pub async fn unlock_room_recording(&self, room: &RoomId, holder: &str) -> Result<(), AwsError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(room_pk(room.as_str()))))
            .update_expression("REMOVE activeRecording, activeUntil")
            .condition_expression("activeRecording = :holder")
            .expression_attribute_values(":holder", s(holder))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Stores a just-started recording and hands the room's lock from `holder` to it, in
    /// one transaction.
    pub async fn store_started_recording(
        &self,
        recording: &Recording,
        holder: &str,
        lock_until_ms: i64,
    ) -> Result<(), AwsError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(encode(RecordingItem::from(recording))?))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(|e| AwsError::Other(e.to_string()))?;
        let lock = Update::builder()
            .table_name(&self.table)
            .set_key(Some(primary_key(room_pk(recording.room_id.as_str()))))
            .update_expression("SET activeRecording = :id, activeUntil = :until")
            .condition_expression("activeRecording = :holder")
            .expression_attribute_values(":id", s(recording.recording_id.as_str()))
            .expression_attribute_values(":until", AttributeValue::N(lock_until_ms.to_string()))
            .expression_attribute_values(":holder", s(holder))
            .build()
            .map_err(|e| AwsError::Other(e.to_string()))?;
        self.client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().update(lock).build())
            .send()
            .await?;
        Ok(())
    }

    /// Writes what the media server reports about a recording, creating the recording if
    /// its start was never stored. The write happens only if it moves the recording
    /// forward (see [`RecordingStatus::rank`]): a duplicate or late event changes nothing,
    /// nor does anything reach a recording being deleted. Returns the recording as
    /// written, or `None` when nothing was.
    pub async fn apply_progress(&self, progress: &Progress) -> Result<Option<Recording>, AwsError> {
        let id = &progress.recording_id;
        let status = progress.status;
        let sort_key = date_sort_key(progress.start_date, id.as_str());
        let mut update = UpdateBuilder::default();
        update.set("status", s(status.as_str()));
        update.set_once("recordingId", s(id.as_str()));
        update.set_once("roomId", s(id.room_id().as_str()));
        update.set_once("roomName", s(progress.room_name.clone()));
        update.set_once("filename", s(id.filename()));
        update.set_once("s3Key", s(id.s3_key()));
        update.set_once(
            "startDate",
            AttributeValue::N(progress.start_date.to_string()),
        );
        update.set_once("GSI1PK", s(room_pk(id.room_id().as_str())));
        update.set_once("GSI1SK", s(sort_key.clone()));
        update.set_once("GSI2PK", s(ALL_RECORDINGS));
        update.set_once("GSI2SK", s(sort_key.clone()));
        if status.is_final() {
            update.remove("GSI3PK");
            update.remove("GSI3SK");
        } else {
            update.set_once("GSI3PK", s(LIVE_RECORDINGS));
            update.set_once("GSI3SK", s(sort_key));
        }
        let number = |n: String| AttributeValue::N(n);
        if let Some(end) = progress.end_date {
            update.set("endDate", number(end.to_string()));
        }
        if let Some(duration) = progress.duration {
            update.set("duration", number(duration.to_string()));
        }
        if let Some(size) = progress.size {
            update.set("size", number(size.to_string()));
        }
        if let Some(error) = &progress.error {
            update.set("error", s(error.clone()));
        }
        if let Some(code) = progress.error_code {
            update.set("errorCode", number(code.to_string()));
        }
        if let Some(details) = &progress.details {
            update.set("details", s(details.clone()));
        }
        // Forward only: from a lower rank, or the same rank while not finished.
        let earlier: Vec<AttributeValue> = RecordingStatus::ALL
            .into_iter()
            .filter(|p| {
                p.rank() < status.rank() || (p.rank() == status.rank() && !status.is_final())
            })
            .map(|p| s(p.as_str()))
            .collect();
        let condition = update.condition_in(
            "attribute_not_exists(deleting) AND (attribute_not_exists(#status_c) OR #status_c IN",
            "status",
            earlier,
        );
        let result = update
            .apply(
                self.client
                    .update_item()
                    .table_name(&self.table)
                    .set_key(Some(primary_key(recording_pk(id.as_str()))))
                    .condition_expression(format!("{condition})"))
                    .return_values(ReturnValue::AllNew),
            )
            .send()
            .await;
        match result {
            Ok(out) => out.attributes.map(decode::<RecordingItem, _>).transpose(),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Moves a recording from one of `from` to `to`; `None` if it was in none of them.
    pub async fn transition(
        &self,
        id: &RecordingId,
        from: &[RecordingStatus],
        to: RecordingStatus,
    ) -> Result<Option<Recording>, AwsError> {
        let mut update = UpdateBuilder::default();
        update.set("status", s(to.as_str()));
        if to.is_final() {
            update.remove("GSI3PK");
            update.remove("GSI3SK");
            update.set(
                "endDate",
                AttributeValue::N(crate::clock::now_millis().to_string()),
            );
        }
        let condition = update.condition_in(
            "attribute_not_exists(deleting) AND (#status_c IN",
            "status",
            from.iter().map(|f| s(f.as_str())).collect(),
        );
        let result = update
            .apply(
                self.client
                    .update_item()
                    .table_name(&self.table)
                    .set_key(Some(primary_key(recording_pk(id.as_str()))))
                    .condition_expression(format!("attribute_exists(PK) AND {condition})"))
                    .return_values(ReturnValue::AllNew),
            )
            .send()
            .await;
        match result {
            Ok(out) => out.attributes.map(decode::<RecordingItem, _>).transpose(),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Every recording not yet finished (a sparse index holds only those).
    pub async fn live_recordings(&self) -> Result<Vec<Recording>, AwsError> {
        let mut recordings = Vec::new();
        let mut start_key = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name("GSI3")
                .key_condition_expression("GSI3PK = :live")
                .expression_attribute_values(":live", s(LIVE_RECORDINGS))
                .set_exclusive_start_key(start_key)
                .send()
                .await?;
            for item in out.items.unwrap_or_default() {
                recordings.push(decode::<RecordingItem, _>(item)?);
            }
            match out.last_evaluated_key {
                Some(key) => start_key = Some(key),
                None => return Ok(recordings),
            }
        }
    }

    pub async fn failed_attempts(&self, key: &str) -> Result<Option<Attempts>, AwsError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(format!("THROTTLE#{key}"))))
            .consistent_read(true)
            .send()
            .await?;
        let number = |item: &Item, name: &str| match item.get(name) {
            Some(AttributeValue::N(n)) => n.parse::<i64>().ok(),
            _ => None,
        };
        Ok(out.item.and_then(|item| {
            Some(Attempts {
                failures: u32::try_from(number(&item, "failures")?).ok()?,
                window_ends: number(&item, "expiresAt")?,
            })
        }))
    }

    /// Counts one more failure in the current window, or starts a new window of
    /// `window_seconds` when there is none or it has ended.
    pub async fn record_failed_attempt(
        &self,
        key: &str,
        now: i64,
        window_seconds: i64,
    ) -> Result<(), AwsError> {
        let pk = format!("THROTTLE#{key}");
        let counted = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(pk.clone())))
            .update_expression("ADD failures :one")
            .condition_expression("expiresAt > :now")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
            .send()
            .await;
        match counted {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                let mut item = primary_key(pk);
                item.insert("failures".into(), AttributeValue::N("1".into()));
                item.insert(
                    "expiresAt".into(),
                    AttributeValue::N((now + window_seconds).to_string()),
                );
                self.client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(item))
                    .send()
                    .await?;
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn clear_failed_attempts(&self, key: &str) -> Result<(), AwsError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(format!("THROTTLE#{key}"))))
            .send()
            .await?;
        Ok(())
    }
}
