//! Recordings as the API shows them, and their statuses.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{CreatorRole, Principal, RecordingConfig, RecordingId, RoomId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordingStatus {
    Starting,
    Active,
    Ending,
    Complete,
    Failed,
    Aborted,
    LimitReached,
}

impl RecordingStatus {
    pub const ALL: [Self; 7] = [
        Self::Starting,
        Self::Active,
        Self::Ending,
        Self::Complete,
        Self::Failed,
        Self::Aborted,
        Self::LimitReached,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::Active => "active",
            Self::Ending => "ending",
            Self::Complete => "complete",
            Self::Failed => "failed",
            Self::Aborted => "aborted",
            Self::LimitReached => "limit_reached",
        }
    }
}

impl RecordingStatus {
    /// Where a status stands in a recording's life; a recording only moves forward.
    pub fn rank(self) -> u8 {
        match self {
            Self::Starting => 0,
            Self::Active => 1,
            Self::Ending => 2,
            Self::Complete | Self::Failed | Self::Aborted | Self::LimitReached => 3,
        }
    }

    pub fn is_final(self) -> bool {
        self.rank() == 3
    }
}

impl FromStr for RecordingStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or(())
    }
}

/// A recording as the API shows it. Storage keys and internal attributes live only in the
/// store's item type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recording {
    pub recording_id: RecordingId,
    pub room_id: RoomId,
    pub room_name: String,
    /// Given by people (`PATCH`), `null` until then.
    #[serde(default)]
    pub title: Option<String>,
    pub status: RecordingStatus,
    pub filename: String,
    /// Epoch milliseconds.
    pub start_date: i64,
    pub end_date: Option<i64>,
    /// Seconds.
    pub duration: Option<f64>,
    /// Bytes.
    pub size: Option<u64>,
    pub error_code: Option<i32>,
    pub error: Option<String>,
    pub details: Option<String>,
    /// Only while the recording is in its room's recycle bin.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub trash: Option<Trash>,
    /// Shown only to those who may delete the recording ([`Recording::shown_to`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_hold: Option<LegalHold>,
    /// When its room's retention removes it ([`Recording::expiring`]): worked out when it
    /// is shown, never stored (the table's TTL attribute has this name).
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

impl Recording {
    /// The recording with `expiresAt`, when its room's retention (`config`) will remove
    /// it: finished, listed, not on legal hold.
    pub fn expiring(mut self, config: Option<&RecordingConfig>) -> Self {
        let removable = self.status.is_final() && self.trash.is_none() && self.legal_hold.is_none();
        self.expires_at = match (config, self.end_date) {
            (Some(config), Some(end)) if removable => config.expires_at(end),
            _ => None,
        };
        self
    }

    /// The recording as `may_delete` says a caller may see it: a legal hold concerns only
    /// those who could remove the recording.
    pub fn shown_to(mut self, may_delete: bool) -> Self {
        if !may_delete {
            self.legal_hold = None;
        }
        self
    }
}

/// Who did something to a recording: a principal's kind and role, or its room's
/// retention; never a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActedBy {
    pub kind: ActedByKind,
    pub role: Option<CreatorRole>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ActedByKind {
    Admin,
    Participant,
    /// The room's retention, removing a recording it no longer keeps.
    Retention,
}

impl ActedBy {
    pub fn of(principal: &Principal) -> Self {
        Self {
            kind: match principal {
                Principal::Admin => ActedByKind::Admin,
                Principal::Participant { .. } => ActedByKind::Participant,
            },
            role: Some(CreatorRole::of(principal)),
        }
    }

    pub fn retention() -> Self {
        Self {
            kind: ActedByKind::Retention,
            role: None,
        }
    }
}

/// A recording's stay in the recycle bin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trash {
    /// Epoch milliseconds.
    pub trashed_at: i64,
    /// When the purge deletes it for good (epoch milliseconds).
    pub purge_at: i64,
    pub deleted_by: ActedBy,
}

/// How a recording came to be deleted for good, as its `recordingDeleted` event says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Deletion {
    /// At once, by someone's delete (in a room without a recycle bin, or a permanent one).
    Permanent,
    /// By the purge, once its time in the recycle bin was over.
    Purged,
    /// By its room's retention, in a room that keeps no recycle bin.
    Retention,
    /// With its room.
    RoomDeleted,
}

impl Deletion {
    pub const ALL: [Self; 4] = [
        Self::Permanent,
        Self::Purged,
        Self::Retention,
        Self::RoomDeleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Permanent => "permanent",
            Self::Purged => "purged",
            Self::Retention => "retention",
            Self::RoomDeleted => "roomDeleted",
        }
    }
}

/// Why and since when a recording cannot be removed, and who said so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalHold {
    pub reason: String,
    pub by: ActedBy,
    /// Epoch milliseconds.
    pub since: i64,
}

/// `fields=a,b,c`: the names a response keeps; unknown names are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSelection(Option<Vec<String>>);

impl FieldSelection {
    pub fn parse(raw: Option<&str>) -> Self {
        Self(raw.map(|r| {
            r.split(',')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect()
        }))
    }

    /// Serializes `value` keeping only the selected top-level fields.
    pub fn apply<T: Serialize>(&self, value: &T) -> serde_json::Value {
        let mut json = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        if let (Some(fields), serde_json::Value::Object(map)) = (&self.0, &mut json) {
            map.retain(|k, _| fields.iter().any(|f| f == k));
        }
        json
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_through_its_name() {
        for s in RecordingStatus::ALL {
            assert_eq!(s.as_str().parse::<RecordingStatus>(), Ok(s));
            assert_eq!(
                serde_json::to_value(s).expect("serializes"),
                serde_json::json!(s.as_str())
            );
        }
        assert!("deleting".parse::<RecordingStatus>().is_err());
    }

    #[test]
    fn field_selection_keeps_only_named_known_fields() {
        let value = serde_json::json!({"a": 1, "b": 2, "c": 3});
        let picked = FieldSelection::parse(Some("a, c,unknown,")).apply(&value);
        assert_eq!(picked, serde_json::json!({"a": 1, "c": 3}));
        assert_eq!(FieldSelection::parse(None).apply(&value), value);
    }
}
