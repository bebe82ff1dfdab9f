//! Who calls, and the room settings that decide what they may do (decided in
//! `permissions`).

use serde::{Deserialize, Serialize};

use super::RoomId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Moderator,
    Speaker,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Moderator => "moderator",
            Self::Speaker => "speaker",
        }
    }
}

/// A room's `config.recording.allowAccessTo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordingAccess {
    Admin,
    AdminModerator,
    #[default]
    AdminModeratorSpeaker,
}

impl RecordingAccess {
    pub const ALL: [Self; 3] = [
        Self::Admin,
        Self::AdminModerator,
        Self::AdminModeratorSpeaker,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::AdminModerator => "admin_moderator",
            Self::AdminModeratorSpeaker => "admin_moderator_speaker",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Who is calling, once their credential has been verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An API key or an admin token: may do everything, in every room.
    Admin,
    /// A room token: a meeting participant of one room.
    Participant { room_id: RoomId, role: Role },
}

/// The facts about a room that decisions depend on, read at request time.
#[derive(Debug, Clone, Copy)]
pub struct RoomPolicy<'a> {
    pub room_id: &'a RoomId,
    pub access: RecordingAccess,
    pub recording_enabled: bool,
    /// Neither closed nor closing: participants are admitted.
    pub open: bool,
}
