//! `scripts/run`, the README's first command, as a person runs it (with a temporary HOME): it
//! opens their own store (the per-user data folder, the key in the OS credential store) and keeps
//! it, so the organisation made at the first run is there at the second; without a credential
//! store it says so and offers the key file; `--demo` opens a throwaway demo organisation and
//! leaves the person's store alone. The window is the one `scripts/run` starts (tauri-driver runs
//! the script, which execs the app), on binaries checked current (`LATCHKEY_RUN_PREBUILT=1`).
use std::path::{Path, PathBuf};
use std::process::Command;

use latchkey_tests::app::{AppSession, app_bin};
use latchkey_tests::demo::{DEMO_ADMIN, DEMO_ORGANISATION, DEMO_PASSWORD};
use latchkey_tests::desktop_bus::PrivateBus;
use latchkey_tests::*;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/run")
}

/// A person's environment in a temporary HOME: no LATCHKEY_DB or LATCHKEY_KEY_FILE, and this
/// session's D-Bus (with its unlocked keyring) unless `bus` names another.
fn person(bus: Option<&PrivateBus>) -> Env {
    // Checked current here, so the script may skip building them; it starts them from the
    // target folder they are in (a shared CARGO_TARGET_DIR too).
    let app = app_bin();
    latchkey_bin();
    let target = app
        .parent()
        .and_then(Path::parent)
        .expect("the target folder")
        .to_path_buf();
    let mut env = Env::new();
    env.use_default_store = true;
    env.use_os_store = true;
    let address = match bus {
        Some(bus) => Some(bus.address.clone()),
        None => std::env::var("DBUS_SESSION_BUS_ADDRESS").ok(),
    };
    let tmp = env.dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    env.extra_env.extend([
        ("LATCHKEY_RUN_PREBUILT".to_string(), "1".to_string()),
        ("TMPDIR".to_string(), tmp.display().to_string()),
        ("CARGO_TARGET_DIR".to_string(), target.display().to_string()),
    ]);
    if let Some(address) = address {
        env.extra_env
            .push(("DBUS_SESSION_BUS_ADDRESS".into(), address));
    }
    if let Ok(runtime) = std::env::var("XDG_RUNTIME_DIR") {
        env.extra_env.push(("XDG_RUNTIME_DIR".into(), runtime));
    }
    env
}

/// Where the app and the CLI keep a person's store (XDG_DATA_HOME is set by `Env`).
fn default_store(env: &Env) -> PathBuf {
    env.dir
        .path()
        .join("home/data/org.latchkey.desktop/latchkey.db")
}

/// `scripts/run ARGS` with `env`'s environment, without a window (`--check`).
fn run_script(env: &Env, args: &[&str]) -> Output {
    let mut command = Command::new(script());
    command.env_clear().args(args);
    for (name, value) in env.command().get_envs() {
        if let Some(value) = value {
            command.env(name, value);
        }
    }
    run_command(command, None)
}

/// What the sidebar shows (the organisation, the screens, who is signed in).
async fn sidebar(app: &AppSession) -> String {
    app.client
        .execute(
            "return document.querySelector('header.sidebar').textContent;",
            vec![],
        )
        .await
        .expect("the sidebar's text")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn start(env: &Env, args: &[&str]) -> (AppSession, PathBuf) {
    let log = env.dir.path().join("run.log");
    let app = AppSession::start_application(env, Some(&log), &script(), args).await;
    (app, log)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus with a Secret Service and tauri-driver; scripts/test runs it"]
async fn scripts_run_opens_the_persons_own_store_and_keeps_it_between_runs() {
    let env = person(None);
    let store = default_store(&env);
    let said = run_script(&env, &["--check"]).ok();
    assert!(
        said.stderr
            .contains(&format!("Your store will be {}", store.display()))
            && said.stderr.contains("OS credential store"),
        "{said:?}"
    );

    // The first run: first-run setup, as a new person sees it.
    let (app, log) = start(&env, &[]).await;
    app.type_into("setup-org", "Kept Organisation").await;
    app.type_into("setup-username", ADMIN).await;
    app.type_into("setup-password", ADMIN_PASSWORD).await;
    app.type_into("setup-password-again", ADMIN_PASSWORD).await;
    app.click("setup-submit").await;
    app.test_id("sign-out").await;
    app.stop().await;
    assert!(store.exists(), "no store at {}", store.display());
    assert!(
        !env.dir.path().join("tmp").read_dir().unwrap().any(|_| true),
        "the first run left a throwaway store"
    );

    // The second run finds it: sign-in, not setup, and the organisation made the first time.
    let said = run_script(&env, &["--check"]).ok();
    assert!(
        said.stderr
            .contains(&format!("Your store: {}", store.display()))
            && said.stderr.contains("key: ok"),
        "{said:?}"
    );
    let (app, _) = start(&env, &[]).await;
    app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let sidebar = sidebar(&app).await;
    assert!(sidebar.contains("Kept Organisation"), "{sidebar}");
    app.stop().await;
    let run_log = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        run_log.contains(&store.display().to_string()),
        "scripts/run did not say where the store is: {run_log}"
    );
    // The key is in the OS credential store, and the CLI opens the same store with it.
    env.as_admin(&["users", "list"]).ok();
}

#[test]
#[ignore = "needs dbus-daemon; scripts/test runs it"]
fn scripts_run_without_a_credential_store_offers_the_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let bus = PrivateBus::start(dir.path());
    let mut env = person(Some(&bus));
    let refused = run_script(&env, &["--check"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    for words in [
        "no OS credential store answered",
        "LATCHKEY_KEY_FILE=",
        "scripts/run --demo",
    ] {
        assert!(
            refused.stderr.contains(words),
            "{words:?} missing: {refused:?}"
        );
    }
    assert!(!default_store(&env).exists());

    // With the key file it offers, the same run goes ahead.
    let key = env.dir.path().join("home/config/latchkey/installation.key");
    env.extra_env
        .push(("LATCHKEY_KEY_FILE".into(), key.display().to_string()));
    let said = run_script(&env, &["--check"]).ok();
    assert!(
        said.stderr
            .contains(&format!("its key goes in the key file {}", key.display())),
        "{said:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus and tauri-driver; scripts/test runs it"]
async fn scripts_run_demo_opens_a_throwaway_demo_organisation() {
    let demo_store = latchkey_bin().with_file_name("examples").join("demo_store");
    assert!(
        demo_store.exists(),
        "{} is missing; run `cargo build -p latchkey-tests --examples` first",
        demo_store.display()
    );
    let env = person(None);
    let (app, log) = start(&env, &["--demo"]).await;
    app.sign_in(DEMO_ADMIN, DEMO_PASSWORD).await;
    let sidebar = sidebar(&app).await;
    assert!(sidebar.contains(DEMO_ORGANISATION), "{sidebar}");
    app.test_id("token-row").await;
    let statuses = app
        .client
        .execute(
            "return [...document.querySelectorAll('[data-testid=token-status] .badge')]
               .map(b => b.textContent.trim());",
            vec![],
        )
        .await
        .unwrap();
    let statuses: Vec<&str> = statuses
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s.as_str())
        .collect();
    for state in ["Active", "Revoked", "Expired", "Replaced"] {
        assert!(statuses.contains(&state), "no {state} token: {statuses:?}");
    }
    assert!(
        statuses.iter().any(|s| s.ends_with("days left")),
        "no token close to expiry: {statuses:?}"
    );
    assert!(app.text("reminders-unread").await.parse::<u32>().unwrap() > 0);
    app.stop().await;
    let said = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(said.contains(DEMO_ORGANISATION), "{said}");
    // Thrown away with its folder under TMPDIR; the person's own store was never made.
    assert!(!default_store(&env).exists());
    let folders: Vec<_> = env.dir.path().join("tmp").read_dir().unwrap().collect();
    assert_eq!(folders.len(), 1, "one demo folder under TMPDIR");
}
