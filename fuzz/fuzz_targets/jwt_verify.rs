//! `Tokens::verify`: on any string, never a panic, and nothing forged is accepted. Tokens
//! signed with the real key but with a header and claims of the fuzzer's choosing (any
//! algorithm name, audience, role, room, times, types) are accepted only when every rule
//! holds: HS256, our issuer, a known audience whose role and room agree, in date.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use shared::crypto::MacKey;
use shared::model::{Principal, Role};
use shared::tokens::{JWT_KEY_PURPOSE, Tokens};

#[derive(Debug, Arbitrary)]
enum Field {
    Absent,
    Str(String),
    Int(i64),
    Null,
    Other(String),
}

#[derive(Debug, Arbitrary)]
enum Alg {
    Hs256,
    None,
    Other(String),
}

#[derive(Debug, Arbitrary)]
struct Claims {
    iss: Field,
    aud: Field,
    sub: Field,
    role: Field,
    room: Field,
    /// Seconds relative to now.
    exp: Option<i32>,
    nbf: Option<i32>,
    iat: Option<i32>,
}

#[derive(Debug, Arbitrary)]
enum Input {
    Raw(String),
    /// Signed with the real key: a structured header and claims, or raw JSON bytes.
    Signed {
        alg: Alg,
        typ: Option<String>,
        claims: Claims,
    },
    SignedRaw {
        header: Vec<u8>,
        payload: Vec<u8>,
    },
}

struct Keys {
    tokens: Tokens,
    mac: MacKey,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let root = recordings_fuzz::ROOT_KEY.as_bytes();
        Keys {
            tokens: Tokens::new(root),
            mac: MacKey::derive(root, JWT_KEY_PURPOSE),
        }
    })
}

fn field(value: &Field, realistic: &[&str]) -> Option<Value> {
    Some(match value {
        Field::Absent => return None,
        Field::Str(s) => {
            // Mostly the values that matter, so the accepting paths are reached.
            let pick = s.len() % (realistic.len() + 1);
            match realistic.get(pick) {
                Some(r) if !s.starts_with('!') => json!(r),
                _ => json!(s),
            }
        }
        Field::Int(n) => json!(n),
        Field::Null => Value::Null,
        Field::Other(s) => serde_json::from_str(s).unwrap_or(json!([s])),
    })
}

fn sign(header: &[u8], payload: &[u8]) -> String {
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let tag = keys().mac.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(tag))
}

/// Whether the rules allow a token with this header and these claims.
fn allowed(header: &Value, claims: &Value, now_before: i64, now_after: i64) -> bool {
    const LEEWAY: i64 = 5;
    let str_of = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let int_of = |v: &Value, k: &str| v.get(k).and_then(Value::as_i64);
    if str_of(header, "alg").as_deref() != Some("HS256") {
        return false;
    }
    if str_of(claims, "iss").as_deref() != Some("recordings-api") || str_of(claims, "sub").is_none()
    {
        return false;
    }
    match int_of(claims, "exp") {
        Some(exp) if exp + LEEWAY >= now_before - 1 => {}
        _ => return false,
    }
    match int_of(claims, "nbf") {
        Some(nbf) if nbf - LEEWAY <= now_after + 1 => {}
        _ => return false,
    }
    true
}

fuzz_target!(|input: Input| {
    let k = keys();
    let now_before = recordings_fuzz::now_seconds();
    let (token, forged, header, claims) = match &input {
        Input::Raw(s) => (s.clone(), true, Value::Null, Value::Null),
        Input::Signed { alg, typ, claims } => {
            let mut header = json!({});
            match alg {
                Alg::Hs256 => header["alg"] = json!("HS256"),
                Alg::None => header["alg"] = json!("none"),
                Alg::Other(s) => header["alg"] = json!(s),
            }
            if let Some(typ) = typ {
                header["typ"] = json!(typ);
            }
            let mut payload = json!({});
            let fields = [
                ("iss", field(&claims.iss, &["recordings-api"])),
                (
                    "aud",
                    field(&claims.aud, &["recordings-admin", "recordings-room"]),
                ),
                ("sub", field(&claims.sub, &["admin"])),
                (
                    "role",
                    field(&claims.role, &["admin", "moderator", "speaker"]),
                ),
                ("room", field(&claims.room, &["room-a", "a--b"])),
            ];
            for (name, value) in fields {
                if let Some(value) = value {
                    payload[name] = value;
                }
            }
            for (name, offset) in [
                ("exp", claims.exp),
                ("nbf", claims.nbf),
                ("iat", claims.iat),
            ] {
                if let Some(offset) = offset {
                    payload[name] = json!(now_before + i64::from(offset));
                }
            }
            let token = sign(
                header.to_string().as_bytes(),
                payload.to_string().as_bytes(),
            );
            (token, false, header, payload)
        }
        Input::SignedRaw { header, payload } => {
            let token = sign(header, payload);
            let parse = |b: &[u8]| serde_json::from_slice::<Value>(b).unwrap_or(Value::Null);
            (token, false, parse(header), parse(payload))
        }
    };
    let result = k.tokens.verify(&token);
    let now_after = recordings_fuzz::now_seconds();
    let Ok(principal) = result else { return };
    assert!(
        !forged,
        "a token not signed with the key was accepted: {token:?}"
    );
    assert!(
        allowed(&header, &claims, now_before, now_after),
        "accepted against the rules: header {header}, claims {claims}"
    );
    let str_of = |k: &str| claims.get(k).and_then(Value::as_str);
    match principal {
        Principal::Admin => {
            assert_eq!(str_of("aud"), Some("recordings-admin"), "{claims}");
            assert_eq!(str_of("role"), Some("admin"), "{claims}");
            assert!(claims.get("room").is_none_or(Value::is_null), "{claims}");
        }
        Principal::Participant { room_id, role } => {
            assert_eq!(str_of("aud"), Some("recordings-room"), "{claims}");
            let expected = match role {
                Role::Moderator => "moderator",
                Role::Speaker => "speaker",
            };
            assert_eq!(str_of("role"), Some(expected), "{claims}");
            assert_eq!(str_of("room"), Some(room_id.as_str()), "{claims}");
        }
    }
});
