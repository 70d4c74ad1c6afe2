//! Sign-in next to a bare argon2id verification with the same parameters (SPEC §8: sign-in
//! within 10 % of argon2id). Run with `cargo bench -p latchkey-core --bench signin`.
mod common;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use common::{PASSWORD, Store};
use criterion::{Criterion, criterion_group, criterion_main};
use latchkey_core::password::{ITERATIONS, MEMORY_KIB, PARALLELISM};

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
}

criterion_group!(benches, signin);
criterion_main!(benches);
