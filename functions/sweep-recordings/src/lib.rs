//! Scheduled: aborts recordings stuck in `starting`, `active` or `ending` past their
//! limits (`STALE_*_SECONDS`), so that they become deletable and their rooms free;
//! finishes deletes that their callers abandoned after a failure; applies the rooms'
//! retention; purges from the recycle bins what has stayed there its time; and takes the
//! rooms' deletions (due, waiting for a recording to end, or under way) a round further.
//! Each step runs whatever another's outcome; a failed step fails the run once all ran.

use serde_json::{Value, json};
use shared::app::App;
use shared::clock::now_millis;
use shared::error::ApiError;
use shared::model::Recording;
use shared::{deletion, lifecycle, recycle_bin, retention, room_deletion};

/// A step's outcome for the run's summary; a failure is logged and kept.
fn done(step: &'static str, result: Result<Value, ApiError>, failed: &mut Vec<ApiError>) -> Value {
    match result {
        Ok(value) => value,
        Err(err) => {
            tracing::error!(step, error = %err, "a step of the sweep failed");
            failed.push(err);
            Value::Null
        }
    }
}

pub async fn sweep(app: &App) -> Result<Value, ApiError> {
    let now = now_millis();
    let mut failed = Vec::new();
    let ids = |recordings: Vec<Recording>| {
        json!(
            recordings
                .into_iter()
                .map(|r| r.recording_id)
                .collect::<Vec<_>>()
        )
    };
    let aborted = done(
        "abort",
        lifecycle::sweep(app, now).await.map(ids),
        &mut failed,
    );
    let deleted = done(
        "finish deletes",
        deletion::finish_abandoned(app.deleter(), now)
            .await
            .map(ids),
        &mut failed,
    );
    let retained = done(
        "retention",
        retention::apply(app.deleter(), now).await.map(|applied| {
            json!({
                "trashed": applied.trashed,
                "deleted": applied.deleted,
                "warned": applied.warned,
            })
        }),
        &mut failed,
    );
    let purged = done(
        "purge",
        recycle_bin::purge(app.deleter(), now)
            .await
            .map(|ids| json!(ids)),
        &mut failed,
    );
    let rooms = done(
        "rooms",
        room_deletion::sweep_rooms(app, now)
            .await
            .map(|ids| json!(ids)),
        &mut failed,
    );
    match failed.into_iter().next() {
        Some(err) => Err(err),
        None => Ok(json!({
            "aborted": aborted,
            "deleted": deleted,
            "retention": retained,
            "purged": purged,
            "rooms": rooms,
        })),
    }
}
