//! Writing the activity trail. An entry costs one `PutItem` (a bulk delete's, one
//! `BatchWriteItem` per 25), sent once the request's own work is done, on a DynamoDB client
//! of its own that gives up within a fraction of a second: writing it never slows a request
//! noticeably and never fails one. A failed write is logged as `activity not written`,
//! which the template counts and alarms on.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use crate::clock::now_millis;
use crate::crypto;
use crate::error::ApiError;
use crate::http::source_ip;
use crate::model::{Activity, ActivityKind, Actor, Outcome, RecordingId, RoomId};
use crate::store::Store;

pub struct ActivityLog {
    store: Store,
    retention_seconds: i64,
}

impl ActivityLog {
    pub fn new(store: Store, retention_days: u32) -> Self {
        Self {
            store,
            retention_seconds: i64::from(retention_days) * 24 * 60 * 60,
        }
    }

    /// Writes `entries`, to expire after the retention period; a failure is logged, never
    /// returned. Left out: an entry answered 404 (what does not exist has no trail, and
    /// unknown ids must make no partitions), and a participant's attempt outside its own
    /// room (refused whether or not the recording exists, it is no part of that room's
    /// trail and must not let anyone write into it).
    pub async fn record(&self, entries: &[Activity]) {
        let entries: Vec<Activity> = entries
            .iter()
            .filter(|e| e.result.status != StatusCode::NOT_FOUND.as_u16())
            .filter(|e| e.actor.room_id.as_ref().is_none_or(|own| *own == e.room_id))
            .cloned()
            .collect();
        let Some(first) = entries.first() else {
            return;
        };
        let expires_at = first.at / 1000 + self.retention_seconds;
        if let Err(err) = self.store.put_activity(&entries, expires_at).await {
            tracing::error!(
                kind = first.kind.as_str(),
                entries = entries.len(),
                error = %err,
                "activity not written"
            );
        }
    }
}

impl Activity {
    /// An entry about a recording, answered 200 unless [`Activity::answered`] says more.
    pub fn of_recording(kind: ActivityKind, id: &RecordingId, actor: Actor, req: &Request) -> Self {
        let mut entry = Self::of_room(kind, id.room_id(), actor, req);
        entry.recording_id = Some(id.clone());
        entry
    }

    /// An entry about a room itself.
    pub fn of_room(kind: ActivityKind, room_id: &RoomId, actor: Actor, req: &Request) -> Self {
        let source = source_ip(req);
        Self {
            activity_id: crypto::random_alphanumeric(10),
            at: now_millis(),
            kind,
            room_id: room_id.clone(),
            recording_id: None,
            actor,
            source_ip: (source != "unknown").then_some(source),
            result: Outcome {
                status: StatusCode::OK.as_u16(),
                message: None,
            },
            details: serde_json::json!({}),
        }
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    /// The status the request answered and, for a failure, what the caller was told.
    pub fn answered(mut self, result: &Result<Response<Body>, ApiError>) -> Self {
        self.result = match result {
            Ok(response) => Outcome {
                status: response.status().as_u16(),
                message: None,
            },
            Err(err) => Self::failure(err),
        };
        self
    }

    /// A failed step, such as one recording of a bulk delete.
    pub fn failed(mut self, err: &ApiError) -> Self {
        self.result = Self::failure(err);
        self
    }

    fn failure(err: &ApiError) -> Outcome {
        Outcome {
            status: err.status().as_u16(),
            message: Some(err.public_message().to_owned()),
        }
    }
}
