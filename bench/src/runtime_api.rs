//! The Lambda Runtime API (`2018-06-01`) on 127.0.0.1, served with hyper: enough to start
//! an unmodified function binary and invoke it. `GET .../invocation/next` hands out queued
//! events with the runtime headers, `POST .../invocation/{id}/response` (or `/error`)
//! completes them, and `POST .../init/error` records a failed start.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::{AbortHandle, JoinSet};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// How an invocation ended, as the function reported it.
#[derive(Debug)]
pub struct Completion {
    pub body: Bytes,
    /// Reported through `/error` rather than `/response`.
    pub error: bool,
    /// When the function took the event (its `GET .../next` was answered).
    pub handed_at: Instant,
    /// When its response arrived.
    pub completed_at: Instant,
}

/// An event waiting to be taken, or taken and not yet answered.
pub struct Pending {
    pub id: String,
    rx: oneshot::Receiver<Completion>,
}

impl Pending {
    pub async fn wait(self, timeout: Duration) -> Result<Completion, String> {
        match tokio::time::timeout(timeout, self.rx).await {
            Ok(Ok(done)) => Ok(done),
            Ok(Err(_)) => Err(format!("invocation {} was dropped", self.id)),
            Err(_) => Err(format!(
                "invocation {} not answered in {timeout:?}",
                self.id
            )),
        }
    }
}

/// An invocation's completion channel, and when its event was handed out.
type Waiting = HashMap<String, (oneshot::Sender<Completion>, Option<Instant>)>;

struct State {
    function_name: String,
    queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<(String, Bytes)>>,
    waiting: Mutex<Waiting>,
    first_next: Mutex<Option<Instant>>,
    init_error: Mutex<Option<String>>,
}

pub struct RuntimeApi {
    pub port: u16,
    state: Arc<State>,
    sender: mpsc::UnboundedSender<(String, Bytes)>,
    accept: AbortHandle,
}

impl RuntimeApi {
    /// Listens on a free port of 127.0.0.1.
    pub async fn start(function_name: &str) -> Result<Self, String> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await;
        let listener = listener.map_err(|e| format!("runtime API: {e}"))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let (sender, receiver) = mpsc::unbounded_channel();
        let state = Arc::new(State {
            function_name: function_name.to_owned(),
            queue: tokio::sync::Mutex::new(receiver),
            waiting: Mutex::default(),
            first_next: Mutex::default(),
            init_error: Mutex::default(),
        });
        let accept_state = state.clone();
        // Dropping the set (with the accept task) aborts the connections, which may be
        // waiting for an event that never comes.
        let accept = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let state = accept_state.clone();
                let service = hyper::service::service_fn(move |r| serve(state.clone(), r));
                let connection = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service);
                connections.spawn(connection);
            }
        })
        .abort_handle();
        Ok(Self {
            port,
            state,
            sender,
            accept,
        })
    }

    /// `AWS_LAMBDA_RUNTIME_API` for the function.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Queues an event; the function takes it with its next `GET .../next`.
    pub fn enqueue(&self, event: &serde_json::Value) -> Pending {
        let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let id = format!("bench-{}-{n}", std::process::id());
        let (tx, rx) = oneshot::channel();
        if let Ok(mut waiting) = self.state.waiting.lock() {
            waiting.insert(id.clone(), (tx, None));
        }
        let _ = self.sender.send((id.clone(), event.to_string().into()));
        Pending { id, rx }
    }

    /// When the function first asked for an event: the end of its initialisation.
    pub fn first_next(&self) -> Option<Instant> {
        self.state.first_next.lock().ok().and_then(|t| *t)
    }

    pub fn init_error(&self) -> Option<String> {
        self.state.init_error.lock().ok().and_then(|e| e.clone())
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

fn reply(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
}

async fn serve(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let accepted = || reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#);
    let path = request.uri().path();
    let path = path.trim_start_matches("/2018-06-01/runtime").to_owned();
    if request.method() == Method::GET && path == "/invocation/next" {
        if let Ok(mut first) = state.first_next.lock() {
            first.get_or_insert(Instant::now());
        }
        let Some((id, event)) = state.queue.lock().await.recv().await else {
            return Ok(reply(StatusCode::GONE, "{}"));
        };
        if let Ok(mut waiting) = state.waiting.lock()
            && let Some(entry) = waiting.get_mut(&id)
        {
            entry.1 = Some(Instant::now());
        }
        let deadline = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() + 60_000);
        let arn = "arn:aws:lambda:us-east-1:123456789012:function";
        let trace = format!(
            "Root=1-67470000-{:024x};Sampled=0",
            NEXT_ID.load(Ordering::Relaxed)
        );
        let response = Response::builder()
            .header("content-type", "application/json")
            .header("lambda-runtime-aws-request-id", id)
            .header("lambda-runtime-deadline-ms", deadline.to_string())
            .header(
                "lambda-runtime-invoked-function-arn",
                format!("{arn}:{}", state.function_name),
            )
            .header("lambda-runtime-trace-id", trace)
            .body(Full::new(event));
        return Ok(response.unwrap_or_else(|_| reply(StatusCode::INTERNAL_SERVER_ERROR, "{}")));
    }
    if request.method() != Method::POST {
        return Ok(reply(StatusCode::NOT_FOUND, "{}"));
    }
    let body = match request.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Ok(reply(StatusCode::BAD_REQUEST, "{}")),
    };
    let completed_at = Instant::now();
    if path == "/init/error" {
        if let Ok(mut error) = state.init_error.lock() {
            *error = Some(String::from_utf8_lossy(&body).into_owned());
        }
        return Ok(accepted());
    }
    let Some((id, kind)) = path
        .strip_prefix("/invocation/")
        .and_then(|r| r.split_once('/'))
    else {
        return Ok(reply(StatusCode::NOT_FOUND, "{}"));
    };
    let entry = state.waiting.lock().ok().and_then(|mut w| w.remove(id));
    match entry {
        Some((tx, handed)) if kind == "response" || kind == "error" => {
            let _ = tx.send(Completion {
                body,
                error: kind == "error",
                handed_at: handed.unwrap_or(completed_at),
                completed_at,
            });
            Ok(accepted())
        }
        _ => Ok(reply(StatusCode::BAD_REQUEST, "{}")),
    }
}
