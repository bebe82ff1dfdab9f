//! Exports: several recordings as one ZIP, built by a job and handed out as a presigned URL.

use serde::{Deserialize, Serialize};

use super::{Principal, RecordingId, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportStatus {
    Pending,
    Running,
    Complete,
    Failed,
}

impl ExportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Complete => "complete",
            Self::Failed => "failed",
        }
    }
}

/// One recording in the ZIP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportEntry {
    pub recording_id: RecordingId,
    /// Its name in the ZIP: the recording's filename, made unique.
    pub filename: String,
    /// Bytes.
    pub size: u64,
}

/// Why a recording asked for is not in the ZIP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    Forbidden,
    NotFound,
    NotFinished,
    /// Deleted after the export started, before its turn came.
    Deleted,
}

impl SkipReason {
    pub fn message(self) -> &'static str {
        match self {
            Self::Forbidden => "not allowed to download this recording",
            Self::NotFound => "no such recording",
            Self::NotFinished => "the recording is not complete",
            Self::Deleted => "the recording was deleted while the export ran",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    pub recording_id: RecordingId,
    pub reason: SkipReason,
    pub message: String,
}

impl Skipped {
    pub fn new(recording_id: RecordingId, reason: SkipReason) -> Self {
        Self {
            recording_id,
            reason,
            message: reason.message().to_owned(),
        }
    }
}

/// An export as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Export {
    pub export_id: String,
    pub status: ExportStatus,
    pub recordings: Vec<ExportEntry>,
    pub skipped: Vec<Skipped>,
    /// The ZIP's size in bytes, exact once the job has opened every recording.
    pub total_bytes: u64,
    pub bytes_written: u64,
    /// The ZIP's file name: `recordings-<date>.zip`.
    pub filename: String,
    /// Epoch milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
    /// When the export and its ZIP are removed (epoch milliseconds).
    pub available_until: i64,
    /// Why it failed, for people.
    #[serde(default)]
    pub error: Option<String>,
}

/// Who started an export: an administrator, or a room's participant of a role. Room tokens
/// name no person, so every participant of that role in the room sees the export, which
/// holds nothing they could not download themselves.
pub fn export_owner(principal: &Principal) -> String {
    match principal {
        Principal::Admin => "admin".to_owned(),
        Principal::Participant { room_id, role } => {
            let role = match role {
                Role::Moderator => "moderator",
                Role::Speaker => "speaker",
            };
            format!("room:{room_id}:{role}")
        }
    }
}
