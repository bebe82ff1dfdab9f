//! Credentials → principal. Every route authenticates through here.

use lambda_http::Request;

use crate::config::Config;
use crate::crypto;
use crate::error::ApiError;

/// Who is calling, once their credential has been verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An integration holding a configured API key; acts as an administrator.
    Admin,
}

const API_KEY_HEADER: &str = "x-api-key";

pub fn authenticate(req: &Request, config: &Config) -> Result<Principal, ApiError> {
    let Some(key) = req.headers().get(API_KEY_HEADER) else {
        return Err(ApiError::Unauthenticated("Missing credentials"));
    };
    if api_key_matches(key.as_bytes(), &config.api_key_hashes) {
        Ok(Principal::Admin)
    } else {
        Err(ApiError::Unauthenticated("Invalid API key"))
    }
}

/// Compares the key's digest with every configured digest, without stopping at the first
/// match, so the time taken says nothing about which key or how much of it matched.
fn api_key_matches(presented: &[u8], hashes: &[[u8; 32]]) -> bool {
    let digest = crypto::sha256(presented);
    hashes.iter().fold(false, |found, h| {
        crypto::constant_time_eq(&digest, h) | found
    })
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
}
