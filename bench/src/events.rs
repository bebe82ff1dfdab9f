//! The events a function is invoked with: API Gateway HTTP API (payload 2.0) requests, and
//! the scheduled event EventBridge sends the sweeper.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};

/// One HTTP request as API Gateway hands it to a function.
#[derive(Debug, Clone)]
pub struct ApiEvent {
    method: String,
    route: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    path_params: Vec<(String, String)>,
    body: Option<String>,
}

impl ApiEvent {
    /// `route` is API Gateway's route path, e.g. `/api/v1/recordings/{recordingId}`.
    pub fn new(method: &str, route: &str) -> Self {
        Self {
            method: method.to_owned(),
            route: route.to_owned(),
            path: route.to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            path_params: Vec::new(),
            body: None,
        }
    }

    pub fn path_param(mut self, name: &str, value: &str) -> Self {
        self.path = self.path.replace(&format!("{{{name}}}"), value);
        self.path_params.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_lowercase(), value.to_owned()));
        self
    }

    pub fn api_key(self, key: &str) -> Self {
        self.header("x-api-key", key)
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn json_body(mut self, body: &Value) -> Self {
        self.body = Some(body.to_string());
        self.header("content-type", "application/json")
    }

    /// The path and query string as a client would send them (for HTTP clients).
    pub fn url_path(&self) -> String {
        let query = self.raw_query();
        if query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{query}", self.path)
        }
    }

    pub fn method(&self) -> &str {
        &self.method
    }

    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    pub fn body(&self) -> Option<&str> {
        self.body.as_deref()
    }

    fn raw_query(&self) -> String {
        let encode = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
        self.query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The event JSON; `request_id` is API Gateway's id for the request.
    pub fn to_json(&self, request_id: &str) -> Value {
        let route_key = format!("{} {}", self.method, self.route);
        let mut headers = Map::new();
        headers.insert(
            "host".into(),
            json!("bench.execute-api.us-east-1.amazonaws.com"),
        );
        headers.insert("user-agent".into(), json!("bench"));
        for (k, v) in &self.headers {
            headers.insert(k.clone(), json!(v));
        }
        // API Gateway joins repeated parameters with commas.
        let mut params: Map<String, Value> = Map::new();
        for (k, v) in &self.query {
            let joined = match params.get(k).and_then(Value::as_str) {
                Some(prior) => format!("{prior},{v}"),
                None => v.clone(),
            };
            params.insert(k.clone(), json!(joined));
        }
        let path_params: Map<String, Value> = self
            .path_params
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        json!({
            "version": "2.0",
            "routeKey": route_key,
            "rawPath": self.path,
            "rawQueryString": self.raw_query(),
            "headers": headers,
            "queryStringParameters": if params.is_empty() { Value::Null } else { Value::Object(params) },
            "pathParameters": if path_params.is_empty() { Value::Null } else { Value::Object(path_params) },
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "bench",
                "domainName": "bench.execute-api.us-east-1.amazonaws.com",
                "domainPrefix": "bench",
                "http": {
                    "method": self.method,
                    "path": self.path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": "192.0.2.10",
                    "userAgent": "bench"
                },
                "requestId": request_id,
                "routeKey": route_key,
                "stage": "$default",
                "time": "27/Nov/2026:00:00:00 +0000",
                "timeEpoch": now_ms
            },
            "body": self.body,
            "isBase64Encoded": false,
            "stageVariables": null
        })
    }
}

/// What EventBridge Scheduler sends a scheduled function.
pub fn scheduled_event() -> Value {
    json!({
        "version": "0",
        "id": "bench-scheduled-event",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-11-27T00:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/sweep-recordings"],
        "detail": {}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_parse_as_lambda_http_requests() {
        use lambda_http::RequestExt;
        let event = ApiEvent::new("GET", "/api/v1/recordings/{recordingId}")
            .path_param("recordingId", "r--EG_a--u1")
            .query("fields", "status")
            .query("fields", "roomId")
            .api_key("k")
            .to_json("req-1");
        let req = lambda_http::request::from_str(&event.to_string()).expect("valid event");
        assert_eq!(req.uri().path(), "/api/v1/recordings/r--EG_a--u1");
        assert_eq!(
            req.path_parameters_ref()
                .and_then(|p| p.first("recordingId")),
            Some("r--EG_a--u1")
        );
        // API Gateway joins repeated parameters with commas; lambda_http splits them again.
        assert_eq!(
            req.query_string_parameters_ref()
                .and_then(|p| p.all("fields")),
            Some(vec!["status", "roomId"])
        );
    }
}
