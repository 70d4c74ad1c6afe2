//! TLS with a certificate from a CA this test makes (curl checks it against that CA), and plain
//! HTTP refused off loopback.
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use latchkey_tests::serve::Service;
use latchkey_tests::serve::http_client::connect;
use latchkey_tests::serve::proxy::program;
use latchkey_tests::*;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

use super::fixture::Fixture;

/// Writes ca.pem, and cert.pem + key.pem for localhost and 127.0.0.1 signed by that CA.
fn test_ca(dir: &Path) {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Latchkey test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().expect("server key");
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let params = CertificateParams::new(names).expect("server params");
    let cert = params.signed_by(&key, &issuer).expect("server certificate");
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).expect("write ca.pem");
    std::fs::write(dir.join("cert.pem"), cert.pem()).expect("write cert.pem");
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).expect("write key.pem");
}

/// curl over HTTPS with the token given on standard input (never on the command line); the
/// response head, or curl's exit code when it failed.
fn curl(url: &str, ca: Option<&Path>, token: &str) -> Result<String, i32> {
    let mut command = Command::new(program("curl"));
    command.args([
        "--http1.1",
        "-sS",
        "-o",
        "/dev/null",
        "-D",
        "-",
        "-H",
        "@-",
        url,
    ]);
    if let Some(ca) = ca {
        command.arg("--cacert").arg(ca);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run curl");
    let header = format!("Authorization: Bearer {token}\n");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(header.as_bytes())
        .expect("send the header");
    let output = child.wait_with_output().expect("wait for curl");
    match output.status.code() {
        Some(0) => Ok(String::from_utf8_lossy(&output.stdout).into_owned()),
        code => Err(code.unwrap_or(-1)),
    }
}

#[test]
fn https_with_a_certificate_from_the_tests_ca() {
    let fixture = Fixture::new();
    let dir = fixture.env.dir.path();
    test_ca(dir);
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let args = [
        "--tls-cert",
        cert.to_str().expect("path"),
        "--tls-key",
        key.to_str().expect("path"),
    ];
    let service = fixture.serve(&args);
    assert!(
        service.log().contains("listening on https://127.0.0.1:"),
        "{}",
        service.log()
    );
    let port = service.addr.port();
    let url = format!("https://127.0.0.1:{port}/v1/verify?system=web");
    let ca = dir.join("ca.pem");
    let head = curl(&url, Some(&ca), &fixture.valid).expect("curl trusts the test CA");
    assert!(head.starts_with("HTTP/1.1 204"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("x-latchkey-owner: alice"),
        "{head}"
    );
    let localhost = format!("https://localhost:{port}/v1/verify?system=web");
    let head = curl(&localhost, Some(&ca), &fixture.revoked).expect("by name too");
    assert!(head.starts_with("HTTP/1.1 401"), "{head}");
    // Without the CA the certificate is not trusted (curl: 60).
    assert_eq!(curl(&url, None, &fixture.valid), Err(60));
    // Plain HTTP on the TLS port gets no HTTP answer.
    let mut plain = connect(service.addr);
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        .expect("send");
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer);
    assert!(
        !answer.starts_with(b"HTTP/"),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );
}

#[test]
fn plain_http_off_loopback_is_refused_at_start_with_one_clear_line() {
    let env = Env::initialised();
    let refused = Service::try_start(&env, &["--listen", "0.0.0.0:0"], &[])
        .err()
        .expect("refused");
    assert_eq!(refused.code, Some(2), "{refused:?}");
    let lines: Vec<&str> = refused.log.lines().collect();
    assert_eq!(lines.len(), 1, "{refused:?}");
    assert!(
        lines[0].contains("refusing to serve plain HTTP on 0.0.0.0:0"),
        "{refused:?}"
    );
    assert!(lines[0].contains("--tls-cert") && lines[0].contains("--insecure-plain-http"));
}

#[test]
fn unusable_tls_files_are_refused_at_start() {
    let env = Env::initialised();
    let dir = env.dir.path();
    std::fs::write(dir.join("cert.pem"), "not a certificate").expect("write");
    std::fs::write(dir.join("key.pem"), "not a key").expect("write");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let (cert, key) = (cert.to_str().expect("path"), key.to_str().expect("path"));
    let refused = Service::try_start(&env, &["--tls-cert", cert, "--tls-key", key], &[])
        .err()
        .expect("refused");
    assert_eq!(refused.code, Some(2), "{refused:?}");
    assert!(
        refused.log.contains("could not read the TLS certificate"),
        "{refused:?}"
    );
    // One without the other is a usage error.
    let half = Service::try_start(&env, &["--tls-cert", cert], &[])
        .err()
        .expect("refused");
    assert_eq!(half.code, Some(2), "{half:?}");
}
