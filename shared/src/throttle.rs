//! Failed logins and secret exchanges, counted per source address in DynamoDB (Lambda
//! instances share nothing else): past a limit, attempts are refused until the window ends.

use crate::error::ApiError;
use crate::store::{Attempts, Store};

pub const MAX_FAILURES: u32 = 5;
pub const WINDOW_SECONDS: i64 = 15 * 60;

#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Login,
    RoomSecret,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::RoomSecret => "room-secret",
        }
    }
}

/// An attempt that was allowed to proceed; report how it went.
pub struct Attempt<'a> {
    store: &'a Store,
    key: String,
    now: i64,
    had_failures: bool,
}

/// Refuses with 429 when `source` has failed too often in the current window.
pub async fn begin<'a>(
    store: &'a Store,
    scope: Scope,
    source: &str,
    now: i64,
) -> Result<Attempt<'a>, ApiError> {
    let key = format!("{}#{source}", scope.as_str());
    let prior = store
        .failed_attempts(&key)
        .await?
        .filter(|a| a.window_ends > now);
    if let Some(Attempts {
        failures,
        window_ends,
    }) = prior
        && failures >= MAX_FAILURES
    {
        return Err(ApiError::TooManyRequests {
            retry_after_seconds: window_ends - now,
        });
    }
    Ok(Attempt {
        store,
        key,
        now,
        had_failures: prior.is_some(),
    })
}

impl Attempt<'_> {
    pub async fn failed(self) -> Result<(), ApiError> {
        self.store
            .record_failed_attempt(&self.key, self.now, WINDOW_SECONDS)
            .await?;
        Ok(())
    }

    /// A success clears the count, so a person who mistyped is not locked out later.
    pub async fn succeeded(self) -> Result<(), ApiError> {
        if self.had_failures {
            self.store.clear_failed_attempts(&self.key).await?;
        }
        Ok(())
    }
}
