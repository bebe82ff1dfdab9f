//! AWS plumbing shared by the stores: client configuration, error classification and the
//! per-request count of AWS calls that the request log line reports.

use std::cell::Cell;
use std::error::Error;
use std::future::Future;
use std::time::Duration;

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::{BoxError, ProvideErrorMetadata, SdkError};

tokio::task_local! {
    static AWS_CALLS: Cell<u32>;
}

/// Runs `fut`, returning its output and the number of AWS HTTP requests it sent (retries
/// included: each one is billed and each one is latency).
pub async fn count_aws_calls<F: Future>(fut: F) -> (F::Output, u32) {
    AWS_CALLS
        .scope(Cell::new(0), async move {
            let output = fut.await;
            (output, AWS_CALLS.with(Cell::get))
        })
        .await
}

/// Counts every request an SDK client transmits into the current request's tally.
#[derive(Debug)]
pub struct CountCalls;

impl Intercept for CountCalls {
    fn name(&self) -> &'static str {
        "CountCalls"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // Presigning runs the same pipeline up to here but is never sent; its request is
        // the only kind signed in the query string.
        if context.request().uri().contains("X-Amz-Signature=") {
            return Ok(());
        }
        // Outside a counted request (seeding, tests) there is nothing to count into.
        let _ = AWS_CALLS.try_with(|calls| calls.set(calls.get() + 1));
        Ok(())
    }
}

/// An AWS failure, sorted by what the client should be told.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// Unreachable, timed out or throttled past the SDK's retries: worth retrying.
    #[error("AWS unavailable")]
    Unavailable(#[source] BoxError),
    #[error("AWS error")]
    Other(#[source] BoxError),
}

const RETRYABLE_CODES: [&str; 9] = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "InternalError",
    "ServiceUnavailable",
    "SlowDown",
    "RequestTimeout",
    "TransactionInProgressException",
];

fn is_retryable(err: &impl ProvideErrorMetadata) -> bool {
    err.code()
        .is_some_and(|code| RETRYABLE_CODES.contains(&code))
}

impl AwsError {
    /// A service's own answer, taken out of its `SdkError`.
    pub fn of_service<E: ProvideErrorMetadata + Error + Send + Sync + 'static>(err: E) -> Self {
        if is_retryable(&err) {
            Self::Unavailable(err.into())
        } else {
            Self::Other(err.into())
        }
    }
}

impl<E, R> From<SdkError<E, R>> for AwsError
where
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    fn from(err: SdkError<E, R>) -> Self {
        let retryable = match &err {
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => true,
            SdkError::ResponseError(_) => true,
            SdkError::ServiceError(service) => is_retryable(service.err()),
            _ => false,
        };
        if retryable {
            Self::Unavailable(err.into())
        } else {
            Self::Other(err.into())
        }
    }
}

/// A transfer's call (a part of a multipart upload, the start of a large read) may take
/// as long as a slow link needs; one that hangs still fails well within a job's time.
pub(crate) fn transfer_timeouts() -> aws_sdk_dynamodb::config::timeout::TimeoutConfig {
    aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(2))
        .operation_attempt_timeout(Duration::from_secs(60))
        .operation_timeout(Duration::from_secs(180))
        .build()
}

/// For the activity trail's writes, which must never hold a request up for long: one
/// attempt and one retry, a quarter of a second each.
pub(crate) fn activity_timeouts() -> aws_sdk_dynamodb::config::timeout::TimeoutConfig {
    aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_millis(250))
        .operation_attempt_timeout(Duration::from_millis(250))
        .operation_timeout(Duration::from_millis(600))
        .build()
}

/// An AWS call that hangs (a frozen or overloaded endpoint) fails in time for the request
/// to answer 503 well within the function's timeout, retries included.
pub(crate) fn aws_timeouts() -> aws_sdk_dynamodb::config::timeout::TimeoutConfig {
    aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(1))
        .operation_attempt_timeout(Duration::from_secs(2))
        .operation_timeout(Duration::from_secs(5))
        .build()
}
