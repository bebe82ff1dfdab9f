//! Recordings: single and batched reads, and list pages.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use futures_util::future::join_all;

use super::items::{RecordingItem, RoomItem, StoredRecording};
use super::{
    ALL_RECORDINGS, BATCH_GET_KEYS, IndexList, Item, Store, decode, encode, primary_key,
    recording_pk, room_pk,
};
use crate::aws::AwsError;
use crate::model::{Recording, RecordingId, Room, RoomId};
use crate::pagination::{ListQuery, Page};

/// Recordings and their rooms read together by id.
#[derive(Debug, Default)]
pub struct Loaded {
    pub recordings: HashMap<RecordingId, StoredRecording>,
    pub rooms: HashMap<RoomId, Room>,
}

impl Store {
    pub async fn put_recording(&self, recording: &Recording) -> Result<(), AwsError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(encode(RecordingItem::from(recording))?))
            .send()
            .await?;
        Ok(())
    }

    /// The recording as last written (a strongly consistent read).
    pub async fn get_recording(&self, id: &RecordingId) -> Result<Option<Recording>, AwsError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(recording_pk(id.as_str()))))
            .consistent_read(true)
            .send()
            .await?;
        out.item.map(decode::<RecordingItem, _>).transpose()
    }

    /// The recording and its room in one round trip (the id names the room). A recording
    /// being deleted is not returned.
    pub async fn get_recording_with_room(
        &self,
        id: &RecordingId,
    ) -> Result<(Option<Recording>, Option<Room>), AwsError> {
        let mut loaded = self
            .load_with_rooms(std::slice::from_ref(id), &[id.room_id()])
            .await?;
        let recording = loaded
            .recordings
            .remove(id)
            .filter(|r| !r.deleting)
            .map(|r| r.recording);
        Ok((recording, loaded.rooms.remove(id.room_id())))
    }

    /// Recordings and the given rooms, 100 keys a `BatchGetItem`, calls concurrent.
    pub async fn load_with_rooms(
        &self,
        ids: &[RecordingId],
        rooms: &[&RoomId],
    ) -> Result<Loaded, AwsError> {
        let mut keys: Vec<String> = ids.iter().map(|id| recording_pk(id.as_str())).collect();
        let mut rooms: Vec<String> = rooms.iter().map(|id| room_pk(id.as_str())).collect();
        rooms.sort();
        rooms.dedup();
        keys.extend(rooms);
        let keys: Vec<Item> = keys.into_iter().map(primary_key).collect();
        let calls = keys
            .chunks(BATCH_GET_KEYS)
            .map(|chunk| self.batch_get(chunk));
        let mut loaded = Loaded::default();
        for items in join_all(calls).await {
            for item in items? {
                let is_recording =
                    matches!(item.get("PK"), Some(AttributeValue::S(pk)) if pk.starts_with("REC#"));
                if is_recording {
                    let stored: StoredRecording = decode::<RecordingItem, _>(item)?;
                    loaded
                        .recordings
                        .insert(stored.recording.recording_id.clone(), stored);
                } else {
                    let room: Room = decode::<RoomItem, _>(item)?;
                    loaded.rooms.insert(room.room_id.clone(), room);
                }
            }
        }
        Ok(loaded)
    }

    /// One page of recordings, newest first unless asked otherwise. Without a `status`
    /// filter a page is one query; with one, queries continue until the page is full or
    /// the index ends, so sparse filters still return full pages.
    pub async fn list_recordings(&self, query: &ListQuery) -> Result<Page<Recording>, AwsError> {
        let partition = query
            .room_id
            .as_ref()
            .map_or_else(|| ALL_RECORDINGS.to_owned(), |r| room_pk(r.as_str()));
        let list = match query.room_id {
            Some(_) => IndexList {
                index: "GSI1",
                pk_attr: "GSI1PK",
                sk_attr: "GSI1SK",
                partition: &partition,
                table_pk: recording_pk,
            },
            None => IndexList {
                index: "GSI2",
                pk_attr: "GSI2PK",
                sk_attr: "GSI2SK",
                partition: &partition,
                table_pk: recording_pk,
            },
        };
        let filter = query.status.map(|s| ("status", s.as_str()));
        self.query_page::<RecordingItem, _>(
            list,
            query.max_items,
            query.sort,
            query.cursor.as_ref(),
            filter,
        )
        .await
    }
}
