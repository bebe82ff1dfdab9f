//! Rooms: creation, config changes, the room list, and the one-recording lock.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::items::RoomItem;
use super::{ALL_ROOMS, IndexList, Store, condition_held, decode, encode, primary_key, room_pk, s};
use crate::aws::AwsError;
use crate::model::{Room, RoomId};
use crate::pagination::{Page, RoomListQuery, SortOrder};
use crate::rooms::RecordingConfigPatch;

impl Store {
    /// Stores a new room unless one with its id exists; returns whether it was stored.
    pub async fn create_room(&self, room: &Room) -> Result<bool, AwsError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(encode(RoomItem::from(room))?))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        Ok(condition_held(result)?.is_some())
    }

    pub async fn get_room(&self, id: &RoomId) -> Result<Option<Room>, AwsError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(room_pk(id.as_str()))))
            .consistent_read(true)
            .send()
            .await?;
        out.item.map(decode::<RoomItem, _>).transpose()
    }

    /// One page of rooms, newest first.
    pub async fn list_rooms(&self, query: &RoomListQuery) -> Result<Page<Room>, AwsError> {
        let list = IndexList {
            index: "GSI1",
            pk_attr: "GSI1PK",
            sk_attr: "GSI1SK",
            partition: ALL_ROOMS,
            table_pk: room_pk,
        };
        self.query_page::<RoomItem, _>(
            list,
            query.max_items,
            SortOrder::Desc,
            query.cursor.as_ref(),
            None,
        )
        .await
    }

    /// Sets the fields of a room's recording config that `patch` names, atomically;
    /// `None` when the room does not exist.
    pub async fn update_recording_config(
        &self,
        id: &RoomId,
        patch: &RecordingConfigPatch,
    ) -> Result<Option<Room>, AwsError> {
        let mut sets = Vec::new();
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(room_pk(id.as_str()))))
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#config", "config")
            .expression_attribute_names("#recording", "recording")
            .return_values(ReturnValue::AllNew);
        if let Some(enabled) = patch.enabled {
            sets.push("#config.#recording.#enabled = :enabled");
            request = request
                .expression_attribute_names("#enabled", "enabled")
                .expression_attribute_values(":enabled", AttributeValue::Bool(enabled));
        }
        if let Some(access) = patch.allow_access_to {
            sets.push("#config.#recording.#access = :access");
            request = request
                .expression_attribute_names("#access", "allowAccessTo")
                .expression_attribute_values(":access", s(access.as_str()));
        }
        let result = request
            .update_expression(format!("SET {}", sets.join(", ")))
            .send()
            .await;
        condition_held(result)?
            .and_then(|out| out.attributes)
            .map(decode::<RoomItem, _>)
            .transpose()
    }

    /// Takes the room's one-recording-at-a-time lock for `holder` until `expires` (epoch
    /// ms), if the room exists and no unexpired lock is held; `false` otherwise.
    pub async fn lock_room_recording(
        &self,
        room: &RoomId,
        holder: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<bool, AwsError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(room_pk(room.as_str()))))
            .update_expression("SET activeRecording = :holder, activeUntil = :until")
            .condition_expression(
                "attribute_exists(PK) AND (attribute_not_exists(activeRecording) OR activeUntil < :now)",
            )
            .expression_attribute_values(":holder", s(holder))
            .expression_attribute_values(":until", AttributeValue::N(expires_ms.to_string()))
            .expression_attribute_values(":now", AttributeValue::N(now_ms.to_string()))
            .send()
            .await;
        Ok(condition_held(result)?.is_some())
    }

    /// Releases the room's lock if `holder` still has it.
    pub async fn unlock_room_recording(&self, room: &RoomId, holder: &str) -> Result<(), AwsError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(room_pk(room.as_str()))))
            .update_expression("REMOVE activeRecording, activeUntil")
            .condition_expression("activeRecording = :holder")
            .expression_attribute_values(":holder", s(holder))
            .send()
            .await;
        condition_held(result)?;
        Ok(())
    }
}
