#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::run(download_recording::handle).await
}
