//! Responses in the API's JSON form: a leaf that the error mapping and the handlers use.

use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Request, Response};
use serde::Serialize;

use crate::crypto;

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

/// Marks a response as never to be cached, unless it says otherwise already: every answer
/// of this API is for one caller, and many carry a credential or a short-lived URL.
pub fn no_store(response: &mut Response<Body>) {
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(header::HeaderValue::from_static("no-store"));
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
