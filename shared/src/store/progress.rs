//! A recording's life as stored: started under the room's lock, moved forward by the
//! media server's reports, and found by the sweeper while unfinished.

use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, TransactWriteItem, Update};

use super::items::{RecordingItem, VideoItem, video_pk};
use super::orders::{ListIndex, Orderable};
use super::update::UpdateBuilder;
use super::{
    LIVE_RECORDINGS, Store, condition_held, date_sort_key, decode, encode, primary_key,
    recording_pk, room_pk, s, transaction_outcome,
};
use crate::aws::AwsError;
use crate::model::{Recording, RecordingId, RecordingStatus};

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

/// What became of a media server's report.
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    /// The recording as written.
    Written(Box<Recording>),
    /// Not a step forward: a late or repeated report.
    Stale,
    /// An event applied before, delivered again.
    Duplicate,
    /// The video is another recording's.
    Aliased,
    /// The recording was deleted or is being deleted: whatever its egress still uploads
    /// must go too.
    Deleted,
}

/// How long an applied event's id is remembered: far beyond the webhooks' freshness
/// window, past which a replay is refused anyway.
const EVENT_MEMORY_SECONDS: i64 = 24 * 60 * 60;

/// The update a report makes, and the condition that keeps it forward only.
fn progress_update(progress: &Progress) -> (UpdateBuilder, String) {
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
    let orderable = Orderable {
        id,
        room_name: &progress.room_name,
        start_date: progress.start_date,
        size: progress.size,
        duration: progress.duration,
    };
    for index in ListIndex::ALL {
        let (pk, sk) = index.key(&orderable, false);
        // A size or duration reported moves the recording into its index's value order;
        // every other key is written once, with the attributes it is made of.
        let reported = match index {
            ListIndex::AllBySize | ListIndex::RoomBySize => progress.size.is_some(),
            ListIndex::AllByDuration | ListIndex::RoomByDuration => progress.duration.is_some(),
            _ => false,
        };
        if reported {
            update.set(&index.pk_attr(), s(pk));
            update.set(&index.sk_attr(), s(sk));
        } else {
            update.set_once(&index.pk_attr(), s(pk));
            update.set_once(&index.sk_attr(), s(sk));
        }
    }
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
        .filter(|p| p.rank() < status.rank() || (p.rank() == status.rank() && !status.is_final()))
        .map(|p| s(p.as_str()))
        .collect();
    let condition = update.condition_in(
        "attribute_not_exists(deleting) AND (attribute_not_exists(#status_c) OR #status_c IN",
        "status",
        earlier,
    );
    (update, format!("{condition})"))
}

impl Store {
    /// Stores a just-started recording, claims its video for it and hands the room's lock
    /// from `holder` to it, in one transaction.
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
            .map_err(|e| AwsError::Other(e.into()))?;
        let claim = Put::builder()
            .table_name(&self.table)
            .set_item(Some(encode(VideoItem::claim(&recording.recording_id))?))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(|e| AwsError::Other(e.into()))?;
        let lock = Update::builder()
            .table_name(&self.table)
            .set_key(Some(primary_key(room_pk(recording.room_id.as_str()))))
            .update_expression("SET activeRecording = :id, activeUntil = :until")
            .condition_expression("activeRecording = :holder")
            .expression_attribute_values(":id", s(recording.recording_id.as_str()))
            .expression_attribute_values(":until", AttributeValue::N(lock_until_ms.to_string()))
            .expression_attribute_values(":holder", s(holder))
            .build()
            .map_err(|e| AwsError::Other(e.into()))?;
        self.client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().put(claim).build())
            .transact_items(TransactWriteItem::builder().update(lock).build())
            .send()
            .await?;
        Ok(())
    }

    /// Writes what the media server reports about a recording, creating the recording if
    /// its start was never stored, in one transaction that also claims the recording's
    /// video (refused if the video is another recording's or a deleted one's) and records
    /// the event's id (refused if it was applied before). The recording is written only if
    /// the report moves it forward (see [`RecordingStatus::rank`]): a late event changes
    /// nothing, nor does anything reach a recording being deleted.
    pub async fn apply_progress(
        &self,
        progress: &Progress,
        event_id: &str,
        now_ms: i64,
    ) -> Result<Applied, AwsError> {
        let id = &progress.recording_id;
        let claim = Put::builder()
            .table_name(&self.table)
            .set_item(Some(encode(VideoItem::claim(id))?))
            .condition_expression(
                "attribute_not_exists(PK) OR (recordingId = :id AND attribute_not_exists(deletedAt))",
            )
            .expression_attribute_values(":id", s(id.as_str()))
            .build()
            .map_err(|e| AwsError::Other(e.into()))?;
        let (update, condition) = progress_update(progress);
        let mut items = vec![
            TransactWriteItem::builder().put(claim).build(),
            update.into_transaction_item(
                &self.table,
                primary_key(recording_pk(id.as_str())),
                condition,
            )?,
        ];
        if !event_id.is_empty() {
            let mut event = primary_key(format!("EVENT#{event_id}"));
            event.insert(
                "expiresAt".into(),
                AttributeValue::N((now_ms / 1000 + EVENT_MEMORY_SECONDS).to_string()),
            );
            let seen = Put::builder()
                .table_name(&self.table)
                .set_item(Some(event))
                .condition_expression("attribute_not_exists(PK)")
                .build()
                .map_err(|e| AwsError::Other(e.into()))?;
            items.push(TransactWriteItem::builder().put(seen).build());
        }
        let count = items.len();
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        let Some(failed) = transaction_outcome(result, count)? else {
            return match self.get_recording(id).await? {
                Some(recording) => Ok(Applied::Written(Box::new(recording))),
                // Written a moment ago: only a delete since can have removed it.
                None => Ok(Applied::Deleted),
            };
        };
        if failed[0] {
            let owner = self.video_claim(&id.s3_key()).await?;
            return Ok(match owner {
                Some(video) if video.recording_id == id.as_str() && video.deleted_at.is_some() => {
                    Applied::Deleted
                }
                _ => Applied::Aliased,
            });
        }
        if failed.get(2) == Some(&true) {
            return Ok(Applied::Duplicate);
        }
        Ok(Applied::Stale)
    }

    async fn video_claim(&self, s3_key: &str) -> Result<Option<VideoItem>, AwsError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(video_pk(s3_key))))
            .consistent_read(true)
            .send()
            .await?;
        out.item.map(decode::<VideoItem, VideoItem>).transpose()
    }

    /// Moves a recording from one of `from` to `to`; `None` if it was in none of them.
    pub async fn transition(
        &self,
        id: &RecordingId,
        from: &[RecordingStatus],
        to: RecordingStatus,
        now_ms: i64,
    ) -> Result<Option<Recording>, AwsError> {
        let mut update = UpdateBuilder::default();
        update.set("status", s(to.as_str()));
        if to.is_final() {
            update.remove("GSI3PK");
            update.remove("GSI3SK");
            update.set("endDate", AttributeValue::N(now_ms.to_string()));
        }
        let condition = update.condition_in(
            "attribute_not_exists(deleting) AND (#status_c IN",
            "status",
            from.iter().map(|f| s(f.as_str())).collect(),
        );
        self.update_recording(id, update, format!("attribute_exists(PK) AND {condition})"))
            .await
    }

    /// Applies `update` to the recording if `condition` holds; returns it as written.
    async fn update_recording(
        &self,
        id: &RecordingId,
        update: UpdateBuilder,
        condition: String,
    ) -> Result<Option<Recording>, AwsError> {
        let result = update
            .apply(
                self.client
                    .update_item()
                    .table_name(&self.table)
                    .set_key(Some(primary_key(recording_pk(id.as_str()))))
                    .condition_expression(condition)
                    .return_values(ReturnValue::AllNew),
            )
            .send()
            .await;
        condition_held(result)?
            .and_then(|out| out.attributes)
            .map(decode::<RecordingItem, _>)
            .transpose()
    }

    /// Every recording not yet finished (a sparse index holds only those).
    pub async fn live_recordings(&self) -> Result<Vec<Recording>, AwsError> {
        let items = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("GSI3")
            .key_condition_expression("GSI3PK = :live")
            .expression_attribute_values(":live", s(LIVE_RECORDINGS))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await?;
        items.into_iter().map(decode::<RecordingItem, _>).collect()
    }
}
