//! A delete in a room that keeps a recycle bin: the recording moves there, its video, links
//! and attributes kept, and leaves every list and read (see [`crate::recycle_bin`]).

use std::collections::HashMap;

use super::{DeleteFailure, Deleter};
use crate::events::RecordingEvent;
use crate::model::{ActedBy, Recording, RecordingConfig, RecordingId, Trash};
use crate::store::{MarkScope, StoredRecording, WriteOutcome};

/// Moves `ids` (distinct, each allowed to `by`) into their rooms' recycle bins, each for
/// as long as `config_of` its room says, and tells the integrations. Returns the
/// recordings moved, as they now are, and why the others were not.
pub(crate) async fn trash(
    deleter: Deleter<'_>,
    by: ActedBy,
    ids: &[RecordingId],
    config_of: impl Fn(&RecordingId) -> RecordingConfig,
    now_ms: i64,
) -> (Vec<Recording>, Vec<(RecordingId, DeleteFailure)>) {
    if ids.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let Some(read) = read(deleter, ids).await else {
        let failed = ids
            .iter()
            .map(|id| (id.clone(), DeleteFailure::Unavailable));
        return (Vec::new(), failed.collect());
    };
    let mut failed = Vec::new();
    let mut candidates = Vec::new();
    for id in ids {
        match read.get(id).filter(|r| !r.deleting) {
            None => failed.push((id.clone(), DeleteFailure::NotFound)),
            Some(stored) => match DeleteFailure::of(Some(stored), MarkScope::Listed) {
                Some(failure) => failed.push((id.clone(), failure)),
                None => {
                    let purge_at = config_of(id).restorable_until(now_ms).unwrap_or(now_ms);
                    candidates.push(Recording {
                        trash: Some(Trash {
                            trashed_at: now_ms,
                            purge_at,
                            deleted_by: by,
                        }),
                        ..stored.recording.clone()
                    });
                }
            },
        }
    }
    let outcomes = deleter.store.trash_recordings(&candidates).await;
    let (trashed, refused) = settle(
        candidates,
        outcomes,
        &mut failed,
        DeleteFailure::Unavailable,
    );
    failed.extend(
        reclassify(deleter, &refused, |stored| {
            DeleteFailure::of(stored.filter(|r| !r.deleting), MarkScope::Listed)
        })
        .await
        .into_iter()
        .map(|(id, failure)| (id, failure.unwrap_or(DeleteFailure::Unavailable))),
    );
    deleter
        .events
        .publish(RecordingEvent::Trashed, &trashed)
        .await;
    (trashed, failed)
}

/// The recordings of `ids` as they are stored; `None` when they cannot be read.
pub(crate) async fn read(
    deleter: Deleter<'_>,
    ids: &[RecordingId],
) -> Option<HashMap<RecordingId, StoredRecording>> {
    match deleter.store.load_with_rooms(ids, &[]).await {
        Ok(loaded) => Some(loaded.recordings),
        Err(e) => {
            tracing::warn!(error = %e, "reading recordings to move");
            None
        }
    }
}

/// Splits moved recordings by how their writes went: those written, and the ids whose
/// condition failed; the unavailable go to `failed` as `unavailable`.
pub(crate) fn settle<F: Clone>(
    candidates: Vec<Recording>,
    outcomes: Vec<(RecordingId, WriteOutcome)>,
    failed: &mut Vec<(RecordingId, F)>,
    unavailable: F,
) -> (Vec<Recording>, Vec<RecordingId>) {
    let outcomes: HashMap<RecordingId, WriteOutcome> = outcomes.into_iter().collect();
    let mut written = Vec::new();
    let mut refused = Vec::new();
    for recording in candidates {
        match outcomes.get(&recording.recording_id) {
            Some(WriteOutcome::Written) => written.push(recording),
            Some(WriteOutcome::ConditionFailed) => refused.push(recording.recording_id),
            _ => failed.push((recording.recording_id, unavailable.clone())),
        }
    }
    (written, refused)
}

/// Why each of `ids`, whose conditional write was refused, was: read again and judged
/// (`None` where it no longer stands in the way, or cannot be read).
pub(crate) async fn reclassify<F>(
    deleter: Deleter<'_>,
    ids: &[RecordingId],
    why: impl Fn(Option<&StoredRecording>) -> Option<F>,
) -> Vec<(RecordingId, Option<F>)> {
    if ids.is_empty() {
        return Vec::new();
    }
    match deleter.store.load_with_rooms(ids, &[]).await {
        Ok(loaded) => ids
            .iter()
            .map(|id| (id.clone(), why(loaded.recordings.get(id))))
            .collect(),
        Err(_) => ids.iter().map(|id| (id.clone(), None)).collect(),
    }
}
