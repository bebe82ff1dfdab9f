//! The HTTPS client under the functions' AWS clients, and the roots it trusts.
//!
//! The SDK's default client loads the system's trust store when the clients are built: every
//! certificate the system has, read and parsed, which was most of a function's own cold
//! start work (docs/benchmarks.md). The functions speak TLS to AWS endpoints alone, whose
//! certificates all chain to Amazon Trust Services, so they trust those roots only.

use std::ffi::OsString;

use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore, rustls_provider::CryptoMode};

/// Amazon Trust Services' roots and the Starfield root that cross-signs them.
const AWS_ROOTS: &[u8] = include_bytes!("../certs/aws-roots.pem");

/// Set either of these, and the system's trust store (as they name it) is used instead: for
/// an endpoint whose certificate chains elsewhere, such as a TLS-inspecting proxy.
const SYSTEM_STORE_VARIABLES: [&str; 2] = ["SSL_CERT_FILE", "SSL_CERT_DIR"];

/// The SDK's own HTTPS client (hyper, rustls with aws-lc), with the trust store chosen by
/// the environment. Like any SDK client built by hand, it takes no proxy from the
/// environment (Lambda sets none).
pub fn https_client() -> Result<SharedHttpClient, String> {
    if system_store_requested(|name| std::env::var_os(name)) {
        client(TrustStore::default())
    } else {
        client(aws_roots())
    }
}

fn system_store_requested(var: impl Fn(&str) -> Option<OsString>) -> bool {
    SYSTEM_STORE_VARIABLES
        .iter()
        .any(|name| var(name).is_some_and(|value| !value.is_empty()))
}

fn aws_roots() -> TrustStore {
    TrustStore::empty().with_pem_certificate(AWS_ROOTS)
}

fn client(trust: TrustStore) -> Result<SharedHttpClient, String> {
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .map_err(|err| format!("TLS context: {err}"))?;
    Ok(aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(context)
        .build_https())
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use rustls::RootCertStore;
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    use super::{AWS_ROOTS, aws_roots, client, system_store_requested};

    /// The SDK parses the bundle only when a client first connects, and panics on a bad
    /// certificate: every one must parse as a trust anchor here.
    #[test]
    fn the_bundled_roots_are_the_five_aws_roots_and_all_parse() {
        let certs = CertificateDer::pem_slice_iter(AWS_ROOTS)
            .collect::<Result<Vec<_>, _>>()
            .expect("PEM");
        let mut store = RootCertStore::empty();
        let (added, ignored) = store.add_parsable_certificates(certs);
        assert_eq!((added, ignored), (5, 0));
        let subjects: Vec<String> = store
            .roots
            .iter()
            .map(|anchor| String::from_utf8_lossy(anchor.subject.as_ref()).into_owned())
            .collect();
        for name in [
            "Amazon Root CA 1",
            "Amazon Root CA 2",
            "Amazon Root CA 3",
            "Amazon Root CA 4",
            "Starfield Services Root Certificate Authority - G2",
        ] {
            assert!(
                subjects.iter().any(|subject| subject.contains(name)),
                "{name} is missing"
            );
        }
    }

    /// A client on the bundled roots builds its connector (parsing them) and fails on a
    /// closed port like any other: no panic.
    #[tokio::test]
    async fn an_sdk_client_on_the_bundled_roots_connects_and_reports_a_dispatch_failure() {
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "test", "test", None, None, "tests",
            ))
            .endpoint_url("https://127.0.0.1:9")
            .http_client(client(aws_roots()).expect("client"))
            .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
            .build();
        let err = aws_sdk_dynamodb::Client::from_conf(config)
            .list_tables()
            .send()
            .await
            .expect_err("nothing listens on port 9");
        assert!(
            matches!(err, aws_sdk_dynamodb::error::SdkError::DispatchFailure(_)),
            "{err:?}"
        );
    }

    /// An environment holding only `pairs`.
    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| OsString::from(value))
        }
    }

    #[test]
    fn the_system_store_is_used_only_when_ssl_cert_file_or_dir_is_set() {
        assert!(!system_store_requested(env(&[])));
        assert!(!system_store_requested(env(&[("SSL_CERT_FILE", "")])));
        assert!(system_store_requested(env(&[("SSL_CERT_FILE", "/a.pem")])));
        assert!(system_store_requested(env(&[("SSL_CERT_DIR", "/certs")])));
    }
}
