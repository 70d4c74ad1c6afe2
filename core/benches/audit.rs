//! A flood of unknown tokens (SPEC §2 "Audit log": denials are written in batches, identical
//! ones within a second as one event with a count, so a flood cannot become a flood of disk
//! syncs). First one accounted pass: 10 000 random well-formed unknown tokens through the
//! in-process API, then every denial is looked for in the audit log (the events' counts must add
//! up to 10 000) and the disk syncs are counted: each write transaction that carried denials is
//! one commit, i.e. one fsync of the write-ahead log under `synchronous=FULL` (nothing else
//! writes during the pass: unknown tokens record no last use). Then criterion times one denial.
//! Run with `cargo bench -p latchkey-core --bench audit`.
mod common;

use std::time::Instant;

use common::{START, Store};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use latchkey_core::VerifyRequest;
use latchkey_core::audit::AuditFilter;
use latchkey_core::tokens::format as token_format;

const FLOOD: usize = 10_000;

fn unknown_tokens(n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            token_format::generate()
                .expect("token")
                .expose()
                .to_string()
        })
        .collect()
}

/// The denials the log accounts for: the sum of the `verify.denied` events' counts, and how many
/// events hold them.
fn denials_in_log(store: &Store) -> (i64, usize) {
    let events = store
        .authority
        .audit_events(
            store.admin,
            &AuditFilter {
                action: Some("verify.denied".into()),
                ..AuditFilter::default()
            },
        )
        .expect("audit");
    (events.iter().map(|e| e.count).sum(), events.len())
}

fn flood(c: &mut Criterion) {
    let mut store = Store::new();
    let tokens = unknown_tokens(FLOOD);
    let request = VerifyRequest::default();
    let before = store.authority.audit_stats().denial_transactions;
    let started = Instant::now();
    for token in &tokens {
        // The clock follows the wall clock, so "within one second" means what it says.
        store
            .clock
            .set(START + i64::try_from(started.elapsed().as_secs()).unwrap_or(0));
        let answer = store.authority.verify(token, &request).expect("verify");
        assert!(!answer.valid);
    }
    store.authority.flush_audit().expect("flush");
    let elapsed = started.elapsed();
    let syncs = store.authority.audit_stats().denial_transactions - before;
    let (accounted, events) = denials_in_log(&store);
    assert_eq!(accounted, FLOOD as i64, "every denial is in the log");
    let report = store.authority.verify_audit_chain().expect("chain");
    assert!(report.intact(), "{report:?}");
    println!(
        "audit/flood: {FLOOD} unknown tokens in {:.1} ms ({:.1} µs each); the log accounts for \
         {accounted} denials in {events} events; {syncs} write transactions (disk syncs) = {:.4} \
         syncs per denial; chain intact",
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e6 / FLOOD as f64,
        syncs as f64 / FLOOD as f64,
    );

    let mut group = c.benchmark_group("audit");
    group.throughput(Throughput::Elements(1));
    let mut next = tokens.iter().cycle();
    group.bench_function("denied_unknown_token", |b| {
        b.iter(|| {
            let token = next.next().expect("cycle");
            store.authority.verify(token, &request).expect("verify")
        })
    });
    group.finish();
    store.authority.flush_audit().expect("flush");
    let stats = store.authority.audit_stats();
    println!(
        "audit/denied_unknown_token: {} write transactions carried denials over the whole run",
        stats.denial_transactions
    );
}

criterion_group!(benches, flood);
criterion_main!(benches);
