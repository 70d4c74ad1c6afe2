//! Sign-in throttling through the real CLI, one process per attempt (so every attempt is a
//! restart): 101 wrong passwords in a row never succeed, the wait grows, the 100th failure locks
//! the account until an administrator resets it, and the audit log has every attempt without the
//! password. Time moves through the debug-only LATCHKEY_TEST_CLOCK_SHIFT.
use latchkey_tests::*;

const WRONG: &str = "correct horse battery wrong";
/// Longer than the longest timed lock (15 minutes), so each attempt meets no lock.
const STEP: i64 = 1000;

#[test]
fn a_hundred_and_one_wrong_passwords_never_get_in_and_each_is_audited() {
    let env = Env::initialised();
    env.add_member("bob");
    let attempt = |shift: i64, password: &str| {
        let shift = shift.to_string();
        env.run(
            &["tokens", "list"],
            &[
                ("LATCHKEY_USER", "bob"),
                ("LATCHKEY_PASSWORD", password),
                ("LATCHKEY_TEST_CLOCK_SHIFT", &shift),
            ],
            None,
        )
    };
    let mut waits = Vec::new();
    let mut probes = 0;
    for n in 1..=101i64 {
        let out = attempt(n * STEP, WRONG);
        assert_eq!(out.code, 1, "attempt {n} got in: {out:?}");
        let line = out.one_line_error().to_string();
        if n <= 100 {
            assert!(
                line.contains("wrong username or password"),
                "attempt {n}: {line}"
            );
        } else {
            assert!(line.contains("administrator"), "attempt {n}: {line}");
        }
        // Right after some failures, even the right password meets the lock: how long is it?
        if [3, 6, 10, 13].contains(&n) {
            probes += 1;
            // A clock behind the last failure: the store's watermark pins "now" to that failure,
            // so the wait is the whole lock however slow this machine is.
            let locked = attempt(n * STEP - STEP / 2, MEMBER_PASSWORD);
            assert_eq!(locked.code, 1, "{locked:?}");
            // stderr also warns that the clock is behind the store's time.
            let wait: i64 = locked
                .stderr
                .trim_end()
                .split("try again in ")
                .nth(1)
                .and_then(|rest| rest.trim_end_matches(" s").parse().ok())
                .unwrap_or_else(|| panic!("no wait in {locked:?}"));
            waits.push(wait);
        }
    }
    // 2^(n−3) seconds from the last failure, at most 15 minutes.
    assert_eq!(waits, [1, 8, 128, 900]);
    // Locked for good: the right password, a day later, still fails until a reset.
    let later = attempt(102 * STEP + 86_400, MEMBER_PASSWORD);
    assert_eq!(later.code, 1);
    assert!(
        later.one_line_error().contains("administrator"),
        "{later:?}"
    );

    let audit = env
        .as_admin(&["--json", "audit", "--action", "signin.failed"])
        .ok();
    let events = audit.json();
    let events = events.as_array().expect("audit events");
    assert_eq!(
        events.len(),
        101 + probes + 1,
        "one event per refused attempt"
    );
    assert!(!audit.stdout.contains(WRONG) && !audit.stdout.contains(MEMBER_PASSWORD));
    let csv = env.as_admin(&["audit", "--csv"]).ok();
    assert!(!csv.stdout.contains(WRONG));
}
