use integration_tests::LocalEnv;
use shared::crypto::sha256_hex;

#[test]
fn local_api_key_hash_matches_the_local_key() {
    let env = LocalEnv::load();
    assert_eq!(
        env.get("API_KEY_HASHES"),
        sha256_hex(env.get("LOCAL_API_KEY").as_bytes()),
        "infra/local.env: API_KEY_HASHES must be the SHA-256 of LOCAL_API_KEY"
    );
}

#[test]
fn local_admin_password_hash_matches_the_local_password() {
    use argon2::{Argon2, PasswordHash, PasswordVerifier};
    let env = LocalEnv::load();
    let hash = env.get("ADMIN_PASSWORD_HASH");
    let parsed = PasswordHash::new(&hash).expect("a PHC string");
    assert_eq!(parsed.algorithm.as_str(), "argon2id");
    assert!(
        Argon2::default()
            .verify_password(env.get("ADMIN_PASSWORD").as_bytes(), &parsed)
            .is_ok(),
        "infra/local.env: ADMIN_PASSWORD_HASH must be the hash of ADMIN_PASSWORD"
    );
}
