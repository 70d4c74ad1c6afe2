//! Issue 14 in the real window: a log pasted into Leak check shows the live tokens in it with
//! their owners (a revoked one as revoked, a look-alike not at all), the text leaves the screen,
//! one is revoked through the confirmation and really stops working, and Look up a token shows
//! its history with where it was found. A member sees whose a token is but not its name, and may
//! not revoke or look up another account's token; a chosen file is checked too.
use fantoccini::Locator;
use latchkey_tests::app::AppSession;
use latchkey_tests::leak_corpus::broken_checksum;
use latchkey_tests::*;

/// What each finding row says: (status, text), in the order the rows are shown.
async fn findings(app: &AppSession) -> Vec<(String, String)> {
    app.wait_for("[data-testid=\"leak-summary\"]").await;
    let mut rows = Vec::new();
    for row in app
        .client
        .find_all(Locator::Css("[data-testid=\"finding\"]"))
        .await
        .expect("the findings")
    {
        let status = row.attr("data-status").await.unwrap().unwrap_or_default();
        rows.push((status, row.text().await.expect("a finding's text")));
    }
    rows
}

/// Pastes `text` into the Leak check's field and checks it.
async fn paste_and_check(app: &AppSession, text: &str) {
    app.paste_into("leak-text", text).await;
    app.click("leak-check").await;
}

async fn value_of(app: &AppSession, id: &str) -> String {
    app.test_id(id)
        .await
        .prop("value")
        .await
        .expect("read the field")
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus and tauri-driver; scripts/test runs it"]
async fn a_pasted_log_shows_whose_tokens_are_live_one_is_revoked_and_its_history_looked_up() {
    let env = Env::initialised();
    env.add_member("bob");
    let (root_live, root_id) = env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "deploy"]);
    let (bob_live, bob_id) = env.create_token("bob", MEMBER_PASSWORD, &["--name", "bob's CI"]);
    let (revoked, revoked_id) = env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "old"]);
    env.as_admin(&["tokens", "revoke", &revoked_id]).ok();
    let look_alike = broken_checksum(&root_live);
    let secrets = [root_live.clone(), bob_live.clone(), revoked.clone()];
    // Line 2 column 23, line 3 column 15, line 4 column 5; the look-alike is no token.
    let log = format!(
        "2026-03-01T10:00:00Z job started\n\
         Authorization: Bearer {root_live}\n  curl -H 'x: {bob_live}' https://example.test\n\
         old={revoked} copy={look_alike}\ndone\n"
    );

    let app = AppSession::start(&env).await;
    app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    app.click("nav-leaks").await;
    latchkey_tests::keyboard::wait_focus(&app, "h1: Leak check").await;
    paste_and_check(&app, &log).await;
    let rows = findings(&app).await;
    assert_eq!(
        rows.len(),
        3,
        "live, live, revoked; no look-alike: {rows:?}"
    );
    let statuses: Vec<&str> = rows.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(statuses, ["live", "live", "revoked"], "{rows:?}");
    for (text, place, owner, name, id) in [
        (&rows[0].1, "2:23", ADMIN, "deploy", &root_id),
        (&rows[1].1, "3:15", "bob", "bob's CI", &bob_id),
    ] {
        for expected in [place, owner, name, id.as_str(), "Live", "Revoke"] {
            assert!(text.contains(expected), "{expected:?} not in {text:?}");
        }
    }
    assert!(
        rows[2].1.contains("4:5") && rows[2].1.contains("Revoked"),
        "{rows:?}"
    );
    assert!(
        !rows[2].1.contains("Revoke…"),
        "a revoked token offers Revoke: {rows:?}"
    );
    let summary = app.text("leak-summary").await;
    assert!(
        summary.contains("3 tokens found: 2 live, 1 revoked"),
        "{summary:?}"
    );
    assert_eq!(
        value_of(&app, "leak-text").await,
        "",
        "the pasted text stays on screen"
    );
    // Only hints came back: no token, nor any 16-character piece of one, is in the page.
    let page = app.source().await;
    assert_eq!(
        leaks(page.as_bytes(), &secrets),
        None,
        "a token is in the page"
    );

    // Revoke bob's through the confirmation: that row says revoked, root's stays live, and the
    // token fails verification at once.
    app.wait_for(&format!(
        "tr[data-token-id=\"{bob_id}\"] [data-testid=\"revoke-leaked\"]"
    ))
    .await
    .click()
    .await
    .expect("click Revoke…");
    let question = app.text("confirm-dialog").await;
    for expected in [
        "“bob's CI”",
        bob_id.as_str(),
        "of bob",
        "stops working at once",
    ] {
        assert!(
            question.contains(expected),
            "{expected:?} not in {question:?}"
        );
    }
    app.click("confirm").await;
    app.wait_for(&format!(
        "tr[data-token-id=\"{bob_id}\"][data-status=\"revoked\"]"
    ))
    .await;
    app.wait_for("[data-testid=\"announcer\"] p").await;
    let said = app.text("announcer").await;
    assert!(said.contains("revoked"), "the live region says {said:?}");
    let statuses: Vec<String> = findings(&app).await.into_iter().map(|(s, _)| s).collect();
    assert_eq!(statuses, ["live", "revoked", "revoked"]);
    // For a person to look at (target/debug/webdriver-screenshots).
    app.save_screenshot("leak-check-after-revoke").await;
    assert_eq!(
        env.verify(&bob_live, &[]).code,
        1,
        "the revoked token works"
    );
    env.verify(&root_live, &[]).ok();

    // Look up the revoked token: which it is, whose, and its history with where it was found.
    app.type_into("lookup-token", &bob_live).await;
    app.click("lookup-submit").await;
    app.test_id("lookup-result").await;
    assert_eq!(
        value_of(&app, "lookup-token").await,
        "",
        "the token stays in the field"
    );
    assert_eq!(app.text("lookup-id").await, bob_id);
    assert!(app.text("lookup-owner").await.contains("bob"));
    assert!(app.text("lookup-status").await.contains("Revoked"));
    app.save_screenshot("leak-check-look-up").await;
    let mut history = Vec::new();
    for row in app
        .client
        .find_all(Locator::Css("[data-testid=\"history-event\"]"))
        .await
        .expect("the history")
    {
        history.push(row.text().await.expect("an event's text"));
    }
    let at = |action: &str| history.iter().position(|e| e.contains(action));
    let (Some(revoked_at), Some(created_at)) = (at("token.revoked"), at("token.created")) else {
        panic!("no creation or revocation in the history: {history:?}");
    };
    assert!(revoked_at < created_at, "not newest first: {history:?}");
    let revocation = &history[revoked_at];
    for expected in [ADMIN, "found_in", "leak check: pasted text:3:15"] {
        assert!(
            revocation.contains(expected),
            "{expected:?} not in {revocation:?}"
        );
    }
    let page = app.source().await;
    assert_eq!(
        leaks(page.as_bytes(), &secrets),
        None,
        "a token is in the page"
    );

    // A member: whose a token is, not its name; no Revoke, and no look-up of another's token.
    app.click("sign-out").await;
    app.sign_in("bob", MEMBER_PASSWORD).await;
    app.click("nav-leaks").await;
    // A chosen file is checked as well, its findings named after it.
    app.test_id("leak-file").await;
    app.client
        .execute(
            "const input = document.querySelector('[data-testid=\"leak-file\"]');
             const files = new DataTransfer();
             files.items.add(new File([arguments[0]], 'ci.log', { type: 'text/plain' }));
             input.files = files.files;
             input.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![serde_json::json!(format!("token: {root_live}\n"))],
        )
        .await
        .expect("choose a file");
    let rows = findings(&app).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (status, text) = &rows[0];
    assert_eq!(status, "live");
    for expected in ["ci.log", "1:8", ADMIN, "Ask an administrator to revoke it"] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
    for hidden in [root_id.as_str(), "deploy", "Revoke…"] {
        assert!(!text.contains(hidden), "a member sees {hidden:?}: {text:?}");
    }
    app.type_into("lookup-token", &root_live).await;
    app.click("lookup-submit").await;
    let refusal = app.text("lookup-error").await;
    assert!(refusal.contains("another account"), "{refusal:?}");
    app.stop().await;
}
