//! Idempotent creation of the template's table and bucket on the emulators.

use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, ExpirationStatus,
    LifecycleExpiration, LifecycleRule, LifecycleRuleFilter,
};

use crate::template::{self, BucketSpec, TableSpec};

fn key_schema(elements: &[template::KeyElement]) -> Result<Vec<KeySchemaElement>, String> {
    elements
        .iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(&k.attribute_name)
                .key_type(KeyType::from(k.key_type.as_str()))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// Creates the table unless it exists with the template's indexes; returns whether it was
/// created. A table from before the template's indexes changed (an emulator left running)
/// is made again, since items written before would be missing from the new indexes.
pub async fn ensure_table(
    client: &aws_sdk_dynamodb::Client,
    name: &str,
    spec: &TableSpec,
) -> Result<bool, String> {
    if let Ok(existing) = client.describe_table().table_name(name).send().await {
        let mut has: Vec<&str> = existing
            .table()
            .map(|t| t.global_secondary_indexes())
            .unwrap_or_default()
            .iter()
            .filter_map(|g| g.index_name())
            .collect();
        let mut wants: Vec<&str> = spec
            .global_secondary_indexes
            .iter()
            .map(|g| g.index_name.as_str())
            .collect();
        has.sort_unstable();
        wants.sort_unstable();
        if has == wants {
            return Ok(false);
        }
        eprintln!(
            "[devstack] table {name} has indexes {has:?}, the template {wants:?}: making it again"
        );
        client
            .delete_table()
            .table_name(name)
            .send()
            .await
            .map_err(|e| format!("deleting table {name}: {}", DisplayErrorContext(&e)))?;
    }
    let attributes = spec
        .attribute_definitions
        .iter()
        .map(|a| {
            AttributeDefinition::builder()
                .attribute_name(&a.attribute_name)
                .attribute_type(ScalarAttributeType::from(a.attribute_type.as_str()))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let indexes = spec
        .global_secondary_indexes
        .iter()
        .map(|g| {
            GlobalSecondaryIndex::builder()
                .index_name(&g.index_name)
                .set_key_schema(Some(key_schema(&g.key_schema)?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(
                            g.projection.projection_type.as_str(),
                        ))
                        .build(),
                )
                .build()
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(attributes))
        .set_key_schema(Some(key_schema(&spec.key_schema)?))
        .set_global_secondary_indexes((!indexes.is_empty()).then_some(indexes))
        .send()
        .await
        .map_err(|e| format!("creating table {name}: {}", DisplayErrorContext(&e)))?;
    if let Some(ttl) = &spec.time_to_live_specification {
        client
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(&ttl.attribute_name)
                    .enabled(ttl.enabled)
                    .build()
                    .map_err(|e| e.to_string())?,
            )
            .send()
            .await
            .map_err(|e| format!("enabling TTL on {name}: {}", DisplayErrorContext(&e)))?;
    }
    Ok(true)
}

/// Creates the bucket unless it exists, with the template's lifecycle rules.
pub async fn ensure_bucket(
    client: &aws_sdk_s3::Client,
    name: &str,
    spec: &BucketSpec,
) -> Result<bool, String> {
    if client.head_bucket().bucket(name).send().await.is_ok() {
        return Ok(false);
    }
    client
        .create_bucket()
        .bucket(name)
        .send()
        .await
        .map_err(|e| format!("creating bucket {name}: {}", DisplayErrorContext(&e)))?;
    let rules = spec
        .lifecycle_rules
        .iter()
        .map(|r| {
            LifecycleRule::builder()
                .id(&r.id)
                .status(ExpirationStatus::Enabled)
                .filter(
                    LifecycleRuleFilter::builder()
                        .prefix(r.prefix.as_deref().unwrap_or(""))
                        .build(),
                )
                .set_expiration(
                    r.expiration_in_days
                        .map(|days| LifecycleExpiration::builder().days(days).build()),
                )
                .set_abort_incomplete_multipart_upload(
                    r.abort_incomplete_multipart_upload.as_ref().map(|a| {
                        AbortIncompleteMultipartUpload::builder()
                            .days_after_initiation(a.days_after_initiation)
                            .build()
                    }),
                )
                .build()
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    if !rules.is_empty() {
        client
            .put_bucket_lifecycle_configuration()
            .bucket(name)
            .lifecycle_configuration(
                BucketLifecycleConfiguration::builder()
                    .set_rules(Some(rules))
                    .build()
                    .map_err(|e| e.to_string())?,
            )
            .send()
            .await
            .map_err(|e| format!("lifecycle of {name}: {}", DisplayErrorContext(&e)))?;
    }
    Ok(true)
}

/// Creates the EventBridge bus unless it exists.
pub async fn ensure_event_bus(
    client: &aws_sdk_eventbridge::Client,
    name: &str,
) -> Result<bool, String> {
    if client.describe_event_bus().name(name).send().await.is_ok() {
        return Ok(false);
    }
    client
        .create_event_bus()
        .name(name)
        .send()
        .await
        .map_err(|e| format!("creating event bus {name}: {}", DisplayErrorContext(&e)))?;
    Ok(true)
}

/// Creates the SQS queue unless it exists; returns its URL.
pub async fn ensure_queue(client: &aws_sdk_sqs::Client, name: &str) -> Result<String, String> {
    let out = client
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .map_err(|e| format!("creating queue {name}: {}", DisplayErrorContext(&e)))?;
    out.queue_url
        .ok_or_else(|| format!("creating queue {name}: no URL"))
}
