//! The recipient's HTML: plain server-rendered markup with one small inline script, so it
//! works in any browser without the console.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Response};
use shared::crypto::sha256;
use shared::model::Recording;
use time::OffsetDateTime;
use time::macros::format_description;

/// Presigned URLs are short-lived: when playback fails (the URL expired while paused),
/// reload the page for fresh ones and resume where the viewer was. At most once every
/// 30 seconds, so a broken video cannot loop.
const RESUME_SCRIPT: &str = "const v=document.getElementById('video'),k='resume:'+location.pathname;\
const s=JSON.parse(sessionStorage.getItem(k)||'null');\
if(s&&s.t){v.addEventListener('loadedmetadata',()=>{v.currentTime=s.t},{once:true});}\
v.addEventListener('error',()=>{if(s&&Date.now()-s.at<30000)return;\
sessionStorage.setItem(k,JSON.stringify({t:v.currentTime,at:Date.now()}));location.reload();});";

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#111;color:#eee}\
main{max-width:960px;margin:0 auto;padding:24px}h1{font-size:1.5rem;margin:0 0 4px}\
p.meta{color:#aaa;margin:0 0 16px}video{width:100%;background:#000;border-radius:8px}\
a.button,button{display:inline-block;margin-top:16px;padding:10px 18px;border-radius:6px;\
background:#2f6fed;color:#fff;text-decoration:none;border:0;font:inherit;cursor:pointer}\
label{display:block;margin:16px 0 6px}input{font:inherit;padding:8px 10px;border-radius:6px;\
border:1px solid #555;background:#1c1c1c;color:#eee;width:100%;max-width:320px;box-sizing:border-box}\
p[role=alert]{color:#ff9b9b}:focus-visible{outline:3px solid #8ab4ff;outline-offset:2px}";

/// A playable recording.
pub struct Player<'a> {
    pub recording: &'a Recording,
    pub video_url: &'a str,
    /// `None` for a play-only link.
    pub download_url: Option<&'a str>,
}

fn format_date(epoch_ms: i64) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    OffsetDateTime::from_unix_timestamp(epoch_ms / 1000)
        .ok()
        .and_then(|d| d.format(&format).ok())
        .unwrap_or_default()
}

pub fn format_duration(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// `scheme://host[:port]` of a URL, for the Content-Security-Policy.
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<meta name=\"referrer\" content=\"no-referrer\"><title>{}</title><style>{STYLE}</style>\
</head><body><main>{body}</main></body></html>",
        text(title)
    )
}

/// What a page may load or post to besides itself.
#[derive(Clone, Copy)]
enum Allows<'a> {
    Nothing,
    /// The player: videos from this origin.
    Media(&'a str),
    /// The password form: posting to its own URL.
    Form,
}

fn respond(status: StatusCode, html: String, allows: Allows<'_>) -> Response<Body> {
    let script_hash = STANDARD.encode(sha256(RESUME_SCRIPT.as_bytes()));
    let csp = format!(
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'; \
         media-src {}; base-uri 'none'; form-action {}; frame-ancestors 'none'",
        match allows {
            Allows::Media(origin) => origin,
            _ => "'none'",
        },
        match allows {
            Allows::Form => "'self'",
            _ => "'none'",
        },
    );
    let mut response = Response::new(Body::Text(html));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The page's own URL carries the secret: never send it on as a referrer.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

pub fn player(p: &Player<'_>) -> Response<Body> {
    let r = p.recording;
    // A titled recording is headed by its title, its room named beside the date.
    let heading = r.title.as_deref().unwrap_or(&r.room_name);
    let details = [
        r.title.is_some().then(|| r.room_name.clone()),
        Some(format_date(r.start_date)),
        r.duration.map(format_duration),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let download = p.download_url.map_or_else(String::new, |url| {
        format!(
            "<p><a class=\"button\" href=\"{}\" download=\"{}\">Download</a></p>",
            attr(url),
            attr(&r.filename)
        )
    });
    let body = format!(
        "<h1>{heading}</h1><p class=\"meta\">{details}</p>\
<video id=\"video\" controls preload=\"metadata\" playsinline src=\"{video}\"></video>\
{download}<script>{RESUME_SCRIPT}</script>",
        heading = text(heading),
        details = text(&details),
        video = attr(p.video_url),
    );
    respond(
        StatusCode::OK,
        document(&format!("{heading} - recording"), &body),
        Allows::Media(origin_of(p.video_url)),
    )
}

/// The form a password-protected link opens with; it posts to the page's own URL.
/// `wrong` re-asks after a wrong password.
pub fn password_form(wrong: bool) -> Response<Body> {
    let alert = if wrong {
        "<p role=\"alert\">That password is not right. Try again.</p>"
    } else {
        ""
    };
    let body = format!(
        "<h1>This recording is protected</h1>\
<p class=\"meta\">Enter the password you were given with the link.</p>{alert}\
<form method=\"post\"><label for=\"password\">Password</label>\
<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" \
required maxlength=\"128\" autofocus><br><button type=\"submit\">Open recording</button></form>"
    );
    respond(
        StatusCode::UNAUTHORIZED,
        document("Password required", &body),
        Allows::Form,
    )
}

/// A page that says why there is nothing to play.
pub fn notice(status: StatusCode, heading: &str, message: &str) -> Response<Body> {
    let body = format!(
        "<h1>{}</h1><p class=\"meta\">{}</p>",
        text(heading),
        text(message)
    );
    respond(status, document(heading, &body), Allows::Nothing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_player() {
        assert_eq!(format_duration(6.0), "0:06");
        assert_eq!(format_duration(3599.6), "1:00:00");
        assert_eq!(format_duration(3725.0), "1:02:05");
    }

    #[test]
    fn origins_keep_scheme_host_and_port() {
        assert_eq!(
            origin_of("http://127.0.0.1:4566/bucket/key?X=1"),
            "http://127.0.0.1:4566"
        );
        assert_eq!(
            origin_of("https://b.s3.amazonaws.com/k"),
            "https://b.s3.amazonaws.com"
        );
    }

    #[test]
    fn notices_escape_their_text() {
        let response = notice(StatusCode::GONE, "<b>", "a & b");
        let Body::Text(html) = response.body() else {
            panic!("text body");
        };
        assert!(html.contains("&lt;b&gt;") && html.contains("a &amp; b"));
        assert_eq!(response.headers()["referrer-policy"], "no-referrer");
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap_or("");
        assert!(csp.contains("form-action 'none'"), "{csp}");
    }

    #[test]
    fn the_password_form_posts_to_its_own_page() {
        for wrong in [false, true] {
            let response = password_form(wrong);
            assert_eq!(response.status(), 401);
            let Body::Text(html) = response.body() else {
                panic!("text body");
            };
            assert!(html.contains("<form method=\"post\">") && !html.contains("action="));
            assert_eq!(html.contains("role=\"alert\""), wrong);
            let csp = response.headers()["content-security-policy"]
                .to_str()
                .unwrap_or("");
            assert!(csp.contains("form-action 'self'"), "{csp}");
        }
    }
}
