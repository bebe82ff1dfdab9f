//! docs/openapi.yaml against the code, without the emulators:
//!
//! - every operation of the document is a route of Cargo.toml's
//!   `[workspace.metadata.lambda.watch.router]`, and every route is an operation;
//! - every HttpApi route of infra/template.yaml is an operation (tests/tests/infra/ checks
//!   that the template and the router agree, so the three agree);
//! - the document holds together: every `$ref` resolves, every path parameter is declared,
//!   operation ids are unique, and the contract's errors are documented where they can
//!   happen (401 wherever credentials are required, 413 wherever a body is read).
//!
//! What the running API answers is checked against the document by scripts/contract.sh.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_yaml_ng::Value;

/// A route as API Gateway and `cargo lambda watch` key it: upper-case method and path.
type Route = (String, String);

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

fn read_yaml(relative: &str) -> Value {
    let path = repo_path(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("parsing {relative}: {e}"))
}

fn document() -> Value {
    read_yaml("docs/openapi.yaml")
}

fn assert_no_problems(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{what}:\n  - {}",
        problems.join("\n  - ")
    );
}

/// Every operation of the document: (route, operation).
fn operations(doc: &Value) -> Vec<(Route, &Value)> {
    let paths = doc["paths"]
        .as_mapping()
        .expect("docs/openapi.yaml has paths");
    let mut found = Vec::new();
    for (path, item) in paths {
        let path = path.as_str().expect("paths are strings");
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                found.push(((method.to_ascii_uppercase(), path.to_owned()), operation));
            }
        }
    }
    found
}

fn documented_routes(doc: &Value) -> BTreeSet<Route> {
    operations(doc)
        .into_iter()
        .map(|(route, _)| route)
        .collect()
}

/// Cargo.toml's `[workspace.metadata.lambda.watch.router]`.
fn routed(problems: &mut Vec<String>) -> BTreeSet<Route> {
    let path = repo_path("Cargo.toml");
    let manifest: toml::Table = std::fs::read_to_string(&path)
        .expect("Cargo.toml is readable")
        .parse()
        .expect("Cargo.toml is TOML");
    let router = manifest
        .get("workspace")
        .and_then(|w| w.get("metadata"))
        .and_then(|m| m.get("lambda"))
        .and_then(|l| l.get("watch"))
        .and_then(|w| w.get("router"))
        .and_then(toml::Value::as_table)
        .expect("Cargo.toml has [workspace.metadata.lambda.watch.router]");
    let mut routes = BTreeSet::new();
    for (path, entry) in router {
        let entries: Vec<&toml::Value> = match entry {
            toml::Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for entry in entries {
            let method = entry
                .get("method")
                .and_then(toml::Value::as_str)
                .map(str::to_ascii_uppercase);
            match method {
                Some(method) => {
                    routes.insert((method, path.clone()));
                }
                None => problems.push(format!(
                    "router: {path} is routed for every method; route each method on its own \
                     so that the document can describe it"
                )),
            }
        }
    }
    routes
}

/// Every HttpApi event of every function in infra/template.yaml.
fn template_routes() -> BTreeSet<Route> {
    let template = read_yaml("infra/template.yaml");
    let resources = template["Resources"]
        .as_mapping()
        .expect("the template has Resources");
    let mut routes = BTreeSet::new();
    for resource in resources.values() {
        let Some(events) = resource["Properties"]["Events"].as_mapping() else {
            continue;
        };
        for event in events.values() {
            if event["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            let props = &event["Properties"];
            if let (Some(method), Some(path)) = (props["Method"].as_str(), props["Path"].as_str()) {
                routes.insert((method.to_ascii_uppercase(), path.to_owned()));
            }
        }
    }
    routes
}

#[test]
fn every_routed_operation_is_documented_and_every_documented_one_routed() {
    let mut problems = Vec::new();
    let routed = routed(&mut problems);
    let documented = documented_routes(&document());
    for (method, path) in routed.difference(&documented) {
        problems.push(format!(
            "{method} {path} is routed (Cargo.toml) but not in docs/openapi.yaml: describe it \
             there (parameters, body, every response)"
        ));
    }
    for (method, path) in documented.difference(&routed) {
        problems.push(format!(
            "{method} {path} is in docs/openapi.yaml but not routed in Cargo.toml's \
             [workspace.metadata.lambda.watch.router]"
        ));
    }
    assert_no_problems("docs/openapi.yaml and the router disagree", &problems);
}

#[test]
fn every_template_route_is_documented() {
    let documented = documented_routes(&document());
    let problems: Vec<String> = template_routes()
        .difference(&documented)
        .map(|(method, path)| {
            format!("{method} {path} is in infra/template.yaml but not in docs/openapi.yaml")
        })
        .collect();
    assert_no_problems(
        "infra/template.yaml serves routes the document does not describe",
        &problems,
    );
}

/// The value a local `$ref` (`#/components/...`) points at.
fn resolve<'d>(doc: &'d Value, reference: &str) -> Option<&'d Value> {
    let pointer = reference.strip_prefix("#/")?;
    pointer.split('/').try_fold(doc, |node, segment| {
        node.get(segment.replace("~1", "/").replace("~0", "~").as_str())
    })
}

/// `value`, or what it refers to when it is a `$ref`.
fn deref<'d>(doc: &'d Value, value: &'d Value) -> &'d Value {
    match value["$ref"].as_str() {
        Some(reference) => resolve(doc, reference).unwrap_or(&Value::Null),
        None => value,
    }
}

fn collect_refs<'v>(value: &'v Value, refs: &mut Vec<&'v str>) {
    match value {
        Value::Mapping(map) => {
            for (key, item) in map {
                match (key.as_str(), item.as_str()) {
                    (Some("$ref"), Some(reference)) => refs.push(reference),
                    _ => collect_refs(item, refs),
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|item| collect_refs(item, refs)),
        Value::Tagged(tagged) => collect_refs(&tagged.value, refs),
        _ => {}
    }
}

#[test]
fn every_reference_resolves() {
    let doc = document();
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty(), "the document uses components");
    let problems: Vec<String> = refs
        .into_iter()
        .filter(|r| resolve(&doc, r).is_none())
        .map(|r| format!("$ref {r} does not resolve"))
        .collect();
    assert_no_problems("docs/openapi.yaml has dangling references", &problems);
}

/// The names of the parameters declared `in: path` for an operation, at the path or the
/// operation level.
fn declared_path_parameters(doc: &Value, path_item: &Value, operation: &Value) -> BTreeSet<String> {
    [&path_item["parameters"], &operation["parameters"]]
        .into_iter()
        .filter_map(Value::as_sequence)
        .flatten()
        .map(|p| deref(doc, p))
        .filter(|p| p["in"].as_str() == Some("path"))
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect()
}

fn template_parameters(path: &str) -> BTreeSet<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

/// The operation's security requirements (its own, else the document's): whether every
/// way in needs a credential.
fn requires_credentials(doc: &Value, operation: &Value) -> bool {
    let security = match &operation["security"] {
        Value::Null => &doc["security"],
        own => own,
    };
    security.as_sequence().is_some_and(|alternatives| {
        !alternatives.is_empty()
            && alternatives
                .iter()
                .all(|a| a.as_mapping().is_some_and(|m| !m.is_empty()))
    })
}

#[test]
fn every_operation_declares_its_parameters_and_the_contract_errors() {
    let doc = document();
    let mut problems = Vec::new();
    let mut ids = BTreeSet::new();
    for ((method, path), operation) in operations(&doc) {
        let name = format!("{method} {path}");
        match operation["operationId"].as_str() {
            Some(id) if !ids.insert(id.to_owned()) => {
                problems.push(format!("{name}: operationId {id} is used twice"))
            }
            Some(_) => {}
            None => problems.push(format!("{name}: no operationId")),
        }
        let declared = declared_path_parameters(&doc, &doc["paths"][path.as_str()], operation);
        let in_template = template_parameters(&path);
        for missing in in_template.difference(&declared) {
            problems.push(format!("{name}: path parameter {missing} is not declared"));
        }
        for extra in declared.difference(&in_template) {
            problems.push(format!(
                "{name}: declares path parameter {extra}, not in the path"
            ));
        }
        let responses = &operation["responses"];
        if responses.as_mapping().is_none_or(|r| r.is_empty()) {
            problems.push(format!("{name}: no responses"));
            continue;
        }
        let documents = |status: &str| responses.get(status).is_some();
        if requires_credentials(&doc, operation) && !documents("401") {
            problems.push(format!(
                "{name}: requires credentials but does not document 401"
            ));
        }
        if !operation["requestBody"].is_null() && !documents("413") {
            problems.push(format!("{name}: reads a body but does not document 413"));
        }
        if !documents("500") {
            problems.push(format!("{name}: does not document 500"));
        }
    }
    assert_no_problems("docs/openapi.yaml is incomplete", &problems);
}

#[test]
fn json_errors_have_the_contract_shape() {
    let doc = document();
    let error = &doc["components"]["schemas"]["Error"];
    let required: BTreeSet<&str> = error["required"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(required, BTreeSet::from(["error", "message"]));
    let validation = &doc["components"]["schemas"]["ValidationError"];
    assert!(
        validation["required"]
            .as_sequence()
            .is_some_and(|r| r.iter().any(|f| f.as_str() == Some("details"))),
        "422 bodies require `details`"
    );
    let responses = &doc["components"]["responses"];
    for (response, header) in [
        ("Unauthorized", "WWW-Authenticate"),
        ("TooManyRequests", "Retry-After"),
        ("ServiceUnavailable", "Retry-After"),
    ] {
        let declared = deref(&doc, &responses[response]["headers"][header]);
        assert_eq!(
            declared["required"].as_bool(),
            Some(true),
            "{response} responses carry {header}"
        );
    }
}
