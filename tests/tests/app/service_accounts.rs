//! Issue 16 in the window: service accounts created by an administrator and managed by a group,
//! a member of that group making one of its tokens (shown once, to them), a deactivation that
//! previews what would stop and hands the tokens over to a service account, and the overview's
//! stale tokens, rotations finishing and tokens expiring together once the app's clock moved.
use fantoccini::Locator;
use latchkey_tests::app::AppSession;
use latchkey_tests::*;

const DAY: i64 = 86_400;
const NOTE: &str = "GitHub Actions secret DEPLOY_TOKEN in acme/web";

/// The text of every element matching `css`, in page order.
async fn texts(app: &AppSession, css: &str) -> Vec<String> {
    let mut all = Vec::new();
    for element in app.client.find_all(Locator::Css(css)).await.expect(css) {
        all.push(element.text().await.expect("text"));
    }
    all
}

/// Waits until the text of `id` contains `part` (a message replaced in place), and returns it.
async fn wait_for_text(app: &AppSession, id: &str, part: &str) -> String {
    let mut text = String::new();
    for _ in 0..50 {
        text = app.text(id).await;
        if text.contains(part) {
            return text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{id} says {text:?}, not {part:?}");
}

/// The app's and the CLI's clock shift: 91 days and `minutes` from now.
fn later(minutes: i64) -> String {
    (91 * DAY + minutes * 60).to_string()
}

/// Runs the CLI as the administrator, `later(minutes)`, and requires it to succeed.
fn as_root_at(env: &Env, minutes: i64, args: &[&str], stdin: Option<&str>) -> Output {
    let shift = later(minutes);
    env.run(
        args,
        &[
            ("LATCHKEY_USER", ADMIN),
            ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
            ("LATCHKEY_TEST_CLOCK_SHIFT", &shift),
        ],
        stdin,
    )
    .ok()
}

/// Runs the CLI as the administrator and requires it to succeed.
fn admin(env: &Env, args: &[&str]) {
    env.as_admin(args).ok();
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus and tauri-driver; scripts/test runs it"]
async fn an_admin_creates_a_service_account_and_a_member_of_its_group_makes_its_token_once() {
    let env = Env::initialised();
    env.add_member("bob");
    for group in ["platform", "release"] {
        admin(&env, &["groups", "add", group]);
    }
    admin(&env, &["groups", "join", "platform", "bob"]);
    admin(&env, &["systems", "onboard", "web-api"]);
    let app = AppSession::start(&env).await;
    app.sign_in(ADMIN, ADMIN_PASSWORD).await;

    // Created managed by release, then handed to platform from its Manage panel.
    app.click("nav-accounts").await;
    app.type_into("service-username", "svc-ci").await;
    app.type_into("service-display-name", "CI pipeline").await;
    app.choose("service-group", "release").await;
    app.click("service-submit").await;
    app.test_id("manage-svc-ci").await;
    let row = app
        .wait_for("[data-testid=\"account-row\"]:has([data-testid=\"service-badge\"])")
        .await;
    let text = row.text().await.unwrap();
    assert!(
        text.contains("svc-ci") && text.contains("Service account"),
        "{text}"
    );
    assert!(text.contains("managed by release"), "{text}");
    app.click("manage-svc-ci").await;
    app.choose("managing-group", "platform").await;
    app.click("managing-group-submit").await;
    wait_for_text(&app, "managed-by", "managed by platform").await;
    // No password to reset, and never an administrator.
    assert!(app.source().await.contains("Change managing group"));
    for absent in ["reset-password-new", "toggle-role"] {
        let found = app
            .client
            .find_all(Locator::Css(&format!("[data-testid=\"{absent}\"]")))
            .await
            .unwrap();
        assert!(
            found.is_empty(),
            "{absent} is offered for a service account"
        );
    }
    let shot = app.save_screenshot("accounts-service-account").await;
    println!("screenshot: {shot}");
    admin(&env, &["grant", "svc-ci", "web-api"]);
    app.click("sign-out").await;

    // bob, in platform, makes a token for svc-ci with a note; the secret is shown to him once.
    app.sign_in("bob", MEMBER_PASSWORD).await;
    app.test_id("owner-filter").await;
    app.click("create-token").await;
    app.choose("token-owner", "svc-ci").await;
    app.test_id("reachable-service").await;
    app.type_into("token-name", "deploy web").await;
    app.type_into("token-note", NOTE).await;
    let shot = app.save_screenshot("create-for-service-account").await;
    println!("screenshot: {shot}");
    app.click("create-submit").await;
    let secret = app.revealed_secret().await;
    app.click("copied-close").await;
    app.wait_gone("[data-testid=\"new-token\"]").await;
    assert_eq!(
        leaks(app.source().await.as_bytes(), std::slice::from_ref(&secret)),
        None,
        "the secret is still in the page"
    );
    // The list is svc-ci's now, and shows where the token is used.
    app.wait_for("[data-testid=\"token-note\"]").await;
    let shot = app.save_screenshot("tokens-of-service-account").await;
    println!("screenshot: {shot}");
    let note = app.test_id("token-note").await.prop("textContent").await;
    assert_eq!(
        note.unwrap().unwrap_or_default(),
        format!("Used in: {NOTE}")
    );
    assert!(app.source().await.contains("Tokens of svc-ci"));
    let valid = env.verify(&secret, &["--system", "web-api"]).ok();
    assert!(valid.stdout.contains("of svc-ci"), "{valid:?}");
    // The one who received the secret is on record with the token.
    let listed = env
        .as_admin(&["--json", "tokens", "list", "--owner", "svc-ci"])
        .ok()
        .json();
    assert_eq!(listed[0]["created_by"], "bob", "{listed}");
    assert_eq!(listed[0]["usage_note"], NOTE, "{listed}");

    // Nobody signs in as a service account: refused as a wrong password is.
    app.click("sign-out").await;
    app.type_into("signin-username", "svc-ci").await;
    app.type_into("signin-password", MEMBER_PASSWORD).await;
    app.click("signin-submit").await;
    assert_eq!(app.text("signin-error").await, "wrong username or password");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus and tauri-driver; scripts/test runs it"]
async fn deactivating_a_member_previews_their_tokens_and_hands_them_over_to_a_service_account() {
    let env = Env::initialised();
    env.add_member("bob");
    admin(&env, &["groups", "add", "platform"]);
    admin(&env, &["groups", "join", "platform", "bob"]);
    for system in ["web-api", "billing"] {
        admin(&env, &["systems", "onboard", system]);
        admin(&env, &["grant", "bob", system]);
    }
    admin(
        &env,
        &[
            "users",
            "add",
            "svc-ci",
            "--service",
            "--managed-by",
            "platform",
        ],
    );
    admin(&env, &["grant", "svc-ci", "web-api"]);
    let (secret, _) = env.create_token(
        "bob",
        MEMBER_PASSWORD,
        &["--name", "deploy", "--usage-note", NOTE],
    );
    env.verify(&secret, &["--system", "web-api"]).ok();
    let app = AppSession::start(&env).await;
    app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    app.click("nav-accounts").await;
    app.click("manage-bob").await;
    app.click_until_shown(
        "[data-testid=\"toggle-active\"]",
        "[data-testid=\"leaving-token\"]",
    )
    .await;

    // The preview: the token, where it is used, what it reaches, its recent use, and svc-ci left
    // without a manager.
    let item = app.test_id("leaving-token").await.text().await.unwrap();
    assert!(item.contains("deploy"), "{item}");
    assert!(item.contains(&format!("Used in: {NOTE}")), "{item}");
    assert!(item.contains("Reaches: billing, web-api"), "{item}");
    assert!(item.contains("used in the last 7 days"), "{item}");
    assert!(app.text("leaving-unmanaged").await.contains("svc-ci"));
    let shot = app.save_screenshot("deactivate-preview").await;
    println!("screenshot: {shot}");

    app.click_centered("leaving-hand-over").await;
    app.choose("leaving-to", "svc-ci").await;
    app.click("deactivate-confirm").await;
    app.wait_gone("[data-testid=\"deactivate-dialog\"]").await;
    app.wait_for("[data-testid=\"account-notice\"]:not(:empty)")
        .await;
    assert_eq!(
        app.text("account-notice").await,
        "Deactivated bob. Handed over to svc-ci: “deploy”."
    );
    let shot = app.save_screenshot("deactivated-handed-over").await;
    println!("screenshot: {shot}");
    app.stop().await;

    // The token keeps working as svc-ci's, with svc-ci's access (never more than before), and
    // stops when that access goes.
    let valid = env.verify(&secret, &["--system", "web-api"]).ok();
    assert!(valid.stdout.contains("of svc-ci"), "{valid:?}");
    let billing = env.verify(&secret, &["--system", "billing"]);
    assert!(billing.stderr.contains("no_access"), "{billing:?}");
    admin(&env, &["ungrant", "svc-ci", "web-api"]);
    let denied = env.verify(&secret, &["--system", "web-api"]);
    assert!(denied.stderr.contains("no_access"), "{denied:?}");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus and tauri-driver; scripts/test runs it"]
async fn the_overview_shows_stale_tokens_a_rotation_still_used_and_tokens_expiring_together() {
    let mut env = Env::initialised();
    let mut made = Vec::new();
    for (name, days) in [("alpha", "100"), ("beta", "100"), ("gamma", "365")] {
        made.push(env.create_token(
            ADMIN,
            ADMIN_PASSWORD,
            &["--name", name, "--expires-in-days", days],
        ));
    }
    let (gamma, gamma_id) = made.pop().unwrap();
    // 91 days on: alpha and beta were never used (stale, 90 days being the setting) and expire
    // within a day of each other in 9 days. gamma is rotated with three days' grace, its
    // replacement used, then the old one again: something still holds the old secret.
    let rotate = ["--json", "tokens", "rotate", &gamma_id, "--grace-days", "3"];
    let successor = as_root_at(&env, 0, &rotate, None).json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    as_root_at(&env, 1, &["verify"], Some(&successor));
    as_root_at(&env, 4, &["verify"], Some(&gamma));
    let shift_file = env.dir.path().join("clock-shift");
    std::fs::write(&shift_file, later(60)).unwrap();
    env.extra_env.push((
        "LATCHKEY_TEST_CLOCK_SHIFT_FILE".into(),
        shift_file.display().to_string(),
    ));
    let app = AppSession::start(&env).await;
    app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    app.click("nav-overview").await;
    app.test_id("stale-list").await;
    assert_eq!(app.text("stale-count").await, "2");
    let stale = texts(&app, "[data-testid=\"stale-token\"]").await;
    assert!(
        stale.iter().any(|t| t.contains("alpha")) && stale.iter().any(|t| t.contains("beta")),
        "{stale:?}"
    );
    assert!(stale.iter().all(|t| t.contains("never used")), "{stale:?}");
    let together = texts(&app, "[data-testid=\"together-group\"]").await;
    assert_eq!(together.len(), 1, "{together:?}");
    assert!(
        together[0].contains("root")
            && together[0].contains("2 tokens expire on")
            && together[0].contains("“alpha”")
            && together[0].contains("“beta”"),
        "{together:?}"
    );
    let retiring = texts(&app, "[data-testid=\"retiring-token\"]").await;
    assert_eq!(retiring.len(), 1, "{retiring:?}");
    assert!(retiring[0].contains("gamma"), "{retiring:?}");
    assert!(
        retiring[0].contains("still used after rotation"),
        "{retiring:?}"
    );
    app.client
        .execute(
            "document.querySelector('[data-testid=\"together-list\"]').scrollIntoView();",
            vec![],
        )
        .await
        .expect("scroll to the sections");
    let shot = app.save_screenshot("overview-attention").await;
    println!("screenshot: {shot}");

    // The reminders: alpha's expiry names beta, expiring with it; the unused ones say so.
    app.click("nav-reminders").await;
    app.wait_for("[data-kind=\"stale\"]").await;
    let alpha = app
        .wait_for("[data-kind=\"expiry\"]:has([data-testid=\"reminder-together\"])")
        .await
        .text()
        .await
        .unwrap();
    assert!(alpha.contains("expires with “"), "{alpha}");
    assert!(alpha.contains("renew them in one sitting"), "{alpha}");
    let stale = texts(&app, "[data-kind=\"stale\"]").await;
    assert!(stale.iter().all(|r| r.contains("Unused")), "{stale:?}");
    let shot = app.save_screenshot("reminders-kinds").await;
    println!("screenshot: {shot}");
    // An expiry reminder opens the replacement; an unused one shows the token and why.
    app.click_until_shown(
        "[data-kind=\"expiry\"] [data-testid=\"reminder-open\"]",
        "[data-testid=\"rotate-dialog\"]",
    )
    .await;
    app.click("cancel").await;
    app.wait_gone("[data-testid=\"rotate-dialog\"]").await;
    app.click("nav-reminders").await;
    app.click_until_shown(
        "[data-kind=\"stale\"] [data-testid=\"reminder-open\"]",
        "[data-testid=\"tokens-notice\"]",
    )
    .await;
    let notice = app.text("tokens-notice").await;
    assert!(notice.starts_with("Nothing has used “"), "{notice}");

    // The token list says the same, row by row.
    app.click("nav-tokens").await;
    app.test_id("token-row").await;
    assert_eq!(texts(&app, "[data-testid=\"stale-badge\"]").await.len(), 2);
    let warning = app.text("still-used").await;
    assert!(
        warning.starts_with("still used after rotation"),
        "{warning}"
    );
    let shot = app.save_screenshot("tokens-stale-and-retiring").await;
    println!("screenshot: {shot}");

    // Settings: the stale period and automatic revocation, refused in core's words.
    app.click("nav-settings").await;
    app.type_into("stale-days", "5").await;
    app.click("settings-save").await;
    wait_for_text(
        &app,
        "settings-error",
        "the stale period must be between 7 and 730 days",
    )
    .await;
    app.type_into("stale-days", "60").await;
    app.click("auto-revoke").await;
    app.type_into("auto-revoke-days", "45").await;
    app.click("settings-save").await;
    wait_for_text(
        &app,
        "settings-error",
        "automatic revocation must come after the stale period (60 days)",
    )
    .await;
    let shot = app.save_screenshot("settings-refused").await;
    println!("screenshot: {shot}");
    app.type_into("auto-revoke-days", "120").await;
    app.click("settings-save").await;
    app.wait_gone("[data-testid=\"settings-error\"]").await;
    let settings = as_root_at(&env, 120, &["--json", "settings", "show"], None).json();
    assert_eq!(settings["stale_after_days"], 60, "{settings}");
    assert_eq!(settings["auto_revoke_unused_days"], 120, "{settings}");
    app.stop().await;
}
