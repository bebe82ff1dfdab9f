//! The code every recording function shares: configuration, credentials, the recording
//! model, DynamoDB access, list pagination, error mapping and the request wrapper.

pub mod auth;
pub mod aws;
pub mod config;
pub mod crypto;
pub mod error;
pub mod http;
pub mod model;
pub mod pagination;
pub mod runtime;
pub mod store;
