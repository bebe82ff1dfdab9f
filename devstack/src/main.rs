//! `devstack resources` creates the template's table and bucket on the emulators;
//! `devstack seed` loads the demo data. Both are idempotent and read the same environment
//! as the functions (`TABLE_NAME`, `BUCKET_NAME`, `AWS_ENDPOINT_URL_*`).

use std::process::ExitCode;

use devstack::template::{self, Template};
use devstack::{resources, s3_client, sdk_config, seed};
use shared::store::Store;

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("missing environment variable {name}"))
}

async fn run(command: &str) -> Result<(), String> {
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
        }
        "seed" => {
            let count = seed::seed(&Store::new(dynamodb, table), &s3, &bucket).await?;
            println!("seeded {count} demo recordings");
        }
        other => return Err(format!("unknown command {other:?}; use resources or seed")),
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
