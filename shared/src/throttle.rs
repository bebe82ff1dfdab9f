//! Logins, secret exchanges and share-link passwords, counted per target (the
//! administrator's login, one room, or one link) and source address in DynamoDB (Lambda instances share nothing else). An attempt
//! is counted before its credential is checked, so a burst of concurrent guesses gets no
//! more tries than a sequence of them; past the limit, attempts are refused until the
//! window ends. A success clears only its own target's count.

use crate::error::ApiError;
use crate::model::RoomId;
use crate::store::{Reservation, Store};

pub const MAX_FAILURES: u32 = 5;
pub const WINDOW_SECONDS: i64 = 15 * 60;

/// What an attempt tries to get into.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    AdminLogin,
    Room(&'a RoomId),
    /// A share link's password.
    SharePassword(&'a str),
}

impl Target<'_> {
    fn key(self, source: &str) -> String {
        match self {
            Self::AdminLogin => format!("login#{source}"),
            Self::Room(room_id) => format!("room-secret#{room_id}#{source}"),
            Self::SharePassword(share_id) => format!("share-password#{share_id}#{source}"),
        }
    }
}

/// An attempt that was counted and may proceed; report how it went.
#[must_use = "an attempt ends as failed or succeeded"]
pub struct Attempt<'a> {
    store: &'a Store,
    key: String,
}

/// Counts an attempt of `source` at `target`; 429 when the window is full already.
pub async fn begin<'a>(
    store: &'a Store,
    target: Target<'_>,
    source: &str,
    now: i64,
) -> Result<Attempt<'a>, ApiError> {
    let key = target.key(source);
    match store
        .reserve_attempt(&key, now, WINDOW_SECONDS, MAX_FAILURES)
        .await?
    {
        Reservation::Reserved => Ok(Attempt { store, key }),
        Reservation::Refused { window_ends } => Err(ApiError::TooManyRequests {
            retry_after_seconds: (window_ends - now).max(1),
        }),
    }
}

impl Attempt<'_> {
    /// The attempt stays counted.
    pub fn failed(self) {}

    /// A success clears the count, so a person who mistyped is not locked out later.
    pub async fn succeeded(self) -> Result<(), ApiError> {
        self.store.clear_attempts(&self.key).await?;
        Ok(())
    }
}
