//! Printing: plain tables for people, JSON (RFC 3339 times in UTC) for scripts.
use latchkey_core::clock::rfc3339;
use latchkey_core::{Timestamp, TokenInfo};
use serde_json::{Value, json};

pub fn time(at: Option<Timestamp>) -> Value {
    at.map_or(Value::Null, |t| Value::String(rfc3339(t)))
}

/// Writes one line to standard output. The work is done and committed by the time anything is
/// printed, so when the reader has gone (`latchkey audit --json | head`) the command ends as Unix
/// tools do on SIGPIPE (status 141), quietly, instead of panicking like `println!`.
pub fn emit(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(error) = writeln!(out, "{line}").and_then(|()| out.flush()) {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        eprintln!("latchkey: cannot write to standard output: {error}");
        std::process::exit(2);
    }
}

pub fn print_json(value: &Value) {
    emit(&serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into()));
}

/// A token as `tokens list --json` shows it; `systems` is null when it inherits its owner's access.
pub fn token_json(token: &TokenInfo) -> Value {
    json!({
        "id": token.id,
        "name": token.name,
        "hint": token.hint,
        "owner": token.owner,
        "status": token.status.as_str(),
        "created_at": rfc3339(token.created_at),
        "expires_at": rfc3339(token.expires_at),
        "last_used_at": time(token.last_used_at),
        "revoked_at": time(token.revoked_at),
        "revoked_by": token.revoked_by,
        "systems": token.systems,
        "replaces": token.replaces,
    })
}

/// Columns padded to their widest cell, so tables read in a terminal.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c}{}", " ".repeat(widths[i] - c.chars().count())))
            .collect();
        emit(padded.join("  ").trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

pub fn date(at: Timestamp) -> String {
    rfc3339(at)
}

pub fn optional_date(at: Option<Timestamp>) -> String {
    at.map_or_else(|| "never".to_string(), rfc3339)
}

/// "1 token", "2 tokens".
pub fn count(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
