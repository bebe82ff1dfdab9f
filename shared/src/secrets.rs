//! Secrets, read once at cold start. In AWS a function is given, for each secret it uses,
//! the ARN of a Secrets Manager secret in `<VARIABLE>_SECRET_ARN` and the right to read that
//! secret alone, so the value is never part of its configuration (which anyone allowed
//! `lambda:GetFunctionConfiguration` can read). Locally the plain variable holds the value
//! (`infra/local.env`). Either way [`crate::config::Config::from_lookup`] validates it.

use std::collections::HashMap;

use aws_sdk_secretsmanager::error::DisplayErrorContext;
use futures_util::future::try_join_all;

/// The configuration variables whose values are secrets.
pub const SECRET_VARIABLES: [&str; 4] = [
    "TOKEN_SIGNING_KEY",
    "API_KEY_HASHES",
    "ADMIN_PASSWORD_HASH",
    "LIVEKIT_API_SECRET",
];

/// `TOKEN_SIGNING_KEY_SECRET_ARN` names the secret holding `TOKEN_SIGNING_KEY`, and so on.
pub const SECRET_ARN_SUFFIX: &str = "_SECRET_ARN";

/// Why a secret could not be read; names the variables, never a value.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "{variable} and {arn_variable} are both set: give the value or its secret's ARN, not both"
    )]
    Ambiguous {
        variable: &'static str,
        arn_variable: String,
    },
    #[error("{arn_variable}: reading the secret failed: {reason}")]
    Unreadable {
        arn_variable: String,
        reason: String,
    },
    #[error("{arn_variable}: the secret has no value (an empty or binary SecretString)")]
    Empty { arn_variable: String },
}

/// `lookup` with the value of every secret named by a `<VARIABLE>_SECRET_ARN` filled in,
/// read from Secrets Manager concurrently; no call at all when none is named.
pub async fn resolve<L>(
    sdk: &aws_config::SdkConfig,
    lookup: L,
) -> Result<impl Fn(&str) -> Option<String> + use<L>, SecretError>
where
    L: Fn(&str) -> Option<String>,
{
    let set = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
    let mut wanted = Vec::new();
    for variable in SECRET_VARIABLES {
        let arn_variable = format!("{variable}{SECRET_ARN_SUFFIX}");
        match (set(variable), set(&arn_variable)) {
            (Some(_), Some(_)) => {
                return Err(SecretError::Ambiguous {
                    variable,
                    arn_variable,
                });
            }
            (None, Some(arn)) => wanted.push((variable, arn_variable, arn)),
            _ => {}
        }
    }
    let mut values = HashMap::new();
    if !wanted.is_empty() {
        let client = aws_sdk_secretsmanager::Client::from_conf(
            aws_sdk_secretsmanager::config::Builder::from(sdk)
                .timeout_config(crate::aws::aws_timeouts())
                .build(),
        );
        let reads = wanted.into_iter().map(|(variable, arn_variable, arn)| {
            let client = &client;
            async move {
                let value = read(client, &arn_variable, &arn).await?;
                Ok::<_, SecretError>((variable, value))
            }
        });
        values.extend(try_join_all(reads).await?);
    }
    Ok(move |name: &str| values.get(name).cloned().or_else(|| lookup(name)))
}

async fn read(
    client: &aws_sdk_secretsmanager::Client,
    arn_variable: &str,
    arn: &str,
) -> Result<String, SecretError> {
    let out = client
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| SecretError::Unreadable {
            arn_variable: arn_variable.to_owned(),
            reason: DisplayErrorContext(e).to_string(),
        })?;
    out.secret_string
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| SecretError::Empty {
            arn_variable: arn_variable.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A configuration that makes any Secrets Manager call fail at once.
    async fn unreachable_sdk() -> aws_config::SdkConfig {
        aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url("http://127.0.0.1:1")
            .build()
    }

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }

    #[tokio::test]
    async fn plain_values_pass_through_without_any_call() {
        let lookup = resolve(
            &unreachable_sdk().await,
            vars(&[("TOKEN_SIGNING_KEY", "plain"), ("TABLE_NAME", "t")]),
        )
        .await
        .expect("nothing to read");
        assert_eq!(lookup("TOKEN_SIGNING_KEY").as_deref(), Some("plain"));
        assert_eq!(lookup("TABLE_NAME").as_deref(), Some("t"));
        assert_eq!(lookup("API_KEY_HASHES"), None);
    }

    #[tokio::test]
    async fn a_value_and_its_secret_together_are_refused() {
        let err = resolve(
            &unreachable_sdk().await,
            vars(&[
                ("API_KEY_HASHES", "the-value"),
                ("API_KEY_HASHES_SECRET_ARN", "the-secret"),
            ]),
        )
        .await
        .err()
        .expect("ambiguous");
        let message = err.to_string();
        assert!(message.contains("API_KEY_HASHES_SECRET_ARN"), "{message}");
        assert!(!message.contains("the-value"), "{message}");
    }

    #[tokio::test]
    async fn an_unreadable_secret_names_its_variable() {
        let err = resolve(
            &unreachable_sdk().await,
            vars(&[("LIVEKIT_API_SECRET_SECRET_ARN", "livekit")]),
        )
        .await
        .err()
        .expect("unreachable");
        assert!(
            err.to_string()
                .starts_with("LIVEKIT_API_SECRET_SECRET_ARN: "),
            "{err}"
        );
    }
}
