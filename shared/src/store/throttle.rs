//! Failed-attempt counters for throttling, removed by DynamoDB's TTL after their window.

use aws_sdk_dynamodb::types::AttributeValue;

use super::{Item, Store, condition_held, primary_key};
use crate::aws::AwsError;

/// Failed attempts from one source within the current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts {
    pub failures: u32,
    /// Epoch seconds at which the window, and the count, end.
    pub window_ends: i64,
}

impl Store {
    pub async fn failed_attempts(&self, key: &str) -> Result<Option<Attempts>, AwsError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(format!("THROTTLE#{key}"))))
            .consistent_read(true)
            .send()
            .await?;
        let number = |item: &Item, name: &str| match item.get(name) {
            Some(AttributeValue::N(n)) => n.parse::<i64>().ok(),
            _ => None,
        };
        Ok(out.item.and_then(|item| {
            Some(Attempts {
                failures: u32::try_from(number(&item, "failures")?).ok()?,
                window_ends: number(&item, "expiresAt")?,
            })
        }))
    }

    /// Counts one more failure in the current window, or starts a new window of
    /// `window_seconds` when there is none or it has ended.
    pub async fn record_failed_attempt(
        &self,
        key: &str,
        now: i64,
        window_seconds: i64,
    ) -> Result<(), AwsError> {
        let pk = format!("THROTTLE#{key}");
        let counted = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(pk.clone())))
            .update_expression("ADD failures :one")
            .condition_expression("expiresAt > :now")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
            .send()
            .await;
        if condition_held(counted)?.is_none() {
            let mut item = primary_key(pk);
            item.insert("failures".into(), AttributeValue::N("1".into()));
            item.insert(
                "expiresAt".into(),
                AttributeValue::N((now + window_seconds).to_string()),
            );
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .send()
                .await?;
        }
        Ok(())
    }

    pub async fn clear_failed_attempts(&self, key: &str) -> Result<(), AwsError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(primary_key(format!("THROTTLE#{key}"))))
            .send()
            .await?;
        Ok(())
    }
}
