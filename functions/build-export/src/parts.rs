//! The ZIP's bytes into an S3 multipart upload: fixed-size parts, a few uploading while
//! the next fills, so that memory is bounded by (in flight + 1) × the part size.

use std::future::Future;
use std::pin::Pin;

use aws_sdk_s3::types::CompletedPart;
use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use shared::aws::AwsError;
use shared::media::Media;

/// 8 MiB: above S3's 5 MiB floor for every part but the last; 10,000 parts make 78 GiB,
/// well past what one run builds in its time.
pub const PART_SIZE: usize = 8 << 20;
/// Parts uploading at once while the next one fills.
const IN_FLIGHT: usize = 4;

type Upload<'a> = Pin<Box<dyn Future<Output = Result<(CompletedPart, u64), AwsError>> + Send + 'a>>;

pub struct PartUploader<'a> {
    media: &'a Media,
    key: &'a str,
    upload_id: &'a str,
    buffer: Vec<u8>,
    next_part: i32,
    in_flight: FuturesOrdered<Upload<'a>>,
    done: Vec<CompletedPart>,
    uploaded: u64,
}

impl<'a> PartUploader<'a> {
    pub fn new(media: &'a Media, key: &'a str, upload_id: &'a str) -> Self {
        Self {
            media,
            key,
            upload_id,
            buffer: Vec::with_capacity(PART_SIZE),
            next_part: 1,
            in_flight: FuturesOrdered::new(),
            done: Vec::new(),
            uploaded: 0,
        }
    }

    /// Bytes in the parts uploaded so far.
    pub fn uploaded(&self) -> u64 {
        self.uploaded
    }

    pub async fn write(&mut self, mut bytes: &[u8]) -> Result<(), AwsError> {
        while !bytes.is_empty() {
            let take = (PART_SIZE - self.buffer.len()).min(bytes.len());
            self.buffer.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.buffer.len() == PART_SIZE {
                self.send_part().await?;
            }
        }
        Ok(())
    }

    /// Uploads what is left as the last part, waits for every part, and completes the
    /// upload.
    pub async fn complete(mut self) -> Result<(), AwsError> {
        if !self.buffer.is_empty() || self.next_part == 1 {
            self.send_part().await?;
        }
        while !self.in_flight.is_empty() {
            self.collect_one().await?;
        }
        self.media
            .complete_upload(self.key, self.upload_id, std::mem::take(&mut self.done))
            .await
    }

    async fn send_part(&mut self) -> Result<(), AwsError> {
        if self.in_flight.len() >= IN_FLIGHT {
            self.collect_one().await?;
        }
        let bytes = std::mem::replace(&mut self.buffer, Vec::with_capacity(PART_SIZE));
        let len = bytes.len() as u64;
        let (media, key, upload_id, number) =
            (self.media, self.key, self.upload_id, self.next_part);
        self.in_flight.push_back(Box::pin(async move {
            let part = media.upload_part(key, upload_id, number, bytes).await?;
            Ok((part, len))
        }));
        self.next_part += 1;
        Ok(())
    }

    async fn collect_one(&mut self) -> Result<(), AwsError> {
        if let Some(result) = self.in_flight.next().await {
            let (part, len) = result?;
            self.done.push(part);
            self.uploaded += len;
        }
        Ok(())
    }
}
