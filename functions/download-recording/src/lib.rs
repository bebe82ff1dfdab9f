//! `GET /api/v1/recordings/{recordingId}/media` (play) and `.../download`: a redirect to a
//! short-lived presigned S3 URL, so the video's bytes never pass through Lambda.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde_json::json;
use shared::app::App;
use shared::error::{ApiError, Category};
use shared::http::{bool_param, recording_id_param, redirect_response};
use shared::media::Disposition;
use shared::model::RecordingStatus;
use shared::response::json_response;
use shared::runtime::HandlerResult;

shared::routes! {
    "GET /api/v1/recordings/{recordingId}/media" => play,
    "GET /api/v1/recordings/{recordingId}/download" => download,
}

async fn play(app: &App, req: Request) -> HandlerResult {
    presigned(app, req, Disposition::Inline).await
}

async fn download(app: &App, req: Request) -> HandlerResult {
    presigned(app, req, Disposition::Attachment).await
}

async fn presigned(app: &App, req: Request, disposition: Disposition) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let redirect = bool_param(&req, "redirect", true)?;
    let recording = app.readable_recording(&req, &id).await?;
    if recording.status != RecordingStatus::Complete {
        return Err(ApiError::Conflict {
            category: Category::Recording,
            message: format!("Recording '{id}' is not complete"),
        });
    }
    let presigned = app
        .media()
        .presign_video(&id.s3_key(), &recording.filename, disposition)
        .await?;
    if redirect {
        return redirect_response(&presigned.url);
    }
    // For a browser <video>, which cannot send credentials when following a redirect.
    Ok(json_response(
        StatusCode::OK,
        &json!({"url": presigned.url, "expiresAt": presigned.expires_at}),
    ))
}
