//! Admin and room tokens: HS256 JWTs with every registered claim required and checked.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::crypto;
use crate::model::RoomId;
use crate::permissions::{Principal, Role};

pub const TOKEN_LIFETIME_SECONDS: i64 = 2 * 60 * 60;
const LEEWAY_SECONDS: u64 = 5;
const ISSUER: &str = "recordings-api";
const ADMIN_AUDIENCE: &str = "recordings-admin";
const ROOM_AUDIENCE: &str = "recordings-room";
/// Purpose label of the JWT key derived from the root signing key.
pub const JWT_KEY_PURPOSE: &str = "jwt-v1";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    sub: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    room: Option<String>,
}

/// Why a token was refused; the reason is logged, never sent.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("token rejected: {0}")]
    Invalid(String),
    /// This function was not given the signing key: it issues and accepts no token.
    #[error("TOKEN_SIGNING_KEY is not configured")]
    Unconfigured,
}

pub struct Tokens(Option<Keys>);

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl Tokens {
    pub fn new(root_key: &[u8]) -> Self {
        let key = crypto::derive_key(root_key, JWT_KEY_PURPOSE);
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["iss", "aud", "sub", "exp", "nbf"]);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[ADMIN_AUDIENCE, ROOM_AUDIENCE]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        Self(Some(Keys {
            encoding: EncodingKey::from_secret(&key),
            decoding: DecodingKey::from_secret(&key),
            validation,
        }))
    }

    /// Where no signing key is configured: every issue and verify fails as
    /// [`TokenError::Unconfigured`].
    pub fn unconfigured() -> Self {
        Self(None)
    }

    fn keys(&self) -> Result<&Keys, TokenError> {
        self.0.as_ref().ok_or(TokenError::Unconfigured)
    }

    /// A token for the administrator `username`.
    pub fn issue_admin(&self, username: &str, now: i64) -> Result<String, TokenError> {
        self.issue(Claims {
            iss: ISSUER.into(),
            aud: ADMIN_AUDIENCE.into(),
            sub: username.into(),
            iat: now,
            nbf: now,
            exp: now + TOKEN_LIFETIME_SECONDS,
            role: "admin".into(),
            room: None,
        })
    }

    /// A token for a participant of `room` with `role`.
    pub fn issue_room(&self, room: &RoomId, role: Role, now: i64) -> Result<String, TokenError> {
        self.issue(Claims {
            iss: ISSUER.into(),
            aud: ROOM_AUDIENCE.into(),
            sub: format!("{}:{room}", role.as_str()),
            iat: now,
            nbf: now,
            exp: now + TOKEN_LIFETIME_SECONDS,
            role: role.as_str().into(),
            room: Some(room.to_string()),
        })
    }

    fn issue(&self, claims: Claims) -> Result<String, TokenError> {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.keys()?.encoding,
        )
        .map_err(|e| TokenError::Invalid(format!("signing: {e}")))
    }

    /// Verifies signature, algorithm and claims, then maps the token to its principal. A
    /// token whose audience, role and room disagree is refused.
    pub fn verify(&self, token: &str) -> Result<Principal, TokenError> {
        let keys = self.keys()?;
        let data = jsonwebtoken::decode::<Claims>(token, &keys.decoding, &keys.validation)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
        let claims = data.claims;
        match (claims.aud.as_str(), claims.role.as_str(), claims.room) {
            (ADMIN_AUDIENCE, "admin", None) => Ok(Principal::Admin),
            (ROOM_AUDIENCE, role, Some(room)) => {
                let role = match role {
                    "moderator" => Role::Moderator,
                    "speaker" => Role::Speaker,
                    _ => return Err(TokenError::Invalid("unknown role".into())),
                };
                let room_id = RoomId::parse(&room)
                    .map_err(|_| TokenError::Invalid("malformed room".into()))?;
                Ok(Principal::Participant { room_id, role })
            }
            _ => Err(TokenError::Invalid(
                "audience, role and room disagree".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &[u8] = b"a root signing key of at least 32 bytes";

    fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default()
    }

    #[test]
    fn issued_tokens_verify_to_their_principal() {
        let tokens = Tokens::new(ROOT);
        let admin = tokens.issue_admin("admin", now()).expect("signed");
        assert_eq!(tokens.verify(&admin).expect("valid"), Principal::Admin);
        let room = RoomId::parse("room-a").expect("valid");
        let speaker = tokens
            .issue_room(&room, Role::Speaker, now())
            .expect("signed");
        assert_eq!(
            tokens.verify(&speaker).expect("valid"),
            Principal::Participant {
                room_id: room,
                role: Role::Speaker
            }
        );
    }

    #[test]
    fn tokens_of_another_key_or_expired_are_refused() {
        let tokens = Tokens::new(ROOT);
        let other = Tokens::new(b"another root signing key, 32 bytes+");
        let foreign = other.issue_admin("admin", now()).expect("signed");
        assert!(tokens.verify(&foreign).is_err());
        let expired = tokens
            .issue_admin("admin", now() - TOKEN_LIFETIME_SECONDS - 60)
            .expect("signed");
        assert!(tokens.verify(&expired).is_err());
        let future = tokens.issue_admin("admin", now() + 600).expect("signed");
        assert!(tokens.verify(&future).is_err());
    }

    #[test]
    fn without_a_key_nothing_is_issued_or_accepted() {
        let none = Tokens::unconfigured();
        let token = Tokens::new(ROOT)
            .issue_admin("admin", now())
            .expect("signed");
        assert!(matches!(none.verify(&token), Err(TokenError::Unconfigured)));
        assert!(matches!(
            none.issue_admin("admin", now()),
            Err(TokenError::Unconfigured)
        ));
    }
}
