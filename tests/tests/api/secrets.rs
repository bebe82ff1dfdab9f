//! Secrets as the functions read them in AWS: from Secrets Manager (LocalStack's), named by
//! `<VARIABLE>_SECRET_ARN`, their values nowhere in the configuration. Every other test
//! reads them as `make dev` does, from the plain variables of `infra/local.env`.

use std::collections::HashMap;

use integration_tests::{ApiRequest, TestStack, remember_secret};
use serde_json::json;
use shared::app::App;
use shared::config::Config;

/// Stores `value` as a secret of this test's own (which no log line may show); its ARN.
async fn secret(stack: &TestStack, name: &str, value: &str) -> String {
    remember_secret(value);
    aws_sdk_secretsmanager::Client::new(stack.sdk())
        .create_secret()
        .name(format!("{}-{name}", stack.table))
        .secret_string(value)
        .send()
        .await
        .expect("the secret is created: does the local stack run Secrets Manager?")
        .arn
        .expect("an ARN")
}

/// What a deployed function's environment holds: names and ARNs, no secret value.
fn deployed_env(stack: &TestStack, secrets: &[(&str, String)]) -> HashMap<String, String> {
    let mut env: HashMap<String, String> = [
        ("TABLE_NAME", stack.table.clone()),
        ("BUCKET_NAME", stack.bucket.clone()),
        ("PUBLIC_BASE_URL", stack.env.get("PUBLIC_BASE_URL")),
        ("CONSOLE_ORIGIN", stack.env.get("CONSOLE_ORIGIN")),
        ("S3_FORCE_PATH_STYLE", "true".to_owned()),
        ("ADMIN_USERNAME", stack.env.get("ADMIN_USERNAME")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (variable, arn) in secrets {
        env.insert(format!("{variable}_SECRET_ARN"), arn.clone());
    }
    env
}

async fn cold_start(stack: &TestStack, env: HashMap<String, String>) -> Result<Config, String> {
    let lookup = shared::secrets::resolve(stack.sdk(), move |name| env.get(name).cloned())
        .await
        .map_err(|e| e.to_string())?;
    Config::from_lookup(lookup).map_err(|e| e.to_string())
}

#[tokio::test]
async fn a_cold_start_reads_its_secrets_from_secrets_manager() {
    let stack = TestStack::new().await;
    let local = &stack.env;
    let secrets = [
        (
            "TOKEN_SIGNING_KEY",
            secret(&stack, "signing-key", &local.get("TOKEN_SIGNING_KEY")).await,
        ),
        (
            "API_KEY_HASHES",
            secret(&stack, "api-keys", &local.get("API_KEY_HASHES")).await,
        ),
        (
            "ADMIN_PASSWORD_HASH",
            secret(&stack, "admin", &local.get("ADMIN_PASSWORD_HASH")).await,
        ),
    ];
    let env = deployed_env(&stack, &secrets);
    for value in env.values() {
        for plain in ["TOKEN_SIGNING_KEY", "API_KEY_HASHES", "ADMIN_PASSWORD_HASH"] {
            assert_ne!(value, &local.get(plain), "no value in the environment");
        }
    }
    let config = cold_start(&stack, env).await.expect("the secrets are read");
    let app = App::new(config, stack.sdk());

    // Each secret does its work: the hash admits the administrator, the signing key signs
    // and verifies the token, the digests admit the API key.
    let login = ApiRequest::new("POST", "/api/v1/auth/login").json(&json!({
        "username": local.get("ADMIN_USERNAME"),
        "password": local.get("ADMIN_PASSWORD"),
    }));
    let response = stack.call_with(&app, login, issue_token::handle).await;
    assert_eq!(response.status, 200, "{}", response.json());
    let token = response.json()["accessToken"]
        .as_str()
        .expect("a token")
        .to_owned();
    let rooms = || ApiRequest::new("GET", "/api/v1/rooms");
    let with_token = stack
        .call_with(&app, rooms().bearer(&token), room_access::handle)
        .await;
    assert_eq!(with_token.status, 200, "{}", with_token.json());
    let with_key = stack
        .call_with(
            &app,
            rooms().header("x-api-key", &stack.api_key()),
            room_access::handle,
        )
        .await;
    assert_eq!(with_key.status, 200, "{}", with_key.json());
}

#[tokio::test]
async fn a_function_reads_only_the_secrets_it_is_given() {
    let stack = TestStack::new().await;
    let livekit = secret(&stack, "livekit", "a-livekit-secret").await;
    let mut env = deployed_env(&stack, &[("LIVEKIT_API_SECRET", livekit)]);
    env.remove("ADMIN_USERNAME");
    env.insert("LIVEKIT_URL".into(), "http://127.0.0.1:7880".into());
    env.insert("LIVEKIT_API_KEY".into(), "devkey".into());
    // The webhook's and the sweeper's configuration: no signing key, no API keys.
    let config = cold_start(&stack, env).await.expect("read");
    assert!(config.signing_key.is_none() && config.api_key_hashes.is_none());
    let app = App::new(config, stack.sdk());
    let response = stack
        .call_with(
            &app,
            stack.admin("GET", "/api/v1/rooms"),
            room_access::handle,
        )
        .await;
    // A function that authenticates was deployed without its secrets: a 500, not a 401.
    assert_eq!(response.status, 500, "{}", response.json());
}

#[tokio::test]
async fn an_unreadable_or_invalid_secret_stops_the_cold_start_naming_its_variable() {
    let stack = TestStack::new().await;
    let existing = secret(&stack, "exists", &stack.env.get("API_KEY_HASHES")).await;
    let missing = existing.replace("-exists", "-missing");
    let env = deployed_env(
        &stack,
        &[
            ("API_KEY_HASHES", existing.clone()),
            ("TOKEN_SIGNING_KEY", missing),
        ],
    );
    let err = cold_start(&stack, env).await.expect_err("no such secret");
    assert!(err.starts_with("TOKEN_SIGNING_KEY_SECRET_ARN: "), "{err}");

    let short = "too-short-a-signing-key";
    let weak = secret(&stack, "weak", short).await;
    let env = deployed_env(
        &stack,
        &[("API_KEY_HASHES", existing), ("TOKEN_SIGNING_KEY", weak)],
    );
    let err = cold_start(&stack, env).await.expect_err("a short key");
    assert!(err.contains("TOKEN_SIGNING_KEY"), "{err}");
    assert!(!err.contains(short), "never the value: {err}");
}
