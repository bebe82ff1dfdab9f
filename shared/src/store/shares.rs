//! Share links, kept under their recording's partition.

use aws_sdk_dynamodb::types::{
    AttributeValue, Put, PutRequest, TransactWriteItem, Update, WriteRequest,
};
use futures_util::future::join_all;

use super::items::{
    RecordingItem, RoomItem, SHARE_TOMBSTONE_SECONDS, ShareItem, StoredRecording, share_item,
    share_sk,
};
use super::{
    BATCH_WRITE_ITEMS, Store, condition_held, decode, encode, primary_key, recording_pk, room_pk, s,
};
use crate::aws::AwsError;
use crate::model::{RecordingId, Room, ShareLink};

/// What opening a share link reads, in one round trip.
#[derive(Debug)]
pub struct ShareOpening {
    pub recording: Option<StoredRecording>,
    pub room: Option<Room>,
    pub link: Option<ShareLink>,
}

impl Store {
    /// The recording, its room and one of its share links, in one `BatchGetItem`.
    pub async fn load_share_opening(
        &self,
        id: &RecordingId,
        share_id: &str,
    ) -> Result<ShareOpening, AwsError> {
        let pk = recording_pk(id.as_str());
        let mut share_key = primary_key(pk.clone());
        share_key.insert("SK".into(), s(share_sk(share_id)));
        let keys = [
            primary_key(pk),
            primary_key(room_pk(id.room_id().as_str())),
            share_key,
        ];
        let mut opening = ShareOpening {
            recording: None,
            room: None,
            link: None,
        };
        for item in self.batch_get(&keys).await? {
            let sk = match item.get("SK") {
                Some(AttributeValue::S(sk)) => sk.clone(),
                _ => String::new(),
            };
            let is_room =
                matches!(item.get("PK"), Some(AttributeValue::S(pk)) if pk.starts_with("ROOM#"));
            if sk.starts_with("SHARE#") {
                opening.link = Some(decode::<ShareItem, _>(item)?);
            } else if is_room {
                opening.room = Some(decode::<RoomItem, _>(item)?);
            } else {
                opening.recording = Some(decode::<RecordingItem, _>(item)?);
            }
        }
        Ok(opening)
    }

    /// Stores a share link and lists it on its recording, atomically, and only while the
    /// recording exists and is not being deleted; `false` otherwise.
    pub async fn create_share(&self, id: &RecordingId, link: &ShareLink) -> Result<bool, AwsError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(encode(share_item(id, link))?))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(|e| AwsError::Other(e.to_string()))?;
        let listed = Update::builder()
            .table_name(&self.table)
            .set_key(Some(primary_key(recording_pk(id.as_str()))))
            .update_expression("ADD shareIds :share")
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(deleting)")
            .expression_attribute_values(
                ":share",
                AttributeValue::Ss(vec![share_sk(&link.share_id)]),
            )
            .build()
            .map_err(|e| AwsError::Other(e.to_string()))?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().update(listed).build())
            .send()
            .await;
        Ok(condition_held(result)?.is_some())
    }

    /// Every share link of a recording, revoked ones included.
    pub async fn list_shares(&self, id: &RecordingId) -> Result<Vec<ShareLink>, AwsError> {
        let mut links = Vec::new();
        let mut start_key = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :share)")
                .expression_attribute_values(":pk", s(recording_pk(id.as_str())))
                .expression_attribute_values(":share", s("SHARE#"))
                .consistent_read(true)
                .set_exclusive_start_key(start_key)
                .send()
                .await?;
            for item in out.items.unwrap_or_default() {
                links.push(decode::<ShareItem, _>(item)?);
            }
            match out.last_evaluated_key {
                Some(key) => start_key = Some(key),
                None => return Ok(links),
            }
        }
    }

    /// Revokes a link, keeping its item a while so that opening it answers 410; `false`
    /// when there is no such link.
    pub async fn revoke_share(
        &self,
        id: &RecordingId,
        share_id: &str,
        now_ms: i64,
    ) -> Result<bool, AwsError> {
        let mut key = primary_key(recording_pk(id.as_str()));
        key.insert("SK".into(), s(share_sk(share_id)));
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression("SET revokedAt = if_not_exists(revokedAt, :now), expiresAt = :purge")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":now", AttributeValue::N(now_ms.to_string()))
            .expression_attribute_values(
                ":purge",
                AttributeValue::N((now_ms / 1000 + SHARE_TOMBSTONE_SECONDS).to_string()),
            )
            .send()
            .await;
        Ok(condition_held(result)?.is_some())
    }

    /// Revokes every link of a recording that is not revoked yet: one query, then the
    /// revoked items written back 25 a call. Returns how many were revoked.
    pub async fn revoke_all_shares(
        &self,
        id: &RecordingId,
        now_ms: i64,
    ) -> Result<usize, AwsError> {
        let live: Vec<ShareLink> = self
            .list_shares(id)
            .await?
            .into_iter()
            .filter(|l| l.revoked_at.is_none())
            .map(|mut l| {
                l.revoked_at = Some(now_ms);
                l
            })
            .collect();
        let requests: Vec<WriteRequest> = live
            .iter()
            .map(|link| {
                let item = encode(share_item(id, link))?;
                PutRequest::builder()
                    .set_item(Some(item))
                    .build()
                    .map(|p| WriteRequest::builder().put_request(p).build())
                    .map_err(|e| AwsError::Other(e.to_string()))
            })
            .collect::<Result<_, _>>()?;
        let calls = requests
            .chunks(BATCH_WRITE_ITEMS)
            .map(|c| self.batch_write(c.to_vec()));
        for result in join_all(calls).await {
            result?;
        }
        Ok(live.len())
    }
}
