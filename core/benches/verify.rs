//! `verify` in-process with 1 000 and 100 000 tokens stored (SPEC §8: ≥ 100 000 per second per
//! core at 100 000). Run with `cargo bench -p latchkey-core --bench verify`.
use std::sync::Arc;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use latchkey_core::{Authority, InitRequest, KeySource, TestClock, VerifyRequest, token_format};

struct Store {
    _dir: tempfile::TempDir,
    authority: Authority,
    valid: String,
}

fn store_with(tokens: usize) -> Store {
    let dir = tempfile::tempdir().expect("temporary folder");
    let request = InitRequest {
        organisation: "Bench",
        admin_username: "root",
        admin_display_name: None,
        admin_password: "benchmark password",
    };
    let clock = Arc::new(TestClock::at(1_767_225_600));
    let mut authority = Authority::init(
        &dir.path().join("store.db"),
        &KeySource::File(dir.path().join("key")),
        clock,
        &request,
    )
    .expect("init");
    let admin = authority
        .authenticate("root", "benchmark password")
        .expect("sign in");
    let secrets = authority
        .seed_tokens_for_benchmarks(admin, tokens)
        .expect("seed");
    let valid = secrets[tokens / 2].expose().to_string();
    Store {
        _dir: dir,
        authority,
        valid,
    }
}

fn verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    for tokens in [1_000, 100_000] {
        let mut store = store_with(tokens);
        let request = VerifyRequest::default();
        // The first use writes last-used; the clock stands still, so later ones only read.
        assert!(
            store
                .authority
                .verify(&store.valid, &request)
                .expect("verify")
                .valid
        );
        group.bench_with_input(BenchmarkId::new("valid", tokens), &tokens, |b, _| {
            b.iter(|| {
                store
                    .authority
                    .verify(&store.valid, &request)
                    .expect("verify")
            })
        });
        let malformed = format!("{}x", &store.valid[..51]);
        group.bench_with_input(BenchmarkId::new("malformed", tokens), &tokens, |b, _| {
            b.iter(|| {
                store
                    .authority
                    .verify(&malformed, &request)
                    .expect("verify")
            })
        });
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
