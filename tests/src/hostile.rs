//! Issue 5 point 4: the hostile values every door is tried with, what each must come to, and a
//! dump of a store's content to prove that a refusal changed nothing. One table, used by the CLI
//! suite (tests/tests/cli/hostile_input.rs) and the IPC suite (src-tauri/tests/hostile_ipc.rs,
//! which includes this file by path).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

/// What a free-text field (a token, system, group or account display name) must do with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Stored and shown exactly as given (after trimming).
    Literal,
    /// Refused with a message containing this.
    Refused(&'static str),
}

const CONTROL: Expect = Expect::Refused("control character");

/// Hostile text: (label, value, what a free-text field must do with it).
pub fn texts() -> Vec<(&'static str, String, Expect)> {
    let literal = |label, value: &str| (label, value.to_string(), Expect::Literal);
    let refused = |label, value: &str, expect| (label, value.to_string(), expect);
    vec![
        literal("sql-drop", "x'); DROP TABLE tokens;--"),
        literal("sql-or", "' OR '1'='1"),
        literal("sql-comment", "name /* c */ -- rest"),
        literal("quotes", r#"it's "quoted" `too`"#),
        literal("like-wildcards", "%_%\\"),
        literal("html", "<script>alert(1)</script>"),
        literal("format", "%s%n{0}{}"),
        literal("path", "../../etc/passwd"),
        literal("unicode", "ünïcødé 🔑 名前"),
        literal("csv-formula", "=cmd|' /C calc'!A0"),
        refused("nul", "a\0b", CONTROL),
        refused("newline", "line\nbreak", CONTROL),
        refused("carriage-return", "a\rb", CONTROL),
        refused("escape", "\u{1b}[31mred", CONTROL),
        refused("tab", "a\tb", CONTROL),
        refused("delete", "a\u{7f}b", CONTROL),
        refused("bidi-override", "\u{202e}cod.exe", CONTROL),
        refused("bidi-isolate", "a\u{2066}b\u{2069}", CONTROL),
        refused("zero-width", "a\u{200b}b", CONTROL),
        refused("byte-order-mark", "a\u{feff}b", CONTROL),
        refused(
            "10000-characters",
            &"x".repeat(10_000),
            Expect::Refused("10000 characters long"),
        ),
        refused("empty", "", Expect::Refused("must not be empty")),
        refused("blank", "   ", Expect::Refused("must not be empty")),
    ]
}

/// Hostile numbers, as text (the CLI) — each must be refused where a count of days is asked.
pub const NUMBERS: &[&str] = &[
    "-1",
    "0",
    "-9223372036854775808",
    "9223372036854775807",
    "99999999999999999999",
    "1e3",
    "3.5",
    "0x10",
    "NaN",
    "",
    "1; DROP TABLE tokens",
];

/// Ids that name no token of the caller's: `other` is another account's token.
pub fn foreign_ids(other: &str) -> Vec<String> {
    [
        "tok_0000000000000000",
        "tok_' OR '1'='1",
        "%",
        "",
        "\u{202e}tok",
        other,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// What a username must do: like free text, and no whitespace inside.
pub fn username_expect(value: &str, free_text: Expect) -> Expect {
    match free_text {
        Expect::Literal if value.trim().chars().any(char::is_whitespace) => {
            Expect::Refused("must not contain spaces")
        }
        other => other,
    }
}

/// What a slug must do: only 1–64 of lowercase letters, digits and `-` are taken.
pub fn slug_expect(value: &str) -> Expect {
    let ok = (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Expect::Literal
    } else {
        Expect::Refused("is not valid")
    }
}

/// Names limited to 64 characters (usernames, groups) say so for the long value.
pub fn limited_to_64(expect: Expect) -> Expect {
    match expect {
        Expect::Refused("10000 characters long") => Expect::Refused("at most 64"),
        other => other,
    }
}

/// What a usage note refuses when it holds something that looks like a token.
pub const TOKEN_LIKE: Expect = Expect::Refused("looks like it holds a token");

/// What a usage note (where a token is used) must do with a value: like free text (its limit,
/// 200, is below the long value too), except that an empty or blank note is no note: `None`,
/// it clears the note rather than being refused.
pub fn usage_note_expect(value: &str, free_text: Expect) -> Option<Expect> {
    match value.trim().is_empty() {
        true => None,
        false => Some(free_text),
    }
}

/// Usage notes that hold a token, or text shaped like one (a note is shown in lists,
/// reminders and leak findings, so it must never carry a secret): each is refused.
pub fn token_like_notes(secret: &str) -> Vec<(&'static str, String, Expect)> {
    vec![
        ("a token", secret.to_string(), TOKEN_LIKE),
        (
            "a token inside",
            format!("CI secret {secret} in acme/web"),
            TOKEN_LIKE,
        ),
        ("a token's body", secret[3..].to_string(), TOKEN_LIKE),
        (
            "token-shaped",
            format!("export LK=lk_{}", "A1b2".repeat(5)),
            TOKEN_LIKE,
        ),
    ]
}

/// Every row of every table, as text: equal dumps mean equal content.
pub type StoreDump = BTreeMap<String, Vec<String>>;

pub fn dump(db: &Path) -> StoreDump {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the store read-only");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("list tables");
    tables
        .into_iter()
        .map(|table| {
            let mut statement = conn
                .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY rowid"))
                .or_else(|_| conn.prepare(&format!("SELECT * FROM \"{table}\"")))
                .expect("read a table");
            let columns = statement.column_count();
            let rows = statement
                .query_map([], |row| {
                    let values: Vec<String> = (0..columns)
                        .map(|i| format!("{:?}", row.get_ref(i).map(|v| format!("{v:?}"))))
                        .collect();
                    Ok(values.join(" | "))
                })
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .expect("read rows");
            (table, rows)
        })
        .collect()
}

/// The tables whose content differs between two dumps, besides the audit log and the clock
/// watermark (which every accepted write moves).
pub fn changed_tables(before: &StoreDump, after: &StoreDump) -> Vec<String> {
    after
        .iter()
        .filter(|(table, rows)| before.get(*table) != Some(rows))
        .map(|(table, _)| table.clone())
        .filter(|table| table != "audit_events" && table != "clock_watermark")
        .collect()
}

/// An accepted value is in a listed JSON array under `key`, exactly as given (trimmed).
pub fn assert_shown_literally(case: &str, listed: &serde_json::Value, key: &str, value: &str) {
    let literal = value.trim();
    let rows = listed.as_array().map(Vec::as_slice).unwrap_or_default();
    assert!(
        rows.iter().any(|row| row[key] == literal),
        "{case}: {literal:?} is not shown as given in {listed}"
    );
}
