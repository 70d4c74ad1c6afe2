//! Printing: plain tables for people, JSON (RFC 3339 times in UTC) for scripts.
use latchkey_core::Timestamp;
use latchkey_core::clock::rfc3339;
use serde_json::Value;

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

/// One listed thing (a token, an account, an audit event…): its column headings, its cells
/// under them, and its `--json` object.
pub trait Row {
    const HEADER: &'static [&'static str];
    /// Said on standard error in place of an empty table; `None` prints the header alone.
    const EMPTY: Option<&'static str> = None;
    fn cells(&self) -> Vec<String>;
    fn json(&self) -> Value;
}

/// Every list: a JSON array with `--json` (`[]` when empty), else a table, or the list's
/// empty-state message when it has one and nothing to show.
pub fn print_list<R: Row>(json: bool, rows: &[R]) {
    if json {
        print_json(&Value::Array(rows.iter().map(R::json).collect()));
    } else if let (true, Some(message)) = (rows.is_empty(), R::EMPTY) {
        eprintln!("{message}");
    } else {
        print_table(R::HEADER, &rows.iter().map(R::cells).collect::<Vec<_>>());
    }
}

/// Columns padded to their widest cell, so tables read in a terminal.
fn print_table(header: &[&str], rows: &[Vec<String>]) {
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
