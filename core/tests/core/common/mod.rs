//! A fresh store in a temporary folder, with a key file and a test clock.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use latchkey_core::clock::DAY;
use latchkey_core::{
    Actor, Authority, InitRequest, IssuedToken, KeySource, NewAccount, NewToken, Role, TestClock,
    Verification, VerifyRequest,
};

pub const ADMIN_PASSWORD: &str = "admin password that is long";
pub const MEMBER_PASSWORD: &str = "member password that is long";
/// 2026-01-01T00:00:00Z
pub const START: i64 = 1_767_225_600;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub clock: TestClock,
    pub authority: Authority,
    pub admin: Actor,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let clock = TestClock::at(START);
        let request = InitRequest {
            organisation: "Acme",
            admin_username: "root",
            admin_display_name: Some("Root Admin"),
            admin_password: ADMIN_PASSWORD,
        };
        let mut authority = Authority::init(
            &dir.path().join("store.db"),
            &KeySource::File(dir.path().join("key")),
            Arc::new(clock.clone()),
            &request,
        )
        .unwrap();
        let admin = authority.authenticate("root", ADMIN_PASSWORD).unwrap();
        Fixture {
            dir,
            clock,
            authority,
            admin,
        }
    }

    /// A fixture whose tokens never turn stale within their year (stale reminders set to the
    /// longest period), for tests about expiry reminders alone.
    pub fn expiry_reminders_only() -> Fixture {
        let mut f = Fixture::new();
        let mut settings = f.authority.settings().unwrap();
        settings.stale_after_days = 730;
        f.authority.update_settings(f.admin, &settings).unwrap();
        f
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("store.db")
    }

    pub fn key_source(&self) -> KeySource {
        KeySource::File(self.dir.path().join("key"))
    }

    /// Opens the same store again, as a restart would.
    pub fn reopen(&mut self) {
        self.authority = Authority::open(
            &self.db_path(),
            &self.key_source(),
            Arc::new(self.clock.clone()),
        )
        .unwrap();
    }

    pub fn member(&mut self, name: &str) -> Actor {
        let new = NewAccount {
            username: name,
            display_name: None,
            role: Role::Member,
            password: MEMBER_PASSWORD,
        };
        self.authority.add_account(self.admin, &new).unwrap();
        self.authority.authenticate(name, MEMBER_PASSWORD).unwrap()
    }

    pub fn system(&mut self, slug: &str) {
        self.authority
            .onboard_system(self.admin, slug, None)
            .unwrap();
    }

    pub fn token(&mut self, actor: Actor, name: &str) -> IssuedToken {
        self.authority
            .create_token(
                actor,
                &NewToken {
                    name: name.into(),
                    ..NewToken::default()
                },
            )
            .unwrap()
    }

    pub fn token_for(
        &mut self,
        actor: Actor,
        name: &str,
        days: i64,
        systems: Option<&[&str]>,
    ) -> IssuedToken {
        let request = NewToken {
            name: name.into(),
            expires_in_days: Some(days),
            systems: systems.map(|s| s.iter().map(|x| x.to_string()).collect()),
            ..NewToken::default()
        };
        self.authority.create_token(actor, &request).unwrap()
    }

    pub fn verify(&mut self, token: &IssuedToken, system: Option<&str>) -> Verification {
        let request = VerifyRequest {
            system,
            ..VerifyRequest::default()
        };
        self.authority
            .verify(token.secret.expose(), &request)
            .unwrap()
    }

    pub fn reason(&mut self, token: &IssuedToken, system: Option<&str>) -> Option<&'static str> {
        self.verify(token, system).reason.map(|r| r.as_str())
    }

    /// A token as the administrator's lists show it now.
    pub fn info(&self, id: &str) -> latchkey_core::TokenInfo {
        self.authority
            .list_tokens(self.admin, &latchkey_core::TokenScope::All)
            .unwrap()
            .into_iter()
            .find(|t| t.id == id)
            .unwrap()
    }

    pub fn advance_days(&self, days: i64) {
        self.clock.advance(days * DAY);
    }

    pub fn audit_actions(&self) -> Vec<String> {
        self.authority
            .audit_events(self.admin, &Default::default())
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect()
    }
}
