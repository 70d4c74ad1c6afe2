//! The access check ("may this account reach this system now?") for an account in 20 groups
//! that together hold 1 000 grants. Run with `cargo bench -p latchkey-core --bench access`.
mod common;

use common::Store;
use criterion::{Criterion, criterion_group, criterion_main};

fn access(c: &mut Criterion) {
    let mut store = Store::new();
    let admin = store.admin;
    let a = &mut store.authority;
    for system in 0..1_001 {
        a.onboard_system(admin, &format!("system-{system}"), None)
            .expect("on-board");
    }
    for group in 0..20 {
        let name = format!("group-{group}");
        a.add_group(admin, &name).expect("group");
        a.set_group_member(admin, &name, "bob", true)
            .expect("member");
        for system in (group * 50)..(group * 50 + 50) {
            a.set_group_grant(admin, &name, &format!("system-{system}"), true)
                .expect("grant");
        }
    }
    let mut group = c.benchmark_group("access");
    // Granted through the last group; and system-1000, granted to nobody (every path tried).
    for (name, slug, expected) in [
        ("granted", "system-999", true),
        ("not_granted", "system-1000", false),
    ] {
        assert_eq!(a.may_access("bob", slug).expect("check"), expected);
        group.bench_function(name, |b| {
            b.iter(|| a.may_access("bob", slug).expect("check"))
        });
    }
    group.finish();
}

criterion_group!(benches, access);
criterion_main!(benches);
