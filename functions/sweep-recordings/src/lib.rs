//! Scheduled: aborts recordings stuck in `starting`, `active` or `ending` past their
//! limits (`STALE_*_SECONDS`), so that they become deletable and their rooms free;
//! finishes deletes that their callers abandoned after a failure; applies the rooms'
//! retention; purges from the recycle bins what has stayed there its time; and takes the
//! rooms' deletions (due, waiting for a recording to end, or under way) a round further.

use serde_json::{Value, json};
use shared::app::App;
use shared::clock::now_millis;
use shared::error::ApiError;
use shared::model::Recording;
use shared::{deletion, lifecycle, recycle_bin, retention, room_deletion};

pub async fn sweep(app: &App) -> Result<Value, ApiError> {
    let now = now_millis();
    let aborted = lifecycle::sweep(app, now).await?;
    let deleted = deletion::finish_abandoned(app.deleter(), now).await?;
    let retained = retention::apply(app.deleter(), now).await?;
    let purged = recycle_bin::purge(app.deleter(), now).await?;
    let rooms = room_deletion::sweep_rooms(app, now).await?;
    let ids = |recordings: &[Recording]| -> Vec<String> {
        recordings
            .iter()
            .map(|r| r.recording_id.to_string())
            .collect()
    };
    Ok(json!({
        "aborted": ids(&aborted),
        "deleted": ids(&deleted),
        "retention": {
            "trashed": retained.trashed,
            "deleted": retained.deleted,
            "warned": retained.warned,
        },
        "purged": purged,
        "rooms": rooms,
    }))
}
