//! The code every recording function shares: configuration, credentials and permissions,
//! the recording and room model, DynamoDB access, list pagination, error mapping and the
//! request wrapper.

pub mod access;
pub mod app;
pub mod auth;
pub mod aws;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod deletion;
pub mod error;
pub mod events;
pub mod exports;
pub mod http;
pub mod jobs;
pub mod lifecycle;
pub mod livekit;
pub mod media;
pub mod model;
pub mod pagination;
pub mod permissions;
pub mod response;
pub mod rooms;
pub mod routes;
pub mod runtime;
pub mod search;
pub mod secrets;
pub mod shares;
pub mod store;
pub mod throttle;
pub mod titles;
pub mod tls;
pub mod tokens;
pub mod zip;
