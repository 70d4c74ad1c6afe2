//! What locks a signed-in window besides a command: a check every few seconds for the idle limit
//! (on the app's wall clock, so time asleep counts), and, where the OS reports them, the machine
//! going to sleep and the screen locking (Linux: logind's `PrepareForSleep` on the system bus,
//! `ActiveChanged` of org.freedesktop.ScreenSaver / org.gnome.ScreenSaver on the session bus).
//! Watching the OS is best effort: a bus or service that is not there is logged once, never fatal.
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};

use crate::log;
#[cfg(target_os = "linux")]
use crate::session::EndReason;
use crate::state::AppState;

/// How often the idle check runs (cheap: one clock reading and a mutex).
const TICK: Duration = Duration::from_secs(2);

/// Starts the idle check and the OS watchers for the life of the app.
pub fn spawn<R: Runtime>(app: AppHandle<R>) {
    let idle = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut failed = false;
        loop {
            match idle.state::<AppState>().lock_if_idle() {
                Ok(_) => failed = false,
                Err(error) if !failed => {
                    log::info(&format!("cannot check the idle lock: {}", error.message));
                    failed = true;
                }
                Err(_) => {}
            }
            tokio::time::sleep(TICK).await;
        }
    });
    #[cfg(target_os = "linux")]
    os::spawn(app);
    // Windows (WTS_SESSION_LOCK, PBT_APMSUSPEND: window messages) and macOS
    // (NSWorkspaceWillSleepNotification, com.apple.screenIsLocked) report these through APIs that
    // need FFI this workspace does not write; there the idle lock above is what locks
    // (docs/PLATFORMS.md).
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

/// Ends the session for an OS event, if one is open (only Linux's are watched, see `spawn`).
#[cfg(target_os = "linux")]
fn os_event<R: Runtime>(app: &AppHandle<R>, reason: EndReason) {
    if let Err(error) = app.state::<AppState>().end_session(reason) {
        log::info(&format!("could not lock: {}", error.message));
    }
}

#[cfg(target_os = "linux")]
mod os {
    use zbus::blocking::{Connection, MessageIterator};
    use zbus::message::Type;

    use super::*;

    const SCREENSAVERS: [&str; 2] = ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"];

    pub fn spawn<R: Runtime>(app: AppHandle<R>) {
        let sleep = app.clone();
        thread("sleep-watch", move || {
            watch(
                "the machine going to sleep",
                Connection::system,
                "org.freedesktop.login1.Manager",
                "PrepareForSleep",
                |_| true,
                |going| {
                    if going {
                        os_event(&sleep, EndReason::Sleep)
                    }
                },
            )
        });
        thread("screen-lock-watch", move || {
            watch(
                "the screen locking",
                Connection::session,
                "",
                "ActiveChanged",
                |interface| SCREENSAVERS.contains(&interface),
                |active| {
                    if active {
                        os_event(&app, EndReason::ScreenLocked)
                    }
                },
            )
        });
    }

    fn thread(name: &str, body: impl FnOnce() + Send + 'static) {
        if let Err(error) = std::thread::Builder::new().name(name.into()).spawn(body) {
            log::info(&format!("cannot start {name}: {error}"));
        }
    }

    /// Follows one boolean signal until the bus goes away; every failure is one log line.
    fn watch(
        what: &str,
        connect: fn() -> zbus::Result<Connection>,
        interface: &str,
        member: &str,
        wanted: impl Fn(&str) -> bool,
        on_signal: impl Fn(bool),
    ) {
        let result = (|| -> zbus::Result<()> {
            let connection = connect()?;
            let mut rule = zbus::MatchRule::builder()
                .msg_type(Type::Signal)
                .member(member)?;
            if !interface.is_empty() {
                rule = rule.interface(interface)?;
            }
            let messages = MessageIterator::for_match_rule(rule.build(), &connection, None)?;
            log::debug(|| format!("watching for {what}"));
            for message in messages {
                let message = message?;
                let header = message.header();
                let matches = header.interface().is_some_and(|i| {
                    wanted(i.as_str()) && (interface.is_empty() || i == interface)
                });
                if matches && let Ok(value) = message.body().deserialize::<bool>() {
                    on_signal(value);
                }
            }
            Ok(())
        })();
        match result {
            Ok(()) => log::info(&format!(
                "stopped watching for {what}: the bus closed; Latchkey still locks when idle"
            )),
            Err(error) => log::info(&format!(
                "cannot watch for {what} ({error}); Latchkey still locks when idle"
            )),
        }
    }
}
