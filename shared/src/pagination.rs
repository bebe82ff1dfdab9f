//! List queries and their page tokens: opaque to clients, integrity-protected, and bound to
//! the query that produced them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::crypto::{MacKey, sha256};
use crate::error::{ApiError, FieldError};
use crate::model::{ActivityKind, FieldSelection, RecordingId, RoomId};
use crate::permissions::Principal;
use crate::search::{self, Search, SortField};

pub const DEFAULT_MAX_ITEMS: u32 = 10;
pub const MAX_MAX_ITEMS: u32 = 100;
/// An activity page: a screenful of short entries.
pub const DEFAULT_ACTIVITY_ITEMS: u32 = 20;
/// Far above any token we issue; longer input is rejected before it is decoded.
const MAX_TOKEN_LEN: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Desc,
    Asc,
}

impl SortOrder {
    fn as_str(self) -> &'static str {
        match self {
            Self::Desc => "desc",
            Self::Asc => "asc",
        }
    }
}

/// Where the previous page ended: the last item's key in the index the list reads, and
/// which of the list's partitions it is in (lists of an optional value read a second one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: String,
    pub segment: u8,
}

impl Cursor {
    /// The id of the item the key belongs to: every index key ends in `#<id>`.
    pub fn id(&self) -> &str {
        self.key.rsplit('#').next().unwrap_or_default()
    }
}

/// `GET /recordings`, validated.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub max_items: u32,
    pub room_id: Option<RoomId>,
    /// `trashed=true`: the recycle bin rather than the lists.
    pub trashed: bool,
    pub sort_field: SortField,
    pub sort: SortOrder,
    pub search: Search,
    pub fields: FieldSelection,
    pub cursor: Option<Cursor>,
    /// The query as the client sent it, which its page tokens are bound to (a room token
    /// listing without `roomId` is scoped to its room later, without changing this).
    pub fingerprint: String,
}

impl ListQuery {
    /// Validates every parameter, reporting all problems at once.
    pub fn parse<'a>(
        param: impl Fn(&str) -> Option<&'a str>,
        tokens: &PageTokens,
    ) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        let max_items = parse_max_items(param("maxItems")).unwrap_or_else(|e| {
            errors.push(e);
            DEFAULT_MAX_ITEMS
        });
        let room_id = param("roomId").and_then(|r| {
            RoomId::parse(r)
                .map_err(|m| errors.push(FieldError::new("roomId", m)))
                .ok()
        });
        let search = Search::parse(&param, &mut errors);
        let sort_field = search::sort_field(param("sortField"), &mut errors);
        let trashed = match param("trashed") {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                errors.push(FieldError::new("trashed", "must be true or false"));
                false
            }
        };
        let sort = match param("sortOrder") {
            None | Some("desc") => SortOrder::Desc,
            Some("asc") => SortOrder::Asc,
            Some(_) => {
                errors.push(FieldError::new("sortOrder", "must be asc or desc"));
                SortOrder::Desc
            }
        };
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let mut query = Self {
            max_items,
            room_id,
            trashed,
            sort_field,
            sort,
            search,
            fields: FieldSelection::parse(param("fields")),
            cursor: None,
            fingerprint: String::new(),
        };
        query.fingerprint = query.fingerprint_of_params();
        if let Some(token) = param("nextPageToken") {
            let cursor = tokens.decode(token, &query.fingerprint)?;
            RecordingId::parse(cursor.id()).map_err(|_| malformed_token())?;
            query.cursor = Some(cursor);
        }
        Ok(query)
    }

    /// A participant lists its own room when it names none.
    pub fn scope_to(&mut self, principal: &Principal) {
        if let Principal::Participant { room_id, .. } = principal {
            self.room_id.get_or_insert_with(|| room_id.clone());
        }
    }

    /// What a page token is bound to: everything that decides which items come next.
    fn fingerprint_of_params(&self) -> String {
        format!(
            "room={};trashed={};sort={}:{};search={}",
            self.room_id.as_ref().map_or("*", RoomId::as_str),
            self.trashed,
            self.sort_field.as_str(),
            self.sort.as_str(),
            self.search.fingerprint()
        )
    }
}

/// `GET /rooms`: a page size and where to continue.
#[derive(Debug, Clone)]
pub struct RoomListQuery {
    pub max_items: u32,
    pub cursor: Option<Cursor>,
}

impl RoomListQuery {
    pub const FINGERPRINT: &str = "rooms";

    pub fn parse<'a>(
        param: impl Fn(&str) -> Option<&'a str>,
        tokens: &PageTokens,
    ) -> Result<Self, ApiError> {
        let max_items =
            parse_max_items(param("maxItems")).map_err(|e| ApiError::Validation(vec![e]))?;
        let cursor = match param("nextPageToken") {
            None => None,
            Some(token) => {
                let cursor = tokens.decode(token, Self::FINGERPRINT)?;
                RoomId::parse(cursor.id()).map_err(|_| malformed_token())?;
                Some(cursor)
            }
        };
        Ok(Self { max_items, cursor })
    }
}

/// `GET /recordings/{id}/activity` and `GET /rooms/{id}/activity`: a page size, the kinds
/// kept (all when none) and where to continue.
#[derive(Debug, Clone)]
pub struct ActivityQuery {
    pub max_items: u32,
    pub kinds: Vec<ActivityKind>,
    pub cursor: Option<Cursor>,
}

impl ActivityQuery {
    /// `scope` names whose activity is listed, which page tokens are bound to as well as
    /// to the kinds.
    pub fn parse<'a>(
        param: impl Fn(&str) -> Option<&'a str>,
        scope: &str,
        tokens: &PageTokens,
    ) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        let max_items = match param("maxItems") {
            None => DEFAULT_ACTIVITY_ITEMS,
            raw => parse_max_items(raw).unwrap_or_else(|e| {
                errors.push(e);
                DEFAULT_ACTIVITY_ITEMS
            }),
        };
        let mut kinds = Vec::new();
        for name in param("kind").unwrap_or_default().split(',').map(str::trim) {
            match ActivityKind::parse(name) {
                Some(kind) if !kinds.contains(&kind) => kinds.push(kind),
                Some(_) => {}
                None if name.is_empty() => {}
                None => {
                    let known: Vec<_> = ActivityKind::ALL.iter().map(|k| k.as_str()).collect();
                    errors.push(FieldError::new(
                        "kind",
                        format!("'{name}' is not one of {}", known.join(", ")),
                    ));
                    break;
                }
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        kinds.sort_by_key(|k| k.as_str());
        let fingerprint = Self::fingerprint(scope, &kinds);
        let cursor = match param("nextPageToken") {
            None => None,
            Some(token) => Some(tokens.decode(token, &fingerprint)?),
        };
        Ok(Self {
            max_items,
            kinds,
            cursor,
        })
    }

    pub fn fingerprint(scope: &str, kinds: &[ActivityKind]) -> String {
        let kinds: Vec<_> = kinds.iter().map(|k| k.as_str()).collect();
        format!("activity;{scope};kinds={}", kinds.join(","))
    }
}

fn malformed_token() -> ApiError {
    ApiError::invalid("nextPageToken", "is not a valid page token")
}

fn parse_max_items(raw: Option<&str>) -> Result<u32, FieldError> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_MAX_ITEMS);
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(raw) {
        // All digits, however many: anything past the cap is clamped to it.
        let value = raw.parse::<u64>().unwrap_or(u64::MAX);
        if value == 0 {
            return Err(FieldError::new("maxItems", "must be at least 1"));
        }
        return Ok(value.min(u64::from(MAX_MAX_ITEMS)) as u32);
    }
    if raw.strip_prefix('-').is_some_and(digits) {
        return Err(FieldError::new("maxItems", "must be at least 1"));
    }
    Err(FieldError::new("maxItems", "must be a whole number"))
}

#[derive(Serialize, Deserialize)]
struct TokenPayload {
    v: u8,
    /// A digest of the query's fingerprint, which can be long (a regex, search words).
    q: String,
    k: String,
    s: u8,
}

const TOKEN_VERSION: u8 = 2;

fn query_digest(fingerprint: &str) -> String {
    URL_SAFE_NO_PAD.encode(&sha256(fingerprint.as_bytes())[..16])
}

/// One page of a list, as the store returns it.
pub struct Page<T> {
    pub items: Vec<T>,
    /// Where the next page starts, when more may follow.
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// A page of items read with the partition each was found in, which only the cursor
    /// needs.
    pub(crate) fn of<S>(items: Vec<(T, S)>, next: Option<Cursor>) -> Self {
        Self {
            items: items.into_iter().map(|(item, _)| item).collect(),
            next,
        }
    }

    /// The contract's list body: `{<name>: [...], "pagination": {...}}`, the next page's
    /// token bound to `fingerprint`.
    pub fn to_json(
        &self,
        name: &str,
        max_items: u32,
        fingerprint: &str,
        tokens: &PageTokens,
        item: impl Fn(&T) -> serde_json::Value,
    ) -> serde_json::Value {
        let mut pagination = serde_json::json!({
            "isTruncated": self.next.is_some(),
            "maxItems": max_items,
        });
        if let Some(cursor) = &self.next {
            pagination["nextPageToken"] = tokens.encode(cursor, fingerprint).into();
        }
        let items: Vec<_> = self.items.iter().map(item).collect();
        serde_json::json!({name: items, "pagination": pagination})
    }
}

/// Issues and checks page tokens with a key of their own.
pub struct PageTokens(MacKey);

impl PageTokens {
    pub fn new(root_key: &[u8]) -> Self {
        Self(MacKey::derive(root_key, "page-token-v1"))
    }

    pub fn encode(&self, cursor: &Cursor, fingerprint: &str) -> String {
        let payload = TokenPayload {
            v: TOKEN_VERSION,
            q: query_digest(fingerprint),
            k: cursor.key.clone(),
            s: cursor.segment,
        };
        let json = serde_json::to_vec(&payload).unwrap_or_default();
        let tag = self.0.sign(&json);
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(json),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    pub fn decode(&self, token: &str, fingerprint: &str) -> Result<Cursor, ApiError> {
        let malformed = malformed_token;
        if token.len() > MAX_TOKEN_LEN {
            return Err(malformed());
        }
        let (payload, tag) = token.split_once('.').ok_or_else(malformed)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| malformed())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| malformed())?;
        if !self.0.verify(&payload, &tag) {
            return Err(malformed());
        }
        let payload: TokenPayload = serde_json::from_slice(&payload).map_err(|_| malformed())?;
        if payload.v != TOKEN_VERSION {
            return Err(malformed());
        }
        if payload.q != query_digest(fingerprint) {
            return Err(ApiError::invalid(
                "nextPageToken",
                "belongs to another query (only maxItems and fields may change between pages)",
            ));
        }
        Ok(Cursor {
            key: payload.k,
            segment: payload.s,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn tokens() -> PageTokens {
        PageTokens::new(b"a test root key of sufficient length!!")
    }

    fn parse(pairs: &[(&str, &str)]) -> Result<ListQuery, ApiError> {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        ListQuery::parse(|k| map.get(k).copied(), &tokens())
    }

    fn details(err: ApiError) -> Vec<FieldError> {
        match err {
            ApiError::Validation(d) => d,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    fn cursor() -> Cursor {
        Cursor {
            key: "0001764190000000#room-a--EG_x1--u1".to_owned(),
            segment: 0,
        }
    }

    #[test]
    fn max_items_defaults_clamps_and_rejects() {
        assert_eq!(parse(&[]).expect("ok").max_items, 10);
        assert_eq!(parse(&[("maxItems", "1")]).expect("ok").max_items, 1);
        assert_eq!(parse(&[("maxItems", "100")]).expect("ok").max_items, 100);
        assert_eq!(parse(&[("maxItems", "101")]).expect("ok").max_items, 100);
        assert_eq!(
            parse(&[("maxItems", "99999999999999999999999")])
                .expect("ok")
                .max_items,
            100
        );
        for (raw, message) in [
            ("0", "must be at least 1"),
            ("-1", "must be at least 1"),
            ("-0", "must be at least 1"),
            ("abc", "must be a whole number"),
            ("1.5", "must be a whole number"),
            ("", "must be a whole number"),
            (" 5", "must be a whole number"),
            ("1e3", "must be a whole number"),
        ] {
            let d = details(parse(&[("maxItems", raw)]).expect_err(raw));
            assert_eq!(d, vec![FieldError::new("maxItems", message)], "{raw}");
        }
    }

    #[test]
    fn reports_every_invalid_parameter_at_once() {
        let d = details(
            parse(&[
                ("maxItems", "0"),
                ("roomId", "a--b"),
                ("status", "deleting"),
                ("sortOrder", "up"),
            ])
            .expect_err("invalid"),
        );
        let fields: Vec<_> = d.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["maxItems", "roomId", "status", "sortOrder"]);
    }

    #[test]
    fn token_round_trips_for_the_same_query() {
        let query = parse(&[("status", "complete"), ("sortOrder", "asc")]).expect("ok");
        let token = tokens().encode(&cursor(), &query.fingerprint);
        let next = parse(&[
            ("status", "complete"),
            ("sortOrder", "asc"),
            ("maxItems", "5"),
            ("nextPageToken", &token),
        ])
        .expect("same query accepts its token");
        assert_eq!(next.cursor, Some(cursor()));
    }

    #[test]
    fn token_reused_with_other_filters_or_sort_is_rejected() {
        let query = parse(&[("roomId", "room-a"), ("status", "complete")]).expect("ok");
        let token = tokens().encode(&cursor(), &query.fingerprint);
        for other in [
            vec![("roomId", "room-b"), ("status", "complete")],
            vec![("status", "complete")],
            vec![("roomId", "room-a")],
            vec![("roomId", "room-a"), ("status", "failed")],
            vec![
                ("roomId", "room-a"),
                ("status", "complete"),
                ("sortOrder", "asc"),
            ],
        ] {
            let mut pairs = other.clone();
            pairs.push(("nextPageToken", &token));
            let d = details(parse(&pairs).expect_err("other query"));
            assert_eq!(d[0].field, "nextPageToken", "{other:?}");
        }
    }

    #[test]
    fn room_list_tokens_do_not_work_for_recordings_and_vice_versa() {
        let room_cursor = Cursor {
            key: "0000000000000001#room-a".to_owned(),
            segment: 0,
        };
        let token = tokens().encode(&room_cursor, RoomListQuery::FINGERPRINT);
        let map = HashMap::from([("nextPageToken", token.as_str())]);
        let rooms = RoomListQuery::parse(|k| map.get(k).copied(), &tokens()).expect("ok");
        assert_eq!(rooms.cursor, Some(room_cursor));
        assert!(parse(&[("nextPageToken", &token)]).is_err());
        let recording_token = tokens().encode(&cursor(), &parse(&[]).expect("ok").fingerprint);
        let map = HashMap::from([("nextPageToken", recording_token.as_str())]);
        assert!(RoomListQuery::parse(|k| map.get(k).copied(), &tokens()).is_err());
    }

    #[test]
    fn tampered_truncated_or_foreign_tokens_are_rejected() {
        let query = parse(&[]).expect("ok");
        let token = tokens().encode(&cursor(), &query.fingerprint);
        let (payload, tag) = token.split_once('.').expect("two parts");
        let mut forged = URL_SAFE_NO_PAD.decode(payload).expect("b64");
        forged[10] ^= 1;
        let foreign = PageTokens::new(b"another root key, also long enough!!")
            .encode(&cursor(), &query.fingerprint);
        for bad in [
            format!("{}.{tag}", URL_SAFE_NO_PAD.encode(&forged)),
            token[..token.len() - 3].to_owned(),
            payload.to_owned(),
            format!("{payload}."),
            format!(".{tag}"),
            foreign,
            "%%%".to_owned(),
            "a".repeat(5000),
            String::new(),
        ] {
            let d = details(parse(&[("nextPageToken", &bad)]).expect_err("bad token"));
            assert_eq!(d[0].field, "nextPageToken");
        }
    }
}
