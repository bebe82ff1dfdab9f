//! The data the benchmarks run on, in tables and buckets of their own: rooms, recordings
//! (bulk-loaded with concurrent `BatchWriteItem`s), their videos, share links, and the same
//! recordings as JSON objects in S3 the way OpenVidu Meet 3.4 keeps them.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use devstack::template::{self, Template};
use futures_util::StreamExt;
use futures_util::stream;
use integration_tests::fixtures::recording_with;
use shared::model::{Recording, RecordingId, RecordingStatus, RoomId};
use shared::permissions::Principal;
use shared::store::{Item, Store, StoredRecording};

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

/// The secrets the cold starts read from Secrets Manager, as deployed functions do.
const SECRETS: [&str; 2] = ["TOKEN_SIGNING_KEY", "API_KEY_HASHES"];

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
        let sdk = devstack::sdk_config().await;
        Ok(Self {
            dynamodb: aws_sdk_dynamodb::Client::new(&sdk),
            eventbridge: aws_sdk_eventbridge::Client::new(&sdk),
            s3: devstack::s3_client(&sdk),
            sdk,
        })
    }

    pub fn store(&self, table: &str) -> Store {
        Store::new(self.dynamodb.clone(), table)
    }

    /// The template's table and bucket, and an event bus, under `name`; with `meta`, a
    /// second bucket `{name}-meta`.
    pub async fn create_stack(&self, name: &str, meta: bool) -> Result<(), String> {
        let template = Template::load(&template::default_path())?;
        let (table, bucket) = (template.table()?, template.bucket()?);
        devstack::resources::ensure_table(&self.dynamodb, name, &table).await?;
        devstack::resources::ensure_bucket(&self.s3, name, &bucket).await?;
        if meta {
            devstack::resources::ensure_bucket(&self.s3, &format!("{name}-meta"), &bucket).await?;
        }
        devstack::resources::ensure_event_bus(&self.eventbridge, name)
            .await
            .map(drop)
    }

    /// Deletes what [`Aws::create_stack`] and [`Aws::store_secrets`] made, ignoring what is
    /// already gone.
    pub async fn drop_stack(&self, name: &str) {
        let _ = self.dynamodb.delete_table().table_name(name).send().await;
        for bucket in [name.to_owned(), format!("{name}-meta")] {
            let keys = object_keys(self, &bucket, "").await.unwrap_or_default();
            for chunk in keys.chunks(1000) {
                let objects = chunk
                    .iter()
                    .map(|k| ObjectIdentifier::builder().key(k).build());
                let objects = objects.collect::<Result<_, _>>().ok();
                if let Ok(delete) = Delete::builder().set_objects(objects).quiet(true).build() {
                    let request = self.s3.delete_objects().bucket(&bucket);
                    let _ = request.delete(delete).send().await;
                }
            }
            let _ = self.s3.delete_bucket().bucket(&bucket).send().await;
        }
        let _ = self.eventbridge.delete_event_bus().name(name).send().await;
        let secrets = aws_sdk_secretsmanager::Client::new(&self.sdk);
        for variable in SECRETS {
            let secret = secrets
                .delete_secret()
                .secret_id(format!("{name}-{variable}"));
            let _ = secret.force_delete_without_recovery(true).send().await;
        }
    }

    /// The list function's secrets (as `env` gives them) stored in the local Secrets
    /// Manager, as a deployment stores them: each variable with its secret's ARN.
    pub async fn store_secrets(
        &self,
        name: &str,
        env: &[(String, String)],
    ) -> Result<Vec<(String, String)>, String> {
        let client = aws_sdk_secretsmanager::Client::new(&self.sdk);
        let mut secrets = Vec::new();
        for variable in SECRETS {
            let value = env.iter().find(|(k, _)| k == variable).map(|(_, v)| v);
            let value = value.ok_or(format!("{variable} is not in the functions' environment"))?;
            let secret = client.create_secret().name(format!("{name}-{variable}"));
            let created = secret.secret_string(value).send().await;
            let created = created.map_err(|e| format!("a secret: {}", DisplayErrorContext(&e)))?;
            let arn = created.arn.ok_or("a secret without an ARN")?;
            secrets.push((variable.to_owned(), arn));
        }
        Ok(secrets)
    }

    /// Stores `recordings` in the table and a placeholder video for each in the bucket,
    /// both named `name`.
    pub async fn put_with_placeholders(
        &self,
        name: &str,
        recordings: &[Recording],
    ) -> Result<(), String> {
        self.batch_put(name, recordings, 16).await?;
        let videos = recordings.iter().map(placeholder_video).collect();
        self.put_objects(name, videos, 32).await.map(drop)
    }

    /// Stores `objects` (key, bytes, content type) with `concurrency` uploads in flight.
    pub async fn put_objects(
        &self,
        bucket: &str,
        objects: Vec<(String, Vec<u8>, &'static str)>,
        concurrency: usize,
    ) -> Result<Duration, String> {
        let total = objects.len();
        let upload = |(key, bytes, content_type): (String, Vec<u8>, &'static str)| async move {
            let mut last = String::new();
            // LocalStack drops an upload now and then under this many at once.
            for _ in 0..5 {
                let put = self.s3.put_object().bucket(bucket).key(&key);
                let body = ByteStream::from(bytes.clone());
                match put.content_type(content_type).body(body).send().await {
                    Ok(_) => return Ok(1),
                    Err(e) => last = DisplayErrorContext(&e).to_string(),
                }
            }
            Err(format!("uploading {key}: {last}"))
        };
        let uploads = objects.into_iter().map(upload);
        timed(uploads, concurrency, (total, "objects stored")).await
    }

    /// Writes recordings' items (as the store encodes them) with `BatchWriteItem`, 25 a
    /// call and `concurrency` calls in flight, retrying what DynamoDB leaves unprocessed.
    pub async fn batch_put<'a>(
        &self,
        table: &str,
        recordings: impl IntoIterator<Item = &'a Recording>,
        concurrency: usize,
    ) -> Result<Duration, String> {
        let items = recordings.into_iter().map(shared::store::recording_item);
        let items = items
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        let write = |chunk: &[Item]| {
            let put = |item: &Item| {
                let put = PutRequest::builder().set_item(Some(item.clone())).build();
                put.map(|p| WriteRequest::builder().put_request(p).build())
            };
            let puts = chunk.iter().map(put).collect::<Result<Vec<_>, _>>();
            let size = chunk.len();
            async move {
                let mut pending = puts.map_err(|e| e.to_string())?;
                for attempt in 1..=20 {
                    let batch = self.dynamodb.batch_write_item();
                    let sent = batch.request_items(table, pending.clone()).send().await;
                    match sent {
                        Ok(out) => {
                            let mut unprocessed = out.unprocessed_items.unwrap_or_default();
                            pending = unprocessed.remove(table).unwrap_or_default();
                            if pending.is_empty() {
                                return Ok(size);
                            }
                        }
                        Err(e) if attempt == 20 => return Err(DisplayErrorContext(&e).to_string()),
                        Err(_) => {}
                    }
                    tokio::time::sleep(Duration::from_millis(20 * attempt)).await;
                }
                Err("BatchWriteItem kept items unprocessed".to_owned())
            }
        };
        let writes = items.chunks(25).map(write);
        timed(writes, concurrency, (items.len(), "items written")).await
    }
}

/// Runs `jobs`, each doing some of `total` things, with `concurrency` in flight and
/// telling every 20,000 done: how long they took, or the first error.
async fn timed(
    jobs: impl Iterator<Item = impl Future<Output = Result<usize, String>>>,
    concurrency: usize,
    (total, what): (usize, &str),
) -> Result<Duration, String> {
    let started = Instant::now();
    let (mut results, mut done) = (stream::iter(jobs).buffer_unordered(concurrency), 0);
    while let Some(n) = results.next().await.transpose()? {
        done += n;
        if done % 20_000 < n {
            eprintln!("[bench]   {done}/{total} {what}");
        }
    }
    Ok(started.elapsed())
}

/// Recordings `range` of the set `tag`, complete, spread over `rooms`, with videos of
/// `size` bytes; newer for smaller `n`, a second apart back from [`NEWEST_START`]. Ids
/// (and so video keys) carry the tag, keeping sets in one room apart.
pub fn recordings(
    rooms: &[RoomId],
    tag: &str,
    range: std::ops::Range<usize>,
    size: usize,
) -> Result<Vec<Recording>, String> {
    let recording = |n: usize| {
        let room = &rooms[n % rooms.len()];
        let id = RecordingId::new(room, &format!("EG_{tag}{n}"), &format!("u{tag}{n}"))?;
        let start = NEWEST_START - n as i64 * 1000;
        Ok(recording_with(
            id,
            RecordingStatus::Complete,
            start,
            size as u64,
        ))
    };
    range.map(recording).collect()
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
pub async fn share_link(store: &Store, id: &RecordingId) -> Result<String, String> {
    let now = shared::clock::now_millis();
    let options =
        shared::share_options::LinkOptions::from_query(|_| None).map_err(|e| e.to_string())?;
    let (link, secret) =
        shared::shares::new_link(&Principal::Admin, &options, now).map_err(|e| e.to_string())?;
    let created = store
        .create_share(id, &link, shared::shares::MAX_LIVE_LINKS, now)
        .await
        .map_err(|e| e.to_string())?;
    if created != shared::store::ShareCreated::Created {
        return Err(format!("could not share {id}: {created:?}"));
    }
    Ok(secret)
}

/// What is stored of `ids` in the table and bucket `name`: their items, by id, and which
/// of their videos exist, by id.
pub async fn stored(
    aws: &Aws,
    name: &str,
    ids: &[String],
) -> Result<(HashMap<String, StoredRecording>, HashSet<String>), String> {
    let ids: Vec<RecordingId> = ids
        .iter()
        .map(|id| RecordingId::parse(id))
        .collect::<Result<_, _>>()?;
    let loaded = aws.store(name).load_with_rooms(&ids, &[]).await;
    let items = loaded.map_err(|e| e.to_string())?.recordings;
    let items = items
        .into_iter()
        .map(|(id, item)| (id.to_string(), item))
        .collect();
    let keys: HashSet<String> = object_keys(aws, name, "recordings/")
        .await?
        .into_iter()
        .collect();
    let videos = ids.iter().filter(|id| keys.contains(&id.s3_key()));
    Ok((items, videos.map(ToString::to_string).collect()))
}

/// Every object key under `prefix`.
pub async fn object_keys(aws: &Aws, bucket: &str, prefix: &str) -> Result<Vec<String>, String> {
    let list = aws.s3.list_objects_v2().bucket(bucket).prefix(prefix);
    let pages = list.into_paginator().send().try_collect().await;
    let pages = pages.map_err(|e| DisplayErrorContext(&e).to_string())?;
    let objects = pages
        .into_iter()
        .flat_map(|p| p.contents.unwrap_or_default());
    Ok(objects.filter_map(|o| o.key).collect())
}
