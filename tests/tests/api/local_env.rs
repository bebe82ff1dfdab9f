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
