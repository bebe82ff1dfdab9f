//! The recipient page's view pass: a cookie that says this browser opened a share link
//! (its password given, its view counted), so that the page's own reloads, such as its
//! refresh of an expired video URL, neither ask again nor count again. It is an
//! HMAC of the link's id and the pass's end, under a key of its own: it names no secret
//! and cannot be made for another link or stretched.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::crypto::MacKey;

/// How long a pass lasts: a viewing, not a standing grant.
pub const PASS_SECONDS: i64 = 12 * 60 * 60;

pub struct ViewPasses(MacKey);

impl ViewPasses {
    pub fn new(root_key: &[u8]) -> Self {
        Self(MacKey::derive(root_key, "share-view-pass-v1"))
    }

    /// The cookie's name for a link.
    pub fn cookie_name(share_id: &str) -> String {
        format!("view-{share_id}")
    }

    /// A pass for `share_id` that ends at `until` (epoch seconds).
    pub fn issue(&self, share_id: &str, until: i64) -> String {
        let tag = self.0.sign(format!("{share_id}|{until}").as_bytes());
        format!("{until}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    /// Whether `pass` was issued for `share_id` and has not ended at `now` (epoch seconds).
    pub fn holds(&self, pass: &str, share_id: &str, now: i64) -> bool {
        let Some((until, tag)) = pass.split_once('.') else {
            return false;
        };
        let Ok(until_seconds) = until.parse::<i64>() else {
            return false;
        };
        let Ok(tag) = URL_SAFE_NO_PAD.decode(tag) else {
            return false;
        };
        until_seconds > now
            && until == until_seconds.to_string()
            && self
                .0
                .verify(format!("{share_id}|{until}").as_bytes(), &tag)
    }
}

/// The value of cookie `name` in a `Cookie` header, if sent.
pub fn cookie<'h>(header: &'h str, name: &str) -> Option<&'h str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_holds_for_its_link_until_it_ends() {
        let passes = ViewPasses::new(b"a test root key of sufficient length!!");
        let pass = passes.issue("abcdefghijkl", 1_000);
        assert!(passes.holds(&pass, "abcdefghijkl", 999));
        assert!(!passes.holds(&pass, "abcdefghijkl", 1_000));
        assert!(!passes.holds(&pass, "bbcdefghijkl", 999));
        let stretched = pass.replacen("1000", "9000", 1);
        assert!(!passes.holds(&stretched, "abcdefghijkl", 999));
        assert!(!passes.holds("01000.x", "abcdefghijkl", 999));
        let other = ViewPasses::new(b"another root key of sufficient length!");
        assert!(!other.holds(&pass, "abcdefghijkl", 999));
        for junk in ["", ".", "1000", "x.y", "1000.!!"] {
            assert!(!passes.holds(junk, "abcdefghijkl", 0), "{junk}");
        }
    }

    #[test]
    fn cookies_are_found_by_name() {
        let header = "a=1; view-abc=2.x; view-ab=3";
        assert_eq!(cookie(header, "view-abc"), Some("2.x"));
        assert_eq!(cookie(header, "view-ab"), Some("3"));
        assert_eq!(cookie(header, "view"), None);
    }
}
