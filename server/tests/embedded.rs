//! The library as the app uses it: `start` on the caller's runtime, port 0, requests through a
//! real socket, `shutdown` within 5 s with the pending denials written.
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use latchkey_core::platform::paths::StoreLocation;
use latchkey_core::{
    Authority, InitRequest, KeySource, NewToken, SystemClock, TokenScope, audit::AuditFilter,
};
use latchkey_server::{ServeConfig, ServerError, start};

const PASSWORD: &str = "root password that is long";

/// A store with one administrator and one token of theirs.
fn store(dir: &std::path::Path) -> (StoreLocation, String) {
    let location = StoreLocation {
        path: dir.join("store.db"),
        key: KeySource::File(dir.join("key")),
    };
    let request = InitRequest {
        organisation: "Acme",
        admin_username: "root",
        admin_display_name: None,
        admin_password: PASSWORD,
    };
    let clock = Arc::new(SystemClock);
    let mut authority =
        Authority::init(&location.path, &location.key, clock, &request).expect("init");
    let actor = authority.authenticate("root", PASSWORD).expect("sign in");
    let new = NewToken {
        name: "embedded".into(),
        ..NewToken::default()
    };
    let issued = authority.create_token(actor, &new).expect("a token");
    (location, issued.secret.expose().to_string())
}

/// One request on its own connection; the status code.
fn status(addr: SocketAddr, target: &str, token: &str) -> u16 {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer[9..12].parse().expect("a status")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn started_on_the_callers_runtime_and_stopped_within_5_seconds() {
    let dir = tempfile::tempdir().expect("a folder");
    let (location, token) = store(dir.path());
    let mut config = ServeConfig::new(location.clone());
    config.listen = "127.0.0.1:0".parse().expect("an address");
    let server = start(config).await.expect("started");
    let addr = server.local_addr();
    assert_ne!(addr.port(), 0);
    assert_eq!(server.url(), format!("http://{addr}"));
    let unknown = latchkey_core::tokens::format::encode(&[9; 32]);
    let unknown = unknown.expose().to_string();
    let answers = tokio::task::spawn_blocking(move || {
        let valid = status(addr, "/v1/verify?system=any&action=onboard", &token);
        let denied = status(addr, "/v1/verify?system=any", &unknown);
        (valid, denied)
    })
    .await
    .expect("requests");
    assert_eq!(answers, (204, 401));
    let started = Instant::now();
    server.shutdown().await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(TcpStream::connect(addr).is_err(), "still listening");
    // The denial waiting for its batch was written at the stop.
    let clock = Arc::new(SystemClock);
    let mut authority = Authority::open(&location.path, &location.key, clock).expect("open");
    let admin = authority.authenticate("root", PASSWORD).expect("sign in");
    let filter = AuditFilter {
        action: Some("verify.denied".into()),
        ..AuditFilter::default()
    };
    let denials = authority.audit_events(admin, &filter).expect("audit");
    assert_eq!(denials.len(), 1, "{denials:?}");
    let tokens = authority
        .list_tokens(admin, &TokenScope::Mine)
        .expect("tokens");
    assert!(
        tokens[0].last_used_at.is_some(),
        "the valid use was recorded"
    );
}

#[tokio::test]
async fn a_broken_setup_is_refused_before_anything_listens() {
    let dir = tempfile::tempdir().expect("a folder");
    let location = StoreLocation {
        path: dir.path().join("missing.db"),
        key: KeySource::File(dir.path().join("key")),
    };
    let mut config = ServeConfig::new(location);
    config.listen = "127.0.0.1:0".parse().expect("an address");
    assert!(matches!(
        start(config.clone()).await,
        Err(ServerError::Core(_))
    ));
    config.listen = "0.0.0.0:0".parse().expect("an address");
    let refused = start(config).await.expect_err("plain HTTP off loopback");
    assert!(
        matches!(refused, ServerError::PlainHttpOffLoopback(_)),
        "{refused}"
    );
}
