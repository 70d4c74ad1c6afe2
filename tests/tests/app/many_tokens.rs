//! The window with 10 000 tokens: only the rows in view are in the page, and scrolling to the
//! oldest works. Prints the time to the first rendered rows (a figure, not an assertion).
//! `scripts/test` runs it under Xvfb; plain `cargo test` lists it as ignored.
use std::time::Instant;

use fantoccini::Locator;
use latchkey_tests::app::AppSession;
use latchkey_tests::*;

const TOKENS: usize = 10_000;

/// Adds `count` tokens for the administrator straight through core (the CLI would take minutes).
fn seed(env: &Env, count: usize) {
    let (mut authority, admin) = env.core_as_admin();
    authority
        .seed_tokens_for_benchmarks(admin, count)
        .expect("seed tokens");
}

async fn rendered_rows(app: &AppSession) -> usize {
    app.client
        .find_all(Locator::Css("[data-testid=\"token-row\"]"))
        .await
        .expect("rows")
        .len()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus and tauri-driver; scripts/test runs it"]
async fn ten_thousand_tokens_are_listed_virtualised_and_scroll_to_the_oldest() {
    let env = Env::initialised();
    seed(&env, TOKENS);
    let app = AppSession::start(&env).await;
    app.type_into("signin-username", ADMIN).await;
    app.type_into("signin-password", ADMIN_PASSWORD).await;
    let started = Instant::now();
    app.click("signin-submit").await;
    app.test_id("token-row").await;
    let first_render = started.elapsed();
    let scroller = app.test_id("token-scroller").await;
    assert_eq!(
        scroller.attr("data-total").await.unwrap().as_deref(),
        Some("10000")
    );
    let rows = rendered_rows(&app).await;
    assert!((5..100).contains(&rows), "{rows} rows in the page");

    let started = Instant::now();
    app.client
        .execute(
            "const s = document.querySelector('[data-testid=token-scroller]'); \
             s.scrollTop = s.scrollHeight;",
            vec![],
        )
        .await
        .expect("scroll");
    let last_row_name = "const rows = document.querySelectorAll('[data-testid=token-row]'); \
        return rows.length ? rows[rows.length - 1].cells[0].textContent : '';";
    let mut last = String::new();
    for _ in 0..100 {
        last = app
            .client
            .execute(last_row_name, vec![])
            .await
            .expect("read the last row")
            .as_str()
            .unwrap_or_default()
            .to_string();
        if last == "seeded 0" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let scrolled = started.elapsed();
    assert_eq!(
        last, "seeded 0",
        "the oldest token is not at the end of the list"
    );
    assert!(rendered_rows(&app).await < 100);
    // Still responsive: the oldest token's rotate dialog opens.
    app.wait_for("[data-testid=\"token-row\"]:last-child [data-testid=\"rotate\"]")
        .await
        .click()
        .await
        .expect("click rotate");
    app.test_id("rotate-submit").await;
    println!(
        "10 000 tokens: first rows {} ms after sign-in was clicked; \
         the oldest in view {} ms after scrolling to the end",
        first_render.as_millis(),
        scrolled.as_millis()
    );
    app.stop().await;
}
