//! Every event the app sends its window, each with its payload: the one list. The names are the
//! serde names below; ts-rs writes the same union to `ui/src/lib/bindings/AppEvent.ts`, which
//! `ui/src/lib/events.ts` (`onEvent`) listens through.
use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, Emitter, Runtime};
use ts_rs::TS;

use crate::error::CommandError;

/// The window every event goes to.
pub const MAIN_WINDOW: &str = "main";

#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "event", content = "payload", rename_all = "kebab-case")]
pub enum AppEvent {
    /// The session locked or ended without the window asking; the payload is the
    /// `{code, message}` the next command would get.
    SessionEnded(CommandError),
    /// The Reminders list changed; the payload is the unread count.
    RemindersChanged(usize),
    /// A reminder was clicked: show this token (by id) with its rotate dialog ready.
    OpenToken(String),
    /// A summary reminder was clicked: show the Reminders list.
    OpenReminders,
    /// A reminder of tokens expiring together was clicked: show the Tokens list.
    OpenTokens,
}

impl AppEvent {
    /// The event's name and payload, as the window receives them.
    pub fn parts(&self) -> serde_json::Result<(String, Value)> {
        let mut value = serde_json::to_value(self)?;
        let name = match value.get("event") {
            Some(Value::String(name)) => name.clone(),
            _ => return Err(serde::ser::Error::custom("an event without a name")),
        };
        let payload = value.get_mut("payload").map_or(Value::Null, Value::take);
        Ok((name, payload))
    }

    /// Sends the event to the main window.
    pub fn emit<R: Runtime>(&self, app: &AppHandle<R>) -> tauri::Result<()> {
        let (name, payload) = self.parts()?;
        app.emit_to(MAIN_WINDOW, &name, payload)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_and_payloads_are_what_the_window_listens_for() {
        let ended = CommandError::new("locked", "locked");
        let cases = [
            (
                AppEvent::SessionEnded(ended),
                "session-ended",
                json!({"code": "locked", "message": "locked"}),
            ),
            (AppEvent::RemindersChanged(3), "reminders-changed", json!(3)),
            (
                AppEvent::OpenToken("tok_1".into()),
                "open-token",
                json!("tok_1"),
            ),
            (AppEvent::OpenReminders, "open-reminders", Value::Null),
            (AppEvent::OpenTokens, "open-tokens", Value::Null),
        ];
        for (event, name, payload) in cases {
            assert_eq!(event.parts().unwrap(), (name.to_string(), payload));
            // Tauri's rule for event names.
            assert!(
                name.chars()
                    .all(|c| c.is_alphanumeric() || "-/:_".contains(c))
            );
        }
    }
}
