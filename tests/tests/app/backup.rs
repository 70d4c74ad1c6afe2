//! Issue 5 point 8 in the app window: Settings makes a backup, first-run setup restores it on
//! another machine (saying when it was taken and which tokens work again), and Settings restores
//! over a store, carrying forward a revocation made since; the CLI checks the tokens each time.
use latchkey_tests::app::AppSession;
use latchkey_tests::*;

const PASSPHRASE: &str = "the passphrase in the safe";

/// The one backup file written under `dir` (the app writes to its Downloads folder, or home).
fn backup_file_in(dir: &std::path::Path) -> std::path::PathBuf {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "lkbackup") {
                found.push(path);
            }
        }
    }
    assert_eq!(found.len(), 1, "{found:?}");
    found.remove(0)
}

async fn restore_through(app: &AppSession, file: &std::path::Path, passphrase: &str) {
    app.type_into("restore-path", file.to_str().unwrap()).await;
    app.type_into("restore-passphrase", passphrase).await;
    app.click("restore-submit").await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus and tauri-driver; scripts/test runs it"]
async fn settings_backs_up_first_run_restores_it_and_settings_restores_over_a_store() {
    let original = Env::initialised();
    let (kept, kept_id) = original.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "kept"]);
    let (leaked, leaked_id) = original.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "leaked"]);
    let app = AppSession::start(&original).await;
    app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    app.click("nav-settings").await;
    app.type_into("backup-passphrase", PASSPHRASE).await;
    app.type_into("backup-passphrase-again", "a different passphrase")
        .await;
    app.click("backup-submit").await;
    assert!(app.text("backup-error").await.contains("differ"));
    app.type_into("backup-passphrase-again", PASSPHRASE).await;
    app.click("backup-submit").await;
    let done = app.text("backup-done").await;
    assert!(
        done.contains("2 tokens and 1 account") && done.contains(".lkbackup"),
        "{done}"
    );
    app.stop().await;
    let file = backup_file_in(original.dir.path());

    // Another machine: the setup screen offers the restore.
    let other = Env::new();
    let app = AppSession::start(&other).await;
    app.click("setup-restore").await;
    restore_through(&app, &file, "not the passphrase in the safe").await;
    assert!(app.text("restore-error").await.contains("wrong passphrase"));
    restore_through(&app, &file, PASSPHRASE).await;
    let notice = app.text("restored-notice").await;
    assert!(
        notice.contains("Restored Acme: 2 tokens, 1 account")
            && notice.contains("active again")
            && notice.contains(&kept_id)
            && notice.contains(&leaked_id),
        "{notice}"
    );
    app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    other.verify(&kept, &[]).ok();
    other.verify(&leaked, &[]).ok();
    // The leaked token is revoked after the backup; restoring the backup must not revive it.
    other.as_admin(&["tokens", "revoke", &leaked_id]).ok();

    // Over a store: refused until confirmed, then the store is the backup's again.
    let (later, _) = other.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "later"]);
    app.click("nav-settings").await;
    restore_through(&app, &file, PASSPHRASE).await;
    assert!(app.text("restore-error").await.contains("confirm"));
    other.verify(&later, &[]).ok();
    app.click("restore-confirm").await;
    app.click("restore-submit").await;
    let notice = app.text("restored-notice").await;
    assert!(
        notice.contains(&format!(
            "carried forward from the replaced store: 1 revocation ({leaked_id})"
        )) && notice.contains("before-restore-"),
        "{notice}"
    );
    app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    app.stop().await;
    other.verify(&kept, &[]).ok();
    let gone = other.verify(&later, &["--json"]);
    assert_eq!(gone.json()["reason"], "unknown", "{gone:?}");
    let revoked = other.verify(&leaked, &["--json"]);
    assert_eq!(revoked.json()["reason"], "revoked", "{revoked:?}");
}
