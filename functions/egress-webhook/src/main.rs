#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::run(egress_webhook::handle).await
}
