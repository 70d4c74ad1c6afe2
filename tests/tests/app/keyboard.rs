//! The whole job from the keyboard alone (SPEC §5: "every flow works from the keyboard alone"):
//! sign in, read the shortcuts, create a token, copy it, close the reveal, rotate it, revoke the
//! replacement, move between screens and sign out, with WebDriver key actions only (Tab, Enter,
//! Escape, arrows and the shortcuts the "Keyboard shortcuts" dialog lists). The page is read to
//! see where the focus is and what happened; nothing is clicked.
use latchkey_tests::app::AppSession;
use latchkey_tests::keyboard::*;
use latchkey_tests::*;

/// The text of every row of the shortcuts dialog.
async fn shortcut_rows(app: &AppSession) -> Vec<String> {
    let mut rows = Vec::new();
    for row in app
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=\"shortcut\"]"))
        .await
        .expect("the shortcuts")
    {
        rows.push(row.text().await.expect("a shortcut's text"));
    }
    rows
}

async fn focus_in_dialog(app: &AppSession) -> bool {
    app.client
        .execute(
            "return document.activeElement.closest('dialog[open]') !== null;",
            vec![],
        )
        .await
        .expect("read the focus")
        == serde_json::Value::Bool(true)
}

/// The app's own account of the tokens, through the CLI.
fn statuses(env: &Env) -> Vec<String> {
    let list = env.as_admin(&["--json", "tokens", "list"]).ok().json();
    list.as_array()
        .expect("tokens")
        .iter()
        .map(|t| t["status"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus and tauri-driver; scripts/test runs it"]
async fn create_copy_rotate_revoke_move_around_and_sign_out_with_the_keyboard_alone() {
    let env = Env::initialised();
    let app = AppSession::start(&env).await;

    // Sign in: the username field has the focus.
    wait_focus(&app, "signin-username").await;
    type_text(&app, ADMIN).await;
    press(&app, &[TAB]).await;
    type_text(&app, ADMIN_PASSWORD).await;
    press(&app, &[ENTER]).await;
    wait_focus(&app, "h1: My tokens").await;

    // ? lists the shortcuts; everything this test uses is there. Escape closes it.
    type_text(&app, "?").await;
    app.test_id("shortcuts-dialog").await;
    let rows = shortcut_rows(&app).await;
    for (keys, what) in [
        ("?", "shortcuts"),
        ("Ctrl+L", "Lock"),
        ("Alt+1–8", "Overview"),
        ("↑ or ↓", "screens"),
        ("N", "Create a token"),
        ("Tab", "next"),
        ("Enter", "Press"),
        ("Esc", "Close the dialog"),
    ] {
        assert!(
            rows.iter().any(|r| r.contains(keys) && r.contains(what)),
            "the shortcuts dialog lists no {keys:?} ({what}): {rows:?}"
        );
    }
    wait_focus(&app, "shortcuts-close").await;
    // The dialog keeps the focus: Tab and Shift+Tab stay inside it.
    for _ in 0..3 {
        press(&app, &[TAB]).await;
        assert!(focus_in_dialog(&app).await, "Tab left the dialog");
    }
    chord(&app, &[SHIFT, TAB]).await;
    assert!(focus_in_dialog(&app).await, "Shift+Tab left the dialog");
    press(&app, &[ESCAPE]).await;
    app.wait_gone("[data-testid=\"shortcuts-dialog\"]").await;
    wait_focus(&app, "h1: My tokens").await;

    // N: a new token. Its name, Enter; the reveal opens on Copy.
    type_text(&app, "n").await;
    wait_focus(&app, "token-name").await;
    type_text(&app, "keyboard only").await;
    press(&app, &[ENTER]).await;
    wait_focus(&app, "copy-token").await;
    let secret = app
        .test_id("new-token")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(secret.starts_with("lk_"), "{secret:?}");
    press(&app, &[ENTER]).await;
    app.wait_for("[data-testid=\"copy-status\"]:not(:empty)")
        .await;
    assert!(app.text("copy-token").await.starts_with("Copied"));
    press(&app, &[TAB]).await;
    wait_focus(&app, "copied-close").await;
    press(&app, &[ENTER]).await;
    app.wait_gone("[data-testid=\"new-token\"]").await;
    // Back where N was pressed.
    wait_focus(&app, "h1: My tokens").await;
    env.verify(&secret, &[]).ok();

    // Rotate it: Tab to the row's Rotate, Enter, Tab to "Create replacement", Enter. The
    // replacement's reveal closes with Escape.
    tab_to(&app, "rotate", false, 20).await;
    press(&app, &[ENTER]).await;
    wait_focus(&app, "grace-now").await;
    tab_to(&app, "rotate-submit", false, 10).await;
    press(&app, &[ENTER]).await;
    wait_focus(&app, "copy-token").await;
    press(&app, &[ESCAPE]).await;
    app.wait_gone("[data-testid=\"new-token\"]").await;
    assert_eq!(
        env.verify(&secret, &[]).code,
        1,
        "the rotated token still works"
    );

    // Revoke the replacement: its Revoke, Enter; the confirmation starts on Cancel; Tab, Enter.
    tab_to(&app, "revoke", false, 20).await;
    press(&app, &[ENTER]).await;
    wait_focus(&app, "cancel").await;
    press(&app, &[TAB]).await;
    wait_focus(&app, "confirm").await;
    press(&app, &[ENTER]).await;
    app.wait_for("[data-testid=\"announcer\"] p").await;
    let said = app.text("announcer").await;
    assert!(said.contains("revoked"), "the live region says {said:?}");
    assert_eq!(statuses(&env), ["revoked", "revoked"]);
    // The focus stays on the row (its Delete now), not lost to the page.
    wait_focus(&app, "delete").await;

    // Screens: Alt+1 opens the first (its heading has the focus); in the sidebar, arrows move
    // and Enter opens.
    chord(&app, &[ALT, '1']).await;
    wait_focus(&app, "h1: Overview").await;
    tab_to(&app, "nav-overview", true, 40).await;
    press(&app, &[ARROW_DOWN, ARROW_DOWN]).await;
    wait_focus(&app, "nav-reminders").await;
    press(&app, &[ARROW_UP]).await;
    wait_focus(&app, "nav-tokens").await;
    press(&app, &[ARROW_DOWN, ARROW_DOWN]).await;
    wait_focus(&app, "nav-systems").await;
    press(&app, &[ENTER]).await;
    wait_focus(&app, "h1: Systems").await;

    // Ctrl+L locks; sign in again from the keyboard (the username is kept, the password has the
    // focus), then Sign out through the sidebar.
    chord(&app, &[CONTROL, 'l']).await;
    app.test_id("signin-reason").await;
    wait_focus(&app, "signin-password").await;
    type_text(&app, ADMIN_PASSWORD).await;
    press(&app, &[ENTER]).await;
    wait_focus(&app, "h1: My tokens").await;
    tab_to(&app, "sign-out", true, 40).await;
    press(&app, &[ENTER]).await;
    app.test_id("signin-username").await;
    app.stop().await;
}
