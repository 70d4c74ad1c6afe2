//! A private D-Bus session bus for one test, with no activatable services (so nothing starts
//! behind the test's back), and optionally a real notification daemon (dunst) on it, read
//! through `dunstctl`.
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CONFIG: &str = concat!(
    r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN""#,
    r#"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=DIR</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#
);

/// dunst keeps every notification on screen until closed, so a test can act on it.
const DUNSTRC: &str = "[global]\n    \
    notification_limit = 0\n    \
    history_length = 100\n    \
    sticky_history = yes\n\
    [urgency_low]\n    \
    timeout = 0\n\
    [urgency_normal]\n    \
    timeout = 0\n\
    [urgency_critical]\n    \
    timeout = 0\n";

pub struct PrivateBus {
    pub address: String,
    daemon: Child,
    dir: PathBuf,
}

impl PrivateBus {
    /// Starts `dbus-daemon` with its socket and config in `dir`.
    pub fn start(dir: &Path) -> PrivateBus {
        let dir = dir.join("bus");
        std::fs::create_dir_all(&dir).expect("bus folder");
        let config = dir.join("session.conf");
        std::fs::write(&config, CONFIG.replace("DIR", &dir.display().to_string()))
            .expect("bus config");
        let mut daemon = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            // It complains it cannot raise its fd limit when not run by the system.
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon (package dbus)");
        let mut address = String::new();
        let stdout = daemon.stdout.take().expect("dbus-daemon stdout");
        BufReader::new(stdout)
            .read_line(&mut address)
            .expect("dbus-daemon address");
        PrivateBus {
            address: address.trim().to_string(),
            daemon,
            dir,
        }
    }

    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("DBUS_SESSION_BUS_ADDRESS", &self.address);
        command
    }

    /// Whether a name has an owner on this bus.
    pub fn has_owner(&self, name: &str) -> bool {
        self.command("dbus-send")
            .args([
                "--session",
                "--print-reply=literal",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &format!("string:{name}"),
            ])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("true"))
    }

    /// Starts dunst on this bus (it needs the test's DISPLAY) and waits until it serves. Its
    /// pop-ups show on the shared display: it holds the desktop while it runs.
    pub fn start_dunst(&self) -> Dunst {
        let desktop = crate::desktop::hold();
        let rc = self.dir.join("dunstrc");
        std::fs::write(&rc, DUNSTRC).expect("dunstrc");
        let daemon = self
            .command("dunst")
            .arg("-config")
            .arg(&rc)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dunst (package dunst)");
        let dunst = Dunst {
            daemon,
            address: self.address.clone(),
            _desktop: desktop,
        };
        wait_until("dunst to own org.freedesktop.Notifications", || {
            self.has_owner("org.freedesktop.Notifications")
        });
        dunst
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// One notification as dunst recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub app: String,
    pub summary: String,
    pub body: String,
}

pub struct Dunst {
    daemon: Child,
    address: String,
    /// Released after the daemon is stopped (fields drop after `Drop::drop`).
    _desktop: crate::desktop::Desktop,
}

impl Dunst {
    fn dunstctl(&self, args: &[&str]) -> String {
        let output = Command::new("dunstctl")
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .output()
            .expect("run dunstctl");
        assert!(
            output.status.success(),
            "dunstctl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Notifications on screen now.
    pub fn displayed(&self) -> usize {
        self.dunstctl(&["count", "displayed"])
            .trim()
            .parse()
            .unwrap_or(0)
    }

    /// Waits until `count` notifications are on screen (and a moment more, so an extra one
    /// would show too), then returns how many there are.
    pub fn wait_displayed(&self, count: usize) -> usize {
        wait_until(&format!("{count} notifications on screen"), || {
            self.displayed() >= count
        });
        std::thread::sleep(Duration::from_secs(2));
        self.displayed()
    }

    /// Closes every notification on screen, which moves them into the history.
    pub fn close_all(&self) {
        self.dunstctl(&["close-all"]);
    }

    /// Invokes the default action of the notification at the top, as a click would.
    pub fn click_top(&self) {
        self.dunstctl(&["action", "0"]);
    }

    /// Closed notifications, newest first.
    pub fn history(&self) -> Vec<Shown> {
        let json: serde_json::Value =
            serde_json::from_str(&self.dunstctl(&["history"])).expect("dunstctl history JSON");
        let field = |entry: &serde_json::Value, name: &str| {
            entry[name]["data"].as_str().unwrap_or_default().to_string()
        };
        json["data"][0]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| Shown {
                        app: field(e, "appname"),
                        summary: field(e, "summary"),
                        body: field(e, "body"),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Dunst {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// Polls `condition` for up to 30 s.
pub fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if condition() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}
