//! Sign-in next to a bare argon2id verification with the same parameters (SPEC §8: sign-in
//! within 10 % of argon2id). Run with `cargo bench -p latchkey-core --bench signin`.
mod common;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use common::{PASSWORD, Store};
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use latchkey_core::accounts::password::{ITERATIONS, MEMORY_KIB, PARALLELISM};

fn signin(c: &mut Criterion) {
    let mut group = c.benchmark_group("signin");
    group.sample_size(20);
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).expect("params");
    let pepper = [7u8; 32];
    let argon = Argon2::new_with_secret(&pepper, Algorithm::Argon2id, Version::V0x13, params)
        .expect("argon2");
    let salt = SaltString::encode_b64(&[1u8; 16]).expect("salt");
    let stored = argon
        .hash_password(PASSWORD.as_bytes(), &salt)
        .expect("hash")
        .to_string();
    group.bench_function("bare_argon2id_verify", |b| {
        b.iter(|| {
            let parsed = PasswordHash::new(&stored).expect("phc");
            argon.verify_password(PASSWORD.as_bytes(), &parsed).is_ok()
        })
    });
    let mut store = Store::new();
    // What the CLI does per command: look up, check the backoff, verify the hash.
    group.bench_function("authenticate", |b| {
        b.iter(|| {
            store
                .authority
                .authenticate("bob", PASSWORD)
                .expect("sign in")
        })
    });
    // What the app does: the same, plus recording the sign-in (a durable write and its audit).
    group.bench_function("app_sign_in", |b| {
        b.iter(|| store.authority.sign_in("bob", PASSWORD).expect("sign in"))
    });
    group.finish();
    paired(&argon, &stored, &mut store);
}

/// The three measured in turn, 60 times over: each pair shares the machine's state of the
/// moment, so the ratio survives the drift of a shared host that moves separate benchmarks by
/// 10–30 %. Prints the medians and the median of the per-round ratios.
fn paired(argon: &Argon2<'_>, stored: &str, store: &mut Store) {
    const ROUNDS: usize = 60;
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        f();
        start.elapsed().as_secs_f64() * 1000.0
    };
    let (mut bare, mut check, mut app) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        bare.push(time(&mut || {
            let parsed = PasswordHash::new(stored).expect("phc");
            assert!(argon.verify_password(PASSWORD.as_bytes(), &parsed).is_ok());
        }));
        check.push(time(&mut || {
            store
                .authority
                .authenticate("bob", PASSWORD)
                .expect("sign in");
        }));
        app.push(time(&mut || {
            store.authority.sign_in("bob", PASSWORD).expect("sign in");
        }));
    }
    let ratio = |path: &[f64]| {
        let ratios: Vec<f64> = path.iter().zip(&bare).map(|(p, b)| p / b - 1.0).collect();
        median(ratios) * 100.0
    };
    println!(
        "signin/paired ({ROUNDS} rounds): bare argon2id median {:.1} ms; authenticate {:.1} ms \
            ({:+.1} %); app sign-in {:.1} ms ({:+.1} %) (median per-round ratios)",
        median(bare.clone()),
        median(check.clone()),
        ratio(&check),
        median(app.clone()),
        ratio(&app)
    );
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

criterion_group!(benches, signin);
criterion_main!(benches);
