//! S3: presigned GET URLs (signed locally, no network), batched deletes, and the streaming
//! reads and multipart writes of exports.

use std::time::{Duration, SystemTime};

use aws_sdk_s3::Client;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, Delete, ObjectIdentifier};
use futures_util::future::join_all;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::aws::AwsError;

/// S3 deletes at most this many keys per `DeleteObjects` call.
const DELETE_BATCH: usize = 1000;

/// How the browser should treat the video.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Played in the page.
    Inline,
    /// Saved as a file.
    Attachment,
}

/// RFC 5987 `attr-char`: what may stand unencoded in `filename*`.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `Content-Disposition` per RFC 6266: a plain ASCII `filename` for old clients and, when
/// the name is not plain ASCII, a UTF-8 `filename*`.
pub fn content_disposition(disposition: Disposition, filename: &str) -> String {
    let kind = match disposition {
        Disposition::Inline => "inline",
        Disposition::Attachment => "attachment",
    };
    let fallback: String = filename
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '_',
        })
        .collect();
    if fallback == filename {
        format!("{kind}; filename=\"{filename}\"")
    } else {
        let encoded = utf8_percent_encode(filename, ATTR_CHAR);
        format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
    }
}

#[derive(Debug, Clone)]
pub struct PresignedUrl {
    pub url: String,
    /// Epoch milliseconds.
    pub expires_at: i64,
}

#[derive(Clone)]
pub struct Media {
    client: Client,
    bucket: String,
    lifetime: Duration,
}

impl Media {
    pub fn new(client: Client, bucket: impl Into<String>, lifetime: Duration) -> Self {
        Self {
            client,
            bucket: bucket.into(),
            lifetime,
        }
    }

    /// A short-lived URL that GETs the video as `video/mp4` with the given disposition.
    /// Signing is local: no call to S3.
    pub async fn presign_video(
        &self,
        key: &str,
        filename: &str,
        disposition: Disposition,
    ) -> Result<PresignedUrl, AwsError> {
        self.presign_get(key, "video/mp4", disposition, filename)
            .await
    }

    /// A short-lived URL that GETs the object as `content_type`, saved or shown as
    /// `filename`. Signing is local: no call to S3.
    pub async fn presign_get(
        &self,
        key: &str,
        content_type: &str,
        disposition: Disposition,
        filename: &str,
    ) -> Result<PresignedUrl, AwsError> {
        let start = SystemTime::now();
        let config = PresigningConfig::builder()
            .start_time(start)
            .expires_in(self.lifetime)
            .build()
            .map_err(|e| AwsError::Other(format!("presigning config: {e}").into()))?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_type(content_type)
            .response_content_disposition(content_disposition(disposition, filename))
            .presigned(config)
            .await?;
        let expires = start + self.lifetime;
        let expires_at = expires
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        Ok(PresignedUrl {
            url: request.uri().to_owned(),
            expires_at,
        })
    }

    /// The object's length and its bytes as they arrive; `None` if there is no such object.
    pub async fn open(&self, key: &str) -> Result<Option<(u64, ByteStream)>, AwsError> {
        match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => {
                let length = out.content_length.and_then(|l| u64::try_from(l).ok());
                let length =
                    length.ok_or_else(|| AwsError::Other("GetObject without a length".into()))?;
                Ok(Some((length, out.body)))
            }
            Err(err) if err.as_service_error().is_some_and(|e| e.is_no_such_key()) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// Starts a multipart upload to `key`; returns its id.
    pub async fn start_upload(&self, key: &str, content_type: &str) -> Result<String, AwsError> {
        let out = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .send()
            .await?;
        out.upload_id
            .ok_or_else(|| AwsError::Other("CreateMultipartUpload without an upload id".into()))
    }

    /// Uploads part `number` (from 1) of an upload.
    pub async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: i32,
        bytes: Vec<u8>,
    ) -> Result<CompletedPart, AwsError> {
        let out = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .part_number(number)
            .body(ByteStream::from(bytes))
            .send()
            .await?;
        Ok(CompletedPart::builder()
            .part_number(number)
            .set_e_tag(out.e_tag)
            .build())
    }

    /// Makes the object of the parts, in order.
    pub async fn complete_upload(
        &self,
        key: &str,
        upload_id: &str,
        parts: Vec<CompletedPart>,
    ) -> Result<(), AwsError> {
        self.client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await?;
        Ok(())
    }

    /// Drops an upload and the parts stored for it.
    pub async fn abort_upload(&self, key: &str, upload_id: &str) -> Result<(), AwsError> {
        self.client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .send()
            .await?;
        Ok(())
    }

    /// Deletes the objects, 1000 keys a call, calls concurrent. Returns the keys that could
    /// not be deleted; a key that did not exist counts as deleted.
    pub async fn delete_objects(&self, keys: &[String]) -> Vec<String> {
        let calls = keys
            .chunks(DELETE_BATCH)
            .map(|chunk| self.delete_batch(chunk));
        join_all(calls).await.into_iter().flatten().collect()
    }

    async fn delete_batch(&self, keys: &[String]) -> Vec<String> {
        let objects: Result<Vec<_>, _> = keys
            .iter()
            .map(|k| ObjectIdentifier::builder().key(k).build())
            .collect();
        let delete =
            objects.and_then(|o| Delete::builder().set_objects(Some(o)).quiet(true).build());
        let Ok(delete) = delete else {
            return keys.to_vec();
        };
        match self
            .client
            .delete_objects()
            .bucket(&self.bucket)
            .delete(delete)
            .send()
            .await
        {
            Ok(out) => out
                .errors
                .unwrap_or_default()
                .into_iter()
                .filter_map(|e| e.key)
                .collect(),
            Err(err) => {
                tracing::warn!(error = %AwsError::from(err), "DeleteObjects failed");
                keys.to_vec()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_names_are_quoted_as_they_are() {
        assert_eq!(
            content_disposition(Disposition::Attachment, "room--u1.mp4"),
            "attachment; filename=\"room--u1.mp4\""
        );
        assert_eq!(
            content_disposition(Disposition::Inline, "a b.mp4"),
            "inline; filename=\"a b.mp4\""
        );
    }

    #[test]
    fn other_names_get_a_fallback_and_an_encoded_form() {
        assert_eq!(
            content_disposition(Disposition::Attachment, "réunion \"q3\".mp4"),
            "attachment; filename=\"r_union _q3_.mp4\"; filename*=UTF-8''r%C3%A9union%20%22q3%22.mp4"
        );
    }
}
