//! The app's log: one line per event on stderr, prefixed `latchkey-app:`. `LATCHKEY_LOG=debug`
//! adds a line per reminder check and per command called (its name, never its arguments). Nothing
//! logged ever holds a secret.
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Notes when the process started, for `answered_first_call`.
pub fn started() {
    STARTED.get_or_init(Instant::now);
}

/// Logs (at debug) the first IPC call the window makes: the app is interactive from here. The
/// bench script measures launch-to-interactive by this line.
pub fn answered_first_call() {
    static DONE: AtomicBool = AtomicBool::new(false);
    if !DONE.swap(true, Ordering::SeqCst) {
        let ms = STARTED.get().map(|t| t.elapsed().as_millis()).unwrap_or(0);
        debug(|| format!("interactive: first call answered {ms} ms after start"));
    }
}

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
