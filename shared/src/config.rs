//! Environment → typed configuration, read once at cold start. Secrets come through the
//! same lookup, read from Secrets Manager first where a function is given their ids
//! ([`crate::secrets`]).

use std::fmt;
use std::time::Duration;

use crate::crypto;

/// Why the configuration could not be read; names the variable so a failed cold start says
/// what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("missing environment variable {0}")]
    Missing(&'static str),
    #[error("missing {0}: set it, or {0}_SECRET_ARN to the Secrets Manager secret holding it")]
    MissingSecret(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Key material whose value must never be printed.
#[derive(Clone)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBytes(<redacted>)")
    }
}

/// The console administrator: a username and an argon2id hash of the password.
#[derive(Debug, Clone)]
pub struct AdminLogin {
    pub username: String,
    pub password_hash: SecretString,
}

/// A configured string whose value must never be printed.
#[derive(Clone)]
pub struct SecretString(String);

impl SecretString {
    pub fn expose_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

/// The LiveKit deployment whose egress records rooms and reports progress.
#[derive(Debug, Clone)]
pub struct LiveKit {
    /// Base URL of the LiveKit server's API (`https://…`), without a trailing slash.
    pub url: String,
    pub api_key: String,
    pub api_secret: SecretString,
}

/// How long a recording may stay in a status before the sweeper aborts it.
#[derive(Debug, Clone, Copy)]
pub struct StaleLimits {
    pub starting: Duration,
    pub active: Duration,
    pub ending: Duration,
}

/// 20 GiB: a quarter of what the export job's 15 minutes write at the 85–97 MiB/s measured
/// on the local stack (docs/benchmarks.md), room for a slower S3 or a busier instance.
const DEFAULT_EXPORT_MAX_BYTES: u64 = 20 << 30;

/// A year: who watched or shared a recording is asked about for months afterwards.
const DEFAULT_ACTIVITY_RETENTION_DAYS: u32 = 365;
/// Ten years, the longest retention a room may have.
const MOST_ACTIVITY_RETENTION_DAYS: u32 = 3650;
/// S3's 10,000 parts of the job's 8 MiB.
const MOST_EXPORT_MAX_BYTES: u64 = 10_000 * (8 << 20);

#[derive(Debug, Clone)]
pub struct Config {
    pub table_name: String,
    pub bucket_name: String,
    /// SHA-256 digests of the accepted API keys (the keys themselves are never configured),
    /// where requests are authenticated (`API_KEY_HASHES`).
    pub api_key_hashes: Option<Vec<[u8; 32]>>,
    /// Root key from which every purpose-specific signing key (page tokens, JWTs) is
    /// derived, where tokens are issued or verified (`TOKEN_SIGNING_KEY`).
    pub signing_key: Option<SecretBytes>,
    pub presign_ttl: Duration,
    pub public_base_url: String,
    /// Where the web console is served (`CONSOLE_ORIGIN`), which rooms' moderator and
    /// speaker links open; given where those links are made.
    pub console_origin: Option<String>,
    /// Path-style S3 addressing, which local emulators need.
    pub s3_force_path_style: bool,
    /// Present where the login function runs (`ADMIN_USERNAME`, `ADMIN_PASSWORD_HASH`).
    pub admin_login: Option<AdminLogin>,
    /// Present where recordings are started, stopped or reported on (`LIVEKIT_URL`,
    /// `LIVEKIT_API_KEY`, `LIVEKIT_API_SECRET`).
    pub livekit: Option<LiveKit>,
    /// The EventBridge bus that recording events go to (`EVENT_BUS_NAME`), if any.
    pub event_bus: Option<String>,
    pub stale: StaleLimits,
    /// The AWS region (`AWS_REGION`, which Lambda always sets), told to the egress.
    pub region: String,
    /// An S3 endpoint for the egress to upload to, for S3-compatible stores and emulators
    /// (`EGRESS_S3_ENDPOINT`); empty on AWS.
    pub egress_s3_endpoint: String,
    /// The queue that starts the export job (`EXPORT_QUEUE_URL`), where exports are started.
    pub export_queue_url: Option<String>,
    /// The most an export may hold (`EXPORT_MAX_BYTES`): what one run of the job builds
    /// within its time limit.
    pub export_max_bytes: u64,
    /// How long activity entries are kept (`ACTIVITY_RETENTION_DAYS`, default 365).
    pub activity_retention_days: u32,
}

impl Config {
    /// Reads the configuration through `lookup`: the environment with its secrets resolved
    /// at cold start, or the variables a test supplies. Each function is given only the
    /// secrets it uses, so they are optional here; what needs a missing one fails naming it.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let optional = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let required = |name: &'static str| optional(name).ok_or(ConfigError::Missing(name));
        let signing_key = optional("TOKEN_SIGNING_KEY");
        if signing_key.as_ref().is_some_and(|k| k.len() < 32) {
            return Err(ConfigError::Invalid {
                name: "TOKEN_SIGNING_KEY",
                reason: "must be at least 32 characters".into(),
            });
        }
        let presign_ttl = match lookup("PRESIGN_TTL_SECONDS") {
            None => 300,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|s| (1..=3600).contains(s))
                .ok_or(ConfigError::Invalid {
                    name: "PRESIGN_TTL_SECONDS",
                    reason: "must be a whole number of seconds from 1 to 3600".into(),
                })?,
        };
        let s3_force_path_style = match lookup("S3_FORCE_PATH_STYLE").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(ConfigError::Invalid {
                    name: "S3_FORCE_PATH_STYLE",
                    reason: "must be true or false".into(),
                });
            }
        };
        let admin_login = match (lookup("ADMIN_USERNAME"), optional("ADMIN_PASSWORD_HASH")) {
            (None, None) => None,
            (Some(_), None) => return Err(ConfigError::MissingSecret("ADMIN_PASSWORD_HASH")),
            (None, Some(_)) => return Err(ConfigError::Missing("ADMIN_USERNAME")),
            (Some(username), Some(hash)) => {
                let is_argon2id = argon2::PasswordHash::new(&hash)
                    .is_ok_and(|h| h.algorithm.as_str() == "argon2id");
                if !is_argon2id {
                    return Err(ConfigError::Invalid {
                        name: "ADMIN_PASSWORD_HASH",
                        reason: "must be an argon2id hash in PHC format ($argon2id$...)".into(),
                    });
                }
                Some(AdminLogin {
                    username,
                    password_hash: SecretString(hash),
                })
            }
        };
        let livekit = match (
            lookup("LIVEKIT_URL"),
            lookup("LIVEKIT_API_KEY"),
            optional("LIVEKIT_API_SECRET"),
        ) {
            (None, None, None) => None,
            (Some(url), Some(api_key), Some(secret)) => Some(LiveKit {
                url: url.trim_end_matches('/').to_owned(),
                api_key,
                api_secret: SecretString(secret),
            }),
            (url, key, _) => {
                return Err(if url.is_none() {
                    ConfigError::Missing("LIVEKIT_URL")
                } else if key.is_none() {
                    ConfigError::Missing("LIVEKIT_API_KEY")
                } else {
                    ConfigError::MissingSecret("LIVEKIT_API_SECRET")
                });
            }
        };
        let seconds = |name: &'static str, default: u64| match lookup(name) {
            None => Ok(Duration::from_secs(default)),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|s| *s > 0)
                .map(Duration::from_secs)
                .ok_or(ConfigError::Invalid {
                    name,
                    reason: "must be a whole number of seconds above 0".into(),
                }),
        };
        let stale = StaleLimits {
            starting: seconds("STALE_STARTING_SECONDS", 10 * 60)?,
            active: seconds("STALE_ACTIVE_SECONDS", 24 * 60 * 60)?,
            ending: seconds("STALE_ENDING_SECONDS", 30 * 60)?,
        };
        let export_max_bytes = match lookup("EXPORT_MAX_BYTES") {
            None => DEFAULT_EXPORT_MAX_BYTES,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|b| (1..=MOST_EXPORT_MAX_BYTES).contains(b))
                .ok_or(ConfigError::Invalid {
                    name: "EXPORT_MAX_BYTES",
                    reason: format!(
                        "must be a whole number of bytes from 1 to {MOST_EXPORT_MAX_BYTES} \
                         (10,000 parts of 8 MiB)"
                    ),
                })?,
        };
        let activity_retention_days = match lookup("ACTIVITY_RETENTION_DAYS") {
            None => DEFAULT_ACTIVITY_RETENTION_DAYS,
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|d| (1..=MOST_ACTIVITY_RETENTION_DAYS).contains(d))
                .ok_or(ConfigError::Invalid {
                    name: "ACTIVITY_RETENTION_DAYS",
                    reason: format!(
                        "must be a whole number of days from 1 to {MOST_ACTIVITY_RETENTION_DAYS}"
                    ),
                })?,
        };
        Ok(Self {
            activity_retention_days,
            export_queue_url: optional("EXPORT_QUEUE_URL"),
            export_max_bytes,
            admin_login,
            livekit,
            event_bus: lookup("EVENT_BUS_NAME").filter(|v| !v.is_empty()),
            stale,
            region: lookup("AWS_REGION").unwrap_or_default(),
            egress_s3_endpoint: lookup("EGRESS_S3_ENDPOINT").unwrap_or_default(),
            table_name: required("TABLE_NAME")?,
            bucket_name: required("BUCKET_NAME")?,
            api_key_hashes: optional("API_KEY_HASHES")
                .map(|raw| parse_key_hashes(&raw))
                .transpose()?,
            signing_key: signing_key.map(|k| SecretBytes(k.into_bytes())),
            presign_ttl: Duration::from_secs(presign_ttl),
            public_base_url: required("PUBLIC_BASE_URL")?
                .trim_end_matches('/')
                .to_owned(),
            console_origin: optional("CONSOLE_ORIGIN").map(|o| o.trim_end_matches('/').to_owned()),
            s3_force_path_style,
        })
    }
}

/// `API_KEY_HASHES` is a comma-separated list of hex SHA-256 digests, so keys can be rotated
/// by configuring the new one beside the old.
fn parse_key_hashes(raw: &str) -> Result<Vec<[u8; 32]>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(|h| {
            crypto::decode_hex32(h).ok_or(ConfigError::Invalid {
                name: "API_KEY_HASHES",
                reason: "each entry must be 64 hex digits (a SHA-256 digest)".into(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars() -> HashMap<&'static str, String> {
        HashMap::from([
            ("TABLE_NAME", "t".to_owned()),
            ("BUCKET_NAME", "b".to_owned()),
            ("API_KEY_HASHES", crypto::sha256_hex(b"k")),
            ("TOKEN_SIGNING_KEY", "x".repeat(32)),
            ("PUBLIC_BASE_URL", "http://localhost:9000/".to_owned()),
        ])
    }

    fn load(vars: &HashMap<&'static str, String>) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn reads_a_complete_environment() {
        let config = load(&vars()).expect("valid config");
        assert_eq!(config.public_base_url, "http://localhost:9000");
        assert_eq!(config.presign_ttl, Duration::from_secs(300));
        assert_eq!(config.api_key_hashes.map(|h| h.len()), Some(1));
        assert!(config.signing_key.is_some());
    }

    #[test]
    fn names_the_missing_variable() {
        for name in ["TABLE_NAME", "BUCKET_NAME", "PUBLIC_BASE_URL"] {
            let mut v = vars();
            v.remove(name);
            let err = load(&v).expect_err("must fail");
            assert!(err.to_string().contains(name), "{err}");
        }
    }

    #[test]
    fn secrets_are_only_where_a_function_is_given_them() {
        let mut v = vars();
        v.remove("API_KEY_HASHES");
        v.remove("TOKEN_SIGNING_KEY");
        let config = load(&v).expect("a function that authenticates nothing");
        assert!(config.api_key_hashes.is_none() && config.signing_key.is_none());
        v.insert("ADMIN_USERNAME", "admin".into());
        let err = load(&v)
            .expect_err("a username without its hash")
            .to_string();
        assert!(err.contains("ADMIN_PASSWORD_HASH_SECRET_ARN"), "{err}");
    }

    #[test]
    fn rejects_bad_values_without_echoing_secrets() {
        let mut v = vars();
        v.insert("TOKEN_SIGNING_KEY", "short-secret-value".into());
        let err = load(&v).expect_err("short key").to_string();
        assert!(!err.contains("short-secret-value"));
        let mut v = vars();
        v.insert("API_KEY_HASHES", "not-hex".into());
        assert!(load(&v).is_err());
        let mut v = vars();
        v.insert("PRESIGN_TTL_SECONDS", "0".into());
        assert!(load(&v).is_err());
        for bytes in ["0", "-1", "83886080001"] {
            let mut v = vars();
            v.insert("EXPORT_MAX_BYTES", bytes.into());
            assert!(load(&v).is_err(), "{bytes}");
        }
        let mut v = vars();
        assert_eq!(load(&v).expect("valid").export_max_bytes, 20 << 30);
        v.insert("EXPORT_MAX_BYTES", "83886080000".into());
        assert_eq!(load(&v).expect("valid").export_max_bytes, 83_886_080_000);
    }

    #[test]
    fn livekit_settings_come_together_or_not_at_all() {
        let mut v = vars();
        assert!(load(&v).expect("valid").livekit.is_none());
        v.insert("LIVEKIT_URL", "http://lk/".into());
        let err = load(&v).expect_err("partial").to_string();
        assert!(err.contains("LIVEKIT_API_KEY"), "{err}");
        v.insert("LIVEKIT_API_KEY", "key".into());
        v.insert("LIVEKIT_API_SECRET", "very-secret".into());
        let config = load(&v).expect("complete");
        let livekit = config.livekit.expect("configured");
        assert_eq!(livekit.url, "http://lk");
        assert!(!format!("{livekit:?}").contains("very-secret"));
    }

    #[test]
    fn debug_output_hides_the_signing_key() {
        let config = load(&vars()).expect("valid config");
        assert!(!format!("{config:?}").contains(&"x".repeat(32)));
    }
}
