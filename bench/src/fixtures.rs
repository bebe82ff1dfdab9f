//! The data the benchmarks run on, in tables and buckets of their own: rooms, recordings
//! (bulk-loaded with concurrent `BatchWriteItem`s), their videos, share links, and the same
//! recordings as JSON objects in S3 the way OpenVidu Meet 3.4 keeps them.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use devstack::template::{self, Template};
use futures_util::StreamExt;
use futures_util::stream;
use shared::model::{Recording, RecordingId, RecordingStatus, RoomId, ShareAccess};
use shared::permissions::Principal;
use shared::store::Store;

/// The smallest committed demo video (about 100 KB), for the recordings that are played.
pub const DEMO_VIDEO: &[u8] = include_bytes!("../../infra/demo/demo-1.mp4");
/// What stands in for a video where only its existence matters (deletes, the load run):
/// S3's delete and head calls cost the same whatever the object's size.
pub const PLACEHOLDER_VIDEO: &[u8] = &[0u8; 1024];

/// Where OpenVidu Meet 3.4 keeps recording metadata: one JSON object per recording under
/// `recordings/.metadata/{roomId}/{egressId}/{uid}.json`.
pub const OPENVIDU_METADATA_PREFIX: &str = "openvidu-meet/recordings/.metadata/";

/// 2026-11-01T00:00:00Z; generated recordings go back a second at a time from here.
pub const NEWEST_START: i64 = 1_793_491_200_000;

pub struct Aws {
    pub sdk: aws_config::SdkConfig,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub s3: aws_sdk_s3::Client,
    pub eventbridge: aws_sdk_eventbridge::Client,
}

impl Aws {
    /// Clients for the emulators; refuses to run without `AWS_ENDPOINT_URL*` so that a
    /// stray run can never reach a real AWS account.
    pub async fn connect() -> Result<Self, String> {
        let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty());
        let local = set("AWS_ENDPOINT_URL")
            || (set("AWS_ENDPOINT_URL_DYNAMODB") && set("AWS_ENDPOINT_URL_S3"));
        if !local {
            return Err(
                "AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_S3 are not set: run through \
                 scripts/bench.sh or scripts/load.sh, which point them at the local stack"
                    .into(),
            );
        }
        let sdk = aws_config::load_from_env().await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk)
                .force_path_style(true)
                .build(),
        );
        Ok(Self {
            dynamodb: aws_sdk_dynamodb::Client::new(&sdk),
            eventbridge: aws_sdk_eventbridge::Client::new(&sdk),
            s3,
            sdk,
        })
    }

    pub fn store(&self, table: &str) -> Store {
        Store::new(self.dynamodb.clone(), table)
    }

    /// The template's table and bucket, and an event bus, under `name`.
    pub async fn create_stack(&self, name: &str) -> Result<(), String> {
        let template = Template::load(&template::default_path())?;
        devstack::resources::ensure_table(&self.dynamodb, name, &template.table()?).await?;
        devstack::resources::ensure_bucket(&self.s3, name, &template.bucket()?).await?;
        devstack::resources::ensure_event_bus(&self.eventbridge, name).await?;
        Ok(())
    }

    /// Deletes what [`Aws::create_stack`] made (and a bucket of the same name's objects),
    /// ignoring what is already gone.
    pub async fn drop_stack(&self, name: &str) {
        let _ = self.dynamodb.delete_table().table_name(name).send().await;
        self.drop_bucket(name).await;
        let _ = self.eventbridge.delete_event_bus().name(name).send().await;
    }

    /// Everything `bench run` or `bench load-setup` made under `name`.
    pub async fn drop_all(&self, name: &str) {
        self.drop_stack(name).await;
        self.drop_bucket(&format!("{name}-meta")).await;
    }

    pub async fn create_bucket(&self, name: &str) -> Result<(), String> {
        let template = Template::load(&template::default_path())?;
        devstack::resources::ensure_bucket(&self.s3, name, &template.bucket()?).await?;
        Ok(())
    }

    pub async fn drop_bucket(&self, name: &str) {
        loop {
            let Ok(out) = self.s3.list_objects_v2().bucket(name).send().await else {
                break;
            };
            let keys: Vec<String> = out
                .contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_owned))
                .collect();
            if keys.is_empty() {
                break;
            }
            if self.delete_keys(name, &keys).await.is_err() {
                break;
            }
        }
        let _ = self.s3.delete_bucket().bucket(name).send().await;
    }

    async fn delete_keys(&self, bucket: &str, keys: &[String]) -> Result<(), String> {
        let objects: Vec<ObjectIdentifier> = keys
            .iter()
            .filter_map(|k| ObjectIdentifier::builder().key(k).build().ok())
            .collect();
        let delete = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(|e| e.to_string())?;
        self.s3
            .delete_objects()
            .bucket(bucket)
            .delete(delete)
            .send()
            .await
            .map_err(|e| DisplayErrorContext(&e).to_string())?;
        Ok(())
    }

    /// Stores `objects` (key, bytes) with `concurrency` uploads in flight.
    pub async fn put_objects(
        &self,
        bucket: &str,
        objects: Vec<(String, Vec<u8>, &'static str)>,
        concurrency: usize,
    ) -> Result<Duration, String> {
        let started = Instant::now();
        let done = AtomicUsize::new(0);
        let total = objects.len();
        let done = &done;
        let results: Vec<Result<(), String>> = stream::iter(objects)
            .map(|(key, bytes, content_type)| async move {
                let mut last = String::new();
                for _ in 0..5 {
                    match self
                        .s3
                        .put_object()
                        .bucket(bucket)
                        .key(&key)
                        .content_type(content_type)
                        .body(ByteStream::from(bytes.clone()))
                        .send()
                        .await
                    {
                        Ok(_) => {
                            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                            if n.is_multiple_of(20_000) {
                                eprintln!("[bench]   {n}/{total} objects stored");
                            }
                            return Ok(());
                        }
                        Err(e) => last = DisplayErrorContext(&e).to_string(),
                    }
                }
                Err(format!("uploading {key}: {last}"))
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        results.into_iter().collect::<Result<Vec<()>, String>>()?;
        Ok(started.elapsed())
    }

    /// Writes items with `BatchWriteItem`, 25 a call and `concurrency` calls in flight,
    /// retrying what DynamoDB leaves unprocessed.
    pub async fn batch_put(
        &self,
        table: &str,
        items: Vec<HashMap<String, AttributeValue>>,
        concurrency: usize,
    ) -> Result<Duration, String> {
        let started = Instant::now();
        let done = Arc::new(AtomicUsize::new(0));
        let total = items.len();
        let chunks: Vec<Vec<HashMap<String, AttributeValue>>> =
            items.chunks(25).map(<[_]>::to_vec).collect();
        let results: Vec<Result<(), String>> = stream::iter(chunks)
            .map(|chunk| {
                let done = done.clone();
                async move {
                    let size = chunk.len();
                    let mut pending: Vec<WriteRequest> = chunk
                        .into_iter()
                        .map(|item| {
                            PutRequest::builder()
                                .set_item(Some(item))
                                .build()
                                .map(|p| WriteRequest::builder().put_request(p).build())
                                .map_err(|e| e.to_string())
                        })
                        .collect::<Result<_, _>>()?;
                    for attempt in 0..20u32 {
                        match self
                            .dynamodb
                            .batch_write_item()
                            .request_items(table, pending.clone())
                            .send()
                            .await
                        {
                            Ok(out) => {
                                pending = out
                                    .unprocessed_items
                                    .and_then(|mut u| u.remove(table))
                                    .unwrap_or_default();
                                if pending.is_empty() {
                                    let n = done.fetch_add(size, Ordering::Relaxed) + size;
                                    if n % 20_000 < size {
                                        eprintln!("[bench]   {n}/{total} items written");
                                    }
                                    return Ok(());
                                }
                            }
                            Err(e) if attempt < 19 => {
                                let _ = DisplayErrorContext(&e);
                            }
                            Err(e) => return Err(DisplayErrorContext(&e).to_string()),
                        }
                        tokio::time::sleep(Duration::from_millis(20 * u64::from(attempt + 1)))
                            .await;
                    }
                    Err("BatchWriteItem kept items unprocessed".to_owned())
                }
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        results.into_iter().collect::<Result<Vec<()>, String>>()?;
        Ok(started.elapsed())
    }
}

/// The `n`-th generated recording of `room`: complete, with a video of `size` bytes;
/// `tag` keeps ids of different sets apart. Newer for smaller `n`.
pub fn recording(room: &RoomId, tag: &str, n: usize, size: usize) -> Result<Recording, String> {
    let id = RecordingId::new(room, &format!("EG_{tag}{n:06}"), &format!("u{tag}{n:06}"))?;
    let start_date = NEWEST_START - (n as i64) * 1000;
    Ok(Recording {
        filename: id.filename(),
        room_id: room.clone(),
        room_name: format!("Bench room {room}"),
        title: None,
        status: RecordingStatus::Complete,
        start_date,
        end_date: Some(start_date + 4_000),
        duration: Some(4.0),
        size: Some(size as u64),
        error_code: None,
        error: None,
        details: Some("Stopped using API".to_owned()),
        recording_id: id,
    })
}

/// The item `Store::put_recording` writes, to batch loads.
pub fn recording_item(recording: &Recording) -> Result<HashMap<String, AttributeValue>, String> {
    shared::store::recording_item(recording).map_err(|e| e.to_string())
}

/// A placeholder for the recording's video: key, bytes and content type.
pub fn placeholder_video(recording: &Recording) -> (String, Vec<u8>, &'static str) {
    let key = recording.recording_id.s3_key();
    (key, PLACEHOLDER_VIDEO.to_vec(), "video/mp4")
}

/// The recording as OpenVidu Meet 3.4 stores its metadata: a JSON object in S3.
pub fn openvidu_metadata(recording: &Recording) -> (String, Vec<u8>, &'static str) {
    let key = format!(
        "{OPENVIDU_METADATA_PREFIX}{}/{}/{}.json",
        recording.room_id,
        recording.recording_id.egress_id(),
        recording.recording_id.uid()
    );
    let body = serde_json::to_vec(recording).unwrap_or_default();
    (key, body, "application/json")
}

/// A public share link of `id`, created as an administrator would; returns its secret.
pub async fn share_link(store: &Store, id: &RecordingId) -> Result<(String, String), String> {
    let now = shared::clock::now_millis();
    let (link, secret) =
        shared::shares::new_link(&Principal::Admin, ShareAccess::Public, now, None);
    let created = store
        .create_share(id, &link, shared::shares::MAX_LIVE_LINKS, now)
        .await
        .map_err(|e| e.to_string())?;
    if created != shared::store::ShareCreated::Created {
        return Err(format!("could not share {id}: {created:?}"));
    }
    Ok((link.share_id, secret))
}

/// Every object key under `prefix`.
pub async fn object_keys(aws: &Aws, bucket: &str, prefix: &str) -> Result<Vec<String>, String> {
    let mut keys = Vec::new();
    let mut token = None;
    loop {
        let out = aws
            .s3
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .set_continuation_token(token)
            .send()
            .await
            .map_err(|e| DisplayErrorContext(&e).to_string())?;
        keys.extend(
            out.contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_owned)),
        );
        match out.next_continuation_token() {
            Some(next) => token = Some(next.to_owned()),
            None => return Ok(keys),
        }
    }
}
