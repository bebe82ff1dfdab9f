//! Which handler of a function serves a request. API Gateway names the route it matched
//! in `routeKey` (`GET /api/v1/rooms/{roomId}`), and so does the local gateway; a request
//! without one (`cargo lambda watch` serving on its own) is matched by method and path.

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

/// The route of `routes` (each `"METHOD /path/{param}"`) that `req` was sent to.
pub fn matched(req: &Request, routes: &[&'static str]) -> Option<&'static str> {
    let route_key = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.route_key.as_deref(),
        _ => None,
    };
    if let Some(route) = routes.iter().find(|r| Some(**r) == route_key) {
        return Some(route);
    }
    let path = req.uri().path();
    routes.iter().copied().find(|route| {
        route.split_once(' ').is_some_and(|(method, template)| {
            method == req.method().as_str() && path_matches(template, path)
        })
    })
}

/// Whether `path` fits `template`, a `{param}` standing for one non-empty segment.
fn path_matches(template: &str, path: &str) -> bool {
    let mut template = template.split('/');
    let mut path = path.trim_end_matches('/').split('/');
    loop {
        match (template.next(), path.next()) {
            (None, None) => return true,
            (Some(t), Some(p)) if t == p || (t.starts_with('{') && !p.is_empty()) => {}
            _ => return false,
        }
    }
}

/// A function's table of routes: `routes! { "GET /api/v1/rooms" => list, … }` declares
/// `ROUTES` (checked against the template by the infra tests) and `handle`, which passes
/// the request to the handler of the route it was sent to, or answers 404.
#[macro_export]
macro_rules! routes {
    ($($route:literal => $handler:path),+ $(,)?) => {
        /// Every route this function serves, as API Gateway's route keys.
        pub const ROUTES: &[&str] = &[$($route),+];

        pub async fn handle(
            app: &$crate::app::App,
            req: ::lambda_http::Request,
        ) -> $crate::runtime::HandlerResult {
            match $crate::routes::matched(&req, ROUTES) {
                $(Some($route) => $handler(app, req).await,)+
                _ => Err($crate::error::ApiError::no_such_route()),
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &[&str] = &[
        "GET /api/v1/rooms",
        "GET /api/v1/rooms/{roomId}",
        "PUT /api/v1/rooms/{roomId}/config",
    ];

    fn request(method: &str, path: &str, route_key: Option<&str>) -> Request {
        let event = serde_json::json!({
            "version": "2.0",
            "routeKey": route_key.unwrap_or("$default"),
            "rawPath": path,
            "rawQueryString": "",
            "headers": {},
            "requestContext": {
                "routeKey": route_key.unwrap_or("$default"),
                "http": {"method": method, "path": path, "sourceIp": "192.0.2.1"},
                "stage": "$default",
                "requestId": "r1",
            },
            "isBase64Encoded": false,
        });
        lambda_http::request::from_str(&event.to_string()).expect("an API Gateway event")
    }

    #[test]
    fn the_route_key_names_the_route() {
        let req = request(
            "GET",
            "/api/v1/rooms/r1",
            Some("GET /api/v1/rooms/{roomId}"),
        );
        assert_eq!(matched(&req, ROUTES), Some("GET /api/v1/rooms/{roomId}"));
    }

    #[test]
    fn without_a_route_key_the_method_and_path_do() {
        let cases = [
            ("GET", "/api/v1/rooms", Some("GET /api/v1/rooms")),
            ("GET", "/api/v1/rooms/", Some("GET /api/v1/rooms")),
            (
                "GET",
                "/api/v1/rooms/r1",
                Some("GET /api/v1/rooms/{roomId}"),
            ),
            (
                "PUT",
                "/api/v1/rooms/r1/config",
                Some("PUT /api/v1/rooms/{roomId}/config"),
            ),
            ("GET", "/api/v1/rooms/r1/config", None),
            ("POST", "/api/v1/rooms", None),
            ("GET", "/api/v1/rooms/r1/other", None),
            ("GET", "/api/v1/rooms//config", None),
        ];
        for (method, path, expected) in cases {
            assert_eq!(
                matched(&request(method, path, None), ROUTES),
                expected,
                "{method} {path}"
            );
        }
    }
}
