//! The writes of a delete: marking recordings `deleting`, then removing their items.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, TransactWriteItem, Update, WriteRequest,
};
use futures_util::future::join_all;

use super::items::StoredRecording;
use super::{BATCH_RETRIES, BATCH_WRITE_ITEMS, Item, Store, primary_key, recording_pk, s};
use crate::aws::AwsError;
use crate::model::{RecordingId, RecordingStatus};

const TRANSACTION_ITEMS: usize = 100;

/// Statuses a recording may be deleted in: finished ones.
pub const DELETABLE_STATUSES: [RecordingStatus; 4] = [
    RecordingStatus::Complete,
    RecordingStatus::Failed,
    RecordingStatus::Aborted,
    RecordingStatus::LimitReached,
];

/// How marking one recording `deleting` went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkOutcome {
    Marked,
    /// Gone, or no longer in a status that may be deleted.
    ConditionFailed,
    Unavailable,
}

impl Store {
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
}
