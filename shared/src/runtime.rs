//! What every function binary does: read configuration and build clients once at cold
//! start, then serve each request through one wrapper that maps errors and logs a line.

use std::future::Future;
use std::time::{Duration, Instant};

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response, service_fn};

use crate::auth::Authenticator;
use crate::aws::{CountCalls, count_aws_calls};
use crate::config::Config;
use crate::error::ApiError;
use crate::events::Events;
use crate::livekit::Egress;
use crate::media::Media;
use crate::pagination::PageTokens;
use crate::store::Store;

/// Everything a handler needs, built once per Lambda instance.
pub struct App {
    pub config: Config,
    pub store: Store,
    pub media: Media,
    pub events: Events,
    /// Present when LiveKit is configured.
    pub egress: Option<Egress>,
    pub page_tokens: PageTokens,
    pub auth: Authenticator,
}

impl App {
    /// Builds the clients; makes no network call (credentials and endpoints come from the
    /// environment).
    pub fn new(config: Config, sdk: &aws_config::SdkConfig) -> Result<Self, String> {
        Self::with_clients(
            config,
            sdk,
            aws_sdk_dynamodb::config::Builder::from(sdk),
            aws_sdk_s3::config::Builder::from(sdk),
        )
    }

    /// Builds the App from client configurations, which tests adjust (for example to send
    /// one service's calls to a closed port).
    pub fn with_clients(
        config: Config,
        sdk: &aws_config::SdkConfig,
        dynamodb: aws_sdk_dynamodb::config::Builder,
        s3: aws_sdk_s3::config::Builder,
    ) -> Result<Self, String> {
        let dynamodb = dynamodb
            .interceptor(CountCalls)
            .timeout_config(aws_timeouts())
            .build();
        let eventbridge = aws_sdk_eventbridge::config::Builder::from(sdk)
            .interceptor(CountCalls)
            .timeout_config(aws_timeouts())
            .build();
        let egress = config.livekit.as_ref().map(Egress::new).transpose()?;
        let s3 = s3
            .interceptor(CountCalls)
            .timeout_config(aws_timeouts())
            .force_path_style(config.s3_force_path_style)
            .build();
        Ok(Self {
            events: Events::new(
                aws_sdk_eventbridge::Client::from_conf(eventbridge),
                config.event_bus.clone(),
            ),
            egress,
            store: Store::new(
                aws_sdk_dynamodb::Client::from_conf(dynamodb),
                &config.table_name,
            ),
            media: Media::new(
                aws_sdk_s3::Client::from_conf(s3),
                &config.bucket_name,
                config.presign_ttl,
            ),
            page_tokens: PageTokens::new(config.signing_key.expose()),
            auth: Authenticator::new(&config),
            config,
        })
    }
}

/// An AWS call that hangs (a frozen or overloaded endpoint) fails in time for the request
/// to answer 503 well within the function's timeout, retries included.
fn aws_timeouts() -> aws_sdk_dynamodb::config::timeout::TimeoutConfig {
    aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(1))
        .operation_attempt_timeout(Duration::from_secs(2))
        .operation_timeout(Duration::from_secs(5))
        .build()
}

pub type HandlerResult = Result<Response<Body>, ApiError>;

/// What every function does once per instance: logging, configuration, then the clients.
async fn cold_start() -> Result<&'static App, lambda_http::Error> {
    init_logging(std::io::stdout);
    let config = Config::from_env()?;
    let sdk = sdk_config().await?;
    // One App per process, alive as long as the process: leaking it lets every request
    // borrow it without reference counting.
    Ok(Box::leak(Box::new(App::new(config, &sdk)?)))
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
                    tracing::error!(error = %err, "scheduled run failed");
                    lambda_http::Error::from(err.to_string())
                })
            })
        },
    ))
    .await
}

/// Runs one request through `handler`: maps its error to the contract's shape and writes
/// the request's log line (route, status, latency, AWS calls). Never logs the query string,
/// headers or body, which may carry credentials.
pub async fn dispatch<'a, F, Fut>(app: &'a App, req: Request, handler: F) -> Response<Body>
where
    F: Fn(&'a App, Request) -> Fut,
    Fut: Future<Output = HandlerResult>,
{
    let started = Instant::now();
    let method = req.method().to_string();
    let route = route_of(&req);
    let request_id = request_id_of(&req);
    let (result, aws_calls) = count_aws_calls(handler(app, req)).await;
    let response = result.unwrap_or_else(|err| {
        if err.status() == StatusCode::INTERNAL_SERVER_ERROR
            || err.status() == StatusCode::SERVICE_UNAVAILABLE
        {
            tracing::error!(request_id = %request_id, error = %err, "request failed");
        }
        err.to_response(&request_id)
    });
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

/// JSON log lines, one object each, to `writer`; `RUST_LOG` sets the level (info).
pub fn init_logging<W>(writer: W)
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_writer(writer)
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
}
