//! The deployment template against the code, without the emulators:
//!
//! - the table (keys, indexes, TTL) has the layout the store code (`shared/src/store`)
//!   relies on, and the local stack (`devstack`, which builds the table and bucket from the
//!   template) models everything in the template's table and bucket that changes how they
//!   behave;
//! - every API route in `infra/template.yaml` is served locally by the same function through
//!   Cargo.toml's `[workspace.metadata.lambda.watch.router]`, and vice versa;
//! - every crate under `functions/` is a function of the template, and vice versa;
//! - every function's role grants what its code calls and nothing else, and its
//!   environment names the secrets it reads, never their values (`policies.rs`).

mod policies;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use devstack::template::{self, Template};
use serde_yaml_ng::Value;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("the repository root exists")
}

fn template_path() -> PathBuf {
    template::default_path()
}

fn read_template() -> Value {
    let path = template_path();
    let text = std::fs::read_to_string(&path).expect("infra/template.yaml is readable");
    serde_yaml_ng::from_str(&text).expect("infra/template.yaml is YAML")
}

fn read_toml(path: &Path) -> toml::Table {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.parse()
        .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

fn assert_no_problems(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{what}:\n  - {}",
        problems.join("\n  - ")
    );
}

/// The name a CloudFormation `Ref` points at, in short (`!Ref X`) or long (`{Ref: X}`) form.
fn ref_target(value: &Value) -> Option<&str> {
    match value {
        Value::Tagged(tagged) if tagged.tag == "Ref" => tagged.value.as_str(),
        Value::Mapping(map) if map.len() == 1 => map.get("Ref").and_then(Value::as_str),
        _ => None,
    }
}

// --- the table and the bucket ---------------------------------------------------------------

/// The store code: `shared/src/store.rs` or the modules under `shared/src/store/`.
fn store_sources() -> Vec<PathBuf> {
    let src = repo_root().join("shared/src");
    let mut files = Vec::new();
    let mut dirs = vec![src.join("store")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.extend(Some(src.join("store.rs")).filter(|p| p.is_file()));
    assert!(!files.is_empty(), "no store code under shared/src");
    files
}

/// Index names (`"GSI<n>"` string literals) that the store code queries.
fn indexes_named_in_store_code() -> BTreeSet<String> {
    store_sources()
        .iter()
        .map(|path| {
            std::fs::read_to_string(path)
                .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
        })
        .flat_map(|code| {
            code.split('"')
                .skip(1)
                .step_by(2)
                .filter(|s| {
                    s.strip_prefix("GSI")
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                })
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn table_has_the_layout_the_store_code_uses() {
    let table = Template::load(&template_path())
        .and_then(|t| t.table())
        .expect("the template's RecordingsTable");

    let keys = |schema: &[template::KeyElement]| -> Vec<(String, String)> {
        schema
            .iter()
            .map(|k| (k.attribute_name.clone(), k.key_type.clone()))
            .collect()
    };
    let pair = |hash: &str, range: &str| {
        vec![
            (hash.to_owned(), "HASH".to_owned()),
            (range.to_owned(), "RANGE".to_owned()),
        ]
    };

    assert_eq!(
        keys(&table.key_schema),
        pair("PK", "SK"),
        "table key schema"
    );

    let indexes: BTreeMap<_, _> = table
        .global_secondary_indexes
        .iter()
        .map(|g| {
            (
                g.index_name.as_str(),
                (keys(&g.key_schema), g.projection.projection_type.as_str()),
            )
        })
        .collect();
    // GSI1 and GSI2 by date, GSI3 the sweepers', GSI4-GSI8 the other list orders.
    for n in 1..=8 {
        let name = format!("GSI{n}");
        let (hash, range) = (format!("{name}PK"), format!("{name}SK"));
        assert_eq!(
            indexes.get(name.as_str()),
            Some(&(pair(&hash, &range), "ALL")),
            "index {name}: keys {hash}/{range}, every attribute projected"
        );
    }
    let named = indexes_named_in_store_code();
    assert!(
        (1..=8).all(|n| named.contains(&format!("GSI{n}"))),
        "the store code names every index: {named:?}"
    );
    for name in named {
        assert!(
            indexes.contains_key(name.as_str()),
            "the store code (shared/src/store) queries {name}, which infra/template.yaml does not declare"
        );
    }

    // Exactly the key attributes are defined (CloudFormation rejects any other), and the
    // ones above are strings.
    let attributes: BTreeMap<_, _> = table
        .attribute_definitions
        .iter()
        .map(|a| (a.attribute_name.as_str(), a.attribute_type.as_str()))
        .collect();
    let key_attributes: BTreeSet<&str> = table
        .key_schema
        .iter()
        .chain(
            table
                .global_secondary_indexes
                .iter()
                .flat_map(|g| &g.key_schema),
        )
        .map(|k| k.attribute_name.as_str())
        .collect();
    assert_eq!(
        attributes.keys().copied().collect::<BTreeSet<_>>(),
        key_attributes,
        "attribute definitions are the key attributes"
    );
    for name in &key_attributes {
        assert_eq!(attributes.get(name), Some(&"S"), "{name} is a string");
    }

    let ttl = table
        .time_to_live_specification
        .expect("the table has a TimeToLiveSpecification");
    assert_eq!(ttl.attribute_name, "expiresAt", "TTL attribute");
    assert!(ttl.enabled, "TTL is enabled");
}

/// Properties of the table and the bucket that `devstack` recreates locally, and those
/// that only matter in AWS (durability, encryption, access control). Anything else would
/// make the local stack behave differently from the deployed one unnoticed.
const TABLE_MODELLED: &[&str] = &[
    "AttributeDefinitions",
    "KeySchema",
    "GlobalSecondaryIndexes",
    "TimeToLiveSpecification",
    "BillingMode",
];
const TABLE_AWS_ONLY: &[&str] = &[
    "DeletionProtectionEnabled",
    "PointInTimeRecoverySpecification",
    "SSESpecification",
    "TableClass",
    "Tags",
    "ContributorInsightsSpecification",
];
const INDEX_MODELLED: &[&str] = &["IndexName", "KeySchema", "Projection"];
const BUCKET_MODELLED: &[&str] = &["LifecycleConfiguration"];
const BUCKET_AWS_ONLY: &[&str] = &[
    "PublicAccessBlockConfiguration",
    "BucketEncryption",
    "OwnershipControls",
    "CorsConfiguration",
    "Tags",
];
const LIFECYCLE_RULE_MODELLED: &[&str] = &[
    "Id",
    "Status",
    "Prefix",
    "ExpirationInDays",
    "AbortIncompleteMultipartUpload",
];

fn unexpected_keys(what: &str, value: &Value, allowed: &[&[&str]], problems: &mut Vec<String>) {
    let Some(map) = value.as_mapping() else {
        problems.push(format!("{what} is not a mapping"));
        return;
    };
    for key in map.keys() {
        let key = key.as_str().unwrap_or("<non-string key>");
        if !allowed.iter().any(|set| set.contains(&key)) {
            problems.push(format!(
                "{what} has {key}, which the local stack does not recreate: teach \
                 devstack/src/template.rs and resources.rs about it (or add it to the \
                 AWS-only list in tests/tests/infra/main.rs if it cannot change behaviour)"
            ));
        }
    }
}

#[test]
fn local_stack_recreates_the_template_table_and_bucket_exactly() {
    let root = read_template();
    let mut problems = Vec::new();

    let table = &root["Resources"]["RecordingsTable"]["Properties"];
    unexpected_keys(
        "RecordingsTable",
        table,
        &[TABLE_MODELLED, TABLE_AWS_ONLY],
        &mut problems,
    );
    if table["BillingMode"].as_str() != Some("PAY_PER_REQUEST") {
        problems.push("RecordingsTable: BillingMode must be PAY_PER_REQUEST (on-demand, as devstack creates it)".into());
    }
    for (i, index) in table["GlobalSecondaryIndexes"]
        .as_sequence()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let what = format!("RecordingsTable index {i}");
        unexpected_keys(&what, index, &[INDEX_MODELLED], &mut problems);
        unexpected_keys(
            &format!("{what} Projection"),
            &index["Projection"],
            &[&["ProjectionType"]],
            &mut problems,
        );
    }

    let bucket = &root["Resources"]["RecordingsBucket"]["Properties"];
    unexpected_keys(
        "RecordingsBucket",
        bucket,
        &[BUCKET_MODELLED, BUCKET_AWS_ONLY],
        &mut problems,
    );
    for (i, rule) in bucket["LifecycleConfiguration"]["Rules"]
        .as_sequence()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let what = format!("RecordingsBucket lifecycle rule {i}");
        unexpected_keys(&what, rule, &[LIFECYCLE_RULE_MODELLED], &mut problems);
        if rule["Status"].as_str() != Some("Enabled") {
            problems.push(format!("{what}: devstack creates every rule Enabled"));
        }
    }
    assert_no_problems("the local stack would differ from the template", &problems);

    // What devstack reads from the template is what is there.
    let bucket = Template::load(&template_path())
        .and_then(|t| t.bucket())
        .expect("the template's RecordingsBucket");
    assert!(
        bucket.lifecycle_rules.iter().any(|r| r
            .abort_incomplete_multipart_upload
            .as_ref()
            .is_some_and(|a| a.days_after_initiation >= 1)),
        "the recordings bucket aborts incomplete multipart uploads"
    );
}

// --- functions and routes -------------------------------------------------------------------

/// A route as API Gateway and `cargo lambda watch` key it: method (upper case, `ANY` for
/// every method) and path.
type Route = (String, String);

struct TemplateFunction {
    logical_id: String,
    binary: Option<String>,
    routes: Vec<Route>,
}

/// Every `AWS::Serverless::Function`, with problems in how it is declared.
fn template_functions(root: &Value, problems: &mut Vec<String>) -> Vec<TemplateFunction> {
    let resources = root["Resources"]
        .as_mapping()
        .expect("the template has Resources");
    let http_apis: BTreeSet<&str> = resources
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::HttpApi"))
        .filter_map(|(id, _)| id.as_str())
        .collect();
    let template_dir = template_path()
        .parent()
        .expect("the template is in a directory")
        .to_path_buf();
    let workspace_root = repo_root();

    let mut functions = Vec::new();
    for (id, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let id = id.as_str().unwrap_or("<non-string id>").to_owned();
        let metadata = &resource["Metadata"];
        if metadata["BuildMethod"].as_str() != Some("rust-cargolambda") {
            problems.push(format!(
                "{id}: Metadata.BuildMethod must be rust-cargolambda"
            ));
        }
        let binary = metadata["BuildProperties"]["Binary"]
            .as_str()
            .map(str::to_owned);
        if binary.is_none() {
            let hint = if metadata.get("Binary").is_some() {
                " (Metadata.Binary is ignored by sam build: move it under Metadata.BuildProperties)"
            } else {
                ""
            };
            problems.push(format!(
                "{id}: Metadata.BuildProperties.Binary must name its crate under functions/{hint}"
            ));
        }
        match resource["Properties"]["CodeUri"].as_str() {
            Some(code_uri) => {
                let resolved = template_dir.join(code_uri).canonicalize().ok();
                if resolved.as_deref() != Some(workspace_root.as_path()) {
                    problems.push(format!(
                        "{id}: CodeUri {code_uri:?} must be the workspace root (..), which \
                         sam build runs cargo lambda in"
                    ));
                }
            }
            None => problems.push(format!("{id}: CodeUri must be the workspace root (..)")),
        }

        let mut routes = Vec::new();
        if let Some(events) = resource["Properties"]["Events"].as_mapping() {
            for (name, event) in events {
                let name = name.as_str().unwrap_or("<non-string name>");
                match event["Type"].as_str() {
                    Some("HttpApi") => {}
                    Some("Api") => {
                        problems.push(format!(
                            "{id}.{name}: an Api (REST) event; routes are HttpApi events"
                        ));
                        continue;
                    }
                    _ => continue,
                }
                let props = &event["Properties"];
                match ref_target(&props["ApiId"]) {
                    Some(api) if http_apis.contains(api) => {}
                    _ => problems.push(format!(
                        "{id}.{name}: ApiId must be !Ref to the template's HttpApi (not the \
                         implicit API, which has no CORS, throttling or access logs)"
                    )),
                }
                match (props["Method"].as_str(), props["Path"].as_str()) {
                    (Some(method), Some(path)) => {
                        routes.push((method.to_ascii_uppercase(), path.to_owned()));
                    }
                    _ => problems.push(format!("{id}.{name}: Method and Path are required")),
                }
            }
        }
        functions.push(TemplateFunction {
            logical_id: id,
            binary,
            routes,
        });
    }
    functions
}

/// Cargo.toml's `[workspace.metadata.lambda.watch.router]`: route -> function.
fn local_router(problems: &mut Vec<String>) -> BTreeMap<Route, String> {
    let manifest = read_toml(&repo_root().join("Cargo.toml"));
    let router = manifest
        .get("workspace")
        .and_then(|w| w.get("metadata"))
        .and_then(|m| m.get("lambda"))
        .and_then(|l| l.get("watch"))
        .and_then(|w| w.get("router"))
        .and_then(toml::Value::as_table)
        .expect("Cargo.toml has [workspace.metadata.lambda.watch.router]");

    let mut routes = BTreeMap::new();
    let mut add = |method: String, path: &str, function: &str, problems: &mut Vec<String>| {
        if let Some(previous) =
            routes.insert((method.clone(), path.to_owned()), function.to_owned())
        {
            problems.push(format!(
                "router: {method} {path} is routed twice ({previous}, {function})"
            ));
        }
    };
    for (path, entry) in router {
        let entries: Vec<&toml::Value> = match entry {
            toml::Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for entry in entries {
            match entry {
                // "path" = "function": every method.
                toml::Value::String(function) => add("ANY".into(), path, function, problems),
                toml::Value::Table(t) => {
                    let method = t
                        .get("method")
                        .and_then(toml::Value::as_str)
                        .unwrap_or("ANY")
                        .to_ascii_uppercase();
                    match t.get("function").and_then(toml::Value::as_str) {
                        Some(function) => add(method, path, function, problems),
                        None => {
                            problems.push(format!("router: {path} has an entry without function"))
                        }
                    }
                }
                _ => problems.push(format!(
                    "router: {path} has an entry that is neither a function name nor a table"
                )),
            }
        }
    }
    routes
}

#[test]
fn every_template_route_is_served_by_the_same_function_locally_and_vice_versa() {
    let root = read_template();
    let mut problems = Vec::new();
    let functions = template_functions(&root, &mut problems);
    let router = local_router(&mut problems);

    let mut deployed: BTreeMap<Route, String> = BTreeMap::new();
    for function in &functions {
        let Some(binary) = &function.binary else {
            continue;
        };
        for route in &function.routes {
            if let Some(previous) = deployed.insert(route.clone(), binary.clone()) {
                problems.push(format!(
                    "template: {} {} is routed twice ({previous}, {binary})",
                    route.0, route.1
                ));
            }
        }
    }

    for ((method, path), binary) in &deployed {
        match router.get(&(method.clone(), path.clone())) {
            None => problems.push(format!(
                "{method} {path} -> {binary} is in infra/template.yaml but not in Cargo.toml's \
                 [workspace.metadata.lambda.watch.router]"
            )),
            Some(local) if local != binary => problems.push(format!(
                "{method} {path}: infra/template.yaml routes it to {binary}, the local router to {local}"
            )),
            Some(_) => {}
        }
    }
    for ((method, path), function) in &router {
        if !deployed.contains_key(&(method.clone(), path.clone())) {
            problems.push(format!(
                "{method} {path} -> {function} is in Cargo.toml's router but no function of \
                 infra/template.yaml has that HttpApi event"
            ));
        }
    }
    assert_no_problems(
        "the template's routes and the local router disagree",
        &problems,
    );
}

/// Each HTTP function's own table of routes (`shared::routes!`), by binary.
const HANDLER_ROUTES: &[(&str, &[&str])] = &[
    ("list-recordings", list_recordings::ROUTES),
    ("get-recording", get_recording::ROUTES),
    ("update-recording", update_recording::ROUTES),
    ("room-access", room_access::ROUTES),
    ("issue-token", issue_token::ROUTES),
    ("download-recording", download_recording::ROUTES),
    ("delete-recordings", delete_recordings::ROUTES),
    ("share-recording", share_recording::ROUTES),
    ("share-page", share_page::ROUTES),
    ("record-control", record_control::ROUTES),
    ("egress-webhook", egress_webhook::ROUTES),
    ("export-recordings", export_recordings::ROUTES),
];

#[test]
fn every_function_serves_exactly_its_template_routes() {
    let root = read_template();
    let mut problems = Vec::new();
    let functions = template_functions(&root, &mut problems);
    for function in &functions {
        let Some(binary) = function.binary.as_deref() else {
            continue;
        };
        let declared: BTreeSet<String> = function
            .routes
            .iter()
            .map(|(method, path)| format!("{method} {path}"))
            .collect();
        let served: BTreeSet<String> = HANDLER_ROUTES
            .iter()
            .find(|(name, _)| *name == binary)
            .map(|(_, routes)| routes.iter().map(|r| (*r).to_owned()).collect())
            .unwrap_or_default();
        for route in declared.difference(&served) {
            problems.push(format!(
                "{binary}: infra/template.yaml routes {route} to it, but its routes! table does not serve it"
            ));
        }
        for route in served.difference(&declared) {
            problems.push(format!(
                "{binary}: its routes! table serves {route}, which infra/template.yaml does not route to it"
            ));
        }
    }
    assert_no_problems(
        "the functions' route tables and the template disagree",
        &problems,
    );
}

#[test]
fn every_function_crate_is_a_template_function_and_vice_versa() {
    let root = read_template();
    let mut problems = Vec::new();
    let functions = template_functions(&root, &mut problems);

    let mut crates = BTreeSet::new();
    let dir = repo_root().join("functions");
    for entry in std::fs::read_dir(&dir).expect("functions/ is readable") {
        let path = entry.expect("a functions/ entry").path();
        let manifest = path.join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let dir_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a UTF-8 crate directory name")
            .to_owned();
        let package = read_toml(&manifest)
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(toml::Value::as_str)
            .map(str::to_owned);
        if package.as_deref() != Some(dir_name.as_str()) {
            problems.push(format!(
                "functions/{dir_name}: the package is named {package:?}; it must be named like \
                 its directory (its binary is the Lambda function's Binary)"
            ));
        }
        crates.insert(dir_name);
    }

    let mut binaries: BTreeMap<&str, &str> = BTreeMap::new();
    for function in &functions {
        let Some(binary) = function.binary.as_deref() else {
            continue;
        };
        if let Some(other) = binaries.insert(binary, &function.logical_id) {
            problems.push(format!(
                "{} and {other} both build the binary {binary}",
                function.logical_id
            ));
        }
        if !crates.contains(binary) {
            problems.push(format!(
                "{}: its Binary {binary} is not a crate under functions/",
                function.logical_id
            ));
        }
    }
    for name in &crates {
        if !binaries.contains_key(name.as_str()) {
            problems.push(format!(
                "functions/{name} has no AWS::Serverless::Function in infra/template.yaml \
                 (Metadata.BuildProperties.Binary: {name})"
            ));
        }
    }
    assert_no_problems(
        "the crates under functions/ and the template's functions disagree",
        &problems,
    );
}

/// The functions catch a handler's panic and answer the contract's 500 (tests/api/panics.rs
/// proves it on a test build). Deployed binaries come from `cargo lambda build --release`,
/// which builds with `panic = "abort"` unless the release profile says otherwise, and an
/// aborting binary would answer API Gateway's bare 502 instead.
#[test]
fn release_builds_unwind_on_panic_as_the_deployed_functions_must() {
    let manifest = read_toml(&repo_root().join("Cargo.toml"));
    let panic = manifest
        .get("profile")
        .and_then(|p| p.get("release"))
        .and_then(|r| r.get("panic"))
        .and_then(toml::Value::as_str);
    assert_eq!(
        panic,
        Some("unwind"),
        "Cargo.toml's [profile.release] must set panic = \"unwind\" explicitly"
    );
}
