//! Expiry reminders end to end: tokens made with the CLI, the real app on a private D-Bus
//! session with a real notification daemon (dunst), and the daemon's own record of what arrived.
//! The app's clock is moved through a debug-build-only shift file. `scripts/test` runs these
//! inside Xvfb; plain `cargo test` lists them as ignored.
use std::path::PathBuf;

use latchkey_tests::app::AppSession;
use latchkey_tests::desktop_bus::{PrivateBus, Shown, wait_until};
use latchkey_tests::*;

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// A store with tokens expiring at different distances, and the app's clock and log files.
struct Scene {
    env: Env,
    shift_file: PathBuf,
    log: PathBuf,
    bus: PrivateBus,
}

impl Scene {
    /// alpha lives 10 days, beta 18, gamma 100, delta 365 (all created now).
    fn new() -> Scene {
        let mut env = Env::initialised();
        for (name, days) in [
            ("alpha", "10"),
            ("beta", "18"),
            ("gamma", "100"),
            ("delta", "365"),
        ] {
            env.as_admin(&[
                "tokens",
                "create",
                "--name",
                name,
                "--expires-in-days",
                days,
            ])
            .ok();
        }
        let bus = PrivateBus::start(env.dir.path());
        let shift_file = env.dir.path().join("clock-shift");
        let log = env.dir.path().join("app.log");
        for (name, value) in [
            ("DBUS_SESSION_BUS_ADDRESS", bus.address.clone()),
            (
                "LATCHKEY_TEST_CLOCK_SHIFT_FILE",
                shift_file.display().to_string(),
            ),
            ("LATCHKEY_LOG", "debug".into()),
            ("NO_AT_BRIDGE", "1".into()),
        ] {
            env.extra_env.push((name.into(), value));
        }
        Scene {
            env,
            shift_file,
            log,
            bus,
        }
    }

    /// Moves the app's clock to `seconds` after now.
    fn shift(&self, seconds: i64) {
        std::fs::write(&self.shift_file, seconds.to_string()).expect("write the clock shift");
    }

    async fn start_app(&self) -> AppSession {
        AppSession::start_logged(&self.env, Some(&self.log)).await
    }

    fn log_lines(&self, containing: &str) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains(containing))
            .count()
    }

    /// Waits for `n` more reminder checks than `before`.
    fn wait_for_checks(&self, before: usize, n: usize) {
        wait_until(&format!("{n} more reminder checks"), || {
            self.log_lines("latchkey-app: debug: reminder check") >= before + n
        });
    }
}

fn titles(shown: &[Shown]) -> Vec<String> {
    let mut titles: Vec<String> = shown.iter().map(|s| s.summary.clone()).collect();
    titles.sort();
    titles
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, dbus-daemon, dunst and tauri-driver; scripts/test runs it"]
async fn reminders_arrive_once_each_keep_coming_from_the_tray_and_a_click_opens_the_rotate_dialog()
{
    let scene = Scene::new();
    let dunst = scene.bus.start_dunst();
    // Five days on: alpha has 4 days left (its 7-day reminder), beta 12 (its 14-day one).
    scene.shift(5 * DAY + HOUR);
    let app = scene.start_app().await;
    assert_eq!(dunst.wait_displayed(2), 2, "exactly two notifications");
    dunst.close_all();
    let first = dunst.history();
    assert_eq!(
        titles(&first),
        [
            "Token \"alpha\" expires in 4 days",
            "Token \"beta\" expires in 12 days"
        ]
    );
    assert!(first.iter().all(|s| s.app == "Latchkey"), "{first:?}");
    assert!(
        first.iter().all(|s| s.body.contains("Expires 20")),
        "{first:?}"
    );

    // Signed in, then the window closed: the app stays in the tray and keeps reminding.
    app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    app.close_window().await;
    let checks = scene.log_lines("latchkey-app: debug: reminder check");
    // Three more days (a wake from sleep): alpha's 3-day reminder, and nothing else.
    scene.shift(8 * DAY + HOUR);
    scene.wait_for_checks(checks, 1);
    assert_eq!(dunst.wait_displayed(1), 1, "exactly one more notification");

    // Clicking it opens the window on alpha with the rotate dialog ready, once the password is
    // entered again: three days asleep locked the window.
    dunst.click_top();
    app.test_id("signin-reason").await;
    app.type_into("signin-password", ADMIN_PASSWORD).await;
    app.click("signin-submit").await;
    app.test_id("rotate-submit").await;
    let source = app.source().await;
    assert!(
        source.contains("Create a replacement for “alpha”"),
        "the rotate dialog is not alpha's"
    );
    dunst.close_all();
    let second = dunst.history();
    assert_eq!(second.len(), 3, "{second:?}");
    assert_eq!(second[0].summary, "Token \"alpha\" expires in 1 day");
    // The window had locked in the sleep, so nobody was signed in: the owner is named.
    assert!(
        second[0].body.contains("Owner: root"),
        "the owner is named: {}",
        second[0].body
    );
    app.stop().await;

    // A restart brings none again.
    let checks = scene.log_lines("latchkey-app: debug: reminder check");
    let app = scene.start_app().await;
    scene.wait_for_checks(checks, 1);
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert_eq!(dunst.displayed(), 0);
    assert_eq!(dunst.history().len(), 3);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, dbus-daemon and tauri-driver; scripts/test runs it"]
async fn without_a_notification_service_reminders_are_listed_in_the_app_and_logged_once() {
    let scene = Scene::new();
    scene.shift(5 * DAY + HOUR);
    let app = scene.start_app().await;
    app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(app.text("reminders-unread").await, "2");
    app.click("nav-reminders").await;
    app.wait_for("[data-testid=\"reminder\"]").await;
    let names: Vec<String> = {
        let mut names = Vec::new();
        for element in app
            .client
            .find_all(fantoccini::Locator::Css("[data-testid=\"reminder\"]"))
            .await
            .expect("reminders")
        {
            names.push(element.text().await.expect("reminder text"));
        }
        names
    };
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names[0].contains("alpha") && names[0].contains("expires in 4 days"),
        "{names:?}"
    );
    assert!(
        names[1].contains("beta") && names[1].contains("expires in 12 days"),
        "{names:?}"
    );
    // Seen: the count goes.
    app.wait_gone("[data-testid=\"reminders-unread\"]").await;

    // Later checks fail the same way and add no log line.
    let checks = scene.log_lines("latchkey-app: debug: reminder check");
    scene.shift(6 * DAY + HOUR);
    scene.wait_for_checks(checks, 1);
    assert!(scene.log_lines("latchkey-app: debug: reminder check") >= 2);
    assert_eq!(
        scene.log_lines("desktop notifications are unavailable"),
        1,
        "{}",
        std::fs::read_to_string(&scene.log).unwrap_or_default()
    );
    // Still running, still answering (a day without input locked the window: the password
    // again); "Start at login" is off until turned on, and writes the login item that starts
    // the app hidden in the tray.
    app.test_id("signin-reason").await;
    app.type_into("signin-password", ADMIN_PASSWORD).await;
    app.click("signin-submit").await;
    app.click("nav-settings").await;
    let start_at_login = app.test_id("start-at-login").await;
    assert_eq!(
        start_at_login.prop("checked").await.unwrap().as_deref(),
        Some("false")
    );
    let autostart = scene.env.dir.path().join("home/.config/autostart");
    assert!(!autostart.exists());
    app.click("start-at-login").await;
    wait_until("the login item", || {
        std::fs::read_dir(&autostart).is_ok_and(|mut d| d.next().is_some())
    });
    let item = std::fs::read_dir(&autostart)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let desktop = std::fs::read_to_string(&item).unwrap();
    assert!(
        desktop.contains("latchkey-app") && desktop.contains("--hidden"),
        "{desktop}"
    );
    app.click("start-at-login").await;
    wait_until("the login item to go", || !item.exists());
    app.stop().await;
}
