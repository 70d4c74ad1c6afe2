//! SPEC 6.7 in the real window: a copied token is marked so clipboard managers keep no copy
//! (`x-kde-passwordManagerHint: secret` among the clipboard's targets), and quitting the app
//! (the tray's Quit) takes it off the clipboard, even with a clipboard manager that keeps what an
//! exiting owner hands it. The X clipboard is read as any other X client reads it.
use std::time::Duration;

use latchkey_tests::app::AppSession;
use latchkey_tests::desktop_bus::PrivateBus;
use latchkey_tests::x_clipboard::{self, ClipboardManager};
use latchkey_tests::*;

async fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
    for _ in 0..200 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus and tauri-driver; scripts/test runs it"]
async fn a_copied_token_is_kept_out_of_clipboard_managers_and_gone_when_the_app_quits() {
    let manager = ClipboardManager::start();
    let mut env = Env::initialised();
    let bus = PrivateBus::start(env.dir.path());
    env.extra_env
        .push(("DBUS_SESSION_BUS_ADDRESS".into(), bus.address.clone()));
    env.extra_env.push(("NO_AT_BRIDGE".into(), "1".into()));
    let app = AppSession::start(&env).await;
    // SPEC 6.10: the process that holds the token writes no core dump.
    let pid = app.app_pid().expect("the app's process");
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(fields[4..6], ["0", "0"], "{core}");
    app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    app.click("create-token").await;
    app.type_into("token-name", "copied").await;
    app.click("create-submit").await;
    let secret = app
        .test_id("new-token")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(secret.starts_with("lk_"), "{secret:?}");

    app.click("copy-token").await;
    wait_for("the token on the clipboard", || {
        x_clipboard::text().as_deref() == Some(secret.as_str())
    })
    .await;
    let targets = x_clipboard::targets();
    assert!(
        targets.iter().any(|t| t == "x-kde-passwordManagerHint"),
        "the clipboard offers {targets:?}"
    );
    assert_eq!(
        x_clipboard::read("x-kde-passwordManagerHint").as_deref(),
        Some(&b"secret"[..])
    );

    // Quit from the tray: the app is gone, and so is the token, from the clipboard and from the
    // clipboard manager.
    latchkey_tests::tray::click(&bus, "Quit");
    wait_for("the app to quit", || !app.app_running()).await;
    let after = x_clipboard::text();
    assert_ne!(
        after.as_deref(),
        Some(secret.as_str()),
        "the clipboard still holds the token after quitting"
    );
    assert!(
        !manager.kept().is_some_and(|kept| kept.contains(&secret)),
        "the clipboard manager kept the token"
    );
    app.stop().await;
}
