//! `devstack resources` creates the template's table, bucket and export queue on the
//! emulators; `devstack exports <invoke-url>` runs the export queue's consumer, which
//! invokes the export job served at that `cargo lambda watch` address; `devstack schedule
//! <invoke-url>` invokes the sweeper there every five minutes, as the template schedules it;
//! `devstack seed` loads the demo data and prints the demo rooms' URLs. Those two are idempotent
//! and read the same environment as the functions (`TABLE_NAME`, `BUCKET_NAME`,
//! `AWS_ENDPOINT_URL_*`). `devstack hash-password` reads a password on standard input and
//! prints its argon2id hash, for `ADMIN_PASSWORD_HASH`.

use std::process::ExitCode;

use devstack::template::{self, Template};
use devstack::{exports, resources, s3_client, schedule, sdk_config, seed};
use shared::store::Store;

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("missing environment variable {name}"))
}

fn hash_password() -> Result<(), String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .map_err(|e| format!("reading the password: {e}"))?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        return Err("give the password on standard input".into());
    }
    let salt =
        SaltString::encode_b64(&shared::crypto::random_bytes(16)).map_err(|e| e.to_string())?;
    let hash = argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| e.to_string())?;
    println!("{hash}");
    Ok(())
}

async fn run(command: &str) -> Result<(), String> {
    if command == "schedule" {
        let invoke = std::env::args()
            .nth(2)
            .ok_or("usage: devstack schedule <cargo lambda watch's address>")?;
        schedule::run(&invoke).await
    }
    if command == "hash-password" {
        return hash_password();
    }
    let sdk = sdk_config().await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let s3 = s3_client(&sdk);
    let table = env("TABLE_NAME")?;
    let bucket = env("BUCKET_NAME")?;
    match command {
        "resources" => {
            let template = Template::load(&template::default_path())?;
            let created = resources::ensure_table(&dynamodb, &table, &template.table()?).await?;
            println!(
                "table {table}: {}",
                if created { "created" } else { "exists" }
            );
            let created = resources::ensure_bucket(&s3, &bucket, &template.bucket()?).await?;
            println!(
                "bucket {bucket}: {}",
                if created { "created" } else { "exists" }
            );
            let queue = env("EXPORT_QUEUE_URL")?;
            let sqs = aws_sdk_sqs::Client::new(&sdk);
            resources::ensure_queue(&sqs, exports::queue_name(&queue)).await?;
            println!("queue {}: ready", exports::queue_name(&queue));
        }
        "exports" => {
            let invoke = std::env::args()
                .nth(2)
                .ok_or("usage: devstack exports <cargo lambda watch's address>")?;
            let queue = env("EXPORT_QUEUE_URL")?;
            let sqs = aws_sdk_sqs::Client::new(&sdk);
            exports::consume(&sqs, &queue, &invoke).await
        }
        "seed" => {
            let rooms = seed::seed(&Store::new(dynamodb, table), &s3, &bucket).await?;
            let base = env("CONSOLE_ORIGIN")?;
            println!("demo rooms (moderator and speaker URLs carry each room's secrets):");
            for (room, secrets) in rooms {
                let json = room.to_json(&base, secrets.as_ref());
                println!(
                    "  {} [{}]\n    moderator: {}\n    speaker:   {}",
                    room.room_name,
                    room.config.recording.allow_access_to.as_str(),
                    json["moderatorUrl"].as_str().unwrap_or_default(),
                    json["speakerUrl"].as_str().unwrap_or_default(),
                );
            }
        }
        other => {
            return Err(format!(
                "unknown command {other:?}; use resources, seed, exports, schedule or hash-password"
            ));
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_default();
    match run(&command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("devstack: {message}");
            ExitCode::FAILURE
        }
    }
}
