//! Input rules shared by every door (CLI, app, library): what a name, slug, username or password
//! may be. Each refusal is one line that says what was wrong.
use crate::error::{CoreError, Result};

/// Characters that would make text lie about itself: controls, bidi overrides and isolates, and
/// the invisible marks that reorder or hide text.
pub(crate) fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' // soft hyphen
            | '\u{061C}' // Arabic letter mark
            | '\u{180E}' // Mongolian vowel separator
            | '\u{FFF9}'..='\u{FFFB}' // interlinear annotation marks
            | '\u{E0000}'..='\u{E007F}' // tag characters
        )
        || matches!(c,
            '\u{200B}'..='\u{200F}' // zero-width spaces and joiners, LRM, RLM
            | '\u{2028}' | '\u{2029}' // line and paragraph separators
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner and invisible operators
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{FEFF}' // byte-order mark
        )
}

fn checked_text(what: &str, value: &str, max_chars: usize) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(CoreError::Invalid(format!("{what} must not be empty")));
    }
    let count = trimmed.chars().count();
    if count > max_chars {
        return Err(CoreError::Invalid(format!(
            "{what} is {count} characters long; at most {max_chars} are allowed"
        )));
    }
    if let Some(c) = trimmed.chars().find(|&c| is_forbidden_char(c)) {
        return Err(CoreError::Invalid(format!(
            "{what} contains the invisible or control character U+{:04X}; remove it",
            c as u32
        )));
    }
    Ok(trimmed.to_string())
}

/// A token name: 1–100 characters after trimming; free text otherwise, stored literally.
pub fn token_name(value: &str) -> Result<String> {
    checked_text("the token name", value, 100)
}

/// Where a token is used ("GitHub Actions secret DEPLOY_TOKEN in acme/web"): 1–200 characters
/// after trimming, or nothing (an empty note clears it). It is shown in lists, reminders and
/// leak findings, so it must not carry a secret: anything that looks like a token is refused.
pub fn usage_note(value: &str) -> Result<Option<String>> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    let note = checked_text("the usage note", value, 200)?;
    if cut_token_like(&note) != note {
        return Err(CoreError::Invalid(
            "the usage note looks like it holds a token secret; say where the token is used \
             (for example \"CI secret DEPLOY_TOKEN in acme/web\"), never the token itself"
                .into(),
        ));
    }
    Ok(Some(note))
}

/// A display name (accounts, systems, groups, organisation): 1–100 characters.
pub fn display_name(what: &str, value: &str) -> Result<String> {
    checked_text(what, value, 100)
}

/// Where a leaked token was found (`file:line:column`), as recorded with its revocation: a file
/// name may hold anything, so invisible and control characters become U+FFFD, whatever looks
/// like a token or a token's body is cut out (it goes into the audit log), and a long path keeps
/// its last 500 characters.
pub fn found_in(value: &str) -> Result<String> {
    let cleaned: String = value
        .trim()
        .chars()
        .map(|c| if is_forbidden_char(c) { '\u{FFFD}' } else { c })
        .collect();
    let cleaned = cut_token_like(&cleaned);
    if cleaned.is_empty() {
        return Err(CoreError::Invalid("say where the token was found".into()));
    }
    let count = cleaned.chars().count();
    Ok(match count > 500 {
        true => format!("…{}", cleaned.chars().skip(count - 499).collect::<String>()),
        false => cleaned,
    })
}

/// `text` without anything that could be a token or give one back: `lk_` (any case) and 16 or
/// more letters or digits becomes `lk_…`, and any other run of 43 or more letters or digits (a
/// token's body, split from its prefix) becomes `…`.
fn cut_token_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut after_alphanumeric = false;
    while let Some(c) = rest.chars().next() {
        let alphanumeric_run =
            |from: &str| from.bytes().take_while(u8::is_ascii_alphanumeric).count();
        if rest.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("lk_")) {
            let body = alphanumeric_run(&rest[3..]);
            if body >= 16 {
                out.push_str("lk_…");
                rest = &rest[3 + body..];
                after_alphanumeric = true;
                continue;
            }
        }
        let run = alphanumeric_run(rest);
        if !after_alphanumeric && run >= 43 {
            out.push('…');
            rest = &rest[run..];
            after_alphanumeric = true;
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
        after_alphanumeric = c.is_ascii_alphanumeric();
    }
    out
}

/// A username: 1–64 printable characters after trimming; compared case-insensitively.
pub fn username(value: &str) -> Result<String> {
    let name = checked_text("the username", value, 64)?;
    if name.chars().any(char::is_whitespace) {
        return Err(CoreError::Invalid(
            "the username must not contain spaces".into(),
        ));
    }
    Ok(name)
}

/// The form of a username used for uniqueness and look-up.
pub fn username_key(value: &str) -> String {
    value.trim().to_lowercase()
}

/// A system slug: 1–64 of lowercase letters, digits and `-`.
pub fn slug(value: &str) -> Result<String> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(value.to_string())
    } else {
        Err(CoreError::Invalid(format!(
            "system slug {:?} is not valid: use 1-64 lowercase letters, digits and '-'",
            shorten(value)
        )))
    }
}

/// A group name: like a username (1–64 printable characters), case-insensitive.
pub fn group_name(value: &str) -> Result<String> {
    checked_text("the group name", value, 64)
}

/// The shortest password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 15;
/// The longest password, in bytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A new password: at least 15 characters, at most 1024 bytes, never truncated.
pub fn new_password(value: &str) -> Result<()> {
    let chars = value.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(CoreError::Invalid(format!(
            "the password is {chars} characters long; use at least {MIN_PASSWORD_CHARS}"
        )));
    }
    if value.len() > MAX_PASSWORD_BYTES {
        return Err(CoreError::Invalid(format!(
            "the password is longer than {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    Ok(())
}

/// A backup passphrase: it alone guards the installation key in the backup file, so it is held
/// to the password rules.
pub fn backup_passphrase(value: &str) -> Result<()> {
    new_password(value)
        .map_err(|e| CoreError::Invalid(e.to_string().replace("password", "backup passphrase")))
}

/// A value quoted in an error message, cut short so one line stays one line.
pub fn shorten(value: &str) -> String {
    // A token pasted where a name belongs must not be echoed into an error or the audit log.
    if looks_like_a_token(value) {
        return "<a token, not shown>".to_string();
    }
    let mut out: String = value
        .chars()
        .filter(|c| !is_forbidden_char(*c))
        .take(40)
        .collect();
    if value.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// True when `value` holds `lk_` followed by 16 or more letters or digits: a token or a large
/// piece of one.
fn looks_like_a_token(value: &str) -> bool {
    value
        .match_indices(crate::model::TOKEN_PREFIX)
        .any(|(at, prefix)| {
            value[at + prefix.len()..]
                .bytes()
                .take_while(u8::is_ascii_alphanumeric)
                .count()
                >= 16
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_names_are_trimmed_and_bounded() {
        assert_eq!(token_name("  ci deploy  ").unwrap(), "ci deploy");
        assert!(token_name("").is_err());
        assert!(token_name("   ").is_err());
        assert!(token_name(&"x".repeat(100)).is_ok());
        assert!(token_name(&"x".repeat(101)).is_err());
        assert!(
            token_name(&"é".repeat(100)).is_ok(),
            "limit counts characters, not bytes"
        );
    }

    #[test]
    fn control_and_bidi_characters_are_refused_in_names() {
        for bad in [
            "a\u{0}b",
            "a\nb",
            "a\u{1b}[31mb",
            "a\u{202E}b",
            "a\u{2066}b",
            "a\u{200B}b",
            "a\u{7f}b",
        ] {
            let error = token_name(bad).unwrap_err();
            assert!(error.to_string().contains("U+"), "{bad:?}: {error}");
        }
    }

    #[test]
    fn quotes_sql_and_emoji_are_kept_literally() {
        for ok in [
            "Robert'); DROP TABLE tokens;--",
            "\"quoted\"",
            "deploy 🚀",
            "<script>alert(1)</script>",
        ] {
            assert_eq!(token_name(ok).unwrap(), ok);
        }
    }

    #[test]
    fn slugs_are_lowercase_digits_and_dashes() {
        assert!(slug("web-api-2").is_ok());
        for bad in ["", "Web", "web api", "web_api", "wéb", &"a".repeat(65)] {
            assert!(slug(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords_need_fifteen_characters_and_at_most_1024_bytes() {
        assert!(new_password("fourteen-chars").is_err());
        assert!(new_password("fifteen-chars!!").is_ok());
        assert!(new_password(&"a".repeat(1024)).is_ok());
        assert!(new_password(&"a".repeat(1025)).is_err());
    }

    #[test]
    fn usernames_compare_case_insensitively() {
        assert_eq!(username_key("  Alice "), "alice");
        assert!(username("al ice").is_err());
        assert!(username(&"a".repeat(65)).is_err());
    }

    proptest::proptest! {
        #[test]
        fn validators_never_panic(text in "\\PC{0,200}|[\\x00-\\x7f]{0,20}") {
            let _ = token_name(&text);
            let _ = username(&text);
            let _ = slug(&text);
            let _ = group_name(&text);
            let _ = new_password(&text);
        }
    }
}
