//! A bug that panics inside a handler still gets the contract's answer.

use integration_tests::{ApiRequest, TestStack, log_lines};
use lambda_http::Request;
use shared::app::App;
use shared::runtime::HandlerResult;

async fn panicking_handler(_: &App, _: Request) -> HandlerResult {
    panic!("a bug in a handler")
}

#[tokio::test]
async fn a_panic_in_a_handler_answers_the_contracts_500_with_its_request_id_and_is_logged() {
    let stack = TestStack::new().await;
    let request = ApiRequest::new("GET", "/api/v1/recordings");

    let body = stack
        .call(request, panicking_handler)
        .await
        .expect_error(500, "Internal Server Error");

    let request_id = body["requestId"].as_str().unwrap_or_default();
    assert!(request_id.len() > 1, "a 500 names its request: {body}");
    let logged = log_lines().into_iter().any(|line| {
        line["request_id"] == request_id
            && line["message"] == "request failed"
            && line["error"] == "internal error: the handler panicked"
    });
    assert!(logged, "the panic is logged with the request id");
}
