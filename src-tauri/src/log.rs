//! The app's log: one line per event on stderr, prefixed `latchkey-app:`. `LATCHKEY_LOG=debug`
//! adds a line per reminder check. Nothing logged ever holds a secret.
use std::sync::OnceLock;

fn debug_enabled() -> bool {
    static DEBUG: OnceLock<bool> = OnceLock::new();
    *DEBUG.get_or_init(|| {
        std::env::var("LATCHKEY_LOG").is_ok_and(|v| v.eq_ignore_ascii_case("debug"))
    })
}

pub fn info(message: &str) {
    eprintln!("latchkey-app: {message}");
}

pub fn debug(message: impl FnOnce() -> String) {
    if debug_enabled() {
        eprintln!("latchkey-app: debug: {}", message());
    }
}
