//! Page tokens: `PageTokens::decode` on anything a client can send never panics and only
//! ever answers 422; a token the server issued decodes to its cursor for its own query and
//! for no other, and any change to it is refused.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use shared::pagination::{Cursor, PageTokens};

#[derive(Debug, Arbitrary)]
struct Input {
    /// A token as a client may send it.
    token: String,
    fingerprint: String,
    /// A cursor the server issues a token for, then a change to that token.
    key: String,
    segment: u8,
    other_fingerprint: String,
    change_at: u16,
    change_to: u8,
}

fn tokens() -> &'static PageTokens {
    static TOKENS: OnceLock<PageTokens> = OnceLock::new();
    TOKENS.get_or_init(|| PageTokens::new(recordings_fuzz::ROOT_KEY.as_bytes()))
}

fuzz_target!(|input: Input| {
    let tokens = tokens();
    // Without the key no token verifies: anything else is a forgery.
    match tokens.decode(&input.token, &input.fingerprint) {
        Ok(cursor) => panic!("forged token accepted: {:?} -> {cursor:?}", input.token),
        Err(err) => assert_eq!(err.status().as_u16(), 422, "{err:?}"),
    }

    let cursor = Cursor {
        key: input.key.clone(),
        segment: input.segment,
    };
    let token = tokens.encode(&cursor, &input.fingerprint);
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'),
        "tokens are URL-safe: {token:?}"
    );
    match tokens.decode(&token, &input.fingerprint) {
        Ok(decoded) => assert_eq!(decoded, cursor),
        // Only tokens past the length limit are refused (ids and queries are far shorter).
        Err(err) => assert!(token.len() > 1024, "own token refused: {err:?}"),
    }
    if input.other_fingerprint != input.fingerprint {
        assert!(tokens.decode(&token, &input.other_fingerprint).is_err());
    }
    // Any other token (one character changed, or cut short) is refused.
    let mut changed = token.clone().into_bytes();
    if !changed.is_empty() {
        let at = usize::from(input.change_at) % changed.len();
        changed[at] = input.change_to;
        if let Ok(changed) = String::from_utf8(changed) {
            if changed != token {
                assert!(
                    tokens.decode(&changed, &input.fingerprint).is_err(),
                    "{token:?} changed to {changed:?} still decodes"
                );
            }
        }
        let cut = &token[..usize::from(input.change_at) % token.len()];
        assert!(tokens.decode(cut, &input.fingerprint).is_err());
    }
});
