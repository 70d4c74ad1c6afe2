//! `latchkey serve` as a child process: started on a free loopback port (it says where it
//! listens), its standard error collected, stopped with a signal or SIGKILL, never left running.
//! `http_client` speaks raw HTTP to it; `proxy` puts nginx or Caddy in front of it.
pub mod http_client;
pub mod proxy;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::Env;

/// How long the service may take to say it listens.
const START_TIMEOUT: Duration = Duration::from_secs(20);

pub struct Service {
    child: Child,
    pub addr: SocketAddr,
    log: Arc<Mutex<String>>,
}

/// How a stopped service ended.
#[derive(Debug)]
pub struct Stopped {
    pub code: Option<i32>,
    pub took: Duration,
    pub log: String,
}

impl Service {
    /// `latchkey serve --listen 127.0.0.1:0 ARGS` with extra environment; panics unless it
    /// starts listening.
    pub fn start(env: &Env, args: &[&str], vars: &[(&str, &str)]) -> Service {
        Service::try_start(env, args, vars)
            .unwrap_or_else(|stopped| panic!("latchkey serve did not start: {stopped:?}"))
    }

    /// As `start`, or how the process ended when it did not start listening.
    pub fn try_start(env: &Env, args: &[&str], vars: &[(&str, &str)]) -> Result<Service, Stopped> {
        let started = Instant::now();
        let mut command = env.command();
        command.arg("serve");
        if !args.contains(&"--listen") {
            command.args(["--listen", "127.0.0.1:0"]);
        }
        command.args(args).envs(vars.iter().copied());
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start latchkey serve");
        let stderr = child.stderr.take().expect("stderr pipe");
        let log = Arc::new(Mutex::new(String::new()));
        let (listening, address) = mpsc::channel();
        let collected = Arc::clone(&log);
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = collected.lock().unwrap_or_else(|e| e.into_inner());
                log.push_str(&line);
                log.push('\n');
                drop(log);
                if let Some(url) = line.split("listening on ").nth(1) {
                    let _ = listening.send(url.to_string());
                }
            }
        });
        let addr = match address.recv_timeout(START_TIMEOUT) {
            Ok(url) => url
                .rsplit("://")
                .next()
                .and_then(|a| a.parse::<SocketAddr>().ok())
                .unwrap_or_else(|| panic!("not an address: {url}")),
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().expect("reap latchkey serve");
                thread::sleep(Duration::from_millis(100));
                let log = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
                return Err(Stopped {
                    code: status.code(),
                    took: started.elapsed(),
                    log,
                });
            }
        };
        Ok(Service { child, addr, log })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What it wrote on standard error so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits up to 5 s for `text` to appear in the log (lines reach it through a pipe).
    pub fn logged(&self, text: &str) -> bool {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if self.log().contains(text) {
                return true;
            }
            thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Sends SIGTERM or SIGINT (`signal` as `kill` names it) and waits up to 10 s for the exit.
    pub fn stop_with(mut self, signal: &str) -> Stopped {
        let started = Instant::now();
        send_signal(self.pid(), signal);
        let code = loop {
            if let Some(status) = self.child.try_wait().expect("wait for latchkey serve") {
                break status.code();
            }
            if started.elapsed() > Duration::from_secs(10) {
                break None;
            }
            thread::sleep(Duration::from_millis(20));
        };
        let took = started.elapsed();
        // The reader thread ends with the pipe; give it a moment to take the last lines.
        thread::sleep(Duration::from_millis(100));
        Stopped {
            code,
            took,
            log: self.log(),
        }
    }

    /// kill -9.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `kill -SIGNAL PID` (the tests crate makes no system calls of its own).
pub fn send_signal(pid: u32, signal: &str) {
    let status = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{signal} {pid} failed");
}
