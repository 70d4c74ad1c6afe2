//! The service's log on standard error. A line as it starts and stops and when the store stops
//! or starts answering; at `LATCHKEY_LOG=debug` also why each request was refused. Never a
//! token, never a request URI (a token pasted into a URL must not reach a log).
use std::sync::OnceLock;

fn debug_enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| {
        std::env::var("LATCHKEY_LOG").is_ok_and(|v| v.eq_ignore_ascii_case("debug"))
    })
}

pub(crate) fn info(message: &str) {
    eprintln!("latchkey serve: {message}");
}

/// Built only when debug logging is on, so a busy service formats nothing.
pub(crate) fn debug(message: impl FnOnce() -> String) {
    if debug_enabled() {
        eprintln!("latchkey serve: debug: {}", message());
    }
}
