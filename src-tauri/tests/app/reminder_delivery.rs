//! The reminder loop's check against a real store, with a notifier that records what it was
//! asked to show (or fails), and a test clock.
use std::sync::{Arc, Mutex};

use latchkey_app::notifier::{Notifier, OpenHandler};
use latchkey_app::reminder_loop::check_once;
use latchkey_app::state::{AppState, StoreConfig};
use latchkey_core::clock::DAY;
use latchkey_core::reminders::ReminderScope;
use latchkey_core::reminders::notices::Notice;
use latchkey_core::{Authority, InitRequest, KeySource, NewToken, TestClock};

const START: i64 = 1_767_225_600;

#[derive(Default)]
struct RecordingNotifier {
    shown: Mutex<Vec<(String, String)>>,
    fail: Mutex<bool>,
}

impl RecordingNotifier {
    fn titles(&self) -> Vec<String> {
        self.shown
            .lock()
            .unwrap()
            .iter()
            .map(|(t, _)| t.clone())
            .collect()
    }
}

impl Notifier for RecordingNotifier {
    fn show(&self, notice: &Notice, viewer: Option<i64>, _: OpenHandler) -> Result<(), String> {
        if *self.fail.lock().unwrap() {
            return Err("org.freedesktop.DBus.Error.ServiceUnknown".into());
        }
        self.shown
            .lock()
            .unwrap()
            .push((notice.title(), notice.body(viewer)));
        Ok(())
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    state: AppState,
    clock: TestClock,
    notifier: RecordingNotifier,
    on_open: OpenHandler,
}

impl Setup {
    /// A store whose administrator `root` owns tokens of the given lifetimes (days).
    fn with_tokens(lifetimes: &[(&str, i64)]) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let clock = TestClock::at(START);
        let config = StoreConfig {
            path: dir.path().join("store.db"),
            key: KeySource::File(dir.path().join("key")),
        };
        let request = InitRequest {
            organisation: "Acme",
            admin_username: "root",
            admin_display_name: None,
            admin_password: "admin password that is long",
        };
        let mut authority =
            Authority::init(&config.path, &config.key, Arc::new(clock.clone()), &request).unwrap();
        let root = authority
            .authenticate("root", "admin password that is long")
            .unwrap();
        for (name, days) in lifetimes {
            let token = NewToken {
                name: name.to_string(),
                expires_in_days: Some(*days),
                systems: None,
                ..NewToken::default()
            };
            authority.create_token(root, &token).unwrap();
        }
        let state = AppState::new(Some(config), Arc::new(clock.clone()));
        state.set_store(authority).unwrap();
        Setup {
            _dir: dir,
            state,
            clock,
            notifier: RecordingNotifier::default(),
            on_open: Arc::new(|_| {}),
        }
    }

    fn check(&self) -> latchkey_app::reminder_loop::CheckOutcome {
        check_once(&self.state, &self.notifier, &self.on_open).unwrap()
    }
}

#[test]
fn due_reminders_are_shown_once_and_recorded() {
    let s = Setup::with_tokens(&[("deploy", 10), ("backup", 200)]);
    s.clock.set(START + 4 * DAY);
    assert_eq!(s.check().delivered, 1);
    assert_eq!(s.notifier.titles(), ["Token \"deploy\" expires in 6 days"]);
    assert_eq!(s.check().delivered, 0);
    assert_eq!(
        s.notifier.titles().len(),
        1,
        "a second check repeats nothing"
    );
}

#[test]
fn a_failed_delivery_is_not_recorded_and_is_tried_at_the_next_check() {
    let s = Setup::with_tokens(&[("deploy", 10)]);
    s.clock.set(START + 4 * DAY);
    *s.notifier.fail.lock().unwrap() = true;
    let outcome = s.check();
    assert_eq!(outcome.delivered, 0);
    assert!(outcome.failure.unwrap().contains("ServiceUnknown"));
    let still_due = s
        .state
        .with_store(|a| a.reminders_due(ReminderScope::Everyone))
        .unwrap();
    assert_eq!(still_due.len(), 1);
    *s.notifier.fail.lock().unwrap() = false;
    assert_eq!(s.check().delivered, 1);
    assert_eq!(s.notifier.titles(), ["Token \"deploy\" expires in 6 days"]);
}

#[test]
fn five_due_at_once_are_three_notifications_and_one_summary() {
    // Two days apart: tokens expiring within the same day would be one notice.
    let s = Setup::with_tokens(&[("a", 10), ("b", 12), ("c", 14), ("d", 16), ("e", 18)]);
    s.clock.set(START + 9 * DAY);
    assert_eq!(s.check().delivered, 5);
    let titles = s.notifier.titles();
    assert_eq!(titles.len(), 4, "{titles:?}");
    assert_eq!(titles[3], "and 2 more tokens expire soon");
    assert_eq!(s.check().delivered, 0);
}

#[test]
fn with_nobody_signed_in_a_notification_names_the_owner() {
    let s = Setup::with_tokens(&[("deploy", 10)]);
    s.clock.set(START + 9 * DAY);
    s.check();
    let (_, body) = s.notifier.shown.lock().unwrap()[0].clone();
    assert!(body.contains("Owner: root."), "{body}");
}

#[test]
fn before_setup_a_check_does_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = StoreConfig {
        path: dir.path().join("store.db"),
        key: KeySource::File(dir.path().join("key")),
    };
    let state = AppState::new(Some(config), Arc::new(TestClock::at(START)));
    let notifier = RecordingNotifier::default();
    let outcome = check_once(&state, &notifier, &(Arc::new(|_| {}) as OpenHandler)).unwrap();
    assert_eq!(outcome.delivered, 0);
    assert!(!dir.path().join("store.db").exists());
}

#[test]
fn tokens_expiring_the_same_day_are_one_notification() {
    let s = Setup::with_tokens(&[("web", 10), ("db", 10), ("later", 200)]);
    s.clock.set(START + 9 * DAY);
    assert_eq!(s.check().delivered, 2);
    let shown = s.notifier.shown.lock().unwrap().clone();
    assert_eq!(shown.len(), 1, "{shown:?}");
    let (title, body) = &shown[0];
    assert!(title.starts_with("2 tokens expire together"), "{title}");
    assert!(body.contains("web") && body.contains("db"), "{body}");
    assert_eq!(s.check().delivered, 0);
}

#[test]
fn the_check_revokes_tokens_unused_past_the_setting_before_it_reminds() {
    use latchkey_core::{TokenScope, TokenStatus};
    let s = Setup::with_tokens(&[("forgotten", 365)]);
    let root = s
        .state
        .with_store(|a| a.authenticate("root", "admin password that is long"))
        .unwrap();
    let list = || {
        s.state
            .with_store(|a| a.list_tokens(root, &TokenScope::Mine))
            .unwrap()
    };
    // Off by default: a hundred quiet days only make it stale.
    s.clock.set(START + 100 * DAY);
    s.check();
    assert_eq!(list()[0].status, TokenStatus::Active);
    s.state
        .with_store(|a| {
            let mut settings = a.settings()?;
            settings.auto_revoke_unused_days = Some(120);
            a.update_settings(root, &settings)
        })
        .unwrap();
    s.clock.set(START + 121 * DAY);
    s.check();
    assert_eq!(list()[0].status, TokenStatus::Revoked);
    let due = s
        .state
        .with_store(|a| a.reminders_due(ReminderScope::Everyone))
        .unwrap();
    assert!(due.is_empty(), "a revoked token is reminded: {due:?}");
}
