//! `GET /recordings` and `GET /rooms` query strings: any parameters give a validated query
//! or a 422 naming the problems, never a panic or another status; a page token is taken
//! only when it was issued for the same query.
#![no_main]

use std::collections::HashMap;
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use shared::model::{RecordingId, RoomId};
use shared::pagination::{Cursor, ListQuery, MAX_MAX_ITEMS, PageTokens, RoomListQuery};

const NAMES: [&str; 7] = [
    "maxItems",
    "roomId",
    "status",
    "sortOrder",
    "fields",
    "nextPageToken",
    "recordingIds",
];

#[derive(Debug, Arbitrary)]
enum Name {
    Known(u8),
    Other(String),
}

/// A page token the server really issued, for a cursor and a query of the fuzzer's choice.
#[derive(Debug, Arbitrary)]
struct Issued {
    /// An index key, ending in `#<id>`, and the list's partition it is in.
    key: String,
    segment: u8,
    /// Bound to the parsed query's own fingerprint, or to this one.
    fingerprint: Option<String>,
}

#[derive(Debug, Arbitrary)]
struct Input {
    params: Vec<(Name, String)>,
    issued: Option<Issued>,
}

fn tokens() -> &'static PageTokens {
    static TOKENS: OnceLock<PageTokens> = OnceLock::new();
    TOKENS.get_or_init(|| PageTokens::new(recordings_fuzz::ROOT_KEY.as_bytes()))
}

fuzz_target!(|input: Input| {
    // API Gateway joins a repeated parameter's values with commas.
    let mut params: HashMap<String, String> = HashMap::new();
    for (name, value) in input.params {
        let name = match name {
            Name::Known(n) => NAMES[usize::from(n) % NAMES.len()].to_owned(),
            Name::Other(s) => s,
        };
        params
            .entry(name)
            .and_modify(|v| {
                v.push(',');
                v.push_str(&value);
            })
            .or_insert(value);
    }
    let tokens = tokens();

    // The fingerprint of the query without its token, to bind an issued token to it.
    let fingerprint_of = |params: &HashMap<String, String>| {
        let mut without = params.clone();
        without.remove("nextPageToken");
        ListQuery::parse(|k| without.get(k).map(String::as_str), tokens)
            .ok()
            .map(|q| q.fingerprint)
    };
    let mut issued_for_this_query = None;
    if let Some(issued) = &input.issued {
        let own = fingerprint_of(&params);
        let fingerprint = issued
            .fingerprint
            .clone()
            .or(own.clone())
            .unwrap_or_default();
        let cursor = Cursor {
            key: issued.key.clone(),
            segment: issued.segment,
        };
        let token = tokens.encode(&cursor, &fingerprint);
        if own.as_deref() == Some(fingerprint.as_str()) {
            issued_for_this_query = Some((cursor, token.clone()));
        }
        params.insert("nextPageToken".to_owned(), token);
    }
    let param = |k: &str| params.get(k).map(String::as_str);

    match ListQuery::parse(param, tokens) {
        Err(err) => {
            assert_eq!(err.status().as_u16(), 422, "{err:?}");
            // A token issued for this very query, with a recording id as its cursor, is
            // refused only for its length.
            if let Some((cursor, token)) = &issued_for_this_query {
                if RecordingId::parse(cursor.id()).is_ok() {
                    assert!(token.len() > 1024, "own token refused: {err:?}");
                }
            }
        }
        Ok(query) => {
            assert!((1..=MAX_MAX_ITEMS).contains(&query.max_items));
            if param("maxItems").is_none() {
                assert_eq!(query.max_items, 10);
            }
            match param("roomId") {
                None => assert!(query.room_id.is_none()),
                Some(r) => assert_eq!(query.room_id, Some(RoomId::parse(r).expect("valid room"))),
            }
            assert!(matches!(
                param("sortOrder"),
                None | Some("asc") | Some("desc")
            ));
            assert_eq!(query.cursor.is_some(), param("nextPageToken").is_some());
            if let Some(cursor) = &query.cursor {
                assert!(RecordingId::parse(cursor.id()).is_ok());
                let (issued, _) = issued_for_this_query
                    .as_ref()
                    .expect("only a token issued for this query is accepted");
                assert_eq!(cursor, issued);
            }
            let mut scoped = query.clone();
            scoped.scope_to(&shared::model::Principal::Admin);
            assert_eq!(scoped.fingerprint, query.fingerprint);
        }
    }

    match RoomListQuery::parse(param, tokens) {
        Err(err) => assert_eq!(err.status().as_u16(), 422, "{err:?}"),
        Ok(query) => {
            assert!((1..=MAX_MAX_ITEMS).contains(&query.max_items));
            if let Some(cursor) = &query.cursor {
                assert!(RoomId::parse(cursor.id()).is_ok());
            }
        }
    }
});
