//! Native desktop notifications (freedesktop notifications through notify-rust on Linux). The
//! words come from core; this only shows them and reports a click.
use std::sync::Arc;

use latchkey_core::reminders::notices::Notice;

/// Called with the token a notification is about (None for a summary) when it is clicked or its
/// "Create replacement" action is chosen.
pub type OpenHandler = Arc<dyn Fn(Option<String>) + Send + Sync>;

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
        if notice.token_id().is_some() {
            notification.action("replace", "Create replacement");
        }
        let token_id = notice.token_id().map(str::to_string);
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            let handle = notification.show().map_err(|e| e.to_string())?;
            // Waits on its own thread until the notification is clicked or closed.
            std::thread::spawn(move || {
                handle.wait_for_action(|action| {
                    if action == "default" || action == "replace" {
                        on_open(token_id);
                    }
                })
            });
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        {
            // Elsewhere notify-rust reports no clicks; the window's Reminders list has them.
            let _ = (on_open, token_id);
            notification.show().map(|_| ()).map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_in_token_names_is_shown_literally() {
        assert_eq!(
            super::escape_markup("<b>x</b> & y"),
            "&lt;b&gt;x&lt;/b&gt; &amp; y"
        );
    }
}
