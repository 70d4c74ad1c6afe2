//! SPEC §4 (the installation key) and §7 store rules: file mode, newer schemas, bad paths and
//! keys.
use std::sync::Arc;

use crate::common::*;
use latchkey_core::{Authority, CoreError, KeySource, TestClock};

fn open(f: &Fixture, key: &KeySource) -> Result<Authority, CoreError> {
    Authority::open(&f.db_path(), key, Arc::new(TestClock::at(START)))
}

fn store_bytes(f: &Fixture) -> Vec<u8> {
    std::fs::read(f.db_path()).unwrap()
}

/// A store with some content, reopened as a later process would see it.
fn closed_fixture() -> Fixture {
    let mut f = Fixture::new();
    f.token(f.admin, "ci");
    f.reopen();
    f
}

#[cfg(unix)]
#[test]
fn the_store_and_key_files_are_created_with_mode_0600_in_a_private_folder() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/store.db");
    let request = latchkey_core::InitRequest {
        organisation: "Acme",
        admin_username: "root",
        admin_display_name: None,
        admin_password: ADMIN_PASSWORD,
    };
    let key = dir.path().join("key");
    Authority::init(
        &path,
        &KeySource::File(key.clone()),
        Arc::new(TestClock::at(START)),
        &request,
    )
    .unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&key), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    let wal = path.with_file_name("store.db-wal");
    if wal.exists() {
        assert_eq!(mode(&wal), 0o600);
    }
}

#[test]
fn a_store_from_a_newer_schema_is_refused_and_left_untouched() {
    let f = closed_fixture();
    let Fixture { dir, authority, .. } = f;
    drop(authority);
    let path = dir.path().join("store.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let error = Authority::open(
        &path,
        &KeySource::File(dir.path().join("key")),
        Arc::new(TestClock::at(START)),
    )
    .unwrap_err();
    assert!(
        matches!(error, CoreError::NewerSchema { found: 999, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("upgrade latchkey"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_directory_where_the_store_should_be_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let error = Authority::open(
        dir.path(),
        &KeySource::File(dir.path().join("key")),
        Arc::new(TestClock::at(START)),
    )
    .unwrap_err();
    assert!(matches!(error, CoreError::StoreIsDirectory(_)), "{error}");
}

#[test]
fn a_wrong_key_file_fails_closed_with_a_clear_message() {
    let f = closed_fixture();
    let other = tempfile::tempdir().unwrap();
    let wrong = other.path().join("wrong-key");
    std::fs::write(&wrong, "00".repeat(32)).unwrap();
    #[cfg(unix)]
    std::fs::set_permissions(&wrong, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let before = store_bytes(&f);
    let error = open(&f, &KeySource::File(wrong)).unwrap_err();
    assert!(matches!(error, CoreError::Key(_)));
    assert!(
        error.to_string().contains("does not belong to this store"),
        "{error}"
    );
    assert_eq!(store_bytes(&f), before);
}

#[test]
fn a_missing_key_file_fails_closed_with_a_clear_message() {
    let f = closed_fixture();
    let error = open(&f, &KeySource::File(f.dir.path().join("no-such-key"))).unwrap_err();
    assert!(error.to_string().contains("does not exist"), "{error}");
}

#[cfg(unix)]
#[test]
fn a_key_file_readable_by_others_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let f = closed_fixture();
    std::fs::set_permissions(
        f.dir.path().join("key"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    let error = open(&f, &f.key_source()).unwrap_err();
    assert!(error.to_string().contains("readable by others"), "{error}");
}

#[test]
fn a_store_whose_key_is_in_a_file_says_so_when_opened_without_it() {
    let f = closed_fixture();
    let error = open(&f, &KeySource::OsStore).unwrap_err();
    assert!(error.to_string().contains("--key-file"), "{error}");
}

#[test]
fn a_corrupt_file_is_a_clear_error_naming_doctor() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    std::fs::write(
        &path,
        b"this is not a database at all, just some text that is long enough".repeat(100),
    )
    .unwrap();
    let error = Authority::open(
        &path,
        &KeySource::File(dir.path().join("key")),
        Arc::new(TestClock::at(START)),
    )
    .unwrap_err();
    assert!(matches!(error, CoreError::Corrupt), "{error}");
    assert!(error.to_string().contains("latchkey doctor"));
}

#[test]
fn doctor_reports_a_healthy_store() {
    let f = closed_fixture();
    let report =
        latchkey_core::doctor(&f.db_path(), &f.key_source(), Arc::new(f.clock.clone())).unwrap();
    assert!(report.healthy(), "{report:?}");
    assert_eq!(
        report.schema_version,
        latchkey_core::latest_schema_version()
    );
}
