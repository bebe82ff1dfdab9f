//! The product's data: rooms, recordings, share links, their identifiers and validation.

mod activity;
mod export;
mod ids;
mod principal;
mod recording;
mod room;
mod share;

pub use activity::{Activity, ActivityKind, Actor, ActorKind, Outcome};
pub use export::{Export, ExportEntry, ExportStatus, SkipReason, Skipped, export_owner};
pub use ids::{RecordingId, RoomId, filename, s3_key, uid_of_file};
pub use principal::{Principal, RecordingAccess, Role, RoomPolicy};
pub use recording::{
    ActedBy, Deletion, FieldSelection, LegalHold, Recording, RecordingStatus, Trash,
};
pub use room::{
    AutoDeletionPolicy, DEFAULT_TRASH_DAYS, MAX_RETENTION_DAYS, MAX_TRASH_DAYS,
    PENDING_LOCK_PREFIX, RecordingConfig, RecordingLock, Room, RoomConfig, RoomSecret, RoomSecrets,
    RoomStatus, SecretDigests, Toggle, WithMeeting, WithRecordings,
};
pub use share::{CreatorRole, ShareAccess, ShareLink};
