//! Takes the README's screenshots of every screen, light and dark, from the real app with
//! realistic data. Run it with `scripts/screenshots` (Xvfb, D-Bus, tauri-driver).
use latchkey_tests::app::AppSession;
use latchkey_tests::*;

const DAY: i64 = 86_400;

/// A store with three people, three systems and tokens in every state.
fn realistic_store() -> Env {
    let env = Env::new();
    let past = (-40 * DAY).to_string();
    let at_past: &[(&str, &str)] = &[("LATCHKEY_TEST_CLOCK_SHIFT", &past)];
    let admin = [
        ("LATCHKEY_USER", ADMIN),
        ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
    ];
    env.run(
        &[
            "init",
            "--org",
            "Acme Analytics",
            "--admin",
            ADMIN,
            "--display-name",
            "Rosa Admin",
        ],
        &[at_past[0], ("LATCHKEY_PASSWORD", ADMIN_PASSWORD)],
        None,
    )
    .ok();
    let as_admin_then = |args: &[&str]| env.run(args, &[at_past[0], admin[0], admin[1]], None).ok();
    for (slug, name) in [
        ("web-api", "Web API"),
        ("billing", "Billing service"),
        ("docs-site", "Documentation site"),
    ] {
        as_admin_then(&["systems", "onboard", slug, "--display-name", name]);
    }
    as_admin_then(&[
        "tokens",
        "create",
        "--name",
        "nightly backup (old)",
        "--expires-in-days",
        "10",
    ]);
    // Made 40 days ago to live 50 and 43 days: reminders are due when the app starts.
    for (name, days) in [("release signing", "50"), ("docs publisher", "43")] {
        as_admin_then(&[
            "tokens",
            "create",
            "--name",
            name,
            "--expires-in-days",
            days,
        ]);
    }
    as_admin_then(&[
        "tokens",
        "create",
        "--name",
        "laptop script",
        "--expires-in-days",
        "365",
    ]);
    env.run(
        &["users", "add", "bob", "--display-name", "Bob Builder"],
        &[
            admin[0],
            admin[1],
            ("LATCHKEY_NEW_PASSWORD", MEMBER_PASSWORD),
        ],
        None,
    )
    .ok();
    env.as_admin(&["grant", "bob", "web-api"]).ok();
    env.as_admin(&[
        "tokens",
        "create",
        "--name",
        "GitHub Actions deploy",
        "--systems",
        "web-api",
    ])
    .ok();
    env.as_admin(&[
        "tokens",
        "create",
        "--name",
        "staging smoke tests",
        "--expires-in-days",
        "12",
    ])
    .ok();
    env.as_admin(&[
        "tokens",
        "create",
        "--name",
        "metrics exporter",
        "--expires-in-days",
        "90",
    ])
    .ok();
    let (_, revoked) = env.create_token(
        ADMIN,
        ADMIN_PASSWORD,
        &["--name", "leaked in a log", "--expires-in-days", "200"],
    );
    env.as_admin(&["tokens", "revoke", &revoked]).ok();
    env.create_token(
        "bob",
        MEMBER_PASSWORD,
        &["--name", "bob's CI", "--expires-in-days", "25"],
    );
    env
}

async fn shoot(app: &AppSession, name: &str) {
    for theme in ["light", "dark"] {
        app.client
            .execute(
                &format!("document.documentElement.dataset.theme = '{theme}';"),
                vec![],
            )
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let png = app.client.screenshot().await.expect("screenshot");
        let path = format!(
            "{}/../docs/screenshots/{name}-{theme}.png",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::write(&path, png).expect("write screenshot");
        println!("wrote {path}");
    }
}

#[tokio::main]
async fn main() {
    // First-run setup, on an empty store.
    let empty = Env::new();
    let app = AppSession::start(&empty).await;
    app.test_id("setup-org").await;
    shoot(&app, "setup").await;
    app.stop().await;

    let env = realistic_store();
    let app = AppSession::start(&env).await;
    app.test_id("signin-username").await;
    shoot(&app, "sign-in").await;
    app.type_into("signin-username", ADMIN).await;
    app.type_into("signin-password", ADMIN_PASSWORD).await;
    app.click("signin-submit").await;
    app.test_id("token-row").await;
    shoot(&app, "my-tokens").await;
    app.click("create-token").await;
    app.type_into("token-name", "release pipeline").await;
    shoot(&app, "create-token").await;
    app.click("create-submit").await;
    app.test_id("new-token").await;
    shoot(&app, "reveal-once").await;
    app.click("copied-close").await;
    app.click("nav-reminders").await;
    app.test_id("reminder").await;
    shoot(&app, "reminders").await;
    app.click("nav-overview").await;
    app.wait_for("svg.chart").await;
    shoot(&app, "overview").await;
    app.click("nav-systems").await;
    app.click("show-access-web-api").await;
    app.test_id("access-list").await;
    shoot(&app, "systems").await;
    app.click("nav-accounts").await;
    app.click("manage-bob").await;
    shoot(&app, "accounts").await;
    app.click("nav-audit").await;
    app.wait_for("td").await;
    shoot(&app, "audit-log").await;
    app.click("nav-settings").await;
    app.test_id("schedule").await;
    shoot(&app, "settings").await;
    app.stop().await;
}
