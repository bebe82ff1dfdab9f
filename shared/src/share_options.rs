//! What a share link allows, as its creator asks for it: in the query of
//! `GET …/url` (OpenVidu Meet's form) or in the JSON body of `POST …/url`, which keeps a
//! password out of URLs and access logs. Both are checked by the same rules.

use lambda_http::Request;

use crate::crypto;
use crate::error::{ApiError, FieldError};
use crate::http::{Fields, query_param};
use crate::model::ShareAccess;

/// Longest `expiresIn` accepted: a year.
pub const MAX_EXPIRES_IN_SECONDS: i64 = 365 * 24 * 60 * 60;
pub const MAX_VIEWS: i64 = 10_000;
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 8..=128;

/// A new link's options, validated.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkOptions {
    pub access: ShareAccess,
    pub expires_in_seconds: Option<i64>,
    pub allow_download: bool,
    pub max_views: Option<u32>,
    pub password: Option<String>,
}

// Never prints the password.
impl std::fmt::Debug for LinkOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkOptions")
            .field("access", &self.access)
            .field("expires_in_seconds", &self.expires_in_seconds)
            .field("allow_download", &self.allow_download)
            .field("max_views", &self.max_views)
            .field("password", &self.password.as_ref().map(|_| "<set>"))
            .finish()
    }
}

/// The options as sent, before their ranges are checked.
#[derive(Default)]
struct Draft {
    private: Option<bool>,
    expires_in: Option<i64>,
    allow_download: Option<bool>,
    max_views: Option<i64>,
    password: Option<String>,
}

impl LinkOptions {
    /// From `GET …/url`'s query: `privateAccess`, `expiresIn`, `allowDownload`, `maxViews`,
    /// `password`.
    pub fn from_query<'a>(param: impl Fn(&str) -> Option<&'a str>) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        let mut flag = |name: &str| match param(name) {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => {
                errors.push(FieldError::new(name, "must be true or false"));
                None
            }
        };
        let private = flag("privateAccess");
        let allow_download = flag("allowDownload");
        let mut whole = |name: &str| {
            let raw = param(name)?;
            let parsed = raw.parse::<i64>().ok();
            if parsed.is_none() {
                errors.push(FieldError::new(name, "must be a whole number"));
            }
            parsed
        };
        let draft = Draft {
            private,
            allow_download,
            expires_in: whole("expiresIn"),
            max_views: whole("maxViews"),
            password: param("password").map(str::to_owned),
        };
        draft.validate(errors)
    }

    /// From `POST …/url`'s JSON body, with the same names; unknown fields are refused. An
    /// empty body asks for the defaults.
    pub fn from_body(req: &Request) -> Result<Self, ApiError> {
        if req.body().is_empty() {
            return Draft::default().validate(Vec::new());
        }
        let mut fields = Fields::from_body(req)?;
        let draft = Draft {
            private: fields.bool("privateAccess"),
            allow_download: fields.bool("allowDownload"),
            expires_in: fields.integer("expiresIn"),
            max_views: fields.integer("maxViews"),
            password: fields.verbatim_string("password"),
        };
        let errors = match fields.finish() {
            Ok(()) => Vec::new(),
            Err(ApiError::Validation(errors)) => errors,
            Err(other) => return Err(other),
        };
        draft.validate(errors)
    }

    /// From the request: its JSON body for `POST`, its query otherwise.
    pub fn from_request(req: &Request) -> Result<Self, ApiError> {
        if req.method() == lambda_http::http::Method::POST {
            Self::from_body(req)
        } else {
            Self::from_query(|name| query_param(req, name))
        }
    }
}

impl Draft {
    fn validate(self, mut errors: Vec<FieldError>) -> Result<LinkOptions, ApiError> {
        let expires_in_seconds = self.expires_in.filter(|s| {
            let ok = (1..=MAX_EXPIRES_IN_SECONDS).contains(s);
            if !ok {
                errors.push(FieldError::new(
                    "expiresIn",
                    format!("must be a whole number of seconds from 1 to {MAX_EXPIRES_IN_SECONDS}"),
                ));
            }
            ok
        });
        let max_views = self.max_views.and_then(|n| {
            let ok = (1..=MAX_VIEWS).contains(&n);
            if !ok {
                errors.push(FieldError::new(
                    "maxViews",
                    format!("must be a whole number from 1 to {MAX_VIEWS}"),
                ));
            }
            u32::try_from(n).ok().filter(|_| ok)
        });
        let password = self.password.filter(|p| {
            let ok = PASSWORD_CHARS.contains(&p.chars().count());
            if !ok {
                errors.push(FieldError::new(
                    "password",
                    format!(
                        "must be {} to {} characters",
                        PASSWORD_CHARS.start(),
                        PASSWORD_CHARS.end()
                    ),
                ));
            }
            ok
        });
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(LinkOptions {
            access: if self.private.unwrap_or(false) {
                ShareAccess::Private
            } else {
                ShareAccess::Public
            },
            expires_in_seconds,
            allow_download: self.allow_download.unwrap_or(true),
            max_views,
            password,
        })
    }
}

impl LinkOptions {
    /// The argon2id hash the link keeps of its password.
    pub fn password_hash(&self) -> Result<Option<String>, ApiError> {
        self.password
            .as_deref()
            .map(crypto::hash_password)
            .transpose()
            .map_err(|e| ApiError::Internal(format!("hashing a share password: {e}").into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn query(pairs: &[(&str, &str)]) -> Result<LinkOptions, ApiError> {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        LinkOptions::from_query(|k| map.get(k).copied())
    }

    fn fields_of(err: ApiError) -> Vec<String> {
        match err {
            ApiError::Validation(errors) => errors.iter().map(|e| e.field.clone()).collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn defaults_allow_everything_for_ever() {
        let options = query(&[]).expect("valid");
        assert_eq!(options.access, ShareAccess::Public);
        assert!(options.allow_download);
        assert_eq!(options.max_views, None);
        assert_eq!(options.password, None);
        assert_eq!(options.expires_in_seconds, None);
    }

    #[test]
    fn every_option_is_read_and_bounded() {
        let options = query(&[
            ("privateAccess", "true"),
            ("allowDownload", "false"),
            ("maxViews", "3"),
            ("password", " spaces count "),
            ("expiresIn", "60"),
        ])
        .expect("valid");
        assert_eq!(options.access, ShareAccess::Private);
        assert!(!options.allow_download);
        assert_eq!(options.max_views, Some(3));
        assert_eq!(options.password.as_deref(), Some(" spaces count "));
        assert_eq!(options.expires_in_seconds, Some(60));
        let err = query(&[
            ("allowDownload", "no"),
            ("maxViews", "0"),
            ("password", "short"),
            ("expiresIn", "x"),
        ])
        .expect_err("invalid");
        assert_eq!(
            fields_of(err),
            ["allowDownload", "expiresIn", "maxViews", "password"]
        );
        for bad in ["10001", "-1", "1.5", "99999999999999999999"] {
            assert!(query(&[("maxViews", bad)]).is_err(), "{bad}");
        }
        assert!(query(&[("password", &"p".repeat(129))]).is_err());
        assert!(query(&[("password", &"é".repeat(128))]).is_ok());
    }

    #[test]
    fn debug_hides_the_password() {
        let options = query(&[("password", "hunter2hunter2")]).expect("valid");
        assert!(!format!("{options:?}").contains("hunter2"));
    }
}
