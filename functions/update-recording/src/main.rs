#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::run(update_recording::handle).await
}
