//! A store made by an earlier schema (checked in under `fixtures/`) opens with today's code,
//! migrated through every later migration, and its tokens verify exactly as before.
use std::path::Path;
use std::sync::Arc;

use latchkey_core::{Authority, KeySource, TestClock, TokenScope, VerifyRequest};

/// 2026-12-01: after the fixture's tokens were made, before they expire.
const LATER: i64 = 1_796_083_200;

/// A private copy of a fixture (the key file made private again: git keeps no modes).
fn copy_fixture(name: &str) -> (tempfile::TempDir, std::path::PathBuf, KeySource) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(source.join("store.db"), dir.path().join("store.db")).unwrap();
    std::fs::copy(source.join("key"), dir.path().join("key")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            dir.path().join("key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
    }
    let store = dir.path().join("store.db");
    let key = KeySource::File(dir.path().join("key"));
    (dir, store, key)
}

fn fixture_token(name: &str, file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .join(file);
    std::fs::read_to_string(path).unwrap().trim().to_string()
}

#[test]
fn a_schema_2_store_opens_with_todays_code_and_its_tokens_verify_as_before() {
    let (_dir, store, key) = copy_fixture("schema-v2");
    let mut authority = Authority::open(&store, &key, Arc::new(TestClock::at(LATER))).unwrap();
    let root = authority
        .authenticate("root", "root password that is long")
        .unwrap();
    let mut names: Vec<String> = authority
        .list_tokens(root, &TokenScope::Mine)
        .unwrap()
        .into_iter()
        .map(|t| format!("{} {}", t.name, t.status.as_str()))
        .collect();
    names.sort();
    assert_eq!(names, ["ci deploy active", "revoked one revoked"]);
    let billing = VerifyRequest {
        system: Some("billing"),
        ..VerifyRequest::default()
    };
    let valid = authority
        .verify(&fixture_token("schema-v2", "token.txt"), &billing)
        .unwrap();
    assert!(valid.valid, "{valid:?}");
    let revoked = authority
        .verify(&fixture_token("schema-v2", "revoked-token.txt"), &billing)
        .unwrap();
    assert_eq!(revoked.reason.map(|r| r.as_str()), Some("revoked"));
    let version: i64 = rusqlite::Connection::open(&store)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, latchkey_core::latest_schema_version());
}
