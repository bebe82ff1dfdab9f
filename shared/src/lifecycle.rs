//! A recording's life: started and stopped through LiveKit's egress by those who may
//! record, moved forward by the egress's webhooks, and aborted by the sweeper when stuck.
//! Every change is published as an event once stored.

use std::time::Duration;

use serde::Serialize;

use crate::access::authorized_recording;
use crate::app::App;
use crate::crypto;
use crate::error::{ApiError, Category};
use crate::events::RecordingEvent;
use crate::livekit::{LiveKitError, S3Upload, WebhookEvent};
use crate::model::{self, Recording, RecordingId, RecordingLock, RecordingStatus, Room, RoomId};
use crate::permissions::{Action, Principal, authorize};
use crate::store::{Applied, Progress, Store};

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn already(message: String) -> ApiError {
    ApiError::Conflict {
        category: Category::Recording,
        message,
    }
}

fn refused(err: LiveKitError) -> ApiError {
    match err {
        LiveKitError::Unavailable(_) => ApiError::Unavailable(err.into()),
        LiveKitError::Refused { status, message } => {
            tracing::warn!(status, message = %message, "the media server refused");
            already("The media server refused the request".to_owned())
        }
    }
}

/// `POST /recordings`: one recording at a time per room, held by a lock on the room that
/// a conditional write takes; released if the media server does not start.
pub async fn start(
    app: &App,
    principal: &Principal,
    room_id: &RoomId,
    now: i64,
) -> Result<Recording, ApiError> {
    let egress = app.egress()?;
    let room = app.store.get_room(room_id).await?;
    authorize(principal, Action::ControlRecording, room.as_ref())?;
    let room = room.ok_or_else(|| ApiError::room_not_found(room_id.as_str()))?;
    let stale = app.config.stale;
    let uid = crypto::random_alphanumeric(10);
    let holder = format!("{}{uid}", model::PENDING_LOCK_PREFIX);
    let locked = app
        .store
        .lock_room_recording(room_id, &holder, now, now + millis(stale.starting))
        .await?;
    if !locked {
        return Err(already(format!(
            "Room '{room_id}' is already being recorded"
        )));
    }
    let upload = S3Upload {
        bucket: app.config.bucket_name.clone(),
        region: app.config.region.clone(),
        endpoint: app.config.egress_s3_endpoint.clone(),
        force_path_style: app.config.s3_force_path_style,
    };
    let key = model::s3_key(room_id, &uid);
    let info = match egress
        .start_room_composite(room_id, &key, &upload, now / 1000)
        .await
    {
        Ok(info) => info,
        Err(err) => {
            app.store.unlock_room_recording(room_id, &holder).await?;
            return Err(refused(err));
        }
    };
    let id = RecordingId::new(room_id, &info.egress_id, &uid).map_err(|reason| {
        ApiError::Internal(format!("the egress id '{}' {reason}", info.egress_id).into())
    })?;
    let status = info
        .status
        .to_recording_status()
        .filter(|s| !s.is_final())
        .unwrap_or(RecordingStatus::Starting);
    let recording = Recording {
        filename: id.filename(),
        recording_id: id,
        room_id: room_id.clone(),
        room_name: room.room_name,
        title: None,
        status,
        start_date: now,
        end_date: None,
        duration: None,
        size: None,
        error_code: None,
        error: None,
        details: None,
        trash: None,
        legal_hold: None,
        expires_at: None,
    };
    // Should this fail, the egress still runs and its webhooks create the recording.
    let lock_until = now + millis(stale.active) + millis(stale.ending);
    app.store
        .store_started_recording(&recording, &holder, lock_until)
        .await?;
    app.events()
        .publish(RecordingEvent::Started, std::slice::from_ref(&recording))
        .await;
    Ok(recording)
}

/// The recording running in a room, as the room's read shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrentRecording {
    /// None while a start request waits for the media server.
    pub recording_id: Option<RecordingId>,
    pub status: RecordingStatus,
    pub start_date: Option<i64>,
}

/// What runs in `room` at `now_ms`, from the room's lock: one more read while a recording
/// holds it, none otherwise.
pub async fn current_recording(
    store: &Store,
    room: &Room,
    now_ms: i64,
) -> Result<Option<CurrentRecording>, ApiError> {
    let holder = match room.recording_lock(now_ms) {
        RecordingLock::Free => return Ok(None),
        RecordingLock::Starting => {
            return Ok(Some(CurrentRecording {
                recording_id: None,
                status: RecordingStatus::Starting,
                start_date: None,
            }));
        }
        RecordingLock::Held(holder) => holder,
    };
    let Ok(id) = RecordingId::parse(holder) else {
        return Ok(None);
    };
    let recording = store.get_recording(&id).await?;
    Ok(recording
        .filter(|r| !r.status.is_final())
        .map(|r| CurrentRecording {
            recording_id: Some(r.recording_id),
            status: r.status,
            start_date: Some(r.start_date),
        }))
}

/// `POST /recordings/{id}/stop`: marks the recording `ending` and asks the egress to stop;
/// if the egress cannot be told, the recording goes back to what it was.
pub async fn stop(
    app: &App,
    principal: &Principal,
    id: &RecordingId,
    now: i64,
) -> Result<Recording, ApiError> {
    let egress = app.egress()?;
    let recording =
        authorized_recording(&app.store, principal, id, Action::ControlRecording).await?;
    let stopped_already = || already(format!("Recording '{id}' is already stopped"));
    if recording.status.rank() >= RecordingStatus::Ending.rank() {
        return Err(stopped_already());
    }
    let ending = app
        .store
        .transition(id, &[recording.status], RecordingStatus::Ending, now)
        .await?
        .ok_or_else(stopped_already)?;
    if let Err(err) = egress.stop(id.room_id(), id.egress_id(), now / 1000).await {
        app.store
            .transition(id, &[RecordingStatus::Ending], recording.status, now)
            .await?;
        return Err(refused(err));
    }
    Ok(ending)
}

/// What happened to a recording when a recording ends, however it ends: the room is free
/// again, and integrations hear of it.
async fn ended(app: &App, recording: &Recording) -> Result<(), ApiError> {
    app.store
        .unlock_room_recording(&recording.room_id, recording.recording_id.as_str())
        .await?;
    app.events()
        .publish(RecordingEvent::Ended, std::slice::from_ref(recording))
        .await;
    Ok(())
}

/// Applies a verified egress webhook; `None` for events about other things, or about
/// files this backend did not ask for, which are acknowledged and ignored. A deleted
/// recording stays deleted: when its egress still reports a finished file, the file is
/// deleted too.
pub async fn apply_webhook(
    app: &App,
    event: &WebhookEvent,
    now: i64,
) -> Result<Option<Applied>, ApiError> {
    let Some(info) = event
        .egress_info
        .as_ref()
        .filter(|_| event.event.starts_with("egress_"))
    else {
        return Ok(None);
    };
    let (Some(status), Ok(room_id)) = (
        info.status.to_recording_status(),
        RoomId::parse(&info.room_name),
    ) else {
        return Ok(None);
    };
    let uid = info
        .filepath()
        .and_then(|path| model::uid_of_file(&room_id, path));
    let Some(id) = uid.and_then(|uid| RecordingId::new(&room_id, &info.egress_id, &uid).ok())
    else {
        tracing::info!(egress = %info.egress_id, "webhook for an egress this backend did not start");
        return Ok(None);
    };
    let room_name = app
        .store
        .get_room(&room_id)
        .await?
        .map_or_else(|| room_id.to_string(), |r| r.room_name);
    let nanos_to_millis = |ns: i64| (ns > 0).then_some(ns / 1_000_000);
    let file = info.file_results.first();
    let progress = Progress {
        recording_id: id,
        room_name,
        status,
        start_date: nanos_to_millis(info.started_at).unwrap_or(now),
        end_date: nanos_to_millis(info.ended_at),
        duration: file
            .filter(|f| f.duration > 0)
            .map(|f| f.duration as f64 / 1e9),
        size: file
            .and_then(|f| u64::try_from(f.size).ok())
            .filter(|s| *s > 0),
        error: Some(info.error.clone()).filter(|e| !e.is_empty()),
        error_code: Some(info.error_code).filter(|c| *c != 0),
        details: Some(info.details.clone()).filter(|d| !d.is_empty()),
    };
    let id = progress.recording_id.clone();
    let applied = app.store.apply_progress(&progress, &event.id, now).await?;
    match &applied {
        Applied::Written(recording) if recording.status.is_final() => {
            ended(app, recording).await?;
        }
        Applied::Deleted if status.is_final() => {
            if !app.media().delete_objects(&[id.s3_key()]).await.is_empty() {
                // Answered as a failure so that LiveKit delivers the event again.
                return Err(ApiError::Unavailable(
                    format!("deleting the late video of deleted recording '{id}'").into(),
                ));
            }
            tracing::info!(recording = %id, "deleted the video a deleted recording's egress uploaded late");
        }
        Applied::Aliased => {
            tracing::warn!(recording = %id, "refused a webhook for a video another recording claims");
        }
        _ => {}
    }
    Ok(Some(applied))
}

/// Aborts recordings stuck in `starting`, `active` or `ending` longer than the limits
/// allow (counted from their start), so that they can be deleted; asks the egress to stop
/// any that may still run. Returns the recordings aborted.
pub async fn sweep(app: &App, now: i64) -> Result<Vec<Recording>, ApiError> {
    let stale = app.config.stale;
    let mut aborted = Vec::new();
    for recording in app.store.live_recordings().await? {
        let limit = match recording.status {
            RecordingStatus::Starting => stale.starting,
            RecordingStatus::Active => stale.active,
            _ => stale.active + stale.ending,
        };
        if now - recording.start_date <= millis(limit) {
            continue;
        }
        let id = &recording.recording_id;
        let Some(done) = app
            .store
            .transition(id, &[recording.status], RecordingStatus::Aborted, now)
            .await?
        else {
            continue;
        };
        if let Ok(egress) = app.egress()
            && let Err(err) = egress.stop(id.room_id(), id.egress_id(), now / 1000).await
        {
            tracing::info!(recording = %id, error = %err, "could not stop a stale egress");
        }
        ended(app, &done).await?;
        aborted.push(done);
    }
    Ok(aborted)
}
