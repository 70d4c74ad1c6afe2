//! The audit log in the real window: a long log opens on its newest page and older events come
//! on request; an export is a new private file, never written through a symlink planted where
//! its name will be.
use std::os::unix::fs::PermissionsExt;

use fantoccini::Locator;
use latchkey_tests::app::AppSession;
use latchkey_tests::*;

async fn rows(app: &AppSession) -> usize {
    app.client
        .find_all(Locator::Css(
            "section[aria-labelledby=\"audit-title\"] tbody tr",
        ))
        .await
        .expect("read the rows")
        .len()
}

async fn wait_for_rows(app: &AppSession, expected: usize) {
    for _ in 0..100 {
        if rows(app).await == expected {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("expected {expected} rows, saw {}", rows(app).await);
}

async fn button(app: &AppSession, label: &str) -> fantoccini::elements::Element {
    app.client
        .wait()
        .for_element(Locator::XPath(&format!(
            "//button[normalize-space()='{label}']"
        )))
        .await
        .unwrap_or_else(|e| panic!("no button {label}: {e}"))
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus and tauri-driver; scripts/test runs it"]
async fn a_long_log_opens_a_page_at_a_time_and_an_export_never_follows_a_planted_symlink() {
    let env = Env::initialised();
    {
        // 300 on-boarded systems: 300 audit events besides the store's own.
        let (mut authority, actor) = env.core_as_admin();
        for n in 0..300 {
            authority
                .onboard_system(actor, &format!("system-{n:03}"), None)
                .expect("on-board");
        }
    }
    let app = AppSession::start(&env).await;
    app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    app.click("nav-audit").await;
    // The newest page only, newest first.
    wait_for_rows(&app, 200).await;
    let table = app
        .client
        .find(Locator::Css(
            "section[aria-labelledby=\"audit-title\"] tbody",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        table.contains("system-299"),
        "the newest events are not on the first page"
    );
    assert!(
        !table.contains("system-000"),
        "the first page holds the oldest events too"
    );
    let total = {
        let (authority, actor) = env.core_as_admin();
        authority
            .audit_events(actor, &Default::default())
            .expect("read the log")
            .len()
    };
    assert!((301..=400).contains(&total), "{total}: two pages expected");
    button(&app, "Load older").await.click().await.unwrap();
    wait_for_rows(&app, total).await;
    let table = app
        .client
        .find(Locator::Css(
            "section[aria-labelledby=\"audit-title\"] tbody",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(table.contains("system-000"), "the oldest events never came");

    // Symlinks planted at the names the next seconds' exports would take, pointing at a file
    // the person cares about.
    let downloads = env.dir.path().join("home/Downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let victim = env.dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    for second in now - 2..now + 30 {
        let stamp = latchkey_core::clock::rfc3339(second).replace(':', "-");
        for folder in [&downloads, &env.dir.path().join("home")] {
            let _ = std::os::unix::fs::symlink(
                &victim,
                folder.join(format!("latchkey-audit-{stamp}.csv")),
            );
        }
    }
    button(&app, "Export CSV").await.click().await.unwrap();
    let saved = app
        .client
        .wait()
        .for_element(Locator::XPath(
            "//p[@role='status'][starts-with(normalize-space(), 'Saved to')]",
        ))
        .await
        .expect("the export says where it saved")
        .text()
        .await
        .unwrap();
    let path = std::path::PathBuf::from(saved.trim().trim_start_matches("Saved to ").trim());
    app.stop().await;
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let metadata = std::fs::symlink_metadata(&path).unwrap();
    assert!(metadata.file_type().is_file(), "{path:?} is not a new file");
    assert_eq!(metadata.permissions().mode() & 0o777, 0o600, "{path:?}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("system-299"), "{path:?}");
}
