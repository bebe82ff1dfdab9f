//! A minimal Lambda Runtime API (`2018-06-01`), enough to start an unmodified function
//! binary and invoke it: `GET .../invocation/next` hands out queued events with the
//! runtime headers, `POST .../invocation/{id}/response` (or `/error`) completes them, and
//! `POST .../init/error` records a failed start. It speaks just enough HTTP/1.1 for the
//! runtime's client (keep-alive, `Content-Length` or chunked bodies) and listens on
//! 127.0.0.1 only.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;

/// Runtime APIs listen on ports from 9500 on, reused round-robin.
const FIRST_PORT: u16 = 9500;
const PORT_RANGE: u16 = 490;
static NEXT_PORT: AtomicU16 = AtomicU16::new(0);
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// How an invocation ended, as the function reported it.
#[derive(Debug)]
pub struct Completion {
    pub body: Vec<u8>,
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
                "invocation {} not answered within {timeout:?}",
                self.id
            )),
        }
    }
}

struct Queued {
    id: String,
    body: Vec<u8>,
}

/// An invocation's completion channel, and when its event was handed out.
type Waiting = HashMap<String, (oneshot::Sender<Completion>, Option<Instant>)>;

struct State {
    function_name: String,
    queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<Queued>>,
    waiting: Mutex<Waiting>,
    first_next: Mutex<Option<Instant>>,
    init_error: Mutex<Option<String>>,
    connections: Mutex<Vec<AbortHandle>>,
}

pub struct RuntimeApi {
    pub port: u16,
    state: Arc<State>,
    sender: mpsc::UnboundedSender<Queued>,
    accept: AbortHandle,
}

impl RuntimeApi {
    /// Listens on the next free port in 9500-9989.
    pub async fn start(function_name: &str) -> Result<Self, String> {
        let mut listener = None;
        for _ in 0..PORT_RANGE {
            let port = FIRST_PORT + NEXT_PORT.fetch_add(1, Ordering::Relaxed) % PORT_RANGE;
            if let Ok(bound) = TcpListener::bind(("127.0.0.1", port)).await {
                listener = Some(bound);
                break;
            }
        }
        let listener = listener.ok_or("no free port for a runtime API in 9500-9989")?;
        let port = listener
            .local_addr()
            .map_err(|e| format!("runtime API address: {e}"))?
            .port();
        let (sender, receiver) = mpsc::unbounded_channel();
        let state = Arc::new(State {
            function_name: function_name.to_owned(),
            queue: tokio::sync::Mutex::new(receiver),
            waiting: Mutex::new(HashMap::new()),
            first_next: Mutex::new(None),
            init_error: Mutex::new(None),
            connections: Mutex::new(Vec::new()),
        });
        let accept_state = state.clone();
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let conn_state = accept_state.clone();
                let handle = tokio::spawn(async move {
                    let _ = serve(stream, conn_state).await;
                });
                if let Ok(mut connections) = accept_state.connections.lock() {
                    connections.push(handle.abort_handle());
                }
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
        let id = format!(
            "bench-{}-{}",
            std::process::id(),
            NEXT_ID.fetch_add(1, Ordering::Relaxed)
        );
        let (tx, rx) = oneshot::channel();
        if let Ok(mut waiting) = self.state.waiting.lock() {
            waiting.insert(id.clone(), (tx, None));
        }
        let _ = self.sender.send(Queued {
            id: id.clone(),
            body: event.to_string().into_bytes(),
        });
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
        if let Ok(connections) = self.state.connections.lock() {
            for handle in connections.iter() {
                handle.abort();
            }
        }
    }
}

struct HttpRequest {
    method: String,
    path: String,
    body: Vec<u8>,
    close: bool,
}

async fn read_request<R>(reader: &mut R) -> std::io::Result<Option<HttpRequest>>
where
    R: AsyncBufReadExt + Unpin,
{
    let mut line = String::new();
    if reader.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut content_length = 0usize;
    let mut chunked = false;
    let mut close = false;
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => content_length = value.parse().unwrap_or(0),
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                "connection" => close = value.eq_ignore_ascii_case("close"),
                _ => {}
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line).await?;
            let size_text = line.trim().split(';').next().unwrap_or("0");
            let size = usize::from_str_radix(size_text, 16).unwrap_or(0);
            if size == 0 {
                // Trailers, then the blank line.
                loop {
                    line.clear();
                    if reader.read_line(&mut line).await? == 0 || line.trim().is_empty() {
                        break;
                    }
                }
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..]).await?;
            let mut crlf = [0u8; 2];
            reader.read_exact(&mut crlf).await?;
        }
    } else if content_length > 0 {
        body.resize(content_length, 0);
        reader.read_exact(&mut body).await?;
    }
    Ok(Some(HttpRequest {
        method,
        path,
        body,
        close,
    }))
}

async fn write_response<W>(
    writer: &mut W,
    status: u16,
    headers: &[(&str, String)],
    body: &[u8],
) -> std::io::Result<()>
where
    W: AsyncWriteExt + Unpin,
{
    let reason = match status {
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        _ => "Not Found",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    writer.write_all(&out).await?;
    writer.flush().await
}

const ACCEPTED: &[u8] = br#"{"status":"OK"}"#;

async fn serve(stream: TcpStream, state: Arc<State>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    while let Some(request) = read_request(&mut reader).await? {
        let path = request.path.trim_start_matches("/2018-06-01/runtime");
        if request.method == "GET" && path == "/invocation/next" {
            let now = Instant::now();
            if let Ok(mut first) = state.first_next.lock() {
                first.get_or_insert(now);
            }
            let next = state.queue.lock().await.recv().await;
            let Some(event) = next else {
                return Ok(());
            };
            if let Ok(mut waiting) = state.waiting.lock()
                && let Some(entry) = waiting.get_mut(&event.id)
            {
                entry.1 = Some(Instant::now());
            }
            let deadline = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64)
                + 60_000;
            let headers = [
                ("lambda-runtime-aws-request-id", event.id.clone()),
                ("lambda-runtime-deadline-ms", deadline.to_string()),
                (
                    "lambda-runtime-invoked-function-arn",
                    format!(
                        "arn:aws:lambda:us-east-1:123456789012:function:{}",
                        state.function_name
                    ),
                ),
                (
                    "lambda-runtime-trace-id",
                    format!(
                        "Root=1-67470000-{:024x};Parent={:016x};Sampled=0",
                        NEXT_ID.load(Ordering::Relaxed),
                        std::process::id()
                    ),
                ),
            ];
            write_response(&mut write, 200, &headers, &event.body).await?;
        } else if request.method == "POST" && path.starts_with("/invocation/") {
            let completed_at = Instant::now();
            let rest = &path["/invocation/".len()..];
            let (id, kind) = rest.split_once('/').unwrap_or((rest, ""));
            let entry = state.waiting.lock().ok().and_then(|mut w| w.remove(id));
            match entry {
                Some((tx, handed)) if kind == "response" || kind == "error" => {
                    let _ = tx.send(Completion {
                        body: request.body,
                        error: kind == "error",
                        handed_at: handed.unwrap_or(completed_at),
                        completed_at,
                    });
                    write_response(&mut write, 202, &[], ACCEPTED).await?;
                }
                _ => write_response(&mut write, 400, &[], b"{}").await?,
            }
        } else if request.method == "POST" && path == "/init/error" {
            if let Ok(mut error) = state.init_error.lock() {
                *error = Some(String::from_utf8_lossy(&request.body).into_owned());
            }
            write_response(&mut write, 202, &[], ACCEPTED).await?;
        } else {
            write_response(&mut write, 404, &[], b"{}").await?;
        }
        if request.close {
            return Ok(());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn read_response(stream: &mut TcpStream) -> String {
        let mut buf = vec![0u8; 4096];
        let n = stream.read(&mut buf).await.expect("response");
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    #[tokio::test]
    async fn hands_out_events_and_takes_chunked_responses() {
        let api = RuntimeApi::start("fn").await.expect("listening");
        let pending = api.enqueue(&serde_json::json!({"hello": 1}));
        let id = pending.id.clone();
        let mut stream = TcpStream::connect(api.address()).await.expect("connected");
        stream
            .write_all(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .expect("sent");
        let next = read_response(&mut stream).await;
        assert!(next.starts_with("HTTP/1.1 200"), "{next}");
        assert!(
            next.contains(&format!("lambda-runtime-aws-request-id: {id}")),
            "{next}"
        );
        assert!(next.contains("lambda-runtime-deadline-ms: "), "{next}");
        assert!(next.ends_with(r#"{"hello":1}"#), "{next}");
        let post = format!(
            "POST /2018-06-01/runtime/invocation/{id}/response HTTP/1.1\r\nhost: x\r\n\
             transfer-encoding: chunked\r\n\r\n5\r\n{{\"a\":\r\n2\r\n1}}\r\n0\r\n\r\n"
        );
        stream.write_all(post.as_bytes()).await.expect("sent");
        assert!(read_response(&mut stream).await.starts_with("HTTP/1.1 202"));
        let done = pending
            .wait(Duration::from_secs(5))
            .await
            .expect("completed");
        assert_eq!(done.body, br#"{"a":1}"#);
        assert!(!done.error);
        assert!(done.completed_at >= done.handed_at);
        assert!(api.first_next().is_some());
    }
}
