//! The export job on 1 GiB of recordings, its release binary under our runtime API on the
//! local stack: throughput, peak memory, S3 calls, beside `aws s3 cp` of the same objects
//! into one file on the same machine.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use integration_tests::{ApiRequest, LocalEnv};
use serde_json::{Value, json};
use shared::app::App;
use shared::exports::export_key;
use shared::model::{RecordingAccess, RoomId};

use crate::delete::config_from;
use crate::fixtures::{self, Aws};
use crate::harness::FunctionProcess;
use crate::stats::round3;

const MIB: usize = 1 << 20;
/// Eight recordings of 128 MiB: 1 GiB.
const RECORDINGS: usize = 8;
const RECORDING_MIB: usize = 128;
/// As long as Lambda would give it.
const JOB_TIMEOUT: Duration = Duration::from_secs(900);

/// Stores the recordings and their videos in the table and bucket `name`, then exports a
/// quarter of them and all of them (see [`Exporter::export`]), and times `aws s3 cp` of them.
pub async fn run(
    aws: &Aws,
    name: &str,
    binary: &Path,
    env: &[(String, String)],
) -> Result<Value, String> {
    let store = aws.store(name);
    let room = integration_tests::fixtures::room(&store, RecordingAccess::Admin).await;
    let rooms: [RoomId; 1] = [room.room_id.clone()];
    let recordings = fixtures::recordings(&rooms, "x", 0..RECORDINGS, RECORDING_MIB * MIB)?;
    eprintln!("[bench]   {RECORDINGS} videos of {RECORDING_MIB} MiB into the bucket");
    let mut video = vec![0u8; RECORDING_MIB * MIB];
    fastrand::fill(&mut video);
    for recording in &recordings {
        store
            .put_recording(recording)
            .await
            .map_err(|e| e.to_string())?;
        aws.s3
            .put_object()
            .bucket(name)
            .key(recording.recording_id.s3_key())
            .body(video.clone().into())
            .send()
            .await
            .map_err(|e| format!("uploading a video: {e}"))?;
    }
    drop(video);

    let sqs = aws_sdk_sqs::Client::new(&aws.sdk);
    let queue = sqs
        .create_queue()
        .queue_name(format!("{name}-exports"))
        .send()
        .await
        .map_err(|e| format!("creating the queue: {e}"))?
        .queue_url
        .unwrap_or_default();
    let mut config = config_from(env)?;
    config.export_queue_url = Some(queue.clone());
    let app = App::new(config, &aws.sdk);
    let ids: Vec<String> = recordings
        .iter()
        .map(|r| r.recording_id.to_string())
        .collect();
    let exporter = Exporter {
        aws,
        app: &app,
        sqs: &sqs,
        queue: &queue,
        bucket: name,
        binary,
        env,
    };
    // A quarter first, then all: the peak memory of the two says whether it grows with
    // the export.
    let quarter = exporter.export(&ids[..RECORDINGS / 4]).await?;
    let mut whole = exporter.export(&ids).await?;
    let _ = sqs.delete_queue().queue_url(&queue).send().await;

    let baseline_s = aws_s3_cp(name, &recordings_keys(&ids))?;
    let video_bytes = (RECORDINGS * RECORDING_MIB * MIB) as f64;
    let job_s = whole["job_s"].as_f64().unwrap_or(f64::NAN);
    eprintln!(
        "[bench]   export {job_s:.1} s ({} MiB/s), aws s3 cp {baseline_s:.1} s",
        whole["throughput_mib_s"]
    );
    whole["recordings"] = json!(RECORDINGS);
    whole["video_mib"] = json!(RECORDING_MIB * RECORDINGS);
    whole["gets"] = json!(RECORDINGS);
    whole["part_mib"] = json!(8);
    whole["quarter"] = quarter;
    whole["aws_s3_cp_s"] = json!(round3(baseline_s));
    whole["aws_s3_cp_mib_s"] = json!(round3(video_bytes / MIB as f64 / baseline_s));
    whole["ratio_to_aws_s3_cp"] = json!(round3(job_s / baseline_s));
    Ok(whole)
}

/// What one export needs: the in-process API, the queue it sends to, the job's binary.
struct Exporter<'a> {
    aws: &'a Aws,
    app: &'a App,
    sqs: &'a aws_sdk_sqs::Client,
    queue: &'a str,
    bucket: &'a str,
    binary: &'a Path,
    env: &'a [(String, String)],
}

impl Exporter<'_> {
    /// Starts an export of `ids` through the API's handler, runs the job's binary (a
    /// process of its own) on the message, and reads back what it made.
    async fn export(&self, ids: &[String]) -> Result<Value, String> {
        let api_key = LocalEnv::load().get("LOCAL_API_KEY");
        let request = ApiRequest::new("POST", "/api/v1/recordings/download")
            .header("x-api-key", &api_key)
            .json(&json!({ "recordingIds": ids }));
        let response =
            shared::runtime::dispatch(self.app, request.build(), export_recordings::handle).await;
        let started: Value = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
        let export_id = started["exportId"]
            .as_str()
            .ok_or_else(|| format!("the export did not start: {started}"))?
            .to_owned();
        let received = self
            .sqs
            .receive_message()
            .queue_url(self.queue)
            .send()
            .await
            .map_err(|e| format!("receiving the message: {e}"))?;
        let message = received
            .messages()
            .first()
            .ok_or("no message for the job")?;
        let body = message.body().unwrap_or_default().to_owned();
        if let Some(handle) = message.receipt_handle() {
            let delete = self.sqs.delete_message().queue_url(self.queue);
            let _ = delete.receipt_handle(handle).send().await;
        }

        eprintln!(
            "[bench]   the export job (release build) on {} recordings",
            ids.len()
        );
        let process = FunctionProcess::start(self.binary, "build-export", self.env).await?;
        let event =
            json!({"Records": [{"messageId": "bench", "body": body, "eventSource": "aws:sqs"}]});
        let invocation = process.invoke_within(&event, JOB_TIMEOUT).await?;
        let job_s = invocation.elapsed_ms() / 1000.0;
        let peak_rss_mib = process.peak_rss_kib().map(|k| round3(k / 1024.0));
        drop(process);

        let head = self
            .aws
            .s3
            .head_object()
            .bucket(self.bucket)
            .key(export_key(&export_id))
            .send()
            .await
            .map_err(|e| format!("the ZIP is not there: {e}"))?;
        let zip_bytes = head.content_length.unwrap_or(0) as f64;
        // A multipart object's ETag ends in "-<parts>".
        let parts = head
            .e_tag
            .as_deref()
            .and_then(|t| t.trim_matches('"').rsplit_once('-'))
            .and_then(|(_, n)| n.parse::<u64>().ok());
        let export = self
            .app
            .store
            .get_export(&export_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the export is gone")?
            .export;
        let zip_mib = zip_bytes / MIB as f64;
        Ok(json!({
            "zip_mib": round3(zip_mib),
            "status": export.status.as_str(),
            "zip_matches_total": zip_bytes as u64 == export.total_bytes,
            "job_s": round3(job_s),
            "throughput_mib_s": round3(zip_mib / job_s),
            "peak_rss_mib": peak_rss_mib,
            "aws_calls": invocation.aws_calls(),
            "parts": parts,
        }))
    }
}

fn recordings_keys(ids: &[String]) -> Vec<String> {
    ids.iter()
        .filter_map(|id| shared::model::RecordingId::parse(id).ok())
        .map(|id| id.s3_key())
        .collect()
}

/// Seconds `aws s3 cp` takes to write every object, one after the other, into one file
/// (the AWS CLI of the emulator's own Python environment).
fn aws_s3_cp(bucket: &str, keys: &[String]) -> Result<f64, String> {
    let stack = std::env::var("STACK_DIR").map_err(|_| "STACK_DIR is not set")?;
    let aws = Path::new(&stack).join("localstack-venv/bin/aws");
    let endpoint =
        std::env::var("AWS_ENDPOINT_URL_S3").map_err(|_| "AWS_ENDPOINT_URL_S3 is not set")?;
    let out = std::env::temp_dir().join(format!("{bucket}-aws-s3-cp.bin"));
    let file = std::fs::File::create(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let started = Instant::now();
    for key in keys {
        let status = Command::new(&aws)
            .args([
                "s3",
                "cp",
                "--endpoint-url",
                &endpoint,
                "--only-show-errors",
            ])
            .arg(format!("s3://{bucket}/{key}"))
            .arg("-")
            .stdout(file.try_clone().map_err(|e| e.to_string())?)
            .stderr(Stdio::inherit())
            .status()
            .map_err(|e| format!("running {}: {e}", aws.display()))?;
        if !status.success() {
            return Err(format!("aws s3 cp of {key} failed: {status}"));
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&out);
    Ok(seconds)
}
