//! Room request bodies, validated field by field.

use lambda_http::Request;

use crate::error::ApiError;
use crate::http::Fields;
use crate::model::{
    AutoDeletionPolicy, MAX_RETENTION_DAYS, MAX_TRASH_DAYS, RecordingConfig, RoomConfig, Toggle,
    WithMeeting, WithRecordings,
};
use crate::permissions::RecordingAccess;

pub const DEFAULT_ROOM_NAME: &str = "Room";
/// The last instant a date may name: 9999-12-31, as the lists' date bounds.
const MAX_DATE_MS: i64 = 253_402_300_799_999;
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
    /// `Some(None)`: keep recordings forever again.
    pub retention_days: Option<Option<u16>>,
}

impl RecordingConfigPatch {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    pub fn apply(&self, to: RecordingConfig) -> RecordingConfig {
        RecordingConfig {
            enabled: self.enabled.unwrap_or(to.enabled),
            allow_access_to: self.allow_access_to.unwrap_or(to.allow_access_to),
            trash_days: self.trash_days.unwrap_or(to.trash_days),
            retention_days: self.retention_days.unwrap_or(to.retention_days),
        }
    }
}

/// `config.recording` inside `config`, if present.
fn read_recording_config(config: &mut Fields) -> Option<RecordingConfigPatch> {
    config.object("recording").map(|mut recording| {
        let patch = RecordingConfigPatch {
            enabled: recording.bool("enabled"),
            allow_access_to: recording.one_of("allowAccessTo", &ACCESS_VALUES),
            trash_days: recording
                .integer_in("trashDays", 0..=i64::from(MAX_TRASH_DAYS))
                .and_then(|days| u8::try_from(days).ok()),
            retention_days: recording
                .nullable_integer_in("retentionDays", 1..=i64::from(MAX_RETENTION_DAYS))
                .map(|days| days.and_then(|d| u16::try_from(d).ok())),
        };
        config.absorb(recording);
        patch
    })
}

/// `{"enabled": bool}` inside `config`, if present.
fn read_toggle(config: &mut Fields, name: &str) -> Option<Toggle> {
    let mut toggle = config.object(name)?;
    let enabled = toggle.bool("enabled");
    toggle.require("enabled", enabled.is_some());
    config.absorb(toggle);
    enabled.map(|enabled| Toggle { enabled })
}

const WITH_MEETING: [(&str, WithMeeting); 2] = [
    ("force", WithMeeting::Force),
    ("when_meeting_ends", WithMeeting::WhenMeetingEnds),
];
const WITH_RECORDINGS: [(&str, WithRecordings); 2] = [
    ("force", WithRecordings::Force),
    ("close", WithRecordings::Close),
];

/// The soonest a room may be set to delete itself: an hour ahead, as OpenVidu Meet asks.
const MIN_AUTO_DELETION_AHEAD_MS: i64 = 60 * 60 * 1000;

/// `POST /rooms`: `{"roomName", "config": {"recording", "chat", "virtualBackground"},
/// "autoDeletionDate", "autoDeletionPolicy"}`, all optional: OpenVidu Meet's fields.
pub struct CreateRoom {
    pub room_name: String,
    pub config: RoomConfig,
    pub auto_deletion_date: Option<i64>,
    pub auto_deletion_policy: Option<AutoDeletionPolicy>,
}

impl CreateRoom {
    pub fn parse(req: &Request, now_ms: i64) -> Result<Self, ApiError> {
        let mut fields = Fields::from_body(req)?;
        let room_name = fields.string("roomName", MAX_ROOM_NAME_CHARS);
        let mut config = RoomConfig::default();
        if let Some(mut given) = fields.object("config") {
            let patch = read_recording_config(&mut given).unwrap_or_default();
            config.recording = patch.apply(RecordingConfig::default());
            config.chat = read_toggle(&mut given, "chat");
            config.virtual_background = read_toggle(&mut given, "virtualBackground");
            fields.absorb(given);
        }
        let earliest = now_ms + MIN_AUTO_DELETION_AHEAD_MS;
        let mut auto_deletion_date = fields.integer("autoDeletionDate");
        if auto_deletion_date.is_some_and(|date| !(earliest..=MAX_DATE_MS).contains(&date)) {
            fields.invalid(
                "autoDeletionDate",
                "must be at least an hour ahead (epoch ms)",
            );
            auto_deletion_date = None;
        }
        let auto_deletion_policy = fields.object("autoDeletionPolicy").map(|mut policy| {
            let with_meeting = policy.one_of("withMeeting", &WITH_MEETING);
            let with_recordings = policy.one_of("withRecordings", &WITH_RECORDINGS);
            fields.absorb(policy);
            AutoDeletionPolicy {
                with_meeting: with_meeting.unwrap_or(WithMeeting::WhenMeetingEnds),
                with_recordings: with_recordings.unwrap_or(WithRecordings::Close),
            }
        });
        fields.finish()?;
        Ok(Self {
            room_name: room_name.unwrap_or_else(|| DEFAULT_ROOM_NAME.to_owned()),
            config,
            auto_deletion_date,
            // A date without a policy takes OpenVidu Meet's defaults.
            auto_deletion_policy: auto_deletion_date.map(|_| {
                auto_deletion_policy.unwrap_or(AutoDeletionPolicy {
                    with_meeting: WithMeeting::WhenMeetingEnds,
                    with_recordings: WithRecordings::Close,
                })
            }),
        })
    }
}

/// `PUT /rooms/{roomId}/config`: `{"config": {"recording": {...}}}` with at least one
/// field; fields left out keep their current values.
pub fn parse_config_update(req: &Request) -> Result<RecordingConfigPatch, ApiError> {
    let mut fields = Fields::from_body(req)?;
    let patch = fields.object("config").and_then(|mut config| {
        let patch = read_recording_config(&mut config);
        fields.absorb(config);
        patch
    });
    fields.require("config.recording", patch.is_some_and(|p| !p.is_empty()));
    fields.finish()?;
    Ok(patch.unwrap_or_default())
}
