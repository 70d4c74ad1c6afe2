//! Issue 5 point 5: `Debug` (and `Display`) of every type that holds a secret prints
//! `<redacted>` where the secret would be, so no `{:?}` in a log or panic can leak one.
use crate::common::*;
use latchkey_core::Secret;

fn assert_redacted(what: &str, printed: &str, secret: &str) {
    assert!(printed.contains("<redacted>"), "{what}: {printed}");
    assert!(
        !printed.contains(&secret[..16]) && !printed.contains(&secret[secret.len() - 16..]),
        "{what} shows the secret: {printed}"
    );
}

#[test]
fn secrets_issued_tokens_and_the_authority_never_print_a_secret() {
    let mut f = Fixture::new();
    let issued = f.token(f.admin, "ci");
    let secret = issued.secret.expose().to_string();
    assert_redacted("Secret {:?}", &format!("{:?}", issued.secret), &secret);
    assert_redacted("Secret {}", &format!("{}", issued.secret), &secret);
    assert_redacted("Secret {:#?}", &format!("{:#?}", issued.secret), &secret);
    assert_redacted("IssuedToken {:?}", &format!("{issued:?}"), &secret);
    assert_redacted("IssuedToken {:#?}", &format!("{issued:#?}"), &secret);
    let other = Secret::new(secret.clone());
    assert_redacted("Secret::new {:?}", &format!("{other:?}"), &secret);
    // The authority holds the key's sub-keys and the master key: it prints only its path.
    let authority = format!("{:?}", f.authority);
    assert!(authority.starts_with("Authority"), "{authority}");
    let key_hex = std::fs::read_to_string(f.dir.path().join("key")).unwrap();
    assert!(!authority.contains(&key_hex.trim()[..16]), "{authority}");
}
