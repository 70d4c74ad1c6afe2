//! Native desktop notifications through notify-rust: freedesktop notifications over D-Bus on
//! Linux, toasts on Windows, the notification centre on macOS. The words come from core; this
//! only shows them and reports a click (Linux only: notify-rust reports no click elsewhere).
use std::sync::Arc;

use latchkey_core::reminders::ReminderKind;
use latchkey_core::reminders::notices::Notice;

/// Called with what a notification opens when it is clicked or its "Create replacement" action
/// is chosen.
pub type OpenHandler = Arc<dyn Fn(OpenTarget) + Send + Sync>;

/// What a click on a notification opens in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenTarget {
    /// One token, with its rotate dialog ready.
    Token(String),
    /// The Tokens list: tokens expiring together are renewed there in one sitting.
    Tokens,
    /// The Reminders list (a summary).
    Reminders,
}

impl OpenTarget {
    pub fn of(notice: &Notice) -> OpenTarget {
        match notice {
            Notice::One(reminder) => OpenTarget::Token(reminder.token_id.clone()),
            Notice::Together(_) => OpenTarget::Tokens,
            Notice::Summary(_) => OpenTarget::Reminders,
        }
    }
}

pub trait Notifier: Send + Sync {
    /// Shows `notice`; an error means it did not reach a notification service.
    fn show(
        &self,
        notice: &Notice,
        viewer: Option<i64>,
        on_open: OpenHandler,
    ) -> Result<(), String>;
}

pub struct DesktopNotifier;

/// The app's identifier (`identifier` in tauri.conf.json, checked by a test): the Windows
/// installers give the Start-menu shortcut this AppUserModelID, and the macOS bundle this bundle
/// identifier, which is what each OS shows a notification under (and opens on a click).
pub const APP_IDENTIFIER: &str = latchkey_core::platform::paths::APP_FOLDER;

/// Whether this is the installed app rather than a build run from `target/debug` or
/// `target/release`, which no installer registered an AppUserModelID for: Windows drops toasts
/// of an unregistered id silently, so those builds use notify-rust's default (PowerShell's id),
/// as tauri-plugin-notification does.
#[cfg(windows)]
fn installed() -> bool {
    let Some(folder) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(std::path::Path::to_path_buf))
    else {
        return false;
    };
    !(folder.ends_with("target/debug") || folder.ends_with("target/release"))
}

/// Notification bodies may be read as markup by the daemon; token names are user text.
fn escape_markup(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl Notifier for DesktopNotifier {
    fn show(
        &self,
        notice: &Notice,
        viewer: Option<i64>,
        on_open: OpenHandler,
    ) -> Result<(), String> {
        let mut notification = notify_rust::Notification::new();
        notification
            .appname("Latchkey")
            .summary(&notice.title())
            .body(&escape_markup(&notice.body(viewer)))
            .icon("dialog-warning")
            .action("default", "Open");
        // Only an expiry calls for a replacement; a stale or still-used token opens to be seen.
        let expiry = matches!(notice, Notice::One(r) if r.kind == ReminderKind::Expiry);
        if notice.token_id().is_some() && expiry {
            notification.action("replace", "Create replacement");
        }
        let target = OpenTarget::of(notice);
        #[cfg(windows)]
        if installed() {
            notification.app_id(APP_IDENTIFIER);
        }
        // Without this mac-notification-sys posts as Finder (and a click opens Finder). It can be
        // set once; it fails where no app has this bundle identifier (an unbundled build), and
        // that build uses Terminal's, as tauri-plugin-notification does in development.
        #[cfg(target_os = "macos")]
        {
            let _ = notify_rust::set_application(if tauri::is_dev() {
                "com.apple.Terminal"
            } else {
                APP_IDENTIFIER
            });
        }
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            let handle = notification.show().map_err(|e| e.to_string())?;
            // Waits on its own thread until the notification is clicked or closed.
            std::thread::spawn(move || {
                handle.wait_for_action(|action| {
                    if action == "default" || action == "replace" {
                        on_open(target.clone());
                    }
                })
            });
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        {
            // Elsewhere notify-rust reports no clicks (its handle has no `wait_for_action` on
            // Windows and macOS); a click brings up the app by its identifier, and the window's
            // Reminders list and the tray's menu lead to the token.
            let _ = (on_open, target);
            notification.show().map(|_| ()).map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_notification_identity_is_the_bundle_identifier() {
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        assert_eq!(config["identifier"], super::APP_IDENTIFIER);
    }

    #[test]
    fn a_click_opens_the_token_the_tokens_list_or_the_reminders() {
        use latchkey_core::reminders::notices::notices;
        use latchkey_core::reminders::{DueReminder, ReminderKind};

        use super::OpenTarget;
        let reminder = |id: &str, together: &[&str]| DueReminder {
            token_id: id.into(),
            token_name: id.into(),
            owner: "root".into(),
            expires_at: 86_400,
            days_left: 1,
            threshold_days: 1,
            when: "expires in 1 day".into(),
            kind: ReminderKind::Expiry,
            usage_note: None,
            managed_by: None,
            expiring_together: together.iter().map(|t| t.to_string()).collect(),
            owner_id: 1,
            covers: Vec::new(),
            token_row: 1,
        };
        let due = vec![
            reminder("a", &["b"]),
            reminder("b", &["a"]),
            reminder("c", &[]),
            reminder("d", &[]),
            reminder("e", &[]),
            reminder("f", &[]),
        ];
        let targets: Vec<OpenTarget> = notices(due, 3).iter().map(OpenTarget::of).collect();
        assert_eq!(
            targets,
            [
                OpenTarget::Tokens,
                OpenTarget::Token("c".into()),
                OpenTarget::Token("d".into()),
                OpenTarget::Reminders,
            ]
        );
    }

    #[test]
    fn markup_in_token_names_is_shown_literally() {
        assert_eq!(
            super::escape_markup("<b>x</b> & y"),
            "&lt;b&gt;x&lt;/b&gt; &amp; y"
        );
    }
}
