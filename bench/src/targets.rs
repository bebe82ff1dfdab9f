//! What the benchmarks send: the cold-start target of every binary and the warm routes,
//! as tables over the run's data.

use Credential::{ApiKey, ShareSecret, SpeakerSecret};
use integration_tests::ApiRequest;
use serde_json::{Value, json};

/// The run's data that requests refer to.
pub struct World {
    pub api_key: String,
    /// Ten rooms, then the cold starts' room.
    pub rooms: Vec<String>,
    /// The speaker secret of the first room.
    pub speaker_secret: String,
    /// A recording of the first room, with a video and a share link.
    pub featured: String,
    pub share_secret: String,
    pub admin_token: String,
    pub moderator_token: String,
    /// Recordings the cold starts of the delete function delete, one each.
    pub cold_deletes: Vec<String>,
    /// Recordings the warm share-link route shares, in turn.
    pub share_targets: Vec<String>,
}

/// How a request is authorised; the cold starts also time it without (no AWS call then).
#[derive(Clone, Copy)]
pub enum Credential {
    ApiKey,
    /// `?secret=` of the featured recording's share link.
    ShareSecret,
    /// The first room's speaker secret, in the body.
    SpeakerSecret,
    /// Neither the request nor its function takes one.
    None,
}

impl World {
    pub fn admin(&self, request: ApiRequest) -> ApiRequest {
        request.header("x-api-key", &self.api_key)
    }

    pub fn with(&self, credential: Credential, request: ApiRequest) -> ApiRequest {
        match credential {
            Credential::ApiKey => self.admin(request),
            Credential::ShareSecret => request.query("secret", &self.share_secret),
            Credential::SpeakerSecret => request.json(&json!({"secret": self.speaker_secret})),
            Credential::None => request,
        }
    }
}

/// What starts a function: a request (without its credential), EventBridge Scheduler's
/// event, or an SQS message.
pub enum Trigger {
    Http(ApiRequest),
    Scheduled,
    Queued(Value),
}

use Trigger::{Http, Queued, Scheduled};

/// A binary whose cold starts are measured.
pub struct ColdTarget {
    pub name: &'static str,
    pub describe: &'static str,
    pub credential: Credential,
    /// What the `n`-th start gets.
    request: fn(&World, usize) -> Trigger,
}

impl ColdTarget {
    /// The `n`-th start's event, making the AWS calls a real one makes.
    pub fn event(&self, w: &World, n: usize) -> Value {
        match (self.request)(w, n) {
            Http(request) => w.with(self.credential, request).event(),
            Queued(event) => event,
            // What EventBridge Scheduler sends a scheduled function.
            Scheduled => json!({
                "version": "0", "id": "bench-scheduled-event", "detail-type": "Scheduled Event",
                "source": "aws.events", "account": "123456789012", "time": "2026-11-27T00:00:00Z",
                "region": "us-east-1", "detail": {},
                "resources": ["arn:aws:events:us-east-1:123456789012:rule/sweep-recordings"],
            }),
        }
    }

    /// A request refused before any AWS call (no credential: 401, 404 page or 422).
    pub fn no_aws(&self, w: &World) -> Option<Value> {
        match (self.credential, (self.request)(w, 0)) {
            (Credential::None, _) => None,
            (_, Http(request)) => Some(request.event()),
            _ => None,
        }
    }
}

/// `method route` with the featured recording's id.
pub fn recording(w: &World, method: &str, route: &str) -> ApiRequest {
    ApiRequest::new(method, route).path_param("recordingId", &w.featured)
}

fn room(w: &World, method: &str, route: &str) -> ApiRequest {
    ApiRequest::new(method, route).path_param("roomId", &w.rooms[0])
}

pub fn get(w: &World) -> ApiRequest {
    recording(w, "GET", "/api/v1/recordings/{recordingId}")
}

pub fn media(w: &World) -> ApiRequest {
    recording(w, "GET", "/api/v1/recordings/{recordingId}/media")
}

pub fn list() -> ApiRequest {
    ApiRequest::new("GET", "/api/v1/recordings")
}

fn token_request(w: &World) -> ApiRequest {
    room(w, "POST", "/api/v1/rooms/{roomId}/recording-token").json(&json!({}))
}

/// The floor the functions' cold starts are compared with (src/bin/hello.rs).
pub const HELLO: &str = "bench-hello";

/// Every binary, the hello (an SDK-free `lambda_http` function) last: the floor.
#[rustfmt::skip]
pub const COLD: &[ColdTarget] = &[
    ColdTarget { name: "delete-recordings", describe: "DELETE /api/v1/recordings/{id}?permanent=true (a fresh one each start)", credential: ApiKey, request: |w, n| {
        let id = &w.cold_deletes[n % w.cold_deletes.len()];
        Http(ApiRequest::new("DELETE", "/api/v1/recordings/{recordingId}").path_param("recordingId", id).query("permanent", "true"))
    } },
    ColdTarget { name: "download-recording", describe: "GET …/media?redirect=false", credential: ApiKey, request: |w, _| Http(media(w).query("redirect", "false")) },
    ColdTarget { name: "egress-webhook", describe: "POST /webhooks/livekit, unsigned (no LiveKit here)", credential: Credential::None, request: |_, _| {
        Http(ApiRequest::new("POST", "/webhooks/livekit").json(&json!({"event": "egress_ended"})))
    } },
    ColdTarget { name: "get-recording", describe: "GET /api/v1/recordings/{id}", credential: ApiKey, request: |w, _| Http(get(w)) },
    ColdTarget { name: "issue-token", describe: "POST …/recording-token (speaker secret)", credential: SpeakerSecret, request: |w, _| Http(token_request(w)) },
    ColdTarget { name: "list-recordings", describe: "GET /api/v1/recordings", credential: ApiKey, request: |_, _| Http(list()) },
    ColdTarget { name: "record-control", describe: "POST …/stop of a finished recording", credential: ApiKey, request: |w, _| {
        Http(recording(w, "POST", "/api/v1/recordings/{recordingId}/stop"))
    } },
    ColdTarget { name: "room-access", describe: "GET /api/v1/rooms/{roomId}", credential: ApiKey, request: |w, _| Http(room(w, "GET", "/api/v1/rooms/{roomId}")) },
    ColdTarget { name: "share-page", describe: "GET /recording/{id}?secret=", credential: ShareSecret, request: |w, _| {
        Http(recording(w, "GET", "/recording/{recordingId}"))
    } },
    ColdTarget { name: "share-recording", describe: "GET …/shares", credential: ApiKey, request: |w, _| {
        Http(recording(w, "GET", "/api/v1/recordings/{recordingId}/shares"))
    } },
    ColdTarget { name: "sweep-recordings", describe: "a scheduled (EventBridge) event", credential: Credential::None, request: |_, _| Scheduled },
    ColdTarget { name: "update-recording", describe: "PATCH /api/v1/recordings/{id} (a title)", credential: ApiKey, request: |w, _| {
        Http(recording(w, "PATCH", "/api/v1/recordings/{recordingId}").json(&json!({"title": "Cold start"})))
    } },
    ColdTarget { name: "export-recordings", describe: "GET /api/v1/exports/{id} (unknown: 404 after its read)", credential: ApiKey, request: |_, _| {
        Http(ApiRequest::new("GET", "/api/v1/exports/{exportId}").path_param("exportId", "nosuchexport"))
    } },
    ColdTarget { name: "build-export", describe: "an SQS message for an unknown export (an upload started and aborted)", credential: Credential::None, request: |_, _| {
        Queued(json!({"Records": [{"messageId": "bench", "body": "{\"exportId\": \"nosuchexport\"}", "eventSource": "aws:sqs"}]}))
    } },
    ColdTarget { name: HELLO, describe: "GET /hello", credential: Credential::None, request: |_, _| Http(ApiRequest::new("GET", "/hello")) },
];

/// A route whose warm latency is measured.
pub struct WarmRoute {
    pub label: &'static str,
    pub function: &'static str,
    /// `GET /api/v1/...` as API Gateway's route key.
    pub route: &'static str,
    pub credential: &'static str,
    pub expect_status: u16,
    /// AWS calls the budget allows, where it sets one.
    pub budget: Option<u64>,
    pub note: &'static str,
    /// The request of the `i`-th invocation.
    pub request: fn(&World, usize) -> ApiRequest,
}

const fn warm(
    (label, function, route): (&'static str, &'static str, &'static str),
    (credential, expect_status, budget): (&'static str, u16, Option<u64>),
    note: &'static str,
    request: fn(&World, usize) -> ApiRequest,
) -> WarmRoute {
    WarmRoute {
        label,
        function,
        route,
        credential,
        expect_status,
        budget,
        note,
        request,
    }
}

const KEY: &str = "API key";
const LINK: &str = "share link";
const MODERATOR: &str = "room token (moderator)";
const GET: (&str, &str, &str) = ("get", "get-recording", "GET /api/v1/recordings/{id}");

#[rustfmt::skip]
pub const WARM: &[WarmRoute] = &[
    warm(("list", "list-recordings", "GET /api/v1/recordings"), (KEY, 200, Some(1)),
        "first page of 10, every room", |w, _| w.admin(list())),
    warm(("list one room", "list-recordings", "GET /api/v1/recordings?roomId="), (KEY, 200, Some(1)),
        "first page of 10", |w, _| w.admin(list()).query("roomId", &w.rooms[3])),
    warm(("list as a participant", "list-recordings", "GET /api/v1/recordings"), (MODERATOR, 200, None),
        "a room token's list reads the room's access first: 2 calls by design", |w, _| list().bearer(&w.moderator_token)),
    warm(GET, (KEY, 200, Some(1)), "", |w, _| w.admin(get(w))),
    warm(GET, ("admin JWT", 200, Some(1)), "", |w, _| get(w).bearer(&w.admin_token)),
    warm(GET, (MODERATOR, 200, Some(1)), "", |w, _| get(w).bearer(&w.moderator_token)),
    warm(("share-open", "get-recording", "GET /api/v1/recordings/{id}?secret="), (LINK, 200, Some(1)),
        "the link, its recording and the room in one BatchGetItem", |w, _| w.with(ShareSecret, get(w))),
    warm(("media", "download-recording", "GET /api/v1/recordings/{id}/media?redirect=false"), (KEY, 200, Some(1)),
        "presigned locally", |w, _| w.admin(media(w)).query("redirect", "false")),
    warm(("media", "download-recording", "GET /api/v1/recordings/{id}/media"), (KEY, 302, Some(1)),
        "redirect", |w, _| w.admin(media(w))),
    warm(("download", "download-recording", "GET /api/v1/recordings/{id}/download"), (KEY, 302, Some(1)),
        "redirect", |w, _| w.admin(recording(w, "GET", "/api/v1/recordings/{recordingId}/download"))),
    warm(("media share-open", "download-recording", "GET /api/v1/recordings/{id}/media?secret="), (LINK, 200, Some(1)),
        "?redirect=false", |w, _| w.with(ShareSecret, media(w)).query("redirect", "false")),
    warm(("share page", "share-page", "GET /recording/{id}?secret="), (LINK, 200, Some(1)),
        "HTML with two presigned URLs", |w, _| w.with(ShareSecret, recording(w, "GET", "/recording/{recordingId}"))),
    warm(("share link", "share-recording", "GET /api/v1/recordings/{id}/url"), (KEY, 200, None),
        "reads, then stores the link and lists it on its recording in one transaction: 2 calls", |w, i| {
            let id = &w.share_targets[i % w.share_targets.len()];
            w.admin(ApiRequest::new("GET", "/api/v1/recordings/{recordingId}/url").path_param("recordingId", id))
        }),
    warm(("room", "room-access", "GET /api/v1/rooms/{roomId}"), (KEY, 200, None),
        "", |w, _| w.admin(room(w, "GET", "/api/v1/rooms/{roomId}"))),
    warm(("room token", "issue-token", "POST /api/v1/rooms/{roomId}/recording-token"), ("speaker secret", 200, None),
        "reads the caller's failed attempts, then the room", |w, _| w.with(SpeakerSecret, token_request(w))),
];
