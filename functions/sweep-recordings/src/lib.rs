//! Scheduled: aborts recordings stuck in `starting`, `active` or `ending` past their
//! limits (`STALE_*_SECONDS`), so that they become deletable and their rooms free.

use serde_json::{Value, json};
use shared::clock::now_millis;
use shared::error::ApiError;
use shared::lifecycle;
use shared::runtime::App;

pub async fn sweep(app: &App) -> Result<Value, ApiError> {
    let aborted = lifecycle::sweep(app, now_millis()).await?;
    let ids: Vec<_> = aborted.iter().map(|r| r.recording_id.as_str()).collect();
    Ok(json!({ "aborted": ids }))
}
