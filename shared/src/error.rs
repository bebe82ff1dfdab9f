//! The one place where failures become HTTP responses in the contract's error shape.

use lambda_http::Body;
use lambda_http::http::{Response, StatusCode, header};
use serde::Serialize;
use serde_json::json;

use crate::aws::AwsError;
use crate::response::json_response;

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
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("{message}")]
    NotFound {
        category: &'static str,
        message: String,
    },
    #[error("{message}")]
    Conflict {
        category: &'static str,
        message: String,
    },
    #[error("{message}")]
    Gone {
        category: &'static str,
        message: String,
    },
    #[error("too many failed attempts")]
    TooManyRequests { retry_after_seconds: i64 },
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("a dependency is unavailable: {0}")]
    Unavailable(String),
    /// Logged with the request id; the client sees only a generic message.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    pub fn recording_not_found(id: &str) -> Self {
        Self::NotFound {
            category: "Recording Error",
            message: format!("Recording '{id}' not found"),
        }
    }

    pub fn room_not_found(id: &str) -> Self {
        Self::NotFound {
            category: "Room Error",
            message: format!("Room '{id}' not found"),
        }
    }

    /// A method and path this function does not serve.
    pub fn no_such_route() -> Self {
        Self::NotFound {
            category: "Not Found",
            message: "No such route".to_owned(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
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

    /// The response body and headers; `request_id` is quoted only on a 500, so that a user
    /// reporting it can be matched with the log line.
    pub fn to_response(&self, request_id: &str) -> Response<Body> {
        let body = match self {
            Self::Validation(details) => json!({
                "error": "Unprocessable Entity",
                "message": "Invalid request",
                "details": details,
            }),
            Self::Unauthenticated(message) => {
                json!({"error": "Authentication Error", "message": message})
            }
            Self::Forbidden(message) => {
                json!({"error": "Authorization Error", "message": message})
            }
            Self::NotFound { category, message }
            | Self::Conflict { category, message }
            | Self::Gone { category, message } => {
                json!({"error": category, "message": message})
            }
            Self::TooManyRequests { .. } => json!({
                "error": "Too Many Requests",
                "message": "Too many failed attempts; retry later",
            }),
            Self::PayloadTooLarge => json!({
                "error": "Payload Too Large",
                "message": "The request body is too large",
            }),
            Self::Unavailable(_) => json!({
                "error": "Service Unavailable",
                "message": "The service is temporarily unavailable; retry shortly",
            }),
            Self::Internal(_) => json!({
                "error": "Internal Server Error",
                "message": "An unexpected error occurred",
                "requestId": request_id,
            }),
        };
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
            AwsError::Unavailable(detail) => Self::Unavailable(detail),
            AwsError::Other(detail) => Self::Internal(detail),
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
    fn internal_errors_quote_the_request_id_only() {
        let response =
            ApiError::from(AwsError::Other("table xyz broke".into())).to_response("req-42");
        assert_eq!(response.status(), 500);
        let body = body_of(&response);
        assert_eq!(body["requestId"], "req-42");
        assert!(!body.to_string().contains("xyz"));
    }
}
