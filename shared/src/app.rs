//! The composition root: everything a handler needs, built once per Lambda instance, and
//! what composes its parts for a request.

use std::sync::OnceLock;

use lambda_http::Request;

use crate::activity::ActivityLog;
use crate::auth::Authenticator;
use crate::aws::{CountCalls, activity_timeouts, aws_timeouts, transfer_timeouts};
use crate::clock::now_millis;
use crate::config::Config;
use crate::deletion::Deleter;
use crate::error::ApiError;
use crate::events::Events;
use crate::http::{query_param, source_ip};
use crate::jobs::Jobs;
use crate::livekit::Egress;
use crate::media::Media;
use crate::model::RecordingId;
use crate::pagination::PageTokens;
use crate::shares::{self, Purpose, Reading, Visit};
use crate::store::Store;
use crate::view_pass::ViewPasses;

/// The header an API client sends a share link's password in.
pub const SHARE_PASSWORD_HEADER: &str = "x-share-password";

/// Everything a handler needs, built once per Lambda instance.
pub struct App {
    pub config: Config,
    pub store: Store,
    /// The clients only some requests use are built on their first use (from the SDK's
    /// settings and the S3 config kept here): a cold start does not pay for them, and a
    /// function that never uses one does not link its code.
    media: OnceLock<Media>,
    events: OnceLock<Events>,
    egress: OnceLock<Result<Egress, String>>,
    transfers: OnceLock<Media>,
    jobs: OnceLock<Jobs>,
    activity: OnceLock<ActivityLog>,
    sdk: aws_config::SdkConfig,
    dynamodb: aws_sdk_dynamodb::config::Builder,
    s3: aws_sdk_s3::config::Builder,
    /// Present where the signing key is configured: see [`App::page_tokens`].
    page_tokens: Option<PageTokens>,
    view_passes: Option<ViewPasses>,
    pub auth: Authenticator,
}

impl App {
    /// Builds the DynamoDB client; makes no network call (credentials and endpoints come
    /// from the environment).
    pub fn new(config: Config, sdk: &aws_config::SdkConfig) -> Self {
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
    ) -> Self {
        let dynamodb = dynamodb.interceptor(CountCalls);
        Self {
            store: Store::new(
                aws_sdk_dynamodb::Client::from_conf(
                    dynamodb.clone().timeout_config(aws_timeouts()).build(),
                ),
                &config.table_name,
            ),
            dynamodb,
            activity: OnceLock::new(),
            media: OnceLock::new(),
            events: OnceLock::new(),
            egress: OnceLock::new(),
            transfers: OnceLock::new(),
            jobs: OnceLock::new(),
            sdk: sdk.clone(),
            s3,
            page_tokens: config
                .signing_key
                .as_ref()
                .map(|key| PageTokens::new(key.expose())),
            view_passes: config
                .signing_key
                .as_ref()
                .map(|key| ViewPasses::new(key.expose())),
            auth: Authenticator::new(&config),
            config,
        }
    }

    /// The videos in S3.
    pub fn media(&self) -> &Media {
        self.media.get_or_init(|| self.build_media(aws_timeouts()))
    }

    /// The videos in S3, for jobs that stream them whole: each part of a transfer may
    /// take as long as a slow network needs, where a request's calls must fail fast.
    pub fn transfers(&self) -> &Media {
        self.transfers
            .get_or_init(|| self.build_media(transfer_timeouts()))
    }

    fn build_media(&self, timeouts: aws_sdk_s3::config::timeout::TimeoutConfig) -> Media {
        let s3 = self
            .s3
            .clone()
            .interceptor(CountCalls)
            .timeout_config(timeouts)
            .force_path_style(self.config.s3_force_path_style)
            .build();
        Media::new(
            aws_sdk_s3::Client::from_conf(s3),
            &self.config.bucket_name,
            self.config.presign_ttl,
        )
    }

    /// The queues that start jobs.
    pub fn jobs(&self) -> &Jobs {
        self.jobs.get_or_init(|| {
            let sqs = aws_sdk_sqs::config::Builder::from(&self.sdk)
                .interceptor(CountCalls)
                .timeout_config(aws_timeouts())
                .build();
            Jobs::new(
                aws_sdk_sqs::Client::from_conf(sqs),
                self.config.export_queue_url.clone(),
            )
        })
    }

    /// The activity trail's writer, on a DynamoDB client of its own whose calls give up
    /// quickly (see [`crate::activity`]).
    pub fn activity(&self) -> &ActivityLog {
        self.activity.get_or_init(|| {
            let client = self
                .dynamodb
                .clone()
                .timeout_config(activity_timeouts())
                .retry_config(
                    aws_sdk_dynamodb::config::retry::RetryConfig::standard().with_max_attempts(2),
                )
                .build();
            ActivityLog::new(
                Store::new(
                    aws_sdk_dynamodb::Client::from_conf(client),
                    &self.config.table_name,
                ),
                self.config.activity_retention_days,
            )
        })
    }

    /// The integrations' event bus.
    pub fn events(&self) -> &Events {
        self.events.get_or_init(|| {
            let eventbridge = aws_sdk_eventbridge::config::Builder::from(&self.sdk)
                .interceptor(CountCalls)
                .timeout_config(aws_timeouts())
                .build();
            Events::new(
                aws_sdk_eventbridge::Client::from_conf(eventbridge),
                self.config.event_bus.clone(),
            )
        })
    }

    /// The LiveKit egress client; a function not given `LIVEKIT_*` records nothing.
    pub fn egress(&self) -> Result<&Egress, ApiError> {
        let livekit = self.config.livekit.as_ref().ok_or_else(|| {
            ApiError::Internal("LIVEKIT_URL and its keys are not configured".into())
        })?;
        self.egress
            .get_or_init(|| Egress::new(livekit))
            .as_ref()
            .map_err(|e| ApiError::Internal(e.clone().into()))
    }

    pub fn deleter(&self) -> Deleter<'_> {
        Deleter {
            store: &self.store,
            media: self.media(),
            events: self.events(),
        }
    }

    /// The recording `req` may read (get, play, download) for `purpose`: through its share
    /// link's `?secret=` (and `X-Share-Password`), or else its credentials (see
    /// [`shares::readable_recording`]).
    pub async fn readable_recording(
        &self,
        req: &Request,
        id: &RecordingId,
        purpose: Purpose,
    ) -> Reading {
        let source = source_ip(req);
        let visit = query_param(req, "secret").map(|secret| Visit {
            secret,
            // UTF-8, not only the visible ASCII `to_str` takes: a password may be in any
            // language.
            password: req
                .headers()
                .get(SHARE_PASSWORD_HEADER)
                .and_then(|v| std::str::from_utf8(v.as_bytes()).ok()),
            source: &source,
            purpose,
            counted_already: false,
        });
        let caller = || self.auth.authenticate(req);
        shares::readable_recording(&self.store, id, visit, caller, now_millis()).await
    }

    /// The recipient page's view passes; a function not given `TOKEN_SIGNING_KEY` issues
    /// none.
    pub fn view_passes(&self) -> Result<&ViewPasses, ApiError> {
        self.view_passes
            .as_ref()
            .ok_or_else(|| ApiError::Internal("TOKEN_SIGNING_KEY is not configured".into()))
    }

    /// Where rooms' links lead; a function not given `CONSOLE_ORIGIN` makes none.
    pub fn console_origin(&self) -> Result<&str, ApiError> {
        self.config
            .console_origin
            .as_deref()
            .ok_or_else(|| ApiError::Internal("CONSOLE_ORIGIN is not configured".into()))
    }

    /// The list pages' token keys; a function not given `TOKEN_SIGNING_KEY` lists nothing.
    pub fn page_tokens(&self) -> Result<&PageTokens, ApiError> {
        self.page_tokens
            .as_ref()
            .ok_or_else(|| ApiError::Internal("TOKEN_SIGNING_KEY is not configured".into()))
    }
}
