#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::run_queue(build_export::run).await
}
