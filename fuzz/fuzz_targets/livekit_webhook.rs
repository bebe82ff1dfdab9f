//! LiveKit webhooks: `Egress::verify_webhook` with any `Authorization` header and any body.
//! Never a panic; an event is believed only when the header is an HS256 JWT from our API
//! key, signed with the API secret, in date, whose `sha256` claim is the body's digest, and
//! the event itself is fresh.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use shared::livekit::Egress;

#[derive(Debug, Arbitrary)]
enum Digest {
    OfBody,
    Other(String),
    Absent,
}

#[derive(Debug, Arbitrary)]
enum Auth {
    Missing,
    Raw(String),
    Signed {
        bearer: bool,
        hs256: bool,
        our_key: bool,
        issuer: String,
        digest: Digest,
        /// Seconds relative to now.
        exp: Option<i32>,
        nbf: Option<i32>,
        /// Signed with the API secret, or with this one.
        other_secret: Option<Vec<u8>>,
    },
}

#[derive(Debug, Arbitrary)]
enum Body {
    Raw(Vec<u8>),
    Event {
        event: String,
        id: String,
        /// Seconds relative to now, as a number or as a string.
        created: i32,
        created_as_string: bool,
        egress_json: String,
    },
}

#[derive(Debug, Arbitrary)]
struct Input {
    auth: Auth,
    body: Body,
}

fn egress() -> &'static Egress {
    static EGRESS: OnceLock<Egress> = OnceLock::new();
    EGRESS.get_or_init(|| {
        let livekit = recordings_fuzz::config()
            .livekit
            .as_ref()
            .expect("configured");
        Egress::new(livekit).expect("the egress client builds")
    })
}

fn digest_of(body: &[u8]) -> String {
    STANDARD.encode(shared::crypto::sha256(body))
}

fuzz_target!(|input: Input| {
    let now = recordings_fuzz::now_seconds();
    let body: Vec<u8> = match &input.body {
        Body::Raw(b) => b.clone(),
        Body::Event {
            event,
            id,
            created,
            created_as_string,
            egress_json,
        } => {
            let created = now + i64::from(*created);
            let created = if *created_as_string {
                json!(created.to_string())
            } else {
                json!(created)
            };
            let egress: Value = serde_json::from_str(egress_json).unwrap_or(Value::Null);
            serde_json::to_vec(&json!({
                "event": event, "id": id, "createdAt": created, "egressInfo": egress,
            }))
            .expect("serializes")
        }
    };
    let mut genuine = false;
    let header = match &input.auth {
        Auth::Missing => None,
        Auth::Raw(s) => Some(s.clone()),
        Auth::Signed {
            bearer,
            hs256,
            our_key,
            issuer,
            digest,
            exp,
            nbf,
            other_secret,
        } => {
            let mut claims = json!({});
            claims["iss"] = json!(if *our_key {
                recordings_fuzz::LIVEKIT_API_KEY
            } else {
                issuer.as_str()
            });
            match digest {
                Digest::OfBody => claims["sha256"] = json!(digest_of(&body)),
                Digest::Other(s) => claims["sha256"] = json!(s),
                Digest::Absent => {}
            }
            if let Some(exp) = exp {
                claims["exp"] = json!(now + i64::from(*exp));
            }
            if let Some(nbf) = nbf {
                claims["nbf"] = json!(now + i64::from(*nbf));
            }
            let secret = other_secret
                .as_deref()
                .unwrap_or(recordings_fuzz::LIVEKIT_API_SECRET.as_bytes());
            let algorithm = if *hs256 {
                Algorithm::HS256
            } else {
                Algorithm::HS384
            };
            let token = jsonwebtoken::encode(
                &Header::new(algorithm),
                &claims,
                &EncodingKey::from_secret(secret),
            )
            .expect("signed");
            genuine = *hs256
                && claims["iss"] == recordings_fuzz::LIVEKIT_API_KEY
                && claims["sha256"] == json!(digest_of(&body))
                && secret == recordings_fuzz::LIVEKIT_API_SECRET.as_bytes()
                && exp.is_some_and(|e| i64::from(e) >= -5 - 1)
                && nbf.is_none_or(|n| i64::from(n) <= 5 + 1);
            Some(if *bearer {
                format!("Bearer {token}")
            } else {
                token
            })
        }
    };

    let Ok(event) = egress().verify_webhook(header.as_deref(), &body, now) else {
        return;
    };
    assert!(
        genuine,
        "an event was believed without a genuine signature: {header:?}"
    );
    let age = now - event.created_at;
    assert!(
        (-60..=300).contains(&age),
        "stale event believed: age {age}"
    );
    let parsed: Value = serde_json::from_slice(&body).expect("the body is JSON");
    assert_eq!(parsed["event"], json!(event.event));
});
