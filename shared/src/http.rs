//! Request parsing helpers and JSON responses.

use lambda_http::http::{StatusCode, header};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::crypto;
use crate::error::{ApiError, FieldError};
use crate::model::{RecordingId, RoomId};

/// Far above any body this API takes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

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

/// A JSON response with an `ETag` (a digest of its body), or 304 with no body when the
/// request's `If-None-Match` names that tag: what a client polling for changes needs.
pub fn conditional_json_response(
    req: &Request,
    status: StatusCode,
    body: &impl Serialize,
) -> Response<Body> {
    let mut response = json_response(status, body);
    let digest = match response.body() {
        Body::Binary(bytes) => crypto::sha256_hex(bytes),
        _ => return response,
    };
    let tag = format!("\"{}\"", &digest[..32]);
    let unchanged = req
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|candidate| candidate.trim().trim_start_matches("W/"))
        .any(|candidate| candidate == tag || candidate == "*");
    if unchanged {
        response = Response::new(Body::Empty);
        *response.status_mut() = StatusCode::NOT_MODIFIED;
    }
    if let Ok(value) = header::HeaderValue::from_str(&tag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// A redirect to a short-lived URL.
pub fn redirect_response(location: &str) -> Result<Response<Body>, ApiError> {
    let location = header::HeaderValue::from_str(location)
        .map_err(|e| ApiError::Internal(format!("redirect location: {e}")))?;
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = StatusCode::FOUND;
    response.headers_mut().insert(header::LOCATION, location);
    Ok(response)
}

/// Marks a response as never to be cached, unless it says otherwise already: every answer
/// of this API is for one caller, and many carry a credential or a short-lived URL.
pub fn no_store(response: &mut Response<Body>) {
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(header::HeaderValue::from_static("no-store"));
}

/// An optional `true`/`false` query parameter.
pub fn bool_param(req: &Request, name: &str, default: bool) -> Result<bool, ApiError> {
    match query_param(req, name) {
        None => Ok(default),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(_) => Err(ApiError::invalid(name, "must be true or false")),
    }
}

/// Every value of a comma-separated query parameter, across repeats.
pub fn list_param(req: &Request, name: &str) -> Vec<String> {
    req.query_string_parameters_ref()
        .and_then(|params| params.all(name))
        .unwrap_or_default()
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The first value of a query-string parameter.
pub fn query_param<'r>(req: &'r Request, name: &str) -> Option<&'r str> {
    req.query_string_parameters_ref()
        .and_then(|params| params.first(name))
}

fn path_param<'r>(req: &'r Request, name: &str) -> Result<&'r str, ApiError> {
    req.path_parameters_ref()
        .and_then(|params| params.first(name))
        .ok_or_else(|| ApiError::invalid(name, "is required"))
}

/// The `{recordingId}` path parameter, validated (422 when malformed).
pub fn recording_id_param(req: &Request) -> Result<RecordingId, ApiError> {
    RecordingId::parse(path_param(req, "recordingId")?)
        .map_err(|message| ApiError::invalid("recordingId", message))
}

/// The `{roomId}` path parameter, validated (422 when malformed).
pub fn room_id_param(req: &Request) -> Result<RoomId, ApiError> {
    RoomId::parse(path_param(req, "roomId")?)
        .map_err(|message| ApiError::invalid("roomId", message))
}

/// The caller's address as API Gateway saw it, for throttling.
pub fn source_ip(req: &Request) -> String {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
        _ => None,
    }
    .unwrap_or_else(|| "unknown".to_owned())
}

/// A JSON object from the request body, read field by field. Every problem, including
/// fields the API does not know, is collected and reported together as one 422.
pub struct Fields {
    map: Map<String, Value>,
    path: String,
    errors: Vec<FieldError>,
}

impl Fields {
    pub fn from_body(req: &Request) -> Result<Self, ApiError> {
        let bytes = req.body().as_ref();
        if bytes.len() > MAX_BODY_BYTES {
            return Err(ApiError::PayloadTooLarge);
        }
        match serde_json::from_slice(bytes) {
            Ok(Value::Object(map)) => Ok(Self::new(map, String::new())),
            _ => Err(ApiError::invalid("body", "must be a JSON object")),
        }
    }

    fn new(map: Map<String, Value>, path: String) -> Self {
        Self {
            map,
            path,
            errors: Vec::new(),
        }
    }

    fn field(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.path)
        }
    }

    fn error(&mut self, name: &str, message: impl Into<String>) {
        let field = self.field(name);
        self.errors.push(FieldError::new(&field, message));
    }

    /// An optional string of 1 to `max_len` characters, trimmed.
    pub fn string(&mut self, name: &str, max_len: usize) -> Option<String> {
        match self.map.remove(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= max_len => {
                Some(s.trim().to_owned())
            }
            Some(_) => {
                self.error(
                    name,
                    format!("must be a string of 1 to {max_len} characters"),
                );
                None
            }
        }
    }

    pub fn required_string(&mut self, name: &str, max_len: usize) -> Option<String> {
        let present = self.map.get(name).is_some_and(|v| !v.is_null());
        let value = self.string(name, max_len);
        if !present {
            self.error(name, "is required");
        }
        value
    }

    pub fn bool(&mut self, name: &str) -> Option<bool> {
        match self.map.remove(name) {
            None => None,
            Some(Value::Bool(b)) => Some(b),
            Some(_) => {
                self.error(name, "must be true or false");
                None
            }
        }
    }

    /// An optional value that must be one of `allowed` (by name).
    pub fn one_of<T: Copy>(&mut self, name: &str, allowed: &[(&str, T)]) -> Option<T> {
        let value = self.map.remove(name)?;
        let found = value
            .as_str()
            .and_then(|s| allowed.iter().find(|(n, _)| *n == s).map(|(_, v)| *v));
        if found.is_none() {
            let names: Vec<_> = allowed.iter().map(|(n, _)| *n).collect();
            self.error(name, format!("must be one of {}", names.join(", ")));
        }
        found
    }

    /// A nested object; read it, then hand it back with [`Fields::absorb`].
    pub fn object(&mut self, name: &str) -> Option<Fields> {
        match self.map.remove(name) {
            None | Some(Value::Null) => None,
            Some(Value::Object(map)) => Some(Self::new(map, self.field(name))),
            Some(_) => {
                self.error(name, "must be an object");
                None
            }
        }
    }

    /// Takes a nested object's problems (and its unknown fields) into this one.
    pub fn absorb(&mut self, nested: Fields) {
        let mut nested = nested;
        nested.report_unknown();
        self.errors.append(&mut nested.errors);
    }

    pub fn require(&mut self, name: &str, present: bool) {
        if !present {
            self.error(name, "is required");
        }
    }

    fn report_unknown(&mut self) {
        let unknown: Vec<String> = self.map.keys().cloned().collect();
        for name in unknown {
            self.error(&name, "is not a known field");
        }
    }

    /// Ends reading: 422 with every problem found, if any.
    pub fn finish(mut self) -> Result<(), ApiError> {
        self.report_unknown();
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(if_none_match: Option<&str>) -> Request {
        let mut builder = lambda_http::http::Request::builder();
        if let Some(tag) = if_none_match {
            builder = builder.header(header::IF_NONE_MATCH, tag);
        }
        builder.body(Body::Empty).expect("request")
    }

    #[test]
    fn an_unchanged_body_answers_304_with_its_tag_and_no_body() {
        let body = serde_json::json!({"roomId": "a", "currentRecording": null});
        let first = conditional_json_response(&request(None), StatusCode::OK, &body);
        assert_eq!(first.status(), StatusCode::OK);
        let tag = first.headers()[header::ETAG]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert_eq!(tag.len(), 34, "{tag}");
        for sent in [
            tag.clone(),
            format!("W/{tag}"),
            format!("\"x\", {tag}"),
            "*".into(),
        ] {
            let again = conditional_json_response(&request(Some(&sent)), StatusCode::OK, &body);
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{sent}");
            assert!(matches!(again.body(), Body::Empty));
            assert_eq!(again.headers()[header::ETAG], tag.as_str());
        }
        let changed = serde_json::json!({"roomId": "a", "currentRecording": {"status": "active"}});
        let fresh = conditional_json_response(&request(Some(&tag)), StatusCode::OK, &changed);
        assert_eq!(fresh.status(), StatusCode::OK);
        assert_ne!(fresh.headers()[header::ETAG], tag.as_str());
    }
}
