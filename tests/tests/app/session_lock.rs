//! Sessions in the real window (SPEC "Sessions in the app"): the idle lock at the configured
//! time, Lock from the tray and the keyboard, the screen lock, the password asked again before
//! sensitive actions after 5 minutes (and not before), and a password reset elsewhere signing
//! the window out. The app's clock moves through the debug-only shift file; the tray and the
//! screen saver are driven over a private D-Bus session. `scripts/test` runs these under Xvfb.
use std::path::PathBuf;
use std::time::Duration;

use fantoccini::Locator;
use latchkey_tests::app::AppSession;
use latchkey_tests::desktop_bus::PrivateBus;
use latchkey_tests::*;

const MINUTE: i64 = 60;

struct Scene {
    env: Env,
    shift_file: PathBuf,
    bus: PrivateBus,
}

impl Scene {
    fn new() -> Scene {
        let mut env = Env::initialised();
        env.add_member("bob");
        let bus = PrivateBus::start(env.dir.path());
        let shift_file = env.dir.path().join("clock-shift");
        for (name, value) in [
            ("DBUS_SESSION_BUS_ADDRESS", bus.address.clone()),
            (
                "LATCHKEY_TEST_CLOCK_SHIFT_FILE",
                shift_file.display().to_string(),
            ),
            ("NO_AT_BRIDGE", "1".into()),
        ] {
            env.extra_env.push((name.into(), value));
        }
        Scene {
            env,
            shift_file,
            bus,
        }
    }

    /// Moves the app's clock to `seconds` after now.
    fn shift(&self, seconds: i64) {
        std::fs::write(&self.shift_file, seconds.to_string()).expect("write the clock shift");
    }

    async fn start(&self) -> AppSession {
        AppSession::start(&self.env).await
    }
}

/// The whole display as a person would see it, for the reader of a run (best effort: needs
/// ImageMagick's `import`), next to the failure screenshots.
fn screenshot_of_the_display(label: &str) {
    let dir = latchkey_bin().with_file_name("webdriver-screenshots");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::process::Command::new("import")
        .args(["-window", "root"])
        .arg(dir.join(format!("{label}.png")))
        .stderr(std::process::Stdio::null())
        .status();
}

async fn present(app: &AppSession, id: &str) -> bool {
    !app.client
        .find_all(Locator::Css(&format!("[data-testid=\"{id}\"]")))
        .await
        .unwrap()
        .is_empty()
}

/// A command as the window would call it, bypassing the UI: `Ok(value)` or `Err({code, …})`.
async fn invoke(app: &AppSession, command: &str, args: serde_json::Value) -> serde_json::Value {
    app.client
        .execute_async(
            "const [command, args, done] = arguments;
             window.__TAURI_INTERNALS__.invoke(command, args)
               .then(r => done({ok: r}), e => done({err: e}));",
            vec![command.into(), args],
        )
        .await
        .unwrap()
}

/// Waits for the sign-in screen's reason and returns it.
async fn locked_reason(app: &AppSession) -> String {
    let reason = app.text("signin-reason").await;
    assert!(!present(app, "sign-out").await, "still signed in: {reason}");
    reason
}

async fn sign_in_again(app: &AppSession, password: &str) {
    app.type_into("signin-password", password).await;
    app.click("signin-submit").await;
    app.test_id("sign-out").await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus and tauri-driver; scripts/test runs it"]
async fn an_idle_window_locks_at_the_configured_time_and_not_before() {
    let scene = Scene::new();
    let app = scene.start().await;
    app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    // The idle lock is a setting: 2 minutes here.
    app.click("nav-settings").await;
    app.type_into("idle-lock", "2").await;
    app.click("settings-save").await;
    wait_for_setting(&scene.env, 2).await;
    // 1 min 50 s without input: still open (the check runs every 2 s).
    scene.shift(2 * MINUTE - 10);
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(present(&app, "sign-out").await, "locked too early");
    // 2 minutes after the last input (the window may have reported some while waiting):
    // locked without any action, the window on the sign-in screen.
    scene.shift(4 * MINUTE + 5);
    let reason = locked_reason(&app).await;
    assert!(reason.contains("2 minutes without use"), "{reason}");
    let refused = invoke(
        &app,
        "list_tokens",
        serde_json::json!({"all": false, "owner": null}),
    )
    .await;
    assert_eq!(refused["err"]["code"], "locked", "{refused}");
    // The username is kept; the password opens it again.
    sign_in_again(&app, ADMIN_PASSWORD).await;
    app.stop().await;
}

async fn wait_for_setting(env: &Env, minutes: i64) {
    for _ in 0..100 {
        let shown = env.as_admin(&["--json", "settings", "show"]).ok().json();
        if shown["idle_lock_minutes"] == minutes {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the idle lock never became {minutes} minutes");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus and tauri-driver; scripts/test runs it"]
async fn lock_from_the_tray_from_ctrl_l_and_when_the_screen_locks() {
    let scene = Scene::new();
    let app = scene.start().await;
    app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    // The tray menu's Lock.
    latchkey_tests::tray::click(&scene.bus, "Lock");
    let reason = locked_reason(&app).await;
    assert!(reason.contains("locked"), "{reason}");
    let refused = invoke(
        &app,
        "list_tokens",
        serde_json::json!({"all": false, "owner": null}),
    )
    .await;
    assert_eq!(refused["err"]["code"], "locked", "{refused}");
    // Ctrl+L in the window.
    sign_in_again(&app, ADMIN_PASSWORD).await;
    app.test_id("nav-tokens")
        .await
        .send_keys("\u{E009}l\u{E000}")
        .await
        .expect("press Ctrl+L");
    let reason = locked_reason(&app).await;
    assert!(reason.contains("locked"), "{reason}");
    // The screen saver reports a locked screen.
    sign_in_again(&app, ADMIN_PASSWORD).await;
    latchkey_tests::tray::screen_locks(&scene.bus);
    let reason = locked_reason(&app).await;
    assert!(reason.contains("screen locked"), "{reason}");
    sign_in_again(&app, ADMIN_PASSWORD).await;
    app.stop().await;
}

/// Waits for the password dialog, enters `password` and confirms.
async fn confirm_with(app: &AppSession, password: &str) {
    app.type_into("reauth-password", password).await;
    app.click("reauth-submit").await;
}

async fn no_password_asked(app: &AppSession) {
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !present(app, "reauth-dialog").await,
        "the password was asked again within 5 minutes"
    );
}

async fn backup(app: &AppSession) {
    app.click("nav-settings").await;
    app.type_into("backup-passphrase", "the passphrase in the safe")
        .await;
    app.type_into("backup-passphrase-again", "the passphrase in the safe")
        .await;
    app.click("backup-submit").await;
}

async fn manage_bob(app: &AppSession) {
    app.click("nav-accounts").await;
    app.click("manage-bob").await;
}

async fn reset_bobs_password(app: &AppSession, password: &str) {
    app.type_into("reset-password-new", password).await;
    app.click("reset-password-submit").await;
}

async fn notice_is(app: &AppSession, text: &str) {
    for _ in 0..100 {
        if present(app, "account-notice").await && app.text("account-notice").await == text {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no notice {text:?}");
}

fn bob_is_admin(env: &Env) -> bool {
    let accounts = env.as_admin(&["--json", "users", "list"]).ok().json();
    accounts
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["username"] == "bob" && a["role"] == "admin")
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus and tauri-driver; scripts/test runs it"]
async fn sensitive_actions_ask_for_the_password_after_five_minutes_and_not_before() {
    let scene = Scene::new();
    let app = scene.start().await;
    app.sign_in(ADMIN, ADMIN_PASSWORD).await;

    // Within 5 minutes of signing in: nothing asks.
    app.click("nav-settings").await;
    app.type_into("idle-lock", "30").await;
    app.click("settings-save").await;
    wait_for_setting(&scene.env, 30).await;
    no_password_asked(&app).await;
    backup(&app).await;
    app.test_id("backup-done").await;
    no_password_asked(&app).await;
    manage_bob(&app).await;
    app.click("toggle-role").await;
    notice_is(&app, "Role changed.").await;
    assert!(bob_is_admin(&scene.env));
    reset_bobs_password(&app, "bob's first new password").await;
    notice_is(&app, "Password reset.").await;
    no_password_asked(&app).await;

    // 6 minutes on, settings: asked; a wrong password is refused, the right one saves.
    scene.shift(6 * MINUTE);
    app.click("nav-settings").await;
    app.type_into("idle-lock", "31").await;
    app.click("settings-save").await;
    app.test_id("reauth-dialog").await;
    screenshot_of_the_display("reauth-dialog");
    confirm_with(&app, "not the right password").await;
    assert_eq!(app.text("reauth-error").await, "wrong username or password");
    confirm_with(&app, ADMIN_PASSWORD).await;
    app.wait_gone("[data-testid=\"reauth-dialog\"]").await;
    wait_for_setting(&scene.env, 31).await;

    // 12 minutes: the backup asks.
    scene.shift(12 * MINUTE);
    backup(&app).await;
    confirm_with(&app, ADMIN_PASSWORD).await;
    app.wait_gone("[data-testid=\"reauth-dialog\"]").await;
    app.test_id("backup-done").await;

    // 18 minutes: the reset asks; cancelled, nothing changes; confirmed, it is done.
    scene.shift(18 * MINUTE);
    manage_bob(&app).await;
    reset_bobs_password(&app, "bob's second new password").await;
    app.click("reauth-cancel").await;
    assert!(
        app.text("account-error").await.contains("password again"),
        "a cancelled reset says why"
    );
    scene
        .env
        .as_user("bob", "bob's first new password", &["tokens", "list"])
        .ok();
    reset_bobs_password(&app, "bob's second new password").await;
    confirm_with(&app, ADMIN_PASSWORD).await;
    notice_is(&app, "Password reset.").await;
    scene
        .env
        .as_user("bob", "bob's second new password", &["tokens", "list"])
        .ok();
    // Right after: the role change does not ask.
    app.click("toggle-role").await;
    notice_is(&app, "Role changed.").await;
    no_password_asked(&app).await;
    assert!(!bob_is_admin(&scene.env));

    // 24 minutes: the role change asks.
    scene.shift(24 * MINUTE);
    manage_bob(&app).await;
    app.click("toggle-role").await;
    confirm_with(&app, ADMIN_PASSWORD).await;
    notice_is(&app, "Role changed.").await;
    assert!(bob_is_admin(&scene.env));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus and tauri-driver; scripts/test runs it"]
async fn a_password_reset_by_an_administrator_signs_the_accounts_window_out_at_its_next_action() {
    let scene = Scene::new();
    let app = scene.start().await;
    app.sign_in("bob", MEMBER_PASSWORD).await;
    app.click("nav-systems").await;
    scene
        .env
        .run(
            &["users", "reset-password", "bob"],
            &[
                ("LATCHKEY_USER", ADMIN),
                ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
                ("LATCHKEY_NEW_PASSWORD", "bob's password after the reset"),
            ],
            None,
        )
        .ok();
    // The next action is refused and the window signs out, saying why.
    app.click("nav-tokens").await;
    let reason = locked_reason(&app).await;
    assert!(reason.contains("password was changed or reset"), "{reason}");
    // The old password no longer opens it; the new one does.
    app.type_into("signin-password", MEMBER_PASSWORD).await;
    app.click("signin-submit").await;
    assert_eq!(app.text("signin-error").await, "wrong username or password");
    sign_in_again(&app, "bob's password after the reset").await;
    app.stop().await;
}
