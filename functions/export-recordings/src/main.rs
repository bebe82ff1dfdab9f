#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::run(export_recordings::handle).await
}
