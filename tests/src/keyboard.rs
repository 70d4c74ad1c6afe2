//! A keyboard through WebDriver's key actions (key down, key up: what a person's key presses
//! send), and where the focus is, for the keyboard-only tests.
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};

use crate::app::AppSession;

pub const TAB: char = '\u{E004}';
pub const ENTER: char = '\u{E007}';
pub const ESCAPE: char = '\u{E00C}';
pub const SHIFT: char = '\u{E008}';
pub const CONTROL: char = '\u{E009}';
pub const ALT: char = '\u{E00A}';
pub const ARROW_UP: char = '\u{E013}';
pub const ARROW_DOWN: char = '\u{E015}';

async fn perform(app: &AppSession, actions: Vec<KeyAction>) {
    let mut keys = KeyActions::new("keyboard".into());
    for action in actions {
        keys = keys.then(action);
    }
    app.client.perform_actions(keys).await.expect("press keys");
    app.client.release_actions().await.expect("release keys");
}

/// Presses each key in turn.
pub async fn press(app: &AppSession, keys: &[char]) {
    perform(
        app,
        keys.iter()
            .flat_map(|&k| [KeyAction::Down { value: k }, KeyAction::Up { value: k }])
            .collect(),
    )
    .await;
}

/// Holds the keys down together, then lets them go (Ctrl+L, Alt+1).
pub async fn chord(app: &AppSession, keys: &[char]) {
    let mut actions: Vec<KeyAction> = keys.iter().map(|&k| KeyAction::Down { value: k }).collect();
    actions.extend(keys.iter().rev().map(|&k| KeyAction::Up { value: k }));
    perform(app, actions).await;
}

/// Types text into whatever has the focus.
pub async fn type_text(app: &AppSession, text: &str) {
    press(app, &text.chars().collect::<Vec<_>>()).await;
}

/// The focused element: its test id, else its tag and text ("h1: My tokens").
pub async fn focused(app: &AppSession) -> String {
    app.client
        .execute(
            "const e = document.activeElement;
             if (!e || e === document.body) return 'body';
             return e.dataset.testid || (e.tagName.toLowerCase() + ': ' + e.textContent.trim());",
            vec![],
        )
        .await
        .expect("read the focus")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Waits until the focus is on `expected` (focus moves after rendering).
pub async fn wait_focus(app: &AppSession, expected: &str) {
    let mut now = String::new();
    for _ in 0..50 {
        now = focused(app).await;
        if now == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let shot = app.save_screenshot("focus").await;
    panic!("the focus is on {now:?}, not {expected:?}; the window is in {shot}");
}

/// Presses Tab (with Shift when `back`) until `id` has the focus, at most `limit` times, and
/// returns how many presses it took.
pub async fn tab_to(app: &AppSession, id: &str, back: bool, limit: usize) -> usize {
    let mut seen = Vec::new();
    for presses in 1..=limit {
        if back {
            chord(app, &[SHIFT, TAB]).await;
        } else {
            press(app, &[TAB]).await;
        }
        let now = focused(app).await;
        if now == id {
            return presses;
        }
        seen.push(now);
    }
    let shot = app.save_screenshot("tab").await;
    panic!(
        "{limit} Tabs never reached {id}; the focus went through {seen:?}; the window is in {shot}"
    );
}
