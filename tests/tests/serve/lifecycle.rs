//! Stopping: SIGTERM and SIGINT stop accepting, answer what is in flight, write pending audit
//! events and exit 0 within 5 s. kill -9 under load loses nothing the CLI acknowledged, and the
//! store stays sound for the next start.
use std::io::{BufReader, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use latchkey_tests::serve::http_client::{connect, read_reply, verify};
use latchkey_tests::serve::send_signal;
use latchkey_tests::*;

use super::fixture::Fixture;

#[test]
fn a_stop_signal_answers_in_flight_requests_writes_pending_denials_and_exits_0() {
    for signal in ["TERM", "INT"] {
        let fixture = Fixture::new();
        let service = fixture.serve(&[]);
        for _ in 0..3 {
            assert_eq!(
                verify(service.addr, "web", Some(&fixture.unknown)).status,
                401
            );
        }
        // An introspection whose body is half sent when the signal comes.
        let form = format!("token={}&system=web", fixture.valid);
        let (first, rest) = form.split_at(20);
        let mut in_flight = connect(service.addr);
        let head = format!(
            "POST /v1/introspect HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{first}",
            fixture.valid,
            form.len()
        );
        in_flight
            .write_all(head.as_bytes())
            .expect("send the start");
        thread::sleep(Duration::from_millis(200));
        let (addr, pid) = (service.addr, service.pid());
        send_signal(pid, signal);
        thread::sleep(Duration::from_millis(300));
        assert!(
            std::net::TcpStream::connect(addr).is_err(),
            "still accepting after SIG{signal}"
        );
        in_flight.write_all(rest.as_bytes()).expect("send the rest");
        let mut reader = BufReader::new(in_flight);
        let reply = read_reply(&mut reader, false)
            .expect("read")
            .expect("answered");
        assert_eq!(reply.status, 200, "{reply:?}");
        assert_eq!(reply.json()["sub"], "alice");
        let stopped = service.stop_with(signal);
        assert_eq!(stopped.code, Some(0), "SIG{signal}: {stopped:?}");
        assert!(
            stopped.took < Duration::from_secs(5),
            "SIG{signal}: {stopped:?}"
        );
        assert!(stopped.log.contains("stopped"), "{stopped:?}");
        assert_eq!(
            fixture.denials("unknown"),
            3,
            "pending denials written at SIG{signal}"
        );
    }
}

#[test]
fn kill_9_under_load_loses_nothing_acknowledged_and_the_service_starts_again() {
    let fixture = Fixture::new();
    let env = &fixture.env;
    let service = fixture.serve(&[]);
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let load: Vec<_> = [
        fixture.valid.clone(),
        fixture.unknown.clone(),
        fixture.revoked.clone(),
    ]
    .into_iter()
    .map(|token| {
        let (stop, answered, addr) = (Arc::clone(&stop), Arc::clone(&answered), service.addr);
        thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                // Refused or reset once the service is killed: keep trying until told to stop.
                let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
                    thread::sleep(Duration::from_millis(5));
                    continue;
                };
                let one = format!(
                    "GET /v1/verify?system=web HTTP/1.1\r\nHost: t\r\n\
                         Authorization: Bearer {token}\r\n\r\n"
                );
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                while !stop.load(Ordering::SeqCst) && stream.write_all(one.as_bytes()).is_ok() {
                    match read_reply(&mut reader, false) {
                        Ok(Some(_)) => answered.fetch_add(1, Ordering::SeqCst),
                        _ => break,
                    };
                }
            }
        })
    })
    .collect();
    // Writes the CLI acknowledges while the service is busy.
    let mut created = Vec::new();
    let mut revoked = Vec::new();
    for _ in 0..3 {
        created.push(env.create_token("alice", MEMBER_PASSWORD, &[]));
        let (token, id) = env.create_token("alice", MEMBER_PASSWORD, &[]);
        env.as_user("alice", MEMBER_PASSWORD, &["tokens", "revoke", &id])
            .ok();
        revoked.push(token);
    }
    assert!(
        answered.load(Ordering::SeqCst) > 100,
        "the service was under load"
    );
    service.kill();
    thread::sleep(Duration::from_millis(200));
    stop.store(true, Ordering::SeqCst);
    for thread in load {
        thread.join().expect("no panic");
    }
    let doctor = env.run(&["doctor"], &[], None);
    assert_eq!(doctor.code, 0, "{doctor:?}");
    assert!(doctor.stdout.contains("integrity: ok"), "{doctor:?}");
    let service = fixture.serve(&[]);
    for (token, _) in &created {
        assert_eq!(verify(service.addr, "web", Some(token)).status, 204);
    }
    for token in &revoked {
        assert_eq!(verify(service.addr, "web", Some(token)).status, 401);
    }
    assert_eq!(
        env.as_admin(&["audit", "verify"]).code,
        0,
        "the audit chain holds"
    );
}
