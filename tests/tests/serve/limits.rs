//! The limits of SPEC §5 with raw sockets: 8 KiB of headers, 16 KiB of body, 30 s idle, a
//! bounded number of connections, no token in a URL, bad bytes, HTTP/1.0 and pipelining.
use std::io::{BufReader, Write};
use std::thread;
use std::time::{Duration, Instant};

use latchkey_tests::serve::http_client::{
    closed_within, connect, exchange, get, post_form, read_reply, request, verify,
};
use latchkey_tests::*;

use super::fixture::Fixture;

/// Longer than the 30 s a connection may idle.
const LONGER: Duration = Duration::from_secs(40);

#[test]
fn headers_over_8_kib_are_refused_and_under_it_served() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    let token = Some(fixture.valid.as_str());
    let small = format!("X-Padding: {}", "a".repeat(6 * 1024));
    let reply = exchange(
        service.addr,
        &request("GET", "/v1/verify?system=web", token, &[&small], b""),
    );
    assert_eq!(reply.status, 204, "{reply:?}");
    let big = format!("X-Padding: {}", "a".repeat(9 * 1024));
    let reply = exchange(
        service.addr,
        &request("GET", "/v1/verify?system=web", token, &[&big], b""),
    );
    assert_eq!(reply.status, 431, "{reply:?}");
    let many: Vec<String> = (0..200).map(|i| format!("X-H{i}: v")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let reply = exchange(service.addr, &request("GET", "/healthz", None, &many, b""));
    assert_eq!(reply.status, 431, "{reply:?}");
}

#[test]
fn bodies_over_16_kib_are_refused() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    let token = Some(fixture.valid.as_str());
    let form = "application/x-www-form-urlencoded";
    let content_type = format!("Content-Type: {form}");
    let big = format!(
        "token={}&system=web&pad={}",
        fixture.valid,
        "a".repeat(17 * 1024)
    );
    let reply = exchange(
        service.addr,
        &request(
            "POST",
            "/v1/introspect",
            token,
            &[&content_type],
            big.as_bytes(),
        ),
    );
    assert_eq!(reply.status, 413, "{reply:?}");
    // The same without a length: chunks, cut off at the limit.
    let mut raw = format!(
        "POST /v1/introspect HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {}\r\n\
         {content_type}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        fixture.valid
    )
    .into_bytes();
    for _ in 0..20 {
        raw.extend_from_slice(format!("400\r\n{}\r\n", "a".repeat(1024)).as_bytes());
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    let reply = exchange(service.addr, &raw);
    assert_eq!(reply.status, 413, "{reply:?}");
    // A body on the verify endpoint is not read, but a huge one is refused all the same.
    let reply = exchange(
        service.addr,
        &request(
            "POST",
            "/v1/verify?system=web",
            token,
            &[],
            &vec![b'a'; 20 * 1024],
        ),
    );
    assert_eq!(reply.status, 413, "{reply:?}");
}

#[test]
fn idle_and_slow_connections_are_cut_after_30_seconds() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    let addr = service.addr;
    let started = Instant::now();
    // Silent from the start.
    let silent = thread::spawn(move || closed_within(&mut connect(addr), LONGER));
    // Idle after one answered request on a kept-alive connection.
    let token = fixture.valid.clone();
    let idle = thread::spawn(move || {
        let mut stream = connect(addr);
        let head = format!(
            "GET /v1/verify?system=web HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).expect("send");
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let first = read_reply(&mut reader, false)
            .expect("read")
            .expect("a reply");
        assert_eq!(first.status, 204);
        closed_within(&mut stream, LONGER)
    });
    // Headers dribbled a byte every two seconds never finish in time.
    let slow = thread::spawn(move || {
        let mut stream = connect(addr);
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\n")
            .expect("send");
        for _ in 0..30 {
            thread::sleep(Duration::from_secs(2));
            let quick = Duration::from_millis(10);
            if stream.write_all(b"X").is_err() || closed_within(&mut stream, quick) {
                return true;
            }
        }
        false
    });
    for (name, handle) in [("silent", silent), ("idle", idle), ("slow", slow)] {
        assert!(
            handle.join().expect("no panic"),
            "{name} connection was not closed"
        );
    }
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(29) && took < Duration::from_secs(40),
        "{took:?}"
    );
}

/// Reads whatever the connection still holds; true when it ends within `wait` of the last byte.
fn drained_and_closed(stream: &mut std::net::TcpStream, wait: Duration) -> bool {
    use std::io::Read;
    stream.set_read_timeout(Some(wait)).expect("read timeout");
    let mut buffer = [0u8; 64 * 1024];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) => {
                return matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
                );
            }
        }
    }
}

#[test]
fn a_client_that_stops_reading_its_answers_loses_the_connection() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    let mut stream = connect(service.addr);
    // Far more answers than the socket buffers hold, and never a read: the service's writes
    // stall. (If it waited for ever, reading later would let it go on answering instead.)
    let mut writer = stream.try_clone().expect("clone");
    thread::spawn(move || {
        let one = request("GET", "/metrics", None, &[], b"");
        writer
            .set_write_timeout(Some(LONGER))
            .expect("write timeout");
        for _ in 0..40_000 {
            if writer.write_all(&one).is_err() {
                return;
            }
        }
    });
    thread::sleep(Duration::from_secs(36));
    assert!(
        drained_and_closed(&mut stream, Duration::from_secs(5)),
        "a connection whose answers were not read for 36 s is still open"
    );
}

#[test]
fn one_address_cannot_hold_every_connection() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    let held: Vec<_> = (0..64).map(|_| connect(service.addr)).collect();
    thread::sleep(Duration::from_millis(300));
    let mut one_more = connect(service.addr);
    assert!(
        closed_within(&mut one_more, Duration::from_secs(5)),
        "a 65th connection from one address was kept"
    );
    drop(held);
    thread::sleep(Duration::from_millis(300));
    assert_eq!(get(service.addr, "/healthz", None).status, 200);
}

#[test]
fn a_bounded_number_of_connections_is_served_at_once() {
    let fixture = Fixture::new();
    let service = fixture.serve(&["--max-connections", "2"]);
    let held: Vec<_> = (0..2).map(|_| connect(service.addr)).collect();
    thread::sleep(Duration::from_millis(200));
    // The third connects (the kernel's backlog) but is not served while two are open.
    let mut third = connect(service.addr);
    third
        .set_read_timeout(Some(Duration::from_secs(1)))
        .expect("timeout");
    third
        .write_all(&request("GET", "/healthz", None, &[], b""))
        .expect("send");
    let mut reader = BufReader::new(third.try_clone().expect("clone"));
    assert!(
        read_reply(&mut reader, false).is_err(),
        "served beyond the limit"
    );
    drop(held);
    third
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let reply = read_reply(&mut reader, false)
        .expect("read")
        .expect("a reply");
    assert_eq!(reply.status, 200);
}

#[test]
fn a_token_in_the_query_string_is_refused_and_never_logged() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    let token = &fixture.valid;
    for target in [
        format!("/v1/verify?system=web&token={token}"),
        format!("/v1/verify?system=web&access_token={token}"),
        format!("/v1/verify?system=web&t={token}"),
        format!("/v1/verify?system=web&t={}", token.replacen('_', "%5F", 1)),
        format!("/healthz?{token}"),
    ] {
        assert_eq!(get(service.addr, &target, None).status, 400, "{target}");
        // Even alongside a valid bearer token.
        assert_eq!(
            get(service.addr, &target, Some(token)).status,
            400,
            "{target}"
        );
    }
    let intro = format!("/v1/introspect?token={token}&system=web");
    let content_type = "Content-Type: application/x-www-form-urlencoded";
    let reply = exchange(
        service.addr,
        &request("POST", &intro, Some(token), &[content_type], b"x=1"),
    );
    assert_eq!(reply.status, 400);
    assert!(
        service.logged("token in its query string"),
        "{}",
        service.log()
    );
    let log = service.log();
    assert_eq!(
        leaks(log.as_bytes(), &fixture.all_tokens()),
        None,
        "a token in the log: {log}"
    );
}

#[test]
fn bad_utf8_anywhere_is_refused_without_harm() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    let raw = b"GET /v1/verify?system=web HTTP/1.1\r\nHost: t\r\n\
        Authorization: Bearer lk_\xff\xfe\r\nConnection: close\r\n\r\n";
    assert_eq!(exchange(service.addr, raw).status, 401);
    assert_eq!(
        get(
            service.addr,
            "/v1/verify?system=%FF%FE",
            Some(&fixture.valid)
        )
        .status,
        400
    );
    let raw_path = b"GET /v1/verify?system=w\xffb HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    assert_eq!(exchange(service.addr, raw_path).status, 400);
    let form = "token=%FF%FE&system=web";
    let reply = post_form(service.addr, "/v1/introspect", Some(&fixture.valid), form);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), serde_json::json!({"active": false}));
    // Still serving.
    assert_eq!(
        verify(service.addr, "web", Some(&fixture.valid)).status,
        204
    );
}

#[test]
fn http_1_0_is_answered_in_kind_and_closed() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    let mut stream = connect(service.addr);
    let head = format!(
        "GET /v1/verify?system=web HTTP/1.0\r\nAuthorization: Bearer {}\r\n\r\n",
        fixture.valid
    );
    stream.write_all(head.as_bytes()).expect("send");
    let mut reader = BufReader::new(stream);
    let reply = read_reply(&mut reader, false)
        .expect("read")
        .expect("a reply");
    assert_eq!(
        (reply.version.as_str(), reply.status),
        ("HTTP/1.0", 204),
        "{reply:?}"
    );
    assert_eq!(reply.header("x-latchkey-owner"), Some("alice"));
    assert!(
        read_reply(&mut reader, false).expect("read").is_none(),
        "not closed"
    );
    let healthz = exchange(service.addr, b"GET /healthz HTTP/1.0\r\n\r\n");
    assert_eq!(
        (healthz.version.as_str(), healthz.status),
        ("HTTP/1.0", 200)
    );
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    let mut stream = connect(service.addr);
    let one = |token: &str| {
        format!(
            "GET /v1/verify?system=web HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\n\r\n"
        )
    };
    let all = format!(
        "{}{}GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n{}\
         HEAD /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        one(&fixture.valid),
        one(&fixture.revoked),
        one(&fixture.no_access),
    );
    stream.write_all(all.as_bytes()).expect("send all at once");
    let mut reader = BufReader::new(stream);
    let mut statuses = Vec::new();
    for head_only in [false, false, false, false, true] {
        let reply = read_reply(&mut reader, head_only)
            .expect("read")
            .expect("a reply");
        statuses.push(reply.status);
    }
    assert_eq!(statuses, [204, 401, 200, 403, 200]);
    assert!(
        read_reply(&mut reader, false).expect("read").is_none(),
        "closed after the last"
    );
}
