//! Local stack tooling: creates, on the emulators, the table and bucket that
//! `infra/template.yaml` declares (read from the template itself, so the two cannot drift),
//! and loads demo data.

pub mod exports;
pub mod resources;
pub mod schedule;
pub mod seed;
pub mod template;

/// AWS SDK configuration from the environment (`AWS_ENDPOINT_URL_*` point it at the
/// emulators).
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::load_from_env().await
}

/// An S3 client for `sdk`, path-style when `S3_FORCE_PATH_STYLE=true` (emulators).
pub fn s3_client(sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    let path_style = std::env::var("S3_FORCE_PATH_STYLE").is_ok_and(|v| v == "true");
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(path_style)
            .build(),
    )
}
