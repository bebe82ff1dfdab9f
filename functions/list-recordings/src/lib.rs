//! `GET /api/v1/recordings`: one page of recordings, filtered and sorted.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use shared::auth::authenticate;
use shared::http::{json_response, query_param};
use shared::pagination::ListQuery;
use shared::runtime::{App, HandlerResult};

pub async fn handle(app: &App, req: Request) -> HandlerResult {
    let query = ListQuery::parse(|name| query_param(&req, name), &app.page_tokens)?;
    let _principal = authenticate(&req, &app.config)?;
    let page = app.store.list_recordings(&query).await?;
    Ok(json_response(
        StatusCode::OK,
        &page.to_json(&query, &app.page_tokens),
    ))
}
