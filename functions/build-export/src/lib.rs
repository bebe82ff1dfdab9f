//! The export job: builds an export's ZIP in S3 straight from the videos in S3. Each
//! video is read with one streaming `GetObject` and written, stored as it is with its
//! CRC-32 computed on the way, into a multipart upload of fixed-size parts, a few in
//! flight: memory stays bounded whatever the export's size. Progress goes into the
//! export's item as parts complete.
//!
//! A run that fails aborts its upload and marks the export failed with a reason people
//! can act on; a run cut short (a crash, a timeout) is taken over when SQS delivers its
//! message again, and that run aborts the dead one's upload and starts afresh.

mod parts;

use std::time::{Duration, Instant};

use serde::Deserialize;
use shared::app::App;
use shared::aws::AwsError;
use shared::clock::now_millis;
use shared::error::{ApiError, Chain};
use shared::exports::export_key;
use shared::media::Media;
use shared::model::{Export, ExportEntry, ExportStatus, SkipReason, Skipped};
use shared::runtime::Deadline;
use shared::store::ExportResult;
use shared::zip::{ZipWriter, archive_size};

use parts::PartUploader;

/// A run stops while it still has this long to abort its upload and say why.
const TIME_MARGIN: Duration = Duration::from_secs(30);
/// Progress is written at most this often.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Message {
    export_id: String,
}

/// Why a run did not complete the export.
#[derive(Debug)]
enum Failure {
    Aws(AwsError),
    /// The function's time limit came before the end.
    OutOfTime,
    /// Every recording was deleted before the run reached it.
    NothingLeft,
    /// A video's length was not what S3 said when it was opened.
    Changed,
    /// Another run took the export over (this one was thought dead).
    Superseded,
}

impl From<AwsError> for Failure {
    fn from(err: AwsError) -> Self {
        Self::Aws(err)
    }
}

impl Failure {
    /// What the export says, for people.
    fn message(&self) -> &'static str {
        match self {
            Self::Aws(_) => "Reading or writing the recordings failed; start the export again",
            Self::OutOfTime => {
                "The export did not finish in the time one run has; export fewer recordings at once"
            }
            Self::NothingLeft => "Every recording was deleted before the export reached it",
            Self::Changed => "A recording changed while it was read; start the export again",
            Self::Superseded => "",
        }
    }
}

/// One SQS message: `{"exportId": "..."}`.
pub async fn run(app: &App, body: String, deadline: Deadline) -> Result<(), ApiError> {
    let Ok(message) = serde_json::from_str::<Message>(&body) else {
        // Not ours to retry: a message no run can read is dropped, and said so.
        tracing::error!("export job: a message without an export id was dropped");
        return Ok(());
    };
    build_export(app, &message.export_id, deadline).await
}

/// Builds the export's ZIP. Fails (for the message to be delivered again) only where
/// nothing was decided: an export that ran and failed is marked failed, not retried.
pub async fn build_export(app: &App, export_id: &str, deadline: Deadline) -> Result<(), ApiError> {
    let media = app.transfers();
    let key = export_key(export_id);
    let upload_id = media.start_upload(&key, "application/zip").await?;
    let claimed = app
        .store
        .start_export_run(export_id, &upload_id, now_millis())
        .await;
    let previous = match claimed {
        Ok(Some(previous)) => previous,
        Ok(None) | Err(_) => {
            // Finished, expired, or not claimable now: this run's upload goes.
            abort(media, &key, &upload_id).await;
            return claimed.map(|_| ()).map_err(ApiError::from);
        }
    };
    if let Some(dead) = &previous.upload_id {
        abort(media, &key, dead).await;
    }
    let mut job = Job {
        app,
        media,
        export_id,
        upload_id: &upload_id,
        deadline,
        export: previous.export,
        included: Vec::new(),
        skipped: Vec::new(),
    };
    let written = job.write_zip(&key).await;
    let finished = now_millis();
    let result = match &written {
        Ok(size) => ExportResult {
            status: ExportStatus::Complete,
            recordings: &job.included,
            skipped: &job.skipped,
            total_bytes: *size,
            bytes_written: *size,
            error: None,
        },
        Err(Failure::Superseded) => return Ok(()),
        Err(failure) => {
            match failure {
                Failure::Aws(err) => {
                    tracing::error!(export_id, error = %Chain(err), "export failed")
                }
                other => tracing::warn!(export_id, reason = other.message(), "export failed"),
            }
            abort(media, &key, &upload_id).await;
            ExportResult {
                status: ExportStatus::Failed,
                recordings: &job.export.recordings,
                skipped: &job.skipped,
                total_bytes: job.export.total_bytes,
                bytes_written: 0,
                error: Some(failure.message()),
            }
        }
    };
    app.store
        .finish_export(export_id, &upload_id, &result, finished)
        .await?;
    Ok(())
}

async fn abort(media: &Media, key: &str, upload_id: &str) {
    if let Err(err) = media.abort_upload(key, upload_id).await {
        // The bucket's lifecycle rule removes incomplete uploads after a day.
        tracing::warn!(error = %Chain(&err), "aborting an export's upload failed");
    }
}

struct Job<'a> {
    app: &'a App,
    media: &'a Media,
    export_id: &'a str,
    upload_id: &'a str,
    deadline: Deadline,
    export: Export,
    included: Vec<ExportEntry>,
    skipped: Vec<Skipped>,
}

impl Job<'_> {
    /// Streams every recording still there into the ZIP; returns the ZIP's size.
    async fn write_zip(&mut self, key: &str) -> Result<u64, Failure> {
        let mut zip = ZipWriter::new(self.export.created_at / 1000);
        let mut upload = PartUploader::new(self.media, key, self.upload_id);
        let mut last_progress = Instant::now();
        self.skipped = self.export.skipped.clone();
        let entries = self.export.recordings.clone();
        for (index, entry) in entries.iter().enumerate() {
            let Some((size, mut body)) = self.open(entry).await? else {
                self.skipped.push(Skipped::new(
                    entry.recording_id.clone(),
                    SkipReason::Deleted,
                ));
                continue;
            };
            upload
                .write(&zip.begin_entry(&entry.filename, size))
                .await?;
            let mut crc = crc32fast::Hasher::new();
            let mut read = 0u64;
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| AwsError::Unavailable(e.into()))?;
                crc.update(&chunk);
                read += chunk.len() as u64;
                upload.write(&chunk).await?;
                if self.deadline.near(TIME_MARGIN) {
                    return Err(Failure::OutOfTime);
                }
                if last_progress.elapsed() >= PROGRESS_EVERY {
                    last_progress = Instant::now();
                    let total = self.expected_size(&entries[index + 1..], size, entry);
                    self.progress(upload.uploaded(), total).await?;
                }
            }
            if read != size {
                return Err(Failure::Changed);
            }
            upload.write(&zip.end_entry(crc.finalize())).await?;
            self.included.push(ExportEntry {
                size,
                ..entry.clone()
            });
        }
        if self.included.is_empty() {
            return Err(Failure::NothingLeft);
        }
        upload.write(&zip.finish()).await?;
        upload.complete().await?;
        Ok(zip.offset())
    }

    /// The recording's video, unless the recording was deleted (or is being deleted)
    /// since the export started: its item is read before its video.
    async fn open(
        &self,
        entry: &ExportEntry,
    ) -> Result<Option<(u64, aws_sdk_s3::primitives::ByteStream)>, Failure> {
        let id = &entry.recording_id;
        let loaded = self
            .app
            .store
            .load_with_rooms(std::slice::from_ref(id), &[])
            .await?;
        if loaded.recordings.get(id).is_none_or(|r| r.is_gone()) {
            return Ok(None);
        }
        Ok(self.media.open(&id.s3_key()).await?)
    }

    /// The ZIP's size as now known: what is included, the entry being written, and the
    /// sizes the recordings still to come had when the export started.
    fn expected_size(&self, to_come: &[ExportEntry], size: u64, current: &ExportEntry) -> u64 {
        let known = self.included.iter().map(|e| (e.filename.as_str(), e.size));
        let current = std::iter::once((current.filename.as_str(), size));
        let rest = to_come.iter().map(|e| (e.filename.as_str(), e.size));
        archive_size(known.chain(current).chain(rest))
    }

    async fn progress(&self, written: u64, total: u64) -> Result<(), Failure> {
        let current = self
            .app
            .store
            .export_progress(self.export_id, self.upload_id, written, total, now_millis())
            .await?;
        if current {
            Ok(())
        } else {
            Err(Failure::Superseded)
        }
    }
}
