//! Least privilege, function by function. Every statement of every function's role is
//! checked against [`GRANTS`], the calls its code makes, and nothing else is allowed; the
//! secrets it may read against [`SECRETS`], which its environment must name by ARN and
//! never hold. [`CALLS`] ties the table to the code: every AWS call in `shared/src` needs a
//! grant somewhere and every grant a call, so neither can drift unnoticed.

use std::collections::{BTreeMap, BTreeSet};

use integration_tests::iam::{Policies, Statement, render};
use serde_yaml_ng::Value;
use shared::secrets::{SECRET_ARN_SUFFIX, SECRET_VARIABLES};

use crate::{assert_no_problems, read_template, repo_root};

/// Actions on a resource, limited to the items of these partitions (`dynamodb:LeadingKeys`
/// prefixes). No prefixes: no condition, which only index queries and other services'
/// actions may have.
type Grant = (
    &'static [&'static str],
    &'static str,
    &'static [&'static str],
);

const TABLE: &str = "table";
/// `recordings/*` in the recordings bucket.
const VIDEOS: &str = "bucket/recordings/*";
const BUS: &str = "bus";
/// `exports/*` in the recordings bucket: the exports' ZIPs.
const ZIPS: &str = "bucket/exports/*";

/// What each function's code calls, and the code that calls it. A transaction needs the
/// actions of its items (`TransactWriteItems` is no IAM action); a batch's keys must all
/// match one statement's prefixes.
const GRANTS: &[(&str, &[Grant])] = &[
    (
        "list-recordings",
        &[
            // Store::list_recordings: a page in one of the list orders (store/orders.rs).
            (&["dynamodb:Query"], "table/index/GSI1", &[]),
            (&["dynamodb:Query"], "table/index/GSI2", &[]),
            (&["dynamodb:Query"], "table/index/GSI4", &[]),
            (&["dynamodb:Query"], "table/index/GSI5", &[]),
            (&["dynamodb:Query"], "table/index/GSI6", &[]),
            (&["dynamodb:Query"], "table/index/GSI7", &[]),
            (&["dynamodb:Query"], "table/index/GSI8", &[]),
            // access::authorize_in_room: a room token's room and its access; the room
            // whose activity is asked for.
            (&["dynamodb:GetItem"], TABLE, &["ROOM#"]),
            // A page's rooms, for their retention (`expiresAt`).
            (&["dynamodb:BatchGetItem"], TABLE, &["ROOM#"]),
            // Store::list_activity: a room's entries, or a recording's in GSI3.
            (&["dynamodb:Query"], TABLE, &["ACT#"]),
            (&["dynamodb:Query"], "table/index/GSI3", &["ACT#"]),
        ],
    ),
    (
        "get-recording",
        &[
            // shares::readable_recording: the recording and its room (get_recording_with_room),
            // or with ?secret= the link too (load_share_opening).
            (
                &["dynamodb:BatchGetItem"],
                TABLE,
                &["REC#", "ROOM#", "SHARE#"],
            ),
            // shares::check_password: a link's wrong passwords, counted like logins.
            (
                &[
                    "dynamodb:GetItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                ],
                TABLE,
                &["THROTTLE#"],
            ),
        ],
    ),
    (
        "update-recording",
        &[
            // titles::set_title and legal_hold::set_hold: a room token's room and its
            // access, then the title or the hold alone.
            (&["dynamodb:GetItem"], TABLE, &["ROOM#"]),
            (&["dynamodb:UpdateItem"], TABLE, &["REC#"]),
            // ActivityLog::record.
            (&["dynamodb:PutItem"], TABLE, &["ACT#"]),
        ],
    ),
    (
        "download-recording",
        &[
            (
                &["dynamodb:BatchGetItem"],
                TABLE,
                &["REC#", "ROOM#", "SHARE#"],
            ),
            // Media::presign_video: the presigned URL is the role's GetObject.
            (&["s3:GetObject"], VIDEOS, &[]),
            // shares::open: a link's password attempts (read when refused, counted,
            // cleared) and its views, counted by a conditional update.
            (
                &["dynamodb:GetItem", "dynamodb:DeleteItem"],
                TABLE,
                &["THROTTLE#"],
            ),
            (&["dynamodb:UpdateItem"], TABLE, &["SHARE#", "THROTTLE#"]),
            // ActivityLog::record.
            (&["dynamodb:PutItem"], TABLE, &["ACT#"]),
        ],
    ),
    (
        "room-access",
        &[
            // Store::list_rooms.
            (&["dynamodb:Query"], "table/index/GSI1", &[]),
            // get_room (a participant reads the room), and get_recording for the recording
            // that holds the room's lock (lifecycle::current_recording).
            (&["dynamodb:GetItem"], TABLE, &["REC#", "ROOM#"]),
            // update_recording_config.
            (&["dynamodb:UpdateItem"], TABLE, &["ROOM#"]),
            // The only function reading rooms' secrets: get_room_with_secrets and
            // room_secrets for administrators; create_room writes both in a transaction.
            (&["dynamodb:BatchGetItem"], TABLE, &["ROOM#", "ROOMSECRET#"]),
            // create_room; ActivityLog::record of a room's new settings.
            (
                &["dynamodb:PutItem"],
                TABLE,
                &["ROOM#", "ROOMSECRET#", "ACT#"],
            ),
        ],
    ),
    (
        "issue-token",
        &[
            // get_room: the digests a presented secret is compared with; reserve_attempt
            // reads a full window's end.
            (&["dynamodb:GetItem"], TABLE, &["ROOM#", "THROTTLE#"]),
            // throttle: attempts counted and cleared, only ever updated or deleted.
            (
                &["dynamodb:UpdateItem", "dynamodb:DeleteItem"],
                TABLE,
                &["THROTTLE#"],
            ),
        ],
    ),
    (
        "delete-recordings",
        &[
            // deletion: the rooms the decision needs (load_with_rooms), then the marked
            // recordings and which have links (their counters, read_for_delete).
            (
                &["dynamodb:BatchGetItem"],
                TABLE,
                &["REC#", "ROOM#", "SHARE#"],
            ),
            // mark_deleting: the mark and the video's tombstone, in one transaction; moves
            // to and from the bin; a room's state (change_room) and a stopped recording's;
            // the activity entry of a single delete.
            (&["dynamodb:UpdateItem"], TABLE, &["REC#", "ROOM#"]),
            (&["dynamodb:PutItem"], TABLE, &["VIDEO#", "ACT#"]),
            // delete_share_partitions: the links found, then deleted 25 a call.
            (&["dynamodb:Query"], TABLE, &["SHARE#"]),
            // room_deletion: the room, and its recordings by its date index.
            (&["dynamodb:GetItem"], TABLE, &["ROOM#"]),
            (&["dynamodb:Query"], "table/index/GSI1", &[]),
            // The links, then the recordings' own items (delete_recording_items), last;
            // a bulk delete's activity entries, 25 a call; a deleted room and its secrets.
            (
                &["dynamodb:BatchWriteItem"],
                TABLE,
                &["SHARE#", "REC#", "ACT#", "ROOM#", "ROOMSECRET#"],
            ),
            (&["s3:DeleteObject"], VIDEOS, &[]),
            (&["events:PutEvents"], BUS, &[]),
        ],
    ),
    (
        "share-recording",
        &[
            // authorized_recording: the recording and its room.
            (&["dynamodb:BatchGetItem"], TABLE, &["REC#", "ROOM#"]),
            // create_share: the recording still there, in the link's transaction.
            (&["dynamodb:ConditionCheckItem"], TABLE, &["REC#"]),
            // Links and their counter: read (revoke_share, recount_live_links), listed,
            // revoked.
            (
                &["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"],
                TABLE,
                &["SHARE#"],
            ),
            // Links created; ActivityLog::record.
            (&["dynamodb:PutItem"], TABLE, &["SHARE#", "ACT#"]),
        ],
    ),
    (
        "share-page",
        &[
            // shares::open: the recording, its room and the link in one BatchGetItem.
            (
                &["dynamodb:BatchGetItem"],
                TABLE,
                &["REC#", "ROOM#", "SHARE#"],
            ),
            (&["s3:GetObject"], VIDEOS, &[]),
            // shares::open: a link's password attempts (read when refused, counted,
            // cleared) and its views, counted by a conditional update.
            (
                &["dynamodb:GetItem", "dynamodb:DeleteItem"],
                TABLE,
                &["THROTTLE#"],
            ),
            (&["dynamodb:UpdateItem"], TABLE, &["SHARE#", "THROTTLE#"]),
            // ActivityLog::record.
            (&["dynamodb:PutItem"], TABLE, &["ACT#"]),
        ],
    ),
    (
        "record-control",
        &[
            // lifecycle::start reads the room, stop the recording and its room.
            (&["dynamodb:GetItem"], TABLE, &["ROOM#"]),
            (&["dynamodb:BatchGetItem"], TABLE, &["REC#", "ROOM#"]),
            // The room's lock, the recording's status.
            (&["dynamodb:UpdateItem"], TABLE, &["REC#", "ROOM#"]),
            // store_started_recording: the recording and its video's claim.
            (&["dynamodb:PutItem"], TABLE, &["REC#", "VIDEO#"]),
            // recordingStarted.
            (&["events:PutEvents"], BUS, &[]),
        ],
    ),
    (
        "egress-webhook",
        &[
            // apply_webhook: the room, the recording, the video's claim.
            (&["dynamodb:GetItem"], TABLE, &["ROOM#", "REC#", "VIDEO#"]),
            (&["dynamodb:UpdateItem"], TABLE, &["REC#", "ROOM#"]),
            // apply_progress: the event remembered, the video claimed.
            (&["dynamodb:PutItem"], TABLE, &["EVENT#", "VIDEO#"]),
            // The video a deleted recording's egress uploaded late.
            (&["s3:DeleteObject"], VIDEOS, &[]),
            (&["events:PutEvents"], BUS, &[]),
        ],
    ),
    (
        "sweep-recordings",
        &[
            // live_recordings, abandoned_deletes, due_for_purge and rooms_due.
            (&["dynamodb:Query"], "table/index/GSI3", &[]),
            // retained_rooms, and the recordings retention and room deletions read.
            (&["dynamodb:Query"], "table/index/GSI2", &[]),
            (&["dynamodb:Query"], "table/index/GSI1", &[]),
            (&["dynamodb:GetItem"], TABLE, &["ROOM#"]),
            // Stale recordings aborted, their rooms freed; due ones marked, moved to the
            // bin or warned of; rooms closed or closing.
            (&["dynamodb:UpdateItem"], TABLE, &["REC#", "ROOM#"]),
            (&["dynamodb:PutItem"], TABLE, &["VIDEO#"]),
            // Deletes finished as delete-recordings does; a recording stopped with its room.
            (
                &["dynamodb:BatchGetItem"],
                TABLE,
                &["REC#", "ROOM#", "SHARE#"],
            ),
            (&["dynamodb:Query"], TABLE, &["SHARE#"]),
            (
                &["dynamodb:BatchWriteItem"],
                TABLE,
                &["SHARE#", "REC#", "ROOM#", "ROOMSECRET#"],
            ),
            (&["s3:DeleteObject"], VIDEOS, &[]),
            (&["events:PutEvents"], BUS, &[]),
        ],
    ),
    (
        "export-recordings",
        &[
            // exports::start_export: the recordings and the rooms the decisions need.
            (&["dynamodb:BatchGetItem"], TABLE, &["REC#", "ROOM#"]),
            // put_export, then get_export to follow it.
            (
                &["dynamodb:PutItem", "dynamodb:GetItem"],
                TABLE,
                &["EXPORT#"],
            ),
            // Media::presign_get: the ZIP's presigned URL is the role's GetObject.
            (&["s3:GetObject"], ZIPS, &[]),
            // Jobs::start_export.
            (&["sqs:SendMessage"], "queue", &[]),
        ],
    ),
    (
        "build-export",
        &[
            // Each recording still there (load_with_rooms), before its video is read.
            (&["dynamodb:BatchGetItem"], TABLE, &["REC#"]),
            // start_export_run, export_progress, finish_export.
            (&["dynamodb:UpdateItem"], TABLE, &["EXPORT#"]),
            (&["s3:GetObject"], VIDEOS, &[]),
            // The multipart upload (its parts are s3:PutObject), aborted on failure.
            (&["s3:PutObject", "s3:AbortMultipartUpload"], ZIPS, &[]),
            // Lambda's poller, for the job (SERVICE_CALLS).
            (
                &[
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                ],
                "queue",
                &[],
            ),
        ],
    ),
];

/// Functions that authenticate requests (API keys, bearer tokens) or list with page tokens.
const AUTHENTICATES: &[&str] = &["TOKEN_SIGNING_KEY", "API_KEY_HASHES"];

/// The secrets each function reads at cold start: the signing key where tokens or page
/// tokens are issued or verified, the API key digests where requests are authenticated,
/// the administrator's hash only at login, the LiveKit secret where egresses are driven or
/// their webhooks verified.
const SECRETS: &[(&str, &[&str])] = &[
    ("list-recordings", AUTHENTICATES),
    ("get-recording", AUTHENTICATES),
    ("update-recording", AUTHENTICATES),
    ("download-recording", AUTHENTICATES),
    ("room-access", AUTHENTICATES),
    // Issues tokens; authenticates no request.
    ("issue-token", &["TOKEN_SIGNING_KEY", "ADMIN_PASSWORD_HASH"]),
    // A room deleted with `withMeeting=force` stops its recording's egress.
    (
        "delete-recordings",
        &["TOKEN_SIGNING_KEY", "API_KEY_HASHES", "LIVEKIT_API_SECRET"],
    ),
    ("share-recording", AUTHENTICATES),
    // A private link is opened with the caller's own credentials.
    ("share-page", AUTHENTICATES),
    (
        "record-control",
        &["TOKEN_SIGNING_KEY", "API_KEY_HASHES", "LIVEKIT_API_SECRET"],
    ),
    ("egress-webhook", &["LIVEKIT_API_SECRET"]),
    ("sweep-recordings", &["LIVEKIT_API_SECRET"]),
    ("export-recordings", AUTHENTICATES),
    // A queued job: authenticates no request.
    ("build-export", &[]),
];

/// Actions Lambda takes with a function's role rather than its code: its SQS event source
/// mapping's polling.
const SERVICE_CALLS: &[&str] = &[
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
];

/// The IAM action each AWS call of the shared code needs, by how the call is written.
const CALLS: &[(&str, &str)] = &[
    (".get_item()", "dynamodb:GetItem"),
    (".put_item()", "dynamodb:PutItem"),
    (".update_item()", "dynamodb:UpdateItem"),
    (".delete_item()", "dynamodb:DeleteItem"),
    (".query()", "dynamodb:Query"),
    (".scan()", "dynamodb:Scan"),
    (".batch_get_item()", "dynamodb:BatchGetItem"),
    (".batch_write_item()", "dynamodb:BatchWriteItem"),
    (".transact_get_items()", "dynamodb:GetItem"),
    // The items of a transaction.
    ("Put::builder()", "dynamodb:PutItem"),
    ("Update::builder()", "dynamodb:UpdateItem"),
    ("Delete::builder()", "dynamodb:DeleteItem"),
    ("ConditionCheck::builder()", "dynamodb:ConditionCheckItem"),
    (".get_object()", "s3:GetObject"),
    (".put_object()", "s3:PutObject"),
    (".delete_object()", "s3:DeleteObject"),
    (".delete_objects()", "s3:DeleteObject"),
    (".put_events()", "events:PutEvents"),
    (".create_multipart_upload()", "s3:PutObject"),
    (".upload_part()", "s3:PutObject"),
    (".complete_multipart_upload()", "s3:PutObject"),
    (".abort_multipart_upload()", "s3:AbortMultipartUpload"),
    (".send_message()", "sqs:SendMessage"),
    (".get_secret_value()", "secretsmanager:GetSecretValue"),
];

/// `(action, resource)` → the partitions it is limited to.
type Granted = BTreeMap<(String, String), BTreeSet<String>>;

/// What a function's role is granted, one entry per action and resource.
fn granted(binary: &str, statements: &[Statement], problems: &mut Vec<String>) -> Granted {
    let mut granted = Granted::new();
    for statement in statements {
        for action in &statement.actions {
            for resource in &statement.resources {
                let key = (action.clone(), resource.clone());
                if granted
                    .insert(key.clone(), statement.leading_keys.clone())
                    .is_some()
                {
                    problems.push(format!(
                        "{binary}: {} on {} is granted by two statements: keep one (a batch's \
                         keys must all match one statement)",
                        key.0, key.1
                    ));
                }
            }
        }
    }
    granted
}

fn expected(binary: &str) -> Option<Granted> {
    let (_, grants) = GRANTS.iter().find(|(name, _)| *name == binary)?;
    let (_, secrets) = SECRETS.iter().find(|(name, _)| *name == binary)?;
    let mut expected = Granted::new();
    for (actions, resource, prefixes) in grants.iter() {
        for action in actions.iter() {
            let prefixes = prefixes.iter().map(|p| (*p).to_owned()).collect();
            expected.insert(((*action).to_owned(), (*resource).to_owned()), prefixes);
        }
    }
    for secret in secrets.iter() {
        expected.insert(
            (
                "secretsmanager:GetSecretValue".to_owned(),
                format!("secret:{secret}"),
            ),
            BTreeSet::new(),
        );
    }
    Some(expected)
}

fn describe(prefixes: &BTreeSet<String>) -> String {
    if prefixes.is_empty() {
        "with no condition".into()
    } else {
        let list: Vec<_> = prefixes.iter().map(|p| format!("{p}*")).collect();
        format!("limited to {}", list.join(", "))
    }
}

/// The template's functions' environments (the globals' variables and their own), by
/// binary name.
fn environments(root: &Value) -> Vec<(String, BTreeMap<String, &Value>)> {
    let globals = root["Globals"]["Function"]["Environment"]["Variables"].as_mapping();
    let mut functions = Vec::new();
    for (id, resource) in root["Resources"].as_mapping().into_iter().flatten() {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let binary = resource["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .or(id.as_str())
            .unwrap_or("<non-string id>")
            .to_owned();
        let mut env = BTreeMap::new();
        let own = resource["Properties"]["Environment"]["Variables"].as_mapping();
        for (name, value) in globals.into_iter().chain(own).flatten() {
            env.insert(name.as_str().unwrap_or("<non-string>").to_owned(), value);
        }
        functions.push((binary, env));
    }
    functions
}

#[test]
fn every_function_is_granted_what_its_code_calls_and_nothing_else() {
    let policies = Policies::of(&read_template());
    let mut problems = policies.problems.clone();
    let mut seen = BTreeSet::new();
    for (binary, statements) in &policies.functions {
        let binary = binary.as_str();
        seen.insert(binary.to_owned());
        let granted = granted(binary, statements, &mut problems);
        let Some(expected) = expected(binary) else {
            problems.push(format!(
                "{binary}: not in GRANTS and SECRETS (tests/tests/infra/policies.rs): list what \
                 its code calls"
            ));
            continue;
        };
        for ((action, resource), prefixes) in &granted {
            if resource == TABLE && action.starts_with("dynamodb:") && prefixes.is_empty() {
                problems.push(format!(
                    "{binary}: {action} on the whole table: limit it with dynamodb:LeadingKeys"
                ));
            }
            // Only the rooms function reads rooms' secrets (or creates them); the functions
            // that delete rooms delete them too, in the same BatchWriteItem as the room.
            let deletes_rooms = action == "dynamodb:BatchWriteItem"
                && ["delete-recordings", "sweep-recordings"].contains(&binary);
            if binary != "room-access" && !deletes_rooms && prefixes.contains("ROOMSECRET#") {
                problems.push(format!(
                    "{binary}: {action} on rooms' secrets, which only room-access may touch"
                ));
            }
            match expected.get(&(action.clone(), resource.clone())) {
                None => problems.push(format!(
                    "{binary}: granted {action} on {resource} {}, which its code does not call",
                    describe(prefixes)
                )),
                Some(wanted) if wanted != prefixes => problems.push(format!(
                    "{binary}: {action} on {resource} is {}, its code needs it {}",
                    describe(prefixes),
                    describe(wanted)
                )),
                Some(_) => {}
            }
        }
        for ((action, resource), prefixes) in &expected {
            if !granted.contains_key(&(action.clone(), resource.clone())) {
                problems.push(format!(
                    "{binary}: its code calls {action} on {resource} ({}), which its role lacks",
                    describe(prefixes)
                ));
            }
        }
    }
    for (binary, _) in GRANTS {
        if !seen.contains(*binary) {
            problems.push(format!(
                "GRANTS names {binary}, no function of the template"
            ));
        }
    }
    assert_no_problems(
        "the functions' policies are not what their code calls",
        &problems,
    );
}

/// Secret values never reach a function's configuration: each secret it uses is named by
/// ARN, and only those its role may read.
#[test]
fn environments_name_secrets_and_never_hold_them() {
    let root = read_template();
    let mut problems = Vec::new();
    let looks_secret = |text: &str| {
        text.contains("{{resolve:secretsmanager:")
            || text.contains("{{resolve:ssm-secure:")
            || text.contains("$argon2id$")
            || text
                .as_bytes()
                .windows(64)
                .any(|w| w.iter().all(u8::is_ascii_hexdigit))
    };
    for (binary, env) in environments(&root) {
        let mut named = BTreeSet::new();
        for (name, value) in &env {
            let rendered = render(value);
            if looks_secret(&rendered) {
                problems.push(format!(
                    "{binary}: {name} is {rendered:?}, a secret value (or a reference resolved \
                     into one at deploy time)"
                ));
            }
            if SECRET_VARIABLES.contains(&name.as_str()) {
                problems.push(format!(
                    "{binary}: {name} is a secret: give {name}{SECRET_ARN_SUFFIX} instead"
                ));
            }
            if let Some(variable) = name.strip_suffix(SECRET_ARN_SUFFIX) {
                if !SECRET_VARIABLES.contains(&variable) {
                    problems.push(format!("{binary}: {name} names no secret the code reads"));
                }
                if rendered != format!("secret:{variable}") {
                    problems.push(format!(
                        "{binary}: {name} is {rendered}, not the secret of {variable}"
                    ));
                }
                named.insert(variable.to_owned());
            }
        }
        let wanted: BTreeSet<String> = SECRETS
            .iter()
            .find(|(name, _)| *name == binary)
            .map(|(_, secrets)| secrets.iter().map(|s| (*s).to_owned()).collect())
            .unwrap_or_default();
        if named != wanted {
            problems.push(format!(
                "{binary}: its environment names the secrets {named:?}, its code reads {wanted:?}"
            ));
        }
    }
    for (name, parameter) in root["Parameters"].as_mapping().into_iter().flatten() {
        let default = render(&parameter["Default"]);
        if looks_secret(&default) {
            problems.push(format!(
                "parameter {name:?}: its default looks like a secret"
            ));
        }
    }
    assert_no_problems("secrets in the functions' environment", &problems);
}

/// Every `.rs` file under `dir`.
fn sources(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
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
    files
}

#[test]
fn the_grants_are_the_calls_the_code_makes() {
    let mut called = BTreeMap::new();
    for path in sources(&repo_root().join("shared/src")) {
        let code = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        for (call, action) in CALLS {
            if code.contains(call) {
                called.entry(*action).or_insert_with(BTreeSet::new).insert(
                    path.file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                );
            }
        }
    }
    let granted: BTreeSet<&str> = GRANTS
        .iter()
        .flat_map(|(_, grants)| grants.iter().flat_map(|(actions, _, _)| actions.iter()))
        .copied()
        .chain(
            SECRETS
                .iter()
                .filter(|(_, s)| !s.is_empty())
                .map(|_| "secretsmanager:GetSecretValue"),
        )
        .collect();
    let mut problems = Vec::new();
    for (action, files) in &called {
        if !granted.contains(action) {
            problems.push(format!(
                "the code calls {action} ({}), which no function is granted",
                files.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    for action in &granted {
        if !called.contains_key(action) && !SERVICE_CALLS.contains(action) {
            problems.push(format!(
                "{action} is granted, but no code in shared/src calls it"
            ));
        }
    }
    assert_no_problems("GRANTS and the code's AWS calls disagree", &problems);
}
