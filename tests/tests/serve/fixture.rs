//! One store with a token in every state, and the service over it.
use latchkey_tests::serve::Service;
use latchkey_tests::*;

/// The services run two days ahead of the CLI, so the one-day token is expired for them.
pub const CLOCK_SHIFT: (&str, &str) = ("LATCHKEY_TEST_CLOCK_SHIFT", "172800");

/// alice (member, granted `web`), carol (member, no grant), dave (granted `web`, then
/// deactivated); systems `web` and `db`.
pub struct Fixture {
    pub env: Env,
    /// alice's, valid for `web`.
    pub valid: String,
    pub valid_id: String,
    /// carol's: valid, but no access to `web`.
    pub no_access: String,
    /// alice's, revoked.
    pub revoked: String,
    /// alice's, expiring after one day.
    pub expired: String,
    /// dave's, whose account is deactivated.
    pub deactivated: String,
    /// Well-formed (checksum holds) but never issued.
    pub unknown: String,
    /// Not a token at all.
    pub malformed: String,
}

impl Fixture {
    pub fn new() -> Fixture {
        let env = Env::initialised();
        for member in ["alice", "carol", "dave"] {
            env.add_member(member);
        }
        for system in ["web", "db"] {
            env.as_admin(&["systems", "onboard", system]).ok();
        }
        env.as_admin(&["grant", "alice", "web"]).ok();
        env.as_admin(&["grant", "dave", "web"]).ok();
        let (valid, valid_id) = env.create_token("alice", MEMBER_PASSWORD, &[]);
        let (revoked, revoked_id) = env.create_token("alice", MEMBER_PASSWORD, &[]);
        env.as_user("alice", MEMBER_PASSWORD, &["tokens", "revoke", &revoked_id])
            .ok();
        let one_day = ["--expires-in-days", "1"];
        let (expired, _) = env.create_token("alice", MEMBER_PASSWORD, &one_day);
        let (no_access, _) = env.create_token("carol", MEMBER_PASSWORD, &[]);
        let (deactivated, _) = env.create_token("dave", MEMBER_PASSWORD, &[]);
        env.as_admin(&["users", "deactivate", "dave"]).ok();
        let unknown = latchkey_core::tokens::format::encode(&[7; 32])
            .expose()
            .to_string();
        Fixture {
            env,
            valid,
            valid_id,
            no_access,
            revoked,
            expired,
            deactivated,
            unknown,
            malformed: "lk_notatoken".into(),
        }
    }

    /// The service over this store, two days ahead, with debug logging.
    pub fn serve(&self, args: &[&str]) -> Service {
        let debug = ("LATCHKEY_LOG", "debug");
        Service::start(&self.env, args, &[CLOCK_SHIFT, debug])
    }

    /// Every token of the fixture (for checks that none leaked).
    pub fn all_tokens(&self) -> Vec<String> {
        [
            &self.valid,
            &self.no_access,
            &self.revoked,
            &self.expired,
            &self.deactivated,
            &self.unknown,
        ]
        .map(String::clone)
        .to_vec()
    }

    /// Audit events stored, counting one with a count as one row.
    pub fn audit_rows(&self) -> i64 {
        let store = rusqlite::Connection::open(&self.env.db).expect("open the store");
        store
            .query_row("SELECT count(*) FROM audit_events", [], |r| r.get(0))
            .expect("count audit events")
    }

    /// Denials recorded for a reason, each counted as often as its count says.
    pub fn denials(&self, reason: &str) -> i64 {
        let store = rusqlite::Connection::open(&self.env.db).expect("open the store");
        store
            .query_row(
                "SELECT coalesce(sum(count), 0) FROM audit_events
                 WHERE action = 'verify.denied' AND details LIKE '%' || ?1 || '%'",
                [format!("\"reason\":\"{reason}\"")],
                |r| r.get(0),
            )
            .expect("count denials")
    }

    /// The 429 answers recorded as `verify.rate_limited` events: (events, answers counted).
    pub fn rate_limited(&self) -> (i64, i64) {
        let store = rusqlite::Connection::open(&self.env.db).expect("open the store");
        store
            .query_row(
                "SELECT count(*), coalesce(sum(count), 0) FROM audit_events
                 WHERE action = 'verify.rate_limited' AND target = '127.0.0.1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("count rate-limited events")
    }
}
