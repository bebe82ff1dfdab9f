//! Rooms: creation, config changes, the room list, the one-recording lock, and the rooms'
//! secrets, kept apart from them.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, TransactWriteItem};
use serde::{Deserialize, Serialize};

use super::items::RoomItem;
use super::{
    ALL_ROOMS, IndexList, Keep, META, RETAINED_ROOMS, Store, condition_held, date_sort_key, decode,
    encode, primary_key, room_pk, s,
};
use crate::aws::AwsError;
use crate::model::{Room, RoomId, RoomSecrets};
use crate::pagination::{Page, RoomListQuery, SortOrder};
use crate::rooms::RecordingConfigPatch;

/// A room's plaintext secrets, in a partition of their own (`ROOMSECRET#<roomId>`) so that
/// `dynamodb:LeadingKeys` keeps every function but the rooms function from reading them;
/// with no index keys, no index query returns them either. The room item holds only their
/// digests.
#[derive(Serialize, Deserialize)]
struct RoomSecretsItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "roomId")]
    room_id: RoomId,
    #[serde(flatten)]
    secrets: RoomSecrets,
}

pub(super) fn room_secrets_pk(id: &RoomId) -> String {
    format!("ROOMSECRET#{id}")
}

impl Store {
    /// Stores a new room and its secrets unless a room with its id exists; returns whether
    /// they were stored.
    pub async fn create_room(&self, room: &Room, secrets: &RoomSecrets) -> Result<bool, AwsError> {
        let secrets = RoomSecretsItem {
            pk: room_secrets_pk(&room.room_id),
            sk: META.to_owned(),
            room_id: room.room_id.clone(),
            secrets: secrets.clone(),
        };
        let put = |item| {
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(PK)")
                .build()
                .map(|put| TransactWriteItem::builder().put(put).build())
                .map_err(|e| AwsError::Other(e.into()))
        };
        let result = self
            .client
            .transact_write_items()
            .transact_items(put(encode(RoomItem::from(room))?)?)
            .transact_items(put(encode(secrets)?)?)
            .send()
            .await;
        Ok(condition_held(result)?.is_some())
    }

    /// The room and its secrets, in one round trip; `None` when there is no such room.
    pub async fn get_room_with_secrets(
        &self,
        id: &RoomId,
    ) -> Result<Option<(Room, Option<RoomSecrets>)>, AwsError> {
        let keys = [
            primary_key(room_pk(id.as_str())),
            primary_key(room_secrets_pk(id)),
        ];
        let mut room = None;
        let mut secrets = None;
        for item in self.batch_get(&keys).await? {
            match item.get("PK") {
                Some(AttributeValue::S(pk)) if pk.starts_with("ROOMSECRET#") => {
                    secrets = Some(decode::<RoomSecretsItem, RoomSecretsItem>(item)?.secrets);
                }
                _ => room = Some(decode::<RoomItem, Room>(item)?),
            }
        }
        Ok(room.map(|room| (room, secrets)))
    }

    /// The secrets of the given rooms (a page of them), by room.
    pub async fn room_secrets(
        &self,
        ids: &[&RoomId],
    ) -> Result<HashMap<RoomId, RoomSecrets>, AwsError> {
        let keys: Vec<_> = ids
            .iter()
            .map(|id| primary_key(room_secrets_pk(id)))
            .collect();
        let mut secrets = HashMap::with_capacity(keys.len());
        for item in self.batch_get(&keys).await? {
            let item: RoomSecretsItem = decode::<RoomSecretsItem, _>(item)?;
            secrets.insert(item.room_id, item.secrets);
        }
        Ok(secrets)
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
            pk_attr: "GSI1PK".into(),
            sk_attr: "GSI1SK".into(),
            partitions: vec![ALL_ROOMS.to_owned()],
            key_range: None,
            table_pk: room_pk,
        };
        self.query_page::<RoomItem, Room>(
            &list,
            (query.max_items, SortOrder::Desc, query.cursor.as_ref()),
            Keep::All,
            |room| date_sort_key(room.creation_date, room.room_id.as_str()),
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
        if let Some(days) = patch.trash_days {
            sets.push("#config.#recording.#trash = :trash");
            request = request
                .expression_attribute_names("#trash", "trashDays")
                .expression_attribute_values(":trash", AttributeValue::N(days.to_string()));
        }
        // A room with a retention is in the retention job's index (GSI2), and only then.
        let mut removes = Vec::new();
        match patch.retention_days {
            None => {}
            Some(Some(days)) => {
                sets.push("#config.#recording.#retention = :retention, GSI2PK = :retained, GSI2SK = :room");
                request = request
                    .expression_attribute_names("#retention", "retentionDays")
                    .expression_attribute_values(":retention", AttributeValue::N(days.to_string()))
                    .expression_attribute_values(":retained", s(RETAINED_ROOMS))
                    .expression_attribute_values(":room", s(id.as_str()));
            }
            Some(None) => {
                removes.push("#config.#recording.#retention, GSI2PK, GSI2SK");
                request = request.expression_attribute_names("#retention", "retentionDays");
            }
        }
        let mut expression = String::new();
        if !sets.is_empty() {
            expression = format!("SET {}", sets.join(", "));
        }
        if !removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        let result = request.update_expression(expression).send().await;
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
            // A closed or closing room records no more, whatever a start read before.
            .condition_expression(
                "attribute_exists(PK) AND (attribute_not_exists(#status) OR #status = :open) \
                 AND (attribute_not_exists(activeRecording) OR activeUntil < :now)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":open", s("open"))
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
