//! Integration tests: the real handlers against DynamoDB Local and LocalStack S3.

mod fixtures;
mod get_recording;
mod list_recordings;
mod local_env;
