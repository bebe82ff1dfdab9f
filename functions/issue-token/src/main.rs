#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::run(issue_token::handle).await
}
