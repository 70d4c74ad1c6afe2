//! The store side of scripts/bench-serve: seeds N tokens straight through core (as seed_tokens
//! does, one transaction), then times in-process verifications of one of them, and writes
//! well-formed tokens that were never issued (for the flood) to a file.
//!
//! Usage: serve_bench STORE KEY_FILE USER N SYSTEM SECONDS UNKNOWN_FILE, with the password in
//! LATCHKEY_PASSWORD. Prints `name=value` lines: `seed_seconds`, `token` (a seeded, valid token
//! of USER), and per-verification microseconds `valid_us` (for SYSTEM, as the service asks),
//! `valid_anywhere_us` (no system, as core's criterion bench asks) and `unknown_us`.
use std::io::Write;
use std::time::{Duration, Instant};

use latchkey_core::VerifyRequest;
use latchkey_core::tokens::format;

/// Unknown tokens written for the flood's generator to cycle through.
const UNKNOWN_TOKENS: usize = 1_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, store, key, user, count, system, seconds, unknown_file] = args.as_slice() else {
        eprintln!(
            "usage: serve_bench STORE KEY_FILE USER N SYSTEM SECONDS UNKNOWN_FILE \
             (password in LATCHKEY_PASSWORD)"
        );
        std::process::exit(2);
    };
    let password = std::env::var("LATCHKEY_PASSWORD").unwrap_or_default();
    let count: usize = count.parse().expect("N is a number");
    let seconds: f64 = seconds.parse().expect("SECONDS is a number");
    let (mut authority, actor) =
        latchkey_tests::open_store_as(store.as_ref(), key.as_ref(), user, &password);

    let started = Instant::now();
    let secrets = authority
        .seed_tokens_for_benchmarks(actor, count)
        .expect("seed");
    println!("seed_seconds={:.1}", started.elapsed().as_secs_f64());
    let token = secrets[count / 2].expose().to_string();
    drop(secrets);
    println!("token={token}");

    let mut unknown = std::fs::File::create(unknown_file).expect("create the unknown-token file");
    for _ in 0..UNKNOWN_TOKENS {
        let secret = format::generate().expect("token");
        writeln!(unknown, "{}", secret.expose()).expect("write an unknown token");
    }
    let never_issued = format::generate().expect("token").expose().to_string();

    let for_system = VerifyRequest {
        system: Some(system),
        ..VerifyRequest::default()
    };
    let anywhere = VerifyRequest::default();
    // The first use writes last-used; later ones within the minute only read.
    let first = authority.verify(&token, &for_system).expect("verify");
    assert!(
        first.valid,
        "the seeded token is valid for {system}: {first:?}"
    );
    let budget = Duration::from_secs_f64(seconds);
    let cases = [
        ("valid_us", &token, &for_system, true),
        ("valid_anywhere_us", &token, &anywhere, true),
        ("unknown_us", &never_issued, &for_system, false),
    ];
    for (name, token, request, valid) in cases {
        println!(
            "{name}={:.2}",
            per_verification(&mut authority, token, request, valid, budget)
        );
    }
    authority.flush_audit().expect("write the denials");
}

/// Microseconds per verification: the median of ten slices of `budget`.
fn per_verification(
    authority: &mut latchkey_core::Authority,
    token: &str,
    request: &VerifyRequest<'_>,
    valid: bool,
    budget: Duration,
) -> f64 {
    let slice = budget / 10;
    let mut slices = Vec::new();
    for _ in 0..10 {
        let started = Instant::now();
        let mut done = 0u32;
        while started.elapsed() < slice {
            for _ in 0..100 {
                let outcome = authority.verify(token, request).expect("verify");
                assert_eq!(outcome.valid, valid);
            }
            done += 100;
        }
        slices.push(started.elapsed().as_secs_f64() * 1e6 / f64::from(done));
    }
    slices.sort_by(f64::total_cmp);
    (slices[4] + slices[5]) / 2.0
}
