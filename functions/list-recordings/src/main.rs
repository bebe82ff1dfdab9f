#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::run(list_recordings::handle).await
}
