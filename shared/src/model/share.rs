//! Share links of recordings.

use serde::{Deserialize, Serialize};

use super::{Principal, Role, RoomId};

/// Who may open a share link: anyone holding it, or only those who may also read the
/// room's recordings with their own credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareAccess {
    Public,
    Private,
}

/// The role of whoever made a share link: the link never grants more than that role has
/// in the room now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreatorRole {
    Admin,
    Moderator,
    Speaker,
}

impl CreatorRole {
    pub fn of(principal: &Principal) -> Self {
        match principal {
            Principal::Admin => Self::Admin,
            Principal::Participant {
                role: Role::Moderator,
                ..
            } => Self::Moderator,
            Principal::Participant {
                role: Role::Speaker,
                ..
            } => Self::Speaker,
        }
    }

    /// The principal the creator would be in `room` today.
    pub fn as_principal(self, room: &RoomId) -> Principal {
        let participant = |role| Principal::Participant {
            room_id: room.clone(),
            role,
        };
        match self {
            Self::Admin => Principal::Admin,
            Self::Moderator => participant(Role::Moderator),
            Self::Speaker => participant(Role::Speaker),
        }
    }
}

/// A share link of one recording. Its secret is kept only as a SHA-256 digest: it has
/// 192 random bits, so a fast hash suffices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShareLink {
    pub share_id: String,
    pub access: ShareAccess,
    pub creator_role: CreatorRole,
    /// Epoch milliseconds.
    pub created_at: i64,
    /// Epoch milliseconds; `None` for a link that does not expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_expires_at: Option<i64>,
    /// Epoch milliseconds. Left out while unset, so that a revoke sets it only once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
    pub secret_hash: String,
    /// `false` for a play-only link.
    #[serde(default = "yes")]
    pub allow_download: bool,
    /// The argon2id hash (PHC string) of the password the link asks for, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_views: Option<u32>,
    /// Views so far, counted by the store's conditional increments.
    #[serde(default)]
    pub views: u32,
}

fn yes() -> bool {
    true
}

impl ShareLink {
    /// Neither revoked nor expired at `now_ms`.
    pub fn is_live(&self, now_ms: i64) -> bool {
        self.revoked_at.is_none() && self.link_expires_at.is_none_or(|t| t > now_ms)
    }

    /// Whether every view it allows has been used.
    pub fn used_up(&self) -> bool {
        self.max_views.is_some_and(|max| self.views >= max)
    }

    /// The link as listed: never the secret, the password or their digests.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "shareId": self.share_id,
            "access": self.access,
            "creatorRole": self.creator_role,
            "createdAt": self.created_at,
            "expiresAt": self.link_expires_at,
            "revokedAt": self.revoked_at,
            "allowDownload": self.allow_download,
            "passwordRequired": self.password_hash.is_some(),
            "maxViews": self.max_views,
            "views": self.views,
        })
    }
}
