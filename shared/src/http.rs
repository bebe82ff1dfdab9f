//! Request parsing helpers and JSON responses.

use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;

use crate::error::ApiError;
use crate::model::RecordingId;

pub fn json_response(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = Response::new(Body::Binary(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

/// The first value of a query-string parameter.
pub fn query_param<'r>(req: &'r Request, name: &str) -> Option<&'r str> {
    req.query_string_parameters_ref()
        .and_then(|params| params.first(name))
}

/// The `{recordingId}` path parameter, validated (422 when malformed).
pub fn recording_id_param(req: &Request) -> Result<RecordingId, ApiError> {
    let raw = req
        .path_parameters_ref()
        .and_then(|params| params.first("recordingId"))
        .ok_or_else(|| ApiError::invalid("recordingId", "is required"))?;
    RecordingId::parse(raw).map_err(|message| ApiError::invalid("recordingId", message))
}
