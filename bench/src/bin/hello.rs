//! An SDK-free `lambda_http` function that answers every request with a greeting: the
//! floor that the functions' cold starts are measured against, built with the same
//! release profile.

use lambda_http::{Body, Error, Request, Response, service_fn};

async fn hello(_req: Request) -> Result<Response<Body>, Error> {
    Ok(Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Body::from(r#"{"message":"hello"}"#))?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(hello)).await
}
