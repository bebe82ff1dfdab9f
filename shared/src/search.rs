//! What `GET /recordings` finds and orders by, validated: a status, a room name (by
//! prefix, substring, exact name or regular expression), a start-date range and words of
//! titles and room names; and the field the list is sorted on.

use regex::{Regex, RegexBuilder};

use crate::error::FieldError;
use crate::model::{Recording, RecordingStatus};

/// The longest room-name search: the longest room name.
pub const MAX_ROOM_NAME_SEARCH_CHARS: usize = 128;
/// Patterns are kept short; with the engine's linear-time matching over names of at most
/// 128 characters, no pattern can make a list slow.
pub const MAX_REGEX_CHARS: usize = 100;
/// The most a compiled pattern may take, so that a short pattern cannot grow a large
/// automaton (counted repetitions, Unicode classes) either.
const REGEX_SIZE_LIMIT: usize = 1 << 20;
pub const MAX_QUERY_CHARS: usize = 200;
pub const MAX_QUERY_WORDS: usize = 10;
/// 9999-12-31T23:59:59.999Z: far past any recording, and still a date every client shows.
const MAX_DATE_MS: i64 = 253_402_300_799_999;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    StartDate,
    RoomName,
    Duration,
    Size,
}

impl SortField {
    const ALL: [Self; 4] = [Self::StartDate, Self::RoomName, Self::Duration, Self::Size];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::StartDate => "startDate",
            Self::RoomName => "roomName",
            Self::Duration => "duration",
            Self::Size => "size",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameMatch {
    Prefix,
    Partial,
    Exact,
    Regex,
}

impl NameMatch {
    const ALL: [Self; 4] = [Self::Prefix, Self::Partial, Self::Exact, Self::Regex];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prefix => "prefix",
            Self::Partial => "partial",
            Self::Exact => "exact",
            Self::Regex => "regex",
        }
    }
}

/// `roomName` with `roomNameMatchMode` and `roomNameCaseInsensitive`.
#[derive(Debug, Clone)]
pub struct RoomNameSearch {
    pub text: String,
    pub mode: NameMatch,
    pub case_insensitive: bool,
    /// The text in lower case, for case-insensitive matches.
    lowered: String,
    regex: Option<Regex>,
}

impl RoomNameSearch {
    pub fn matches(&self, name: &str) -> bool {
        if let Some(regex) = &self.regex {
            return regex.is_match(name);
        }
        let lowered;
        let (name, text) = if self.case_insensitive {
            lowered = name.to_lowercase();
            (lowered.as_str(), self.lowered.as_str())
        } else {
            (name, self.text.as_str())
        };
        match self.mode {
            NameMatch::Prefix => name.starts_with(text),
            NameMatch::Partial => name.contains(text),
            NameMatch::Exact | NameMatch::Regex => name == text,
        }
    }
}

/// Everything that selects which recordings a list shows.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub status: Option<RecordingStatus>,
    pub room_name: Option<RoomNameSearch>,
    /// Inclusive bounds of the start date (epoch ms).
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// `q`'s words in lower case; each is in the title or the room name.
    pub words: Vec<String>,
}

impl Search {
    /// Reads the search parameters, adding what is wrong to `errors`.
    pub fn parse<'a>(
        param: &impl Fn(&str) -> Option<&'a str>,
        errors: &mut Vec<FieldError>,
    ) -> Self {
        let status = param("status").and_then(|s| {
            s.parse::<RecordingStatus>()
                .map_err(|()| {
                    let allowed: Vec<_> = RecordingStatus::ALL.iter().map(|s| s.as_str()).collect();
                    errors.push(FieldError::new(
                        "status",
                        format!("must be one of {}", allowed.join(", ")),
                    ));
                })
                .ok()
        });
        let mode = one_of(
            param("roomNameMatchMode"),
            "roomNameMatchMode",
            &NameMatch::ALL,
            NameMatch::as_str,
            errors,
        )
        .unwrap_or(NameMatch::Prefix);
        let case_insensitive = match param("roomNameCaseInsensitive") {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                errors.push(FieldError::new(
                    "roomNameCaseInsensitive",
                    "must be true or false",
                ));
                false
            }
        };
        let room_name = param("roomName")
            .filter(|text| !text.is_empty())
            .and_then(|text| room_name_search(text, mode, case_insensitive, errors));
        let from = date(param("startDateFrom"), "startDateFrom", errors);
        let to = date(param("startDateTo"), "startDateTo", errors);
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            errors.push(FieldError::new(
                "startDateTo",
                "must not be before startDateFrom",
            ));
        }
        let words = param("q").map_or_else(Vec::new, |q| query_words(q, errors));
        Self {
            status,
            room_name,
            from,
            to,
            words,
        }
    }

    pub fn matches(&self, r: &Recording) -> bool {
        self.status.is_none_or(|s| s == r.status)
            && self.from.is_none_or(|from| r.start_date >= from)
            && self.to.is_none_or(|to| r.start_date <= to)
            && self
                .room_name
                .as_ref()
                .is_none_or(|n| n.matches(&r.room_name))
            && (self.words.is_empty() || {
                let text = format!("{} {}", r.title.as_deref().unwrap_or_default(), r.room_name)
                    .to_lowercase();
                self.words.iter().all(|w| text.contains(w.as_str()))
            })
    }

    /// Everything above, unambiguously, for binding page tokens to it.
    pub fn fingerprint(&self) -> String {
        let name = self
            .room_name
            .as_ref()
            .map(|n| (n.mode.as_str(), n.case_insensitive, n.text.as_str()));
        serde_json::json!([
            self.status.map(RecordingStatus::as_str),
            name,
            self.from,
            self.to,
            self.words
        ])
        .to_string()
    }
}

/// `name=<one of allowed>`, or `None` when it is absent or wrong (and then reported).
pub fn one_of<T: Copy>(
    raw: Option<&str>,
    name: &str,
    allowed: &[T],
    as_str: fn(T) -> &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let raw = raw?;
    let found = allowed.iter().copied().find(|v| as_str(*v) == raw);
    if found.is_none() {
        let names: Vec<_> = allowed.iter().map(|v| as_str(*v)).collect();
        errors.push(FieldError::new(
            name,
            format!("must be one of {}", names.join(", ")),
        ));
    }
    found
}

pub fn sort_field(raw: Option<&str>, errors: &mut Vec<FieldError>) -> SortField {
    one_of(raw, "sortField", &SortField::ALL, SortField::as_str, errors)
        .unwrap_or(SortField::StartDate)
}

fn room_name_search(
    text: &str,
    mode: NameMatch,
    case_insensitive: bool,
    errors: &mut Vec<FieldError>,
) -> Option<RoomNameSearch> {
    let limit = match mode {
        NameMatch::Regex => MAX_REGEX_CHARS,
        _ => MAX_ROOM_NAME_SEARCH_CHARS,
    };
    if text.chars().count() > limit {
        errors.push(FieldError::new(
            "roomName",
            format!("must be at most {limit} characters"),
        ));
        return None;
    }
    let regex = match mode {
        NameMatch::Regex => {
            let compiled = RegexBuilder::new(text)
                .case_insensitive(case_insensitive)
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(REGEX_SIZE_LIMIT)
                .build();
            match compiled {
                Ok(regex) => Some(regex),
                Err(_) => {
                    errors.push(FieldError::new(
                        "roomName",
                        "is not a regular expression this API supports (or is too complex)",
                    ));
                    return None;
                }
            }
        }
        _ => None,
    };
    Some(RoomNameSearch {
        text: text.to_owned(),
        mode,
        case_insensitive,
        lowered: text.to_lowercase(),
        regex,
    })
}

fn date(raw: Option<&str>, name: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let raw = raw?;
    let valid = !raw.is_empty() && raw.len() <= 15 && raw.bytes().all(|b| b.is_ascii_digit());
    match raw.parse::<i64>() {
        Ok(ms) if valid && ms <= MAX_DATE_MS => Some(ms),
        _ => {
            errors.push(FieldError::new(
                name,
                "must be a date in milliseconds since 1970 (0 to 253402300799999)",
            ));
            None
        }
    }
}

fn query_words(q: &str, errors: &mut Vec<FieldError>) -> Vec<String> {
    if q.chars().count() > MAX_QUERY_CHARS {
        errors.push(FieldError::new(
            "q",
            format!("must be at most {MAX_QUERY_CHARS} characters"),
        ));
        return Vec::new();
    }
    let mut words: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
    words.sort();
    words.dedup();
    if words.len() > MAX_QUERY_WORDS {
        errors.push(FieldError::new(
            "q",
            format!("must have at most {MAX_QUERY_WORDS} words"),
        ));
        return Vec::new();
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(pairs: &[(&str, &str)]) -> (Search, Vec<FieldError>) {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        let mut errors = Vec::new();
        let search = Search::parse(&|k| map.get(k).copied(), &mut errors);
        (search, errors)
    }

    fn name_matches(pairs: &[(&str, &str)], name: &str) -> bool {
        let (search, errors) = parse(pairs);
        assert!(errors.is_empty(), "{errors:?}");
        search.room_name.expect("a room-name search").matches(name)
    }

    #[test]
    fn room_names_match_by_each_mode_with_or_without_case() {
        let cases = [
            ("prefix", "false", "Board", "Board meeting", true),
            ("prefix", "false", "board", "Board meeting", false),
            ("prefix", "true", "board", "Board meeting", true),
            ("partial", "false", "meet", "Board meeting", true),
            ("partial", "true", "MEET", "Board meeting", true),
            ("partial", "false", "MEET", "Board meeting", false),
            ("exact", "false", "Board", "Board meeting", false),
            ("exact", "true", "board MEETING", "Board meeting", true),
            ("regex", "false", "^B.*g$", "Board meeting", true),
            ("regex", "false", "^b", "Board meeting", false),
            ("regex", "true", "^b", "Board meeting", true),
            ("regex", "true", "ΣΊΣΥΦΟΣ", "σίσυφος", true),
        ];
        for (mode, ci, text, name, expected) in cases {
            let pairs = [
                ("roomName", text),
                ("roomNameMatchMode", mode),
                ("roomNameCaseInsensitive", ci),
            ];
            assert_eq!(
                name_matches(&pairs, name),
                expected,
                "{mode} {ci} {text} {name}"
            );
        }
    }

    #[test]
    fn wrong_values_are_each_reported() {
        let long_regex = "a".repeat(MAX_REGEX_CHARS + 1);
        for (pairs, field) in [
            (vec![("roomNameMatchMode", "fuzzy")], "roomNameMatchMode"),
            (
                vec![("roomNameCaseInsensitive", "yes")],
                "roomNameCaseInsensitive",
            ),
            (
                vec![("roomName", "(a"), ("roomNameMatchMode", "regex")],
                "roomName",
            ),
            (
                vec![
                    ("roomName", long_regex.as_str()),
                    ("roomNameMatchMode", "regex"),
                ],
                "roomName",
            ),
            (
                vec![
                    ("roomName", "a{1000}{1000}"),
                    ("roomNameMatchMode", "regex"),
                ],
                "roomName",
            ),
            (vec![("startDateFrom", "-1")], "startDateFrom"),
            (vec![("startDateFrom", "1e3")], "startDateFrom"),
            (
                vec![("startDateTo", "999999999999999999999")],
                "startDateTo",
            ),
            (
                vec![("startDateFrom", "20"), ("startDateTo", "10")],
                "startDateTo",
            ),
            (vec![("status", "deleting")], "status"),
        ] {
            let (_, errors) = parse(&pairs);
            let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, [field], "{pairs:?}");
        }
        let long_name = "a".repeat(MAX_REGEX_CHARS + 1);
        let (_, errors) = parse(&[("roomName", long_name.as_str())]);
        assert!(errors.is_empty(), "a prefix may be as long as a room name");
    }

    #[test]
    fn words_match_titles_and_room_names_in_any_case() {
        let (search, errors) = parse(&[("q", "  march BOARD  ")]);
        assert!(errors.is_empty());
        assert_eq!(search.words, ["board", "march"]);
        let mut recording = Recording {
            recording_id: crate::model::RecordingId::parse("room-a--EG_1--x").expect("id"),
            room_id: crate::model::RoomId::parse("room-a").expect("id"),
            room_name: "Board".into(),
            title: None,
            status: RecordingStatus::Complete,
            filename: "x.mp4".into(),
            start_date: 1,
            end_date: None,
            duration: None,
            size: None,
            error_code: None,
            error: None,
            details: None,
            trash: None,
            legal_hold: None,
            expires_at: None,
        };
        assert!(!search.matches(&recording));
        recording.title = Some("The March meeting".into());
        assert!(search.matches(&recording));
    }

    #[test]
    fn the_fingerprint_tells_every_parameter_apart() {
        let prints: Vec<String> = [
            vec![],
            vec![("roomName", "a")],
            vec![("roomName", "a"), ("roomNameMatchMode", "exact")],
            vec![("roomName", "a"), ("roomNameCaseInsensitive", "true")],
            vec![("roomName", "A")],
            vec![("startDateFrom", "1")],
            vec![("startDateTo", "1")],
            vec![("q", "a")],
            vec![("status", "complete")],
        ]
        .iter()
        .map(|pairs| parse(pairs).0.fingerprint())
        .collect();
        let distinct: std::collections::HashSet<_> = prints.iter().collect();
        assert_eq!(distinct.len(), prints.len(), "{prints:?}");
    }
}
