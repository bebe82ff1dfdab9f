//! `docs/benchmarks.json` holds every figure; `docs/benchmarks.md` is rendered from it.
//! `make bench` replaces the `bench` section and `make load` the `load` section, each
//! leaving the other as it was.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::env::repo_root;

pub fn json_path() -> PathBuf {
    repo_root().join("docs/benchmarks.json")
}

pub fn md_path() -> PathBuf {
    repo_root().join("docs/benchmarks.md")
}

/// Sets `section` in the JSON file and renders the Markdown from the whole file.
pub fn update(section: &str, value: Value) -> Result<(), String> {
    let mut all = read(&json_path());
    if let Value::Object(map) = &mut all {
        map.insert(section.to_owned(), value);
    }
    let text = serde_json::to_string_pretty(&all).map_err(|e| e.to_string())?;
    std::fs::write(json_path(), text + "\n").map_err(|e| format!("writing the JSON: {e}"))?;
    render()
}

fn read(path: &Path) -> Value {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .filter(Value::is_object)
        .unwrap_or_else(|| Value::Object(Map::new()))
}

pub fn render() -> Result<(), String> {
    let all = read(&json_path());
    std::fs::write(md_path(), markdown(&all)).map_err(|e| format!("writing the Markdown: {e}"))
}

/// Three significant figures.
fn num(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn ms(v: &Value) -> String {
    format!("{} ms", num(f(v)))
}

fn ratio(v: &Value) -> String {
    if v.is_null() {
        "–".into()
    } else {
        format!("{}×", num(f(v)))
    }
}

fn mib(v: &Value) -> String {
    match v.as_f64() {
        Some(bytes) => format!("{} MiB", num(bytes / 1024.0 / 1024.0)),
        None => "–".into(),
    }
}

fn yes(ok: bool) -> &'static str {
    if ok { "**yes**" } else { "**no**" }
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// `p50 (p25–p75)` of a summary.
fn spread(s: &Value) -> String {
    format!(
        "{} ({}–{})",
        num(f(&s["p50"])),
        num(f(&s["p25"])),
        num(f(&s["p75"]))
    )
}

fn markdown(all: &Value) -> String {
    let mut out = String::new();
    let bench = &all["bench"];
    let load = &all["load"];
    out.push_str("# Benchmarks\n\n");
    out.push_str(
        "Measured by `make bench` (`scripts/bench.sh`) and `make load` (`scripts/load.sh`) on \
         the local stack, with release builds; this page is rendered from \
         [benchmarks.json](benchmarks.json), which holds the same figures (and every \
         percentile) for machines. Neither command is part of `make test`.\n\n",
    );
    out.push_str(
        "> **The emulators are not AWS.** DynamoDB Local (Java, SQLite underneath) and \
         LocalStack (Python) on a loopback interface have latencies of their own, neither \
         better nor worse in any way that carries over to DynamoDB and S3 in a region. So \
         absolute milliseconds here describe this machine and these emulators only; what \
         carries over are counts (AWS calls per request) and ratios between figures \
         measured in the same run, against the same emulators, on the same machine.\n\n",
    );
    machine_section(&mut out, bench, load);
    if bench.is_object() {
        summary_section(&mut out, bench);
        cold_section(&mut out, &bench["cold_start"]);
        warm_section(&mut out, &bench["warm"]);
        flat_section(&mut out, &bench["flatness"]);
        search_section(&mut out, &bench["flatness"]);
        delete_section(&mut out, &bench["delete"]);
        cpu_section(&mut out, &bench["cpu"]);
    } else {
        out.push_str("`make bench` has not been run yet.\n\n");
    }
    load_section(&mut out, load);
    method_section(&mut out, bench);
    out
}

fn machine_section(out: &mut String, bench: &Value, load: &Value) {
    out.push_str("## Machine and runs\n\n| | `make bench` | `make load` |\n|---|---|---|\n");
    let m = |v: &Value, k: &str| {
        if v.is_object() {
            text(&v["machine"][k])
        } else {
            "–".into()
        }
    };
    let row = |out: &mut String, name: &str, a: String, b: String| {
        let _ = writeln!(out, "| {name} | {a} | {b} |");
    };
    row(
        out,
        "date (UTC)",
        text_or(&bench["date"]),
        text_or(&load["date"]),
    );
    row(
        out,
        "CPU (`/proc/cpuinfo`)",
        m(bench, "cpu_model"),
        m(load, "cpu_model"),
    );
    row(out, "cores (nproc)", m(bench, "nproc"), m(load, "nproc"));
    row(
        out,
        "memory",
        format!("{} GiB", m(bench, "memory_gib")),
        format!("{} GiB", m(load, "memory_gib")),
    );
    row(out, "kernel", m(bench, "kernel"), m(load, "kernel"));
    row(out, "compiler", m(bench, "rustc"), m(load, "rustc"));
    row(
        out,
        "load average (1, 5, 15 min) at start → end",
        format!(
            "{} → {}",
            text_or(&bench["load_average"]["start"]),
            text_or(&bench["load_average"]["end"])
        ),
        format!(
            "{} → {}",
            text_or(&load["load_average_start"]),
            text_or(&load["load_average_end"])
        ),
    );
    row(
        out,
        "how long it took",
        durations(bench),
        match load["elapsed_s"].as_f64() {
            Some(s) => format!(
                "{} s of load, {} s in all",
                num(s),
                text_or(&load["total_s"])
            ),
            None => "–".into(),
        },
    );
    out.push_str(
        "\nThe machine is shared: other builds and tests ran beside these runs (see the load \
         averages), which widens the spreads; cold starts are measured round-robin so that \
         such noise falls on every binary alike.\n\n",
    );
}

fn text_or(v: &Value) -> String {
    if v.is_null() { "–".into() } else { text(v) }
}

fn durations(bench: &Value) -> String {
    let d = &bench["durations_s"];
    if !d.is_object() {
        return "–".into();
    }
    let mut parts = Vec::new();
    for (key, label) in [
        ("build", "release build"),
        ("arm64_build", "arm64 build"),
        ("run", "measuring"),
        ("total", "in all"),
    ] {
        if let Some(s) = d[key].as_f64() {
            parts.push(format!("{label} {} s", num(s)));
        }
    }
    parts.join(", ")
}

fn summary_section(out: &mut String, bench: &Value) {
    out.push_str("## The performance budget\n\n| budget | measured | met |\n|---|---|---|\n");
    // One DynamoDB round trip, no S3 call.
    let routes = bench["warm"]["routes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let budgeted: Vec<&Value> = routes.iter().filter(|r| !r["budget"].is_null()).collect();
    if !budgeted.is_empty() {
        let all_met = budgeted.iter().all(|r| r["meets_budget"] == true);
        let list: Vec<String> = budgeted
            .iter()
            .map(|r| format!("{} {}", text(&r["label"]), text_or(&r["aws_calls"]["max"])))
            .collect();
        let _ = writeln!(
            out,
            "| get, media, download and share-open (`?secret=`): one DynamoDB round trip, no S3 call (presigning is local); one query per list page for an admin | AWS calls per request (max over {} requests each): {} | {} |",
            text_or(&budgeted[0]["requests"]),
            list.join("; "),
            yes(all_met)
        );
    }
    let rows = bench["flatness"]["rows"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !rows.is_empty() {
        let one_query = rows.iter().all(|r| {
            r["dynamodb"]["aws_calls"]["max"] == 1 && r["dynamodb"]["aws_calls"]["min"] == 1
        });
        let sizes = bench["flatness"]["sizes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let (small, large) = (
            sizes.first().cloned().unwrap_or(Value::Null),
            sizes.last().cloned().unwrap_or(Value::Null),
        );
        let mut worst: f64 = 0.0;
        let mut parts = Vec::new();
        for scope in ["all rooms", "one room"] {
            for page in ["first page", "next pages"] {
                let find = |size: &Value| {
                    rows.iter()
                        .find(|r| &r["size"] == size && r["scope"] == scope && r["page"] == page)
                        .map(|r| f(&r["dynamodb"]["latency_ms"]["p50"]))
                        .unwrap_or(f64::NAN)
                };
                let (a, b) = (find(&small), find(&large));
                worst = worst.max(b / a);
                parts.push(format!("{scope}, {page}: {} → {} ms", num(a), num(b)));
            }
        }
        let _ = writeln!(
            out,
            "| one query per list page, flat from {} to {} recordings | 1 query for every page at both sizes: {}; p50 {} (largest change ×{}) | {} |",
            text(&small),
            text(&large),
            if one_query { "yes" } else { "no" },
            parts.join("; "),
            num(worst),
            yes(one_query && worst < 1.5)
        );
    }
    if let Some((one_query, worst, parts)) = search_flatness(&bench["flatness"]) {
        let _ = writeln!(
            out,
            "| a page sorted by size or room name, within a date range, or of a room-name prefix: one query (two at the page where recordings with a size end), p50 within ×1.2 from the smaller table to the larger | 1 query a page at both sizes: {}; {} (largest change ×{}) | {} |",
            if one_query { "yes" } else { "no" },
            parts.join("; "),
            num(worst),
            yes(one_query && worst <= 1.2)
        );
    }
    let deletes = bench["delete"]["rows"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for row in deletes.iter().filter(|r| r["mode"] == "bulk") {
        let c = &row["by_category"];
        let b = &row["budget"];
        let met = |k: &str| f(&c[k]) <= f(&b[k]);
        let _ = writeln!(
            out,
            "| bulk delete of {n}: ≈ {br} reads, {bs} S3 call(s), {bw} writes | {r} BatchGetItem, {s} DeleteObjects, {w} BatchWriteItem (+ {m} TransactWriteItems marking them first, + {e} EventBridge PutEvents); {req} request(s) of at most {max} ids, whose floor is {fr} BatchGetItem and {req} DeleteObjects (each request reads its ids in batches of 100 and deletes its videos in one call) | reads {r_ok}, S3 {s_ok}, writes {w_ok} |",
            n = text(&row["n"]),
            br = text(&b["reads"]),
            bs = text(&b["s3"]),
            bw = text(&b["writes"]),
            r = text(&c["reads"]),
            s = text(&c["s3"]),
            w = text(&c["writes"]),
            m = text(&c["marks"]),
            e = text(&c["events"]),
            req = text(&row["requests"]),
            max = text_or(&bench["delete"]["max_bulk_ids"]),
            fr = per_request_reads(&row["n"], &bench["delete"]["max_bulk_ids"]),
            r_ok = yes(met("reads")),
            s_ok = yes(met("s3")),
            w_ok = yes(met("writes")),
        );
    }
    let binaries = bench["cold_start"]["binaries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let hello = text(&bench["cold_start"]["hello"]);
    let functions: Vec<&Value> = binaries
        .iter()
        .filter(|b| text(&b["name"]) != hello)
        .collect();
    if !functions.is_empty() {
        let max_init = functions
            .iter()
            .map(|b| f(&b["ratio_init"]))
            .fold(0.0, f64::max);
        let min_init = functions
            .iter()
            .map(|b| f(&b["ratio_init"]))
            .fold(f64::MAX, f64::min);
        let max_first = functions
            .iter()
            .map(|b| f(&b["ratio_no_aws"]))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let floor = binaries.iter().find(|b| text(&b["name"]) == hello);
        let r = &bench["cold_start"]["system_store"];
        let reduced = if r.is_object() {
            format!(
                "; `{}` loading the system's trust store instead of its bundled roots: ×{}",
                text(&r["binary"]),
                num(f(&r["ratio_system_store"]))
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "| cold start below 2× an SDK-free `lambda_http` hello, side by side | to first event: ×{}–×{} the hello's {} (medians); to the first response without an AWS call: up to ×{}{} | {} |",
            num(min_init),
            num(max_init),
            floor.map_or("–".into(), |b| ms(&b["init_ms"]["p50"])),
            num(max_first),
            reduced,
            yes(max_init < 2.0)
        );
    }
    out.push('\n');
}

fn cold_section(out: &mut String, cold: &Value) {
    let Some(binaries) = cold["binaries"].as_array() else {
        return;
    };
    let hello = text(&cold["hello"]);
    let _ = write!(
        out,
        "## Cold start\n\nEach binary started {} times (after one unmeasured start), round-robin with the others, \
         under the bench's own Lambda Runtime API on 127.0.0.1 with an event already queued. \
         *To first event*: from `exec` to its first `GET /runtime/invocation/next`, i.e. \
         logging, configuration and the SDK clients built (Lambda's init phase). *First \
         response*: from `exec` to the response of a real request, its AWS calls on fresh \
         connections included. *No AWS call*: the same to the first response of a request \
         refused before any AWS call (no credentials), which isolates the process from the \
         emulators. Medians with the interquartile range; `×` is the ratio of medians to \
         `{hello}`, an SDK-free `lambda_http` hello built with the same profile. Peak RSS is \
         `VmHWM` after the first response.\n\n",
        text_or(&cold["iterations"])
    );
    out.push_str("| binary | x86-64 size | arm64 size | peak RSS | to first event, ms | × | first response, ms | × | request (AWS calls) | no AWS call, ms | × |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for b in binaries {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} MiB | {} | {} | {} | {} | {} → {} ({}) | {} | {} |",
            text(&b["name"]),
            mib(&b["size_bytes"]),
            mib(&b["arm64_size_bytes"]),
            num(f(&b["peak_rss_kib"]) / 1024.0),
            spread(&b["init_ms"]),
            ratio(&b["ratio_init"]),
            spread(&b["first_response_ms"]),
            ratio(&b["ratio_first_response"]),
            text(&b["request"]),
            text_or(&b["status"]),
            text_or(&b["aws_calls"]),
            if b["first_response_no_aws_ms"].is_null() {
                "–".into()
            } else {
                spread(&b["first_response_no_aws_ms"])
            },
            ratio(&b["ratio_no_aws"]),
        );
    }
    let _ = writeln!(out, "\n{}\n", text_or(&cold["arm64_note"]));
    let r = &cold["system_store"];
    if r.is_object() {
        let _ = writeln!(
            out,
            "**Where a cold start's own work went, and what was done.** The SDK's default HTTPS client loads the system's trust store when the clients are built: every certificate it names, read and parsed (here the bundle and the {} entries of `/etc/ssl/certs`). That was most of the functions' extra initialisation, so their client trusts only the roots AWS endpoints chain to, bundled in the binary (`shared/src/tls.rs`). Started with `SSL_CERT_FILE` and `SSL_CERT_DIR` naming the system's store, which brings back the old behaviour, `{}` reaches its first event in {} ms instead of {} ms (medians of {} starts each, round-robin with the hello): ×{} the hello instead of ×{}, {} ms saved. The rest of the initialisation (configuration, SDK clients, logging) is in the CPU section below.\n",
            text_or(&r["certificate_entries"]),
            text(&r["binary"]),
            num(f(&r["system_store_init_ms"]["p50"])),
            num(f(&r["bundled_roots_init_ms"]["p50"])),
            text_or(&r["bundled_roots_init_ms"]["n"]),
            num(f(&r["ratio_system_store"])),
            num(f(&r["ratio_bundled"])),
            num(f(&r["saved_ms"])),
        );
    }
    let r = &cold["secrets_manager"];
    if r.is_object() {
        let _ = writeln!(
            out,
            "**What reading secrets at cold start costs.** Deployed, a function holds no secret in its environment: it reads each secret it uses from Secrets Manager at cold start, concurrently (`shared/src/secrets.rs`). Given {} that way from the local Secrets Manager, `{}` reaches its first event in {} ms instead of {} ms with the same values as plain variables (medians of {} starts each, round-robin with the hello): ×{} the hello instead of ×{}, {} ms more: one round trip to the service, which no secret store kept out of the environment can avoid.\n",
            r["secrets"]
                .as_array()
                .map(|v| v
                    .iter()
                    .map(|s| format!("`{}`", text(s)))
                    .collect::<Vec<_>>()
                    .join(" and "))
                .unwrap_or_default(),
            text(&r["binary"]),
            num(f(&r["secrets_manager_init_ms"]["p50"])),
            num(f(&r["environment_init_ms"]["p50"])),
            text_or(&r["environment_init_ms"]["n"]),
            num(f(&r["ratio_secrets_manager"])),
            num(f(&r["ratio_environment"])),
            num(f(&r["added_ms"])),
        );
    }
}

fn warm_section(out: &mut String, warm: &Value) {
    let Some(routes) = warm["routes"].as_array() else {
        return;
    };
    out.push_str(
        "## Warm latency per route\n\nOne process per function kept warm under the bench's runtime API, the requests \
         sent one after another (after a few unmeasured ones). *Latency* runs from the runtime \
         API handing out the event to the response arriving (the runtime's event parsing and \
         response serialization included, API Gateway not); *handler* is the function's own \
         `latency_ms`; AWS calls are read from each request's JSON log line.\n\n",
    );
    out.push_str("| route | credential | requests | p50 | p90 | p99 | handler p50 | AWS calls (min–max) | budget | note |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for r in routes {
        let calls = &r["aws_calls"];
        let budget = match r["budget"].as_u64() {
            Some(b) => format!("{b}: {}", yes(r["meets_budget"] == true)),
            None => "–".into(),
        };
        let unexpected = r["unexpected_status"].as_u64().unwrap_or(0);
        let mut note = text_or(&r["note"]);
        if unexpected > 0 {
            note.push_str(&format!(
                " ({unexpected} unexpected statuses: {})",
                text_or(&r["first_unexpected"])
            ));
        }
        let _ = writeln!(
            out,
            "| {} `{}` | {} | {} | {} | {} | {} | {} | {}–{} | {} | {} |",
            text(&r["label"]),
            text(&r["route"]),
            text(&r["credential"]),
            text_or(&r["requests"]),
            ms(&r["latency_ms"]["p50"]),
            ms(&r["latency_ms"]["p90"]),
            ms(&r["latency_ms"]["p99"]),
            ms(&r["handler_ms"]["p50"]),
            text_or(&calls["min"]),
            text_or(&calls["max"]),
            budget,
            note,
        );
    }
    out.push('\n');
}

/// The index-served searches' p50 at each size: whether every page was one query (two at
/// the one page of a size order where the recordings with a size end, which following the
/// pages to the end reaches), the largest change from the smaller table to the larger, and
/// each search's figures.
fn search_flatness(flat: &Value) -> Option<(bool, f64, Vec<String>)> {
    let rows = flat["searches"].as_array()?;
    let sizes = flat["sizes"].as_array()?;
    let (small, large) = (sizes.first()?, sizes.last()?);
    let served: Vec<&Value> = rows.iter().filter(|r| r["index_served"] == true).collect();
    let one_query = served.iter().all(|r| {
        let calls = &r["aws_calls"];
        calls["min"] == 1 && f(&calls["max"]) <= 2.0 && f(&calls["mean"]) <= 1.05
    });
    let mut worst: f64 = 0.0;
    let mut parts = Vec::new();
    for r in served.iter().filter(|r| &r["size"] == small) {
        let Some(at_large) = served
            .iter()
            .find(|o| &o["size"] == large && o["query"] == r["query"] && o["page"] == r["page"])
        else {
            continue;
        };
        let (a, b) = (
            f(&r["latency_ms"]["p50"]),
            f(&at_large["latency_ms"]["p50"]),
        );
        worst = worst.max(b / a);
        parts.push(format!(
            "{}, {}: {} → {} ms",
            text(&r["query"]),
            text(&r["page"]),
            num(a),
            num(b)
        ));
    }
    Some((one_query, worst, parts))
}

fn search_section(out: &mut String, flat: &Value) {
    let Some(rows) = flat["searches"].as_array() else {
        return;
    };
    let sizes = flat["sizes"].as_array().cloned().unwrap_or_default();
    let (Some(small), Some(large)) = (sizes.first(), sizes.last()) else {
        return;
    };
    out.push_str(
        "## Finding recordings: other orders and searches\n\nPages of 10 through the list \
         function, as above, in the orders and searches `docs/api.md` says one index query \
         serves, and a `partial` room name, which no index serves: it reads the newest-first \
         index 200 items a query and keeps what matches. Every search covers the same \
         recordings at both sizes (the larger table's extra recordings are all older than \
         the date range, and in every room).\n\n",
    );
    out.push_str("| search | page | index-served | p50 at smaller | p50 at larger | larger ÷ smaller | calls a page (mean, max) at smaller | at larger |\n|---|---|---|---|---|---|---|---|\n");
    for r in rows.iter().filter(|r| &r["size"] == small) {
        let other = rows
            .iter()
            .find(|o| &o["size"] == large && o["query"] == r["query"] && o["page"] == r["page"]);
        let p50 = |row: Option<&Value>| row.map_or(f64::NAN, |row| f(&row["latency_ms"]["p50"]));
        let calls = |row: Option<&Value>| {
            row.map_or_else(
                || "–".to_owned(),
                |row| {
                    format!(
                        "{}, {}",
                        num(f(&row["aws_calls"]["mean"])),
                        text_or(&row["aws_calls"]["max"])
                    )
                },
            )
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} ms | {} ms | ×{} | {} | {} |",
            text(&r["query"]),
            text(&r["page"]),
            if r["index_served"] == true {
                "yes"
            } else {
                "no"
            },
            num(p50(Some(r))),
            num(p50(other)),
            num(p50(other) / p50(Some(r))),
            calls(Some(r)),
            calls(other),
        );
    }
    let _ = writeln!(
        out,
        "\nSizes: {} and {} recordings.\n",
        text(small),
        text(large)
    );
}

fn flat_section(out: &mut String, flat: &Value) {
    let Some(rows) = flat["rows"].as_array() else {
        return;
    };
    out.push_str(
        "## List flatness: DynamoDB beside JSON objects in S3\n\nA page of 10 recordings, \
         newest first, from this project's table (the list function, one `Query` on an \
         index) beside the same page served the way OpenVidu Meet 3.4 stored recording \
         metadata: one JSON object per recording in S3 \
         (`recordings/.metadata/{roomId}/{egressId}/{uid}.json`), a page being \
         `ListObjectsV2` then one `GetObject` per item (issued concurrently, as it did), \
         in the same run against the same emulators. *First page*: the first page again and \
         again; *next pages*: following `nextPageToken` (continuation tokens for S3) page \
         after page. The DynamoDB side is timed end to end through the function's process; \
         the S3 side in the bench process with no Lambda runtime around it, which only \
         flatters S3. S3's listing is in key order, not newest first: to be newest first, \
         that design has to read every object, which this comparison does not charge it \
         for.\n\n",
    );
    out.push_str("| recordings | scope | page | DynamoDB p50 | DynamoDB p99 | calls | S3 p50 | S3 p99 | of which `ListObjectsV2` p50 | calls | S3 ÷ DynamoDB (p50) |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            text(&r["size"]),
            text(&r["scope"]),
            text(&r["page"]),
            ms(&r["dynamodb"]["latency_ms"]["p50"]),
            ms(&r["dynamodb"]["latency_ms"]["p99"]),
            text_or(&r["dynamodb"]["aws_calls"]["max"]),
            ms(&r["s3"]["latency_ms"]["p50"]),
            ms(&r["s3"]["latency_ms"]["p99"]),
            ms(&r["s3"]["list_objects_ms"]["p50"]),
            text_or(&r["s3"]["aws_calls"]["max"]),
            ratio(&r["ratio_p50"]),
        );
    }
    let list_at = |size: &Value| {
        rows.iter()
            .filter(|r| &r["size"] == size)
            .map(|r| f(&r["s3"]["list_objects_ms"]["p50"]))
            .fold(f64::NAN, f64::max)
    };
    let sizes = flat["sizes"].as_array().cloned().unwrap_or_default();
    if let (Some(small), Some(large)) = (sizes.first(), sizes.last()) {
        let _ = writeln!(
            out,
            "\nLocalStack's `ListObjectsV2` grows with the bucket (p50 up to {} ms at {} objects, {} ms at {}): it walks every key, where S3 itself lists from an index. So the S3 column at the larger size overstates S3; what carries over is the call count, 11 requests a page against 1, and the ratio at the smaller size, where listing is still cheap.",
            num(list_at(small)),
            text(small),
            num(list_at(large)),
            text(large),
        );
    }
    let l = &flat["load"];
    if l.is_object() {
        let _ = writeln!(
            out,
            "\nLoading the {} recordings beyond the first {}: DynamoDB `BatchWriteItem` (25 items a call, {} calls in flight) {} s ({} items/s); S3 `PutObject` of the JSON objects ({} in flight, at the same time) {} s ({} objects/s). The table's rooms hold {} recordings each at the larger size.\n",
            text_or(&l["items"]),
            text_or(&l["from"]),
            text_or(&l["dynamodb_concurrency"]),
            num(f(&l["dynamodb_s"])),
            num(f(&l["items"]) / f(&l["dynamodb_s"])),
            text_or(&l["s3_concurrency"]),
            num(f(&l["s3_s"])),
            num(f(&l["items"]) / f(&l["s3_s"])),
            text_or(&l["per_room_large"]),
        );
    }
}

fn delete_section(out: &mut String, delete: &Value) {
    let Some(rows) = delete["rows"].as_array() else {
        return;
    };
    let _ = write!(
        out,
        "## Bulk delete\n\nRecordings (each with an item, a 1 KiB video object and no share link) deleted \
         through the delete function kept warm: in bulk (`DELETE /api/v1/recordings?recordingIds=…`, \
         at most {} ids a request, the API's limit) or one request each \
         (`DELETE /api/v1/recordings/{{id}}`), requests one after another. AWS calls are the sum \
         of the requests' log lines; the split by operation comes from the same requests \
         replayed in process with counting clients (below). With an EventBridge bus \
         configured (as `infra/local.env` does) every deleted recording is also published.\n\n",
        text_or(&delete["max_bulk_ids"])
    );
    out.push_str("| recordings | mode | requests | wall time | AWS calls | BatchGetItem | TransactWriteItems | BatchWriteItem | DeleteObjects | PutEvents | left behind |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for r in rows {
        let c = &r["by_category"];
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} items, {} videos |",
            text(&r["n"]),
            text(&r["mode"]),
            text(&r["requests"]),
            ms(&r["wall_ms"]),
            text(&r["aws_calls"]),
            text(&c["reads"]),
            text(&c["marks"]),
            text(&c["writes"]),
            text(&c["s3"]),
            text(&c["events"]),
            text(&r["items_left"]),
            text(&r["videos_left"]),
        );
    }
    let mismatched: Vec<String> = rows
        .iter()
        .filter(|r| r["aws_calls"] != r["by_category"]["total"])
        .map(|r| format!("{} {}", text(&r["n"]), text(&r["mode"])))
        .collect();
    if mismatched.is_empty() {
        out.push_str("\nThe log lines' totals equal the in-process split for every row.\n");
    } else {
        let _ = writeln!(
            out,
            "\nThe log lines' totals differ from the in-process split for: {} (retries, or an operation the split does not know).",
            mismatched.join(", ")
        );
    }
    if let Some(ratios) = delete["ratios"].as_array() {
        out.push('\n');
        for r in ratios {
            let _ = writeln!(
                out,
                "- {} recordings: one at a time takes {} the wall time and {} the AWS calls of bulk.",
                text(&r["n"]),
                ratio(&r["wall"]),
                ratio(&r["aws_calls"])
            );
        }
    }
    if let Some(compositions) = delete["composition"].as_array() {
        out.push_str("\nOne request, by operation (in process, counting clients):\n\n| ids in the request | AWS calls | by operation |\n|---|---|---|\n");
        for c in compositions {
            let ops = c["operations"]
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| format!("{k} {v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {} | {ops} |",
                text(&c["ids"]),
                text_or(&c["total"])
            );
        }
        out.push('\n');
    }
}

fn cpu_section(out: &mut String, cpu: &Value) {
    let Some(micro) = cpu["micro"].as_array() else {
        return;
    };
    out.push_str(
        "## CPU per request\n\nWhere a request's time goes inside the handler when it is not waiting on AWS. \
         Each piece timed in a tight loop in process (median of 7 rounds):\n\n| piece | time | what |\n|---|---|---|\n",
    );
    for m in micro {
        let ns = f(&m["ns"]);
        let shown = if ns >= 1000.0 {
            format!("{} µs", num(ns / 1000.0))
        } else {
            format!("{} ns", num(ns))
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            text(&m["name"]),
            shown,
            text(&m["note"])
        );
    }
    if let Some(init) = cpu["init"].as_array() {
        out.push_str(
            "\nA cold start's own work, repeated in a warm process (so without first-time page \
             faults and lazy initialisation), with the functions' environment:\n\n| piece | time | what |\n|---|---|---|\n",
        );
        for m in init {
            let ns = f(&m["ns"]);
            let _ = writeln!(
                out,
                "| {} | {} µs | {} |",
                text(&m["name"]),
                num(ns / 1000.0),
                text(&m["note"])
            );
        }
    }
    if let Some(handlers) = cpu["handlers"].as_array() {
        out.push_str(
            "\nWhole handler calls (`dispatch`, log line included) on a single-threaded runtime, \
             so that the thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`) covers the SDK's \
             signing, the HTTP client and the response parsing as well; the rest of the \
             wall time is waiting on the emulator:\n\n| request | wall p50 | CPU p50 | CPU share |\n|---|---|---|---|\n",
        );
        for h in handlers {
            let _ = writeln!(
                out,
                "| {} | {} µs | {} µs | {}% |",
                text(&h["route"]),
                num(f(&h["wall_us"]["p50"])),
                num(f(&h["cpu_us"]["p50"])),
                num(f(&h["cpu_share"]) * 100.0),
            );
        }
    }
    out.push('\n');
}

fn load_section(out: &mut String, load: &Value) {
    out.push_str("## Load (`make load`)\n\n");
    if !load.is_object() {
        out.push_str("`make load` has not been run yet.\n\n");
        return;
    }
    let s = &load["settings"];
    let mix = s["mix_percent"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|x| format!("{} {}%", text(&x["op"]), text(&x["percent"])))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let c = &load["check"];
    let _ = write!(
        out,
        "{} concurrent clients for {} s (at most {} requests) against `cargo lambda watch --release` on {} \
         (up to {} instance(s) per function), over {} recordings that stay and {} that may be deleted. \
         Mix: {}. Lists are a first page of 10, of all rooms or one room; get and media \
         (`?redirect=false`) use the API key; share-open is `GET /api/v1/recordings/{{id}}?secret=`; \
         share creation picks a recording that stays or one that may be deleted, so some \
         race its delete; a quarter of deletes are bulk (5 ids).\n\n",
        text_or(&s["clients"]),
        text_or(&s["duration_s"]),
        text_or(&s["max_requests"]),
        text_or(&s["address"]),
        text_or(&s["watch_concurrency"]),
        text_or(&s["kept_recordings"]),
        text_or(&s["doomed_recordings"]),
        mix
    );
    let _ = writeln!(
        out,
        "| figure | value |\n|---|---|\n| requests | {} in {} s |\n| requests/s | {} |\n| latency p50 / p90 / p99 / max | {} / {} / {} / {} |\n| 5xx responses | {} |\n| transport errors | {} |\n| recordings not deleted, checked for item and video | {} (+ {} never reached by a delete) |\n| lost writes (a recording not deleted without its item or video, or a created share link missing) | {} |\n| deletes answered 200 | {} recordings; left behind: {} |\n| deletes answered otherwise | {} recordings |\n| share links created (200), checked stored and listed | {} of {}; missing {} |\n| share creations refused on recordings never deleted | {} |\n| share items left after their recording's delete | {} |",
        text_or(&load["requests"]),
        num(f(&load["elapsed_s"])),
        num(f(&load["requests_per_s"])),
        ms(&load["latency_ms"]["p50"]),
        ms(&load["latency_ms"]["p90"]),
        ms(&load["latency_ms"]["p99"]),
        ms(&load["latency_ms"]["max"]),
        text_or(&load["server_errors"]),
        text_or(&load["transport_errors"]),
        text_or(&c["kept_checked"]),
        text_or(&c["doomed_not_reached_intact"]),
        c["lost_writes"].as_u64().unwrap_or(0) + c["shares_missing"].as_u64().unwrap_or(0),
        text_or(&c["deleted_with_200"]),
        text_or(&c["left_after_delete"]),
        text_or(&c["delete_not_200"]),
        text_or(&c["shares_checked"]),
        text_or(&c["shares_created"]),
        text_or(&c["shares_missing"]),
        text_or(&load["shares_refused_on_kept"]),
        text_or(&c["orphan_share_items"]),
    );
    if let Some(ops) = load["by_op"].as_array() {
        out.push_str("\n| operation | requests | p50 | p90 | p99 |\n|---|---|---|---|---|\n");
        for o in ops {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                text(&o["op"]),
                text(&o["requests"]),
                ms(&o["latency_ms"]["p50"]),
                ms(&o["latency_ms"]["p90"]),
                ms(&o["latency_ms"]["p99"]),
            );
        }
    }
    if let Some(statuses) = load["statuses"].as_object() {
        let list: Vec<String> = statuses
            .iter()
            .map(|(k, v)| format!("`{k}`: {v}"))
            .collect();
        let _ = writeln!(out, "\nStatuses: {}.", list.join(", "));
    }
    if let Some(errors) = load["first_errors"].as_array().filter(|e| !e.is_empty()) {
        out.push_str("\nFirst unexpected answers:\n\n");
        for e in errors {
            let _ = writeln!(out, "- `{}`", text(e).replace('`', "'"));
        }
    }
    if let Some(notes) = load["notes"].as_array() {
        out.push('\n');
        for n in notes {
            let _ = writeln!(out, "{}", text(n));
        }
    }
    out.push('\n');
}

fn method_section(out: &mut String, bench: &Value) {
    out.push_str("## How to run, and what is measured\n\n");
    out.push_str(
        "- `make bench` (`scripts/bench.sh`): starts the emulators if they are not running \
         (and stops them only if it started them), builds every binary with `cargo build \
         --release` (`CARGO_BUILD_JOBS` defaults to 1, for a shared machine), then runs \
         `target/release/bench run` on a table, buckets and an event bus of its own \
         (`bench-<pid>`), deleted at the end. `BENCH_ARM64=1` also builds the functions for \
         arm64 with `scripts/build-lambda.sh` first; otherwise arm64 sizes are read from \
         `target/lambda/` when an earlier build left them there.\n\
         - `make load` (`scripts/load.sh`): sets up its own table, bucket and bus, serves the \
         functions with `cargo lambda watch --release` on 127.0.0.1 only, runs the clients \
         (bounded by time and by a request count), checks every recording, then stops what \
         it started and deletes what it made. `LOAD_CLIENTS`, `LOAD_SECONDS`, \
         `LOAD_MAX_REQUESTS` and `LOAD_CONCURRENCY` change the run.\n\
         - The functions run as released binaries with only the environment Lambda gives them \
         (`AWS_LAMBDA_RUNTIME_API`, `AWS_LAMBDA_FUNCTION_NAME`, `_VERSION`, `_MEMORY_SIZE`) plus \
         `infra/local.env` pointed at the bench's table, bucket and bus; the sweeper gets a \
         scheduled (EventBridge) event.\n\
         - Data is made in process: rooms through the store; recordings with \
         `BatchWriteItem` (25 a call, concurrent), after checking that the loader's item is \
         identical to the one `Store::put_recording` writes; share links as the share \
         function makes them.\n",
    );
    let s = &bench["settings"];
    if s.is_object() {
        let _ = writeln!(
            out,
            "- Settings of the run above: {} cold starts per binary, {} warm requests per route, {} pages per list figure, list sizes {} and {}, {} handler calls per CPU figure.",
            text_or(&s["cold_starts"]),
            text_or(&s["warm_requests"]),
            text_or(&s["pages"]),
            text_or(&s["small"]),
            text_or(&s["large"]),
            text_or(&s["handler_calls"]),
        );
    }
    out.push('\n');
}

/// The fewest `BatchGetItem` calls for `n` ids sent in requests of at most `max` ids: each
/// request reads its own ids, 100 keys a call.
fn per_request_reads(n: &Value, max: &Value) -> String {
    let (Some(n), Some(max)) = (n.as_u64(), max.as_u64()) else {
        return "–".into();
    };
    if max == 0 {
        return "–".into();
    }
    let (full, rest) = (n / max, n % max);
    (full * max.div_ceil(100) + rest.div_ceil(100)).to_string()
}
