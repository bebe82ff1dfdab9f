//! DynamoDB access: the single table's item layout lives here and nowhere else.
//!
//! | item        | PK                      | SK     | index keys                                   |
//! |-------------|-------------------------|--------|----------------------------------------------|
//! | recording   | `REC#<id>`              | `META` | GSI1 `ROOM#<roomId>` / `<date>#<id>`; GSI2 `ALL` / `<date>#<id>` |
//! | room        | `ROOM#<roomId>`         | `META` | GSI1 `ROOMS` / `<created>#<roomId>`          |
//! | throttle    | `THROTTLE#<scope>#<source>` | `META` | none; `expiresAt` lets DynamoDB's TTL remove it |

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, ReturnValue};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::aws::AwsError;
use crate::model::{Recording, RecordingId, Room, RoomId};
use crate::pagination::{Cursor, ListQuery, Page, RoomListQuery, SortOrder};
use crate::rooms::RecordingConfigPatch;

type Item = HashMap<String, AttributeValue>;

/// Items read per query while a sparse `status` filter is filling a page: large enough to
/// fill most pages in one round trip, small enough to stay far below DynamoDB's 1 MB.
const FILTERED_READ_BATCH: i32 = 200;
/// BatchGetItem can leave keys unprocessed under load; retried this many times.
const BATCH_RETRIES: usize = 5;

const META: &str = "META";
const ALL_RECORDINGS: &str = "ALL";
const ALL_ROOMS: &str = "ROOMS";

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

/// A recording as stored: the API's fields plus its keys and storage location.
#[derive(Serialize, Deserialize)]
struct RecordingItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "GSI1PK")]
    gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    gsi1sk: String,
    #[serde(rename = "GSI2PK")]
    gsi2pk: String,
    #[serde(rename = "GSI2SK")]
    gsi2sk: String,
    #[serde(rename = "s3Key")]
    s3_key: String,
    #[serde(flatten)]
    recording: Recording,
}

impl From<&Recording> for RecordingItem {
    fn from(r: &Recording) -> Self {
        let sort_key = date_sort_key(r.start_date, r.recording_id.as_str());
        Self {
            pk: recording_pk(r.recording_id.as_str()),
            sk: META.to_owned(),
            gsi1pk: room_pk(r.room_id.as_str()),
            gsi1sk: sort_key.clone(),
            gsi2pk: ALL_RECORDINGS.to_owned(),
            gsi2sk: sort_key,
            s3_key: r.recording_id.s3_key(),
            recording: r.clone(),
        }
    }
}

impl From<RecordingItem> for Recording {
    fn from(item: RecordingItem) -> Self {
        item.recording
    }
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

    /// The recording and its room in one round trip: the id names the room.
    pub async fn get_recording_with_room(
        &self,
        id: &RecordingId,
    ) -> Result<(Option<Recording>, Option<Room>), AwsError> {
        let recording_key = recording_pk(id.as_str());
        let room_key = room_pk(id.room_id().as_str());
        let mut keys = KeysAndAttributes::builder()
            .keys(primary_key(recording_key.clone()))
            .keys(primary_key(room_key))
            .consistent_read(true)
            .build()
            .map_err(|e| AwsError::Other(e.to_string()))?;
        let (mut recording, mut room) = (None, None);
        for _ in 0..BATCH_RETRIES {
            let out = self
                .client
                .batch_get_item()
                .request_items(&self.table, keys.clone())
                .send()
                .await?;
            let items = out
                .responses
                .and_then(|mut r| r.remove(&self.table))
                .unwrap_or_default();
            for item in items {
                match item.get("PK") {
                    Some(AttributeValue::S(pk)) if *pk == recording_key => {
                        recording = Some(decode::<RecordingItem, _>(item)?);
                    }
                    _ => room = Some(decode::<RoomItem, _>(item)?),
                }
            }
            match out.unprocessed_keys.and_then(|mut u| u.remove(&self.table)) {
                Some(rest) if !rest.keys().is_empty() => keys = rest,
                _ => return Ok((recording, room)),
            }
        }
        Err(AwsError::Unavailable(
            "BatchGetItem left keys unprocessed".into(),
        ))
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
