#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::run(room_access::handle).await
}
