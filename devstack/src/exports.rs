//! The local stand-in for Lambda's SQS event source: receives the export queue's messages
//! and invokes the export job (`build-export`, served by `cargo lambda watch`) with each,
//! in the event Lambda sends, then deletes those it did not report as failed. A message
//! left undeleted is delivered again after its visibility timeout, as in AWS.

use std::time::Duration;

use serde_json::{Value, json};

/// As long as the job may run (its timeout in the template), so that a message is not
/// delivered again while its run goes on.
const VISIBILITY_TIMEOUT_SECONDS: i32 = 900;
const FUNCTION: &str = "build-export";

/// Runs until stopped.
pub async fn consume(sqs: &aws_sdk_sqs::Client, queue_url: &str, invoke_base: &str) -> ! {
    // reqwest's TLS takes its crypto from the process: aws-lc, as everywhere here.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let http = reqwest::Client::new();
    let invoke = format!(
        "{}/2015-03-31/functions/{FUNCTION}/invocations",
        invoke_base.trim_end_matches('/')
    );
    loop {
        let received = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(1)
            .wait_time_seconds(10)
            .visibility_timeout(VISIBILITY_TIMEOUT_SECONDS)
            .send()
            .await;
        let messages = match received {
            Ok(out) => out.messages.unwrap_or_default(),
            Err(err) => {
                eprintln!(
                    "[exports] receiving from the queue failed: {}",
                    aws_sdk_sqs::error::DisplayErrorContext(&err)
                );
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        for message in messages {
            let id = message.message_id().unwrap_or_default();
            let event = json!({"Records": [{
                "messageId": id,
                "receiptHandle": message.receipt_handle().unwrap_or_default(),
                "body": message.body().unwrap_or_default(),
                "attributes": {},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": format!("arn:aws:sqs:local:000000000000:{}", queue_name(queue_url)),
                "awsRegion": "local",
            }]});
            let answered = http.post(&invoke).json(&event).send().await;
            let done = match answered {
                Ok(response) if response.status().is_success() => response
                    .json::<Value>()
                    .await
                    .is_ok_and(|r| r["batchItemFailures"].as_array().is_some_and(Vec::is_empty)),
                Ok(response) => {
                    eprintln!("[exports] the job answered {}", response.status());
                    false
                }
                Err(err) => {
                    eprintln!("[exports] invoking the job failed: {err}");
                    false
                }
            };
            if done
                && let Some(handle) = message.receipt_handle()
                && let Err(err) = sqs
                    .delete_message()
                    .queue_url(queue_url)
                    .receipt_handle(handle)
                    .send()
                    .await
            {
                eprintln!(
                    "[exports] deleting a message failed: {}",
                    aws_sdk_sqs::error::DisplayErrorContext(&err)
                );
            }
        }
    }
}

/// The queue's name: its URL's last segment.
pub fn queue_name(queue_url: &str) -> &str {
    queue_url.rsplit('/').next().unwrap_or(queue_url)
}
