//! Harness for the integration tests: each test gets its own table and bucket, created on
//! the local emulators from `infra/template.yaml`, and calls the real handlers with API
//! Gateway (HTTP API, payload 2.0) events.

pub mod egress;
pub mod fixtures;
pub mod http;
pub mod iam;
pub mod intercept;
mod local_env;

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use aws_sdk_dynamodb::config::SharedInterceptor;
use base64::prelude::{BASE64_STANDARD, Engine};
use devstack::template::{self, Template};
use lambda_http::Request;
use lambda_http::http::HeaderMap;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use shared::app::App;
use shared::config::Config;
use shared::runtime::{HandlerResult, dispatch, init_logging};
use shared::store::Store;

pub use intercept::Interceptor;
pub use local_env::{LocalEnv, repo_root};

/// Log lines written by the handlers during this test run.
static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct LogBuffer;

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every JSON log line written so far.
pub fn log_lines() -> Vec<Value> {
    let logs = LOGS.lock().expect("log buffer");
    String::from_utf8_lossy(&logs)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The SDK configuration for the emulators. Endpoints come only from `AWS_ENDPOINT_URL*`
/// (which `make test` sets), so a stray run can never reach a real AWS account.
async fn sdk_config(env: &LocalEnv) -> aws_config::SdkConfig {
    let endpoint_set = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty());
    let services = ["DYNAMODB", "S3", "EVENTBRIDGE", "SQS", "SECRETS_MANAGER"];
    assert!(
        endpoint_set("AWS_ENDPOINT_URL")
            || services
                .iter()
                .all(|s| endpoint_set(&format!("AWS_ENDPOINT_URL_{s}"))),
        "run the integration tests with `make test`: it starts the local stack and points \
         AWS_ENDPOINT_URL_{{DYNAMODB,S3,EVENTBRIDGE,SQS,SECRETS_MANAGER}} at it"
    );
    aws_config::from_env()
        .region(aws_config::Region::new(env.get("AWS_REGION")))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            env.get("AWS_ACCESS_KEY_ID"),
            env.get("AWS_SECRET_ACCESS_KEY"),
            None,
            None,
            "local-env",
        ))
        // The functions' own HTTPS client, as in Lambda (plain HTTP to the emulators).
        .http_client(shared::tls::https_client().expect("the HTTPS client builds"))
        .load()
        .await
}

/// Every credential the tests used or were issued, for the log hygiene check.
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

pub fn remember_secret(secret: &str) {
    if !secret.is_empty() {
        SECRETS.lock().expect("secrets").push(secret.to_owned());
    }
}

pub fn remembered_secrets() -> Vec<String> {
    SECRETS.lock().expect("secrets").clone()
}

/// Remembers the credentials a response hands out: tokens and the secrets in room URLs.
fn remember_issued(body: &Value) {
    for key in ["accessToken", "token"] {
        if let Some(token) = body[key].as_str() {
            remember_secret(token);
        }
    }
    let rooms = body["rooms"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| vec![body.clone()]);
    for room in rooms {
        for key in ["moderatorUrl", "speakerUrl", "url"] {
            if let Some((_, secret)) = room[key].as_str().and_then(|u| u.split_once("secret=")) {
                remember_secret(secret);
            }
        }
    }
}

static NEXT_STACK: AtomicU32 = AtomicU32::new(0);

/// An EventBridge bus of the test's own, whose events a rule copies into an SQS queue so
/// that the test can read what was published.
pub struct EventQueue {
    sqs: aws_sdk_sqs::Client,
    url: String,
    pub bus: String,
}

impl EventQueue {
    async fn create(sdk: &aws_config::SdkConfig, name: &str) -> Self {
        let eventbridge = aws_sdk_eventbridge::Client::new(sdk);
        let sqs = aws_sdk_sqs::Client::new(sdk);
        eventbridge
            .create_event_bus()
            .name(name)
            .send()
            .await
            .expect("bus created");
        let url = create_queue(&sqs, name).await;
        let arn = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("queue attributes")
            .attributes
            .and_then(|mut a| a.remove(&aws_sdk_sqs::types::QueueAttributeName::QueueArn))
            .expect("queue arn");
        eventbridge
            .put_rule()
            .name(name)
            .event_bus_name(name)
            .event_pattern(json!({"source": [shared::events::SOURCE]}).to_string())
            .send()
            .await
            .expect("rule created");
        eventbridge
            .put_targets()
            .rule(name)
            .event_bus_name(name)
            .targets(
                aws_sdk_eventbridge::types::Target::builder()
                    .id("queue")
                    .arn(arn)
                    .build()
                    .expect("target"),
            )
            .send()
            .await
            .expect("target set");
        Self {
            sqs,
            url,
            bus: name.to_owned(),
        }
    }

    /// `(detail-type, detail)` of the events received until `count` have arrived or a few
    /// seconds have passed.
    pub async fn received(&self, count: usize) -> Vec<(String, Value)> {
        let mut events = Vec::new();
        for _ in 0..10 {
            if events.len() >= count {
                break;
            }
            let out = self
                .sqs
                .receive_message()
                .queue_url(&self.url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .expect("received");
            for message in out.messages() {
                let body: Value =
                    serde_json::from_str(message.body().unwrap_or("{}")).expect("event json");
                events.push((
                    body["detail-type"].as_str().unwrap_or_default().to_owned(),
                    body["detail"].clone(),
                ));
            }
        }
        events
    }
}

async fn create_queue(sqs: &aws_sdk_sqs::Client, name: &str) -> String {
    sqs.create_queue()
        .queue_name(name)
        .send()
        .await
        .expect("queue created")
        .queue_url
        .expect("queue url")
}

/// A queue of the test's own that starts jobs (`EXPORT_QUEUE_URL`): the test takes what
/// was sent and runs the job itself, as Lambda's event source would.
pub struct JobQueue {
    sqs: aws_sdk_sqs::Client,
    pub url: String,
}

impl JobQueue {
    async fn create(sdk: &aws_config::SdkConfig, name: &str) -> Self {
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let url = create_queue(&sqs, name).await;
        Self { sqs, url }
    }

    /// The bodies of the messages sent so far, each taken off the queue.
    pub async fn take(&self) -> Vec<String> {
        let mut bodies = Vec::new();
        loop {
            let out = self
                .sqs
                .receive_message()
                .queue_url(&self.url)
                .max_number_of_messages(10)
                .wait_time_seconds(0)
                .send()
                .await
                .expect("received");
            let messages = out.messages.unwrap_or_default();
            if messages.is_empty() {
                return bodies;
            }
            for message in messages {
                bodies.push(message.body().unwrap_or_default().to_owned());
                if let Some(handle) = message.receipt_handle() {
                    self.sqs
                        .delete_message()
                        .queue_url(&self.url)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .expect("deleted");
                }
            }
        }
    }
}

/// One test's private table and bucket, and an `App` wired to them.
pub struct TestStack {
    pub env: LocalEnv,
    sdk: aws_config::SdkConfig,
    config: Config,
    pub app: App,
    /// A store without request accounting, for arranging data.
    pub store: Store,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub s3: aws_sdk_s3::Client,
    pub table: String,
    pub bucket: String,
    /// With [`TestStack::with_events`]: what the functions published.
    pub events: Option<EventQueue>,
    /// With [`TestStack::with_jobs`]: the jobs the functions started.
    pub jobs: Option<JobQueue>,
}

impl TestStack {
    pub async fn new() -> Self {
        Self::with_env(&[]).await
    }

    /// A stack whose functions publish to a bus of its own, read back through `events`,
    /// and start jobs on a queue of its own, read through `jobs`.
    pub async fn with_events(overrides: &[(&str, &str)]) -> Self {
        Self::build(overrides, true).await
    }

    /// A stack whose functions see `overrides` on top of the usual configuration.
    pub async fn with_env(overrides: &[(&str, &str)]) -> Self {
        Self::build(overrides, false).await
    }

    /// The same stack, for tests of jobs: [`TestStack::with_events`] without overrides.
    pub async fn with_jobs() -> Self {
        Self::build(&[], true).await
    }

    async fn build(overrides: &[(&str, &str)], with_queues: bool) -> Self {
        static LOGGING: OnceLock<()> = OnceLock::new();
        LOGGING.get_or_init(|| {
            init_logging(|| LogBuffer);
            // reqwest's TLS takes its crypto from the process: aws-lc, as everywhere here.
            let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        });
        let env = LocalEnv::load();
        let sdk = sdk_config(&env).await;
        let suffix = format!(
            "{}-{}-{}",
            std::process::id(),
            NEXT_STACK.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or_default()
        );
        let table = format!("test-{suffix}");
        let bucket = format!("test-{suffix}");
        let template = Template::load(&template::default_path()).expect("template loads");
        let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
        devstack::resources::ensure_table(&dynamodb, &table, &template.table().expect("table"))
            .await
            .expect("the test table is created: is the local stack running (make test)?");
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk)
                .force_path_style(true)
                .build(),
        );
        devstack::resources::ensure_bucket(&s3, &bucket, &template.bucket().expect("bucket"))
            .await
            .expect("the test bucket is created: is the local stack running (make test)?");
        let mut vars: HashMap<&str, String> = HashMap::from([
            ("TABLE_NAME", table.clone()),
            ("BUCKET_NAME", bucket.clone()),
            ("API_KEY_HASHES", env.get("API_KEY_HASHES")),
            ("TOKEN_SIGNING_KEY", env.get("TOKEN_SIGNING_KEY")),
            ("PUBLIC_BASE_URL", env.get("PUBLIC_BASE_URL")),
            ("CONSOLE_ORIGIN", env.get("CONSOLE_ORIGIN")),
            ("S3_FORCE_PATH_STYLE", "true".to_owned()),
            ("ADMIN_USERNAME", env.get("ADMIN_USERNAME")),
            ("ADMIN_PASSWORD_HASH", env.get("ADMIN_PASSWORD_HASH")),
        ]);
        for (k, v) in overrides {
            vars.insert(k, (*v).to_owned());
        }
        let (events, jobs) = match with_queues {
            true => (
                Some(EventQueue::create(&sdk, &format!("test-{suffix}")).await),
                Some(JobQueue::create(&sdk, &format!("test-jobs-{suffix}")).await),
            ),
            false => (None, None),
        };
        if let Some(queue) = &events {
            vars.insert("EVENT_BUS_NAME", queue.bus.clone());
        }
        if let Some(queue) = &jobs {
            vars.insert("EXPORT_QUEUE_URL", queue.url.clone());
        }
        remember_secret(&env.get("LOCAL_API_KEY"));
        remember_secret(&env.get("ADMIN_PASSWORD"));
        remember_secret(&env.get("TOKEN_SIGNING_KEY"));
        let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test config");
        Self {
            app: App::with_clients(
                config.clone(),
                &sdk,
                aws_sdk_dynamodb::config::Builder::from(&sdk).interceptor(iam::recorder()),
                aws_sdk_s3::config::Builder::from(&sdk),
            ),
            config,
            sdk,
            store: Store::new(dynamodb.clone(), &table),
            dynamodb,
            s3,
            table,
            bucket,
            env,
            events,
            jobs,
        }
    }

    pub fn api_key(&self) -> String {
        self.env.get("LOCAL_API_KEY")
    }

    /// The SDK configuration the stack's clients use (the emulators' endpoints).
    pub fn sdk(&self) -> &aws_config::SdkConfig {
        &self.sdk
    }

    /// A request carrying the local API key.
    pub fn admin(&self, method: &str, route: &str) -> ApiRequest {
        ApiRequest::new(method, route).header("x-api-key", &self.api_key())
    }

    /// An App on the same table and bucket whose DynamoDB or S3 client also runs the given
    /// interceptor (an outage, an emulator frozen mid-request).
    pub fn app_with_interceptors(
        &self,
        dynamodb: Option<Interceptor>,
        s3: Option<Interceptor>,
    ) -> App {
        let mut dynamodb_config =
            aws_sdk_dynamodb::config::Builder::from(&self.sdk).interceptor(iam::recorder());
        if let Some(interceptor) = dynamodb {
            dynamodb_config.push_interceptor(SharedInterceptor::new(interceptor));
        }
        let mut s3_config = aws_sdk_s3::config::Builder::from(&self.sdk);
        if let Some(interceptor) = s3 {
            s3_config.push_interceptor(SharedInterceptor::new(interceptor));
        }
        App::with_clients(self.config.clone(), &self.sdk, dynamodb_config, s3_config)
    }

    pub async fn put_video(&self, key: &str, bytes: Vec<u8>) {
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type("video/mp4")
            .body(bytes.into())
            .send()
            .await
            .expect("video uploaded");
    }

    /// Every object key in the bucket.
    pub async fn video_keys(&self) -> Vec<String> {
        let out = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .send()
            .await
            .expect("bucket listed");
        out.contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_owned))
            .collect()
    }

    /// The video key of every recording item in the table, listed or marked `deleting`.
    pub async fn recording_video_keys(&self) -> Vec<String> {
        let scanned = self
            .dynamodb
            .scan()
            .table_name(&self.table)
            .send()
            .await
            .expect("scanned (tests only)");
        scanned
            .items()
            .iter()
            .filter_map(|item| shared::store::decode_recording_item(item.clone()).ok())
            .map(|stored| stored.s3_key)
            .collect()
    }

    pub async fn call<'a, F, Fut>(&'a self, request: ApiRequest, handler: F) -> ApiResponse
    where
        F: Fn(&'a App, Request) -> Fut,
        Fut: Future<Output = HandlerResult>,
    {
        self.call_with(&self.app, request, handler).await
    }

    pub async fn call_with<'a, F, Fut>(
        &self,
        app: &'a App,
        request: ApiRequest,
        handler: F,
    ) -> ApiResponse
    where
        F: Fn(&'a App, Request) -> Fut,
        Fut: Future<Output = HandlerResult>,
    {
        let request_id = request.request_id.clone();
        let function = function_of::<F>();
        // Boxed: the handlers' futures are deep, and the recording nests them further.
        let handled = Box::pin(dispatch(app, request.build(), handler));
        let (response, calls) = iam::record_calls(handled).await;
        if let Some(function) = function {
            let refused = iam::Policies::deployed().refused(&function, &calls);
            assert!(
                refused.is_empty(),
                "{function}'s role in infra/template.yaml would refuse what it just did: {}",
                refused.join("; ")
            );
        }
        let log = log_lines()
            .into_iter()
            .find(|l| l["request_id"] == request_id.as_str() && l["message"] == "request")
            .expect("the request wrote its log line");
        let response = ApiResponse {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.body().to_vec(),
            aws_calls: log["aws_calls"].as_u64().expect("aws_calls is logged"),
        };
        if let Ok(body) = serde_json::from_slice::<Value>(&response.body) {
            remember_issued(&body);
        }
        response
    }
}

/// The function whose handler `F` is (`room_access::handle` is room-access's), if it is
/// one of the template's.
fn function_of<F>() -> Option<String> {
    let path = std::any::type_name::<F>();
    let (krate, _) = path.split_once("::")?;
    let binary = krate.replace('_', "-");
    iam::Policies::deployed()
        .functions
        .contains_key(&binary)
        .then_some(binary)
}

static NEXT_REQUEST: AtomicU32 = AtomicU32::new(0);

/// An API Gateway HTTP API (payload 2.0) event, built from the committed fixture.
pub struct ApiRequest {
    method: String,
    route: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    path_params: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    source_ip: String,
    request_id: String,
}

impl ApiRequest {
    /// `route` is API Gateway's route path, e.g. `/api/v1/recordings/{recordingId}`.
    pub fn new(method: &str, route: &str) -> Self {
        Self {
            method: method.to_owned(),
            route: route.to_owned(),
            path: route.to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            path_params: Vec::new(),
            body: None,
            source_ip: "192.0.2.1".to_owned(),
            request_id: format!(
                "test-{}-{}",
                std::process::id(),
                NEXT_REQUEST.fetch_add(1, Ordering::Relaxed)
            ),
        }
    }

    pub fn path_param(mut self, name: &str, value: &str) -> Self {
        self.path = self.path.replace(&format!("{{{name}}}"), value);
        self.path_params.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_lowercase(), value.to_owned()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        remember_secret(token);
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn json(mut self, body: &Value) -> Self {
        self.body = Some(body.to_string().into_bytes());
        self.header("content-type", "application/json")
    }

    /// A body of any bytes (UTF-8 or not).
    pub fn raw_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// The caller's address as API Gateway reports it (throttling counts by it).
    pub fn from_ip(mut self, ip: &str) -> Self {
        ip.clone_into(&mut self.source_ip);
        self
    }

    /// The event as API Gateway sends it, for a function served over the Runtime API.
    pub fn event(&self) -> Value {
        let mut event: Value =
            serde_json::from_str(include_str!("../fixtures/apigw-v2-request.json"))
                .expect("fixture is JSON");
        let encode = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
        let raw_query = self
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        // API Gateway joins repeated parameters with commas.
        let mut query_params: HashMap<&str, Vec<&str>> = HashMap::new();
        for (k, v) in &self.query {
            query_params.entry(k).or_default().push(v);
        }
        let route_key = format!("{} {}", self.method, self.route);
        event["routeKey"] = json!(route_key);
        event["rawPath"] = json!(self.path);
        event["rawQueryString"] = json!(raw_query);
        event["queryStringParameters"] = if query_params.is_empty() {
            Value::Null
        } else {
            json!(
                query_params
                    .iter()
                    .map(|(k, v)| (*k, v.join(",")))
                    .collect::<HashMap<_, _>>()
            )
        };
        event["pathParameters"] = if self.path_params.is_empty() {
            Value::Null
        } else {
            json!(self.path_params.iter().cloned().collect::<HashMap<_, _>>())
        };
        for (k, v) in &self.headers {
            // API Gateway (payload 2.0) passes cookies apart from the other headers.
            if k == "cookie" {
                event["cookies"] = json!(v.split("; ").collect::<Vec<_>>());
            } else {
                event["headers"][k] = json!(v);
            }
        }
        event["requestContext"]["routeKey"] = json!(route_key);
        event["requestContext"]["requestId"] = json!(self.request_id);
        event["requestContext"]["http"]["method"] = json!(self.method);
        event["requestContext"]["http"]["path"] = json!(self.path);
        event["requestContext"]["http"]["sourceIp"] = json!(self.source_ip);
        event["body"] = match self.body.as_deref().map(std::str::from_utf8) {
            None => Value::Null,
            Some(Ok(text)) => json!(text),
            // API Gateway hands on a body it cannot pass as text in base64.
            Some(Err(_)) => {
                event["isBase64Encoded"] = json!(true);
                json!(BASE64_STANDARD.encode(self.body.as_deref().unwrap_or_default()))
            }
        };
        event
    }

    pub fn build(&self) -> Request {
        lambda_http::request::from_str(&self.event().to_string())
            .expect("a valid API Gateway event")
    }
}

pub struct ApiResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// AWS calls the request made, as its log line reports them (0 over HTTP, where the
    /// log is the server's).
    pub aws_calls: u64,
}

impl ApiResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {} body is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The body if the response is the contract's error with `status` (a JSON object with
    /// an `error` category and a `message`), else what is wrong with it.
    pub fn error_shape(&self, status: u16) -> Result<Value, String> {
        let text = String::from_utf8_lossy(&self.body);
        let body: Value = serde_json::from_slice(&self.body).map_err(|_| {
            format!(
                "status {}, a body that is not JSON: {text:.300}",
                self.status
            )
        })?;
        if self.status != status {
            return Err(format!("status {} (want {status}): {body}", self.status));
        }
        if !(body["error"].is_string() && body["message"].is_string()) {
            return Err(format!(
                "the body is not {{\"error\", \"message\"}}: {body}"
            ));
        }
        Ok(body)
    }

    /// Asserts the contract's error shape and category and returns the body.
    pub fn expect_error(&self, status: u16, category: &str) -> Value {
        let body = self.error_shape(status).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(body["error"], category, "{body}");
        body
    }
}
