//! Recordings: single and batched reads, and list pages.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::items::{RecordingItem, RoomItem, StoredRecording};
use super::orders::{ListPlan, Orderable};
use super::{
    IndexList, Item, Keep, Store, condition_held, decode, encode, primary_key, recording_pk,
    room_pk, s,
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

    /// Sets (or with `None` removes) the title alone, so that a report the media server
    /// writes meanwhile is never undone; `None` when the recording does not exist, is
    /// being deleted or is in the recycle bin.
    pub async fn set_recording_title(
        &self,
        id: &RecordingId,
        title: Option<&str>,
    ) -> Result<Option<Recording>, AwsError> {
        self.set_listed_attribute(id, "title", title.map(s)).await
    }

    /// Sets `attribute` of a listed recording (neither being deleted nor in the recycle
    /// bin) to `value`, or with `None` removes it, and nothing else; `None` when the
    /// recording is not listed.
    pub(super) async fn set_listed_attribute(
        &self,
        id: &RecordingId,
        attribute: &str,
        value: Option<AttributeValue>,
    ) -> Result<Option<Recording>, AwsError> {
        let request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(recording_pk(id.as_str()))))
            .condition_expression(
                "attribute_exists(PK) AND attribute_not_exists(deleting) \
                 AND attribute_not_exists(trashedAt)",
            )
            .expression_attribute_names("#attribute", attribute)
            .return_values(ReturnValue::AllNew);
        let request = match value {
            Some(value) => request
                .update_expression("SET #attribute = :value")
                .expression_attribute_values(":value", value),
            None => request.update_expression("REMOVE #attribute"),
        };
        condition_held(request.send().await)?
            .and_then(|out| out.attributes)
            .map(decode::<RecordingItem, _>)
            .transpose()
    }

    /// The recording and its room in one round trip (the id names the room). A recording
    /// being deleted, or in the recycle bin, is not returned.
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
            .filter(|r| !r.is_gone())
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
        let mut loaded = Loaded::default();
        for item in self.batch_get(&keys).await? {
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
        Ok(loaded)
    }

    /// One page of recordings, or of the recycle bin, in the order asked for. See
    /// [`ListPlan`] for the index each query reads and what one page costs.
    pub async fn list_recordings(&self, query: &ListQuery) -> Result<Page<Recording>, AwsError> {
        let plan = ListPlan::of(query);
        let room = query.room_id.as_ref().map_or("", RoomId::as_str);
        let list = IndexList {
            index: plan.index.name(),
            pk_attr: plan.index.pk_attr(),
            sk_attr: plan.index.sk_attr(),
            partitions: plan.index.partitions(room, query.trashed),
            key_range: plan.key_range,
            table_pk: recording_pk,
        };
        let matches = |r: &Recording| query.search.matches(r);
        let keep = if plan.served_by_keys {
            Keep::All
        } else {
            Keep::Matching(&matches)
        };
        self.query_page::<RecordingItem, Recording>(
            &list,
            (query.max_items, query.sort, query.cursor.as_ref()),
            keep,
            |r| plan.index.key(&Orderable::from(r), query.trashed).1,
        )
        .await
    }
}
