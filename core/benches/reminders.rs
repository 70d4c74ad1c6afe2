//! Computing due reminders over 100 000 tokens: the reminder loop's check and the pure rule.
//! Run with `cargo bench -p latchkey-core --bench reminders`.
mod common;

use common::Store;
use criterion::{Criterion, criterion_group, criterion_main};
use latchkey_core::clock::DAY;
use latchkey_core::reminders::{Delivered, ReminderCandidate, ReminderKind, ReminderScope, due};

fn reminders(c: &mut Criterion) {
    let mut group = c.benchmark_group("reminders");
    let mut store = Store::new();
    let bob = store.bob;
    store.seed(bob, 100_000);
    // 360 days on: every token is 5 days from expiry, so each has a reminder due.
    store.clock.advance(360 * DAY);
    let due_now = store
        .authority
        .reminders_due(ReminderScope::Everyone)
        .expect("due");
    // Each is due its 7-day expiry reminder (all 100 000 expire together) and, unused for 360
    // days, its stale reminder.
    let expiry = due_now
        .iter()
        .filter(|r| r.kind == ReminderKind::Expiry)
        .count();
    assert_eq!((expiry, due_now.len()), (100_000, 200_000));
    group.bench_function("due_from_store/100000", |b| {
        b.iter(|| {
            store
                .authority
                .reminders_due(ReminderScope::Everyone)
                .expect("due")
        })
    });
    let candidates: Vec<ReminderCandidate> = (0..100_000)
        .map(|i| ReminderCandidate {
            token_row: i,
            token_id: format!("tok_{i:016x}"),
            token_name: format!("token {i}"),
            owner: "bob".into(),
            owner_id: 2,
            created_at: 0,
            expires_at: 365 * DAY + i,
            usage_note: None,
            managed_by: None,
        })
        .collect();
    let schedule = [30, 14, 7, 3, 1, 0];
    group.bench_function("due_rule_only/100000", |b| {
        b.iter(|| due(360 * DAY, &candidates, &Delivered::new(), &schedule))
    });
    group.finish();
}

criterion_group!(benches, reminders);
criterion_main!(benches);
