//! The machine a run measured on, and when.

use serde_json::{Value, json};

/// The value of `key` in a `/proc` file of `key: value` lines.
fn proc_value(path: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    Some(line.split_once(':')?.1.trim().to_owned())
}

/// The number that begins `key`'s value (`VmHWM:  1234 kB`).
pub fn proc_number(path: &str, key: &str) -> Option<f64> {
    proc_value(path, key)?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The 1-, 5- and 15-minute load averages: other work on the machine during the run.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn command_output(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

pub fn rfc3339(when: time::OffsetDateTime) -> String {
    let format = time::format_description::well_known::Rfc3339;
    when.format(&format).unwrap_or_default()
}

pub fn now_rfc3339() -> String {
    rfc3339(time::OffsetDateTime::now_utc())
}

pub fn describe() -> Value {
    json!({
        "nproc": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu_model": proc_value("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown".into()),
        "memory_gib": proc_number("/proc/meminfo", "MemTotal").map(|kib| (kib / 1048576.0 * 10.0).round() / 10.0),
        "kernel": std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim(),
        "rustc": command_output("rustc", &["--version"]),
    })
}
