//! `GET /recording/{recordingId}?secret=…`: what a person opening a share link sees, an
//! HTML page that plays the recording from fresh presigned URLs, or says why it cannot.
//! A password-protected link asks first: the form posts back to the same URL
//! (`POST /recording/{recordingId}?secret=…`), which answers with a view pass (a cookie)
//! and a redirect to the page, so that reloading the player neither asks nor counts again.

mod page;

use lambda_http::Request;
use lambda_http::http::{HeaderValue, StatusCode, header};
use shared::app::App;
use shared::clock::now_millis;
use shared::error::ApiError;
use shared::http::{query_param, recording_id_param, source_ip};
use shared::media::Disposition;
use shared::model::{
    Activity, ActivityKind, Actor, Recording, RecordingId, RecordingStatus, ShareLink,
};
use shared::runtime::HandlerResult;
use shared::shares::{self, Opening, Purpose, Refusal, Visit, share_id_of};
use shared::view_pass::{PASS_SECONDS, ViewPasses, cookie};

shared::routes! {
    "GET /recording/{recordingId}" => open,
    "POST /recording/{recordingId}" => unlock,
}

/// Longest form body read: a password of 128 characters, percent-encoded, fits well.
const MAX_FORM_BYTES: usize = 4096;

async fn open(app: &App, req: Request) -> HandlerResult {
    visit(app, &req, None).await
}

async fn unlock(app: &App, req: Request) -> HandlerResult {
    let body = req.body().as_ref();
    if body.len() > MAX_FORM_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    // A form without the field is a wrong (empty) password.
    let password = form_urlencoded::parse(body)
        .find(|(name, _)| name == "password")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    visit(app, &req, Some(password)).await
}

fn not_found() -> lambda_http::Response<lambda_http::Body> {
    page::notice(
        StatusCode::NOT_FOUND,
        "Recording not found",
        "This link does not lead to a recording. Check that it was copied whole.",
    )
}

/// Opens the link for the page: parse, open (password, view), record, respond.
async fn visit(app: &App, req: &Request, password: Option<String>) -> HandlerResult {
    let (Ok(id), Some(secret)) = (recording_id_param(req), query_param(req, "secret")) else {
        return Ok(not_found());
    };
    let now = now_millis();
    let passes = app.view_passes()?;
    let counted_already = share_id_of(secret).is_some_and(|share_id| {
        req.headers()
            .get(header::COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|c| cookie(c, &ViewPasses::cookie_name(share_id)))
            .is_some_and(|pass| passes.holds(pass, share_id, now / 1000))
    });
    let source = source_ip(req);
    let opening = shares::open(
        &app.store,
        &id,
        Visit {
            secret,
            password: password.as_deref(),
            source: &source,
            purpose: Purpose::Page,
            counted_already,
        },
        || app.auth.authenticate(req),
        now,
    )
    .await?;
    let posted = password.is_some();
    let Opening { link, outcome } = opening;
    let result = match (outcome, &link) {
        (Ok(recording), Some(_)) if recording.status != RecordingStatus::Complete => {
            Ok(not_ready())
        }
        // Under a pass, no new one: a pass lasts as long as it was issued for, however
        // often the page reloads or the form is posted again.
        (Ok(_), Some(link)) if posted => {
            unlocked(app, &id, secret, link, (!counted_already).then_some(now))
        }
        (Ok(recording), Some(link)) => {
            let pass_from = (!counted_already).then_some(now);
            player(app, &id, &recording, link, pass_from).await
        }
        (Ok(_), None) => Ok(not_found()),
        (Err(refusal), _) => Ok(refused(refusal, posted)),
    };
    // A reload under a view pass is the same visit, not another opening.
    if let Some(link) = link.filter(|_| !counted_already) {
        let entry = Activity::of_recording(ActivityKind::ShareOpened, &id, Actor::link(&link), req)
            .answered(&result);
        app.activity().record(&[entry]).await;
    }
    result
}

fn not_ready() -> lambda_http::Response<lambda_http::Body> {
    page::notice(
        StatusCode::CONFLICT,
        "This recording is not ready",
        "It can be played once it has finished processing. Try again later.",
    )
}

/// The player, with a view pass for the page's reloads when `pass_from` (now) says the
/// view was just counted.
async fn player(
    app: &App,
    id: &RecordingId,
    recording: &Recording,
    link: &ShareLink,
    pass_from: Option<i64>,
) -> HandlerResult {
    let key = id.s3_key();
    let video = app
        .media()
        .presign_video(&key, &recording.filename, Disposition::Inline)
        .await?;
    let download = match link.allow_download {
        true => Some(
            app.media()
                .presign_video(&key, &recording.filename, Disposition::Attachment)
                .await?,
        ),
        false => None,
    };
    let mut response = page::player(&page::Player {
        recording,
        video_url: &video.url,
        download_url: download.as_ref().map(|d| d.url.as_str()),
    });
    if let Some(now) = pass_from {
        set_view_pass(app, &mut response, id, link, now)?;
    }
    Ok(response)
}

/// After the right password: the view pass, and back to the page (a reload then shows the
/// player rather than posting the form again).
fn unlocked(
    app: &App,
    id: &RecordingId,
    secret: &str,
    link: &ShareLink,
    pass_from: Option<i64>,
) -> HandlerResult {
    let mut response = lambda_http::Response::new(lambda_http::Body::Empty);
    *response.status_mut() = StatusCode::SEE_OTHER;
    // The form posted to this very URL: a relative reference of its query leads back to
    // it, whatever path prefix the page is served under. The secret is URL-safe.
    let location = format!("?secret={secret}");
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    if let Some(now) = pass_from {
        set_view_pass(app, &mut response, id, link, now)?;
    }
    Ok(response)
}

fn set_view_pass(
    app: &App,
    response: &mut lambda_http::Response<lambda_http::Body>,
    id: &RecordingId,
    link: &ShareLink,
    now: i64,
) -> Result<(), ApiError> {
    let now_seconds = now / 1000;
    let until = link
        .link_expires_at
        .map_or(now_seconds + PASS_SECONDS, |t| {
            (t / 1000).min(now_seconds + PASS_SECONDS)
        });
    let pass = app.view_passes()?.issue(&link.share_id, until);
    let secure = if app.config.public_base_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={pass}; Path={}/recording/{id}; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        ViewPasses::cookie_name(&link.share_id),
        base_path(&app.config.public_base_url),
        (until - now_seconds).max(0)
    );
    let value = HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.into()))?;
    response.headers_mut().insert(header::SET_COOKIE, value);
    Ok(())
}

/// The path part of the page's base URL (`https://host/prefix` → `/prefix`), which the
/// cookie's path must start with to come back.
fn base_path(base_url: &str) -> &str {
    let after_scheme = base_url.find("://").map_or(0, |i| i + 3);
    base_url[after_scheme..]
        .find('/')
        .map_or("", |i| &base_url[after_scheme + i..])
}

/// Why the page shows no player, in words for the person who opened the link.
fn refused(refusal: Refusal, posted: bool) -> lambda_http::Response<lambda_http::Body> {
    let ask_again = "Ask whoever shared the recording for a new link.";
    match refusal {
        Refusal::Unknown => not_found(),
        Refusal::Expired => page::notice(StatusCode::GONE, "This link has expired", ask_again),
        Refusal::Revoked => page::notice(StatusCode::GONE, "This link has been revoked", ask_again),
        Refusal::ViewLimitReached => page::notice(
            StatusCode::GONE,
            "This link has reached its view limit",
            ask_again,
        ),
        Refusal::RecordingGone => page::notice(
            StatusCode::NOT_FOUND,
            "This recording is not available",
            "It may have been deleted.",
        ),
        Refusal::CreatorLostAccess | Refusal::Caller(ApiError::Forbidden(_)) => page::notice(
            StatusCode::FORBIDDEN,
            "This link no longer gives access",
            "The recording's room no longer lets this link be used.",
        ),
        Refusal::Caller(_) => page::notice(
            StatusCode::UNAUTHORIZED,
            "This link is private",
            "Open the recording from the console, signed in to its room.",
        ),
        Refusal::PasswordRequired => page::password_form(posted),
        Refusal::WrongPassword => page::password_form(true),
        Refusal::Throttled {
            retry_after_seconds,
        } => {
            let minutes = (retry_after_seconds + 59) / 60;
            let mut response = page::notice(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts",
                &format!(
                    "Too many wrong passwords were tried for this link. Try again in {minutes} minute{}.",
                    if minutes == 1 { "" } else { "s" }
                ),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after_seconds.max(1).into());
            response
        }
        // The page never asks for a download.
        Refusal::PlayOnly => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::base_path;

    #[test]
    fn the_cookie_path_follows_the_base_urls_prefix() {
        assert_eq!(base_path("https://api.example.com"), "");
        assert_eq!(base_path("http://127.0.0.1:9000"), "");
        assert_eq!(base_path("https://example.com/recordings"), "/recordings");
    }
}
