//! Integration tests: the real handlers against DynamoDB Local and LocalStack S3.

mod activity;
mod credentials;
mod delete;
mod exports;
mod get_recording;
mod lifecycle;
mod list_recordings;
mod local_env;
mod log_hygiene;
mod media;
mod panics;
mod recycle_bin;
mod room_access;
mod room_deletion;
mod rooms;
mod search_recordings;
mod secrets;
mod share_options;
mod shares;
mod titles;
mod token_attacks;
