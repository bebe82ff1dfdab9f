//! The functions' policies in `infra/template.yaml`, evaluated as IAM would for the DynamoDB
//! calls the handlers make: every call a test makes through a function's handler must be
//! one that function's role allows (`TestStack::call` checks it), so a policy that lacks
//! what the code does fails the tests here rather than the function in AWS.
//! `tests/tests/infra/policies.rs` checks the converse, that nothing more is granted.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, OnceLock};

use serde_json::Value as Json;
use serde_yaml_ng::Value;

use crate::intercept::{Interceptor, Verdict};

/// What the template's resources and parameters are called in policies: a secret by the
/// variable it holds, whether the stack generates it or a parameter names it.
const ALIASES: &[(&str, &str)] = &[
    ("RecordingsTable", "table"),
    ("RecordingsBucket", "bucket"),
    ("RecordingEventBus", "bus"),
    ("ExportQueue", "queue"),
    ("TokenSigningKey", "secret:TOKEN_SIGNING_KEY"),
    ("TokenSigningKeySecret", "secret:TOKEN_SIGNING_KEY"),
    ("ApiKeyHashesSecret", "secret:API_KEY_HASHES"),
    ("AdminPasswordHashSecret", "secret:ADMIN_PASSWORD_HASH"),
    ("LivekitApiSecret", "secret:LIVEKIT_API_SECRET"),
];

fn alias(name: &str) -> String {
    ALIASES
        .iter()
        .find(|(id, _)| *id == name)
        .map_or_else(|| name.to_owned(), |(_, alias)| (*alias).to_owned())
}

/// An intrinsic as a short name: `!GetAtt RecordingsTable.Arn` is `table`,
/// `!Sub "${RecordingsTable.Arn}/index/GSI1"` is `table/index/GSI1`, and an `!If` whose
/// branches name the same thing is that thing.
pub fn render(value: &Value) -> String {
    let (tag, inner) = match value {
        Value::Tagged(t) => (
            t.tag.to_string().trim_start_matches('!').to_owned(),
            &t.value,
        ),
        Value::Mapping(m) if m.len() == 1 => match m.iter().next() {
            Some((Value::String(k), v)) => (k.trim_start_matches("Fn::").to_owned(), v),
            _ => return format!("{value:?}"),
        },
        Value::String(s) => return s.clone(),
        other => return format!("{other:?}"),
    };
    match (tag.as_str(), inner) {
        ("Ref", Value::String(name)) => alias(name),
        ("GetAtt", Value::String(path)) => match path.strip_suffix(".Arn") {
            Some(name) => alias(name),
            None => format!("GetAtt {path}"),
        },
        ("Sub", Value::String(text)) => {
            let mut out = text.clone();
            for (id, name) in ALIASES {
                out = out.replace(&format!("${{{id}.Arn}}"), name);
            }
            out
        }
        ("If", Value::Sequence(args)) if args.len() == 3 => {
            let (yes, no) = (render(&args[1]), render(&args[2]));
            if yes == no {
                yes
            } else {
                format!("If({}, {yes}, {no})", render(&args[0]))
            }
        }
        _ => format!("{tag} {inner:?}"),
    }
}

/// A scalar or a list, each rendered.
pub fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Sequence(items) => items.iter().map(render).collect(),
        Value::Null => Vec::new(),
        other => vec![render(other)],
    }
}

/// One Allow statement of a function's policy.
#[derive(Debug, Clone)]
pub struct Statement {
    pub sid: String,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    /// The partitions (`dynamodb:LeadingKeys` prefixes) it is limited to; empty: no
    /// condition.
    pub leading_keys: BTreeSet<String>,
}

impl Statement {
    /// Whether IAM lets this statement allow `action` on `resource` for a request naming
    /// the partition keys `keys`: `ForAllValues` needs every key to match, and holds for a
    /// request with none.
    fn allows(&self, action: &str, resource: &str, keys: &[String]) -> bool {
        self.actions.iter().any(|a| a == action)
            && self.resources.iter().any(|r| r == resource)
            && (self.leading_keys.is_empty()
                || keys
                    .iter()
                    .all(|k| self.leading_keys.iter().any(|p| k.starts_with(p.as_str()))))
    }
}

/// The partitions a condition limits a statement to, or why it is not one modelled here
/// (anything but `ForAllValues:StringLike` on `dynamodb:LeadingKeys` with `<PREFIX>#*`).
fn leading_keys(condition: &Value) -> Result<BTreeSet<String>, String> {
    let Some(condition) = condition.as_mapping() else {
        return match condition {
            Value::Null => Ok(BTreeSet::new()),
            _ => Err("a Condition that is not a mapping".into()),
        };
    };
    let mut prefixes = BTreeSet::new();
    for (operator, keys) in condition {
        let keys = keys.as_mapping().ok_or("a condition without keys")?;
        for (key, patterns) in keys {
            if operator.as_str() != Some("ForAllValues:StringLike")
                || key.as_str() != Some("dynamodb:LeadingKeys")
            {
                return Err(format!(
                    "{operator:?} on {key:?}: only ForAllValues:StringLike on dynamodb:LeadingKeys is modelled"
                ));
            }
            for pattern in strings(patterns) {
                match pattern.strip_suffix('*') {
                    Some(prefix) if prefix.ends_with('#') && !prefix.contains('*') => {
                        prefixes.insert(prefix.to_owned());
                    }
                    _ => return Err(format!("leading-key pattern {pattern:?} is not <PREFIX>#*")),
                }
            }
        }
    }
    Ok(prefixes)
}

/// Every function's Allow statements, by binary name, and problems in how they are
/// written (what this model cannot evaluate is a problem, never silently allowed).
pub struct Policies {
    pub functions: BTreeMap<String, Vec<Statement>>,
    pub problems: Vec<String>,
}

impl Policies {
    pub fn of(template: &Value) -> Self {
        let mut functions = BTreeMap::new();
        let mut problems = Vec::new();
        for (id, resource) in template["Resources"].as_mapping().into_iter().flatten() {
            if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
                continue;
            }
            let id = id.as_str().unwrap_or("<non-string id>");
            let binary = resource["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .unwrap_or(id)
                .to_owned();
            let mut statements = Vec::new();
            for policy in resource["Properties"]["Policies"]
                .as_sequence()
                .into_iter()
                .flatten()
            {
                let Some(list) = policy["Statement"].as_sequence() else {
                    problems.push(format!(
                        "{binary}: policy {policy:?} is not an inline policy document"
                    ));
                    continue;
                };
                for statement in list {
                    let sid = statement["Sid"].as_str().unwrap_or("statement").to_owned();
                    if statement["Effect"].as_str() != Some("Allow") {
                        problems.push(format!(
                            "{binary} {sid}: only Allow statements are modelled"
                        ));
                        continue;
                    }
                    if statement.get("NotAction").is_some()
                        || statement.get("NotResource").is_some()
                    {
                        problems.push(format!("{binary} {sid}: NotAction/NotResource"));
                    }
                    let leading_keys = leading_keys(&statement["Condition"]).unwrap_or_else(|e| {
                        problems.push(format!("{binary} {sid}: {e}"));
                        BTreeSet::new()
                    });
                    statements.push(Statement {
                        sid,
                        actions: strings(&statement["Action"]),
                        resources: strings(&statement["Resource"]),
                        leading_keys,
                    });
                }
            }
            functions.insert(binary, statements);
        }
        Self {
            functions,
            problems,
        }
    }

    /// The template's policies, read once.
    pub fn deployed() -> &'static Self {
        static POLICIES: OnceLock<Policies> = OnceLock::new();
        POLICIES.get_or_init(|| {
            let path = devstack::template::default_path();
            let text = std::fs::read_to_string(&path).expect("infra/template.yaml is readable");
            Self::of(&serde_yaml_ng::from_str(&text).expect("infra/template.yaml is YAML"))
        })
    }

    /// What in `calls` the function `binary`'s role would refuse, each once, with the kinds
    /// of partition its keys are in (`REC#…`).
    pub fn refused(&self, binary: &str, calls: &[Call]) -> Vec<String> {
        let statements = self.functions.get(binary).map_or(&[][..], Vec::as_slice);
        let refused: BTreeSet<String> = calls
            .iter()
            .filter(|c| {
                !statements
                    .iter()
                    .any(|s| s.allows(&c.action, &c.resource, &c.keys))
            })
            .map(|c| {
                let kinds: BTreeSet<String> = c
                    .keys
                    .iter()
                    .map(|k| k.split_inclusive('#').next().unwrap_or(k).to_owned() + "…")
                    .collect();
                let kinds: Vec<String> = kinds.into_iter().collect();
                format!("{} on {} for [{}]", c.action, c.resource, kinds.join(", "))
            })
            .collect();
        refused.into_iter().collect()
    }
}

/// A DynamoDB call as IAM authorizes it: an action on the table or an index, for the
/// partition keys it names (each item of a transaction is a call of its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub action: String,
    pub resource: String,
    pub keys: Vec<String>,
}

tokio::task_local! {
    static CALLS: Mutex<Vec<Call>>;
}

/// Runs `fut`, returning its output and the DynamoDB calls it made through clients that
/// have the [`recorder`].
pub async fn record_calls<F: std::future::Future>(fut: F) -> (F::Output, Vec<Call>) {
    CALLS
        .scope(Mutex::new(Vec::new()), async move {
            let output = fut.await;
            let calls = CALLS.with(|c| c.lock().map(|c| c.clone()).unwrap_or_default());
            (output, calls)
        })
        .await
}

/// Reads each DynamoDB request's operation and keys into the current [`record_calls`].
pub fn recorder() -> Interceptor {
    Interceptor::new("RecordCalls", |call| {
        if let Some(body) = call.json_body() {
            let calls = calls_of(call.operation, &body);
            let _ = CALLS.try_with(|c| {
                if let Ok(mut recorded) = c.lock() {
                    recorded.extend(calls);
                }
            });
        }
        Verdict::Send
    })
}

fn pk(item: &Json) -> Option<String> {
    item["PK"]["S"].as_str().map(str::to_owned)
}

fn call(action: &str, resource: &str, keys: Vec<String>) -> Call {
    Call {
        action: format!("dynamodb:{action}"),
        resource: resource.to_owned(),
        keys,
    }
}

/// The IAM view of one request, from its JSON body.
fn calls_of(operation: &str, body: &Json) -> Vec<Call> {
    let tables = |items: &Json| -> Vec<Json> {
        items
            .as_object()
            .map(|t| t.values().cloned().collect())
            .unwrap_or_default()
    };
    match operation {
        "GetItem" | "UpdateItem" | "DeleteItem" => {
            vec![call(
                operation,
                "table",
                pk(&body["Key"]).into_iter().collect(),
            )]
        }
        "PutItem" => vec![call(
            operation,
            "table",
            pk(&body["Item"]).into_iter().collect(),
        )],
        "Query" => match body["IndexName"].as_str() {
            Some(index) => vec![call(operation, &format!("table/index/{index}"), Vec::new())],
            None => vec![call(
                operation,
                "table",
                query_partition(body).into_iter().collect(),
            )],
        },
        "BatchGetItem" => tables(&body["RequestItems"])
            .iter()
            .map(|t| {
                let keys = t["Keys"].as_array().into_iter().flatten().filter_map(pk);
                call(operation, "table", keys.collect())
            })
            .collect(),
        "BatchWriteItem" => tables(&body["RequestItems"])
            .iter()
            .map(|t| {
                let keys = t.as_array().into_iter().flatten().filter_map(|w| {
                    pk(&w["PutRequest"]["Item"]).or_else(|| pk(&w["DeleteRequest"]["Key"]))
                });
                call(operation, "table", keys.collect())
            })
            .collect(),
        "TransactWriteItems" => body["TransactItems"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| {
                [
                    ("Put", "PutItem", "Item"),
                    ("Update", "UpdateItem", "Key"),
                    ("Delete", "DeleteItem", "Key"),
                    ("ConditionCheck", "ConditionCheckItem", "Key"),
                ]
                .into_iter()
                .find(|(kind, _, _)| item.get(*kind).is_some())
                .map(|(kind, action, key)| {
                    call(action, "table", pk(&item[kind][key]).into_iter().collect())
                })
            })
            .collect(),
        // Anything else is an action of its own, on the table.
        other => vec![call(other, "table", Vec::new())],
    }
}

/// The partition a table query reads: the value its key condition gives `PK`.
fn query_partition(body: &Json) -> Option<String> {
    let condition = body["KeyConditionExpression"].as_str()?;
    let names = &body["ExpressionAttributeNames"];
    let (left, rest) = condition.split_once('=')?;
    let left = left.trim();
    let is_pk = left == "PK" || names[left].as_str() == Some("PK");
    let placeholder = rest.split_whitespace().next()?;
    is_pk
        .then(|| body["ExpressionAttributeValues"][placeholder]["S"].as_str())
        .flatten()
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(yaml: &str) -> Statement {
        let value: Value = serde_yaml_ng::from_str(yaml).expect("yaml");
        Statement {
            sid: "s".into(),
            actions: strings(&value["Action"]),
            resources: strings(&value["Resource"]),
            leading_keys: leading_keys(&value["Condition"]).expect("modelled"),
        }
    }

    #[test]
    fn leading_keys_apply_to_every_key_of_a_request() {
        let statement = policy(
            r#"
            Action: dynamodb:BatchGetItem
            Resource: !GetAtt RecordingsTable.Arn
            Condition:
              ForAllValues:StringLike:
                dynamodb:LeadingKeys: ["REC#*", "ROOM#*"]
            "#,
        );
        let keys = |k: &[&str]| k.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>();
        assert!(statement.allows(
            "dynamodb:BatchGetItem",
            "table",
            &keys(&["REC#a", "ROOM#a"])
        ));
        assert!(!statement.allows(
            "dynamodb:BatchGetItem",
            "table",
            &keys(&["REC#a", "ROOMSECRET#a"])
        ));
        assert!(!statement.allows("dynamodb:GetItem", "table", &keys(&["REC#a"])));
    }

    #[test]
    fn requests_are_read_as_iam_sees_them() {
        let body = serde_json::json!({
            "TransactItems": [
                {"Put": {"Item": {"PK": {"S": "ROOM#a"}}}},
                {"ConditionCheck": {"Key": {"PK": {"S": "REC#a"}}}},
            ]
        });
        assert_eq!(
            calls_of("TransactWriteItems", &body),
            vec![
                call("PutItem", "table", vec!["ROOM#a".into()]),
                call("ConditionCheckItem", "table", vec!["REC#a".into()]),
            ]
        );
        let query = serde_json::json!({
            "KeyConditionExpression": "#pk = :pk AND begins_with(SK, :link)",
            "ExpressionAttributeNames": {"#pk": "PK"},
            "ExpressionAttributeValues": {":pk": {"S": "SHARE#r"}, ":link": {"S": "LINK#"}},
        });
        assert_eq!(
            calls_of("Query", &query),
            vec![call("Query", "table", vec!["SHARE#r".into()])]
        );
    }
}
