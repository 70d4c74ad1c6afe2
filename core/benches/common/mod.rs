//! A store for benchmarks: an administrator `root`, a member `bob`, and seeded tokens.
#![allow(dead_code)] // Each bench uses part of it.
use std::sync::Arc;

use latchkey_core::{
    Actor, Authority, InitRequest, KeySource, NewAccount, Role, Secret, TestClock,
};

pub const PASSWORD: &str = "benchmark password";
pub const START: i64 = 1_767_225_600;

pub struct Store {
    pub _dir: tempfile::TempDir,
    pub authority: Authority,
    pub clock: TestClock,
    pub admin: Actor,
    pub bob: Actor,
}

impl Store {
    pub fn new() -> Store {
        let dir = tempfile::tempdir().expect("temporary folder");
        let request = InitRequest {
            organisation: "Bench",
            admin_username: "root",
            admin_display_name: None,
            admin_password: PASSWORD,
        };
        let clock = TestClock::at(START);
        let mut authority = Authority::init(
            &dir.path().join("store.db"),
            &KeySource::File(dir.path().join("key")),
            Arc::new(clock.clone()),
            &request,
        )
        .expect("init");
        let admin = authority.authenticate("root", PASSWORD).expect("sign in");
        let bob = NewAccount {
            username: "bob",
            display_name: None,
            role: Role::Member,
            password: PASSWORD,
        };
        authority.add_account(admin, &bob).expect("add bob");
        let bob = authority.authenticate("bob", PASSWORD).expect("bob");
        Store {
            _dir: dir,
            authority,
            clock,
            admin,
            bob,
        }
    }

    /// `count` tokens for `owner`, in one transaction.
    pub fn seed(&mut self, owner: Actor, count: usize) -> Vec<Secret> {
        self.authority
            .seed_tokens_for_benchmarks(owner, count)
            .expect("seed")
    }
}
