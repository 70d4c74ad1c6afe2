//! The smallest window (800 × 600, the app's minimum): the sidebar keeps its one column, each
//! screen's name on one line and all of it in view, and nothing on any screen or dialog is wider
//! than the window or spills out of its box.
use latchkey_tests::app::AppSession;
use latchkey_tests::demo::{self, DEMO_ADMIN, DEMO_MEMBER, DEMO_PASSWORD, DEMO_SERVICE};
use latchkey_tests::leak_corpus::CorpusTokens;
use latchkey_tests::*;

const WIDTH: u32 = 800;
const HEIGHT: u32 = 600;

/// The sidebar's navigation: one column of equal, single-line buttons, all within the window.
const NAVIGATION: &str = "
const nav = document.querySelector('nav[aria-label=\"Screens\"]');
const buttons = [...nav.querySelectorAll('button')].map(b => b.getBoundingClientRect());
const first = buttons[0];
const line = parseFloat(getComputedStyle(nav.querySelector('button')).lineHeight) || 20;
const box = nav.getBoundingClientRect();
const sidebar = nav.closest('header');
return {
  count: buttons.length,
  oneColumn: buttons.every(b => Math.abs(b.left - first.left) < 1
    && Math.abs(b.width - first.width) < 1),
  stacked: buttons.every((b, i) => i === 0 || b.top >= buttons[i - 1].bottom - 0.5),
  singleLine: buttons.every(b => b.height < 2 * line),
  expectedHeight: buttons.reduce((sum, b) => sum + b.height, 0),
  height: box.height,
  inView: box.bottom <= innerHeight && sidebar.scrollHeight <= sidebar.clientHeight + 1,
};";

/// Every element wider than the window or reaching past its right edge, and every button or
/// field whose content spills out of it.
const OVERFLOW: &str = "
const name = e => e.tagName.toLowerCase() + (e.dataset.testid ? '[' + e.dataset.testid + ']' : '')
  + (e.className && typeof e.className === 'string'
    ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
const wide = [];
for (const e of document.querySelectorAll('body *')) {
  const r = e.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (r.width > innerWidth + 0.5 || r.right > innerWidth + 0.5) {
    wide.push(name(e) + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
  }
  if ((e.tagName === 'BUTTON' || e.tagName === 'SELECT') && e.scrollWidth > e.clientWidth + 1) {
    wide.push(name(e) + ' spills: ' + e.scrollWidth + ' > ' + e.clientWidth);
  }
}
return {
  viewport: [innerWidth, innerHeight], pageWidth: document.documentElement.scrollWidth, wide,
};";

async fn measure(app: &AppSession, place: &str, problems: &mut Vec<String>) {
    let nav = app
        .client
        .execute(NAVIGATION, vec![])
        .await
        .expect("measure the sidebar");
    println!("{place}: navigation {nav}");
    let ok = |k: &str| nav[k].as_bool() == Some(true);
    if !(ok("oneColumn") && ok("stacked") && ok("singleLine") && ok("inView")) {
        problems.push(format!(
            "{place}: the navigation is not one column of one-line buttons in view: {nav}"
        ));
    }
    let (height, expected) = (
        nav["height"].as_f64().unwrap_or(0.0),
        nav["expectedHeight"].as_f64().unwrap_or(0.0),
    );
    let gaps = 2.0 * (nav["count"].as_f64().unwrap_or(1.0) - 1.0);
    if (height - expected - gaps).abs() > 1.0 {
        problems.push(format!(
            "{place}: the navigation is {height} px high, not its buttons' {expected} px and gaps"
        ));
    }
    let found = app
        .client
        .execute(OVERFLOW, vec![])
        .await
        .expect("measure the page");
    let viewport = &found["viewport"];
    if viewport[0].as_u64() != Some(WIDTH as u64) || viewport[1].as_u64() != Some(HEIGHT as u64) {
        problems.push(format!(
            "{place}: the window shows {viewport}, not {WIDTH} × {HEIGHT}"
        ));
    }
    if found["pageWidth"].as_u64() > Some(WIDTH as u64) {
        problems.push(format!(
            "{place}: the page is {} px wide",
            found["pageWidth"]
        ));
    }
    for wide in found["wide"].as_array().into_iter().flatten() {
        problems.push(format!("{place}: {}", wide.as_str().unwrap_or_default()));
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus and tauri-driver; scripts/test runs it"]
async fn at_800_by_600_the_sidebar_is_one_column_and_nothing_is_wider_than_the_window() {
    let env = Env::new();
    demo::seed(&env);
    demo::seed_service_account(&env);
    let (leaked, _) = env.create_token(
        DEMO_MEMBER,
        DEMO_PASSWORD,
        &[
            "--name",
            "a name long enough to need the room it has",
            "--systems",
            "web-api",
        ],
    );
    let stranger = CorpusTokens::fresh(1).unknown.remove(0);
    let app = AppSession::start(&env).await;
    app.client
        .set_window_size(WIDTH, HEIGHT)
        .await
        .expect("resize the window");
    app.sign_in(DEMO_ADMIN, DEMO_PASSWORD).await;
    let mut problems = Vec::new();
    for (screen, ready) in [
        ("tokens", "[data-testid=\"token-row\"]"),
        ("overview", "[data-testid=\"stale-list\"]"),
        ("reminders", "[data-testid=\"reminder\"]"),
        ("systems", "[data-testid=\"system-row\"]"),
        ("accounts", "[data-testid=\"account-row\"]"),
        ("audit", "section[aria-labelledby=\"audit-title\"] tbody tr"),
        ("settings", "[data-testid=\"schedule\"]"),
    ] {
        app.click(&format!("nav-{screen}")).await;
        app.wait_for(ready).await;
        measure(&app, screen, &mut problems).await;
    }
    app.click("nav-leaks").await;
    let log = format!("deploy: {leaked}\nother: {stranger}\n");
    app.paste_into("leak-text", &log).await;
    app.click("leak-check").await;
    app.test_id("leak-summary").await;
    app.type_into("lookup-token", &leaked).await;
    app.click("lookup-submit").await;
    app.test_id("lookup-result").await;
    measure(
        &app,
        "leak check, tokens found and one looked up",
        &mut problems,
    )
    .await;
    app.click("nav-systems").await;
    app.click("show-access-web-api").await;
    app.test_id("access-list").await;
    measure(&app, "systems, who has access", &mut problems).await;
    app.click("nav-accounts").await;
    app.click("manage-bob").await;
    app.wait_for("#manage-title").await;
    measure(&app, "accounts, managing bob", &mut problems).await;
    app.click_until_shown(
        "[data-testid=\"toggle-active\"]",
        "[data-testid=\"leaving-token\"]",
    )
    .await;
    measure(&app, "deactivation preview", &mut problems).await;
    app.click_centered("leaving-hand-over").await;
    app.click("cancel").await;
    app.wait_gone("[data-testid=\"deactivate-dialog\"]").await;
    app.click("hand-over").await;
    app.test_id("handover-to").await;
    measure(&app, "hand over dialog", &mut problems).await;
    app.click("cancel").await;
    app.wait_gone("[data-testid=\"handover-dialog\"]").await;
    app.click(&format!("manage-{DEMO_SERVICE}")).await;
    app.test_id("managing-group").await;
    measure(&app, "accounts, a service account", &mut problems).await;
    app.click("nav-tokens").await;
    app.click("create-token").await;
    app.test_id("create-submit").await;
    measure(&app, "create dialog", &mut problems).await;
    app.type_into(
        "token-name",
        "a name long enough to need the room it has in a narrow window",
    )
    .await;
    app.click("create-submit").await;
    app.test_id("new-token").await;
    measure(&app, "token shown once", &mut problems).await;
    app.click("copied-close").await;
    app.wait_gone("[data-testid=\"new-token\"]").await;
    // The list reloads after the reveal closes: a click it swallowed is made again.
    app.click_until_shown("[data-testid=\"edit-note\"]", "[data-testid=\"note-text\"]")
        .await;
    measure(&app, "usage note dialog", &mut problems).await;
    app.click("cancel").await;
    app.wait_gone("[data-testid=\"note-dialog\"]").await;
    app.choose("owner-filter", DEMO_SERVICE).await;
    app.wait_for("[data-testid=\"token-scroller\"][data-total=\"2\"]")
        .await;
    measure(&app, "tokens of a service account", &mut problems).await;
    app.click("shortcuts").await;
    app.test_id("shortcuts-dialog").await;
    measure(&app, "keyboard shortcuts", &mut problems).await;
    if !problems.is_empty() {
        let shot = app.save_screenshot("small-window").await;
        panic!("at {WIDTH} × {HEIGHT} ({shot}):\n{}", problems.join("\n"));
    }
    app.stop().await;
}
