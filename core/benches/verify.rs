//! `verify` in-process with 1 000, 100 000 and 1 000 000 tokens stored (SPEC §8: ≥ 100 000 per
//! second per core at 100 000), for each outcome a caller meets. Run with `cargo bench -p
//! latchkey-core --bench verify`.
mod common;

use common::Store;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use latchkey_core::VerifyRequest;
use latchkey_core::tokens::format as token_format;

/// Stored-token counts; LATCHKEY_BENCH_TOKENS=100000 measures one (seeding a million takes a
/// while, and a profile should not include it).
fn sizes() -> Vec<usize> {
    match std::env::var("LATCHKEY_BENCH_TOKENS") {
        Ok(list) => list
            .split(',')
            .filter_map(|n| n.trim().parse().ok())
            .collect(),
        Err(_) => vec![1_000, 100_000, 1_000_000],
    }
}

fn verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    for tokens in sizes() {
        let mut store = Store::new();
        store
            .authority
            .onboard_system(store.admin, "billing", None)
            .expect("on-board");
        let bob = store.bob;
        let secrets = store.seed(bob, tokens);
        let valid = secrets[tokens / 2].expose().to_string();
        let revoked = secrets[tokens / 3].expose().to_string();
        let revoked_id = store
            .authority
            .list_tokens_page(
                bob,
                &latchkey_core::TokenScope::Mine,
                tokens - tokens / 3 - 1,
                Some(1),
            )
            .expect("list")[0]
            .id
            .clone();
        store
            .authority
            .revoke_token(bob, &revoked_id)
            .expect("revoke");
        let unknown = token_format::generate()
            .expect("token")
            .expose()
            .to_string();
        let malformed = format!("{}x", &valid[..51]);
        let anywhere = VerifyRequest::default();
        let billing = VerifyRequest {
            system: Some("billing"),
            ..VerifyRequest::default()
        };
        // The first use writes last-used; the clock stands still, so later ones only read.
        assert!(
            store
                .authority
                .verify(&valid, &anywhere)
                .expect("verify")
                .valid
        );
        let cases = [
            ("valid", &valid, &anywhere),
            ("unknown", &unknown, &anywhere),
            ("revoked", &revoked, &anywhere),
            ("no_access", &valid, &billing),
            ("malformed", &malformed, &anywhere),
        ];
        for (name, token, request) in cases {
            let outcome = store.authority.verify(token, request).expect("verify");
            assert_eq!(outcome.valid, name == "valid", "{name}: {outcome:?}");
            group.bench_with_input(BenchmarkId::new(name, tokens), &tokens, |b, _| {
                b.iter(|| store.authority.verify(token, request).expect("verify"))
            });
        }
    }
    group.finish();
}

fn parse(c: &mut Criterion) {
    let token = token_format::generate().expect("token");
    c.bench_function("token_format/is_well_formed", |b| {
        b.iter(|| token_format::is_well_formed(token.expose()))
    });
}

criterion_group!(benches, verify, parse);
criterion_main!(benches);
