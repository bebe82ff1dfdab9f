//! Finding recordings: room-name searches, every sort field in both directions, date
//! ranges and `q`, with what each page costs.

use std::cmp::Ordering;

use integration_tests::TestStack;
use shared::model::{Recording, RecordingAccess, RecordingStatus, Role};

use crate::list_recordings::{ids, ids_of, list};
use integration_tests::fixtures::{BASE_DATE, put_all, recording, room, room_token};

const ROUTE: &str = "/api/v1/recordings";

/// Every page's ids, following `nextPageToken` to the end.
async fn all_pages(stack: &TestStack, query: &[(&str, &str)]) -> Vec<String> {
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..200 {
        let mut q = query.to_vec();
        if let Some(t) = &token {
            q.push(("nextPageToken", t));
        }
        let response = list(stack, &q).await;
        assert_eq!(response.status, 200, "{query:?}: {}", response.json());
        let body = response.json();
        seen.extend(ids(&body));
        match body["pagination"]["nextPageToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => return seen,
        }
    }
    panic!("pagination does not end: {query:?}");
}

/// Eleven recordings in four rooms: names that differ only in case, sizes and durations
/// that tie, and two unfinished recordings without either.
fn catalogue() -> Vec<Recording> {
    let rooms = [
        ("board", "Board"),
        ("board-2", "board"),
        ("alpha", "Alpha team"),
        ("zeta", "Zeta"),
    ];
    (0..11)
        .map(|n| {
            let (room, name) = rooms[n % rooms.len()];
            let mut r = recording(room, n, RecordingStatus::Complete);
            r.room_name = name.to_owned();
            r.size = Some([500, 100, 500, 900][n % 4]);
            r.duration = Some([30.0, 12.5, 12.5, 60.0][n % 4] + (n / 4) as f64);
            if n == 3 || n == 8 {
                r.status = RecordingStatus::Active;
                r.size = None;
                r.duration = None;
                r.end_date = None;
            }
            r
        })
        .collect()
}

/// The documented order of a sort field: by its value (room names in lower case, then the
/// start date), ties by id; recordings without the value last, by date, in both directions.
fn expected_order(recordings: &[Recording], field: &str, descending: bool) -> Vec<String> {
    let value = |r: &Recording| -> Option<(String, i64)> {
        match field {
            "startDate" => Some((String::new(), r.start_date)),
            "roomName" => Some((r.room_name.to_lowercase(), r.start_date)),
            "size" => r.size.map(|s| (String::new(), s as i64)),
            "duration" => r.duration.map(|d| (String::new(), (d * 1000.0) as i64)),
            other => panic!("unknown field {other}"),
        }
    };
    let direction = |o: Ordering| if descending { o.reverse() } else { o };
    let mut sorted: Vec<&Recording> = recordings.iter().collect();
    sorted.sort_by(|a, b| match (value(a), value(b)) {
        (Some(x), Some(y)) => direction(
            x.cmp(&y)
                .then_with(|| a.recording_id.as_str().cmp(b.recording_id.as_str())),
        ),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => direction(
            (a.start_date, a.recording_id.as_str()).cmp(&(b.start_date, b.recording_id.as_str())),
        ),
    });
    ids_of(sorted)
}

#[tokio::test]
async fn every_sort_field_pages_by_one_through_every_recording_once_in_order() {
    let stack = TestStack::new().await;
    let recordings = catalogue();
    put_all(&stack.store, &recordings).await;
    let in_board: Vec<Recording> = recordings
        .iter()
        .filter(|r| r.room_id.as_str() == "board")
        .cloned()
        .collect();

    for field in ["startDate", "roomName", "duration", "size"] {
        for order in ["asc", "desc"] {
            let query = [
                ("sortField", field),
                ("sortOrder", order),
                ("maxItems", "1"),
            ];
            let seen = all_pages(&stack, &query).await;
            assert_eq!(
                seen,
                expected_order(&recordings, field, order == "desc"),
                "{field} {order}"
            );
            let mut in_room = query.to_vec();
            in_room.push(("roomId", "board"));
            let seen = all_pages(&stack, &in_room).await;
            assert_eq!(
                seen,
                expected_order(&in_board, field, order == "desc"),
                "{field} {order} in one room"
            );
        }
    }
    // Descending by default, by start date by default.
    assert_eq!(
        all_pages(&stack, &[("sortField", "size")]).await,
        expected_order(&recordings, "size", true)
    );
    assert_eq!(
        all_pages(&stack, &[]).await,
        expected_order(&recordings, "startDate", true)
    );
}

#[tokio::test]
async fn index_served_pages_are_one_query() {
    let stack = TestStack::new().await;
    let recordings = catalogue();
    put_all(&stack.store, &recordings).await;
    let from = (BASE_DATE + 60_000).to_string();
    let to = (BASE_DATE + 8 * 60_000).to_string();
    for query in [
        vec![("sortField", "size")],
        vec![
            ("sortField", "size"),
            ("sortOrder", "asc"),
            ("roomId", "board"),
        ],
        vec![("sortField", "duration"), ("sortOrder", "asc")],
        vec![("sortField", "duration"), ("roomId", "alpha")],
        vec![("sortField", "roomName")],
        vec![("sortField", "roomName"), ("roomId", "board")],
        vec![
            ("startDateFrom", from.as_str()),
            ("startDateTo", to.as_str()),
        ],
        vec![("startDateFrom", from.as_str()), ("roomId", "board")],
        vec![
            ("sortField", "roomName"),
            ("roomName", "BOA"),
            ("roomNameCaseInsensitive", "true"),
        ],
        vec![
            ("roomName", "board"),
            ("roomNameMatchMode", "exact"),
            ("roomNameCaseInsensitive", "true"),
        ],
        vec![
            ("roomName", "Board"),
            ("roomNameMatchMode", "exact"),
            ("roomNameCaseInsensitive", "true"),
            ("startDateTo", to.as_str()),
        ],
    ] {
        let mut query = query.clone();
        query.push(("maxItems", "1"));
        let response = list(&stack, &query).await;
        assert_eq!(response.status, 200, "{query:?}: {}", response.json());
        assert_eq!(ids(&response.json()).len(), 1, "{query:?}");
        assert_eq!(
            response.json()["pagination"]["isTruncated"],
            true,
            "{query:?}"
        );
        // One query, and one read of the page's rooms (their retention, for `expiresAt`).
        assert_eq!(response.aws_calls, 2, "{query:?}: one query a page");
    }
}

#[tokio::test]
async fn room_names_are_found_by_each_match_mode_with_or_without_case() {
    let stack = TestStack::new().await;
    let recordings = catalogue();
    put_all(&stack.store, &recordings).await;
    let named = |names: &[&str]| -> Vec<String> {
        ids_of(
            recordings
                .iter()
                .rev()
                .filter(|r| names.contains(&r.room_name.as_str())),
        )
    };
    for (query, names) in [
        (vec![("roomName", "Boa")], vec!["Board"]),
        (
            vec![("roomName", "boa"), ("roomNameCaseInsensitive", "true")],
            vec!["Board", "board"],
        ),
        (
            vec![("roomName", "team"), ("roomNameMatchMode", "partial")],
            vec!["Alpha team"],
        ),
        (
            vec![("roomName", "TEAM"), ("roomNameMatchMode", "partial")],
            vec![],
        ),
        (
            vec![
                ("roomName", "A"),
                ("roomNameMatchMode", "partial"),
                ("roomNameCaseInsensitive", "true"),
            ],
            vec!["Board", "board", "Alpha team", "Zeta"],
        ),
        (
            vec![("roomName", "board"), ("roomNameMatchMode", "exact")],
            vec!["board"],
        ),
        (
            vec![("roomName", "Boar"), ("roomNameMatchMode", "exact")],
            vec![],
        ),
        (
            vec![("roomName", "^[BZ]"), ("roomNameMatchMode", "regex")],
            vec!["Board", "Zeta"],
        ),
        (
            vec![
                ("roomName", "^b.*d$"),
                ("roomNameMatchMode", "regex"),
                ("roomNameCaseInsensitive", "true"),
            ],
            vec!["Board", "board"],
        ),
    ] {
        let mut paged = query.clone();
        paged.push(("maxItems", "2"));
        assert_eq!(all_pages(&stack, &paged).await, named(&names), "{query:?}");
    }
    // Sorted by room name, a prefix reads the name index.
    let by_name = all_pages(
        &stack,
        &[
            ("roomName", "b"),
            ("roomNameCaseInsensitive", "true"),
            ("sortField", "roomName"),
            ("sortOrder", "asc"),
        ],
    )
    .await;
    let boards: Vec<Recording> = recordings
        .iter()
        .filter(|r| r.room_name.eq_ignore_ascii_case("board"))
        .cloned()
        .collect();
    assert_eq!(by_name, expected_order(&boards, "roomName", false));
}

#[tokio::test]
async fn start_date_ranges_include_both_ends_in_every_order() {
    let stack = TestStack::new().await;
    let recordings = catalogue();
    put_all(&stack.store, &recordings).await;
    let at = |n: i64| (BASE_DATE + n * 60_000).to_string();
    let (from, to) = (at(2), at(6));
    let inside: Vec<Recording> = recordings[2..=6].to_vec();
    for field in ["startDate", "size", "roomName", "duration"] {
        let query = [
            ("startDateFrom", from.as_str()),
            ("startDateTo", to.as_str()),
            ("sortField", field),
            ("maxItems", "2"),
        ];
        assert_eq!(
            all_pages(&stack, &query).await,
            expected_order(&inside, field, true),
            "{field}"
        );
    }
    assert_eq!(
        all_pages(&stack, &[("startDateFrom", at(9).as_str())]).await,
        ids_of(recordings[9..].iter().rev())
    );
    assert_eq!(
        all_pages(&stack, &[("startDateTo", at(1).as_str())]).await,
        ids_of(recordings[..=1].iter().rev())
    );
    assert_eq!(
        all_pages(
            &stack,
            &[("startDateFrom", to.as_str()), ("startDateTo", to.as_str())]
        )
        .await,
        ids_of([&recordings[6]])
    );
}

#[tokio::test]
async fn q_finds_words_in_titles_and_room_names() {
    let stack = TestStack::new().await;
    let mut recordings = catalogue();
    recordings[1].title = Some("Quarterly review, March".to_owned());
    recordings[5].title = Some("march planning".to_owned());
    put_all(&stack.store, &recordings).await;
    for (q, expected) in [
        ("MARCH", vec![5, 1]),
        ("march review", vec![1]),
        ("board march", vec![5, 1]),
        ("alpha", vec![10, 6, 2]),
        ("nothing-like-this", vec![]),
    ] {
        let found = all_pages(&stack, &[("q", q), ("maxItems", "1")]).await;
        let expected = ids_of(expected.iter().map(|n: &usize| &recordings[*n]));
        assert_eq!(found, expected, "q={q}");
    }
}

#[tokio::test]
async fn invalid_searches_are_422_naming_the_field_before_any_call() {
    let stack = TestStack::new().await;
    let long_regex = format!("^{}$", "a".repeat(120));
    let long_q = "word ".repeat(50);
    for (query, field) in [
        (
            vec![("roomName", "(unclosed"), ("roomNameMatchMode", "regex")],
            "roomName",
        ),
        (
            vec![
                ("roomName", long_regex.as_str()),
                ("roomNameMatchMode", "regex"),
            ],
            "roomName",
        ),
        (vec![("roomNameMatchMode", "glob")], "roomNameMatchMode"),
        (
            vec![("roomNameCaseInsensitive", "1")],
            "roomNameCaseInsensitive",
        ),
        (vec![("sortField", "title")], "sortField"),
        (vec![("sortField", "")], "sortField"),
        (vec![("startDateFrom", "yesterday")], "startDateFrom"),
        (vec![("startDateTo", "-5")], "startDateTo"),
        (
            vec![("startDateFrom", "2000"), ("startDateTo", "1000")],
            "startDateTo",
        ),
        (vec![("q", long_q.as_str())], "q"),
    ] {
        let response = list(&stack, &query).await;
        let body = response.expect_error(422, "Unprocessable Entity");
        assert_eq!(body["details"][0]["field"], field, "{query:?}");
        assert_eq!(response.aws_calls, 0);
    }
    // A pattern that backtracking engines take exponential time on is matched in linear
    // time here.
    let name = format!("{}!", "a".repeat(60));
    let mut r = recording("room-a", 1, RecordingStatus::Complete);
    r.room_name = name;
    put_all(&stack.store, &[r]).await;
    let response = list(
        &stack,
        &[("roomName", "^(a+)+$"), ("roomNameMatchMode", "regex")],
    )
    .await;
    assert_eq!(response.status, 200);
    assert_eq!(ids(&response.json()), Vec::<String>::new());
}

#[tokio::test]
async fn a_page_token_is_bound_to_every_search_parameter() {
    let stack = TestStack::new().await;
    put_all(&stack.store, &catalogue()).await;
    let base = [
        ("sortField", "size"),
        ("sortOrder", "asc"),
        ("roomName", "b"),
        ("roomNameMatchMode", "partial"),
        ("roomNameCaseInsensitive", "true"),
        ("startDateFrom", "1"),
        ("startDateTo", "9999999999999"),
        ("q", "a"),
        ("status", "complete"),
    ];
    let mut first = base.to_vec();
    first.push(("maxItems", "1"));
    let body = list(&stack, &first).await.json();
    let token = body["pagination"]["nextPageToken"]
        .as_str()
        .expect("a token")
        .to_owned();
    let mut same = base.to_vec();
    same.extend([
        ("maxItems", "3"),
        ("fields", "recordingId"),
        ("nextPageToken", &token),
    ]);
    assert_eq!(list(&stack, &same).await.status, 200);
    for (i, (name, _)) in base.iter().enumerate() {
        let changed = match *name {
            "sortField" => "duration",
            "sortOrder" => "desc",
            "roomName" => "B",
            "roomNameMatchMode" => "prefix",
            "roomNameCaseInsensitive" => "false",
            "startDateFrom" => "2",
            "startDateTo" => "9999999999998",
            "q" => "A b",
            _ => "failed",
        };
        let mut other = base.to_vec();
        other[i] = (name, changed);
        other.push(("nextPageToken", &token));
        let response = list(&stack, &other).await;
        let error = response.expect_error(422, "Unprocessable Entity");
        assert_eq!(error["details"][0]["field"], "nextPageToken", "{name}");
        let mut without = base.to_vec();
        without.remove(i);
        without.push(("nextPageToken", &token));
        list(&stack, &without)
            .await
            .expect_error(422, "Unprocessable Entity");
    }
}

#[tokio::test]
async fn a_room_token_finds_only_its_rooms_recordings_in_any_order() {
    let stack = TestStack::new().await;
    let mine = room(&stack.store, RecordingAccess::AdminModeratorSpeaker).await;
    let mut recordings = catalogue();
    for r in recordings.iter_mut().step_by(3) {
        let n = r.start_date;
        let mut moved = recording(
            mine.room_id.as_str(),
            ((n - BASE_DATE) / 60_000) as usize,
            r.status,
        );
        moved.room_name = "Board".to_owned();
        moved.size = r.size;
        moved.duration = r.duration;
        *r = moved;
    }
    put_all(&stack.store, &recordings).await;
    let in_room: Vec<Recording> = recordings
        .iter()
        .filter(|r| r.room_id == mine.room_id)
        .cloned()
        .collect();
    let token = room_token(&stack, &mine, Role::Speaker).await;
    for field in ["size", "roomName", "duration", "startDate"] {
        let mut seen = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let mut request = integration_tests::ApiRequest::new("GET", ROUTE)
                .bearer(&token)
                .query("sortField", field)
                .query("roomName", "b")
                .query("roomNameCaseInsensitive", "true")
                .query("maxItems", "1");
            if let Some(t) = &next {
                request = request.query("nextPageToken", t);
            }
            let response = stack.call(request, list_recordings::handle).await;
            assert_eq!(response.status, 200, "{}", response.json());
            let body = response.json();
            seen.extend(ids(&body));
            match body["pagination"]["nextPageToken"].as_str() {
                Some(t) => next = Some(t.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen, expected_order(&in_room, field, true), "{field}");
    }
    let other_room = integration_tests::ApiRequest::new("GET", ROUTE)
        .bearer(&token)
        .query("roomId", "board")
        .query("sortField", "size");
    stack
        .call(other_room, list_recordings::handle)
        .await
        .expect_error(403, "Authorization Error");
}
