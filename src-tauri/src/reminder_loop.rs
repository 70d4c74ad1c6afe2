//! The reminder loop: at start, every few minutes, and after a jump in wall-clock time (the
//! machine woke, or the clock moved), asks core what is due, shows each notice, and records it
//! only once shown. A notice that fails is tried again at the next check; a crash between
//! showing and recording repeats at most that one.
use std::sync::Arc;
use std::time::{Duration, Instant};

use latchkey_core::Timestamp;
use latchkey_core::reminders::ReminderScope;
use latchkey_core::reminders::notices::{NOTICE_LIMIT, notices};
use tauri::{AppHandle, Manager, Runtime};

use crate::error::CommandResult;
use crate::notifier::{Notifier, OpenHandler};
use crate::state::AppState;
use crate::{log, tray};

/// How often the loop wakes to look at the clocks (cheap: no store access).
const TICK: Duration = Duration::from_secs(5);
/// How often it asks core for due reminders when nothing else happens.
const CHECK_EVERY: Duration = Duration::from_secs(5 * 60);
/// Wall-clock time running this far ahead of the monotonic clock means a sleep or a clock change.
const JUMP_SECONDS: i64 = 60;

/// What one check did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CheckOutcome {
    /// Reminders shown and recorded (a summary counts each it covers).
    pub delivered: usize,
    /// Why showing stopped, when it did; nothing after that was recorded.
    pub failure: Option<String>,
}

/// One check against the store.
pub fn check_once(
    state: &AppState,
    notifier: &dyn Notifier,
    on_open: &OpenHandler,
) -> CommandResult<CheckOutcome> {
    let mut outcome = CheckOutcome::default();
    if !state.store_exists()? {
        return Ok(outcome); // Not set up yet.
    }
    revoke_unused(state);
    let due = state.with_store(|a| a.reminders_due(ReminderScope::Everyone))?;
    // Not `actor()`: the loop is not input and must not keep a session from locking.
    let viewer = state.viewer().map(|a| a.account_id);
    for notice in notices(due, NOTICE_LIMIT) {
        if let Err(error) = notifier.show(&notice, viewer, on_open.clone()) {
            outcome.failure = Some(error);
            break;
        }
        state.with_store(|a| a.record_reminders_delivered(notice.reminders()))?;
        outcome.delivered += notice.reminders().len();
    }
    Ok(outcome)
}

/// The automatic-revocation setting, applied before reminders are computed (so a token revoked
/// now gets no stale reminder). A failure is logged and the reminders still go out.
fn revoke_unused(state: &AppState) {
    match state.with_store(|a| a.revoke_unused_tokens()) {
        Ok(revoked) if revoked.is_empty() => {}
        Ok(revoked) => log::info(&format!(
            "revoked {} token(s) unused for longer than the setting allows: {}",
            revoked.len(),
            revoked.join(", ")
        )),
        Err(error) => log::info(&format!("cannot revoke unused tokens: {}", error.message)),
    }
}

/// Turns check results into log lines: a failure is logged when it starts (or changes kind),
/// not on every check, and its end once.
#[derive(Debug, Default)]
pub struct FailureLog {
    notifications: Option<String>,
    store: Option<String>,
}

impl FailureLog {
    pub fn record(&mut self, result: &CommandResult<CheckOutcome>) -> Vec<String> {
        let mut lines = Vec::new();
        let (store_error, notify_error) = match result {
            Ok(outcome) => (None, outcome.failure.clone()),
            Err(error) => (Some(error.message.clone()), None),
        };
        if let Some(error) = &store_error {
            if self.store.is_none() {
                lines.push(format!("cannot check reminders: {error}"));
            }
        } else if self.store.is_some() {
            lines.push("reminder checks work again".into());
        }
        self.store = store_error;
        if result.is_err() {
            return lines; // Nothing was tried: the notification state is unchanged.
        }
        match (&self.notifications, notify_error) {
            (None, Some(error)) => {
                lines.push(format!(
                    "desktop notifications are unavailable ({error}); reminders are listed in the \
                     app's Reminders screen"
                ));
                self.notifications = Some(error);
            }
            (Some(_), None) => {
                lines.push("desktop notifications work again".into());
                self.notifications = None;
            }
            _ => {}
        }
        lines
    }
}

/// Whether the wall clock moved further than the monotonic clock: a wake from sleep.
fn woke(monotonic: Duration, wall_seconds: Timestamp) -> bool {
    let monotonic = i64::try_from(monotonic.as_secs()).unwrap_or(i64::MAX);
    wall_seconds.saturating_sub(monotonic) > JUMP_SECONDS
}

/// Opens the window on what a notification is about.
fn open_handler<R: Runtime>(app: AppHandle<R>) -> OpenHandler {
    Arc::new(move |target| tray::open(&app, target))
}

/// Runs the loop for the life of the app.
pub fn spawn<R: Runtime>(app: AppHandle<R>, notifier: Arc<dyn Notifier>) {
    tauri::async_runtime::spawn(async move {
        let on_open = open_handler(app.clone());
        let mut failures = FailureLog::default();
        let mut last: Option<(Instant, Timestamp)> = None;
        loop {
            let wall = app.state::<AppState>().clock.now();
            let check = match last {
                None => true,
                Some((at, wall_then)) => {
                    at.elapsed() >= CHECK_EVERY || woke(at.elapsed(), wall - wall_then)
                }
            };
            if check {
                last = Some((Instant::now(), wall));
                let (handle, notifier, on_open) = (app.clone(), notifier.clone(), on_open.clone());
                let result = tauri::async_runtime::spawn_blocking(move || {
                    check_once(&handle.state::<AppState>(), notifier.as_ref(), &on_open)
                })
                .await;
                if let Ok(result) = result {
                    log::debug(|| match &result {
                        Ok(o) => format!(
                            "reminder check: {} delivered{}",
                            o.delivered,
                            o.failure
                                .as_ref()
                                .map(|f| format!("; stopped: {f}"))
                                .unwrap_or_default()
                        ),
                        Err(e) => format!("reminder check failed: {}", e.message),
                    });
                    for line in failures.record(&result) {
                        log::info(&line);
                    }
                }
                tray::refresh_reminders(&app);
            }
            tokio::time::sleep(TICK).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CommandError;

    #[test]
    fn a_jump_of_the_wall_clock_past_the_monotonic_one_is_a_wake() {
        assert!(!woke(Duration::from_secs(300), 300));
        assert!(!woke(Duration::from_secs(5), 60));
        assert!(woke(Duration::from_secs(5), 3 * 86_400));
        assert!(!woke(Duration::from_secs(5), -3 * 86_400));
    }

    #[test]
    fn a_lasting_failure_is_logged_once_and_its_end_once() {
        let mut log = FailureLog::default();
        let failing = || {
            Ok(CheckOutcome {
                delivered: 0,
                failure: Some("ServiceUnknown".into()),
            })
        };
        assert_eq!(log.record(&failing()).len(), 1);
        for _ in 0..5 {
            assert!(log.record(&failing()).is_empty());
        }
        assert_eq!(
            log.record(&Ok(CheckOutcome::default())),
            ["desktop notifications work again"]
        );
        assert!(log.record(&Ok(CheckOutcome::default())).is_empty());
        let broken: CommandResult<CheckOutcome> = Err(CommandError::new("key", "no key"));
        assert_eq!(log.record(&broken).len(), 1);
        assert!(log.record(&broken).is_empty());
    }
}
