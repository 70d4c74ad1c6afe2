//! Drives the real desktop app through tauri-driver and WebKitWebDriver. Each `AppSession`
//! starts its own tauri-driver (and so its own app process) on fresh ports, with the store of an
//! `Env`, and stops it with SIGTERM (after SIGKILL, WebKitWebDriver would keep its port).
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

use crate::Env;
use crate::desktop::{self, Desktop};
use crate::desktop_bus::PrivateBus;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The desktop app's binary, next to `latchkey`.
pub fn app_bin() -> PathBuf {
    crate::fresh_binary(
        "latchkey-app",
        "latchkey-app",
        &[
            "core/src",
            "server/src",
            "src-tauri/src",
            "ui/dist",
            "migrations",
        ],
    )
}

pub struct AppSession {
    pub client: Client,
    driver: Child,
    /// Each app gets its own session bus (unless the env brings one), so an app that outlived
    /// its test can never answer a later one's launch through the single-instance plugin.
    _bus: Option<PrivateBus>,
    /// One app window at a time: the tests share one display (see `desktop`).
    _desktop: Desktop,
}

impl AppSession {
    /// Starts the app on `env`'s store and connects to its window.
    pub async fn start(env: &Env) -> AppSession {
        AppSession::start_logged(env, None).await
    }

    /// Like `start`, with the standard error of tauri-driver and the app appended to `log`.
    pub async fn start_logged(env: &Env, log: Option<&std::path::Path>) -> AppSession {
        AppSession::start_application(env, log, &app_bin(), &[]).await
    }

    /// Like `start_logged`, with another program standing for the app (`scripts/run`, which
    /// execs it) and its arguments.
    pub async fn start_application(
        env: &Env,
        log: Option<&std::path::Path>,
        app: &std::path::Path,
        args: &[&str],
    ) -> AppSession {
        let desktop = desktop::hold();
        let port = free_port();
        let native = free_port();
        let mut command =
            Command::new(std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into()));
        command.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ]);
        // The app inherits the driver's environment: the test's store and key, and the session.
        let probe = env.command();
        let brings_bus = probe
            .get_envs()
            .any(|(name, _)| name == "DBUS_SESSION_BUS_ADDRESS");
        let bus = (!brings_bus).then(|| PrivateBus::start(env.dir.path()));
        command.env_clear();
        let mut set = Vec::new();
        if let Some(bus) = &bus {
            command.env("DBUS_SESSION_BUS_ADDRESS", &bus.address);
            set.push(std::ffi::OsString::from("DBUS_SESSION_BUS_ADDRESS"));
        }
        for (name, value) in probe.get_envs() {
            if let Some(value) = value {
                command.env(name, value);
                set.push(name.to_os_string());
            }
        }
        // The display and the session, unless the env brings its own (a private bus).
        for name in [
            "DISPLAY",
            "XAUTHORITY",
            "DBUS_SESSION_BUS_ADDRESS",
            "XDG_RUNTIME_DIR",
            "WAYLAND_DISPLAY",
        ] {
            if let Some(value) = std::env::var_os(name)
                && !set.iter().any(|s| s == name)
            {
                command.env(name, value);
            }
        }
        let stderr = match log {
            Some(path) => Stdio::from(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .expect("open the app's log file"),
            ),
            None => Stdio::inherit(),
        };
        command.stdout(Stdio::null()).stderr(stderr);
        let driver = command
            .spawn()
            .expect("start tauri-driver (cargo install tauri-driver --version '^2')");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), "wry".into());
        capabilities.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app, "args": args }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = None;
        for _ in 0..100 {
            // Bounded: a session whose app never comes up must fail the test, not hang CI.
            let mut builder = ClientBuilder::new(HttpConnector::new());
            builder.capabilities(capabilities.clone());
            let connect = builder.connect(&url);
            match tokio::time::timeout(Duration::from_secs(60), connect).await {
                Err(_) => panic!("tauri-driver started no app window within 60 s"),
                Ok(Ok(client)) => {
                    let session = AppSession {
                        client,
                        driver,
                        _bus: bus,
                        _desktop: desktop,
                    };
                    session.wait_for("body").await;
                    return session;
                }
                Ok(Err(error)) => last_error = Some(error),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("could not connect to tauri-driver: {last_error:?}");
    }

    /// Signs in through the sign-in screen and waits for the main screen.
    pub async fn sign_in(&self, user: &str, password: &str) {
        self.type_into("signin-username", user).await;
        self.type_into("signin-password", password).await;
        self.click("signin-submit").await;
        self.test_id("sign-out").await;
    }

    /// Whether an element matching `css` is there, or comes within `wait`.
    pub async fn appears_within(&self, css: &str, wait: Duration) -> bool {
        (self.client.wait().at_most(wait))
            .for_element(Locator::Css(css))
            .await
            .is_ok()
    }

    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(error) => {
                let shot = self.save_screenshot("failure").await;
                panic!("{css} did not appear ({error}); the window is in {shot}");
            }
        }
    }

    /// Saves what the window shows now into the target folder, for a failing test's reader.
    pub async fn save_screenshot(&self, label: &str) -> String {
        let dir = crate::latchkey_bin().with_file_name("webdriver-screenshots");
        let _ = std::fs::create_dir_all(&dir);
        // Named after the test (libtest names its thread so): the suites share one process.
        let test = std::thread::current()
            .name()
            .unwrap_or("test")
            .replace("::", "-");
        let path = dir.join(format!("{label}-{test}-{}.png", std::process::id()));
        match self.client.screenshot().await {
            Ok(png) if std::fs::write(&path, &png).is_ok() => path.display().to_string(),
            _ => "no screenshot".into(),
        }
    }

    pub async fn test_id(&self, id: &str) -> fantoccini::elements::Element {
        self.wait_for(&format!("[data-testid=\"{id}\"]")).await
    }

    pub async fn type_into(&self, id: &str, text: &str) {
        let element = self.test_id(id).await;
        element.clear().await.expect("clear");
        element.send_keys(text).await.expect("type");
    }

    /// Puts `text` into a field at once, as a paste does (typed key by key, a long log is slow
    /// and its newlines would be Enter presses).
    pub async fn paste_into(&self, id: &str, text: &str) {
        self.test_id(id).await;
        self.client
            .execute(
                "const field = document.querySelector(`[data-testid=\"${arguments[0]}\"]`);
                 field.value = arguments[1];
                 field.dispatchEvent(new Event('input', { bubbles: true }));",
                vec![serde_json::json!(id), serde_json::json!(text)],
            )
            .await
            .unwrap_or_else(|e| panic!("paste into {id}: {e}"));
    }

    /// The new token the reveal dialog shows, once.
    pub async fn revealed_secret(&self) -> String {
        let secret = self
            .test_id("new-token")
            .await
            .prop("value")
            .await
            .expect("the new token's value")
            .unwrap_or_default();
        assert!(secret.starts_with("lk_"), "{secret:?}");
        secret
    }

    /// Picks `value` in the select `id`, as choosing it with the keyboard or the mouse does.
    pub async fn choose(&self, id: &str, value: &str) {
        self.test_id(id).await;
        self.client
            .execute(
                "const select = document.querySelector(`[data-testid=\"${arguments[0]}\"]`);
                 select.value = arguments[1];
                 select.dispatchEvent(new Event('change', { bubbles: true }));",
                vec![serde_json::json!(id), serde_json::json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("choose {value} in {id}: {e}"));
    }

    /// Clicks `css` until `shown` appears (three tries, five seconds each), as a person clicks
    /// again when a list reloading under the pointer swallowed the first click.
    pub async fn click_until_shown(&self, css: &str, shown: &str) {
        for _ in 0..3 {
            // A row replaced under the click makes it fail: that is one more try, not a failure.
            let _ = self.wait_for(css).await.click().await;
            if self.appears_within(shown, Duration::from_secs(5)).await {
                return;
            }
        }
        let shot = self.save_screenshot("failure").await;
        panic!("clicking {css} never showed {shown}; the window is in {shot}");
    }

    pub async fn click(&self, id: &str) {
        self.test_id(id)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {id}: {e}"));
    }

    /// Scrolls `id` to the middle of its scrolling box, then clicks it: in a tall dialog at a
    /// small window size, WebDriver's own scrolling can leave a control under the dialog's
    /// sticky action bar, which then takes the click.
    pub async fn click_centered(&self, id: &str) {
        self.test_id(id).await;
        self.client
            .execute(
                "document.querySelector(`[data-testid=\"${arguments[0]}\"]`)
                   .scrollIntoView({ block: 'center' });",
                vec![serde_json::json!(id)],
            )
            .await
            .unwrap_or_else(|e| panic!("scroll to {id}: {e}"));
        // The dialog may still be laying itself out: a refused click is tried again.
        for _ in 0..5 {
            if self.test_id(id).await.click().await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let shot = self.save_screenshot("failure").await;
        panic!("clicking {id} was refused five times; the window is in {shot}");
    }

    pub async fn text(&self, id: &str) -> String {
        self.test_id(id).await.text().await.expect("text")
    }

    /// Asks the window to close as its close button would (Tauri's window API from the page).
    pub async fn close_window(&self) {
        self.client
            .execute(
                "return window.__TAURI_INTERNALS__\
                 .invoke('plugin:window|close', { label: 'main' })",
                vec![],
            )
            .await
            .expect("close the window");
    }

    pub async fn source(&self) -> String {
        self.client.source().await.expect("page source")
    }

    /// Waits until no element matches.
    pub async fn wait_gone(&self, css: &str) {
        for _ in 0..100 {
            if self
                .client
                .find_all(Locator::Css(css))
                .await
                .map(|v| v.is_empty())
                .unwrap_or(false)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} is still there");
    }

    /// The app's process (started by this session's tauri-driver), while it runs.
    pub fn app_pid(&self) -> Option<u32> {
        descendants(self.driver.id()).into_iter().find(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "latchkey-app")
                && std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                    !stat
                        .rsplit_once(')')
                        .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
                })
        })
    }

    pub fn app_running(&self) -> bool {
        self.app_pid().is_some()
    }

    /// Ends the WebDriver session and stops tauri-driver (see `Drop`).
    pub async fn stop(self) {
        let _ = self.client.clone().close().await;
    }
}

/// Stops tauri-driver with SIGTERM (after SIGKILL, WebKitWebDriver would keep its port), and the
/// app it started: closing the app's window only hides it in the tray. Also when a test panicked.
impl Drop for AppSession {
    fn drop(&mut self) {
        let started = descendants(self.driver.id());
        signal("-TERM", self.driver.id());
        let _ = self.driver.wait();
        for pid in started {
            signal("-TERM", pid);
        }
    }
}

fn signal(which: &str, pid: u32) {
    let _ = Command::new("kill")
        .args([which, &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

/// Every process below `pid` (WebKitWebDriver, the app, WebKit's helpers), from /proc.
fn descendants(pid: u32) -> Vec<u32> {
    let parent_of = |child: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).ok()?;
        stat.rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    let all: Vec<u32> = std::fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let mut found = vec![pid];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            all.iter()
                .copied()
                .filter(|&c| parent_of(c) == Some(parent)),
        );
        i += 1;
    }
    found.remove(0);
    found
}
