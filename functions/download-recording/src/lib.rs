//! `GET /api/v1/recordings/{recordingId}/media` (play) and `.../download`: a redirect to a
//! short-lived presigned S3 URL, so the video's bytes never pass through Lambda. Each is a
//! view of a share link it comes through, and goes into the recording's activity.

use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde_json::json;
use shared::app::App;
use shared::error::{ApiError, Category};
use shared::http::{bool_param, recording_id_param, redirect_response};
use shared::media::Disposition;
use shared::model::{Activity, ActivityKind, Recording, RecordingId, RecordingStatus};
use shared::response::json_response;
use shared::runtime::HandlerResult;
use shared::shares::Purpose;

shared::routes! {
    "GET /api/v1/recordings/{recordingId}/media" => play,
    "GET /api/v1/recordings/{recordingId}/download" => download,
}

async fn play(app: &App, req: Request) -> HandlerResult {
    presigned(app, req, Purpose::Play).await
}

async fn download(app: &App, req: Request) -> HandlerResult {
    presigned(app, req, Purpose::Download).await
}

async fn presigned(app: &App, req: Request, purpose: Purpose) -> HandlerResult {
    let id = recording_id_param(&req)?;
    let redirect = bool_param(&req, "redirect", true)?;
    let reading = app.readable_recording(&req, &id, purpose).await;
    let result = match reading.recording {
        Ok(recording) => respond(app, &id, &recording, purpose, redirect).await,
        Err(err) => Err(err),
    };
    if let Some(actor) = reading.actor {
        let kind = match purpose {
            Purpose::Download => ActivityKind::Downloaded,
            _ => ActivityKind::Played,
        };
        let entry = Activity::of_recording(kind, &id, actor, &req).answered(&result);
        app.activity().record(&[entry]).await;
    }
    result
}

async fn respond(
    app: &App,
    id: &RecordingId,
    recording: &Recording,
    purpose: Purpose,
    redirect: bool,
) -> HandlerResult {
    let disposition = match purpose {
        Purpose::Download => Disposition::Attachment,
        _ => Disposition::Inline,
    };
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
