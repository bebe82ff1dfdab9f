//! DynamoDB access: the single table's item layout lives here and nowhere else.
//!
//! | item      | PK                | SK     | indexes                                              |
//! |-----------|-------------------|--------|------------------------------------------------------|
//! | recording | `REC#<id>`        | `META` | GSI1 `ROOM#<roomId>` / `<date>#<id>`, GSI2 `ALL` / same |

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::aws::AwsError;
use crate::model::{Recording, RecordingId, RoomId};
use crate::pagination::{Cursor, ListQuery, Page, SortOrder};

type Item = HashMap<String, AttributeValue>;

/// Items read per query while a sparse `status` filter is filling a page: large enough to
/// fill most pages in one round trip, small enough to stay far below DynamoDB's 1 MB.
const FILTERED_READ_BATCH: i32 = 200;

#[derive(Debug, Clone, Copy)]
enum Index {
    ByRoom,
    All,
}

impl Index {
    fn name(self) -> &'static str {
        match self {
            Self::ByRoom => "GSI1",
            Self::All => "GSI2",
        }
    }

    fn key_attributes(self) -> (&'static str, &'static str) {
        match self {
            Self::ByRoom => ("GSI1PK", "GSI1SK"),
            Self::All => ("GSI2PK", "GSI2SK"),
        }
    }
}

fn recording_pk(id: &RecordingId) -> String {
    format!("REC#{id}")
}

fn room_partition(room: &RoomId) -> String {
    format!("ROOM#{room}")
}

const ALL_PARTITION: &str = "ALL";
const META: &str = "META";

/// Index sort key: zero-padded so that string order is date order, then id for ties.
fn date_sort_key(start_date: i64, id: &RecordingId) -> String {
    format!("{start_date:016}#{id}")
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
        let sort_key = date_sort_key(r.start_date, &r.recording_id);
        Self {
            pk: recording_pk(&r.recording_id),
            sk: META.to_owned(),
            gsi1pk: room_partition(&r.room_id),
            gsi1sk: sort_key.clone(),
            gsi2pk: ALL_PARTITION.to_owned(),
            gsi2sk: sort_key,
            s3_key: r.recording_id.s3_key(),
            recording: r.clone(),
        }
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

    pub async fn put_recording(&self, recording: &Recording) -> Result<(), AwsError> {
        let item: Item = serde_dynamo::to_item(RecordingItem::from(recording))
            .map_err(|e| AwsError::Other(format!("serializing a recording: {e}")))?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await?;
        Ok(())
    }

    pub async fn get_recording(&self, id: &RecordingId) -> Result<Option<Recording>, AwsError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", AttributeValue::S(recording_pk(id)))
            .key("SK", AttributeValue::S(META.to_owned()))
            .send()
            .await?;
        out.item.map(decode_recording).transpose()
    }

    /// One page of recordings, newest first unless asked otherwise. Without a `status`
    /// filter a page is one query; with one, queries continue until the page is full or
    /// the index ends, so sparse filters still return full pages.
    pub async fn list_recordings(&self, query: &ListQuery) -> Result<Page, AwsError> {
        let (index, partition) = match &query.room_id {
            Some(room) => (Index::ByRoom, room_partition(room)),
            None => (Index::All, ALL_PARTITION.to_owned()),
        };
        let (pk_attr, _) = index.key_attributes();
        let wanted = query.max_items as usize;
        let mut start_key = query
            .cursor
            .as_ref()
            .map(|c| cursor_key(index, &partition, c));
        let mut recordings = Vec::with_capacity(wanted + 1);
        loop {
            // One more than the page so we know whether anything follows it.
            let limit = match query.status {
                Some(_) => FILTERED_READ_BATCH,
                None => (wanted + 1 - recordings.len()) as i32,
            };
            let mut request = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index.name())
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", pk_attr)
                .expression_attribute_values(":pk", AttributeValue::S(partition.clone()))
                .scan_index_forward(query.sort == SortOrder::Asc)
                .limit(limit)
                .set_exclusive_start_key(start_key.take());
            if let Some(status) = query.status {
                request = request
                    .filter_expression("#status = :status")
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(
                        ":status",
                        AttributeValue::S(status.as_str().to_owned()),
                    );
            }
            let out = request.send().await?;
            for item in out.items.unwrap_or_default() {
                recordings.push(decode_recording(item)?);
                if recordings.len() > wanted {
                    recordings.truncate(wanted);
                    let next = recordings.last().map(|r| Cursor {
                        start_date: r.start_date,
                        recording_id: r.recording_id.clone(),
                    });
                    return Ok(Page { recordings, next });
                }
            }
            match out.last_evaluated_key {
                Some(key) => start_key = Some(key),
                None => {
                    return Ok(Page {
                        recordings,
                        next: None,
                    });
                }
            }
        }
    }
}

fn decode_recording(item: Item) -> Result<Recording, AwsError> {
    serde_dynamo::from_item::<_, RecordingItem>(item)
        .map(|i| i.recording)
        .map_err(|e| AwsError::Other(format!("reading a recording item: {e}")))
}

/// The exclusive start key that resumes an index query right after `cursor`.
fn cursor_key(index: Index, partition: &str, cursor: &Cursor) -> Item {
    let (pk_attr, sk_attr) = index.key_attributes();
    HashMap::from([
        (
            "PK".to_owned(),
            AttributeValue::S(recording_pk(&cursor.recording_id)),
        ),
        ("SK".to_owned(), AttributeValue::S(META.to_owned())),
        (pk_attr.to_owned(), AttributeValue::S(partition.to_owned())),
        (
            sk_attr.to_owned(),
            AttributeValue::S(date_sort_key(cursor.start_date, &cursor.recording_id)),
        ),
    ])
}
