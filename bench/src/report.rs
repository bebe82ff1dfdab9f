//! `docs/benchmarks.json` holds every figure; `docs/benchmarks.md` is rendered from it with
//! the template `benchmarks.md.jinja`. Each step of `make bench` replaces its own section
//! (`bench`, `export`, `lifecycle`) and `make load` the `load` section, each leaving the
//! others as they were.

use std::path::PathBuf;

use minijinja::{Environment, UndefinedBehavior};
use serde_json::{Map, Value, json};

use integration_tests::repo_root;

fn json_path() -> PathBuf {
    repo_root().join("docs/benchmarks.json")
}

/// Sets `section` in the JSON file and renders the Markdown from the whole file. A new
/// `bench` section keeps the replaced run's warm latencies and cold starts beside its own,
/// so that the report shows what a change did.
pub fn update(section: &str, mut value: Value) -> Result<(), String> {
    let mut all = read();
    if section == "bench"
        && let Some(old) = all.get("bench")
    {
        value["previous"] = previous_run(old);
    }
    all.insert(section.to_owned(), value);
    let text = serde_json::to_string_pretty(&all).map_err(|e| e.to_string())?;
    std::fs::write(json_path(), text + "\n").map_err(|e| format!("writing the JSON: {e}"))?;
    render()
}

/// What the report compares a new run with: the replaced run's machine, CPU
/// micro-benchmarks, warm p50 and p99 per route and cold starts.
fn previous_run(old: &Value) -> Value {
    let warm: Vec<Value> = rows(&old["warm"]["routes"])
        .iter()
        .map(|r| {
            json!({
                "key": route_key(r),
                "p50": r["latency_ms"]["p50"],
                "p99": r["latency_ms"]["p99"],
            })
        })
        .collect();
    let cold: Vec<Value> = rows(&old["cold_start"]["binaries"])
        .iter()
        .map(|b| json!({"name": b["name"], "init_p50": b["init_ms"]["p50"], "ratio_init": b["ratio_init"], "size_bytes": b["size_bytes"]}))
        .collect();
    json!({
        "date": old["date"],
        "kernel": old["machine"]["kernel"],
        "micro": old["cpu"]["micro"],
        "warm": warm,
        "cold": cold,
    })
}

fn route_key(r: &Value) -> String {
    format!(
        "{} {} {}",
        text(&r["label"]),
        text(&r["route"]),
        text(&r["credential"])
    )
}

fn read() -> Map<String, Value> {
    std::fs::read_to_string(json_path())
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

pub fn render() -> Result<(), String> {
    let mut context = read();
    context.retain(|_, section| section.is_object());
    let bench = context.get("bench").cloned().unwrap_or_default();
    context.insert("derived".into(), derived(&bench));
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    // A section or figure that a run did not produce renders as "–".
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.add_filter("t", |v: minijinja::Value| text(&plain(&v)));
    env.add_filter("num", |v: minijinja::Value| num(f(&plain(&v))));
    env.add_filter("ms", |v: minijinja::Value| {
        format!("{} ms", num(f(&plain(&v))))
    });
    env.add_filter("ratio", |v: minijinja::Value| match plain(&v) {
        Value::Null => "–".into(),
        v => format!("{}×", num(f(&v))),
    });
    env.add_filter("mib", |v: minijinja::Value| match plain(&v).as_f64() {
        Some(bytes) => format!("{} MiB", num(bytes / 1024.0 / 1024.0)),
        None => "–".into(),
    });
    env.add_filter("ns", |v: minijinja::Value| match f(&plain(&v)) {
        ns if ns >= 1000.0 => format!("{} µs", num(ns / 1000.0)),
        ns => format!("{} ns", num(ns)),
    });
    // `p50 (p25–p75)` of a summary.
    env.add_filter("spread", |v: minijinja::Value| match plain(&v) {
        Value::Null => "–".into(),
        s => format!(
            "{} ({}–{})",
            num(f(&s["p50"])),
            num(f(&s["p25"])),
            num(f(&s["p75"]))
        ),
    });
    env.add_filter("yes", |v: minijinja::Value| match v.is_true() {
        true => "**yes**",
        false => "**no**",
    });
    let markdown = env
        .render_str(include_str!("benchmarks.md.jinja"), context)
        .map_err(|e| format!("rendering the report: {e:#}"))?;
    let md_path = repo_root().join("docs/benchmarks.md");
    std::fs::write(md_path, markdown).map_err(|e| format!("writing the Markdown: {e}"))
}

fn plain(v: &minijinja::Value) -> Value {
    serde_json::to_value(v).unwrap_or_default()
}

/// Three significant figures.
fn num(v: f64) -> String {
    match v.abs() {
        a if !a.is_finite() => "–".into(),
        a if a >= 100.0 => format!("{v:.0}"),
        a if a >= 10.0 => format!("{v:.1}"),
        a if a >= 1.0 => format!("{v:.2}"),
        _ => format!("{v:.3}"),
    }
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => "–".into(),
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

fn rows(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// The largest larger ÷ smaller ratio of `pairs` (what, p50 at the smaller size, at the
/// larger), and the pairs as the report shows them.
fn change(pairs: impl Iterator<Item = (String, f64, f64)>) -> (f64, String) {
    let (mut worst, mut parts) = (0f64, Vec::new());
    for (label, a, b) in pairs {
        worst = worst.max(b / a);
        parts.push(format!("{label}: {} → {} ms", num(a), num(b)));
    }
    (worst, parts.join("; "))
}

/// What the template cannot easily compute: the list's and the searches' figures at the
/// smaller size beside the larger, and the deletes whose log lines and in-process split
/// disagree.
fn derived(bench: &Value) -> Value {
    let flat = &bench["flatness"];
    let sizes = rows(&flat["sizes"]);
    let (small, large) = (
        sizes.first().unwrap_or(&Value::Null),
        sizes.last().unwrap_or(&Value::Null),
    );
    let same = |a: &Value, b: &Value, keys: &[&str]| keys.iter().all(|k| a[k] == b[k]);
    let p50 = |r: &Value| f(&r["latency_ms"]["p50"]);

    let list = rows(&flat["rows"]);
    let kinds = ["all rooms", "one room"]
        .map(|scope| ["first page", "next pages"].map(|page| (scope, page)));
    let (worst, parts) = change(kinds.into_iter().flatten().map(|(scope, page)| {
        let key = json!({"scope": scope, "page": page});
        let at = |size: &Value| {
            let row = list
                .iter()
                .find(|r| &r["size"] == size && same(r, &key, &["scope", "page"]));
            row.map_or(f64::NAN, |r| p50(&r["dynamodb"]))
        };
        (format!("{scope}, {page}"), at(small), at(large))
    }));
    let one_query = list.iter().all(|r| {
        let calls = &r["dynamodb"]["aws_calls"];
        calls["max"] == 1 && calls["min"] == 1
    });
    let flat_budget = (!list.is_empty()).then(|| {
        json!({"small": small, "large": large, "one_query": one_query, "worst": worst, "parts": parts})
    });

    let searches = rows(&flat["searches"]);
    let pairs: Vec<(&Value, Option<&Value>)> = searches
        .iter()
        .filter(|r| &r["size"] == small)
        .map(|r| {
            let other = searches
                .iter()
                .find(|o| &o["size"] == large && same(o, r, &["query", "page"]));
            (r, other)
        })
        .collect();
    let served = |r: &&Value| r["index_served"] == true;
    let one_query = searches.iter().filter(served).all(|r| {
        let calls = &r["aws_calls"];
        calls["min"] == 1 && f(&calls["max"]) <= 2.0 && f(&calls["mean"]) <= 1.05
    });
    let served_pairs = pairs.iter().filter(|(r, _)| served(r));
    let (worst, parts) = change(served_pairs.filter_map(|(r, other)| {
        let label = format!("{}, {}", text(&r["query"]), text(&r["page"]));
        Some((label, p50(r), p50((*other)?)))
    }));
    let search_budget = flat["searches"]
        .is_array()
        .then(|| json!({"one_query": one_query, "worst": worst, "parts": parts}));

    let listing = |size: &Value| {
        let at_size = list.iter().filter(|r| &r["size"] == size);
        at_size
            .map(|r| f(&r["s3"]["list_objects_ms"]["p50"]))
            .fold(f64::NAN, f64::max)
    };
    let mismatched: Vec<String> = rows(&bench["delete"]["rows"])
        .iter()
        .filter(|r| r["aws_calls"] != r["by_category"]["total"])
        .map(|r| format!("{} {}", text(&r["n"]), text(&r["mode"])))
        .collect();
    // Each warm route beside the previous run's, in the routes' order.
    let previous = rows(&bench["previous"]["warm"]);
    let warm_change: Vec<Value> = rows(&bench["warm"]["routes"])
        .iter()
        .map(|r| {
            let key = route_key(r);
            let before = previous.iter().find(|p| p["key"] == key.as_str());
            before.map_or(Value::Null, |p| {
                json!({
                    "p50": p["p50"],
                    "p99": p["p99"],
                    "p50_ratio": f(&r["latency_ms"]["p50"]) / f(&p["p50"]),
                    "p99_ratio": f(&r["latency_ms"]["p99"]) / f(&p["p99"]),
                })
            })
        })
        .collect();
    let ratios = |k: &str| -> Vec<f64> {
        let mut v: Vec<f64> = warm_change
            .iter()
            .map(|c| f(&c[k]))
            .filter(|x| x.is_finite())
            .collect();
        v.sort_by(f64::total_cmp);
        v
    };
    // The lowest, median and highest of sorted ratios.
    let spread = |v: &[f64]| Some((*v.first()?, v[v.len() / 2], *v.last()?));
    let summary = spread(&ratios("p50_ratio"))
        .zip(spread(&ratios("p99_ratio")))
        .map(
            |((p50_min, p50_median, p50_max), (p99_min, p99_median, p99_max))| {
                json!({
                    "p50_min": p50_min, "p50_median": p50_median, "p50_max": p50_max,
                    "p99_min": p99_min, "p99_median": p99_median, "p99_max": p99_max,
                })
            },
        );
    json!({
        "warm_change": warm_change,
        "warm_change_summary": summary,
        "flat": flat_budget,
        "search": search_budget,
        "searches": pairs.iter().map(|(r, other)| {
            let ratio = other.map_or(f64::NAN, |o| p50(o) / p50(r));
            json!({"small": r, "large": other, "ratio": ratio})
        }).collect::<Vec<_>>(),
        "list_p50": [listing(small), listing(large)],
        "mismatched": mismatched,
    })
}
