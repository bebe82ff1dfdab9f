//! Export items: what an export holds and how far its job got. Every write of a run is
//! conditional on the run's upload, so that a run that lost its turn (a redelivered
//! message) can never overwrite the one that replaced it.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use serde::{Deserialize, Serialize};

use super::{META, Store, condition_held, decode, encode, primary_key, s};
use crate::aws::AwsError;
use crate::model::{Export, ExportEntry, ExportStatus, Skipped};

fn export_pk(id: &str) -> String {
    format!("EXPORT#{id}")
}

#[derive(Serialize, Deserialize)]
struct ExportItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    /// Who may follow it ([`crate::model::export_owner`]).
    owner: String,
    /// The multipart upload of the run under way.
    #[serde(rename = "uploadId", default, skip_serializing_if = "Option::is_none")]
    upload_id: Option<String>,
    /// DynamoDB's TTL: epoch seconds.
    #[serde(rename = "expiresAt")]
    expires_at: i64,
    #[serde(flatten)]
    export: Export,
}

/// An export with who may follow it.
#[derive(Debug, Clone)]
pub struct StoredExport {
    pub export: Export,
    pub owner: String,
    pub upload_id: Option<String>,
}

impl From<ExportItem> for StoredExport {
    fn from(item: ExportItem) -> Self {
        Self {
            export: item.export,
            owner: item.owner,
            upload_id: item.upload_id,
        }
    }
}

/// How a run ended.
pub struct ExportResult<'a> {
    pub status: ExportStatus,
    pub recordings: &'a [ExportEntry],
    pub skipped: &'a [Skipped],
    pub total_bytes: u64,
    pub bytes_written: u64,
    pub error: Option<&'a str>,
}

fn number(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn value<T: Serialize>(v: T) -> Result<AttributeValue, AwsError> {
    serde_dynamo::to_attribute_value(v)
        .map_err(|e| AwsError::Other(format!("encoding an attribute: {e}").into()))
}

impl Store {
    pub async fn put_export(&self, export: &Export, owner: &str) -> Result<(), AwsError> {
        let item = ExportItem {
            pk: export_pk(&export.export_id),
            sk: META.to_owned(),
            owner: owner.to_owned(),
            upload_id: None,
            expires_at: export.available_until / 1000,
            export: export.clone(),
        };
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(encode(item)?))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await?;
        Ok(())
    }

    pub async fn get_export(&self, id: &str) -> Result<Option<StoredExport>, AwsError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(export_pk(id))))
            .consistent_read(true)
            .send()
            .await?;
        out.item.map(decode::<ExportItem, _>).transpose()
    }

    /// Claims the export for a run with `upload_id`, unless it already finished; returns
    /// it as it was, with the upload of a run that died before finishing, to abort.
    pub async fn start_export_run(
        &self,
        id: &str,
        upload_id: &str,
        now_ms: i64,
    ) -> Result<Option<StoredExport>, AwsError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(export_pk(id))))
            .update_expression(
                "SET #status = :running, uploadId = :upload, bytesWritten = :zero, updatedAt = :now",
            )
            .condition_expression("#status IN (:pending, :running)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":running", s(ExportStatus::Running.as_str()))
            .expression_attribute_values(":pending", s(ExportStatus::Pending.as_str()))
            .expression_attribute_values(":upload", s(upload_id))
            .expression_attribute_values(":zero", number(0))
            .expression_attribute_values(":now", number(now_ms))
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        condition_held(out)?
            .and_then(|out| out.attributes)
            .map(decode::<ExportItem, _>)
            .transpose()
    }

    /// How far the run with `upload_id` got; `false` if another run replaced it.
    pub async fn export_progress(
        &self,
        id: &str,
        upload_id: &str,
        bytes_written: u64,
        total_bytes: u64,
        now_ms: i64,
    ) -> Result<bool, AwsError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(export_pk(id))))
            .update_expression("SET bytesWritten = :written, totalBytes = :total, updatedAt = :now")
            .condition_expression("uploadId = :upload")
            .expression_attribute_values(":written", number(bytes_written))
            .expression_attribute_values(":total", number(total_bytes))
            .expression_attribute_values(":now", number(now_ms))
            .expression_attribute_values(":upload", s(upload_id))
            .send()
            .await;
        Ok(condition_held(out)?.is_some())
    }

    /// Ends the run with `upload_id`: complete or failed, with what the ZIP holds.
    pub async fn finish_export(
        &self,
        id: &str,
        upload_id: &str,
        result: &ExportResult<'_>,
        now_ms: i64,
    ) -> Result<bool, AwsError> {
        let request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(export_pk(id))))
            .condition_expression("uploadId = :upload")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#error", "error")
            .expression_attribute_values(":upload", s(upload_id))
            .expression_attribute_values(":status", s(result.status.as_str()))
            .expression_attribute_values(":recordings", value(result.recordings)?)
            .expression_attribute_values(":skipped", value(result.skipped)?)
            .expression_attribute_values(":total", number(result.total_bytes))
            .expression_attribute_values(":written", number(result.bytes_written))
            .expression_attribute_values(":now", number(now_ms));
        let request = match result.error {
            Some(error) => request
                .update_expression(
                    "SET #status = :status, recordings = :recordings, skipped = :skipped, \
                     totalBytes = :total, bytesWritten = :written, updatedAt = :now, \
                     #error = :error REMOVE uploadId",
                )
                .expression_attribute_values(":error", s(error)),
            None => request.update_expression(
                "SET #status = :status, recordings = :recordings, skipped = :skipped, \
                 totalBytes = :total, bytesWritten = :written, updatedAt = :now \
                 REMOVE uploadId, #error",
            ),
        };
        Ok(condition_held(request.send().await)?.is_some())
    }
}
