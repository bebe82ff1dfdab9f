//! Room and recording identifiers, and the storage layout they name.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::crypto;

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
}
