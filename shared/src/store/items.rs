//! The items as stored: the API's types plus their keys and internal attributes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::orders::{ListIndex, Orderable};
use super::{
    ALL_ROOMS, LIVE_RECORDINGS, META, RETAINED_ROOMS, ROOMS_DUE, TRASHED_RECORDINGS, date_sort_key,
    recording_pk, room_pk,
};
use crate::model::{Deletion, Recording, RecordingId, Room, ShareLink};

/// A recording as stored: the API's fields plus its keys and storage location. Its list
/// keys name the recycle bin's partitions while it is there, and are absent once a delete
/// has marked it, which takes it out of the lists.
#[derive(Serialize, Deserialize)]
pub(super) struct RecordingItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    /// The keys of every list index ([`ListIndex`]); written, never read back.
    #[serde(flatten, skip_deserializing)]
    list_keys: BTreeMap<String, String>,
    /// Only while the recording is not finished, the sweeper's index of live recordings;
    /// only while it is in the recycle bin, the purge's index by `purgeAt`.
    #[serde(rename = "GSI3PK", default, skip_serializing_if = "Option::is_none")]
    gsi3pk: Option<String>,
    #[serde(rename = "GSI3SK", default, skip_serializing_if = "Option::is_none")]
    gsi3sk: Option<String>,
    #[serde(rename = "s3Key")]
    s3_key: String,
    /// Set by the first step of a delete; such a recording is no longer listed or served.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    deleting: bool,
    /// Set with the mark: how the delete came about, for whoever finishes it to report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deletion: Option<Deletion>,
    /// The removal date retention last warned of (`note_retention_warning`).
    #[serde(
        rename = "retentionWarnedFor",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    retention_warned_for: Option<i64>,
    #[serde(flatten)]
    recording: Recording,
}

impl From<&Recording> for RecordingItem {
    fn from(r: &Recording) -> Self {
        let id = r.recording_id.as_str();
        let list_keys = ListIndex::keys_of(&Orderable::from(r), r.trash.is_some())
            .into_iter()
            .collect();
        let gsi3 = match (r.status.is_final(), &r.trash) {
            (false, _) => Some((LIVE_RECORDINGS, date_sort_key(r.start_date, id))),
            (true, Some(trash)) => Some((TRASHED_RECORDINGS, date_sort_key(trash.purge_at, id))),
            (true, None) => None,
        };
        let (gsi3pk, gsi3sk) = gsi3.map(|(pk, sk)| (pk.to_owned(), sk)).unzip();
        Self {
            pk: recording_pk(id),
            sk: META.to_owned(),
            list_keys,
            gsi3pk,
            gsi3sk,
            s3_key: r.recording_id.s3_key(),
            deleting: false,
            deletion: None,
            retention_warned_for: None,
            // Worked out when shown; never stored under the table's TTL attribute.
            recording: Recording {
                expires_at: None,
                ..r.clone()
            },
        }
    }
}

/// A recording with the state only deletes care about.
#[derive(Debug, Clone)]
pub struct StoredRecording {
    pub recording: Recording,
    pub s3_key: String,
    pub deleting: bool,
    pub deletion: Option<Deletion>,
    /// The removal date retention last warned of.
    pub retention_warned_for: Option<i64>,
}

impl StoredRecording {
    /// Being deleted, or in the recycle bin: no read, list or change sees it.
    pub fn is_gone(&self) -> bool {
        self.deleting || self.recording.trash.is_some()
    }
}

impl From<RecordingItem> for StoredRecording {
    fn from(item: RecordingItem) -> Self {
        Self {
            s3_key: item.s3_key,
            deleting: item.deleting,
            deletion: item.deletion,
            retention_warned_for: item.retention_warned_for,
            recording: item.recording,
        }
    }
}

impl From<RecordingItem> for Recording {
    fn from(item: RecordingItem) -> Self {
        item.recording
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct RoomItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "GSI1PK")]
    gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    gsi1sk: String,
    /// Only while the room has a retention: the retention job's index of such rooms.
    #[serde(rename = "GSI2PK", default, skip_serializing_if = "Option::is_none")]
    gsi2pk: Option<String>,
    #[serde(rename = "GSI2SK", default, skip_serializing_if = "Option::is_none")]
    gsi2sk: Option<String>,
    /// Only while the room is due to delete itself: the sweeper's index of such rooms.
    #[serde(rename = "GSI3PK", default, skip_serializing_if = "Option::is_none")]
    gsi3pk: Option<String>,
    #[serde(rename = "GSI3SK", default, skip_serializing_if = "Option::is_none")]
    gsi3sk: Option<String>,
    #[serde(flatten)]
    room: Room,
}

impl From<&Room> for RoomItem {
    fn from(r: &Room) -> Self {
        let id = r.room_id.as_str();
        let retained = r.config.recording.retention_days.is_some();
        let due = r.auto_deletion_date;
        Self {
            pk: room_pk(id),
            sk: META.to_owned(),
            gsi1pk: ALL_ROOMS.to_owned(),
            gsi1sk: date_sort_key(r.creation_date, id),
            gsi2pk: retained.then(|| RETAINED_ROOMS.to_owned()),
            gsi2sk: retained.then(|| id.to_owned()),
            gsi3pk: due.map(|_| ROOMS_DUE.to_owned()),
            gsi3sk: due.map(|at| date_sort_key(at, id)),
            room: r.clone(),
        }
    }
}

impl From<RoomItem> for Room {
    fn from(item: RoomItem) -> Self {
        item.room
    }
}

/// A share link as stored, in its recording's share partition.
#[derive(Serialize, Deserialize)]
pub(super) struct ShareItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    /// When DynamoDB's TTL may remove the item (epoch seconds): a while after the link
    /// stops working, so that opening it says why until then.
    #[serde(rename = "expiresAt", default, skip_serializing_if = "Option::is_none")]
    purge_at: Option<i64>,
    #[serde(flatten)]
    link: ShareLink,
}

impl From<ShareItem> for ShareLink {
    fn from(item: ShareItem) -> Self {
        item.link
    }
}

/// The partition of a recording's share links and their counter: its own, so that what
/// writes links can be kept from writing recordings (`dynamodb:LeadingKeys`).
pub(super) fn share_pk(recording: &RecordingId) -> String {
    format!("{SHARE_PREFIX}{recording}")
}

pub(super) const SHARE_PREFIX: &str = "SHARE#";

pub(super) fn share_sk(share_id: &str) -> String {
    format!("{LINK_PREFIX}{share_id}")
}

pub(super) const LINK_PREFIX: &str = "LINK#";

/// The sort key of the counter of a recording's live links.
pub(super) const SHARE_COUNT: &str = "COUNT";

/// How long an expired or revoked link's item is kept, to answer 410 rather than 404.
pub(super) const SHARE_TOMBSTONE_SECONDS: i64 = 30 * 24 * 60 * 60;

pub(super) fn share_item(recording: &RecordingId, link: &ShareLink) -> ShareItem {
    let ended = match (link.revoked_at, link.link_expires_at) {
        (Some(revoked), _) => Some(revoked),
        (None, expires) => expires,
    };
    ShareItem {
        pk: share_pk(recording),
        sk: share_sk(&link.share_id),
        purge_at: ended.map(|ms| ms / 1000 + SHARE_TOMBSTONE_SECONDS),
        link: link.clone(),
    }
}

/// The claim of one video file by one recording, made when the recording is first stored,
/// and its tombstone once the recording is being deleted: the media server's events about
/// that file are then refused, however late they come.
#[derive(Serialize, Deserialize)]
pub(super) struct VideoItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "recordingId")]
    pub(super) recording_id: String,
    /// When the recording's delete began (epoch ms).
    #[serde(rename = "deletedAt", default, skip_serializing_if = "Option::is_none")]
    pub(super) deleted_at: Option<i64>,
    /// DynamoDB's TTL (epoch seconds): only tombstones expire.
    #[serde(rename = "expiresAt", default, skip_serializing_if = "Option::is_none")]
    purge_at: Option<i64>,
}

pub(super) fn video_pk(s3_key: &str) -> String {
    format!("VIDEO#{s3_key}")
}

/// How long a tombstone outlives the start of its recording's delete: far longer than any
/// egress runs or LiveKit retries a webhook (and than the webhooks' freshness window).
pub(super) const VIDEO_TOMBSTONE_SECONDS: i64 = 30 * 24 * 60 * 60;

impl VideoItem {
    pub(super) fn claim(recording: &RecordingId) -> Self {
        Self {
            pk: video_pk(&recording.s3_key()),
            sk: META.to_owned(),
            recording_id: recording.as_str().to_owned(),
            deleted_at: None,
            purge_at: None,
        }
    }

    pub(super) fn tombstone(recording: &RecordingId, now_ms: i64) -> Self {
        Self {
            deleted_at: Some(now_ms),
            purge_at: Some(now_ms / 1000 + VIDEO_TOMBSTONE_SECONDS),
            ..Self::claim(recording)
        }
    }
}
