//! Update expressions built attribute by attribute.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};

use crate::aws::AwsError;

/// An `UpdateItem` expression with every attribute name behind a placeholder (several of
/// ours, like `status` and `size`, are DynamoDB reserved words).
#[derive(Default)]
pub(super) struct UpdateBuilder {
    sets: Vec<String>,
    removes: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl UpdateBuilder {
    pub(super) fn name(&mut self, attribute: &str) -> String {
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    pub(super) fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    pub(super) fn set(&mut self, attribute: &str, value: AttributeValue) {
        let (n, v) = (self.name(attribute), self.value(value));
        self.sets.push(format!("{n} = {v}"));
    }

    /// Sets the attribute only where it has no value yet.
    pub(super) fn set_once(&mut self, attribute: &str, value: AttributeValue) {
        let (n, v) = (self.name(attribute), self.value(value));
        self.sets.push(format!("{n} = if_not_exists({n}, {v})"));
    }

    pub(super) fn remove(&mut self, attribute: &str) {
        let n = self.name(attribute);
        self.removes.push(n);
    }

    /// `<prefix> (:a, :b, …)`, with `#status_c` standing for `attribute`.
    pub(super) fn condition_in(
        &mut self,
        prefix: &str,
        attribute: &str,
        values: Vec<AttributeValue>,
    ) -> String {
        self.names
            .insert("#status_c".to_owned(), attribute.to_owned());
        let list: Vec<String> = values.into_iter().map(|v| self.value(v)).collect();
        format!("{prefix} ({})", list.join(", "))
    }

    fn expression(&self) -> String {
        let mut expression = format!("SET {}", self.sets.join(", "));
        if !self.removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", self.removes.join(", ")));
        }
        expression
    }

    pub(super) fn apply(self, request: UpdateItemFluentBuilder) -> UpdateItemFluentBuilder {
        request
            .update_expression(self.expression())
            .set_expression_attribute_names(Some(self.names))
            .set_expression_attribute_values(Some(self.values))
    }

    /// The same update as one item of a transaction.
    pub(super) fn into_transaction_item(
        self,
        table: &str,
        key: HashMap<String, AttributeValue>,
        condition: String,
    ) -> Result<TransactWriteItem, AwsError> {
        let update = Update::builder()
            .table_name(table)
            .set_key(Some(key))
            .update_expression(self.expression())
            .condition_expression(condition)
            .set_expression_attribute_names(Some(self.names))
            .set_expression_attribute_values(Some(self.values))
            .build()
            .map_err(|e| AwsError::Other(e.into()))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
