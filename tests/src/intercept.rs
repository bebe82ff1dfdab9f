//! One SDK interceptor whose behaviour is a closure, called as each request of a client
//! goes out: outages, emulator freezes, slow calls, the IAM check's call recording and
//! call counts are each a few lines on it. It fits any AWS SDK client
//! (`config::Builder::interceptor`, or `push_interceptor(SharedInterceptor::new(..))`).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, Metadata};

/// What becomes of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Sent as it is.
    Send,
    /// Sent to a closed port: a real connection failure, which the SDK retries and then
    /// reports as the service being unreachable.
    Fail,
}

/// A request a client is about to transmit.
pub struct Outgoing<'a> {
    /// How many requests this interceptor saw before this one (retries included).
    pub index: u32,
    /// The SDK's name of the service: `DynamoDB`, `S3`.
    pub service: &'a str,
    /// The operation: `GetItem`, `DeleteObjects`.
    pub operation: &'a str,
    pub request: &'a HttpRequest,
}

impl Outgoing<'_> {
    /// Presigning runs the same pipeline up to here but never sends the request; its
    /// request is the only kind signed in the query string.
    pub fn presigned(&self) -> bool {
        self.request.uri().contains("X-Amz-Signature=")
    }

    /// The body, if it is JSON (DynamoDB's are).
    pub fn json_body(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(self.request.body().bytes()?).ok()
    }
}

type Behaviour = dyn Fn(&Outgoing<'_>) -> Verdict + Send + Sync;

/// The interceptor: `behaviour` decides each request's [`Verdict`] (and may do anything
/// else meanwhile: record, count, freeze an emulator). Clones share the count of requests.
#[derive(Clone)]
pub struct Interceptor {
    name: &'static str,
    seen: Arc<AtomicU32>,
    behaviour: Arc<Behaviour>,
}

impl Interceptor {
    pub fn new(
        name: &'static str,
        behaviour: impl Fn(&Outgoing<'_>) -> Verdict + Send + Sync + 'static,
    ) -> Self {
        Self {
            name,
            seen: Arc::new(AtomicU32::new(0)),
            behaviour: Arc::new(behaviour),
        }
    }

    /// Fails a client's requests from its `fail_from`-th on (counting from 0): a real
    /// connection failure at a chosen moment of a request.
    pub fn outage_after(fail_from: u32) -> Self {
        Self::new("Outage", move |call| match call.index >= fail_from {
            true => Verdict::Fail,
            false => Verdict::Send,
        })
    }
}

impl fmt::Debug for Interceptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Interceptor({})", self.name)
    }
}

impl Intercept for Interceptor {
    fn name(&self) -> &'static str {
        self.name
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let metadata = cfg.load::<Metadata>();
        let call = Outgoing {
            index: self.seen.fetch_add(1, Ordering::SeqCst),
            service: metadata.map_or("unknown", Metadata::service),
            operation: metadata.map_or("unknown", Metadata::name),
            request: context.request(),
        };
        if (self.behaviour)(&call) == Verdict::Fail {
            context.request_mut().set_uri("http://127.0.0.1:1/")?;
        }
        Ok(())
    }
}

/// How many requests of each operation clients sent, by `"<service> <operation>"`
/// (`"DynamoDB GetItem"`, `"S3 DeleteObjects"`), presigning aside.
#[derive(Debug, Clone, Default)]
pub struct CallCounts(Arc<Mutex<BTreeMap<String, u64>>>);

impl CallCounts {
    /// An interceptor counting into these counts (one per client; they may share counts).
    pub fn interceptor(&self) -> Interceptor {
        let counts = self.0.clone();
        Interceptor::new("CallCounts", move |call| {
            if !call.presigned()
                && let Ok(mut counts) = counts.lock()
            {
                *counts
                    .entry(format!("{} {}", call.service, call.operation))
                    .or_default() += 1;
            }
            Verdict::Send
        })
    }

    /// The counts so far, starting again from none.
    pub fn take(&self) -> BTreeMap<String, u64> {
        self.0
            .lock()
            .map(|mut counts| std::mem::take(&mut *counts))
            .unwrap_or_default()
    }
}
