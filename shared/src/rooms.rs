//! Room request bodies, validated field by field.

use lambda_http::Request;

use crate::error::ApiError;
use crate::http::Fields;
use crate::model::{MAX_TRASH_DAYS, RecordingConfig, RoomConfig};
use crate::permissions::RecordingAccess;

pub const DEFAULT_ROOM_NAME: &str = "Room";
const MAX_ROOM_NAME_CHARS: usize = 128;

const ACCESS_VALUES: [(&str, RecordingAccess); 3] = [
    ("admin", RecordingAccess::Admin),
    ("admin_moderator", RecordingAccess::AdminModerator),
    (
        "admin_moderator_speaker",
        RecordingAccess::AdminModeratorSpeaker,
    ),
];

/// The fields of `config.recording` a request sets; the others keep their values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordingConfigPatch {
    pub enabled: Option<bool>,
    pub allow_access_to: Option<RecordingAccess>,
    pub trash_days: Option<u8>,
}

impl RecordingConfigPatch {
    pub fn is_empty(&self) -> bool {
        self.enabled.is_none() && self.allow_access_to.is_none() && self.trash_days.is_none()
    }

    pub fn apply(&self, to: RecordingConfig) -> RecordingConfig {
        RecordingConfig {
            enabled: self.enabled.unwrap_or(to.enabled),
            allow_access_to: self.allow_access_to.unwrap_or(to.allow_access_to),
            trash_days: self.trash_days.unwrap_or(to.trash_days),
        }
    }
}

/// `{"config": {"recording": {...}}}` inside `fields`, if present.
fn read_config(fields: &mut Fields) -> Option<RecordingConfigPatch> {
    let mut config = fields.object("config")?;
    let patch = config.object("recording").map(|mut recording| {
        let patch = RecordingConfigPatch {
            enabled: recording.bool("enabled"),
            allow_access_to: recording.one_of("allowAccessTo", &ACCESS_VALUES),
            trash_days: recording
                .integer_in("trashDays", 0..=i64::from(MAX_TRASH_DAYS))
                .and_then(|days| u8::try_from(days).ok()),
        };
        config.absorb(recording);
        patch
    });
    fields.absorb(config);
    patch
}

/// `POST /rooms`: `{"roomName": "...", "config": {"recording": {...}}}`, both optional.
pub struct CreateRoom {
    pub room_name: String,
    pub config: RoomConfig,
}

impl CreateRoom {
    pub fn parse(req: &Request) -> Result<Self, ApiError> {
        let mut fields = Fields::from_body(req)?;
        let room_name = fields.string("roomName", MAX_ROOM_NAME_CHARS);
        let patch = read_config(&mut fields).unwrap_or_default();
        fields.finish()?;
        Ok(Self {
            room_name: room_name.unwrap_or_else(|| DEFAULT_ROOM_NAME.to_owned()),
            config: RoomConfig {
                recording: patch.apply(RecordingConfig::default()),
            },
        })
    }
}

/// `PUT /rooms/{roomId}/config`: `{"config": {"recording": {...}}}` with at least one
/// field; fields left out keep their current values.
pub fn parse_config_update(req: &Request) -> Result<RecordingConfigPatch, ApiError> {
    let mut fields = Fields::from_body(req)?;
    let patch = read_config(&mut fields);
    fields.require("config.recording", patch.is_some_and(|p| !p.is_empty()));
    fields.finish()?;
    Ok(patch.unwrap_or_default())
}
