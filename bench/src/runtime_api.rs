//! The Lambda Runtime API (`2018-06-01`) on 127.0.0.1, served with hyper: enough to start
//! an unmodified function binary and invoke it. `GET .../invocation/next` hands out queued
//! events with the runtime headers, `POST .../invocation/{id}/response` (or `/error`)
//! completes them, and `POST .../init/error` records a failed start.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
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
    pub id: String,
    pub body: Bytes,
    /// Reported through `/error` rather than `/response`.
    pub error: bool,
    /// When the function took the event (its `GET .../next` was answered).
    pub handed_at: Instant,
    /// When its response arrived.
    pub completed_at: Instant,
}

#[derive(Default)]
struct Progress {
    /// Each invocation's completion channel, and when its event was handed out.
    waiting: HashMap<String, (oneshot::Sender<Completion>, Option<Instant>)>,
    first_next: Option<Instant>,
    init_error: Option<String>,
}

struct State {
    function_name: String,
    queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<(String, Bytes)>>,
    progress: Mutex<Progress>,
}

impl State {
    fn progress(&self) -> MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub struct RuntimeApi {
    port: u16,
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
            progress: Mutex::default(),
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

    /// Queues an event for the function's next `GET .../next` and waits for its answer.
    pub async fn invoke(
        &self,
        event: &serde_json::Value,
        timeout: Duration,
    ) -> Result<Completion, String> {
        let id = format!(
            "bench-{}-{}",
            std::process::id(),
            NEXT_ID.fetch_add(1, Ordering::Relaxed)
        );
        let (tx, rx) = oneshot::channel();
        self.state.progress().waiting.insert(id.clone(), (tx, None));
        let _ = self.sender.send((id.clone(), event.to_string().into()));
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(done)) => Ok(done),
            Ok(Err(_)) => Err(format!("invocation {id} was dropped")),
            Err(_) => Err(format!("invocation {id} not answered in {timeout:?}")),
        }
    }

    /// When the function first asked for an event: the end of its initialisation.
    pub fn first_next(&self) -> Option<Instant> {
        self.state.progress().first_next
    }

    pub fn init_error(&self) -> Option<String> {
        self.state.progress().init_error.clone()
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

fn reply(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
}

/// The next queued event, with the headers the runtime client reads.
async fn next(state: &State) -> Response<Full<Bytes>> {
    state.progress().first_next.get_or_insert(Instant::now());
    let Some((id, event)) = state.queue.lock().await.recv().await else {
        return reply(StatusCode::GONE, "{}");
    };
    if let Some(entry) = state.progress().waiting.get_mut(&id) {
        entry.1 = Some(Instant::now());
    }
    let deadline = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() + 60_000);
    let arn = "arn:aws:lambda:us-east-1:123456789012:function";
    Response::builder()
        .header("content-type", "application/json")
        .header("lambda-runtime-aws-request-id", id)
        .header("lambda-runtime-deadline-ms", deadline.to_string())
        .header(
            "lambda-runtime-invoked-function-arn",
            format!("{arn}:{}", state.function_name),
        )
        .header("lambda-runtime-trace-id", "Root=1-67470000-0;Sampled=0")
        .body(Full::new(event))
        .unwrap_or_else(|_| reply(StatusCode::INTERNAL_SERVER_ERROR, "{}"))
}

async fn serve(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path();
    let path = path.trim_start_matches("/2018-06-01/runtime").to_owned();
    match (request.method(), path.as_str()) {
        (&Method::GET, "/invocation/next") => return Ok(next(&state).await),
        (&Method::POST, _) => {}
        _ => return Ok(reply(StatusCode::NOT_FOUND, "{}")),
    }
    let Ok(body) = request.into_body().collect().await else {
        return Ok(reply(StatusCode::BAD_REQUEST, "{}"));
    };
    let (body, completed_at) = (body.to_bytes(), Instant::now());
    let mut progress = state.progress();
    match path
        .strip_prefix("/invocation/")
        .and_then(|r| r.split_once('/'))
    {
        _ if path == "/init/error" => {
            progress.init_error = Some(String::from_utf8_lossy(&body).into_owned());
        }
        Some((id, kind @ ("response" | "error"))) => {
            let Some((tx, handed)) = progress.waiting.remove(id) else {
                return Ok(reply(StatusCode::BAD_REQUEST, "{}"));
            };
            let _ = tx.send(Completion {
                id: id.to_owned(),
                body,
                error: kind == "error",
                handed_at: handed.unwrap_or(completed_at),
                completed_at,
            });
        }
        _ => return Ok(reply(StatusCode::NOT_FOUND, "{}")),
    }
    Ok(reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#))
}
