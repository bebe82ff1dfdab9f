//! Deleting for good, in the order that loses nothing (see the parent module): marks,
//! reads, videos and links, items last; and finishing what a caller abandoned.

use std::collections::HashSet;

use futures_util::future::join;

use super::{DeleteFailure, Deleter};
use crate::error::ApiError;
use crate::events::{Events, RecordingEvent};
use crate::model::{Deletion, Recording, RecordingId};
use crate::store::{MarkScope, StoredRecording, WriteOutcome};

/// Deletes `ids` for good, those within `scope`, and tells the integrations. Returns the
/// recordings deleted and why the others were not.
pub(crate) async fn delete_at_once(
    deleter: Deleter<'_>,
    ids: &[RecordingId],
    scope: MarkScope,
    deletion: Deletion,
    now_ms: i64,
) -> (Vec<RecordingId>, Vec<(RecordingId, DeleteFailure)>) {
    let mut failed = Vec::new();
    if ids.is_empty() {
        return (Vec::new(), failed);
    }
    let (mut marked, mut refused) = (Vec::new(), Vec::new());
    for (id, result) in deleter
        .store
        .mark_deleting(ids, scope, deletion, now_ms)
        .await
    {
        match result {
            WriteOutcome::Written => marked.push(id),
            // Absent, or not in a state that may be deleted: the read below tells which.
            WriteOutcome::ConditionFailed => refused.push(id),
            WriteOutcome::Unavailable => failed.push((id, DeleteFailure::Unavailable)),
        }
    }
    let all: Vec<RecordingId> = marked.iter().chain(&refused).cloned().collect();
    let mut read = match deleter.store.read_for_delete(&all, &marked).await {
        Ok(read) => read,
        Err(e) => {
            // The marked ones stay marked: a retry, or the sweeper, finishes them.
            tracing::warn!(error = %e, "reading recordings being deleted");
            failed.extend(all.into_iter().map(|id| (id, DeleteFailure::Unavailable)));
            return (Vec::new(), failed);
        }
    };
    for id in refused {
        // Deletable by now: whatever stood in the way a moment ago has changed.
        let failure = DeleteFailure::of(read.recordings.get(&id), scope)
            .unwrap_or(DeleteFailure::Unavailable);
        failed.push((id, failure));
    }
    let mut to_finish = Vec::new();
    for id in marked {
        match read.recordings.remove(&id) {
            Some(stored) => to_finish.push(stored),
            // Finished meanwhile by another delete of the same recording.
            None => failed.push((id, DeleteFailure::NotFound)),
        }
    }
    let (deleted, unfinished) = finish_marked(deleter, to_finish, &read.with_links).await;
    failed.extend(
        unfinished
            .into_iter()
            .map(|id| (id, DeleteFailure::Unavailable)),
    );
    publish_deleted(deleter.events, &deleted).await;
    let ids = deleted
        .into_iter()
        .map(|r| r.recording.recording_id)
        .collect();
    (ids, failed)
}

/// A delete not finished this long after it began was abandoned by its caller.
pub const ABANDONED_AFTER_MS: i64 = 5 * 60 * 1000;
/// Abandoned deletes finished per sweep: a bounded batch, the rest in the next run.
const ABANDONED_PER_SWEEP: i32 = 100;

/// Finishes deletes that began before `now_ms - ABANDONED_AFTER_MS` and were never
/// completed (their callers gave up after a failure). Returns the recordings deleted.
pub async fn finish_abandoned(
    deleter: Deleter<'_>,
    now_ms: i64,
) -> Result<Vec<Recording>, ApiError> {
    let abandoned = deleter
        .store
        .abandoned_deletes(now_ms - ABANDONED_AFTER_MS, ABANDONED_PER_SWEEP)
        .await?;
    let ids: Vec<RecordingId> = abandoned
        .iter()
        .map(|r| r.recording.recording_id.clone())
        .collect();
    let with_links = deleter.store.read_for_delete(&[], &ids).await?.with_links;
    let (deleted, unfinished) = finish_marked(deleter, abandoned, &with_links).await;
    for id in unfinished {
        tracing::warn!(recording = %id, "an abandoned delete is still unfinished");
    }
    publish_deleted(deleter.events, &deleted).await;
    Ok(deleted.into_iter().map(|r| r.recording).collect())
}

/// `recordingDeleted` for each recording deleted, saying how its delete came about.
async fn publish_deleted(events: &Events, deleted: &[StoredRecording]) {
    for deletion in Deletion::ALL {
        let recordings: Vec<Recording> = deleted
            .iter()
            .filter(|r| r.deletion.unwrap_or(Deletion::Permanent) == deletion)
            .map(|r| r.recording.clone())
            .collect();
        if !recordings.is_empty() {
            events
                .publish(RecordingEvent::Deleted(deletion), &recordings)
                .await;
        }
    }
}

/// Steps 3 and 4 for recordings marked and read, of which `with_links` have share links.
/// Returns the recordings deleted, and those still marked because a step failed.
async fn finish_marked(
    Deleter { store, media, .. }: Deleter<'_>,
    marked: Vec<StoredRecording>,
    with_links: &HashSet<RecordingId>,
) -> (Vec<StoredRecording>, Vec<RecordingId>) {
    // The videos and the links go concurrently: a marked recording is neither listed nor
    // served, so neither needs the other gone first. Its item goes last.
    let keys: Vec<String> = marked.iter().map(|r| r.s3_key.clone()).collect();
    let linked: Vec<RecordingId> = marked
        .iter()
        .map(|r| r.recording.recording_id.clone())
        .filter(|id| with_links.contains(id))
        .collect();
    let (undeleted_videos, links_left) = join(
        media.delete_objects(&keys),
        store.delete_share_partitions(&linked),
    )
    .await;
    let (gone, left): (Vec<_>, Vec<_>) = marked.into_iter().partition(|r| {
        !undeleted_videos.contains(&r.s3_key) && !links_left.contains(&r.recording.recording_id)
    });
    let mut unfinished: Vec<RecordingId> =
        left.into_iter().map(|r| r.recording.recording_id).collect();

    let items_left = store.delete_recording_items(&gone).await;
    let mut deleted = Vec::new();
    for stored in gone {
        if items_left.contains(&stored.recording.recording_id) {
            unfinished.push(stored.recording.recording_id);
        } else {
            deleted.push(stored);
        }
    }
    (deleted, unfinished)
}
