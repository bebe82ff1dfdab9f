//! Warm latency per route: one process per function kept warm under our runtime API,
//! each route invoked sequentially; AWS calls read from each request's log line.

use std::collections::HashMap;

use integration_tests::ApiRequest;
use serde_json::{Value, json};

use crate::harness::FunctionProcess;
use crate::stats::summarize;
use crate::targets::{WARM, World};

/// The functions kept warm: the routes' and those of the flatness and delete benchmarks.
pub const FUNCTIONS: [&str; 8] = [
    "list-recordings",
    "get-recording",
    "download-recording",
    "share-page",
    "share-recording",
    "room-access",
    "issue-token",
    "delete-recordings",
];

/// What a series of invocations measured.
#[derive(Default)]
pub struct Series {
    pub latency: Vec<f64>,
    pub handler: Vec<f64>,
    pub calls: Vec<u64>,
    pub unexpected: usize,
    pub first_unexpected: Option<String>,
}

/// Invokes `process` with `count` requests, from the `offset`-th on, recording each.
pub async fn series(
    process: &FunctionProcess,
    (count, offset): (usize, usize),
    expect_status: u16,
    request: impl Fn(usize) -> ApiRequest,
) -> Result<Series, String> {
    let mut out = Series::default();
    for i in 0..count {
        let invocation = process.invoke(&request(offset + i).event()).await?;
        out.latency.push(invocation.elapsed_ms());
        if let Some(ms) = invocation.handler_ms() {
            out.handler.push(ms);
        }
        if let Some(calls) = invocation.aws_calls() {
            out.calls.push(calls);
        }
        if invocation.status != expect_status {
            out.unexpected += 1;
            out.first_unexpected.get_or_insert_with(|| {
                format!(
                    "status {}: {}",
                    invocation.status,
                    invocation.response["body"].as_str().unwrap_or_default()
                )
            });
        }
    }
    Ok(out)
}

pub fn calls_json(calls: &[u64]) -> Value {
    let min = calls.iter().min().copied();
    let max = calls.iter().max().copied();
    let mean = if calls.is_empty() {
        None
    } else {
        Some(calls.iter().sum::<u64>() as f64 / calls.len() as f64)
    };
    json!({"min": min, "max": max, "mean": mean})
}

pub async fn run(
    processes: &HashMap<&str, FunctionProcess>,
    world: &World,
    requests: usize,
    warmup: usize,
) -> Result<Value, String> {
    let mut rows = Vec::new();
    for route in WARM {
        let process = processes
            .get(route.function)
            .ok_or_else(|| format!("no warm process for {}", route.function))?;
        let request = |i| (route.request)(world, i);
        series(process, (warmup, 0), route.expect_status, request).await?;
        let s = series(process, (requests, warmup), route.expect_status, request).await?;
        let max_calls = s.calls.iter().max().copied();
        let meets = route
            .budget
            .map(|b| max_calls.is_some_and(|m| m <= b) && s.calls.len() == requests);
        eprintln!(
            "[bench]   {}: p50 {:.2} ms, AWS calls {:?}",
            route.label,
            summarize(&s.latency).p50,
            max_calls
        );
        rows.push(json!({
            "label": route.label,
            "function": route.function,
            "route": route.route,
            "credential": route.credential,
            "requests": requests,
            "unexpected_status": s.unexpected,
            "first_unexpected": s.first_unexpected,
            "latency_ms": summarize(&s.latency),
            "handler_ms": summarize(&s.handler),
            "aws_calls": calls_json(&s.calls),
            "budget": route.budget,
            "meets_budget": meets,
            "note": route.note,
        }));
    }
    Ok(json!({ "routes": rows }))
}
