//! Where a request's time goes inside a handler when it is not waiting on AWS, and a cold
//! start's own work repeated in a warm process: `cargo bench -p shared --bench cpu`.
//! `make bench` reports the medians (bench/src/cpu.rs names each benchmark). Run with the
//! local environment (`scripts/env.sh`): the SDK configuration reads it.

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::LazyLock;

use divan::Bencher;
use lambda_http::Request;
use serde_json::json;
use shared::app::App;
use shared::config::Config;
use shared::model::{FieldSelection, Recording, RecordingConfig, Room, RoomConfig, RoomSecrets};
use shared::pagination::{Cursor, ListQuery, Page};
use shared::permissions::{Action, Principal, RecordingAccess, Role, is_allowed};
use shared::store::Item;

fn main() {
    // The log line benchmark writes through the functions' subscriber, to nowhere.
    shared::runtime::init_logging(std::io::sink);
    // Built before any benchmark, so that no first sample pays for it.
    LazyLock::force(&APP);
    divan::main();
}

/// The functions' local configuration, as a function started by `make bench` reads it.
static VARS: LazyLock<HashMap<&str, &str>> = LazyLock::new(|| {
    include_str!("../../infra/local.env")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .collect()
});

fn config() -> Config {
    Config::from_lookup(|k| VARS.get(k).map(|v| (*v).to_owned())).expect("infra/local.env")
}

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
});

static SDK: LazyLock<aws_config::SdkConfig> = LazyLock::new(|| {
    RUNTIME
        .block_on(shared::runtime::sdk_config())
        .expect("SDK config")
});

static APP: LazyLock<App> = LazyLock::new(|| App::new(config(), &SDK));

const RECORDING_ID: &str = "bench-cpu--EG_cpu000000--ucpu000000";

/// A GET of one recording as API Gateway sends it, with `header` set.
fn get_event(header: (&str, &str)) -> String {
    let mut event: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/fixtures/apigw-v2-request.json"))
            .expect("the fixture is JSON");
    event["routeKey"] = json!("GET /api/v1/recordings/{recordingId}");
    event["rawPath"] = json!(format!("/api/v1/recordings/{RECORDING_ID}"));
    event["pathParameters"] = json!({ "recordingId": RECORDING_ID });
    event["headers"][header.0] = json!(header.1);
    event.to_string()
}

fn request(header: (&str, &str)) -> Request {
    lambda_http::request::from_str(&get_event(header)).expect("a valid event")
}

fn admin_token() -> String {
    let now = shared::clock::now_seconds();
    APP.auth.tokens.issue_admin("admin", now).expect("a token")
}

fn recordings() -> Vec<Recording> {
    (0..10)
        .map(|n| {
            serde_json::from_value(json!({
                "recordingId": format!("bench-cpu--EG_cpu{n:06}--ucpu{n:06}"),
                "roomId": "bench-cpu", "roomName": "Bench cpu", "status": "complete",
                "filename": format!("cpu{n}.mp4"), "startDate": 1_793_491_200_000_i64 - n * 1000,
                "endDate": 1_793_491_204_000_i64, "duration": 4.0, "size": 100_000,
                "errorCode": null, "error": null, "details": "Stopped using API",
            }))
            .expect("a recording")
        })
        .collect()
}

fn cursor() -> Cursor {
    Cursor {
        key: format!("{:016}#{RECORDING_ID}", 1_793_491_200_000_i64),
        segment: 0,
    }
}

const FINGERPRINT: &str = "room=*;status=*;sort=desc";

#[divan::bench]
fn event_to_request(bencher: Bencher) {
    let event = get_event(("x-api-key", "key"));
    bencher.bench_local(|| lambda_http::request::from_str(black_box(&event)).ok());
}

#[divan::bench]
fn authenticate_api_key(bencher: Bencher) {
    let request = request(("x-api-key", VARS["LOCAL_API_KEY"]));
    bencher.bench_local(|| APP.auth.authenticate(black_box(&request)).ok());
}

#[divan::bench]
fn verify_admin_jwt(bencher: Bencher) {
    let token = admin_token();
    bencher.bench_local(|| APP.auth.tokens.verify(black_box(&token)).ok());
}

#[divan::bench]
fn verify_room_jwt(bencher: Bencher) {
    let room = shared::model::RoomId::parse("bench-cpu").expect("a room id");
    let now = shared::clock::now_seconds();
    let token = APP.auth.tokens.issue_room(&room, Role::Moderator, now);
    let token = token.expect("a token");
    bencher.bench_local(|| APP.auth.tokens.verify(black_box(&token)).ok());
}

#[divan::bench]
fn authenticate_bearer(bencher: Bencher) {
    let request = request(("authorization", &format!("Bearer {}", admin_token())));
    bencher.bench_local(|| APP.auth.authenticate(black_box(&request)).ok());
}

#[divan::bench]
fn permission_decision(bencher: Bencher) {
    let secrets = RoomSecrets::generate();
    let recording = RecordingConfig {
        enabled: true,
        allow_access_to: RecordingAccess::AdminModerator,
        ..RecordingConfig::default()
    };
    let room = Room::new(
        "Bench".into(),
        RoomConfig {
            recording,
            ..RoomConfig::default()
        },
        0,
        &secrets,
    );
    let participant = Principal::Participant {
        room_id: room.room_id.clone(),
        role: Role::Moderator,
    };
    let policy = room.policy();
    bencher.bench_local(|| {
        is_allowed(
            black_box(&participant),
            Action::ReadRecording,
            Some(&policy),
        )
    });
}

#[divan::bench]
fn check_share_secret(bencher: Bencher) {
    let secret = "a-share-secret-of-the-usual-length-0123456789";
    let digest = shared::crypto::sha256_hex(secret.as_bytes());
    bencher.bench_local(|| {
        let presented = shared::crypto::sha256_hex(black_box(secret.as_bytes()));
        shared::crypto::constant_time_eq(presented.as_bytes(), digest.as_bytes())
    });
}

#[divan::bench]
fn encode_page_token(bencher: Bencher) {
    let (tokens, cursor) = (APP.page_tokens().expect("page tokens"), cursor());
    bencher.bench_local(|| tokens.encode(black_box(&cursor), FINGERPRINT));
}

#[divan::bench]
fn decode_page_token(bencher: Bencher) {
    let tokens = APP.page_tokens().expect("page tokens");
    let token = tokens.encode(&cursor(), FINGERPRINT);
    bencher.bench_local(|| tokens.decode(black_box(&token), FINGERPRINT).ok());
}

#[divan::bench]
fn parse_list_query(bencher: Bencher) {
    let tokens = APP.page_tokens().expect("page tokens");
    let token = tokens.encode(&cursor(), FINGERPRINT);
    let params = HashMap::from([("maxItems", "10"), ("nextPageToken", token.as_str())]);
    bencher.bench_local(|| ListQuery::parse(|k| params.get(k).copied(), tokens).ok());
}

#[divan::bench]
fn decode_items(bencher: Bencher) {
    let items: Vec<Item> = recordings()
        .iter()
        .map(|r| shared::store::recording_item(r).expect("an item"))
        .collect();
    bencher.bench_local(|| {
        for item in &items {
            black_box(shared::store::decode_recording_item(item.clone()).ok());
        }
    });
}

#[divan::bench]
fn serialize_page(bencher: Bencher) {
    let tokens = APP.page_tokens().expect("page tokens");
    let fields = FieldSelection::parse(None);
    let page = Page {
        next: Some(cursor()),
        items: recordings(),
    };
    bencher.bench_local(|| {
        let body = page.to_json("recordings", 10, FINGERPRINT, tokens, |r| fields.apply(r));
        serde_json::to_vec(&body).ok()
    });
}

#[divan::bench]
fn serialize_recording(bencher: Bencher) {
    let (fields, recording) = (FieldSelection::parse(None), recordings().remove(0));
    bencher.bench_local(|| serde_json::to_vec(&fields.apply(black_box(&recording))).ok());
}

#[divan::bench]
fn presign_get(bencher: Bencher) {
    let id = recordings().remove(0).recording_id;
    let (key, filename) = (id.s3_key(), id.filename());
    let presign = || {
        let inline = shared::media::Disposition::Inline;
        RUNTIME.block_on(APP.media().presign_video(&key, &filename, inline))
    };
    presign().expect("presigning works with this environment");
    bencher.bench_local(|| presign().ok());
}

#[divan::bench]
fn log_line() {
    tracing::info!(
        request_id = "bench-request-id",
        method = "GET",
        route = "/api/v1/recordings/{recordingId}",
        status = 200u16,
        latency_ms = 1.234f64,
        aws_calls = 1u32,
        "request"
    );
}

#[divan::bench]
fn init_read_config() -> Config {
    config()
}

#[divan::bench]
fn init_sdk_config() -> Option<aws_config::SdkConfig> {
    RUNTIME.block_on(shared::runtime::sdk_config()).ok()
}

#[divan::bench]
fn init_app(bencher: Bencher) {
    let config = config();
    bencher.bench_local(|| App::new(config.clone(), &SDK));
}

#[divan::bench]
fn init_first_use_clients(bencher: Bencher) {
    let config = config();
    bencher
        .with_inputs(|| App::new(config.clone(), &SDK))
        .bench_local_values(|app| {
            app.media();
            app.events();
            app
        });
}

#[divan::bench]
fn init_livekit_client(bencher: Bencher) {
    let livekit = config().livekit.expect("LIVEKIT_* in infra/local.env");
    bencher.bench_local(|| shared::livekit::Egress::new(&livekit).ok());
}
