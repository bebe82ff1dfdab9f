//! Recordings to arrange tests with.

use shared::model::{Recording, RecordingId, RecordingStatus, RoomId};
use shared::store::Store;

pub const BASE_DATE: i64 = 1_764_000_000_000;

pub fn recording(room: &str, n: usize, status: RecordingStatus) -> Recording {
    let room_id = RoomId::parse(room).expect("valid room id");
    let id = RecordingId::new(&room_id, &format!("EG_t{n}"), &format!("u{n}"))
        .expect("valid recording id");
    Recording {
        filename: id.filename(),
        recording_id: id,
        room_id,
        room_name: format!("Room {room}"),
        status,
        // Distinct, increasing start dates: recording n is the n-th oldest.
        start_date: BASE_DATE + n as i64 * 60_000,
        end_date: Some(BASE_DATE + n as i64 * 60_000 + 30_000),
        duration: Some(30.0),
        size: Some(1000 + n as u64),
        error_code: None,
        error: None,
        details: None,
    }
}

pub async fn put_all(store: &Store, recordings: &[Recording]) {
    for r in recordings {
        store.put_recording(r).await.expect("recording stored");
    }
}
