#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::run(share_recording::handle).await
}
