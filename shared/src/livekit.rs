//! LiveKit at its protocol boundary: the Egress service's Twirp API (JSON over HTTP,
//! authenticated with a JWT signed with the API secret) to start and stop room recordings,
//! and the egress webhooks it sends back, verified before anything is believed.
//!
//! Only the few messages this backend uses are modelled, in their protobuf-JSON form.
//! LiveKit's official Rust crate (livekit-api) was weighed and not taken: it brings a
//! second JWT library version, a second HTTP and TLS stack, a protobuf runtime and chrono
//! into every binary for two calls and one signature check.

use std::time::Duration;

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

use crate::config::LiveKit;
use crate::crypto;
use crate::error::Cause;
use crate::model::{RecordingStatus, RoomId};

/// How long a call to the Egress API may take before it counts as failed.
const EGRESS_TIMEOUT: Duration = Duration::from_secs(5);
const TOKEN_LIFETIME_SECONDS: i64 = 600;
/// A webhook older than this (by its own `createdAt`), or this far in the future, is
/// refused as a possible replay.
const WEBHOOK_MAX_AGE_SECONDS: i64 = 300;
const WEBHOOK_MAX_SKEW_SECONDS: i64 = 60;

#[derive(Debug, thiserror::Error)]
pub enum LiveKitError {
    #[error("LiveKit egress unreachable or too slow")]
    Unavailable(#[source] Cause),
    #[error("LiveKit egress refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
}

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("webhook rejected: {0}")]
    Rejected(&'static str),
}

impl From<WebhookError> for crate::error::ApiError {
    fn from(err: WebhookError) -> Self {
        tracing::info!(reason = %err, "webhook refused");
        Self::Unauthenticated("Invalid webhook signature")
    }
}

/// protobuf JSON writes 64-bit integers as strings; accept either form.
fn int64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Int {
        N(i64),
        S(String),
    }
    match Int::deserialize(d)? {
        Int::N(n) => Ok(n),
        Int::S(s) => s.parse().map_err(serde::de::Error::custom),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FileInfo {
    pub filename: String,
    /// Nanoseconds.
    #[serde(deserialize_with = "int64")]
    pub duration: i64,
    #[serde(deserialize_with = "int64")]
    pub size: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FileOutput {
    pub filepath: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoomCompositeRequest {
    #[serde(alias = "file_outputs")]
    pub file_outputs: Vec<FileOutput>,
}

/// protobuf JSON may name enum values or number them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
pub enum EgressStatus {
    Name(String),
    Number(i32),
    #[default]
    Unknown,
}

impl EgressStatus {
    pub fn to_recording_status(&self) -> Option<RecordingStatus> {
        let number = match self {
            Self::Name(name) => match name.as_str() {
                "EGRESS_STARTING" => 0,
                "EGRESS_ACTIVE" => 1,
                "EGRESS_ENDING" => 2,
                "EGRESS_COMPLETE" => 3,
                "EGRESS_FAILED" => 4,
                "EGRESS_ABORTED" => 5,
                "EGRESS_LIMIT_REACHED" => 6,
                _ => return None,
            },
            Self::Number(n) => *n,
            Self::Unknown => return None,
        };
        Some(match number {
            0 => RecordingStatus::Starting,
            1 => RecordingStatus::Active,
            2 => RecordingStatus::Ending,
            3 => RecordingStatus::Complete,
            4 => RecordingStatus::Failed,
            5 => RecordingStatus::Aborted,
            6 => RecordingStatus::LimitReached,
            _ => return None,
        })
    }
}

/// `livekit.EgressInfo`, as far as recordings need it. Webhooks write protobuf JSON's
/// camelCase names; the Egress API's Twirp replies write the proto's own snake_case ones.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EgressInfo {
    #[serde(alias = "egress_id")]
    pub egress_id: String,
    #[serde(alias = "room_name")]
    pub room_name: String,
    pub status: EgressStatus,
    /// Nanoseconds since the epoch; 0 when not yet known.
    #[serde(alias = "started_at", deserialize_with = "int64")]
    pub started_at: i64,
    #[serde(alias = "ended_at", deserialize_with = "int64")]
    pub ended_at: i64,
    pub error: String,
    #[serde(alias = "error_code")]
    pub error_code: i32,
    pub details: String,
    #[serde(alias = "file_results")]
    pub file_results: Vec<FileInfo>,
    #[serde(alias = "room_composite")]
    pub room_composite: Option<RoomCompositeRequest>,
}

impl EgressInfo {
    /// The file the egress writes: its result when it has one, else the path it was
    /// asked for.
    pub fn filepath(&self) -> Option<&str> {
        self.file_results
            .first()
            .map(|f| f.filename.as_str())
            .filter(|f| !f.is_empty())
            .or_else(|| {
                self.room_composite
                    .as_ref()?
                    .file_outputs
                    .first()
                    .map(|o| o.filepath.as_str())
            })
    }
}

/// `livekit.WebhookEvent`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    pub event: String,
    #[serde(default)]
    pub egress_info: Option<EgressInfo>,
    #[serde(default)]
    pub id: String,
    /// Seconds since the epoch.
    #[serde(deserialize_with = "int64")]
    pub created_at: i64,
}

/// Where the egress uploads the recording.
#[derive(Debug, Clone, Serialize)]
pub struct S3Upload {
    pub bucket: String,
    pub region: String,
    /// For S3-compatible endpoints (emulators); empty on AWS.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub endpoint: String,
    #[serde(rename = "forcePathStyle")]
    pub force_path_style: bool,
}

#[derive(Serialize)]
struct GrantClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    nbf: i64,
    exp: i64,
    video: VideoGrant<'a>,
}

/// Egress requests need `roomRecord` alone; nothing more is granted.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VideoGrant<'a> {
    room_record: bool,
    room: &'a str,
}

#[derive(Deserialize)]
struct WebhookClaims {
    sha256: String,
}

pub struct Egress {
    http: reqwest::Client,
    url: String,
    api_key: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    webhook_validation: Validation,
}

impl Egress {
    pub fn new(config: &LiveKit) -> Result<Self, String> {
        // rustls needs its crypto chosen once per process: aws-lc, as the SDK uses.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(EGRESS_TIMEOUT)
            .build()
            .map_err(|e| format!("building the LiveKit client: {e}"))?;
        let secret = config.api_secret.expose_str().as_bytes();
        let mut webhook_validation = Validation::new(Algorithm::HS256);
        webhook_validation.set_required_spec_claims(&["iss", "exp"]);
        webhook_validation.set_issuer(&[config.api_key.as_str()]);
        webhook_validation.validate_aud = false;
        webhook_validation.validate_nbf = true;
        webhook_validation.leeway = 5;
        Ok(Self {
            http,
            url: config.url.clone(),
            api_key: config.api_key.clone(),
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            webhook_validation,
        })
    }

    /// A short-lived token allowing recording of `room` only.
    fn token(&self, room: &str, now: i64) -> Result<String, LiveKitError> {
        let claims = GrantClaims {
            iss: &self.api_key,
            sub: "recordings-backend",
            nbf: now,
            exp: now + TOKEN_LIFETIME_SECONDS,
            video: VideoGrant {
                room_record: true,
                room,
            },
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| {
            LiveKitError::Refused {
                status: 0,
                message: format!("signing the egress token: {e}"),
            }
        })
    }

    async fn call(
        &self,
        method: &str,
        room: &str,
        body: serde_json::Value,
        now: i64,
    ) -> Result<EgressInfo, LiveKitError> {
        let response = self
            .http
            .post(format!("{}/twirp/livekit.Egress/{method}", self.url))
            .bearer_auth(self.token(room, now)?)
            .json(&body)
            .send()
            .await
            .map_err(|e| LiveKitError::Unavailable(e.into()))?;
        let status = response.status();
        if status.is_server_error() {
            return Err(LiveKitError::Unavailable(format!("status {status}").into()));
        }
        if !status.is_success() {
            // Twirp errors are JSON {"code", "msg"}; keep the message for the log.
            let message = response.text().await.unwrap_or_default();
            return Err(LiveKitError::Refused {
                status: status.as_u16(),
                message: message.chars().take(300).collect(),
            });
        }
        response
            .json::<EgressInfo>()
            .await
            .map_err(|e| LiveKitError::Unavailable(e.into()))
    }

    /// Asks the egress to record `room` as one MP4 file at `filepath` in the bucket.
    pub async fn start_room_composite(
        &self,
        room: &RoomId,
        filepath: &str,
        upload: &S3Upload,
        now: i64,
    ) -> Result<EgressInfo, LiveKitError> {
        let body = json!({
            "roomName": room.as_str(),
            "layout": "grid",
            "fileOutputs": [{"fileType": "MP4", "filepath": filepath, "s3": upload}],
        });
        self.call("StartRoomCompositeEgress", room.as_str(), body, now)
            .await
    }

    pub async fn stop(
        &self,
        room: &RoomId,
        egress_id: &str,
        now: i64,
    ) -> Result<EgressInfo, LiveKitError> {
        self.call(
            "StopEgress",
            room.as_str(),
            json!({ "egressId": egress_id }),
            now,
        )
        .await
    }

    /// Verifies a webhook: the `Authorization` JWT is signed with the API secret by our
    /// API key and still valid, its `sha256` claim is the body's digest, and the event is
    /// fresh. Only then is the body parsed.
    pub fn verify_webhook(
        &self,
        authorization: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<WebhookEvent, WebhookError> {
        let token = authorization
            .map(|a| a.strip_prefix("Bearer ").unwrap_or(a).trim())
            .filter(|t| !t.is_empty() && t.len() <= 4096)
            .ok_or(WebhookError::Rejected("missing signature"))?;
        let claims =
            jsonwebtoken::decode::<WebhookClaims>(token, &self.decoding, &self.webhook_validation)
                .map_err(|_| WebhookError::Rejected("invalid signature token"))?
                .claims;
        let digest = STANDARD.encode(digest::digest(&digest::SHA256, body));
        if !crypto::constant_time_eq(claims.sha256.as_bytes(), digest.as_bytes()) {
            return Err(WebhookError::Rejected("body does not match its signature"));
        }
        let event: WebhookEvent =
            serde_json::from_slice(body).map_err(|_| WebhookError::Rejected("unreadable event"))?;
        let age = now - event.created_at;
        if !(-WEBHOOK_MAX_SKEW_SECONDS..=WEBHOOK_MAX_AGE_SECONDS).contains(&age) {
            return Err(WebhookError::Rejected("stale event"));
        }
        Ok(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn egress_statuses_map_by_name_or_number() {
        for (name, number, status) in [
            ("EGRESS_STARTING", 0, RecordingStatus::Starting),
            ("EGRESS_ACTIVE", 1, RecordingStatus::Active),
            ("EGRESS_ENDING", 2, RecordingStatus::Ending),
            ("EGRESS_COMPLETE", 3, RecordingStatus::Complete),
            ("EGRESS_FAILED", 4, RecordingStatus::Failed),
            ("EGRESS_ABORTED", 5, RecordingStatus::Aborted),
            ("EGRESS_LIMIT_REACHED", 6, RecordingStatus::LimitReached),
        ] {
            assert_eq!(
                EgressStatus::Name(name.into()).to_recording_status(),
                Some(status)
            );
            assert_eq!(
                EgressStatus::Number(number).to_recording_status(),
                Some(status)
            );
        }
        assert_eq!(EgressStatus::Name("X".into()).to_recording_status(), None);
        assert_eq!(EgressStatus::Number(9).to_recording_status(), None);
    }

    #[test]
    fn egress_info_reads_protobuf_json() {
        let info: EgressInfo = serde_json::from_value(json!({
            "egressId": "EG_abc", "roomName": "room-a", "status": "EGRESS_COMPLETE",
            "startedAt": "1764190000000000000", "endedAt": 1764190006000000000i64,
            "fileResults": [{"filename": "recordings/room-a/room-a--u1.mp4", "duration": "6000000000", "size": "4096"}],
            "unknownField": true,
        }))
        .expect("parses");
        assert_eq!(info.started_at, 1_764_190_000_000_000_000);
        assert_eq!(info.file_results[0].size, 4096);
        assert_eq!(info.filepath(), Some("recordings/room-a/room-a--u1.mp4"));
        let pending: EgressInfo = serde_json::from_value(json!({
            "egressId": "EG_abc",
            "roomComposite": {"fileOutputs": [{"filepath": "recordings/r/r--u2.mp4"}]},
        }))
        .expect("parses");
        assert_eq!(pending.filepath(), Some("recordings/r/r--u2.mp4"));
    }

    /// What livekit-server's Twirp handlers answer: proto field names, defaults included.
    #[test]
    fn egress_info_reads_twirp_replies_in_proto_names() {
        let info: EgressInfo = serde_json::from_value(json!({
            "egress_id": "EG_abc", "room_id": "RM_x", "room_name": "room-a",
            "status": "EGRESS_STARTING", "started_at": "0", "ended_at": "0", "error": "",
            "error_code": 0, "details": "", "file_results": [],
            "room_composite": {"room_name": "room-a", "file_outputs": [{"filepath": "recordings/r/r--u3.mp4"}]},
        }))
        .expect("parses");
        assert_eq!(info.egress_id, "EG_abc");
        assert_eq!(info.room_name, "room-a");
        assert_eq!(
            info.status.to_recording_status(),
            Some(RecordingStatus::Starting)
        );
        assert_eq!(info.filepath(), Some("recordings/r/r--u3.mp4"));
    }
}
