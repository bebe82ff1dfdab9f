//! The calls of a delete: marking recordings `deleting` (each with its video's
//! tombstone), reading what is marked, removing their share partitions, then their items.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, Put, TransactWriteItem, Update, WriteRequest,
};
use futures_util::future::join_all;

use super::items::{RecordingItem, SHARE_COUNT, SHARE_PREFIX, StoredRecording, VideoItem};
use super::orders::ListIndex;
use super::shares::share_counter_key;
use super::{
    BATCH_WRITE_ITEMS, Item, Store, WriteOutcome, date_sort_key, decode, encode, primary_key,
    recording_pk, s,
};
use crate::aws::AwsError;
use crate::model::{Deletion, RecordingId, RecordingStatus};

/// Two items a recording (its mark and its video's tombstone), 100 to a transaction.
const MARKS_PER_TRANSACTION: usize = 50;

/// GSI3's partition of recordings being deleted, by when the delete began.
pub(super) const DELETING_RECORDINGS: &str = "DELETING";

/// Statuses a recording may be deleted in: finished ones.
pub(super) const DELETABLE_STATUSES: [RecordingStatus; 4] = [
    RecordingStatus::Complete,
    RecordingStatus::Failed,
    RecordingStatus::Aborted,
    RecordingStatus::LimitReached,
];

/// What a delete reads once its recordings are marked.
#[derive(Debug, Default)]
pub struct ReadForDelete {
    pub recordings: HashMap<RecordingId, StoredRecording>,
    /// The recordings that have a share partition.
    pub with_links: HashSet<RecordingId>,
}

/// Which recordings a delete may mark: every delete also requires the recording not on
/// legal hold, and carries on where it is already marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkScope {
    /// Finished and listed: a delete in a room that keeps no recycle bin.
    Listed,
    /// Finished, listed or in the recycle bin: an administrator's permanent delete.
    Any,
    /// In the recycle bin: a moderator's permanent delete.
    Trashed,
    /// In the recycle bin, and due for the purge at this time (epoch ms).
    PurgeDue(i64),
}

impl Store {
    /// Marks recordings `deleting`, each only if it still exists in a status that may be
    /// deleted, within `scope`, and not on legal hold (or is already being deleted): it
    /// leaves the list indexes (and the bin's) for the index of deletes under way and its
    /// room's partition of them (where its room's deletion finds it), and its video's
    /// claim becomes a tombstone in the same transaction, so that no later event of
    /// the media server can bring it back. `deletion` is kept with the mark, for whoever
    /// finishes the delete to report.
    pub async fn mark_deleting(
        &self,
        ids: &[RecordingId],
        scope: MarkScope,
        deletion: Deletion,
        now_ms: i64,
    ) -> Vec<(RecordingId, WriteOutcome)> {
        self.transact_each(ids, MARKS_PER_TRANSACTION, |id| {
            self.mark_items(id, scope, deletion, now_ms)
        })
        .await
    }

    /// The mark, and the tombstone of the video the recording claims (a claim of another
    /// recording's is never overwritten).
    fn mark_items(
        &self,
        id: &RecordingId,
        scope: MarkScope,
        deletion: Deletion,
        now_ms: i64,
    ) -> Result<Vec<TransactWriteItem>, AwsError> {
        let deletable = DELETABLE_STATUSES
            .iter()
            .enumerate()
            .map(|(i, _)| format!(":s{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let finished = format!("#status IN ({deletable})");
        let within = match scope {
            MarkScope::Listed => format!("{finished} AND attribute_not_exists(trashedAt)"),
            MarkScope::Any => finished,
            MarkScope::Trashed => "attribute_exists(trashedAt)".to_owned(),
            MarkScope::PurgeDue(_) => "purgeAt <= :due".to_owned(),
        };
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(primary_key(recording_pk(id.as_str()))))
            .update_expression(format!(
                "SET deleting = :true, deletion = :deletion, GSI3PK = :deleting, \
                 GSI3SK = :since, #room_pk = :room_deleting REMOVE {}",
                ListIndex::removed_by_delete().join(", ")
            ))
            .expression_attribute_names("#room_pk", ListIndex::RoomByDate.pk_attr())
            .expression_attribute_values(
                ":room_deleting",
                s(ListIndex::deleting_partition(id.room_id().as_str())),
            )
            .condition_expression(format!(
                "attribute_exists(PK) AND (deleting = :true OR \
                 (attribute_not_exists(legalHold) AND {within}))"
            ))
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":deletion", s(deletion.as_str()))
            .expression_attribute_values(":deleting", s(DELETING_RECORDINGS))
            .expression_attribute_values(":since", s(date_sort_key(now_ms, id.as_str())));
        // DynamoDB refuses names and values a condition does not use.
        match scope {
            MarkScope::Listed | MarkScope::Any => {
                update = update.expression_attribute_names("#status", "status");
                for (i, status) in DELETABLE_STATUSES.iter().enumerate() {
                    update =
                        update.expression_attribute_values(format!(":s{i}"), s(status.as_str()));
                }
            }
            MarkScope::Trashed => {}
            MarkScope::PurgeDue(due) => {
                update =
                    update.expression_attribute_values(":due", AttributeValue::N(due.to_string()));
            }
        }
        let update = update.build().map_err(|e| AwsError::Other(e.into()))?;
        let tombstone = Put::builder()
            .table_name(&self.table)
            .set_item(Some(encode(VideoItem::tombstone(id, now_ms))?))
            .condition_expression("attribute_not_exists(PK) OR recordingId = :id")
            .expression_attribute_values(":id", s(id.as_str()))
            .build()
            .map_err(|e| AwsError::Other(e.into()))?;
        Ok(vec![
            TransactWriteItem::builder().update(update).build(),
            TransactWriteItem::builder().put(tombstone).build(),
        ])
    }

    /// Recordings whose delete began before `before_ms` and never finished, oldest first,
    /// at most `limit` (a query of the index of deletes under way).
    pub async fn abandoned_deletes(
        &self,
        before_ms: i64,
        limit: i32,
    ) -> Result<Vec<StoredRecording>, AwsError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("GSI3")
            .key_condition_expression("GSI3PK = :deleting AND GSI3SK < :before")
            .expression_attribute_values(":deleting", s(DELETING_RECORDINGS))
            .expression_attribute_values(":before", s(date_sort_key(before_ms, "")))
            .limit(limit)
            .send()
            .await?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(decode::<RecordingItem, _>)
            .collect()
    }

    /// Reads `recordings`, and which of `counters_of` have a share partition (their
    /// counters), together: 100 keys a `BatchGetItem`, calls concurrent. A delete reads
    /// them once its mark is stored, which no new link gets past (creating one requires the
    /// recording unmarked), so no link is missed.
    pub async fn read_for_delete(
        &self,
        recordings: &[RecordingId],
        counters_of: &[RecordingId],
    ) -> Result<ReadForDelete, AwsError> {
        let keys: Vec<Item> = recordings
            .iter()
            .map(|id| primary_key(recording_pk(id.as_str())))
            .chain(counters_of.iter().map(share_counter_key))
            .collect();
        let mut read = ReadForDelete::default();
        for item in self.batch_get(&keys).await? {
            let shared = match item.get("PK") {
                Some(AttributeValue::S(pk)) => pk.strip_prefix(SHARE_PREFIX),
                _ => None,
            };
            match shared.map(RecordingId::parse) {
                Some(Ok(id)) => {
                    read.with_links.insert(id);
                }
                Some(Err(_)) => {}
                None => {
                    let stored: StoredRecording = decode::<RecordingItem, _>(item)?;
                    read.recordings
                        .insert(stored.recording.recording_id.clone(), stored);
                }
            }
        }
        Ok(read)
    }

    /// Deletes the share partitions of `ids`, recordings known to have one (links first,
    /// each counter last), 25 items to a `BatchWriteItem`. Returns the recordings whose
    /// partition could not all be deleted.
    pub async fn delete_share_partitions(&self, ids: &[RecordingId]) -> Vec<RecordingId> {
        if ids.is_empty() {
            return Vec::new();
        }
        let partitions = match self.share_partition_keys(ids).await {
            Ok(partitions) => partitions,
            Err(e) => {
                tracing::warn!(error = %e, "reading share partitions");
                return ids.to_vec();
            }
        };
        let (links, counters): (Vec<_>, Vec<_>) = partitions
            .into_iter()
            .flat_map(|(id, keys)| keys.into_iter().map(move |key| (id.clone(), key)))
            .partition(|(_, key)| key.get("SK") != Some(&s(SHARE_COUNT)));
        let mut failed = self.delete_keys(&links).await;
        let counters: Vec<_> = counters
            .into_iter()
            .filter(|(id, _)| !failed.contains(id))
            .collect();
        // Disjoint from the links' failures, whose counters were kept back.
        failed.extend(self.delete_keys(&counters).await);
        failed
    }

    /// Deletes the given recordings' own items, the last step of a delete. Returns the
    /// recordings whose item could not be deleted.
    pub async fn delete_recording_items(&self, recordings: &[StoredRecording]) -> Vec<RecordingId> {
        let keys: Vec<(RecordingId, Item)> = recordings
            .iter()
            .map(|stored| {
                let id = &stored.recording.recording_id;
                (id.clone(), primary_key(recording_pk(id.as_str())))
            })
            .collect();
        self.delete_keys(&keys).await
    }

    /// Deletes items 25 to a `BatchWriteItem`, calls concurrent, unprocessed items
    /// retried; returns the recordings some of whose items are left.
    async fn delete_keys(&self, keys: &[(RecordingId, Item)]) -> Vec<RecordingId> {
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
        let Ok(requests) = requests else {
            return keys.iter().map(|(id, _)| id.clone()).collect();
        };
        let pending = match self.batch_write(requests).await {
            Ok(pending) if pending.is_empty() => return Vec::new(),
            Ok(pending) => pending,
            Err((e, pending)) => {
                tracing::warn!(error = %e, "BatchWriteItem failed");
                pending
            }
        };
        // Whatever is still pending names the recordings not fully deleted.
        keys.iter()
            .filter(|(_, key)| {
                pending.iter().any(|w| {
                    w.delete_request().is_some_and(|d| {
                        d.key().get("PK") == key.get("PK") && d.key().get("SK") == key.get("SK")
                    })
                })
            })
            .map(|(id, _)| id.clone())
            .collect()
    }
}
