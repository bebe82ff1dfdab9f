//! `GET /api/v1/recordings`: one page of recordings, filtered and sorted.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use shared::access::authorize_in_room;
use shared::app::App;
use shared::http::query_param;
use shared::pagination::ListQuery;
use shared::permissions::Action;
use shared::response::json_response;
use shared::runtime::HandlerResult;

shared::routes! {
    "GET /api/v1/recordings" => list,
}

async fn list(app: &App, req: Request) -> HandlerResult {
    let mut query = ListQuery::parse(|name| query_param(&req, name), app.page_tokens()?)?;
    let principal = app.auth.authenticate(&req)?;
    query.scope_to(&principal);
    authorize_in_room(
        &app.store,
        &principal,
        Action::ListRecordings,
        query.room_id.as_ref(),
    )
    .await?;
    let page = app.store.list_recordings(&query).await?;
    let body = page.to_json(
        "recordings",
        query.max_items,
        &query.fingerprint,
        app.page_tokens()?,
        |r| query.fields.apply(r),
    );
    Ok(json_response(StatusCode::OK, &body))
}
