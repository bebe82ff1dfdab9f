//! Recording events for integrations, on an EventBridge bus: `recordingStarted`,
//! `recordingEnded`, `recordingTrashed`, `recordingRestored` and `recordingDeleted`, each
//! carrying the recording as the API shows it (a deletion also says how it came about);
//! `recordingRetentionWarning` a week before retention removes one; `roomDeleted` and
//! `roomClosed`, carrying the room.

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use futures_util::future::join_all;

use crate::model::{Deletion, Recording, Room};

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
    /// Retention removes it in a week (`expiresAt`).
    RetentionWarning,
}

impl RecordingEvent {
    pub fn detail_type(self) -> &'static str {
        match self {
            Self::Started => "recordingStarted",
            Self::Ended => "recordingEnded",
            Self::Trashed => "recordingTrashed",
            Self::Restored => "recordingRestored",
            Self::Deleted(_) => "recordingDeleted",
            Self::RetentionWarning => "recordingRetentionWarning",
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

/// A room's end, for integrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomEvent {
    Deleted,
    Closed,
}

impl RoomEvent {
    pub fn detail_type(self) -> &'static str {
        match self {
            Self::Deleted => "roomDeleted",
            Self::Closed => "roomClosed",
        }
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
        let details: Vec<_> = recordings.iter().map(|r| event.detail(r)).collect();
        self.put(event.detail_type(), details).await;
    }

    /// `roomDeleted` or `roomClosed`, with the room as the API shows it (no secrets).
    pub async fn publish_room(&self, event: RoomEvent, room: &Room) {
        self.put(event.detail_type(), vec![room.to_json("", None)])
            .await;
    }

    async fn put(&self, detail_type: &'static str, details: Vec<serde_json::Value>) {
        let Some((client, bus)) = &self.target else {
            return;
        };
        let entries: Vec<_> = details
            .iter()
            .map(|detail| {
                PutEventsRequestEntry::builder()
                    .event_bus_name(bus)
                    .source(SOURCE)
                    .detail_type(detail_type)
                    .detail(detail.to_string())
                    .build()
            })
            .collect();
        let calls = entries
            .chunks(PUT_BATCH)
            .map(|chunk| client.put_events().set_entries(Some(chunk.to_vec())).send());
        for result in join_all(calls).await {
            match result {
                Ok(out) if out.failed_entry_count() > 0 => tracing::error!(
                    event = detail_type,
                    failed = out.failed_entry_count(),
                    "some events were not published"
                ),
                Ok(_) => {}
                Err(err) => tracing::error!(
                    event = detail_type,
                    error = %crate::aws::AwsError::from(err),
                    "events were not published"
                ),
            }
        }
    }
}
