//! Attempt counters for throttling, removed by DynamoDB's TTL after their window. Every
//! write is conditional: concurrent attempts each count, and none overwrites another's.

use aws_sdk_dynamodb::types::AttributeValue;

use super::{Item, Store, condition_held, primary_key};
use crate::aws::AwsError;

/// How reserving an attempt went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Counted; the attempt may go ahead.
    Reserved,
    /// The window already holds the most attempts allowed; it ends then (epoch seconds).
    Refused { window_ends: i64 },
}

/// Two conditional writes can each lose a race with a concurrent window change; that many
/// rounds settle any burst (each round that loses saw another attempt succeed).
const RESERVE_ROUNDS: usize = 4;

fn throttle_key(key: &str) -> Item {
    primary_key(format!("THROTTLE#{key}"))
}

fn number(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

impl Store {
    /// Counts one attempt in `key`'s current window, before the credential is checked, if
    /// the window holds fewer than `limit`; starts a window of `window_seconds` when there
    /// is none or it has ended.
    pub async fn reserve_attempt(
        &self,
        key: &str,
        now: i64,
        window_seconds: i64,
        limit: u32,
    ) -> Result<Reservation, AwsError> {
        for _ in 0..RESERVE_ROUNDS {
            // The usual case first: no window yet, or an old one.
            let started = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(throttle_key(key)))
                .update_expression("SET attempts = :one, expiresAt = :ends")
                .condition_expression("attribute_not_exists(PK) OR expiresAt <= :now")
                .expression_attribute_values(":one", number(1))
                .expression_attribute_values(":ends", number(now + window_seconds))
                .expression_attribute_values(":now", number(now))
                .send()
                .await;
            if condition_held(started)?.is_some() {
                return Ok(Reservation::Reserved);
            }
            let counted = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(throttle_key(key)))
                .update_expression("ADD attempts :one")
                .condition_expression("expiresAt > :now AND attempts < :limit")
                .expression_attribute_values(":one", number(1))
                .expression_attribute_values(":now", number(now))
                .expression_attribute_values(":limit", number(i64::from(limit)))
                .send()
                .await;
            if condition_held(counted)?.is_some() {
                return Ok(Reservation::Reserved);
            }
            if let Some(window_ends) = self.full_window(key, now, limit).await? {
                return Ok(Reservation::Refused { window_ends });
            }
        }
        Err(AwsError::Unavailable(
            "the attempt counter kept changing under concurrent attempts".into(),
        ))
    }

    /// When `key`'s window is current and full: when it ends.
    async fn full_window(&self, key: &str, now: i64, limit: u32) -> Result<Option<i64>, AwsError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(throttle_key(key)))
            .consistent_read(true)
            .send()
            .await?;
        let read = |item: &Item, name: &str| match item.get(name) {
            Some(AttributeValue::N(n)) => n.parse::<i64>().ok(),
            _ => None,
        };
        Ok(out.item.and_then(|item| {
            let ends = read(&item, "expiresAt").filter(|ends| *ends > now)?;
            (read(&item, "attempts")? >= i64::from(limit)).then_some(ends)
        }))
    }

    /// Forgets `key`'s attempts.
    pub async fn clear_attempts(&self, key: &str) -> Result<(), AwsError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(throttle_key(key)))
            .send()
            .await?;
        Ok(())
    }
}
