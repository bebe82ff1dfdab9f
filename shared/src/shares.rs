//! Share links: their secrets, opening one, and reading a recording through one or
//! through the caller's own credentials.
//!
//! A secret is `<shareId>.<192 random bits>`: the id part lets opening read the link, its
//! recording and the room in one round trip; only the SHA-256 of the whole secret is
//! stored, compared in constant time. A link never grants more than its creator has now.

use crate::access::authorized_recording;
use crate::crypto;
use crate::error::{ApiError, Category};
use crate::model::{CreatorRole, Principal, Recording, RecordingId, ShareAccess, ShareLink};
use crate::permissions::{Action, authorize, is_allowed};
use crate::store::Store;

const SHARE_ID_LEN: usize = 12;
const SECRET_RANDOM_BYTES: usize = 24;
/// Live (neither revoked nor expired) links a recording may have at once: bounds what
/// deleting it must find and remove.
pub const MAX_LIVE_LINKS: u32 = 100;
/// Longest `expiresIn` accepted: a year.
pub const MAX_EXPIRES_IN_SECONDS: i64 = 365 * 24 * 60 * 60;

/// Loads a recording the caller may read (get, play, download), in one DynamoDB round
/// trip: with a share link's `?secret=`, through the link; otherwise through the caller's
/// credentials, which `caller` authenticates only when needed. Someone who may not read
/// the room's recordings gets 403 whether or not the recording exists.
pub async fn readable_recording(
    store: &Store,
    id: &RecordingId,
    secret: Option<&str>,
    caller: impl FnOnce() -> Result<Principal, ApiError>,
    now_ms: i64,
) -> Result<Recording, ApiError> {
    if let Some(secret) = secret {
        return open(store, id, secret, caller, now_ms)
            .await?
            .map_err(Refusal::to_error);
    }
    authorized_recording(store, &caller()?, id, Action::ReadRecording).await
}

/// A new link and its secret, which only the response that creates it carries.
pub fn new_link(
    creator: &Principal,
    access: ShareAccess,
    now_ms: i64,
    expires_in_seconds: Option<i64>,
) -> (ShareLink, String) {
    let share_id = crypto::random_alphanumeric(SHARE_ID_LEN);
    let secret = format!("{share_id}.{}", crypto::random_token(SECRET_RANDOM_BYTES));
    let link = ShareLink {
        share_id,
        access,
        creator_role: CreatorRole::of(creator),
        created_at: now_ms,
        link_expires_at: expires_in_seconds.map(|s| now_ms + s * 1000),
        revoked_at: None,
        secret_hash: crypto::sha256_hex(secret.as_bytes()),
    };
    (link, secret)
}

/// The share id a well-formed secret names.
fn share_id_of(secret: &str) -> Option<&str> {
    let (id, random) = secret.split_once('.')?;
    let well_formed = id.len() == SHARE_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && (1..=64).contains(&random.len())
        && random
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    well_formed.then_some(id)
}

/// Why a share link does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No such link for this recording (tampered, another recording's, or deleted).
    Unknown,
    Expired,
    Revoked,
    /// The link is fine but the recording is being deleted.
    RecordingGone,
    /// The creator's role no longer has access to the room's recordings.
    CreatorLostAccess,
}

impl Refusal {
    pub fn to_error(self) -> ApiError {
        let gone = |message: &str| ApiError::Gone {
            category: Category::Share,
            message: message.to_owned(),
        };
        match self {
            Self::Unknown => ApiError::Unauthenticated("Invalid share secret"),
            Self::Expired => gone("This share link has expired"),
            Self::Revoked => gone("This share link has been revoked"),
            Self::RecordingGone => gone("The shared recording has been deleted"),
            Self::CreatorLostAccess => {
                ApiError::Forbidden("This share link no longer grants access".into())
            }
        }
    }
}

/// What opening a link found: the recording, or why not. A private link's extra check
/// (the credentials `caller` authenticates) comes after, as an [`ApiError`].
pub async fn open(
    store: &Store,
    id: &RecordingId,
    secret: &str,
    caller: impl FnOnce() -> Result<Principal, ApiError>,
    now_ms: i64,
) -> Result<Result<Recording, Refusal>, ApiError> {
    let Some(share_id) = share_id_of(secret) else {
        return Ok(Err(Refusal::Unknown));
    };
    let opening = store.load_share_opening(id, share_id).await?;
    let digest = crypto::sha256_hex(secret.as_bytes());
    let Some(link) = opening
        .link
        .filter(|l| crypto::constant_time_eq(l.secret_hash.as_bytes(), digest.as_bytes()))
    else {
        return Ok(Err(Refusal::Unknown));
    };
    if link.revoked_at.is_some() {
        return Ok(Err(Refusal::Revoked));
    }
    if link.link_expires_at.is_some_and(|t| t <= now_ms) {
        return Ok(Err(Refusal::Expired));
    }
    let Some(stored) = opening.recording.filter(|r| !r.deleting) else {
        return Ok(Err(Refusal::RecordingGone));
    };
    let room = opening.room.as_ref();
    let creator = link.creator_role.as_principal(id.room_id());
    let policy = room.map(|r| r.policy());
    if !is_allowed(&creator, Action::ReadRecording, policy.as_ref()) {
        return Ok(Err(Refusal::CreatorLostAccess));
    }
    if link.access == ShareAccess::Private {
        authorize(&caller()?, Action::ReadRecording, room)?;
    }
    Ok(Ok(stored.recording))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_name_their_link_and_are_stored_as_digests() {
        let (link, secret) = new_link(&Principal::Admin, ShareAccess::Public, 1_000, Some(60));
        assert_eq!(share_id_of(&secret), Some(link.share_id.as_str()));
        assert_eq!(link.secret_hash, crypto::sha256_hex(secret.as_bytes()));
        assert!(!link.secret_hash.contains(&secret));
        assert_eq!(link.link_expires_at, Some(61_000));
        assert_eq!(link.creator_role, CreatorRole::Admin);
        // 192 random bits after the id.
        let random = secret.split_once('.').map(|(_, r)| r).unwrap_or_default();
        assert_eq!(random.len(), 32);
        let (_, other) = new_link(&Principal::Admin, ShareAccess::Public, 1_000, None);
        assert_ne!(secret, other);
    }

    #[test]
    fn malformed_secrets_name_no_link() {
        for bad in [
            "",
            ".",
            "abc",
            "abcdefghijkl.",
            "ABCDEFGHIJKL.xyz",
            "abcdefghijk.xyz",
            "abcdefghijkl.x y",
            "abcdefghijkl.a.b",
        ] {
            assert_eq!(share_id_of(bad), None, "{bad:?}");
        }
        assert_eq!(
            share_id_of(&format!("abcdefghijkl.{}", "a".repeat(65))),
            None
        );
    }
}
