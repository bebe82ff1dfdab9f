//! Recording and room ids as they arrive in paths and `recordingIds=` lists: parsing never
//! panics, and whatever parses takes itself apart and puts itself together again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::deletion::parse_bulk_ids;
use shared::model::{RecordingId, RoomId, filename, s3_key, uid_of_file};

fn room_rules_hold(s: &str) {
    let Ok(room) = RoomId::parse(s) else { return };
    assert_eq!(room.as_str(), s);
    assert!((1..=128).contains(&s.len()), "{s:?}");
    assert!(
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{s:?}"
    );
    assert!(
        !s.contains("--") && !s.starts_with('-') && !s.ends_with('-'),
        "{s:?}"
    );
}

fn recording_rules_hold(s: &str) {
    let Ok(id) = RecordingId::parse(s) else {
        return;
    };
    assert_eq!(id.as_str(), s);
    assert_eq!(id.to_string(), s);
    let (room, egress, uid) = (id.room_id().as_str(), id.egress_id(), id.uid());
    assert_eq!(format!("{room}--{egress}--{uid}"), s);
    assert!(RoomId::parse(room).is_ok(), "{s:?}");
    assert!(
        egress.starts_with("EG_") && egress.len() > 3 && egress.len() <= 64,
        "{s:?}"
    );
    assert!(!uid.is_empty() && uid.len() <= 64, "{s:?}");
    assert!(uid.bytes().all(|b| b.is_ascii_alphanumeric()), "{s:?}");
    // Rebuilt from its parts, it is the same id.
    let again = RecordingId::new(id.room_id(), egress, uid).expect("its own parts are valid");
    assert_eq!(again, id);
    // The video's key names the room and the uid, and gives the uid back.
    let key = id.s3_key();
    assert_eq!(key, s3_key(id.room_id(), uid));
    assert_eq!(key, format!("recordings/{room}/{}", id.filename()));
    assert_eq!(id.filename(), filename(id.room_id(), uid));
    assert_eq!(uid_of_file(id.room_id(), &key).as_deref(), Some(uid));
    // JSON round trip (the API and DynamoDB items carry ids as strings).
    let json = serde_json::to_string(&id).expect("serializes");
    let back: RecordingId = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, id);
}

fuzz_target!(|data: &[u8]| {
    let Some(s) = recordings_fuzz::text(data) else {
        return;
    };
    room_rules_hold(s);
    recording_rules_hold(s);
    // A generated room id is always a valid one, whatever the room's name.
    let generated = RoomId::generate(s);
    assert!(
        RoomId::parse(generated.as_str()).is_ok(),
        "{s:?} -> {generated}"
    );
    if let Ok(room) = RoomId::parse(s.split('/').next().unwrap_or_default()) {
        let _ = uid_of_file(&room, s);
    }
    // `recordingIds=a,b,c`, as API Gateway hands it over.
    let raw: Vec<String> = s.split(',').map(str::to_owned).collect();
    match parse_bulk_ids(&raw) {
        Err(err) => assert_eq!(err.status().as_u16(), 422, "{err:?}"),
        Ok(ids) => {
            assert!(!ids.is_empty() && ids.len() <= shared::deletion::MAX_BULK_IDS);
            for (i, id) in ids.iter().enumerate() {
                assert!(raw.iter().any(|r| r == id.as_str()));
                assert!(!ids[..i].contains(id), "duplicates collapse");
            }
        }
    }
});
