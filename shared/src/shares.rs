//! Share links: their secrets, opening one, and reading a recording through one or
//! through the caller's own credentials.
//!
//! A secret is `<shareId>.<192 random bits>`: the id part lets opening read the link, its
//! recording and the room in one round trip; only the SHA-256 of the whole secret is
//! stored, compared in constant time. A link never grants more than its creator has now.
//! A link may also be play-only, ask for a password (throttled like logins) and allow a
//! number of views, counted atomically.

use crate::access::authorized_recording;
use crate::crypto;
use crate::error::{ApiError, Category};
use crate::model::Room;
use crate::model::{
    Actor, CreatorRole, Principal, Recording, RecordingId, RecordingStatus, ShareAccess, ShareLink,
};
use crate::permissions::{Action, authorize, is_allowed};
use crate::share_options::LinkOptions;
use crate::store::{ShareOpening, Store, StoredRecording, ViewCounted};
use crate::throttle::{self, Target};

const SHARE_ID_LEN: usize = 12;
const SECRET_RANDOM_BYTES: usize = 24;
/// Live (neither revoked nor expired) links a recording may have at once: bounds what
/// deleting it must find and remove.
pub const MAX_LIVE_LINKS: u32 = 100;

/// Why a link is being opened: reading the metadata is not a view; playing, downloading
/// and opening the recipient's page are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Read,
    Play,
    Download,
    Page,
}

/// One opening of a link, as its visitor presents it.
#[derive(Clone, Copy)]
pub struct Visit<'a> {
    pub secret: &'a str,
    /// The password the visitor gave, if any.
    pub password: Option<&'a str>,
    /// The visitor's address, which wrong passwords are counted against.
    pub source: &'a str,
    pub purpose: Purpose,
    /// The recipient page's own reload: this browser gave the password and had its view
    /// counted already (see `view_pass`).
    pub counted_already: bool,
}

/// A recording read for someone: who they are, once known (a principal, or a link whose
/// secret proved genuine), and the recording or why not.
pub struct Reading {
    pub actor: Option<Actor>,
    pub recording: Result<Recording, ApiError>,
}

/// Loads a recording the caller may read (get, play, download), in one DynamoDB round
/// trip: with a share link's `?secret=`, through the link; otherwise through the caller's
/// credentials, which `caller` authenticates only when needed. Someone who may not read
/// the room's recordings gets 403 whether or not the recording exists.
pub async fn readable_recording(
    store: &Store,
    id: &RecordingId,
    visit: Option<Visit<'_>>,
    caller: impl FnOnce() -> Result<Principal, ApiError>,
    now_ms: i64,
) -> Reading {
    if let Some(visit) = visit {
        return match open(store, id, visit, caller, now_ms).await {
            Ok(opening) => Reading {
                actor: opening.link.as_ref().map(Actor::link),
                recording: opening.outcome.map_err(Refusal::into_error),
            },
            Err(err) => Reading {
                actor: None,
                recording: Err(err),
            },
        };
    }
    match caller() {
        Ok(principal) => Reading {
            actor: Some(Actor::of(&principal)),
            recording: authorized_recording(store, &principal, id, Action::ReadRecording).await,
        },
        Err(err) => Reading {
            actor: None,
            recording: Err(err),
        },
    }
}

/// A new link and its secret, which only the response that creates it carries.
pub fn new_link(
    creator: &Principal,
    options: &LinkOptions,
    now_ms: i64,
) -> Result<(ShareLink, String), ApiError> {
    let share_id = crypto::random_alphanumeric(SHARE_ID_LEN);
    let secret = format!("{share_id}.{}", crypto::random_token(SECRET_RANDOM_BYTES));
    let link = ShareLink {
        share_id,
        access: options.access,
        creator_role: CreatorRole::of(creator),
        created_at: now_ms,
        link_expires_at: options.expires_in_seconds.map(|s| now_ms + s * 1000),
        revoked_at: None,
        secret_hash: crypto::sha256_hex(secret.as_bytes()),
        allow_download: options.allow_download,
        password_hash: options.password_hash()?,
        max_views: options.max_views,
        views: 0,
    };
    Ok((link, secret))
}

/// The share id a well-formed secret names.
pub fn share_id_of(secret: &str) -> Option<&str> {
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
#[derive(Debug)]
pub enum Refusal {
    /// No such link for this recording (tampered, another recording's, or deleted).
    Unknown,
    Expired,
    Revoked,
    /// The link is fine but the recording is being deleted.
    RecordingGone,
    /// The creator's role no longer has access to the room's recordings.
    CreatorLostAccess,
    /// A private link, and the caller's own credentials are missing or do not allow it.
    Caller(ApiError),
    PasswordRequired,
    WrongPassword,
    /// Too many wrong passwords from this source; retry then.
    Throttled {
        retry_after_seconds: i64,
    },
    /// A play-only link, asked for a download.
    PlayOnly,
    ViewLimitReached,
}

impl Refusal {
    pub fn into_error(self) -> ApiError {
        let gone = |message: &str| ApiError::Gone {
            category: Category::Share,
            message: message.to_owned(),
        };
        match self {
            Self::Unknown => ApiError::Unauthenticated("Invalid share secret"),
            Self::Expired => gone("This share link has expired"),
            Self::Revoked => gone("This share link has been revoked"),
            // Deleted, being deleted, or in its room's recycle bin: as if it did not exist.
            Self::RecordingGone => ApiError::NotFound {
                category: Category::Recording,
                message: "The shared recording is not available".to_owned(),
            },
            Self::ViewLimitReached => {
                gone("View limit reached: this share link allows no more views")
            }
            Self::CreatorLostAccess => {
                ApiError::Forbidden("This share link no longer grants access".into())
            }
            Self::PlayOnly => ApiError::Forbidden("This share link allows playing only".into()),
            Self::Caller(err) => err,
            Self::PasswordRequired => ApiError::Unauthenticated(
                "This share link needs its password, in the X-Share-Password header",
            ),
            Self::WrongPassword => ApiError::Unauthenticated("Wrong share link password"),
            Self::Throttled {
                retry_after_seconds,
            } => ApiError::TooManyRequests {
                retry_after_seconds,
            },
        }
    }
}

/// What opening a link found: the link, once the secret proved to be its own, and the
/// recording or why not.
#[derive(Debug)]
pub struct Opening {
    pub link: Option<ShareLink>,
    pub outcome: Result<Recording, Refusal>,
}

/// Opens a link. The checks run from the cheapest to the one that costs a view, so that a
/// refused visit never uses one up: the secret, revocation and expiry, the recording, the
/// creator's access, a private link's credentials, the password, play-only, then the
/// view, counted by a conditional write that lets exactly `maxViews` through.
pub async fn open(
    store: &Store,
    id: &RecordingId,
    visit: Visit<'_>,
    caller: impl FnOnce() -> Result<Principal, ApiError>,
    now_ms: i64,
) -> Result<Opening, ApiError> {
    let refused = |link: Option<ShareLink>, refusal| Opening {
        link,
        outcome: Err(refusal),
    };
    let Some(share_id) = share_id_of(visit.secret) else {
        return Ok(refused(None, Refusal::Unknown));
    };
    let ShareOpening {
        recording,
        room,
        link,
    } = store.load_share_opening(id, share_id).await?;
    let digest = crypto::sha256_hex(visit.secret.as_bytes());
    let Some(link) =
        link.filter(|l| crypto::constant_time_eq(l.secret_hash.as_bytes(), digest.as_bytes()))
    else {
        return Ok(refused(None, Refusal::Unknown));
    };
    let outcome = match admitted(id, &link, recording, room.as_ref(), caller, now_ms) {
        Ok(recording) if visit.counted_already => Ok(recording),
        Ok(recording) => let_in(store, id, &link, recording, visit, now_ms).await?,
        Err(refusal) => Err(refusal),
    };
    Ok(Opening {
        link: Some(link),
        outcome,
    })
}

/// What the link and the caller allow, read from what was loaded (no AWS call): live, its
/// recording there, its creator's access, a private link's credentials.
fn admitted(
    id: &RecordingId,
    link: &ShareLink,
    recording: Option<StoredRecording>,
    room: Option<&Room>,
    caller: impl FnOnce() -> Result<Principal, ApiError>,
    now_ms: i64,
) -> Result<Recording, Refusal> {
    if link.revoked_at.is_some() {
        return Err(Refusal::Revoked);
    }
    if link.link_expires_at.is_some_and(|t| t <= now_ms) {
        return Err(Refusal::Expired);
    }
    let Some(stored) = recording.filter(|r| !r.is_gone()) else {
        return Err(Refusal::RecordingGone);
    };
    let creator = link.creator_role.as_principal(id.room_id());
    let policy = room.map(|r| r.policy());
    if !is_allowed(&creator, Action::ReadRecording, policy.as_ref()) {
        return Err(Refusal::CreatorLostAccess);
    }
    if link.access == ShareAccess::Private {
        caller()
            .and_then(|p| authorize(&p, Action::ReadRecording, room))
            .map_err(Refusal::Caller)?;
    }
    // A link's holder is no one who could remove the recording.
    Ok(stored.recording.shown_to(false))
}

/// What a visit must pass besides: the password, play-only, and its view, counted last.
async fn let_in(
    store: &Store,
    id: &RecordingId,
    link: &ShareLink,
    recording: Recording,
    visit: Visit<'_>,
    now_ms: i64,
) -> Result<Result<Recording, Refusal>, ApiError> {
    if let Some(hash) = &link.password_hash
        && let Err(refusal) = check_password(store, link, hash, visit, now_ms).await?
    {
        return Ok(Err(refusal));
    }
    // An unfinished recording cannot be viewed: the caller answers 409 without using up a
    // view.
    if recording.status != RecordingStatus::Complete {
        return Ok(Ok(recording));
    }
    if visit.purpose == Purpose::Download && !link.allow_download {
        return Ok(Err(Refusal::PlayOnly));
    }
    if link.used_up() {
        return Ok(Err(Refusal::ViewLimitReached));
    }
    if visit.purpose != Purpose::Read {
        match store.count_view(id, link).await? {
            ViewCounted::Counted => {}
            ViewCounted::LimitReached => return Ok(Err(Refusal::ViewLimitReached)),
            ViewCounted::Revoked => return Ok(Err(Refusal::Revoked)),
        }
    }
    Ok(Ok(recording))
}

/// The password check, counted against the link and the visitor's address before the
/// hash is compared, so that concurrent wrong guesses are all counted.
async fn check_password(
    store: &Store,
    link: &ShareLink,
    hash: &str,
    visit: Visit<'_>,
    now_ms: i64,
) -> Result<Result<(), Refusal>, ApiError> {
    let Some(password) = visit.password else {
        return Ok(Err(Refusal::PasswordRequired));
    };
    let target = Target::SharePassword(&link.share_id);
    let attempt = match throttle::begin(store, target, visit.source, now_ms / 1000).await {
        Ok(attempt) => attempt,
        Err(ApiError::TooManyRequests {
            retry_after_seconds,
        }) => {
            return Ok(Err(Refusal::Throttled {
                retry_after_seconds,
            }));
        }
        Err(other) => return Err(other),
    };
    if crypto::verify_password(password, hash) {
        attempt.succeeded().await?;
        Ok(Ok(()))
    } else {
        attempt.failed();
        Ok(Err(Refusal::WrongPassword))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_name_their_link_and_are_stored_as_digests() {
        let options =
            LinkOptions::from_query(|k| (k == "expiresIn").then_some("60")).expect("valid options");
        let (link, secret) = new_link(&Principal::Admin, &options, 1_000).expect("a link");
        assert_eq!(share_id_of(&secret), Some(link.share_id.as_str()));
        assert_eq!(link.secret_hash, crypto::sha256_hex(secret.as_bytes()));
        assert!(!link.secret_hash.contains(&secret));
        assert_eq!(link.link_expires_at, Some(61_000));
        assert_eq!(link.creator_role, CreatorRole::Admin);
        // 192 random bits after the id.
        let random = secret.split_once('.').map(|(_, r)| r).unwrap_or_default();
        assert_eq!(random.len(), 32);
        let (_, other) = new_link(&Principal::Admin, &options, 1_000).expect("a link");
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
