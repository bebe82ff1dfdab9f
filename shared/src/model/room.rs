//! Rooms: their recording config and the secrets that admit moderators and speakers.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::RoomId;
use crate::crypto;
use crate::permissions::{RecordingAccess, Role, RoomPolicy};

/// A room's `config.recording`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordingConfig {
    pub enabled: bool,
    pub allow_access_to: RecordingAccess,
}

impl Default for RecordingConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            allow_access_to: RecordingAccess::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RoomConfig {
    pub recording: RecordingConfig,
}

/// A secret that admits to a room with a role. Never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoomSecret(String);

impl RoomSecret {
    /// 192 random bits.
    pub fn generate() -> Self {
        Self(crypto::random_token(24))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    fn matches(&self, presented: &str) -> bool {
        crypto::constant_time_eq(self.0.as_bytes(), presented.as_bytes())
    }
}

impl fmt::Debug for RoomSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RoomSecret(<redacted>)")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Room {
    pub room_id: RoomId,
    pub room_name: String,
    /// Epoch milliseconds.
    pub creation_date: i64,
    pub config: RoomConfig,
    pub moderator_secret: RoomSecret,
    pub speaker_secret: RoomSecret,
}

impl Room {
    pub fn new(room_name: String, config: RoomConfig, creation_date: i64) -> Self {
        Self {
            room_id: RoomId::generate(&room_name),
            room_name,
            creation_date,
            config,
            moderator_secret: RoomSecret::generate(),
            speaker_secret: RoomSecret::generate(),
        }
    }

    pub fn policy(&self) -> RoomPolicy<'_> {
        RoomPolicy {
            room_id: &self.room_id,
            access: self.config.recording.allow_access_to,
            recording_enabled: self.config.recording.enabled,
        }
    }

    /// The role a presented secret admits to; both secrets are always compared.
    pub fn role_for_secret(&self, presented: &str) -> Option<Role> {
        let moderator = self.moderator_secret.matches(presented);
        let speaker = self.speaker_secret.matches(presented);
        match (moderator, speaker) {
            (true, _) => Some(Role::Moderator),
            (false, true) => Some(Role::Speaker),
            (false, false) => None,
        }
    }

    /// The room as the API shows it; the URLs carry the secrets, so only administrators
    /// get them.
    pub fn to_json(&self, public_base_url: &str, with_urls: bool) -> serde_json::Value {
        let mut json = serde_json::json!({
            "roomId": self.room_id,
            "roomName": self.room_name,
            "creationDate": self.creation_date,
            "config": self.config,
        });
        if with_urls {
            let url = |secret: &RoomSecret| {
                format!(
                    "{public_base_url}/room/{}?secret={}",
                    self.room_id,
                    secret.expose()
                )
            };
            json["moderatorUrl"] = url(&self.moderator_secret).into();
            json["speakerUrl"] = url(&self.speaker_secret).into();
        }
        json
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_secrets_admit_to_their_role_only() {
        let room = Room::new("Standup".into(), RoomConfig::default(), 0);
        assert_ne!(room.moderator_secret, room.speaker_secret);
        assert!(room.moderator_secret.expose().len() >= 32);
        let m = room.moderator_secret.expose().to_owned();
        let s = room.speaker_secret.expose().to_owned();
        assert_eq!(room.role_for_secret(&m), Some(Role::Moderator));
        assert_eq!(room.role_for_secret(&s), Some(Role::Speaker));
        assert_eq!(room.role_for_secret(""), None);
        assert_eq!(room.role_for_secret(&m[1..]), None);
        assert!(!format!("{room:?}").contains(&m));
    }

    #[test]
    fn only_urls_carry_the_secrets() {
        let room = Room::new("Standup".into(), RoomConfig::default(), 0);
        let secret = room.speaker_secret.expose();
        let public = room.to_json("http://x", false).to_string();
        assert!(!public.contains(secret) && !public.contains("Url"));
        let admin = room.to_json("http://x", true);
        assert_eq!(
            admin["speakerUrl"],
            format!("http://x/room/{}?secret={secret}", room.room_id)
        );
        assert_eq!(
            admin["config"],
            serde_json::json!({"recording": {"enabled": true, "allowAccessTo": "admin_moderator_speaker"}})
        );
    }
}
