//! LiveKit at its protocol boundary, for tests: a local HTTP server speaking the Egress
//! service's Twirp JSON that checks what it receives, and webhooks built and signed by
//! LiveKit's own server SDK (tests/livekit, Node).

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const API_KEY: &str = "APItestkey";
pub const API_SECRET: &str = "test-livekit-secret-of-enough-length";

/// How the fake egress answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Works,
    /// 503, as an overloaded or broken egress would.
    Fails,
    /// Answers after the client's timeout.
    Hangs,
}

/// One call the fake egress received, its token already verified.
#[derive(Debug, Clone)]
pub struct EgressCall {
    pub method: String,
    pub body: Value,
    /// The token's claims; `None` if it did not verify with the API secret.
    pub claims: Option<Value>,
}

#[derive(Clone)]
pub struct FakeEgress {
    pub url: String,
    calls: Arc<Mutex<Vec<EgressCall>>>,
    behaviour: Arc<Mutex<Behaviour>>,
}

impl FakeEgress {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let egress = Self {
            url,
            calls: Arc::default(),
            behaviour: Arc::new(Mutex::new(Behaviour::Works)),
        };
        let server = egress.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let server = server.clone();
                tokio::spawn(async move { server.serve(stream).await });
            }
        });
        egress
    }

    pub fn set(&self, behaviour: Behaviour) {
        *self.behaviour.lock().expect("behaviour") = behaviour;
    }

    pub fn calls(&self) -> Vec<EgressCall> {
        self.calls.lock().expect("calls").clone()
    }

    /// The environment that points the functions at this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("LIVEKIT_URL", self.url.clone()),
            ("LIVEKIT_API_KEY", API_KEY.to_owned()),
            ("LIVEKIT_API_SECRET", API_SECRET.to_owned()),
        ]
    }

    async fn serve(&self, mut stream: TcpStream) {
        let Some((path, authorization, body)) = read_request(&mut stream).await else {
            return;
        };
        let method = path.rsplit('/').next().unwrap_or_default().to_owned();
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let claims = authorization.strip_prefix("Bearer ").and_then(verify);
        self.calls.lock().expect("calls").push(EgressCall {
            method: method.clone(),
            body: body.clone(),
            claims,
        });
        let behaviour = *self.behaviour.lock().expect("behaviour");
        let (status, reply) = match behaviour {
            Behaviour::Fails => (503, json!({"code": "unavailable", "msg": "overloaded"})),
            Behaviour::Hangs => {
                tokio::time::sleep(Duration::from_secs(8)).await;
                (503, json!({}))
            }
            Behaviour::Works => (200, reply_to(&method, &body)),
        };
        let text = reply.to_string();
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
            text.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
    }
}

fn verify(token: &str) -> Option<Value> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[API_KEY]);
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(
        token,
        &DecodingKey::from_secret(API_SECRET.as_bytes()),
        &validation,
    )
    .ok()
    .map(|data| data.claims)
}

/// Replies as livekit-server's Twirp handlers write them: proto field names (snake_case).
fn reply_to(method: &str, body: &Value) -> Value {
    match method {
        "StartRoomCompositeEgress" => json!({
            "egress_id": format!("EG_{}", shared::crypto::random_alphanumeric(12)),
            "room_name": body["roomName"],
            "status": "EGRESS_STARTING",
            "started_at": "0",
            "room_composite": {"room_name": body["roomName"], "file_outputs": body["fileOutputs"]},
        }),
        "StopEgress" => json!({"egress_id": body["egressId"], "status": "EGRESS_ENDING"}),
        _ => json!({"code": "bad_route", "msg": "no such method"}),
    }
}

/// Reads one HTTP/1.1 request: its path, `Authorization` header and body.
async fn read_request(stream: &mut TcpStream) -> Option<(String, String, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
    let mut lines = head.lines();
    let path = lines.next()?.split(' ').nth(1)?.to_owned();
    let header = |name: &str| {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
    };
    let length: usize = header("content-length")?.parse().ok()?;
    let authorization = header("authorization").unwrap_or_default();
    let mut body = buffer[header_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((path, authorization, body))
}

/// A webhook as a LiveKit server sends it: `event` (a WebhookEvent in protobuf JSON) made
/// into a body and signed by LiveKit's own SDK with `secret` under `key`. Returns the body
/// and the `Authorization` value.
pub fn signed_webhook(event: &Value, key: &str, secret: &str) -> (String, String) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/livekit/webhook.mjs");
    let mut child = Command::new("node")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs (make test installs tests/livekit)");
    let input = json!({"event": event, "apiKey": key, "apiSecret": secret});
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.to_string().as_bytes())
        .expect("written");
    let output = child.wait_with_output().expect("node finished");
    assert!(output.status.success(), "the webhook helper failed");
    let signed: Value = serde_json::from_slice(&output.stdout).expect("helper output");
    (
        signed["body"].as_str().expect("body").to_owned(),
        signed["authorization"].as_str().expect("token").to_owned(),
    )
}
