//! Credentials → principal. Every route authenticates through here.

use lambda_http::Request;
use lambda_http::http::header::AUTHORIZATION;

use crate::config::{AdminLogin, Config};
use crate::crypto;
use crate::error::ApiError;
use crate::permissions::Principal;
use crate::tokens::{TokenError, Tokens};

const API_KEY_HEADER: &str = "x-api-key";
/// Far above any token we issue.
const MAX_TOKEN_LEN: usize = 4096;

/// Verifies API keys and bearer tokens. A function not given the API key digests or the
/// signing key answers a request that needs them with a 500 naming the variable.
pub struct Authenticator {
    api_key_hashes: Option<Vec<[u8; 32]>>,
    pub tokens: Tokens,
}

impl Authenticator {
    pub fn new(config: &Config) -> Self {
        Self {
            api_key_hashes: config.api_key_hashes.clone(),
            tokens: config
                .signing_key
                .as_ref()
                .map_or_else(Tokens::unconfigured, |key| Tokens::new(key.expose())),
        }
    }

    /// The caller's principal, from exactly one credential: an `X-API-KEY` header or an
    /// `Authorization: Bearer` header. Query strings are never read.
    pub fn authenticate(&self, req: &Request) -> Result<Principal, ApiError> {
        let headers = req.headers();
        let api_keys: Vec<_> = headers.get_all(API_KEY_HEADER).iter().collect();
        let authorizations: Vec<_> = headers.get_all(AUTHORIZATION).iter().collect();
        match (api_keys.as_slice(), authorizations.as_slice()) {
            ([], []) => Err(ApiError::Unauthenticated("Missing credentials")),
            ([key], []) => {
                let hashes = self
                    .api_key_hashes
                    .as_deref()
                    .ok_or_else(|| ApiError::Internal("API_KEY_HASHES is not configured".into()))?;
                if api_key_matches(key.as_bytes(), hashes) {
                    Ok(Principal::Admin)
                } else {
                    Err(ApiError::Unauthenticated("Invalid API key"))
                }
            }
            ([], [authorization]) => {
                let token = bearer_token(authorization.as_bytes())
                    .ok_or(ApiError::Unauthenticated("Malformed Authorization header"))?;
                self.tokens.verify(token).map_err(|err| match err {
                    TokenError::Unconfigured => ApiError::Internal(err.into()),
                    TokenError::Invalid(_) => {
                        tracing::info!(reason = %err, "bearer token refused");
                        ApiError::Unauthenticated("Invalid or expired token")
                    }
                })
            }
            _ => Err(ApiError::Unauthenticated(
                "Send exactly one credential: an API key or a bearer token",
            )),
        }
    }
}

/// `Bearer <jwt>`, strictly: one space, then three base64url segments.
fn bearer_token(header: &[u8]) -> Option<&str> {
    let value = std::str::from_utf8(header).ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let well_formed = scheme.eq_ignore_ascii_case("bearer")
        && !token.is_empty()
        && token.len() <= MAX_TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && token.split('.').count() == 3;
    well_formed.then_some(token)
}

/// Compares the key's digest with every configured digest, without stopping at the first
/// match, so the time taken says nothing about which key or how much of it matched.
fn api_key_matches(presented: &[u8], hashes: &[[u8; 32]]) -> bool {
    let digest = crypto::sha256(presented);
    hashes.iter().fold(false, |found, h| {
        crypto::constant_time_eq(&digest, h) | found
    })
}

/// Checks the administrator's username and password; the password hash is always
/// verified, so a wrong username takes as long as a wrong password.
pub fn verify_admin(login: &AdminLogin, username: &str, password: &str) -> bool {
    let user_ok = crypto::constant_time_eq(username.as_bytes(), login.username.as_bytes());
    let password_ok = crypto::verify_password(password, login.password_hash.expose_str());
    user_ok & password_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_matches_any_configured_hash() {
        let hashes = [crypto::sha256(b"old"), crypto::sha256(b"new")];
        assert!(api_key_matches(b"old", &hashes));
        assert!(api_key_matches(b"new", &hashes));
        assert!(!api_key_matches(b"other", &hashes));
        assert!(!api_key_matches(b"", &hashes));
        assert!(!api_key_matches(b"new", &[]));
    }

    #[test]
    fn bearer_parsing_is_strict() {
        assert_eq!(bearer_token(b"Bearer a.b.c"), Some("a.b.c"));
        assert_eq!(bearer_token(b"bearer a-_.b.c9"), Some("a-_.b.c9"));
        for bad in [
            &b"Bearer"[..],
            b"Bearer ",
            b"Bearer  a.b.c",
            b"Bearer a.b.c ",
            b"Basic a.b.c",
            b"Bearer a.b",
            b"Bearer a.b.c.d",
            b"Bearer a+b.c.d",
            b"Bearer a.b.c\xff",
            b"a.b.c",
        ] {
            assert_eq!(
                bearer_token(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let long = format!("Bearer {}.b.c", "a".repeat(MAX_TOKEN_LEN));
        assert_eq!(bearer_token(long.as_bytes()), None);
    }
}
