//! What every function binary does: read configuration and build clients once at cold
//! start, then serve each request through one wrapper that maps errors and logs a line.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use futures_util::FutureExt;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response, service_fn};

use crate::app::App;
use crate::aws::count_aws_calls;
use crate::config::Config;
use crate::error::{ApiError, Chain};
use crate::response::no_store;

pub type HandlerResult = Result<Response<Body>, ApiError>;

/// What every function does once per instance: logging, the secrets it is given (read from
/// Secrets Manager in AWS), configuration, then the clients.
async fn cold_start() -> Result<&'static App, lambda_http::Error> {
    init_logging(std::io::stdout);
    let sdk = sdk_config().await?;
    let lookup = crate::secrets::resolve(&sdk, |name| std::env::var(name).ok()).await?;
    let config = Config::from_lookup(lookup)?;
    // One App per process, alive as long as the process: leaking it lets every request
    // borrow it without reference counting.
    Ok(Box::leak(Box::new(App::new(config, &sdk))))
}

/// The SDK's settings from the environment (region, credentials, endpoints; no network
/// call), over the functions' own HTTPS client.
pub async fn sdk_config() -> Result<aws_config::SdkConfig, String> {
    Ok(aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(crate::tls::https_client()?)
        .load()
        .await)
}

/// Starts a function: logging, configuration, clients, then the Lambda event loop.
pub async fn run<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(&'static App, Request) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = HandlerResult> + Send,
{
    let app = cold_start().await?;
    lambda_http::run(service_fn(move |req| async move {
        Ok::<_, std::convert::Infallible>(dispatch(app, req, handler).await)
    }))
    .await
}

/// Starts a scheduled function: the same cold start, then `task` on every invocation,
/// whatever the event.
pub async fn run_scheduled<F, Fut>(task: F) -> Result<(), lambda_http::Error>
where
    F: Fn(&'static App) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = Result<serde_json::Value, ApiError>> + Send,
{
    let app = cold_start().await?;
    lambda_http::lambda_runtime::run(service_fn(
        move |_event: lambda_http::LambdaEvent<serde_json::Value>| {
            // Boxed: the task's future is deep, and the runtime's types nest it further.
            Box::pin(async move {
                let (result, aws_calls) = count_aws_calls(task(app)).await;
                tracing::info!(aws_calls, ok = result.is_ok(), "scheduled run");
                result.map_err(|err| {
                    tracing::error!(error = %Chain(&err), "scheduled run failed");
                    lambda_http::Error::from(err.to_string())
                })
            })
        },
    ))
    .await
}

/// How long a queued job has before Lambda stops it.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(Option<std::time::Instant>);

impl Deadline {
    /// No limit: a job run in a test or by hand.
    pub const NONE: Self = Self(None);

    pub fn at(instant: std::time::Instant) -> Self {
        Self(Some(instant))
    }

    /// Seconds left, if there is a limit.
    pub fn seconds_left(self) -> Option<u64> {
        self.0
            .map(|at| at.saturating_duration_since(Instant::now()).as_secs())
    }

    /// Whether less than `margin` is left.
    pub fn near(self, margin: std::time::Duration) -> bool {
        self.0
            .is_some_and(|at| at.saturating_duration_since(Instant::now()) < margin)
    }
}

/// The invocation's deadline, epoch milliseconds in Lambda. The local emulator sends its
/// timeout instead (a duration): a value before 2001 is no deadline.
fn deadline_of(epoch_ms: u64) -> Deadline {
    const PLAUSIBLE_MS: u64 = 978_307_200_000;
    if epoch_ms < PLAUSIBLE_MS {
        return Deadline::NONE;
    }
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(epoch_ms);
    let left = at
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    Deadline::at(Instant::now() + left)
}

/// Runs a queue's job: each SQS message's body goes to `task`, with the invocation's
/// deadline. A message whose task fails is reported back (a partial batch response) and
/// delivered again; a task fails only where trying again can help.
pub async fn run_queue<F, Fut>(task: F) -> Result<(), lambda_http::Error>
where
    F: Fn(&'static App, String, Deadline) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = Result<(), ApiError>> + Send,
{
    let app = cold_start().await?;
    lambda_http::lambda_runtime::run(service_fn(
        move |event: lambda_http::LambdaEvent<serde_json::Value>| {
            Box::pin(async move {
                let deadline = deadline_of(event.context.deadline);
                let mut failures = Vec::new();
                let records = event.payload["Records"].as_array().cloned().unwrap_or_default();
                for record in records {
                    let id = record["messageId"].as_str().unwrap_or_default().to_owned();
                    let body = record["body"].as_str().unwrap_or_default().to_owned();
                    let seconds_left = deadline.seconds_left();
                    let (result, aws_calls) = count_aws_calls(task(app, body, deadline)).await;
                    tracing::info!(message_id = %id, seconds_left, aws_calls, ok = result.is_ok(), "job run");
                    if let Err(err) = result {
                        tracing::error!(message_id = %id, error = %Chain(&err), "job failed; it will run again");
                        failures.push(serde_json::json!({ "itemIdentifier": id }));
                    }
                }
                Ok::<_, lambda_http::Error>(serde_json::json!({ "batchItemFailures": failures }))
            })
        },
    ))
    .await
}

/// Runs one request through `handler`: maps its error to the contract's shape, forbids
/// caching and writes the request's log line (route, status, latency, AWS calls). Never
/// logs the query string, headers or body, which may carry credentials.
pub async fn dispatch<'a, F, Fut>(app: &'a App, req: Request, handler: F) -> Response<Body>
where
    F: Fn(&'a App, Request) -> Fut,
    Fut: Future<Output = HandlerResult>,
{
    let started = Instant::now();
    let method = req.method().to_string();
    let route = route_of(&req);
    let request_id = request_id_of(&req);
    // A panic still answers the contract's 500 with the request id; left to the runtime, it
    // would be an invocation error, which API Gateway turns into a bare 502. The App holds
    // no lock or state a half-run request could leave inconsistent.
    let handled = AssertUnwindSafe(handler(app, req)).catch_unwind();
    let (result, aws_calls) = count_aws_calls(handled).await;
    let result = result.unwrap_or_else(|_| Err(ApiError::Internal("the handler panicked".into())));
    let mut response = result.unwrap_or_else(|err| {
        if err.status() == StatusCode::INTERNAL_SERVER_ERROR
            || err.status() == StatusCode::SERVICE_UNAVAILABLE
        {
            tracing::error!(request_id = %request_id, error = %Chain(&err), "request failed");
        }
        err.to_response(&request_id)
    });
    no_store(&mut response);
    tracing::info!(
        request_id = %request_id,
        method = %method,
        route = %route,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        aws_calls,
        "request"
    );
    response
}

/// API Gateway's route key (`GET /api/v1/recordings/{recordingId}`) when present, else the
/// path, which may contain ids but never secrets.
fn route_of(req: &Request) -> String {
    use lambda_http::request::RequestContext;
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx
            .route_key
            .clone()
            .filter(|k| k != "$default")
            .unwrap_or_else(|| req.uri().path().to_owned()),
        _ => req.uri().path().to_owned(),
    }
}

/// The Lambda invocation id, else API Gateway's request id.
fn request_id_of(req: &Request) -> String {
    use lambda_http::request::RequestContext;
    let from_gateway = || match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone(),
        _ => None,
    };
    req.lambda_context_ref()
        .map(|c| c.request_id.clone())
        .filter(|id| !id.is_empty())
        .or_else(from_gateway)
        .unwrap_or_else(|| "-".to_owned())
}

/// JSON log lines, one object each, to `writer`; `RUST_LOG` sets the level (info), within
/// [`log_caps`].
pub fn init_logging<W>(writer: W)
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::util::SubscriberInitExt;
    logger(writer, std::env::var("RUST_LOG").ok().as_deref()).init();
}

/// What no `RUST_LOG` can loosen: nothing at trace, where the AWS SDK writes whole requests
/// and responses (secret values among them) and the Lambda runtime every raw event
/// (credentials, `?secret=`, bodies); the runtime's crates at info at most.
fn log_caps() -> tracing_subscriber::filter::Targets {
    use tracing_subscriber::filter::LevelFilter;
    tracing_subscriber::filter::Targets::new()
        .with_default(LevelFilter::DEBUG)
        .with_targets([
            ("lambda_runtime", LevelFilter::INFO),
            ("lambda_runtime_api_client", LevelFilter::INFO),
            ("lambda_http", LevelFilter::INFO),
        ])
}

fn logger<W>(writer: W, directives: Option<&str>) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::filter::{EnvFilter, FilterExt};
    use tracing_subscriber::layer::{Layer, SubscriberExt};
    let asked = directives
        .and_then(|d| EnvFilter::try_new(d).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let lines = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false);
    tracing_subscriber::registry().with(lines.with_filter(asked.and(log_caps())))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::logger;

    #[test]
    fn a_deadline_is_in_epoch_milliseconds_and_the_local_emulators_duration_is_none() {
        use std::time::{Duration, SystemTime, UNIX_EPOCH};
        assert_eq!(super::deadline_of(600_000).seconds_left(), None);
        let in_a_minute = SystemTime::now() + Duration::from_secs(60);
        let ms = in_a_minute
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or_default();
        let left = super::deadline_of(ms).seconds_left();
        assert!(left.is_some_and(|s| (58..=60).contains(&s)), "{left:?}");
        assert!(super::deadline_of(ms).near(Duration::from_secs(90)));
        assert!(!super::deadline_of(ms).near(Duration::from_secs(30)));
    }

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("buffer").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What is written when `RUST_LOG` is `directives` and the runtime and the SDK log as
    /// they do (their targets, their levels).
    fn written_with(directives: &str) -> String {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        tracing::subscriber::with_default(logger(move || writer.clone(), Some(directives)), || {
            tracing::trace!(
                target: "lambda_runtime::layers::api_response",
                body = "raw-event-with-secret",
                "raw JSON event received from Lambda"
            );
            tracing::debug!(target: "lambda_runtime::runtime", "runtime-debug");
            tracing::trace!(
                target: "aws_smithy_runtime::client::orchestrator",
                response = "response-with-secret-value",
                "received response from service"
            );
            tracing::debug!(target: "aws_smithy_runtime::client::orchestrator", "sdk-debug");
            tracing::info!(target: "lambda_runtime::runtime", "runtime-info");
            tracing::info!(target: "shared::runtime", "request");
            tracing::span!(target: "lambda_runtime", tracing::Level::INFO, "Lambda runtime invoke")
                .in_scope(|| tracing::trace!(target: "lambda_runtime", "in-span-trace"));
        });
        let bytes = buffer.0.lock().expect("buffer").clone();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[test]
    fn no_rust_log_turns_on_raw_events_or_wire_logs() {
        for directives in [
            "trace",
            "lambda_runtime=trace,aws_smithy_runtime=trace",
            "lambda_runtime::layers::api_response=trace",
            "[Lambda runtime invoke]=trace",
            "lambda_runtime=debug",
        ] {
            let written = written_with(directives);
            for never in [
                "raw-event-with-secret",
                "response-with-secret-value",
                "runtime-debug",
                "in-span-trace",
            ] {
                assert!(!written.contains(never), "RUST_LOG={directives}: {written}");
            }
        }
        // What the caps leave: the runtime's info, the SDK's debug, the project's own lines.
        let trace = written_with("trace");
        assert!(trace.contains("runtime-info") && trace.contains("sdk-debug"));
        let debug = written_with("debug");
        assert!(debug.contains("sdk-debug") && debug.contains("\"request\""));
        let default = written_with("info");
        assert!(!default.contains("sdk-debug") && default.contains("\"request\""));
    }
}
