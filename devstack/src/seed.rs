//! Demo data: a few rooms with recordings in every status; finished ones have a real,
//! small MP4 in the bucket at the key the media server would write. Ids are fixed, so
//! seeding twice leaves the same data.

use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use shared::model::{
    Recording, RecordingAccess, RecordingConfig, RecordingId, RecordingStatus, Room, RoomConfig,
    RoomId, RoomSecrets,
};
use shared::store::Store;

/// The committed demo videos and their durations in seconds.
const VIDEOS: [(&[u8], f64); 3] = [
    (include_bytes!("../../infra/demo/demo-1.mp4"), 4.0),
    (include_bytes!("../../infra/demo/demo-2.mp4"), 6.0),
    (include_bytes!("../../infra/demo/demo-3.mp4"), 8.0),
];

/// (room id, name, recording access, number of recordings): one room per access level.
pub const ROOMS: [(&str, &str, RecordingAccess, usize); 3] = [
    (
        "daily-standup-x7k2m",
        "Daily standup",
        RecordingAccess::AdminModeratorSpeaker,
        14,
    ),
    (
        "design-review-p4q9z",
        "Design review",
        RecordingAccess::AdminModerator,
        7,
    ),
    ("all-hands-m3n8c", "All hands", RecordingAccess::Admin, 4),
];

/// 2025-11-26T20:46:40Z; recordings go back a day at a time from here.
const NEWEST_START: i64 = 1_764_190_000_000;
const DAY_MS: i64 = 86_400_000;

fn status_for(index: usize) -> RecordingStatus {
    match index % 7 {
        3 => RecordingStatus::Failed,
        5 => RecordingStatus::Aborted,
        _ if index == 0 => RecordingStatus::Active,
        _ => RecordingStatus::Complete,
    }
}

/// A demo recording and, when it is finished, its video.
pub type DemoRecording = (Recording, Option<&'static [u8]>);

pub fn demo_recordings() -> Result<Vec<DemoRecording>, String> {
    let mut out = Vec::new();
    for (room_index, (room, name, _, count)) in ROOMS.iter().enumerate() {
        let room_id = RoomId::parse(room)?;
        for i in 0..*count {
            let id = RecordingId::new(
                &room_id,
                &format!("EG_demo{room_index}{i:02}"),
                &format!("d{room_index}{i:02}a1b2c3"),
            )?;
            let status = status_for(i);
            let (video, duration) = VIDEOS[i % VIDEOS.len()];
            let start_date = NEWEST_START - (i as i64) * DAY_MS - (room_index as i64) * 3_600_000;
            let finished = status != RecordingStatus::Active;
            let has_video = status == RecordingStatus::Complete;
            out.push((
                Recording {
                    filename: id.filename(),
                    recording_id: id,
                    room_id: room_id.clone(),
                    room_name: (*name).to_owned(),
                    title: None,
                    status,
                    start_date,
                    end_date: finished.then_some(start_date + (duration * 1000.0) as i64),
                    duration: has_video.then_some(duration),
                    size: has_video.then_some(video.len() as u64),
                    error_code: (status == RecordingStatus::Failed).then_some(500),
                    error: (status == RecordingStatus::Failed)
                        .then(|| "Egress failed: media server unreachable".to_owned()),
                    details: finished.then(|| "Stopped using API".to_owned()),
                    trash: None,
                    legal_hold: None,
                    expires_at: None,
                },
                has_video.then_some(video),
            ));
        }
    }
    Ok(out)
}

/// The demo rooms as stored, with their secrets: created with fresh secrets the first time,
/// kept after that.
async fn seed_rooms(store: &Store) -> Result<Vec<(Room, Option<RoomSecrets>)>, String> {
    let mut rooms = Vec::new();
    for (index, (id, name, access, _)) in ROOMS.iter().enumerate() {
        let secrets = RoomSecrets::generate();
        let config = RoomConfig {
            recording: RecordingConfig {
                enabled: true,
                allow_access_to: *access,
                ..RecordingConfig::default()
            },
            ..RoomConfig::default()
        };
        let created = NEWEST_START - 30 * DAY_MS + index as i64;
        let room = Room {
            room_id: RoomId::parse(id)?,
            ..Room::new((*name).to_owned(), config, created, &secrets)
        };
        let failed = |e| format!("writing a demo room: {e}");
        if store.create_room(&room, &secrets).await.map_err(failed)? {
            rooms.push((room, Some(secrets)));
        } else {
            let stored = store
                .get_room_with_secrets(&room.room_id)
                .await
                .map_err(failed)?;
            rooms.push(stored.ok_or("a demo room vanished while seeding")?);
        }
    }
    Ok(rooms)
}

/// Loads the demo rooms and recordings; returns the rooms and their secrets.
pub async fn seed(
    store: &Store,
    s3: &aws_sdk_s3::Client,
    bucket: &str,
) -> Result<Vec<(Room, Option<RoomSecrets>)>, String> {
    let rooms = seed_rooms(store).await?;
    let recordings = demo_recordings()?;
    for (recording, video) in &recordings {
        if let Some(bytes) = video {
            s3.put_object()
                .bucket(bucket)
                .key(recording.recording_id.s3_key())
                .content_type("video/mp4")
                .body(ByteStream::from_static(bytes))
                .send()
                .await
                .map_err(|e| format!("uploading a demo video: {}", DisplayErrorContext(&e)))?;
        }
        store
            .put_recording(recording)
            .await
            .map_err(|e| format!("writing a demo recording: {e}"))?;
    }
    Ok(rooms)
}
