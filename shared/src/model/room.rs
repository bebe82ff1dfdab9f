//! Rooms: their recording config and the secrets that admit moderators and speakers.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{RecordingAccess, Role, RoomId, RoomPolicy};
use crate::crypto;

/// Days a deleted recording stays in its room's recycle bin unless the room says otherwise.
pub const DEFAULT_TRASH_DAYS: u8 = 7;
/// The most days a room may keep deleted recordings.
pub const MAX_TRASH_DAYS: u8 = 90;
/// The longest retention a room may set: ten years.
pub const MAX_RETENTION_DAYS: u16 = 3650;

/// A room's `config.recording`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordingConfig {
    pub enabled: bool,
    pub allow_access_to: RecordingAccess,
    /// Days a deleted recording can be restored; 0 makes deletes permanent at once.
    /// Rooms stored before the recycle bin existed take the default.
    #[serde(default = "default_trash_days")]
    pub trash_days: u8,
    /// Days after they end that recordings are removed (to the bin, or for good);
    /// absent: kept forever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u16>,
}

fn default_trash_days() -> u8 {
    DEFAULT_TRASH_DAYS
}

impl Default for RecordingConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            allow_access_to: RecordingAccess::default(),
            trash_days: DEFAULT_TRASH_DAYS,
            retention_days: None,
        }
    }
}

impl RecordingConfig {
    /// Until when a recording deleted at `now_ms` can be restored; `None` when deletes in
    /// this room are permanent.
    pub fn restorable_until(&self, now_ms: i64) -> Option<i64> {
        (self.trash_days > 0).then(|| now_ms + i64::from(self.trash_days) * DAY_MS)
    }

    /// When retention removes a recording that ended at `end_ms`; `None` when the room keeps
    /// recordings forever.
    pub fn expires_at(&self, end_ms: i64) -> Option<i64> {
        self.retention_days
            .map(|days| end_ms + i64::from(days) * DAY_MS)
    }
}

pub(crate) const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A setting of the meeting application's (`config.chat`, `config.virtualBackground`):
/// stored and returned as given; this service does not act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Toggle {
    pub enabled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomConfig {
    pub recording: RecordingConfig,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat: Option<Toggle>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_background: Option<Toggle>,
}

/// Where a room stands: open, closed (its links stop working and it records no more; its
/// recordings stay, for administrators), or closing (being deleted with its recordings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomStatus {
    #[default]
    Open,
    Closed,
    Closing,
}

/// What deleting a room does with its recordings (OpenVidu Meet's `withRecordings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithRecordings {
    /// Refuse while the room has any.
    Fail,
    /// Delete them all, for good.
    Force,
    /// Keep them, and close the room instead.
    Close,
}

/// What deleting a room does while one of its recordings runs (`withMeeting`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithMeeting {
    Fail,
    /// Stop the recording first.
    Force,
    /// Wait until it ends.
    WhenMeetingEnds,
}

/// When and how a room deletes itself (`autoDeletionPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoDeletionPolicy {
    pub with_meeting: WithMeeting,
    pub with_recordings: WithRecordings,
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

    fn digest(&self) -> String {
        crypto::sha256_hex(self.0.as_bytes())
    }
}

impl fmt::Debug for RoomSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RoomSecret(<redacted>)")
    }
}

/// A room's secrets in plaintext: they are in its moderator and speaker URLs, which only
/// administrators are shown. Stored apart from the room, where only the rooms function may
/// read them; everything else sees the room's [`SecretDigests`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomSecrets {
    #[serde(rename = "moderatorSecret")]
    pub moderator: RoomSecret,
    #[serde(rename = "speakerSecret")]
    pub speaker: RoomSecret,
}

impl RoomSecrets {
    pub fn generate() -> Self {
        Self {
            moderator: RoomSecret::generate(),
            speaker: RoomSecret::generate(),
        }
    }

    pub fn digests(&self) -> SecretDigests {
        SecretDigests {
            moderator: self.moderator.digest(),
            speaker: self.speaker.digest(),
        }
    }
}

/// SHA-256 digests (hex) of a room's secrets: all that exchanging a secret for a token
/// needs, and of no use for finding one (192 random bits each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretDigests {
    #[serde(rename = "moderatorSecretHash")]
    moderator: String,
    #[serde(rename = "speakerSecretHash")]
    speaker: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Room {
    pub room_id: RoomId,
    pub room_name: String,
    /// Epoch milliseconds.
    pub creation_date: i64,
    pub config: RoomConfig,
    #[serde(flatten)]
    pub secret_digests: SecretDigests,
    /// Who holds the room's one-recording-at-a-time lock, and until when (epoch ms): read
    /// with the room, written only by the lock's own conditional updates.
    #[serde(rename = "activeRecording", default, skip_serializing)]
    pub lock_holder: Option<String>,
    #[serde(rename = "activeUntil", default, skip_serializing)]
    pub lock_until: Option<i64>,
    #[serde(default)]
    pub status: RoomStatus,
    /// A deletion waiting for the running recording to end, with what it does to the
    /// room's recordings then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_pending: Option<WithRecordings>,
    /// Epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_deletion_date: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_deletion_policy: Option<AutoDeletionPolicy>,
}

/// How a start request holds a room's lock until the media server names the recording.
pub const PENDING_LOCK_PREFIX: &str = "PENDING#";

/// What holds a room's recording lock at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordingLock<'a> {
    Free,
    /// A start request waits for the media server.
    Starting,
    /// The recording with this id runs (or has just ended and not yet let go).
    Held(&'a str),
}

impl Room {
    /// A new room, with an id made from its name, admitting with `secrets`.
    pub fn new(
        room_name: String,
        config: RoomConfig,
        creation_date: i64,
        secrets: &RoomSecrets,
    ) -> Self {
        Self {
            room_id: RoomId::generate(&room_name),
            room_name,
            creation_date,
            config,
            secret_digests: secrets.digests(),
            lock_holder: None,
            lock_until: None,
            status: RoomStatus::Open,
            deletion_pending: None,
            auto_deletion_date: None,
            auto_deletion_policy: None,
        }
    }

    pub fn recording_lock(&self, now_ms: i64) -> RecordingLock<'_> {
        match (self.lock_holder.as_deref(), self.lock_until) {
            (Some(holder), Some(until)) if until >= now_ms => {
                if holder.starts_with(PENDING_LOCK_PREFIX) {
                    RecordingLock::Starting
                } else {
                    RecordingLock::Held(holder)
                }
            }
            _ => RecordingLock::Free,
        }
    }

    /// A closed or closing room admits no participant and records no more.
    pub fn policy(&self) -> RoomPolicy<'_> {
        let open = self.status == RoomStatus::Open;
        RoomPolicy {
            room_id: &self.room_id,
            access: self.config.recording.allow_access_to,
            recording_enabled: self.config.recording.enabled && open,
            open,
        }
    }

    /// The role a presented secret admits to; both digests are always compared, in
    /// constant time.
    pub fn role_for_secret(&self, presented: &str) -> Option<Role> {
        let digest = crypto::sha256_hex(presented.as_bytes());
        let digests = &self.secret_digests;
        let moderator = crypto::constant_time_eq(digest.as_bytes(), digests.moderator.as_bytes());
        let speaker = crypto::constant_time_eq(digest.as_bytes(), digests.speaker.as_bytes());
        match (moderator, speaker) {
            (true, _) => Some(Role::Moderator),
            (false, true) => Some(Role::Speaker),
            (false, false) => None,
        }
    }

    /// The room as the API shows it; with its secrets (administrators only), its moderator
    /// and speaker URLs, which carry them.
    pub fn to_json(
        &self,
        console_origin: &str,
        secrets: Option<&RoomSecrets>,
    ) -> serde_json::Value {
        let mut json = serde_json::json!({
            "roomId": self.room_id,
            "roomName": self.room_name,
            "creationDate": self.creation_date,
            "config": self.config,
            "status": self.status,
            // OpenVidu Meet's name for what happens when the running recording ends.
            "meetingEndAction": match self.deletion_pending {
                None => "none",
                Some(WithRecordings::Close) => "close",
                Some(_) => "delete",
            },
        });
        if let Some(date) = self.auto_deletion_date {
            json["autoDeletionDate"] = date.into();
        }
        if let Some(policy) = self.auto_deletion_policy {
            json["autoDeletionPolicy"] = serde_json::json!(policy);
        }
        if let Some(secrets) = secrets {
            let url = |secret: &RoomSecret| {
                format!(
                    "{console_origin}/room/{}?secret={}",
                    self.room_id,
                    secret.expose()
                )
            };
            json["moderatorUrl"] = url(&secrets.moderator).into();
            json["speakerUrl"] = url(&secrets.speaker).into();
        }
        json
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_secrets_admit_to_their_role_only() {
        let secrets = RoomSecrets::generate();
        let room = Room::new("Standup".into(), RoomConfig::default(), 0, &secrets);
        assert_ne!(secrets.moderator, secrets.speaker);
        assert!(secrets.moderator.expose().len() >= 32);
        let m = secrets.moderator.expose().to_owned();
        let s = secrets.speaker.expose().to_owned();
        assert_eq!(room.role_for_secret(&m), Some(Role::Moderator));
        assert_eq!(room.role_for_secret(&s), Some(Role::Speaker));
        assert_eq!(room.role_for_secret(""), None);
        assert_eq!(room.role_for_secret(&m[1..]), None);
        // What a digest is, is no secret that admits.
        let digest = crypto::sha256_hex(m.as_bytes());
        assert_eq!(room.role_for_secret(&digest), None);
        assert!(!format!("{room:?}{secrets:?}").contains(&m));
    }

    #[test]
    fn the_stored_room_holds_digests_only() {
        let secrets = RoomSecrets::generate();
        let room = Room::new("Standup".into(), RoomConfig::default(), 0, &secrets);
        let stored = serde_json::to_string(&room).expect("serializes");
        assert!(!stored.contains(secrets.moderator.expose()));
        assert!(!stored.contains(secrets.speaker.expose()));
        assert!(stored.contains(&crypto::sha256_hex(secrets.speaker.expose().as_bytes())));
    }

    #[test]
    fn only_urls_carry_the_secrets() {
        let secrets = RoomSecrets::generate();
        let room = Room::new("Standup".into(), RoomConfig::default(), 0, &secrets);
        let secret = secrets.speaker.expose();
        let public = room.to_json("http://x", None).to_string();
        assert!(!public.contains(secret) && !public.contains("Url") && !public.contains("Hash"));
        let admin = room.to_json("http://x", Some(&secrets));
        assert_eq!(
            admin["speakerUrl"],
            format!("http://x/room/{}?secret={secret}", room.room_id)
        );
        assert_eq!(
            admin["config"],
            serde_json::json!({"recording": {"enabled": true, "allowAccessTo": "admin_moderator_speaker", "trashDays": 7}})
        );
    }
}
