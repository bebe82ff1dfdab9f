//! The recycle bin's calls: moving recordings into it and back, finding what the purge is
//! due to delete, and legal holds.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};

use super::deletion::DELETABLE_STATUSES;
use super::orders::{ListIndex, Orderable};
use super::update::UpdateBuilder;
use super::{
    Store, TRASHED_RECORDINGS, WriteOutcome, date_sort_key, primary_key, query_items, recording_pk,
    s,
};
use crate::aws::AwsError;
use crate::model::{LegalHold, Recording, RecordingId};

/// One item a recording: a transaction's most.
const MOVES_PER_TRANSACTION: usize = 100;

impl Store {
    /// Moves recordings, as read and given their [`Trash`](crate::model::Trash), into their
    /// rooms' recycle bins: each only if it is still finished, listed and not on legal hold.
    /// Its list keys move to the bin's partitions, and it joins the purge's index.
    pub async fn trash_recordings(
        &self,
        trashed: &[Recording],
    ) -> Vec<(RecordingId, WriteOutcome)> {
        self.move_recordings(trashed, |r| {
            let Some(trash) = &r.trash else {
                return Err(AwsError::Other(
                    "trashing a recording without its trash".into(),
                ));
            };
            let mut update = UpdateBuilder::default();
            update.set("trashedAt", number(trash.trashed_at));
            update.set("purgeAt", number(trash.purge_at));
            update.set("deletedBy", to_attribute(&trash.deleted_by)?);
            update.set("GSI3PK", s(TRASHED_RECORDINGS));
            let id = r.recording_id.as_str();
            update.set("GSI3SK", s(date_sort_key(trash.purge_at, id)));
            set_list_partitions(&mut update, r, true);
            let condition = update.condition_in(
                "attribute_exists(PK) AND attribute_not_exists(deleting) \
                 AND attribute_not_exists(trashedAt) AND attribute_not_exists(legalHold) \
                 AND #status_c IN",
                "status",
                DELETABLE_STATUSES.iter().map(|st| s(st.as_str())).collect(),
            );
            Ok((update, condition))
        })
        .await
    }

    /// Brings recordings, as read, back from the recycle bin exactly as they were, each
    /// only if it is still there and not being purged.
    pub async fn restore_recordings(
        &self,
        recordings: &[Recording],
    ) -> Vec<(RecordingId, WriteOutcome)> {
        self.move_recordings(recordings, |r| {
            let mut update = UpdateBuilder::default();
            set_list_partitions(&mut update, r, false);
            for attribute in ["trashedAt", "purgeAt", "deletedBy", "GSI3PK", "GSI3SK"] {
                update.remove(attribute);
            }
            let condition = "attribute_exists(trashedAt) AND attribute_not_exists(deleting)";
            Ok((update, condition.to_owned()))
        })
        .await
    }

    async fn move_recordings(
        &self,
        recordings: &[Recording],
        update_of: impl Fn(&Recording) -> Result<(UpdateBuilder, String), AwsError> + Sync,
    ) -> Vec<(RecordingId, WriteOutcome)> {
        let ids: Vec<RecordingId> = recordings.iter().map(|r| r.recording_id.clone()).collect();
        self.transact_each(&ids, MOVES_PER_TRANSACTION, |id| {
            let recording = recordings
                .iter()
                .find(|r| &r.recording_id == id)
                .ok_or_else(|| AwsError::Other("moving a recording not read".into()))?;
            let (update, condition) = update_of(recording)?;
            let key = primary_key(recording_pk(id.as_str()));
            let item: TransactWriteItem =
                update.into_transaction_item(&self.table, key, condition)?;
            Ok(vec![item])
        })
        .await
    }

    /// Recordings whose time in the recycle bin ended by `now_ms`, soonest first, at most
    /// `limit` (a query of the purge's index: only what is due is read).
    pub async fn due_for_purge(
        &self,
        now_ms: i64,
        limit: usize,
    ) -> Result<Vec<RecordingId>, AwsError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("GSI3")
            .key_condition_expression("GSI3PK = :trash AND GSI3SK < :after")
            .expression_attribute_values(":trash", s(TRASHED_RECORDINGS))
            .expression_attribute_values(":after", s(date_sort_key(now_ms + 1, "")))
            .projection_expression("recordingId");
        Ok(query_items(query, limit)
            .await?
            .iter()
            .filter_map(|item| match item.get("recordingId") {
                Some(AttributeValue::S(id)) => RecordingId::parse(id.as_str()).ok(),
                _ => None,
            })
            .collect())
    }

    /// Sets the recording's legal hold (or with `None` releases it), if the recording is
    /// listed: not in the recycle bin, not being deleted. `None` when it is not.
    pub async fn set_legal_hold(
        &self,
        id: &RecordingId,
        hold: Option<&LegalHold>,
    ) -> Result<Option<Recording>, AwsError> {
        let value = hold.map(to_attribute).transpose()?;
        self.set_listed_attribute(id, "legalHold", value).await
    }
}

/// Points every list key's partition at the lists, or at the bin (the sort keys stay).
fn set_list_partitions(update: &mut UpdateBuilder, r: &Recording, in_bin: bool) {
    let orderable = Orderable::from(r);
    for index in ListIndex::ALL {
        let (partition, _) = index.key(&orderable, in_bin);
        update.set(&index.pk_attr(), s(partition));
    }
}

fn number(n: i64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

fn to_attribute<T: serde::Serialize>(value: &T) -> Result<AttributeValue, AwsError> {
    serde_dynamo::to_attribute_value(value)
        .map_err(|e| AwsError::Other(format!("encoding an attribute: {e}").into()))
}
