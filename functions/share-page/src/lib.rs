//! `GET /recording/{recordingId}?secret=…`: what a person opening a share link sees, an
//! HTML page that plays the recording from fresh presigned URLs, or says why it cannot.

mod page;

use lambda_http::Request;
use lambda_http::http::StatusCode;
use shared::app::App;
use shared::clock::now_millis;
use shared::error::ApiError;
use shared::http::{query_param, recording_id_param};
use shared::media::Disposition;
use shared::model::RecordingStatus;
use shared::runtime::HandlerResult;
use shared::shares::{self, Refusal};

shared::routes! {
    "GET /recording/{recordingId}" => open,
}

async fn open(app: &App, req: Request) -> HandlerResult {
    let not_found = || {
        page::notice(
            StatusCode::NOT_FOUND,
            "Recording not found",
            "This link does not lead to a recording. Check that it was copied whole.",
        )
    };
    let (Ok(id), Some(secret)) = (recording_id_param(&req), query_param(&req, "secret")) else {
        return Ok(not_found());
    };
    let recording = match shares::open(
        &app.store,
        &id,
        secret,
        || app.auth.authenticate(&req),
        now_millis(),
    )
    .await
    {
        Ok(Ok(recording)) => recording,
        Ok(Err(Refusal::Unknown)) => return Ok(not_found()),
        Ok(Err(Refusal::Expired)) => {
            return Ok(page::notice(
                StatusCode::GONE,
                "This link has expired",
                "Ask whoever shared the recording for a new link.",
            ));
        }
        Ok(Err(Refusal::Revoked)) => {
            return Ok(page::notice(
                StatusCode::GONE,
                "This link has been revoked",
                "Ask whoever shared the recording for a new link.",
            ));
        }
        Ok(Err(Refusal::RecordingGone)) => {
            return Ok(page::notice(
                StatusCode::GONE,
                "This recording has been deleted",
                "It is no longer available.",
            ));
        }
        Ok(Err(Refusal::CreatorLostAccess)) | Err(ApiError::Forbidden(_)) => {
            return Ok(page::notice(
                StatusCode::FORBIDDEN,
                "This link no longer gives access",
                "The recording's room no longer lets this link be used.",
            ));
        }
        Err(ApiError::Unauthenticated(_)) => {
            return Ok(page::notice(
                StatusCode::UNAUTHORIZED,
                "This link is private",
                "Open the recording from the console, signed in to its room.",
            ));
        }
        Err(other) => return Err(other),
    };
    if recording.status != RecordingStatus::Complete {
        return Ok(page::notice(
            StatusCode::CONFLICT,
            "This recording is not ready",
            "It can be played once it has finished processing. Try again later.",
        ));
    }
    let key = id.s3_key();
    let video = app
        .media()
        .presign_video(&key, &recording.filename, Disposition::Inline)
        .await?;
    let download = app
        .media()
        .presign_video(&key, &recording.filename, Disposition::Attachment)
        .await?;
    Ok(page::player(&page::Player {
        recording: &recording,
        video_url: &video.url,
        download_url: &download.url,
    }))
}
