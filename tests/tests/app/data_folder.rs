//! The app's data folder is private (0700) from the first launch, before the webview writes its
//! own files into it with the umask's mode, and also when something else made it first.
use std::os::unix::fs::PermissionsExt;

use latchkey_tests::Env;
use latchkey_tests::app::AppSession;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
#[ignore = "needs a display and tauri-driver; scripts/test runs it"]
async fn the_data_folder_is_private_from_the_first_launch() {
    let mut env = Env::new();
    env.use_default_store = true;
    let folder = env.dir.path().join("home/data/org.latchkey.desktop");
    let app = AppSession::start(&env).await;
    app.test_id("setup-org").await;
    assert_eq!(
        mode(&folder),
        0o700,
        "a first launch made the data folder readable by others"
    );
    app.stop().await;

    // Made 0755 by something else: the next launch makes it private again.
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    let app = AppSession::start(&env).await;
    app.test_id("setup-org").await;
    assert_eq!(mode(&folder), 0o700);
    app.stop().await;
}
