//! Small wrappers over aws-lc (already linked by the SDK's TLS) for hashing, MACs and
//! constant-time comparison.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use aws_lc_rs::{constant_time, digest, hmac, rand};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// `n` random bytes from the system's secure generator.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    // The system generator failing is unrecoverable: no secret may be made without it.
    rand::fill(&mut bytes).expect("the system random generator works");
    bytes
}

/// A URL-safe secret of `n` random bytes.
pub fn random_token(n: usize) -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(n))
}

/// `n` random lowercase letters and digits (for ids, not secrets).
pub fn random_alphanumeric(n: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    random_bytes(n)
        .into_iter()
        .map(|b| ALPHABET[usize::from(b) % ALPHABET.len()] as char)
        .collect()
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, data).as_ref());
    out
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(sha256(data))
}

pub fn decode_hex32(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

/// Compares two secrets without leaking, through timing, where they first differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    constant_time::verify_slices_are_equal(a, b).is_ok()
}

/// A password's argon2id hash (PHC string), with a fresh random salt and the crate's
/// recommended parameters.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::encode_b64(&random_bytes(16))?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Whether `password` is the one `hash` (a PHC string) was made from; a malformed hash
/// matches nothing.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// The key for one purpose: HMAC-SHA256(root, purpose).
pub fn derive_key(root: &[u8], purpose: &str) -> Vec<u8> {
    let root = hmac::Key::new(hmac::HMAC_SHA256, root);
    hmac::sign(&root, purpose.as_bytes()).as_ref().to_vec()
}

/// An HMAC-SHA256 key for one purpose, derived from the root signing key so that a token
/// of one kind can never be replayed as another.
pub struct MacKey(hmac::Key);

impl MacKey {
    pub fn derive(root: &[u8], purpose: &str) -> Self {
        Self(hmac::Key::new(
            hmac::HMAC_SHA256,
            &derive_key(root, purpose),
        ))
    }

    pub fn sign(&self, data: &[u8]) -> Vec<u8> {
        hmac::sign(&self.0, data).as_ref().to_vec()
    }

    pub fn verify(&self, data: &[u8], tag: &[u8]) -> bool {
        hmac::verify(&self.0, data, tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_a_fresh_salt() {
        let hash = hash_password("correct horse").expect("hashed");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horsE", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
        assert_ne!(hash, hash_password("correct horse").expect("hashed"));
    }

    #[test]
    fn hex_round_trip() {
        let h = sha256_hex(b"abc");
        assert_eq!(
            h,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(decode_hex32(&h), Some(sha256(b"abc")));
        assert_eq!(decode_hex32("zz"), None);
    }

    #[test]
    fn derived_keys_differ_by_purpose() {
        let a = MacKey::derive(b"root", "a");
        let b = MacKey::derive(b"root", "b");
        let tag = a.sign(b"data");
        assert!(a.verify(b"data", &tag));
        assert!(!b.verify(b"data", &tag));
        assert!(!a.verify(b"date", &tag));
    }

    #[test]
    fn constant_time_eq_compares_content_and_length() {
        assert!(constant_time_eq(b"same", b"same"));
        assert!(!constant_time_eq(b"same", b"sane"));
        assert!(!constant_time_eq(b"same", b"same+"));
    }
}
