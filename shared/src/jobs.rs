//! Work that outlives a request, started through a queue: the export job.

use serde_json::json;

use crate::aws::AwsError;
use crate::error::ApiError;

/// The queues jobs are started through.
#[derive(Clone)]
pub struct Jobs {
    client: aws_sdk_sqs::Client,
    export_queue: Option<String>,
}

impl Jobs {
    pub fn new(client: aws_sdk_sqs::Client, export_queue: Option<String>) -> Self {
        Self {
            client,
            export_queue,
        }
    }

    /// Asks the export job to build `export_id`.
    pub async fn start_export(&self, export_id: &str) -> Result<(), ApiError> {
        let queue = self
            .export_queue
            .as_deref()
            .ok_or_else(|| ApiError::Internal("EXPORT_QUEUE_URL is not configured".into()))?;
        self.client
            .send_message()
            .queue_url(queue)
            .message_body(json!({ "exportId": export_id }).to_string())
            .send()
            .await
            .map_err(AwsError::from)?;
        Ok(())
    }
}
