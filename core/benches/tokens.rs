//! Creating, revoking and listing tokens (SPEC §8: listing 10 000 tokens under 20 ms in core).
//! Run with `cargo bench -p latchkey-core --bench tokens`.
mod common;

use std::time::{Duration, Instant};

use common::Store;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use latchkey_core::{NewToken, TokenScope};

fn write(c: &mut Criterion) {
    let mut group = c.benchmark_group("tokens");
    let mut store = Store::new();
    let bob = store.bob;
    let request = NewToken {
        name: "ci".into(),
        expires_in_days: None,
        systems: None,
        ..NewToken::default()
    };
    // Each is one durable transaction (synchronous=FULL: an fsync) with its audit event.
    group.bench_function("create", |b| {
        b.iter(|| store.authority.create_token(bob, &request).expect("create"))
    });
    group.bench_function("revoke", |b| {
        b.iter_custom(|iterations| {
            let ids: Vec<String> = (0..iterations)
                .map(|_| {
                    store
                        .authority
                        .create_token(bob, &request)
                        .expect("create")
                        .token
                        .id
                })
                .collect();
            let start = Instant::now();
            for id in &ids {
                store.authority.revoke_token(bob, id).expect("revoke");
            }
            start.elapsed()
        })
    });
    group.finish();
}

fn list(c: &mut Criterion) {
    let mut group = c.benchmark_group("list");
    group.measurement_time(Duration::from_secs(10));
    let mut store = Store::new();
    let (admin, bob) = (store.admin, store.bob);
    store.seed(bob, 10_000);
    store.seed(admin, 90_000);
    for (name, actor, scope, count) in [
        ("own", bob, TokenScope::Mine, 10_000),
        ("organisation", admin, TokenScope::All, 100_000),
    ] {
        let page = |limit| {
            store
                .authority
                .list_tokens_page(actor, &scope, 0, limit)
                .expect("list")
        };
        assert_eq!(page(None).len(), count);
        group.bench_function(
            BenchmarkId::new(format!("{name}/first_page_of_50"), count),
            |b| b.iter(|| page(Some(50))),
        );
        group.bench_function(BenchmarkId::new(format!("{name}/full"), count), |b| {
            b.iter(|| page(None))
        });
    }
    group.finish();
}

criterion_group!(benches, write, list);
criterion_main!(benches);
