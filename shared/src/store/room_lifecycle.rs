//! Rooms' ends and their recordings' age: closing, deleting, waiting for a recording to
//! end, the index of rooms with work due, and what retention finds due.

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, ReturnValue, WriteRequest};
use serde::de::DeserializeOwned;

use super::items::{RecordingItem, RoomItem, StoredRecording};
use super::orders::ListIndex;
use super::rooms::room_secrets_pk;
use super::{
    RETAINED_ROOMS, ROOMS_DUE, Store, condition_held, date_sort_key, decode, primary_key,
    query_items, room_pk, s,
};
use crate::aws::AwsError;
use crate::model::{RecordingId, Room, RoomId, WithRecordings};

/// How a room's state changes on the way to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomChange {
    /// Closed: it stays, with its recordings, out of the sweeper's index.
    Close,
    /// Being deleted with its recordings: the sweeper finishes it, due at once.
    Closing,
    /// To be deleted, or closed, once the recording that runs ends: the sweeper watches.
    WhenRecordingEnds(WithRecordings),
}

impl Store {
    /// Applies `change` to the room if it exists and is not closing already (a deletion
    /// under way is never undone); returns the room as changed.
    pub async fn change_room(
        &self,
        id: &RoomId,
        change: RoomChange,
        now_ms: i64,
    ) -> Result<Option<Room>, AwsError> {
        let due = s(date_sort_key(now_ms, id.as_str()));
        let request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(room_pk(id.as_str()))))
            .condition_expression(
                "attribute_exists(PK) AND (attribute_not_exists(#status) OR #status <> :closing)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":closing", s("closing"))
            .return_values(ReturnValue::AllNew);
        let request = match change {
            RoomChange::Close => request
                .update_expression(
                    "SET #status = :closed REMOVE deletionPending, autoDeletionDate, \
                     autoDeletionPolicy, GSI3PK, GSI3SK",
                )
                .expression_attribute_values(":closed", s("closed")),
            RoomChange::Closing => request
                .update_expression(
                    "SET #status = :closing, GSI3PK = :due_pk, GSI3SK = :due REMOVE deletionPending",
                )
                .expression_attribute_values(":due_pk", s(ROOMS_DUE))
                .expression_attribute_values(":due", due),
            RoomChange::WhenRecordingEnds(with_recordings) => request
                .update_expression(
                    "SET deletionPending = :policy, GSI3PK = :due_pk, GSI3SK = :due",
                )
                .expression_attribute_values(":policy", s(policy_name(with_recordings)))
                .expression_attribute_values(":due_pk", s(ROOMS_DUE))
                .expression_attribute_values(":due", due),
        };
        condition_held(request.send().await)?
            .and_then(|out| out.attributes)
            .map(decode::<RoomItem, _>)
            .transpose()
    }

    /// Deletes the room and its secrets, the last step of its deletion: the tokens issued
    /// for it stop working at once, and its links with them.
    pub async fn delete_room(&self, id: &RoomId) -> Result<(), AwsError> {
        let requests: Result<Vec<WriteRequest>, _> = [room_pk(id.as_str()), room_secrets_pk(id)]
            .into_iter()
            .map(|pk| {
                DeleteRequest::builder()
                    .set_key(Some(primary_key(pk)))
                    .build()
                    .map(|d| WriteRequest::builder().delete_request(d).build())
            })
            .collect();
        let requests = requests.map_err(|e| AwsError::Other(e.into()))?;
        match self.batch_write(requests).await {
            Ok(pending) if pending.is_empty() => Ok(()),
            Ok(_) => Err(AwsError::Unavailable(
                "the room's items were left unprocessed".into(),
            )),
            Err((e, _)) => Err(e),
        }
    }

    /// Every recording of the room: listed, in its recycle bin, or being deleted, read from
    /// the room's partitions of the date index, `limit` at most.
    pub async fn room_recordings(
        &self,
        id: &RoomId,
        limit: usize,
    ) -> Result<Vec<StoredRecording>, AwsError> {
        let index = ListIndex::RoomByDate;
        let room = id.as_str();
        let partitions = [
            index.partitions(room, false).remove(0),
            index.partitions(room, true).remove(0),
            ListIndex::deleting_partition(room),
        ];
        let mut found = Vec::new();
        for partition in partitions {
            let query = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index.name())
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", index.pk_attr())
                .expression_attribute_values(":pk", s(partition));
            let left = limit - found.len();
            found.extend(query_all::<RecordingItem, _>(query, left).await?);
            if found.len() >= limit {
                break;
            }
        }
        Ok(found)
    }

    /// Rooms whose work is due by `now_ms`, soonest first, at most `limit`.
    pub async fn rooms_due(&self, now_ms: i64, limit: usize) -> Result<Vec<Room>, AwsError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("GSI3")
            .key_condition_expression("GSI3PK = :due_pk AND GSI3SK < :after")
            .expression_attribute_values(":due_pk", s(ROOMS_DUE))
            .expression_attribute_values(":after", s(date_sort_key(now_ms + 1, "")));
        query_all::<RoomItem, _>(query, limit).await
    }

    /// Every room with a retention.
    pub async fn retained_rooms(&self) -> Result<Vec<Room>, AwsError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("GSI2")
            .key_condition_expression("GSI2PK = :retained")
            .expression_attribute_values(":retained", s(RETAINED_ROOMS));
        query_all::<RoomItem, _>(query, usize::MAX).await
    }

    /// The room's listed recordings that started by `started_by` (epoch ms), oldest first,
    /// at most `limit`: what retention may find due (those that also ended by then).
    pub async fn started_by(
        &self,
        room: &RoomId,
        started_by: i64,
        limit: usize,
    ) -> Result<Vec<StoredRecording>, AwsError> {
        let index = ListIndex::RoomByDate;
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index.name())
            .key_condition_expression("#pk = :pk AND #sk < :after")
            .expression_attribute_names("#pk", index.pk_attr())
            .expression_attribute_names("#sk", index.sk_attr())
            .expression_attribute_values(":pk", s(room_pk(room.as_str())))
            .expression_attribute_values(":after", s(date_sort_key(started_by + 1, "")));
        query_all::<RecordingItem, _>(query, limit).await
    }

    /// Notes that the recording was warned of its removal at `expires_at`; `false` when
    /// it already was (for that same date), so that each warning goes out once.
    pub async fn note_retention_warning(
        &self,
        id: &RecordingId,
        expires_at: i64,
    ) -> Result<bool, AwsError> {
        let expires = AttributeValue::N(expires_at.to_string());
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(super::recording_pk(id.as_str()))))
            .update_expression("SET retentionWarnedFor = :expires")
            .condition_expression(
                "attribute_exists(PK) AND attribute_not_exists(deleting) \
                 AND (attribute_not_exists(retentionWarnedFor) OR retentionWarnedFor <> :expires)",
            )
            .expression_attribute_values(":expires", expires)
            .send()
            .await;
        Ok(condition_held(result)?.is_some())
    }
}

fn policy_name(with_recordings: WithRecordings) -> &'static str {
    match with_recordings {
        WithRecordings::Fail => "fail",
        WithRecordings::Force => "force",
        WithRecordings::Close => "close",
    }
}

/// What `query` finds, page after page, `limit` items at most, decoded.
async fn query_all<I: DeserializeOwned, T: From<I>>(
    query: QueryFluentBuilder,
    limit: usize,
) -> Result<Vec<T>, AwsError> {
    query_items(query, limit)
        .await?
        .into_iter()
        .map(decode::<I, T>)
        .collect()
}
