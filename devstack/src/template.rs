//! The parts of `infra/template.yaml` that the local stack recreates.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_yaml_ng::Value;

pub fn default_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/template.yaml")
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDefinition {
    pub attribute_name: String,
    pub attribute_type: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyElement {
    pub attribute_name: String,
    pub key_type: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Projection {
    pub projection_type: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GlobalSecondaryIndex {
    pub index_name: String,
    pub key_schema: Vec<KeyElement>,
    pub projection: Projection,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeToLive {
    pub attribute_name: String,
    pub enabled: bool,
}

/// `AWS::DynamoDB::Table` properties, as far as an emulator honours them.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableSpec {
    pub attribute_definitions: Vec<AttributeDefinition>,
    pub key_schema: Vec<KeyElement>,
    #[serde(default)]
    pub global_secondary_indexes: Vec<GlobalSecondaryIndex>,
    pub time_to_live_specification: Option<TimeToLive>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleRule {
    pub id: String,
    /// The keys it applies to; every key without one.
    pub prefix: Option<String>,
    pub expiration_in_days: Option<i32>,
    pub abort_incomplete_multipart_upload: Option<AbortIncomplete>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AbortIncomplete {
    pub days_after_initiation: i32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketSpec {
    pub lifecycle_rules: Vec<LifecycleRule>,
}

pub struct Template {
    root: Value,
}

impl Template {
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        let root = serde_yaml_ng::from_str(&text)
            .map_err(|e| format!("parsing {}: {e}", path.display()))?;
        Ok(Self { root })
    }

    fn properties(&self, resource: &str, kind: &str) -> Result<&Value, String> {
        let res = &self.root["Resources"][resource];
        if res["Type"].as_str() != Some(kind) {
            return Err(format!("the template has no {kind} named {resource}"));
        }
        Ok(&res["Properties"])
    }

    pub fn table(&self) -> Result<TableSpec, String> {
        let props = self.properties("RecordingsTable", "AWS::DynamoDB::Table")?;
        serde_yaml_ng::from_value(props.clone()).map_err(|e| format!("RecordingsTable: {e}"))
    }

    pub fn bucket(&self) -> Result<BucketSpec, String> {
        let props = self.properties("RecordingsBucket", "AWS::S3::Bucket")?;
        serde_yaml_ng::from_value(props["LifecycleConfiguration"]["Rules"].clone())
            .map(|lifecycle_rules| BucketSpec { lifecycle_rules })
            .map_err(|e| format!("RecordingsBucket: {e}"))
    }
}
