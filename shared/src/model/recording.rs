//! Recordings as the API shows them, and their statuses.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{RecordingId, RoomId};

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
