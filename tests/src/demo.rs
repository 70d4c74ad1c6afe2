//! A realistic organisation, made through the real `latchkey` CLI: several accounts (one
//! deactivated) and groups, systems with direct and group grants, tokens in every state (active,
//! close to expiry, expired, revoked, narrowed to a system, used, a rotation in its grace period),
//! reminders due and a denied verification in the audit log. `scripts/run --demo` opens it (through
//! the `demo_store` example), `scripts/screenshots` photographs it, and the window tests that look
//! at every state start from it.
use crate::{Env, Output};

/// The administrator to sign in as; every demo account has the same password.
pub const DEMO_ADMIN: &str = "rosa";
pub const DEMO_MEMBER: &str = "bob";
pub const DEMO_PASSWORD: &str = "demo password, not a secret";
pub const DEMO_ORGANISATION: &str = "Acme Analytics";

const DAY: i64 = 86_400;
/// Everything made "before" was made this long ago (a debug build's clock shift), so some tokens
/// have expired and others are inside their reminder thresholds when the app starts.
const BEFORE: i64 = -40 * DAY;

/// What one demo step is: who acts, and when (now, or `BEFORE`).
struct Act<'a> {
    env: &'a Env,
    user: &'a str,
    shift: i64,
}

impl Act<'_> {
    fn run(&self, args: &[&str]) -> Output {
        let shift = self.shift.to_string();
        let out = self.env.run(
            args,
            &[
                ("LATCHKEY_USER", self.user),
                ("LATCHKEY_PASSWORD", DEMO_PASSWORD),
                ("LATCHKEY_NEW_PASSWORD", DEMO_PASSWORD),
                ("LATCHKEY_TEST_CLOCK_SHIFT", &shift),
            ],
            None,
        );
        assert_eq!(out.code, 0, "demo step {args:?} failed: {out:?}");
        out
    }

    /// Creates a token; returns (secret, id).
    fn token(&self, name: &str, extra: &[&str]) -> (String, String) {
        let mut args = vec!["--json", "tokens", "create", "--name", name];
        args.extend_from_slice(extra);
        let json = self.run(&args).json();
        (
            json["token"].as_str().expect("secret").to_string(),
            json["id"].as_str().expect("id").to_string(),
        )
    }
}

/// Fills `env`'s new store with the demo organisation.
pub fn seed(env: &Env) {
    let before = |user| Act {
        env,
        user,
        shift: BEFORE,
    };
    let now = |user| Act {
        env,
        user,
        shift: 0,
    };
    let admin = before(DEMO_ADMIN);
    admin.run(&[
        "init",
        "--org",
        DEMO_ORGANISATION,
        "--admin",
        DEMO_ADMIN,
        "--display-name",
        "Rosa Díaz",
    ]);
    for (user, name, role) in [
        (DEMO_MEMBER, "Bob Builder", None),
        ("chen", "Chen Wei", None),
        ("dana", "Dana Okafor", None),
        ("erik", "Erik Lund", Some("--admin")),
    ] {
        let mut args = vec!["users", "add", user, "--display-name", name];
        args.extend(role);
        admin.run(&args);
    }
    for (slug, name) in [
        ("web-api", "Web API"),
        ("billing", "Billing service"),
        ("docs-site", "Documentation site"),
        ("data-warehouse", "Data warehouse"),
        ("ci-runners", "CI runners"),
    ] {
        admin.run(&["systems", "onboard", slug, "--display-name", name]);
    }
    for (group, members, systems) in [
        (
            "platform",
            &["bob", "chen"][..],
            &["web-api", "billing", "ci-runners"][..],
        ),
        ("analytics", &["chen"][..], &["data-warehouse"][..]),
        ("docs", &["dana"][..], &["docs-site"][..]),
    ] {
        admin.run(&["groups", "add", group]);
        for member in members {
            admin.run(&["groups", "join", group, member]);
        }
        for system in systems {
            admin.run(&["groups", "grant", group, system]);
        }
    }
    admin.run(&["grant", DEMO_MEMBER, "docs-site"]);

    // Made 40 days ago: one expired, two inside their reminder thresholds, one a year long.
    admin.token("nightly backup (old)", &["--expires-in-days", "10"]);
    admin.token("release signing", &["--expires-in-days", "50"]);
    admin.token("docs publisher", &["--expires-in-days", "43"]);
    admin.token("laptop script", &[]);
    let (_, rotating) = admin.token("deploy key", &[]);
    before("dana").token("old laptop", &[]);

    let rosa = now(DEMO_ADMIN);
    let (deploy, _) = rosa.token("GitHub Actions deploy", &["--systems", "web-api"]);
    rosa.token("staging smoke tests", &["--expires-in-days", "12"]);
    rosa.token("metrics exporter", &["--expires-in-days", "90"]);
    let (leaked_secret, leaked) = rosa.token("leaked in a log", &["--expires-in-days", "200"]);
    rosa.run(&["tokens", "revoke", &leaked]);
    // Rotated with three days' grace: the old one works until then, or until the new one is used.
    rosa.run(&["tokens", "rotate", &rotating, "--grace-days", "3"]);
    let bob = now(DEMO_MEMBER);
    bob.token("bob's CI", &["--expires-in-days", "25"]);
    let (terraform, _) = bob.token("terraform plan", &["--systems", "web-api,billing"]);
    now("chen").token(
        "data export job",
        &["--systems", "data-warehouse", "--expires-in-days", "180"],
    );
    rosa.run(&["users", "deactivate", "dana"]);

    // Tools using tokens: "last used" times, and a denial (the revoked token tried) in the log.
    for (token, system) in [(&deploy, "web-api"), (&terraform, "billing")] {
        let out = env.verify(token, &["--system", system]);
        assert_eq!(out.code, 0, "demo verification: {out:?}");
    }
    let denied = env.verify(&leaked_secret, &["--system", "web-api"]);
    assert_eq!(denied.code, 1, "the revoked demo token: {denied:?}");
}

/// What issue 16 added to the demo organisation, for the window tests that look at every state:
/// a service account managed by `platform` (bob and chen) with two tokens bob made for it,
/// expiring together and noting where they are used, a token of rosa's with a usage note, and a
/// stale period of 30 days, so the tokens made 40 days ago and never used are stale.
pub fn seed_service_account(env: &Env) {
    let rosa = Act {
        env,
        user: DEMO_ADMIN,
        shift: 0,
    };
    rosa.run(&[
        "users",
        "add",
        DEMO_SERVICE,
        "--service",
        "--managed-by",
        "platform",
        "--display-name",
        "Deploy pipeline",
    ]);
    rosa.run(&["grant", DEMO_SERVICE, "web-api"]);
    rosa.run(&["settings", "set", "--stale-after-days", "30"]);
    rosa.token(
        "CI cache",
        &[
            "--usage-note",
            "GitLab CI variable CACHE_TOKEN in acme/data",
        ],
    );
    let bob = Act {
        env,
        user: DEMO_MEMBER,
        shift: 0,
    };
    for (name, note) in [
        (
            "release upload",
            "GitHub Actions secret DEPLOY_TOKEN in acme/web",
        ),
        ("nightly sync", "cron job on build-01"),
    ] {
        let extra = ["--owner", DEMO_SERVICE, "--expires-in-days", "20"];
        bob.token(name, &[&extra[..], &["--usage-note", note]].concat());
    }
}

/// The demo's service account (see `seed_service_account`).
pub const DEMO_SERVICE: &str = "ci-deploy";

/// One line saying how to sign in to the demo organisation.
pub fn sign_in_hint() -> String {
    format!(
        "Sign in as {DEMO_ADMIN} (administrator) or {DEMO_MEMBER} (member), \
         password \"{DEMO_PASSWORD}\"."
    )
}
