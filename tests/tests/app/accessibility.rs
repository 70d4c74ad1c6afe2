//! axe-core inside the real window (SPEC §5: "no automated accessibility rule is violated", WCAG
//! 2.2 AA): every screen and every dialog, in the light and the dark theme, for an administrator of
//! the demo organisation (tokens in every state), a member, and first-run setup. Zero violations;
//! a failure prints each one with the elements and axe's fix.
use std::time::Duration;

use latchkey_tests::app::AppSession;
use latchkey_tests::axe;
use latchkey_tests::demo::{self, DEMO_ADMIN, DEMO_MEMBER, DEMO_PASSWORD, DEMO_SERVICE};
use latchkey_tests::leak_corpus::CorpusTokens;
use latchkey_tests::*;

/// Runs axe on what the window shows, in both themes, and keeps what it finds.
struct Audit {
    axe: String,
    checked: Vec<String>,
    found: String,
}

impl Audit {
    fn new() -> Audit {
        Audit {
            axe: axe::source(),
            checked: Vec::new(),
            found: String::new(),
        }
    }

    async fn check(&mut self, app: &AppSession, place: &str) {
        for theme in ["light", "dark"] {
            app.client
                .execute(
                    &format!("document.documentElement.dataset.theme = '{theme}';"),
                    vec![],
                )
                .await
                .expect("switch the theme");
            // Let transitions and late answers settle before measuring contrast.
            tokio::time::sleep(Duration::from_millis(300)).await;
            let violations = axe::violations(app, &self.axe).await;
            let name = format!("{place} ({theme})");
            println!("{name}: {} violations", violations.len());
            self.found.push_str(&axe::describe(&name, &violations));
            self.checked.push(name);
        }
    }

    fn assert_clean(&self) {
        assert!(
            self.found.is_empty(),
            "axe found violations (checked {}):\n{}",
            self.checked.join(", "),
            self.found
        );
    }
}

async fn open(app: &AppSession, screen: &str, ready: &str) {
    app.click(&format!("nav-{screen}")).await;
    app.wait_for(ready).await;
}

async fn close_with_escape(app: &AppSession, dialog: &str) {
    latchkey_tests::keyboard::press(app, &[latchkey_tests::keyboard::ESCAPE]).await;
    app.wait_gone(&format!("[data-testid=\"{dialog}\"]")).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus and tauri-driver; scripts/test runs it"]
async fn every_screen_and_dialog_passes_axe_in_both_themes() {
    let mut audit = Audit::new();

    // First run, on an empty store; then every list with nothing in it yet.
    let empty = Env::new();
    let app = AppSession::start(&empty).await;
    app.test_id("setup-org").await;
    audit.check(&app, "first-run setup").await;
    app.type_into("setup-org", "Acme").await;
    app.type_into("setup-username", ADMIN).await;
    app.type_into("setup-password", ADMIN_PASSWORD).await;
    app.type_into("setup-password-again", ADMIN_PASSWORD).await;
    app.click("setup-submit").await;
    app.test_id("tokens-empty").await;
    audit.check(&app, "my tokens, none yet").await;
    for (screen, empty_state) in [
        ("overview", "overview-empty"),
        ("reminders", "reminders-empty"),
        ("systems", "systems-empty"),
        ("accounts", "groups-empty"),
    ] {
        open(&app, screen, &format!("[data-testid=\"{empty_state}\"]")).await;
        audit.check(&app, &format!("{screen}, empty")).await;
    }
    open(&app, "leaks", "[data-testid=\"leak-text\"]").await;
    app.paste_into("leak-text", "a log line with no token in it")
        .await;
    app.click("leak-check").await;
    app.test_id("leak-none").await;
    audit.check(&app, "leak check, nothing found").await;
    app.stop().await;

    // The demo organisation; the app's clock can move so the password is asked again.
    let mut env = Env::new();
    demo::seed(&env);
    demo::seed_service_account(&env);
    // A log for Leak check: a member's live token, one he revoked, and one of no store.
    let (live, _) = env.create_token(
        DEMO_MEMBER,
        DEMO_PASSWORD,
        &[
            "--name",
            "leaked CI key",
            "--usage-note",
            "Jenkins credential ci-key",
        ],
    );
    let (old, old_id) = env.create_token(DEMO_MEMBER, DEMO_PASSWORD, &["--name", "old CI key"]);
    env.as_user(DEMO_MEMBER, DEMO_PASSWORD, &["tokens", "revoke", &old_id])
        .ok();
    let stranger = CorpusTokens::fresh(1).unknown.remove(0);
    let leaked_log = format!("deploy: {live}\nold: {old}\nother: {stranger}\n");
    let shift = env.dir.path().join("clock-shift");
    env.extra_env.push((
        "LATCHKEY_TEST_CLOCK_SHIFT_FILE".into(),
        shift.display().to_string(),
    ));
    let app = AppSession::start(&env).await;
    app.test_id("signin-username").await;
    audit.check(&app, "sign in").await;
    app.sign_in(DEMO_ADMIN, DEMO_PASSWORD).await;

    app.test_id("token-note").await;
    audit.check(&app, "my tokens").await;
    // The list reloads after the reveal closes: a click it swallowed is made again.
    app.click_until_shown("[data-testid=\"edit-note\"]", "[data-testid=\"note-text\"]")
        .await;
    audit.check(&app, "usage note dialog").await;
    close_with_escape(&app, "note-dialog").await;
    app.click("create-token").await;
    app.type_into("token-name", "release pipeline").await;
    audit.check(&app, "create dialog").await;
    app.click("create-submit").await;
    app.test_id("new-token").await;
    audit.check(&app, "token shown once").await;
    app.click("copy-token").await;
    app.wait_for("[data-testid=\"copy-status\"]:not(:empty)")
        .await;
    audit.check(&app, "token shown once, copied").await;
    app.click("copied-close").await;
    app.wait_gone("[data-testid=\"new-token\"]").await;
    app.click_until_shown(
        "[data-testid=\"rotate\"]",
        "[data-testid=\"rotate-submit\"]",
    )
    .await;
    audit.check(&app, "rotate dialog").await;
    close_with_escape(&app, "rotate-dialog").await;
    app.click("revoke").await;
    app.test_id("confirm").await;
    audit.check(&app, "revoke confirmation").await;
    app.click("confirm").await;
    app.wait_for("[data-testid=\"announcer\"] p").await;
    audit.check(&app, "my tokens, a token revoked").await;
    app.click("shortcuts").await;
    app.test_id("shortcuts-dialog").await;
    audit.check(&app, "keyboard shortcuts").await;
    close_with_escape(&app, "shortcuts-dialog").await;
    app.type_into("token-search", "no such token").await;
    app.test_id("tokens-none-match").await;
    audit.check(&app, "my tokens, nothing matches").await;

    open(&app, "overview", "[data-testid=\"stale-list\"]").await;
    app.test_id("together-list").await;
    app.test_id("retiring-list").await;
    app.client
        .find(fantoccini::Locator::Css("figure details summary"))
        .await
        .expect("the chart's table")
        .click()
        .await
        .expect("open the chart's table");
    audit.check(&app, "overview").await;
    open(&app, "reminders", "[data-testid=\"reminder\"]").await;
    audit.check(&app, "reminders").await;
    open(&app, "systems", "[data-testid=\"system-row\"]").await;
    app.click("show-access-web-api").await;
    app.test_id("access-list").await;
    audit.check(&app, "systems").await;
    open(&app, "leaks", "[data-testid=\"leak-text\"]").await;
    audit.check(&app, "leak check").await;
    app.paste_into("leak-text", &leaked_log).await;
    app.click("leak-check").await;
    app.test_id("leak-summary").await;
    audit.check(&app, "leak check, tokens found").await;
    app.click("revoke-leaked").await;
    app.test_id("confirm").await;
    audit.check(&app, "leak check, revoke confirmation").await;
    close_with_escape(&app, "confirm-dialog").await;
    app.type_into("lookup-token", &old).await;
    app.click("lookup-submit").await;
    app.test_id("lookup-result").await;
    audit.check(&app, "leak check, a token looked up").await;
    open(&app, "accounts", "[data-testid=\"account-row\"]").await;
    app.click("manage-dana").await;
    app.wait_for("#manage-title").await;
    audit.check(&app, "accounts").await;
    app.click(&format!("manage-{DEMO_SERVICE}")).await;
    app.test_id("managing-group").await;
    audit.check(&app, "accounts, a service account").await;
    app.click(&format!("manage-{DEMO_MEMBER}")).await;
    app.click_until_shown(
        "[data-testid=\"hand-over\"]",
        "[data-testid=\"handover-to\"]",
    )
    .await;
    audit.check(&app, "hand over dialog").await;
    close_with_escape(&app, "handover-dialog").await;
    app.click_until_shown(
        "[data-testid=\"toggle-active\"]",
        "[data-testid=\"leaving-token\"]",
    )
    .await;
    audit.check(&app, "deactivation preview").await;
    app.click_centered("leaving-hand-over").await;
    audit
        .check(&app, "deactivation preview, handing over")
        .await;
    close_with_escape(&app, "deactivate-dialog").await;
    open(
        &app,
        "audit",
        "section[aria-labelledby=\"audit-title\"] tbody tr",
    )
    .await;
    audit.check(&app, "audit log").await;
    open(&app, "settings", "[data-testid=\"schedule\"]").await;
    audit.check(&app, "settings").await;
    app.type_into("service-port", "0").await;
    app.click("service-start").await;
    app.test_id("service-url").await;
    audit
        .check(&app, "settings, verification service running")
        .await;
    app.click("service-stop").await;
    app.test_id("service-start").await;
    // Six minutes on, saving settings asks for the password again.
    std::fs::write(&shift, "360").expect("move the app's clock");
    app.click("settings-save").await;
    app.test_id("reauth-dialog").await;
    audit.check(&app, "password asked again").await;
    app.click("reauth-cancel").await;
    app.wait_gone("[data-testid=\"reauth-dialog\"]").await;
    app.click("sign-out").await;

    // A member: fewer screens, the organisation's settings read-only; chen manages the service
    // account's tokens.
    app.sign_in("chen", DEMO_PASSWORD).await;
    app.choose("owner-filter", DEMO_SERVICE).await;
    app.wait_for("[data-testid=\"token-scroller\"][data-total=\"2\"]")
        .await;
    audit.check(&app, "tokens of a service account").await;
    app.click("create-token").await;
    app.test_id("reachable-service").await;
    audit
        .check(&app, "create dialog, for a service account")
        .await;
    close_with_escape(&app, "create-dialog").await;
    open(&app, "settings", "[data-testid=\"schedule\"]").await;
    audit.check(&app, "settings, as a member").await;
    open(&app, "leaks", "[data-testid=\"leak-text\"]").await;
    app.paste_into("leak-text", &leaked_log).await;
    app.click("leak-check").await;
    app.test_id("leak-summary").await;
    audit.check(&app, "leak check, as a member").await;
    app.stop().await;

    audit.assert_clean();
}
