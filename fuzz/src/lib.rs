//! What the fuzz targets share: one configuration (development values only) and clocks.

use std::sync::OnceLock;

use shared::config::Config;

/// The root signing key every target's tokens are derived from.
pub const ROOT_KEY: &str = "fuzzing-root-signing-key-0123456789abcdef";
/// The API key the authenticator accepts (its SHA-256 is configured).
pub const API_KEY: &str = "fuzz-api-key";
pub const LIVEKIT_API_KEY: &str = "fuzz-livekit-key";
pub const LIVEKIT_API_SECRET: &str = "fuzz-livekit-secret-of-some-length";
pub const TABLE: &str = "fuzz-table";

/// The configuration a function would read at cold start, LiveKit included.
pub fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let api_key_hash = shared::crypto::sha256_hex(API_KEY.as_bytes());
        Config::from_lookup(|name| {
            let value = match name {
                "TABLE_NAME" => TABLE,
                "BUCKET_NAME" => "fuzz-bucket",
                "API_KEY_HASHES" => api_key_hash.as_str(),
                "TOKEN_SIGNING_KEY" => ROOT_KEY,
                "PUBLIC_BASE_URL" => "http://localhost:9000",
                "AWS_REGION" => "us-east-1",
                "LIVEKIT_URL" => "http://127.0.0.1:1",
                "LIVEKIT_API_KEY" => LIVEKIT_API_KEY,
                "LIVEKIT_API_SECRET" => LIVEKIT_API_SECRET,
                _ => return None,
            };
            Some(value.to_owned())
        })
        .expect("the fuzzing configuration is valid")
    })
}

/// Seconds since the epoch.
pub fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A UTF-8 view of fuzzer bytes, or nothing (the API only ever sees strings).
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}
