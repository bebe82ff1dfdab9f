//! Recordings and their identifiers, with the validation the contract asks for.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::crypto;
use crate::permissions::{Principal, RecordingAccess, Role, RoomPolicy};

const MAX_ROOM_ID_LEN: usize = 128;
const MAX_PART_LEN: usize = 64;

/// A room identifier: letters, digits, `-` and `_`, with no `--` (it separates the parts of
/// a recording id) and no `-` at either end (which would make that split ambiguous).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoomId(String);

impl RoomId {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        if s.is_empty() || s.len() > MAX_ROOM_ID_LEN {
            return Err("must be 1 to 128 characters");
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err("may contain only letters, digits, '-' and '_'");
        }
        if s.contains("--") || s.starts_with('-') || s.ends_with('-') {
            return Err("may not contain '--' nor start or end with '-'");
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl RoomId {
    /// A new id for a room called `name`: a slug of the name (at most 40 characters) and a
    /// random suffix, letters, digits and `-` only.
    pub fn generate(name: &str) -> Self {
        let mut slug = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
            if slug.len() >= 40 {
                break;
            }
        }
        let slug = slug.trim_end_matches('-');
        let slug = if slug.is_empty() { "room" } else { slug };
        Self(format!("{slug}-{}", crypto::random_alphanumeric(5)))
    }
}

impl TryFrom<String> for RoomId {
    type Error = &'static str;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<RoomId> for String {
    fn from(id: RoomId) -> Self {
        id.0
    }
}

impl fmt::Display for RoomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `{roomId}--{egressId}--{uid}`: the id names its room, so one request can read the
/// recording and its room together.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RecordingId {
    full: String,
    room: RoomId,
    uid_start: usize,
}

impl RecordingId {
    pub fn new(room: &RoomId, egress_id: &str, uid: &str) -> Result<Self, &'static str> {
        Self::parse(&format!("{room}--{egress_id}--{uid}"))
    }

    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let mut parts = s.split("--");
        let (Some(room), Some(egress), Some(uid), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("must have the form {roomId}--{egressId}--{uid}");
        };
        let room = RoomId::parse(room)?;
        let egress_ok = egress.len() <= MAX_PART_LEN
            && egress
                .strip_prefix("EG_")
                .is_some_and(|rest| !rest.is_empty() && is_alphanumeric(rest));
        if !egress_ok {
            return Err("egressId must be 'EG_' followed by letters and digits");
        }
        if uid.is_empty() || uid.len() > MAX_PART_LEN || !is_alphanumeric(uid) {
            return Err("uid must be 1 to 64 letters and digits");
        }
        Ok(Self {
            full: s.to_owned(),
            room,
            uid_start: s.len() - uid.len(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.full
    }

    pub fn room_id(&self) -> &RoomId {
        &self.room
    }

    pub fn uid(&self) -> &str {
        &self.full[self.uid_start..]
    }

    /// The media server's id for the recording's egress.
    pub fn egress_id(&self) -> &str {
        let start = self.room.as_str().len() + 2;
        &self.full[start..self.uid_start - 2]
    }

    /// The file name the media server gives the video: `{roomId}--{uid}.mp4`.
    pub fn filename(&self) -> String {
        filename(&self.room, self.uid())
    }

    /// Where the media server's egress writes the video in the bucket.
    pub fn s3_key(&self) -> String {
        s3_key(&self.room, self.uid())
    }
}

/// `{roomId}--{uid}.mp4`.
pub fn filename(room: &RoomId, uid: &str) -> String {
    format!("{room}--{uid}.mp4")
}

/// `recordings/{roomId}/{roomId}--{uid}.mp4`: the layout the egress writes, known before
/// the egress (and so the recording id) exists.
pub fn s3_key(room: &RoomId, uid: &str) -> String {
    format!("recordings/{room}/{}", filename(room, uid))
}

/// The uid in a key or file name of that layout.
pub fn uid_of_file(room: &RoomId, path: &str) -> Option<String> {
    let name = path.rsplit('/').next()?;
    let uid = name
        .strip_prefix(room.as_str())?
        .strip_prefix("--")?
        .strip_suffix(".mp4")?;
    (!uid.is_empty() && is_alphanumeric(uid)).then(|| uid.to_owned())
}

fn is_alphanumeric(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl TryFrom<String> for RecordingId {
    type Error = &'static str;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<RecordingId> for String {
    fn from(id: RecordingId) -> Self {
        id.full
    }
}

impl fmt::Display for RecordingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

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
}

impl ShareLink {
    /// The link as listed: never the secret or its digest.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "shareId": self.share_id,
            "access": self.access,
            "creatorRole": self.creator_role,
            "createdAt": self.created_at,
            "expiresAt": self.link_expires_at,
            "revokedAt": self.revoked_at,
        })
    }
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
    fn parses_a_valid_recording_id() {
        let id =
            RecordingId::parse("daily-standup-x7k2m--EG_hT4mVq9Lp2--a1b2c3d4e5").expect("valid id");
        assert_eq!(id.room_id().as_str(), "daily-standup-x7k2m");
        assert_eq!(id.egress_id(), "EG_hT4mVq9Lp2");
        assert_eq!(id.uid(), "a1b2c3d4e5");
        assert_eq!(
            uid_of_file(id.room_id(), &id.s3_key()).as_deref(),
            Some("a1b2c3d4e5")
        );
        assert_eq!(
            uid_of_file(id.room_id(), "recordings/x/other--a1.mp4"),
            None
        );
        assert_eq!(id.filename(), "daily-standup-x7k2m--a1b2c3d4e5.mp4");
        assert_eq!(
            id.s3_key(),
            "recordings/daily-standup-x7k2m/daily-standup-x7k2m--a1b2c3d4e5.mp4"
        );
    }

    #[test]
    fn rejects_malformed_recording_ids() {
        for bad in [
            "",
            "room",
            "room--EG_abc",
            "room--EG_abc--uid--extra",
            "room--eg_abc--uid",
            "room--EG_--uid",
            "room--EG_abc--",
            "room--EG_a-b--uid",
            "room--EG_abc--u_id",
            "ro om--EG_abc--uid",
            "room---EG_abc--uid",
            "-room--EG_abc--uid",
            "room/x--EG_abc--uid",
            "room--EG_abc--uïd",
            "room--EG_abc--uid\n",
            "%2e%2e--EG_abc--uid",
        ] {
            assert!(RecordingId::parse(bad).is_err(), "{bad:?} accepted");
        }
        let long_uid = format!("room--EG_abc--{}", "a".repeat(65));
        assert!(RecordingId::parse(&long_uid).is_err());
        let long_room = format!("{}--EG_abc--uid", "r".repeat(129));
        assert!(RecordingId::parse(&long_room).is_err());
    }

    #[test]
    fn room_ids_allow_underscores_and_single_dashes() {
        assert!(RoomId::parse("a_b-c9").is_ok());
        for bad in ["", "a--b", "-a", "a-", "a b", "a.b", "ä"] {
            assert!(RoomId::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn generated_room_ids_are_valid_slugs_with_a_suffix() {
        for (name, prefix) in [
            ("Daily standup", "daily-standup-"),
            ("  Q3 -- review!! ", "q3-review-"),
            ("Réunion d'équipe", "r-union-d-quipe-"),
            ("", "room-"),
            ("日本語", "room-"),
        ] {
            let id = RoomId::generate(name);
            assert!(id.as_str().starts_with(prefix), "{name:?} -> {id}");
            assert_eq!(id.as_str().len(), prefix.len() + 5);
            assert!(RoomId::parse(id.as_str()).is_ok(), "{id}");
        }
        let long = RoomId::generate(&"abc ".repeat(50));
        assert!(long.as_str().len() <= 46 && RoomId::parse(long.as_str()).is_ok());
        assert_ne!(RoomId::generate("a"), RoomId::generate("a"));
    }

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
