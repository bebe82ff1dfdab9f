//! Share links, kept in their recording's share partition with a counter of the live ones.
//! Every write is conditional on the item it changes still existing, so nothing here can
//! bring back what a delete removed.

use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Put, TransactWriteItem, Update};
use futures_util::future::join_all;

use super::items::{
    LINK_PREFIX, RecordingItem, RoomItem, SHARE_COUNT, SHARE_PREFIX, SHARE_TOMBSTONE_SECONDS,
    ShareItem, StoredRecording, share_item, share_pk, share_sk,
};
use super::{
    Item, Store, decode, encode, primary_key, recording_pk, room_pk, s, transaction_outcome,
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

/// How creating a link went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareCreated {
    Created,
    /// The recording is gone or being deleted.
    RecordingGone,
    /// The recording has as many live links as it may.
    AtCap,
}

/// How counting a view went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewCounted {
    Counted,
    /// Every view the link allows has been used.
    LimitReached,
    /// Revoked, or deleted with its recording, since it was read.
    Revoked,
}

fn key(pk: String, sk: &str) -> Item {
    let mut key = primary_key(pk);
    key.insert("SK".into(), s(sk));
    key
}

/// The counter of a recording's live links: it exists from the first link on, so a
/// partition holds links only while its counter exists.
pub(super) fn share_counter_key(id: &RecordingId) -> Item {
    key(share_pk(id), SHARE_COUNT)
}

fn number(n: i64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

fn built<T, E: std::error::Error + Send + Sync + 'static>(
    result: Result<T, E>,
) -> Result<T, AwsError> {
    result.map_err(|e| AwsError::Other(e.into()))
}

impl Store {
    /// The recording, its room and one of its share links, in one `BatchGetItem`.
    pub async fn load_share_opening(
        &self,
        id: &RecordingId,
        share_id: &str,
    ) -> Result<ShareOpening, AwsError> {
        let keys = [
            primary_key(recording_pk(id.as_str())),
            primary_key(room_pk(id.room_id().as_str())),
            key(share_pk(id), &share_sk(share_id)),
        ];
        let mut opening = ShareOpening {
            recording: None,
            room: None,
            link: None,
        };
        for item in self.batch_get(&keys).await? {
            match item.get("PK") {
                Some(AttributeValue::S(pk)) if pk.starts_with(SHARE_PREFIX) => {
                    opening.link = Some(decode::<ShareItem, _>(item)?);
                }
                Some(AttributeValue::S(pk)) if pk.starts_with("ROOM#") => {
                    opening.room = Some(decode::<RoomItem, _>(item)?);
                }
                _ => opening.recording = Some(decode::<RecordingItem, _>(item)?),
            }
        }
        Ok(opening)
    }

    /// Stores a share link, in one transaction that counts it among the recording's live
    /// links (at most `cap`) and holds only while the recording exists and is not being
    /// deleted. At the cap, links that expired since are taken off the count first.
    pub async fn create_share(
        &self,
        id: &RecordingId,
        link: &ShareLink,
        cap: u32,
        now_ms: i64,
    ) -> Result<ShareCreated, AwsError> {
        let created = self.try_create_share(id, link, cap).await?;
        if created != ShareCreated::AtCap || !self.recount_live_links(id, cap, now_ms).await? {
            return Ok(created);
        }
        self.try_create_share(id, link, cap).await
    }

    async fn try_create_share(
        &self,
        id: &RecordingId,
        link: &ShareLink,
        cap: u32,
    ) -> Result<ShareCreated, AwsError> {
        let recording_present = built(
            ConditionCheck::builder()
                .table_name(&self.table)
                .set_key(Some(primary_key(recording_pk(id.as_str()))))
                .condition_expression(
                    "attribute_exists(PK) AND attribute_not_exists(deleting) \
                     AND attribute_not_exists(trashedAt)",
                )
                .build(),
        )?;
        let counted = built(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(share_counter_key(id)))
                .update_expression("ADD live :one")
                .condition_expression("attribute_not_exists(live) OR live < :cap")
                .expression_attribute_values(":one", number(1))
                .expression_attribute_values(":cap", number(i64::from(cap)))
                .build(),
        )?;
        let put = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(encode(share_item(id, link))?))
                .condition_expression("attribute_not_exists(PK)")
                .build(),
        )?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(
                TransactWriteItem::builder()
                    .condition_check(recording_present)
                    .build(),
            )
            .transact_items(TransactWriteItem::builder().update(counted).build())
            .transact_items(TransactWriteItem::builder().put(put).build())
            .send()
            .await;
        Ok(match transaction_outcome(result, 3)? {
            None => ShareCreated::Created,
            Some(failed) if failed[0] => ShareCreated::RecordingGone,
            Some(failed) if failed[1] => ShareCreated::AtCap,
            // A share id taken already: 72 random bits make it a broken random source.
            Some(_) => return Err(AwsError::Other("a share id was drawn twice".into())),
        })
    }

    /// Sets the live-link counter to the links still live, if it has not changed
    /// meanwhile; `true` when that freed a place.
    async fn recount_live_links(
        &self,
        id: &RecordingId,
        cap: u32,
        now_ms: i64,
    ) -> Result<bool, AwsError> {
        let counter = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(share_counter_key(id)))
            .consistent_read(true)
            .send()
            .await?;
        let Some(AttributeValue::N(counted)) = counter.item.and_then(|mut i| i.remove("live"))
        else {
            return Ok(false);
        };
        let live = self
            .list_shares(id)
            .await?
            .iter()
            .filter(|l| l.is_live(now_ms))
            .count();
        let live = i64::try_from(live).unwrap_or(i64::MAX);
        if live >= i64::from(cap) {
            return Ok(false);
        }
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(share_counter_key(id)))
            .update_expression("SET live = :live")
            .condition_expression("live = :counted")
            .expression_attribute_values(":live", number(live))
            .expression_attribute_values(":counted", AttributeValue::N(counted))
            .send()
            .await;
        Ok(super::condition_held(result)?.is_some())
    }

    /// Every share link of a recording, revoked and expired ones included.
    pub async fn list_shares(&self, id: &RecordingId) -> Result<Vec<ShareLink>, AwsError> {
        self.links_of(id, None)
            .await?
            .into_iter()
            .map(decode::<ShareItem, _>)
            .collect()
    }

    /// The link items of a recording's share partition (only `projection`, if given).
    async fn links_of(
        &self,
        id: &RecordingId,
        projection: Option<&str>,
    ) -> Result<Vec<Item>, AwsError> {
        let items = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :link)")
            .expression_attribute_values(":pk", s(share_pk(id)))
            .expression_attribute_values(":link", s(LINK_PREFIX))
            .set_projection_expression(projection.map(str::to_owned))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await?;
        Ok(items)
    }

    /// Counts a view of a link, in one conditional `UpdateItem`: past its `maxViews` the
    /// write is refused, so concurrent views at the limit let exactly that many through.
    pub async fn count_view(
        &self,
        id: &RecordingId,
        link: &ShareLink,
    ) -> Result<ViewCounted, AwsError> {
        let mut condition = "attribute_exists(PK) AND attribute_not_exists(revokedAt)".to_owned();
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(share_pk(id), &share_sk(&link.share_id))))
            .update_expression("ADD #views :one")
            .expression_attribute_names("#views", "views")
            .expression_attribute_values(":one", number(1));
        if let Some(max) = link.max_views {
            condition.push_str(" AND (attribute_not_exists(#views) OR #views < :max)");
            update = update.expression_attribute_values(":max", number(i64::from(max)));
        }
        let result = update.condition_expression(condition).send().await;
        Ok(match super::condition_held(result)? {
            Some(_) => ViewCounted::Counted,
            None if link.max_views.is_some() => ViewCounted::LimitReached,
            None => ViewCounted::Revoked,
        })
    }

    /// Revokes a link, keeping its item a while so that opening it answers 410, and takes
    /// it off the live count; `false` when there is no such link.
    pub async fn revoke_share(
        &self,
        id: &RecordingId,
        share_id: &str,
        now_ms: i64,
    ) -> Result<bool, AwsError> {
        let link_key = key(share_pk(id), &share_sk(share_id));
        let revoke = built(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(link_key.clone()))
                .update_expression("SET revokedAt = :now, expiresAt = :purge")
                .condition_expression("attribute_exists(PK) AND attribute_not_exists(revokedAt)")
                .expression_attribute_values(":now", number(now_ms))
                .expression_attribute_values(
                    ":purge",
                    number(now_ms / 1000 + SHARE_TOMBSTONE_SECONDS),
                )
                .build(),
        )?;
        let uncount = built(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(share_counter_key(id)))
                .update_expression("ADD live :minus_one")
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_values(":minus_one", number(-1))
                .build(),
        )?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(revoke).build())
            .transact_items(TransactWriteItem::builder().update(uncount).build())
            .send()
            .await;
        if transaction_outcome(result, 2)?.is_none() {
            return Ok(true);
        }
        // Revoked already (revoking stays idempotent), or no such link.
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(link_key))
            .consistent_read(true)
            .send()
            .await?;
        Ok(out.item.is_some())
    }

    /// Revokes every live link of a recording: one query, then the revocations
    /// concurrently (at most the cap of them). Returns how many were revoked.
    pub async fn revoke_all_shares(
        &self,
        id: &RecordingId,
        now_ms: i64,
    ) -> Result<usize, AwsError> {
        let links = self.list_shares(id).await?;
        let revocations = links
            .iter()
            .filter(|l| l.revoked_at.is_none())
            .map(|l| self.revoke_share(id, &l.share_id, now_ms));
        let mut revoked = 0;
        for result in join_all(revocations).await {
            revoked += usize::from(result?);
        }
        Ok(revoked)
    }

    /// The keys of every item in the share partitions of `ids`, recordings known to have
    /// one (see [`share_counter_key`]): their links', each counter last.
    pub(super) async fn share_partition_keys(
        &self,
        ids: &[RecordingId],
    ) -> Result<Vec<(RecordingId, Vec<Item>)>, AwsError> {
        let queries = ids.iter().map(|id| self.links_of(id, Some("PK, SK")));
        let mut partitions = Vec::new();
        for (id, links) in ids.iter().zip(join_all(queries).await) {
            let mut keys = links?;
            keys.push(share_counter_key(id));
            partitions.push((id.clone(), keys));
        }
        Ok(partitions)
    }
}
