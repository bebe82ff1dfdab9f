//! The API over real HTTP, as a client sees it: `scripts/smoke.sh` serves the functions with
//! `cargo lambda watch` on a fresh, seeded table and bucket and runs these tests against it
//! (`cargo test -p integration-tests --test http -- --ignored`, with `SMOKE_BASE_URL`).
//! Without that server they are ignored.

mod limits;
mod smoke;

use integration_tests::ApiResponse;
use serde_json::Value;

/// The body of a response that must have `status`.
fn expect_status(response: &ApiResponse, status: u16) -> Value {
    let body = String::from_utf8_lossy(&response.body);
    assert_eq!(response.status, status, "{body:.300}");
    response.json()
}
