//! Real reverse proxies in front of `latchkey serve`: nginx (`auth_request`) and Caddy
//! (`forward_auth`), each started as a plain process on a loopback port with its own
//! configuration and folders (no system service), and a tiny upstream that records what reached
//! it. All of them are stopped when dropped.
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// A port free on loopback now (the proxies need a fixed port in their configuration).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A program installed by the test prerequisites (scripts/lib/prerequisites.sh).
pub fn program(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/bin".into()])
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!("{name} is not installed; scripts/lib/prerequisites.sh installs it (apt)")
        })
}

/// Headers of one request the upstream received (names lower-case).
pub type Headers = Vec<(String, String)>;

/// Answers every request `200 upstream ok` and records its headers.
pub struct Upstream {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Headers>>>,
    stop: Arc<AtomicBool>,
}

impl Upstream {
    pub fn start() -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the upstream");
        let addr = listener.local_addr().expect("upstream address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (recorded, stopping) = (Arc::clone(&seen), Arc::clone(&stop));
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    answer(stream, &recorded);
                }
            }
        });
        Upstream { addr, seen, stop }
    }

    /// The headers of the latest request that reached the upstream.
    pub fn last(&self) -> Option<Headers> {
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .last()
            .cloned()
    }

    pub fn requests(&self) -> usize {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// The value of a header the upstream saw.
pub fn header<'a>(headers: &'a Headers, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Records the request's headers (before answering, so a test that got the answer sees them),
/// then answers.
fn answer(stream: TcpStream, recorded: &Mutex<Vec<Headers>>) -> Option<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream);
    let mut headers = Vec::new();
    let mut first = true;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if !std::mem::take(&mut first) {
            let (name, value) = line.split_once(':')?;
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    recorded
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(headers);
    let body = "upstream ok";
    let reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    reader.get_mut().write_all(reply.as_bytes()).ok()
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so the thread ends.
        let _ = TcpStream::connect(self.addr);
    }
}

/// A proxy process in a private folder, killed (and reaped) when dropped.
pub struct Proxy {
    child: Child,
    pub addr: SocketAddr,
    pub dir: tempfile::TempDir,
}

impl Proxy {
    /// nginx with `auth_request` against the service for `system`, passing the owner on in
    /// `X-Latchkey-Owner` and keeping the token from the upstream. One process
    /// (`master_process off`), so nothing outlives a kill.
    pub fn nginx(service: SocketAddr, upstream: SocketAddr, system: &str) -> Proxy {
        let dir = tempfile::tempdir().expect("nginx folder");
        let port = free_port();
        let d = dir.path().display();
        let config = format!(
            "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log off;\n\
               client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
               fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n\
               scgi_temp_path {d}/scgi;\n\
               server {{\n    listen 127.0.0.1:{port};\n\
                 location / {{\n      auth_request /_latchkey;\n\
                   auth_request_set $latchkey_owner $upstream_http_x_latchkey_owner;\n\
                   proxy_set_header X-Latchkey-Owner $latchkey_owner;\n\
                   proxy_set_header Authorization \"\";\n\
                   proxy_pass http://{upstream};\n    }}\n\
                 location = /_latchkey {{\n      internal;\n\
                   proxy_pass http://{service}/v1/verify?system={system};\n\
                   proxy_pass_request_body off;\n\
                   proxy_set_header Content-Length \"\";\n    }}\n  }}\n}}\n"
        );
        let conf = dir.path().join("nginx.conf");
        std::fs::write(&conf, config).expect("write nginx.conf");
        let mut command = Command::new(program("nginx"));
        command.arg("-p").arg(dir.path()).arg("-c").arg(&conf);
        Proxy::start(command, dir, port, "error.log")
    }

    /// Caddy with `forward_auth` against the service for `system`, copying `X-Latchkey-Owner`
    /// to the upstream request.
    pub fn caddy(service: SocketAddr, upstream: SocketAddr, system: &str) -> Proxy {
        let dir = tempfile::tempdir().expect("caddy folder");
        let port = free_port();
        let d = dir.path().display();
        let config = format!(
            "{{\n  admin off\n  auto_https off\n\
               storage file_system {d}/storage\n}}\n\
             http://:{port} {{\n  bind 127.0.0.1\n  route {{\n\
                 forward_auth {service} {{\n      uri /v1/verify?system={system}\n\
                   copy_headers X-Latchkey-Owner\n    }}\n\
                 request_header -Authorization\n\
                 reverse_proxy {upstream}\n  }}\n}}\n"
        );
        let file = dir.path().join("Caddyfile");
        std::fs::write(&file, config).expect("write the Caddyfile");
        let mut command = Command::new(program("caddy"));
        command
            .args(["run", "--adapter", "caddyfile", "--config"])
            .arg(&file)
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_CONFIG_HOME", dir.path().join("config"));
        Proxy::start(command, dir, port, "caddy.log")
    }

    fn start(mut command: Command, dir: tempfile::TempDir, port: u16, log: &str) -> Proxy {
        let output = std::fs::File::create(dir.path().join(log)).expect("the proxy's log");
        let errors = output.try_clone().expect("the proxy's log");
        command.stdin(Stdio::null()).stdout(output).stderr(errors);
        let child = command.spawn().expect("start the proxy");
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let mut proxy = Proxy { child, addr, dir };
        proxy.wait_listening(log);
        proxy
    }

    fn wait_listening(&mut self, log: &str) {
        let started = Instant::now();
        while TcpStream::connect(self.addr).is_err() {
            let exited = self.child.try_wait().expect("check the proxy");
            if exited.is_some() || started.elapsed() > Duration::from_secs(15) {
                panic!("the proxy did not start ({exited:?}): {}", self.read(log));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// A file of the proxy's folder (its log), for failure messages.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    fn path(&self, name: &str) -> PathBuf {
        Path::new(self.dir.path()).join(name)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
