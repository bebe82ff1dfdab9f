//! Recording events for integrations, on an EventBridge bus: `recordingStarted`,
//! `recordingEnded`, `recordingTrashed`, `recordingRestored` and `recordingDeleted`, each
//! carrying the recording as the API shows it (a deletion also says how it came about).

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use futures_util::future::join_all;

use crate::model::{Deletion, Recording};

/// The `source` of every event this backend publishes.
pub const SOURCE: &str = "recordings";
/// PutEvents takes at most this many entries.
const PUT_BATCH: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordingEvent {
    Started,
    Ended,
    /// Moved to its room's recycle bin.
    Trashed,
    /// Brought back from the recycle bin.
    Restored,
    /// Deleted for good.
    Deleted(Deletion),
}

impl RecordingEvent {
    pub fn detail_type(self) -> &'static str {
        match self {
            Self::Started => "recordingStarted",
            Self::Ended => "recordingEnded",
            Self::Trashed => "recordingTrashed",
            Self::Restored => "recordingRestored",
            Self::Deleted(_) => "recordingDeleted",
        }
    }

    /// The event's `detail`: the recording, and for a deletion how it came about.
    pub fn detail(self, recording: &Recording) -> serde_json::Value {
        let mut detail = serde_json::to_value(recording).unwrap_or_default();
        if let (Self::Deleted(deletion), Some(fields)) = (self, detail.as_object_mut()) {
            fields.insert("deletion".to_owned(), deletion.as_str().into());
        }
        detail
    }
}

/// Publishes to the configured bus; without one, publishing does nothing.
#[derive(Clone)]
pub struct Events {
    target: Option<(Client, String)>,
}

impl Events {
    pub fn new(client: Client, bus: Option<String>) -> Self {
        Self {
            target: bus.map(|bus| (client, bus)),
        }
    }

    /// Publishes after the state change it reports has been stored. A failure is logged,
    /// not returned: the change itself stands, and the caller's answer must say so.
    pub async fn publish(&self, event: RecordingEvent, recordings: &[Recording]) {
        let Some((client, bus)) = &self.target else {
            return;
        };
        let entries: Vec<_> = recordings
            .iter()
            .map(|r| {
                PutEventsRequestEntry::builder()
                    .event_bus_name(bus)
                    .source(SOURCE)
                    .detail_type(event.detail_type())
                    .detail(event.detail(r).to_string())
                    .build()
            })
            .collect();
        let calls = entries
            .chunks(PUT_BATCH)
            .map(|chunk| client.put_events().set_entries(Some(chunk.to_vec())).send());
        for result in join_all(calls).await {
            match result {
                Ok(out) if out.failed_entry_count() > 0 => tracing::error!(
                    event = event.detail_type(),
                    failed = out.failed_entry_count(),
                    "some recording events were not published"
                ),
                Ok(_) => {}
                Err(err) => tracing::error!(
                    event = event.detail_type(),
                    error = %crate::aws::AwsError::from(err),
                    "recording events were not published"
                ),
            }
        }
    }
}
