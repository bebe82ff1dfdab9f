//! List flatness: a page of recordings from DynamoDB (the list function, one query a page)
//! beside the same page served the way OpenVidu Meet 3.4 served it, from JSON objects in S3
//! (`ListObjectsV2`, then one `GetObject` per item, concurrently), at two table sizes; and
//! the list's other orders and searches at the same sizes.

use std::time::Instant;

use aws_sdk_dynamodb::error::DisplayErrorContext;
use futures_util::future::join_all;
use integration_tests::ApiRequest;
use serde_json::{Value, json};

use crate::fixtures::{Aws, OPENVIDU_METADATA_PREFIX};
use crate::harness::FunctionProcess;
use crate::stats::{round3, summarize};
use crate::warm::calls_json;

pub const PAGE_SIZE: i32 = 10;

/// One page fetched, and the next page's token.
struct Page {
    latency_ms: f64,
    /// The handler's own time (DynamoDB), or the `ListObjectsV2` call alone (S3).
    part_ms: Option<f64>,
    calls: Option<u64>,
    next: Option<String>,
}

/// One page the OpenVidu Meet 3.4 way: list the keys, get every object concurrently,
/// sort the page newest first and serialize it.
async fn s3_page(
    aws: &Aws,
    bucket: &str,
    prefix: &str,
    token: Option<String>,
) -> Result<Page, String> {
    let started = Instant::now();
    let listed = aws
        .s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .max_keys(PAGE_SIZE)
        .set_continuation_token(token)
        .send()
        .await
        .map_err(|e| DisplayErrorContext(&e).to_string())?;
    let list_ms = started.elapsed().as_secs_f64() * 1000.0;
    let keys: Vec<String> = listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect();
    let gets = keys.iter().map(|key| async move {
        let out = aws
            .s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| DisplayErrorContext(&e).to_string())?;
        let bytes = out.body.collect().await.map_err(|e| e.to_string())?;
        serde_json::from_slice::<Value>(&bytes.into_bytes()).map_err(|e| e.to_string())
    });
    let mut recordings = join_all(gets)
        .await
        .into_iter()
        .collect::<Result<Vec<Value>, String>>()?;
    recordings.sort_by_key(|r| std::cmp::Reverse(r["startDate"].as_i64()));
    let next = listed.next_continuation_token().map(str::to_owned);
    let body = serde_json::to_vec(&json!({
        "recordings": recordings,
        "pagination": {"isTruncated": next.is_some(), "nextPageToken": next, "maxItems": PAGE_SIZE},
    }))
    .map_err(|e| e.to_string())?;
    std::hint::black_box(body);
    Ok(Page {
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        part_ms: Some(list_ms),
        calls: Some(1 + keys.len() as u64),
        next,
    })
}

/// A page of the list: of one room or all, with `search`'s parameters, at `token`.
fn list_event(
    api_key: &str,
    room: Option<&str>,
    search: &[(&str, String)],
    token: Option<&str>,
) -> ApiRequest {
    let page = ("maxItems", PAGE_SIZE.to_string());
    let room = room.map(|r| ("roomId", r.to_owned()));
    let token = token.map(|t| ("nextPageToken", t.to_owned()));
    let params = [page].into_iter().chain(room).chain(search.iter().cloned());
    let request = ApiRequest::new("GET", "/api/v1/recordings").header("x-api-key", api_key);
    params
        .chain(token)
        .fold(request, |r, (name, value)| r.query(name, &value))
}

#[derive(Default)]
struct Measured {
    latency: Vec<f64>,
    /// The handler's own time (DynamoDB), or the listing call alone (S3).
    part: Vec<f64>,
    calls: Vec<u64>,
}

/// `count` pages: first pages again and again, or (`follow`) pages reached by following
/// the next page's token, starting over when the list ends. Only pages reached by a token
/// are then measured, and a list of a single page has none.
async fn pages(
    follow: bool,
    count: usize,
    fetch: impl AsyncFn(Option<String>) -> Result<Page, String>,
) -> Result<Measured, String> {
    let mut out = Measured::default();
    let mut token = None;
    while out.latency.len() < count {
        let first = token.is_none();
        let page = fetch(token.take()).await?;
        if !follow || !first {
            out.latency.push(page.latency_ms);
            out.part.extend(page.part_ms);
            out.calls.extend(page.calls);
        }
        token = page.next.filter(|_| follow);
        if follow && first && token.is_none() {
            break;
        }
    }
    Ok(out)
}

/// Pages from DynamoDB through the list function.
async fn dynamodb_pages(
    process: &FunctionProcess,
    api_key: &str,
    (room, search): (Option<&str>, &[(&str, String)]),
    follow: bool,
    count: usize,
) -> Result<Measured, String> {
    pages(follow, count, async |token: Option<String>| {
        let event = list_event(api_key, room, search, token.as_deref()).event();
        let invocation = process.invoke(&event).await?;
        if invocation.status != 200 {
            let body = &invocation.response["body"];
            return Err(format!("listing answered {}: {body}", invocation.status));
        }
        let next = invocation.body_json()["pagination"]["nextPageToken"]
            .as_str()
            .map(str::to_owned);
        Ok(Page {
            latency_ms: invocation.elapsed_ms(),
            part_ms: invocation.handler_ms(),
            calls: invocation.aws_calls(),
            next,
        })
    })
    .await
}

/// The same pages served the OpenVidu Meet 3.4 way.
async fn s3_pages(
    aws: &Aws,
    bucket: &str,
    room: Option<&str>,
    follow: bool,
    count: usize,
) -> Result<Measured, String> {
    let prefix = format!(
        "{OPENVIDU_METADATA_PREFIX}{}",
        room.map_or(String::new(), |r| format!("{r}/"))
    );
    pages(follow, count, async |token| {
        s3_page(aws, bucket, &prefix, token).await
    })
    .await
}

/// Every scope and page kind at the table's current size.
pub async fn measure(
    size: usize,
    process: &FunctionProcess,
    aws: &Aws,
    bucket: &str,
    api_key: &str,
    room: &str,
    count: usize,
) -> Result<Vec<Value>, String> {
    let mut rows = Vec::new();
    for (scope, room) in [("all rooms", None), ("one room", Some(room))] {
        for (page, follow) in [("first page", false), ("next pages", true)] {
            // A few unmeasured pages first, so both sides start with open connections.
            dynamodb_pages(process, api_key, (room, &[]), follow, 5).await?;
            s3_pages(aws, bucket, room, follow, 5).await?;
            let d = dynamodb_pages(process, api_key, (room, &[]), follow, count).await?;
            let s = s3_pages(aws, bucket, room, follow, count).await?;
            let (dl, sl) = (summarize(&d.latency), summarize(&s.latency));
            eprintln!(
                "[bench]   {size} recordings, {scope}, {page}: DynamoDB p50 {:.2} ms, S3 p50 {:.2} ms",
                dl.p50, sl.p50
            );
            rows.push(json!({
                "size": size,
                "scope": scope,
                "page": page,
                "dynamodb": {
                    "latency_ms": dl,
                    "handler_ms": summarize(&d.part),
                    "aws_calls": calls_json(&d.calls),
                },
                "s3": {
                    "latency_ms": sl,
                    "list_objects_ms": summarize(&s.part),
                    "aws_calls": calls_json(&s.calls),
                },
                "ratio_p50": round3(sl.p50 / dl.p50),
            }));
        }
    }
    Ok(rows)
}

type Params = Vec<(&'static str, String)>;

/// The searches and orders a page of which one index query serves, and a `partial` room
/// name, which reads on until the page is full: what the report calls each, whether one
/// index query serves a page, and its query parameters. `room_name` is a room's whose no
/// other room's begins with; `newest` and `oldest` bound the start dates of the smaller
/// table's recordings.
#[rustfmt::skip]
fn search_queries(room_name: &str, newest: i64, oldest: i64) -> Vec<(&'static str, bool, Params)> {
    let quarter = (newest - oldest) / 4;
    let fragment = room_name.rsplit('-').next().unwrap_or(room_name).to_owned();
    vec![
        ("sorted by size", true, vec![("sortField", "size".into())]),
        ("sorted by room name", true, vec![("sortField", "roomName".into()), ("sortOrder", "asc".into())]),
        ("within a date range (the middle half)", true, vec![
            ("startDateFrom", (oldest + quarter).to_string()), ("startDateTo", (newest - quarter).to_string()),
        ]),
        ("a room-name prefix (one room in ten), by room name", true, vec![
            ("roomName", room_name.to_lowercase()), ("roomNameCaseInsensitive", "true".into()),
            ("sortField", "roomName".into()),
        ]),
        ("a partial room name (one room in ten), newest first", false, vec![
            ("roomName", fragment), ("roomNameMatchMode", "partial".into()),
        ]),
    ]
}

/// A first page and following pages of each search, at the table's current size.
pub async fn searches(
    size: usize,
    process: &FunctionProcess,
    api_key: &str,
    (room_name, newest, oldest): (&str, i64, i64),
    count: usize,
) -> Result<Vec<Value>, String> {
    let mut rows = Vec::new();
    for (query, index_served, params) in search_queries(room_name, newest, oldest) {
        let params = &params;
        for (page, follow) in [("first page", false), ("next pages", true)] {
            dynamodb_pages(process, api_key, (None, params), follow, 5).await?;
            let d = dynamodb_pages(process, api_key, (None, params), follow, count).await?;
            let latency = summarize(&d.latency);
            eprintln!(
                "[bench]   {size} recordings, {query}, {page}: p50 {:.2} ms",
                latency.p50
            );
            rows.push(json!({
                "size": size,
                "query": query,
                "index_served": index_served,
                "page": page,
                "latency_ms": latency,
                "handler_ms": summarize(&d.part),
                "aws_calls": calls_json(&d.calls),
            }));
        }
    }
    Ok(rows)
}
