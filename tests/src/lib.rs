//! Support for black-box tests: run the real `latchkey` binary against a store in a temporary
//! folder, with nothing inherited from the environment that could change what it does.
pub mod app;
pub mod axe;
pub mod demo;
pub mod desktop;
pub mod desktop_bus;
pub mod hostile;
pub mod keyboard;
pub mod leak_corpus;
pub mod serve;
pub mod tmpfs;
pub mod tray;
pub mod x_clipboard;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

pub const ADMIN: &str = "root";
pub const ADMIN_PASSWORD: &str = "root password that is long";
pub const MEMBER_PASSWORD: &str = "member password that is long";

/// Opens a store straight through core and signs in: for tests and helpers that need thousands
/// of writes (the CLI would take minutes) or write from inside the test process.
pub fn open_store_as(
    db: &Path,
    key: &Path,
    user: &str,
    password: &str,
) -> (latchkey_core::Authority, latchkey_core::Actor) {
    let mut authority = latchkey_core::Authority::open(
        db,
        &latchkey_core::KeySource::File(key.to_path_buf()),
        std::sync::Arc::new(latchkey_core::SystemClock),
    )
    .expect("open the store");
    let actor = authority.authenticate(user, password).expect("sign in");
    (authority, actor)
}

/// The workspace's `latchkey` binary, refusing one older than the sources it is built from, so a
/// stale build can never pass for the current code. `cargo test --workspace` builds it (the cli
/// crate has an integration test); `cargo build -p latchkey-cli` does too.
pub fn latchkey_bin() -> PathBuf {
    fresh_binary(
        "latchkey",
        "latchkey-cli",
        &["core/src", "cli/src", "server/src", "migrations"],
    )
}

/// A binary in the workspace's target folder, refused when older than the sources it is built
/// from, so a stale build never passes for the current code.
pub fn fresh_binary(name: &str, package: &str, sources: &[&str]) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps layout");
    let bin = profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let built = std::fs::metadata(&bin)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| {
            panic!(
                "{} is missing; run `cargo build -p {package}` first",
                bin.display()
            )
        });
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let newest = sources
        .iter()
        .map(|d| newest_mtime(&workspace.join(d)))
        .max()
        .flatten();
    if let Some(newest) = newest {
        assert!(
            built >= newest,
            "{} is older than its sources; run `cargo build -p {package}` first",
            bin.display()
        );
    }
    bin
}

fn newest_mtime(dir: &Path) -> Option<SystemTime> {
    let mut newest = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let time = if path.is_dir() {
            newest_mtime(&path)
        } else {
            entry.metadata().ok()?.modified().ok()
        };
        newest = newest.max(time);
    }
    newest
}

/// What a finished command printed and how it exited.
#[derive(Debug, Clone)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }

    /// Asserts success and returns self.
    pub fn ok(self) -> Output {
        assert_eq!(self.code, 0, "expected success: {self:?}");
        self
    }

    /// The one line on standard error of a refusal.
    pub fn one_line_error(&self) -> &str {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "expected exactly one line on stderr: {self:?}"
        );
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "{self:?}"
        );
        lines[0]
    }
}

/// A private folder holding a store, its key file and the HOME/XDG folders of the processes.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub key: PathBuf,
    /// Extra environment for every command (e.g. a D-Bus session address).
    pub extra_env: Vec<(String, String)>,
    /// Use the OS credential store instead of the key file.
    pub use_os_store: bool,
    /// Leave LATCHKEY_DB unset: the store's default place under this env's XDG_DATA_HOME.
    pub use_default_store: bool,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("temporary folder");
        let db = dir.path().join("store.db");
        let key = dir.path().join("key");
        Env {
            dir,
            db,
            key,
            extra_env: Vec::new(),
            use_os_store: false,
            use_default_store: false,
        }
    }

    /// A store initialised with the administrator `root`.
    pub fn initialised() -> Env {
        let env = Env::new();
        env.init().ok();
        env
    }

    pub fn init(&self) -> Output {
        self.run(
            &["init", "--org", "Acme", "--admin", ADMIN],
            &[("LATCHKEY_PASSWORD", ADMIN_PASSWORD)],
            None,
        )
    }

    pub fn command(&self) -> Command {
        let mut command = Command::new(latchkey_bin());
        command.env_clear();
        for name in ["PATH", "LANG", "TZ"] {
            if let Some(value) = std::env::var_os(name) {
                command.env(name, value);
            }
        }
        let home = self.dir.path().join("home");
        command
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"));
        if !self.use_default_store {
            command.env("LATCHKEY_DB", &self.db);
        }
        if !self.use_os_store {
            command.env("LATCHKEY_KEY_FILE", &self.key);
        }
        for (name, value) in &self.extra_env {
            command.env(name, value);
        }
        command
    }

    /// Runs `latchkey ARGS` with extra environment and optional standard input.
    pub fn run(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
        let mut command = self.command();
        command.args(args);
        for (name, value) in env {
            command.env(name, value);
        }
        run_command(command, stdin)
    }

    /// Runs a command as an account whose password is in LATCHKEY_PASSWORD.
    pub fn as_user(&self, user: &str, password: &str, args: &[&str]) -> Output {
        self.run(
            args,
            &[("LATCHKEY_USER", user), ("LATCHKEY_PASSWORD", password)],
            None,
        )
    }

    /// This env's store opened through core, signed in as the administrator.
    pub fn core_as_admin(&self) -> (latchkey_core::Authority, latchkey_core::Actor) {
        open_store_as(&self.db, &self.key, ADMIN, ADMIN_PASSWORD)
    }

    pub fn as_admin(&self, args: &[&str]) -> Output {
        self.as_user(ADMIN, ADMIN_PASSWORD, args)
    }

    /// Adds a member with MEMBER_PASSWORD.
    pub fn add_member(&self, name: &str) {
        self.run(
            &["users", "add", name],
            &[
                ("LATCHKEY_USER", ADMIN),
                ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
                ("LATCHKEY_NEW_PASSWORD", MEMBER_PASSWORD),
            ],
            None,
        )
        .ok();
    }

    /// Creates a token as `user` and returns (secret, id).
    pub fn create_token(&self, user: &str, password: &str, extra: &[&str]) -> (String, String) {
        let mut args = vec!["--json", "tokens", "create"];
        args.extend_from_slice(extra);
        if !extra.contains(&"--name") {
            args.extend_from_slice(&["--name", "test token"]);
        }
        let json = self.as_user(user, password, &args).ok().json();
        (
            json["token"].as_str().unwrap().to_string(),
            json["id"].as_str().unwrap().to_string(),
        )
    }

    /// `latchkey verify` with the token on standard input.
    pub fn verify(&self, token: &str, args: &[&str]) -> Output {
        let mut all = vec!["verify"];
        all.extend_from_slice(args);
        self.run(&all, &[], Some(token))
    }

    /// Every file of the store (main, -wal, -shm) that exists, with its bytes.
    pub fn store_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        ["", "-wal", "-shm"]
            .iter()
            .filter_map(|suffix| {
                let mut path = self.db.clone().into_os_string();
                path.push(suffix);
                let path = PathBuf::from(path);
                std::fs::read(&path).ok().map(|bytes| (path, bytes))
            })
            .collect()
    }
}

impl Default for Env {
    fn default() -> Self {
        Env::new()
    }
}

pub fn run_command(mut command: Command, stdin: Option<&str>) -> Output {
    command.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("start latchkey");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        // A command that refuses before reading its input may close the pipe first.
        if let Err(e) = pipe.write_all(input.as_bytes()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
    }
    let output = child.wait_with_output().expect("wait for latchkey");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A connection that keeps a store's write-ahead log from being folded in and removed (the last
/// connection to close does that), so tests can search the log's content; drop it to fold.
pub fn keep_wal_open(db: &Path) -> rusqlite::Connection {
    let holder = rusqlite::Connection::open(db).expect("open the store");
    holder
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .expect("read the store");
    holder
}

/// Every 16-character piece of `token`.
pub fn pieces(token: &str) -> Vec<&str> {
    (0..=token.len().saturating_sub(16))
        .map(|i| &token[i..i + 16])
        .collect()
}

/// True when any 16-character piece of any token occurs in `haystack`.
pub fn leaks(haystack: &[u8], tokens: &[String]) -> Option<String> {
    let windows: std::collections::HashSet<&[u8]> = haystack.windows(16).collect();
    tokens
        .iter()
        .flat_map(|t| pieces(t))
        .find(|p| windows.contains(p.as_bytes()))
        .map(str::to_string)
}
