#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::run(record_control::handle).await
}
