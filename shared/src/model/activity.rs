//! Entries of the activity trail: who did what with a recording or a room, when, from
//! where, and how it went. Never a secret, a password or a token.

use serde::{Deserialize, Serialize};

use super::{CreatorRole, Principal, RecordingId, RoomId, ShareLink};

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ActivityKind {
    Played,
    Downloaded,
    ShareCreated,
    ShareOpened,
    ShareRevoked,
    Deleted,
    Restored,
    LegalHoldSet,
    LegalHoldReleased,
    TitleChanged,
    RoomConfigChanged,
}

impl ActivityKind {
    pub const ALL: [Self; 11] = [
        Self::Played,
        Self::Downloaded,
        Self::ShareCreated,
        Self::ShareOpened,
        Self::ShareRevoked,
        Self::Deleted,
        Self::Restored,
        Self::LegalHoldSet,
        Self::LegalHoldReleased,
        Self::TitleChanged,
        Self::RoomConfigChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Played => "played",
            Self::Downloaded => "downloaded",
            Self::ShareCreated => "shareCreated",
            Self::ShareOpened => "shareOpened",
            Self::ShareRevoked => "shareRevoked",
            Self::Deleted => "deleted",
            Self::Restored => "restored",
            Self::LegalHoldSet => "legalHoldSet",
            Self::LegalHoldReleased => "legalHoldReleased",
            Self::TitleChanged => "titleChanged",
            Self::RoomConfigChanged => "roomConfigChanged",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ActorKind {
    /// An API key or an administrator's token.
    Admin,
    /// A room token.
    Participant,
    /// Whoever held a share link.
    ShareLink,
}

/// Who did it: a principal's kind and role (its room is the entry's), or a share link's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    pub kind: ActorKind,
    pub role: Option<CreatorRole>,
    pub share_id: Option<String>,
    /// A participant's own room: what it tries in another room is no part of that room's
    /// trail (see `ActivityLog::record`).
    #[serde(skip)]
    pub room_id: Option<RoomId>,
}

impl Actor {
    pub fn of(principal: &Principal) -> Self {
        Self {
            kind: match principal {
                Principal::Admin => ActorKind::Admin,
                Principal::Participant { .. } => ActorKind::Participant,
            },
            role: Some(CreatorRole::of(principal)),
            share_id: None,
            room_id: match principal {
                Principal::Admin => None,
                Principal::Participant { room_id, .. } => Some(room_id.clone()),
            },
        }
    }

    pub fn link(link: &ShareLink) -> Self {
        Self {
            kind: ActorKind::ShareLink,
            role: None,
            share_id: Some(link.share_id.clone()),
            room_id: None,
        }
    }
}

/// How it went: the status answered and, for a failure, the message the caller was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One entry, as the activity routes return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    pub activity_id: String,
    /// Epoch milliseconds.
    pub at: i64,
    pub kind: ActivityKind,
    pub room_id: RoomId,
    pub recording_id: Option<RecordingId>,
    pub actor: Actor,
    pub source_ip: Option<String>,
    pub result: Outcome,
    /// What the kind says more: a link's options, a new title, a room's new settings.
    pub details: serde_json::Value,
}
