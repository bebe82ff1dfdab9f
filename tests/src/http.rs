//! The same requests over real HTTP, to a running API (`cargo lambda watch` behind
//! `scripts/gateway.py`, as `make dev` serves it): for the tests that `scripts/smoke.sh` runs
//! against a fresh table and bucket, with the API's address in `SMOKE_BASE_URL`.

use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::{ApiRequest, ApiResponse, LocalEnv};

/// What a query's names and values keep unencoded: commas too, so that a long id list
/// stays as long as a client would send it (the local gateway reads lines up to 64 KiB).
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b',');

/// The running API, and the local credentials.
pub struct HttpApi {
    pub base: String,
    pub env: LocalEnv,
    client: reqwest::Client,
}

impl HttpApi {
    /// The API at `SMOKE_BASE_URL` (for example `http://127.0.0.1:9100`).
    pub fn from_env() -> Self {
        let base = std::env::var("SMOKE_BASE_URL")
            .ok()
            .filter(|b| !b.is_empty())
            .expect("SMOKE_BASE_URL names a running API: run these tests with scripts/smoke.sh");
        // reqwest's TLS takes its crypto from the process: aws-lc, as everywhere here.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let client = reqwest::Client::builder()
            // `cargo lambda watch` builds a function on its first request.
            .timeout(Duration::from_secs(300))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the HTTP client builds");
        Self {
            base: base.trim_end_matches('/').to_owned(),
            env: LocalEnv::load(),
            client,
        }
    }

    /// A request carrying the local API key.
    pub fn admin(&self, method: &str, route: &str) -> ApiRequest {
        ApiRequest::new(method, route).header("x-api-key", &self.env.get("LOCAL_API_KEY"))
    }

    /// Sends the request to the API; panics only if no answer comes.
    pub async fn send(&self, request: &ApiRequest) -> ApiResponse {
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("a method");
        let encode = |s: &str| utf8_percent_encode(s, QUERY).to_string();
        let query: Vec<String> = request
            .query
            .iter()
            .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
            .collect();
        let mut url = format!("{}{}", self.base, request.path);
        if !query.is_empty() {
            url = format!("{url}?{}", query.join("&"));
        }
        let mut builder = self.client.request(method, url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        self.answer(builder).await
    }

    /// GETs an absolute URL (a presigned or shared link).
    pub async fn get_url(&self, url: &str) -> ApiResponse {
        self.answer(self.client.get(url)).await
    }

    async fn answer(&self, request: reqwest::RequestBuilder) -> ApiResponse {
        let response = request.send().await.expect("the API answers");
        ApiResponse {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.bytes().await.expect("the body arrives").to_vec(),
            aws_calls: 0,
        }
    }
}
