//! What the benchmarks send: the cold-start target of every binary and the warm routes,
//! as tables over the run's data.

use integration_tests::ApiRequest;
use serde_json::{Value, json};

/// The run's data that requests refer to.
pub struct World {
    pub api_key: String,
    /// `bench-r0`..`bench-r9`, then the cold starts' room.
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

impl World {
    fn admin(&self, request: ApiRequest) -> ApiRequest {
        request.header("x-api-key", &self.api_key)
    }
}

/// `method route` with the featured recording's id.
fn recording(w: &World, method: &str, route: &str) -> ApiRequest {
    ApiRequest::new(method, route).path_param("recordingId", &w.featured)
}

fn room(w: &World, method: &str, route: &str) -> ApiRequest {
    ApiRequest::new(method, route).path_param("roomId", &w.rooms[0])
}

fn token_request(w: &World) -> ApiRequest {
    room(w, "POST", "/api/v1/rooms/{roomId}/recording-token").json(&json!({}))
}

/// A binary whose cold starts are measured.
pub struct ColdTarget {
    pub name: &'static str,
    pub describe: &'static str,
    /// The `n`-th start's request, making the AWS calls a real one makes.
    pub event: fn(&World, usize) -> Value,
    /// A request answered before any AWS call (no credentials and the like), and what it is.
    pub no_aws: Option<(&'static str, Event)>,
}

pub type Event = fn(&World) -> Value;

const NO_CREDENTIALS: &str = "no credentials → 401";

/// The hello is the floor: an SDK-free `lambda_http` function.
pub const COLD: &[ColdTarget] = &[
    ColdTarget {
        name: "delete-recordings",
        describe: "DELETE /api/v1/recordings/{id} (a fresh one each start)",
        event: |w, n| {
            let id = &w.cold_deletes[n % w.cold_deletes.len()];
            let request = ApiRequest::new("DELETE", "/api/v1/recordings/{recordingId}");
            w.admin(request.path_param("recordingId", id)).event()
        },
        no_aws: Some((NO_CREDENTIALS, |w| {
            recording(w, "DELETE", "/api/v1/recordings/{recordingId}").event()
        })),
    },
    ColdTarget {
        name: "download-recording",
        describe: "GET …/media?redirect=false",
        event: |w, _| w.admin(media(w)).event(),
        no_aws: Some((NO_CREDENTIALS, |w| media(w).event())),
    },
    ColdTarget {
        name: "egress-webhook",
        describe: "POST /webhooks/livekit, unsigned (no LiveKit here)",
        event: |_, _| {
            let event = json!({"event": "egress_ended"});
            ApiRequest::new("POST", "/webhooks/livekit")
                .json(&event)
                .event()
        },
        no_aws: None,
    },
    ColdTarget {
        name: "get-recording",
        describe: "GET /api/v1/recordings/{id}",
        event: |w, _| w.admin(get(w)).event(),
        no_aws: Some((NO_CREDENTIALS, |w| get(w).event())),
    },
    ColdTarget {
        name: "issue-token",
        describe: "POST …/recording-token (speaker secret)",
        event: |w, _| {
            let secret = json!({"secret": w.speaker_secret});
            token_request(w).json(&secret).event()
        },
        no_aws: Some(("no secret in the body → 422", |w| {
            token_request(w).event()
        })),
    },
    ColdTarget {
        name: "list-recordings",
        describe: "GET /api/v1/recordings",
        event: |w, _| w.admin(list()).event(),
        no_aws: Some((NO_CREDENTIALS, |_| list().event())),
    },
    ColdTarget {
        name: "record-control",
        describe: "POST …/stop of a finished recording",
        event: |w, _| w.admin(stop(w)).event(),
        no_aws: Some((NO_CREDENTIALS, |w| stop(w).event())),
    },
    ColdTarget {
        name: "room-access",
        describe: "GET /api/v1/rooms/{roomId}",
        event: |w, _| w.admin(room(w, "GET", "/api/v1/rooms/{roomId}")).event(),
        no_aws: Some((NO_CREDENTIALS, |w| {
            room(w, "GET", "/api/v1/rooms/{roomId}").event()
        })),
    },
    ColdTarget {
        name: "share-page",
        describe: "GET /recording/{id}?secret=",
        event: |w, _| share_page(w).query("secret", &w.share_secret).event(),
        no_aws: Some(("no secret → 404 page", |w| share_page(w).event())),
    },
    ColdTarget {
        name: "share-recording",
        describe: "GET …/shares",
        event: |w, _| w.admin(shares(w)).event(),
        no_aws: Some((NO_CREDENTIALS, |w| shares(w).event())),
    },
    ColdTarget {
        name: "sweep-recordings",
        describe: "a scheduled (EventBridge) event",
        // What EventBridge Scheduler sends a scheduled function.
        event: |_, _| {
            json!({
                "version": "0", "id": "bench-scheduled-event", "detail-type": "Scheduled Event",
                "source": "aws.events", "account": "123456789012", "time": "2026-11-27T00:00:00Z",
                "region": "us-east-1", "detail": {},
                "resources": ["arn:aws:events:us-east-1:123456789012:rule/sweep-recordings"],
            })
        },
        no_aws: None,
    },
    ColdTarget {
        name: "update-recording",
        describe: "PATCH /api/v1/recordings/{id} (a title)",
        event: |w, _| w.admin(update(w)).event(),
        no_aws: Some((NO_CREDENTIALS, |w| update(w).event())),
    },
    ColdTarget {
        name: crate::cold::HELLO,
        describe: "GET /hello",
        event: |_, _| ApiRequest::new("GET", "/hello").event(),
        no_aws: None,
    },
];

fn list() -> ApiRequest {
    ApiRequest::new("GET", "/api/v1/recordings")
}

fn get(w: &World) -> ApiRequest {
    recording(w, "GET", "/api/v1/recordings/{recordingId}")
}

fn media(w: &World) -> ApiRequest {
    let media = recording(w, "GET", "/api/v1/recordings/{recordingId}/media");
    media.query("redirect", "false")
}

fn stop(w: &World) -> ApiRequest {
    recording(w, "POST", "/api/v1/recordings/{recordingId}/stop")
}

fn shares(w: &World) -> ApiRequest {
    recording(w, "GET", "/api/v1/recordings/{recordingId}/shares")
}

fn share_page(w: &World) -> ApiRequest {
    recording(w, "GET", "/recording/{recordingId}")
}

fn update(w: &World) -> ApiRequest {
    let title = json!({"title": "Cold start"});
    recording(w, "PATCH", "/api/v1/recordings/{recordingId}").json(&title)
}

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

const fn route(
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

const GET: (&str, &str, &str) = ("get", "get-recording", "GET /api/v1/recordings/{id}");
const MEDIA: (&str, &str, &str) = (
    "media",
    "download-recording",
    "GET /api/v1/recordings/{id}/media",
);
const LIST: &str = "list-recordings";
const MODERATOR: &str = "room token (moderator)";

pub const WARM: &[WarmRoute] = &[
    route(
        ("list", LIST, "GET /api/v1/recordings"),
        ("API key", 200, Some(1)),
        "first page of 10, every room",
        |w, _| w.admin(list()),
    ),
    route(
        ("list one room", LIST, "GET /api/v1/recordings?roomId="),
        ("API key", 200, Some(1)),
        "first page of 10",
        |w, _| w.admin(list()).query("roomId", &w.rooms[3]),
    ),
    route(
        ("list as a participant", LIST, "GET /api/v1/recordings"),
        (MODERATOR, 200, None),
        "a room token's list reads the room's access first: 2 calls by design",
        |w, _| list().bearer(&w.moderator_token),
    ),
    route(GET, ("API key", 200, Some(1)), "", |w, _| w.admin(get(w))),
    route(GET, ("admin JWT", 200, Some(1)), "", |w, _| {
        get(w).bearer(&w.admin_token)
    }),
    route(GET, (MODERATOR, 200, Some(1)), "", |w, _| {
        get(w).bearer(&w.moderator_token)
    }),
    route(
        (
            "share-open",
            "get-recording",
            "GET /api/v1/recordings/{id}?secret=",
        ),
        ("share link", 200, Some(1)),
        "the link, its recording and the room in one BatchGetItem",
        |w, _| get(w).query("secret", &w.share_secret),
    ),
    route(
        (
            MEDIA.0,
            MEDIA.1,
            "GET /api/v1/recordings/{id}/media?redirect=false",
        ),
        ("API key", 200, Some(1)),
        "presigned locally",
        |w, _| w.admin(media(w)),
    ),
    route(MEDIA, ("API key", 302, Some(1)), "redirect", |w, _| {
        w.admin(recording(
            w,
            "GET",
            "/api/v1/recordings/{recordingId}/media",
        ))
    }),
    route(
        ("download", MEDIA.1, "GET /api/v1/recordings/{id}/download"),
        ("API key", 302, Some(1)),
        "redirect",
        |w, _| {
            w.admin(recording(
                w,
                "GET",
                "/api/v1/recordings/{recordingId}/download",
            ))
        },
    ),
    route(
        (
            "media share-open",
            MEDIA.1,
            "GET /api/v1/recordings/{id}/media?secret=",
        ),
        ("share link", 200, Some(1)),
        "?redirect=false",
        |w, _| {
            let media = recording(w, "GET", "/api/v1/recordings/{recordingId}/media");
            media
                .query("secret", &w.share_secret)
                .query("redirect", "false")
        },
    ),
    route(
        ("share page", "share-page", "GET /recording/{id}?secret="),
        ("share link", 200, Some(1)),
        "HTML with two presigned URLs",
        |w, _| share_page(w).query("secret", &w.share_secret),
    ),
    route(
        (
            "share link",
            "share-recording",
            "GET /api/v1/recordings/{id}/url",
        ),
        ("API key", 200, None),
        "reads, then stores the link and lists it on its recording in one transaction: 2 calls",
        |w, i| {
            let id = &w.share_targets[i % w.share_targets.len()];
            let url = ApiRequest::new("GET", "/api/v1/recordings/{recordingId}/url");
            w.admin(url.path_param("recordingId", id))
        },
    ),
    route(
        ("room", "room-access", "GET /api/v1/rooms/{roomId}"),
        ("API key", 200, None),
        "",
        |w, _| w.admin(room(w, "GET", "/api/v1/rooms/{roomId}")),
    ),
    route(
        (
            "room token",
            "issue-token",
            "POST /api/v1/rooms/{roomId}/recording-token",
        ),
        ("speaker secret", 200, None),
        "reads the caller's failed attempts, then the room",
        |w, _| token_request(w).json(&json!({"secret": w.speaker_secret})),
    ),
];
