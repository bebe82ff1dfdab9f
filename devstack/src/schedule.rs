//! The local stand-in for the template's schedules: invokes the sweeper (`sweep-recordings`,
//! served by `cargo lambda watch`) as EventBridge Scheduler would, every five minutes, so
//! that stale recordings are aborted, abandoned deletes finished and recycle bins purged
//! under `make dev` too.

use std::time::Duration;

use serde_json::{Value, json};

/// The template's `rate(5 minutes)`.
const EVERY: Duration = Duration::from_secs(5 * 60);
const FUNCTION: &str = "sweep-recordings";

/// Runs until stopped; the first run comes one period after the start, as in AWS.
pub async fn run(invoke_base: &str) -> ! {
    // reqwest's TLS takes its crypto from the process: aws-lc, as everywhere here.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let http = reqwest::Client::new();
    let invoke = format!(
        "{}/2015-03-31/functions/{FUNCTION}/invocations",
        invoke_base.trim_end_matches('/')
    );
    loop {
        tokio::time::sleep(EVERY).await;
        let event =
            json!({"source": "aws.scheduler", "detail-type": "Scheduled Event", "detail": {}});
        match http.post(&invoke).json(&event).send().await {
            Ok(response) if response.status().is_success() => {
                let summary = response.json::<Value>().await.unwrap_or_default();
                eprintln!("[schedule] {FUNCTION}: {summary}");
            }
            Ok(response) => eprintln!("[schedule] {FUNCTION} answered {}", response.status()),
            Err(err) => eprintln!("[schedule] invoking {FUNCTION} failed: {err}"),
        }
    }
}
