//! Request parsing helpers, and redirects (JSON responses are in `response`).

use std::ops::RangeInclusive;

use lambda_http::http::{StatusCode, header};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::{Map, Value};

use crate::error::{ApiError, FieldError};
use crate::model::{RecordingId, RoomId};

/// Above any body this API takes: 150 recording ids of the longest kind (about 40 KiB) fit.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A redirect to a short-lived URL.
pub fn redirect_response(location: &str) -> Result<Response<Body>, ApiError> {
    let location = header::HeaderValue::from_str(location)
        .map_err(|e| ApiError::Internal(format!("redirect location: {e}").into()))?;
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = StatusCode::FOUND;
    response.headers_mut().insert(header::LOCATION, location);
    Ok(response)
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

/// A path parameter as API Gateway matched it (422 when missing).
pub fn path_param<'r>(req: &'r Request, name: &str) -> Result<&'r str, ApiError> {
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

/// Without the spaces around it: Unicode white space and the byte-order mark, which are
/// all JSON Schema's (ECMAScript's) `\s`.
fn trim_blank(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
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

    /// A field that must be present: `null` (`Some(None)`), or a line of text of 1 to
    /// `max_len` characters once trimmed, without control characters.
    pub fn required_text_or_null(&mut self, name: &str, max_len: usize) -> Option<Option<String>> {
        match self.map.remove(name) {
            None => {
                self.error(name, "is required (null clears it)");
                None
            }
            Some(Value::Null) => Some(None),
            Some(Value::String(s))
                if (1..=max_len).contains(&trim_blank(&s).chars().count())
                    && !s.contains(char::is_control) =>
            {
                Some(Some(trim_blank(&s).to_owned()))
            }
            Some(_) => {
                self.error(
                    name,
                    format!(
                        "must be null or a line of 1 to {max_len} characters, without control characters"
                    ),
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

    /// An array of strings, present or not (`None` when absent or not such an array).
    pub fn strings(&mut self, name: &str) -> Option<Vec<String>> {
        match self.map.remove(name) {
            None | Some(Value::Null) => None,
            Some(Value::Array(values)) if values.iter().all(Value::is_string) => Some(
                values
                    .into_iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            ),
            Some(_) => {
                self.error(name, "must be an array of strings");
                None
            }
        }
    }

    /// An optional whole number (range checks are the caller's).
    pub fn integer(&mut self, name: &str) -> Option<i64> {
        match self.map.remove(name) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
            Some(_) => {
                self.error(name, "must be a whole number");
                None
            }
        }
    }

    /// An optional whole number within `range`.
    pub fn integer_in(&mut self, name: &str, range: RangeInclusive<i64>) -> Option<i64> {
        let present = self.map.get(name).is_some_and(|v| !v.is_null());
        match self.integer(name) {
            Some(n) if range.contains(&n) => Some(n),
            _ if !present => None,
            Some(_) => {
                let (low, high) = range.into_inner();
                self.error(name, format!("must be a whole number from {low} to {high}"));
                None
            }
            None => None,
        }
    }

    /// A whole number within `range`, `null`, or absent: `Some(None)` for `null`.
    pub fn nullable_integer_in(
        &mut self,
        name: &str,
        range: RangeInclusive<i64>,
    ) -> Option<Option<i64>> {
        match self.map.get(name) {
            None => None,
            Some(Value::Null) => {
                self.map.remove(name);
                Some(None)
            }
            Some(_) => self.integer_in(name, range).map(Some),
        }
    }

    /// Reports a field's value as invalid, for checks the caller makes.
    pub fn invalid(&mut self, name: &str, message: impl Into<String>) {
        self.error(name, message);
    }

    /// An optional string exactly as sent, spaces included (a password); length checks
    /// are the caller's.
    pub fn verbatim_string(&mut self, name: &str) -> Option<String> {
        match self.map.remove(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                self.error(name, "must be a string");
                None
            }
        }
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
