//! Small wrappers over aws-lc (already linked by the SDK's TLS) for hashing, MACs and
//! constant-time comparison.

use aws_lc_rs::{constant_time, digest, hmac};

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

/// An HMAC-SHA256 key for one purpose, derived from the root signing key so that a token
/// of one kind can never be replayed as another.
pub struct MacKey(hmac::Key);

impl MacKey {
    pub fn derive(root: &[u8], purpose: &str) -> Self {
        let root = hmac::Key::new(hmac::HMAC_SHA256, root);
        let derived = hmac::sign(&root, purpose.as_bytes());
        Self(hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref()))
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
