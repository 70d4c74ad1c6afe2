//! Issue 5 point 5, crash output: a panic prints where it happened and never its message, so a
//! secret in a panic's message does not reach standard error. The test runs itself again as a
//! child that installs the hook and panics with a token in the message.
use latchkey_core::tokens::format as token_format;

const CHILD: &str = "LATCHKEY_PANIC_REPORT_CHILD";

#[test]
fn a_crash_report_says_where_and_never_what() {
    if let Some(token) = std::env::var_os(CHILD) {
        latchkey_core::platform::panic_report::install("latchkey");
        let token = token.into_string().unwrap_or_default();
        panic!("could not use {token}");
    }
    let token = token_format::generate().unwrap().expose().to_string();
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "panic_report::a_crash_report_says_where_and_never_what",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, &token)
        .env("RUST_BACKTRACE", "full")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&child.stderr);
    let stdout = String::from_utf8_lossy(&child.stdout);
    assert!(!child.status.success(), "the child panicked");
    assert!(
        stderr.contains("latchkey: internal error at core/tests/core/panic_report.rs:"),
        "{stderr}"
    );
    for piece in (0..=token.len() - 16).map(|i| &token[i..i + 16]) {
        assert!(
            !stderr.contains(piece) && !stdout.contains(piece),
            "{stderr}{stdout}"
        );
    }
}
