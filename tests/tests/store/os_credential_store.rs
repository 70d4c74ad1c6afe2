//! SPEC §4 with the real OS credential store (Secret Service through gnome-keyring). These need
//! a D-Bus session with an unlocked keyring, which `scripts/test` starts; plain `cargo test`
//! lists them as ignored rather than passing them.
use latchkey_tests::*;

fn os_store_env() -> Env {
    let mut env = Env::new();
    env.use_os_store = true;
    for name in ["DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"] {
        if let Ok(value) = std::env::var(name) {
            env.extra_env.push((name.to_string(), value));
        }
    }
    env
}

fn installation_id(env: &Env) -> String {
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    conn.query_row(
        "SELECT value FROM meta WHERE key = 'installation_id'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
#[ignore = "needs a Secret Service; scripts/test runs it inside a D-Bus session with gnome-keyring"]
fn the_key_is_kept_in_the_os_store_read_back_by_another_process_and_a_different_key_fails_closed() {
    let env = os_store_env();
    env.init().ok();
    assert!(
        !env.key.exists(),
        "no key file is written when the OS store holds the key"
    );
    // A second process reads the key back from the Secret Service.
    let (token, _) = env.create_token(ADMIN, ADMIN_PASSWORD, &[]);
    env.verify(&token, &[]).ok();

    let entry = keyring::Entry::new("latchkey", &installation_id(&env)).unwrap();
    let original = entry.get_secret().unwrap();
    assert_eq!(
        original.len(),
        32,
        "the installation key is really in the Secret Service"
    );

    // A different key under the store's entry: refused, with a clear message, store untouched.
    entry.set_secret(&[7u8; 32]).unwrap();
    let before = env.store_files();
    let out = env.verify(&token, &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.one_line_error()
            .contains("does not belong to this store"),
        "{out:?}"
    );
    assert_eq!(env.store_files(), before);

    // No key at all: a clear message, never "every token is invalid".
    entry.delete_credential().unwrap();
    let out = env.as_admin(&["tokens", "list"]);
    assert_eq!(out.code, 2);
    assert!(
        out.one_line_error()
            .contains("missing from the OS credential store"),
        "{out:?}"
    );

    // The right key again: everything verifies as before.
    entry.set_secret(&original).unwrap();
    env.verify(&token, &[]).ok();
    entry.delete_credential().unwrap();
}

#[test]
#[ignore = "needs a Secret Service; scripts/test runs it inside a D-Bus session with gnome-keyring"]
fn two_stores_on_one_machine_have_separate_keys() {
    let first = os_store_env();
    let second = os_store_env();
    first.init().ok();
    second.init().ok();
    let (token, _) = first.create_token(ADMIN, ADMIN_PASSWORD, &[]);
    first.verify(&token, &[]).ok();
    assert_eq!(
        second.verify(&token, &[]).code,
        1,
        "another store does not know the token"
    );
    assert_ne!(installation_id(&first), installation_id(&second));
}

#[test]
fn without_a_credential_store_init_says_to_use_a_key_file_and_leaves_nothing() {
    let mut env = Env::new();
    env.use_os_store = true; // and no D-Bus session: the environment is cleared
    let out = env.init();
    assert_eq!(out.code, 2);
    assert!(out.one_line_error().contains("--key-file"), "{out:?}");
    assert!(
        env.store_files().is_empty(),
        "a failed init leaves no store behind"
    );
}

#[test]
#[ignore = "needs a Secret Service; scripts/test runs it inside a D-Bus session with gnome-keyring"]
fn a_backup_restores_onto_a_machine_whose_credential_store_is_empty() {
    let original = Env::initialised();
    let (token, _) = original.create_token(ADMIN, ADMIN_PASSWORD, &[]);
    let file = original.dir.path().join("acme.lkbackup");
    let passphrase = ("LATCHKEY_BACKUP_PASSPHRASE", "the passphrase in the safe");
    original
        .run(
            &["backup", file.to_str().unwrap()],
            &[
                ("LATCHKEY_USER", ADMIN),
                ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
                passphrase,
            ],
            None,
        )
        .ok();

    let restored = os_store_env();
    restored
        .run(&["restore", file.to_str().unwrap()], &[passphrase], None)
        .ok();
    assert!(
        !restored.key.exists(),
        "the key went to the OS store, not a file"
    );
    let entry = keyring::Entry::new("latchkey", &installation_id(&restored)).unwrap();
    assert_eq!(entry.get_secret().unwrap().len(), 32);
    restored.verify(&token, &[]).ok();
    entry.delete_credential().unwrap();
}
