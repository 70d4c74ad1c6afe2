//! Name, username, group, slug and usage-note validation on any text: never a panic, every
//! refusal one line, nothing invisible or controlling let through, and what was accepted is
//! accepted again as is.
#![no_main]
use latchkey_core::validate;
use libfuzzer_sys::fuzz_target;

fn lies_about_itself(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let checks: [(&str, fn(&str) -> latchkey_core::Result<String>); 6] = [
        ("token name", validate::token_name),
        ("display name", |v| {
            validate::display_name("the display name", v)
        }),
        ("username", validate::username),
        ("group name", validate::group_name),
        ("slug", validate::slug),
        ("usage note", |v| {
            validate::usage_note(v).map(Option::unwrap_or_default)
        }),
    ];
    for (what, check) in checks {
        match check(text) {
            Ok(accepted) => {
                assert!(
                    !accepted.chars().any(lies_about_itself),
                    "{what} let {accepted:?} through"
                );
                assert_eq!(
                    check(&accepted).ok().as_ref(),
                    Some(&accepted),
                    "{what} is not stable"
                );
            }
            Err(error) => {
                let message = error.to_string();
                assert!(
                    !message.contains(['\n', '\r']),
                    "{what}: {message:?} is not one line"
                );
                assert!(
                    message.chars().count() < 400,
                    "{what}: the message echoes too much"
                );
            }
        }
    }
    if let Ok(slug) = validate::slug(text) {
        assert!((1..=64).contains(&slug.len()));
        assert!(
            slug.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        );
    }
    if let Ok(Some(note)) = validate::usage_note(text) {
        // A note is shown in lists, reminders and findings: never anything that reads as a token.
        assert!(
            latchkey_core::leaks::find_in_bytes(note.as_bytes()).is_empty(),
            "a token in the usage note {note:?}"
        );
    }
    let _ = validate::new_password(text);
    let _ = validate::backup_passphrase(text);
    assert!(!validate::shorten(text).contains(['\n', '\r']));
});
