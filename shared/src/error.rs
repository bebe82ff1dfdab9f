//! The one place where failures become HTTP responses in the contract's error shape.

use lambda_http::Body;
use lambda_http::http::{Response, StatusCode, header};
use serde::Serialize;
use serde_json::json;

use crate::aws::AwsError;
use crate::response::json_response;

/// The failure underneath an error, kept for the log line: `ApiError::Internal("…".into())`
/// for a message alone, `Internal(err.into())` to keep an error and its own causes.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// An error and its causes, outermost first: `a: b: c`.
pub struct Chain<'a>(pub &'a (dyn std::error::Error + 'static));

impl std::fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

/// The `error` field of an error response: the contract's categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    BadRequest,
    InvalidRequest,
    Authentication,
    Authorization,
    Recording,
    Room,
    Share,
    /// A method and path the function does not serve.
    Route,
    TooManyRequests,
    PayloadTooLarge,
    Unavailable,
    Internal,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "Bad Request",
            Self::InvalidRequest => "Unprocessable Entity",
            Self::Authentication => "Authentication Error",
            Self::Authorization => "Authorization Error",
            Self::Recording => "Recording Error",
            Self::Room => "Room Error",
            Self::Share => "Share Error",
            Self::Route => "Not Found",
            Self::TooManyRequests => "Too Many Requests",
            Self::PayloadTooLarge => "Payload Too Large",
            Self::Unavailable => "Service Unavailable",
            Self::Internal => "Internal Server Error",
        }
    }
}

/// Seconds a client should wait before retrying when AWS is unreachable or throttling.
const RETRY_AFTER_SECONDS: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid request")]
    Validation(Vec<FieldError>),
    /// Well-formed, but nothing in it can be done: 400, each reason in `details`.
    #[error("{message}")]
    NothingToDo {
        message: String,
        details: Vec<FieldError>,
    },
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("{message}")]
    NotFound { category: Category, message: String },
    #[error("{message}")]
    Conflict { category: Category, message: String },
    #[error("{message}")]
    Gone { category: Category, message: String },
    #[error("too many failed attempts")]
    TooManyRequests { retry_after_seconds: i64 },
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("a dependency is unavailable")]
    Unavailable(#[source] Cause),
    /// Logged with the request id; the client sees only a generic message.
    #[error("internal error")]
    Internal(#[source] Cause),
}

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    pub fn recording_not_found(id: &str) -> Self {
        Self::NotFound {
            category: Category::Recording,
            message: format!("Recording '{id}' not found"),
        }
    }

    pub fn room_not_found(id: &str) -> Self {
        Self::NotFound {
            category: Category::Room,
            message: format!("Room '{id}' not found"),
        }
    }

    /// A method and path this function does not serve.
    pub fn no_such_route() -> Self {
        Self::NotFound {
            category: Category::Route,
            message: "No such route".to_owned(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::NothingToDo { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Gone { .. } => StatusCode::GONE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn category(&self) -> Category {
        match self {
            Self::Validation(_) => Category::InvalidRequest,
            Self::NothingToDo { .. } => Category::BadRequest,
            Self::Unauthenticated(_) => Category::Authentication,
            Self::Forbidden(_) => Category::Authorization,
            Self::NotFound { category, .. }
            | Self::Conflict { category, .. }
            | Self::Gone { category, .. } => *category,
            Self::TooManyRequests { .. } => Category::TooManyRequests,
            Self::PayloadTooLarge => Category::PayloadTooLarge,
            Self::Unavailable(_) => Category::Unavailable,
            Self::Internal(_) => Category::Internal,
        }
    }

    /// The message the caller is given: never a cause.
    pub fn public_message(&self) -> &str {
        match self {
            Self::Validation(_) => "Invalid request",
            Self::Unauthenticated(message) => message,
            Self::Forbidden(message)
            | Self::NothingToDo { message, .. }
            | Self::NotFound { message, .. }
            | Self::Conflict { message, .. }
            | Self::Gone { message, .. } => message,
            Self::TooManyRequests { .. } => "Too many failed attempts; retry later",
            Self::PayloadTooLarge => "The request body is too large",
            Self::Unavailable(_) => "The service is temporarily unavailable; retry shortly",
            Self::Internal(_) => "An unexpected error occurred",
        }
    }

    /// The response body and headers; `request_id` is quoted only on a 500, so that a user
    /// reporting it can be matched with the log line. Causes are never shown.
    pub fn to_response(&self, request_id: &str) -> Response<Body> {
        let message = self.public_message();
        let mut body = json!({"error": self.category().as_str(), "message": message});
        match self {
            Self::Validation(details) | Self::NothingToDo { details, .. } => {
                body["details"] = json!(details)
            }
            Self::Internal(_) => body["requestId"] = json!(request_id),
            _ => {}
        }
        let mut response = json_response(self.status(), &body);
        let headers = response.headers_mut();
        match self {
            Self::Unauthenticated(_) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Bearer"),
                );
            }
            Self::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, RETRY_AFTER_SECONDS.into());
            }
            Self::TooManyRequests {
                retry_after_seconds,
            } => {
                headers.insert(header::RETRY_AFTER, (*retry_after_seconds).max(1).into());
            }
            _ => {}
        }
        response
    }
}

impl From<AwsError> for ApiError {
    fn from(err: AwsError) -> Self {
        match err {
            AwsError::Unavailable(_) => Self::Unavailable(err.into()),
            AwsError::Other(_) => Self::Internal(err.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(response: &Response<Body>) -> serde_json::Value {
        serde_json::from_slice(response.body().as_ref()).expect("json body")
    }

    #[test]
    fn validation_errors_carry_details() {
        let response = ApiError::invalid("maxItems", "must be at least 1").to_response("r1");
        assert_eq!(response.status(), 422);
        assert_eq!(
            body_of(&response),
            json!({
                "error": "Unprocessable Entity",
                "message": "Invalid request",
                "details": [{"field": "maxItems", "message": "must be at least 1"}],
            })
        );
    }

    #[test]
    fn unauthenticated_asks_for_a_bearer_token() {
        let response = ApiError::Unauthenticated("Missing credentials").to_response("r1");
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        assert_eq!(body_of(&response)["error"], "Authentication Error");
    }

    #[test]
    fn not_found_names_its_category() {
        let response = ApiError::recording_not_found("a--EG_b--c").to_response("r1");
        assert_eq!(response.status(), 404);
        assert_eq!(
            body_of(&response),
            json!({"error": "Recording Error", "message": "Recording 'a--EG_b--c' not found"})
        );
    }

    #[test]
    fn unavailable_says_when_to_retry_and_hides_the_cause() {
        let response =
            ApiError::from(AwsError::Unavailable("connection refused".into())).to_response("r1");
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "2");
        assert!(!body_of(&response).to_string().contains("refused"));
    }

    #[test]
    fn the_log_keeps_every_cause() {
        let err = ApiError::from(AwsError::Unavailable("connection refused".into()));
        assert_eq!(
            Chain(&err).to_string(),
            "a dependency is unavailable: AWS unavailable: connection refused"
        );
    }

    #[test]
    fn internal_errors_quote_the_request_id_only() {
        let response =
            ApiError::from(AwsError::Other("table xyz broke".into())).to_response("req-42");
        assert_eq!(response.status(), 500);
        let body = body_of(&response);
        assert_eq!(body["requestId"], "req-42");
        assert!(!body.to_string().contains("xyz"));
    }
}
