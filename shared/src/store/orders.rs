//! The indexes that list recordings, one per order and scope, and the keys a recording
//! has in each. Every key ends in `#<id>`, so every order is total.

use super::{ALL_RECORDINGS, date_sort_key, room_pk};
use crate::model::{Recording, RecordingId};
use crate::pagination::ListQuery;
use crate::search::{NameMatch, Search, SortField};

/// A recording's index keys are made from these.
pub(super) struct Orderable<'a> {
    pub id: &'a RecordingId,
    pub room_name: &'a str,
    pub start_date: i64,
    pub size: Option<u64>,
    pub duration: Option<f64>,
}

impl<'a> From<&'a Recording> for Orderable<'a> {
    fn from(r: &'a Recording) -> Self {
        Self {
            id: &r.recording_id,
            room_name: &r.room_name,
            start_date: r.start_date,
            size: r.size,
            duration: r.duration,
        }
    }
}

/// The list indexes. Those of an optional value (size, duration) keep recordings without
/// one in a second partition, `<partition>#NONE`, by date: a list reads it after the
/// first, so they come last in both directions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ListIndex {
    RoomByDate,
    AllByDate,
    AllBySize,
    RoomBySize,
    AllByDuration,
    RoomByDuration,
    AllByRoomName,
}

/// Between a room name and the rest of its sort key: below every character a name keeps
/// in a key, so that a name sorts before its extensions ("ab" before "abc").
const NAME_END: char = '\u{1}';

const NO_VALUE: &str = "#NONE";

/// The recycle bin's partitions are the lists' own under this prefix: the bin is read with
/// every order and filter the lists have, and a recording moves between the two by its
/// partition keys alone.
const BIN: &str = "BIN#";
/// The prefix of a room's partition of recordings being deleted, in its date index.
const DELETING: &str = "DEL#";

impl ListIndex {
    pub(super) const ALL: [Self; 7] = [
        Self::RoomByDate,
        Self::AllByDate,
        Self::AllBySize,
        Self::RoomBySize,
        Self::AllByDuration,
        Self::RoomByDuration,
        Self::AllByRoomName,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Self::RoomByDate => "GSI1",
            Self::AllByDate => "GSI2",
            Self::AllBySize => "GSI4",
            Self::RoomBySize => "GSI5",
            Self::AllByDuration => "GSI6",
            Self::RoomByDuration => "GSI7",
            Self::AllByRoomName => "GSI8",
        }
    }

    pub(super) fn pk_attr(self) -> String {
        format!("{}PK", self.name())
    }

    pub(super) fn sk_attr(self) -> String {
        format!("{}SK", self.name())
    }

    fn is_per_room(self) -> bool {
        matches!(
            self,
            Self::RoomByDate | Self::RoomBySize | Self::RoomByDuration
        )
    }

    /// The partition a scope's recordings are in (`room` only for per-room indexes), and
    /// the one of those without the index's value, for indexes of an optional value; those
    /// of the scope's recycle bin when `in_bin`.
    pub(super) fn partitions(self, room: &str, in_bin: bool) -> Vec<String> {
        let scope = if self.is_per_room() {
            room_pk(room)
        } else {
            ALL_RECORDINGS.to_owned()
        };
        let first = if in_bin {
            format!("{BIN}{scope}")
        } else {
            scope
        };
        match self {
            Self::AllBySize | Self::RoomBySize | Self::AllByDuration | Self::RoomByDuration => {
                let rest = format!("{first}{NO_VALUE}");
                vec![first, rest]
            }
            _ => vec![first],
        }
    }

    /// The recording's (partition, sort key) in this index, or in its bin.
    pub(super) fn key(self, r: &Orderable<'_>, in_bin: bool) -> (String, String) {
        let id = r.id.as_str();
        let partitions = self.partitions(r.id.room_id().as_str(), in_bin);
        let by_date = || date_sort_key(r.start_date, id);
        let value_or_date = |value: Option<String>| match value {
            Some(value) => (partitions[0].clone(), format!("{value}#{id}")),
            None => (partitions[1].clone(), by_date()),
        };
        match self {
            Self::RoomByDate | Self::AllByDate => (partitions[0].clone(), by_date()),
            Self::AllBySize | Self::RoomBySize => value_or_date(r.size.map(|b| format!("{b:020}"))),
            Self::AllByDuration | Self::RoomByDuration => {
                value_or_date(r.duration.map(|d| format!("{:016}", duration_ms(d))))
            }
            Self::AllByRoomName => (
                partitions[0].clone(),
                format!(
                    "{}{NAME_END}{}",
                    name_key(r.room_name),
                    date_sort_key(r.start_date, id)
                ),
            ),
        }
    }

    /// A recording's key attributes in every list index, or in every bin.
    pub(super) fn keys_of(r: &Orderable<'_>, in_bin: bool) -> Vec<(String, String)> {
        Self::ALL
            .into_iter()
            .flat_map(|index| {
                let (pk, sk) = index.key(r, in_bin);
                [(index.pk_attr(), pk), (index.sk_attr(), sk)]
            })
            .collect()
    }

    /// The list index attributes a delete removes to take a recording out of every list:
    /// all but those of its room's date index, which the delete points at the room's
    /// partition of recordings being deleted ([`ListIndex::deleting_partition`]).
    pub(super) fn removed_by_delete() -> Vec<String> {
        Self::ALL
            .into_iter()
            .filter(|index| *index != Self::RoomByDate)
            .flat_map(|index| [index.pk_attr(), index.sk_attr()])
            .collect()
    }

    /// Where a recording being deleted stays in its room's date index, so that the room's
    /// deletion finds it (and waits for it) while no list reads it.
    pub(super) fn deleting_partition(room: &str) -> String {
        format!("{DELETING}{}", room_pk(room))
    }
}

/// How a list query is read: the index whose order it asks for, the part of the search
/// that index's keys can serve as a key condition, and whether that is all of it.
///
/// | order | scope | key condition | served by the keys alone |
/// |---|---|---|---|
/// | startDate | room | date range | always |
/// | startDate | all | date range, or an exact room name (and date range) | but for a case-sensitive name |
/// | roomName | room | date range (a room's recordings share its name) | always |
/// | roomName | all | a prefix or exact room name (with a date range if exact) | case-insensitive names, no other range |
/// | size, duration | either | none | without a date range |
///
/// Whatever else is asked (status, partial or regex names, `q`, a case-sensitive name,
/// a range the order cannot serve) is a filter read on until the page is full.
pub(super) struct ListPlan {
    pub index: ListIndex,
    pub key_range: Option<KeyRange>,
    pub served_by_keys: bool,
}

impl ListPlan {
    pub(super) fn of(query: &ListQuery) -> Self {
        let search = &query.search;
        let by_room = query.room_id.is_some();
        let name = search.room_name.as_ref();
        let exact_name = name.filter(|n| n.mode == NameMatch::Exact);
        let dates = date_range(search.from, search.to);
        let (index, key_range, served_dates, served_name) = match query.sort_field {
            SortField::StartDate | SortField::RoomName if by_room => {
                (ListIndex::RoomByDate, dates, true, false)
            }
            SortField::StartDate | SortField::RoomName if exact_name.is_some() => {
                let text = exact_name.map_or("", |n| n.text.as_str());
                let range = room_name_range(text, search.from, search.to);
                (ListIndex::AllByRoomName, Some(range), true, true)
            }
            SortField::StartDate => (ListIndex::AllByDate, dates, true, false),
            SortField::RoomName => match name.filter(|n| n.mode == NameMatch::Prefix) {
                Some(prefix) => {
                    let range = KeyRange::prefix(name_key(&prefix.text));
                    (ListIndex::AllByRoomName, Some(range), dates.is_none(), true)
                }
                None => (ListIndex::AllByRoomName, None, dates.is_none(), false),
            },
            SortField::Size if by_room => (ListIndex::RoomBySize, None, dates.is_none(), false),
            SortField::Size => (ListIndex::AllBySize, None, dates.is_none(), false),
            SortField::Duration if by_room => {
                (ListIndex::RoomByDuration, None, dates.is_none(), false)
            }
            SortField::Duration => (ListIndex::AllByDuration, None, dates.is_none(), false),
        };
        let name_served = match name {
            None => true,
            Some(n) => served_name && n.case_insensitive && !n.text.contains(char::is_control),
        };
        Self {
            index,
            key_range,
            served_by_keys: served_dates && name_served && only_keys(search),
        }
    }
}

/// Nothing but a room name and dates is asked, which keys may serve.
fn only_keys(search: &Search) -> bool {
    search.status.is_none() && search.words.is_empty()
}

/// Durations in whole milliseconds (negative or absurd values clamp), to order as strings.
fn duration_ms(seconds: f64) -> u64 {
    (seconds * 1000.0).round().clamp(0.0, 1e15) as u64
}

/// A room name as it orders: lower case, control characters as spaces (so that
/// [`NAME_END`] stays below all of it).
pub(super) fn name_key(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The sort keys of one room name's recordings, in date order: a prefix of them, or those
/// started within `[from, to]`.
pub(super) fn room_name_range(name: &str, from: Option<i64>, to: Option<i64>) -> KeyRange {
    let name = format!("{}{NAME_END}", name_key(name));
    match (from, to) {
        (None, None) => KeyRange::prefix(name),
        (from, to) => KeyRange {
            low: format!("{name}{}", date_bound(from.unwrap_or(0))),
            high: format!("{name}{}~", date_bound(to.unwrap_or(i64::MAX))),
        },
    }
}

/// The date keys of recordings started within `[from, to]`.
pub(super) fn date_range(from: Option<i64>, to: Option<i64>) -> Option<KeyRange> {
    (from.is_some() || to.is_some()).then(|| KeyRange {
        low: date_bound(from.unwrap_or(0)),
        high: format!("{}~", date_bound(to.unwrap_or(i64::MAX))),
    })
}

/// The start of every date key of `ms` (`~` sorts after every id's characters).
fn date_bound(ms: i64) -> String {
    format!("{:016}#", ms.max(0))
}

/// A key condition on an index's sort key: `BETWEEN low AND high`, both inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct KeyRange {
    pub low: String,
    pub high: String,
}

impl KeyRange {
    /// The keys that begin with `prefix`, as a range rather than `begins_with`: the same
    /// keys (U+10FFFF, the last code point, is above any character a key continues with),
    /// and a range seek on every implementation, where DynamoDB Local reads the whole
    /// partition for `begins_with`.
    pub(super) fn prefix(prefix: String) -> Self {
        Self {
            high: format!("{prefix}\u{10FFFF}"),
            low: prefix,
        }
    }

    #[cfg(test)]
    fn contains(&self, key: &str) -> bool {
        self.low.as_str() <= key && key <= self.high.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orderable<'a>(id: &'a RecordingId, name: &'a str, size: Option<u64>) -> Orderable<'a> {
        Orderable {
            id,
            room_name: name,
            start_date: 1_700_000_000_000,
            size,
            duration: Some(6.4996),
        }
    }

    #[test]
    fn values_order_as_strings_and_missing_ones_have_their_own_partition() {
        let id = RecordingId::parse("room-a--EG_1--x").expect("id");
        let small = ListIndex::AllBySize.key(&orderable(&id, "A", Some(9)), false);
        let large = ListIndex::AllBySize.key(&orderable(&id, "A", Some(10_000)), false);
        assert_eq!(small.0, "ALL");
        assert!(small.1 < large.1);
        let none = ListIndex::RoomBySize.key(&orderable(&id, "A", None), false);
        assert_eq!(none.0, "ROOM#room-a#NONE");
        assert_eq!(none.1, date_sort_key(1_700_000_000_000, id.as_str()));
        let duration = ListIndex::AllByDuration.key(&orderable(&id, "A", None), false);
        assert_eq!(duration.1, format!("{:016}#{id}", 6500));
        let binned = ListIndex::RoomBySize.key(&orderable(&id, "A", None), true);
        assert_eq!(binned, ("BIN#ROOM#room-a#NONE".to_owned(), none.1));
    }

    #[test]
    fn names_order_case_insensitively_and_before_their_extensions() {
        let id = RecordingId::parse("room-a--EG_1--x").expect("id");
        let key = |name| {
            ListIndex::AllByRoomName
                .key(&orderable(&id, name, None), false)
                .1
        };
        assert!(key("ab") < key("Abc"));
        assert!(key("Abc") < key("abd"));
        assert!(key("a\tb").starts_with("a b\u{1}"));
        let exact = room_name_range("AB", None, None);
        assert!(exact.contains(&key("ab")) && !exact.contains(&key("abc")));
        let prefix = KeyRange::prefix(name_key("AB"));
        assert!(prefix.contains(&key("ab")) && prefix.contains(&key("abc")));
        assert!(!prefix.contains(&key("a")) && !prefix.contains(&key("ac")));
    }

    #[test]
    fn date_ranges_include_both_ends() {
        let id = RecordingId::parse("room-a--EG_1--x").expect("id");
        let at = |ms| date_sort_key(ms, id.as_str());
        let range = date_range(Some(10), Some(20)).expect("a range");
        for (ms, inside) in [(9, false), (10, true), (20, true), (21, false)] {
            assert_eq!(range.contains(&at(ms)), inside, "{ms}");
        }
        assert_eq!(date_range(None, None), None);
    }
}
