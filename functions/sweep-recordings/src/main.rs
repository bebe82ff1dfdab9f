#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::run_scheduled(sweep_recordings::sweep).await
}
