//! Sign-in throttling through the real CLI, one process per attempt (so every attempt is a
//! restart): 101 wrong passwords in a row never succeed, the wait grows, the 100th failure locks
//! the account until an administrator resets it, and the audit log has every attempt without the
//! password. After 3 failures, of 16 processes started together at most one has its password
//! checked, while parallel right passwords all get in. An unknown username gets the very same
//! answers and is audited as `(unknown)`, never as typed. Time moves through the debug-only
//! LATCHKEY_TEST_CLOCK_SHIFT.
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

/// `attempts` runs of `latchkey tokens list` as `user` with `password`, started together.
fn parallel(env: &Env, user: &str, password: &str, shift: i64, attempts: usize) -> Vec<Output> {
    let shift = shift.to_string();
    let children: Vec<_> = (0..attempts)
        .map(|_| {
            let mut command = env.command();
            command
                .args(["tokens", "list"])
                .env("LATCHKEY_USER", user)
                .env("LATCHKEY_PASSWORD", password)
                .env("LATCHKEY_TEST_CLOCK_SHIFT", &shift)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            command.spawn().expect("start latchkey")
        })
        .collect();
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().expect("wait for latchkey");
            Output {
                code: output.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            }
        })
        .collect()
}

/// The `signin.failed` events of the audit log as (actor, details).
fn failed_signins(env: &Env) -> Vec<(String, serde_json::Value)> {
    let audit = env
        .as_admin(&["--json", "audit", "--action", "signin.failed"])
        .ok();
    audit
        .json()
        .as_array()
        .expect("audit events")
        .iter()
        .map(|e| {
            let details = e["details"].as_str().unwrap_or_default();
            (
                e["actor"].as_str().unwrap_or_default().to_string(),
                serde_json::from_str(details).unwrap_or(serde_json::Value::Null),
            )
        })
        .collect()
}

#[test]
fn sixteen_parallel_wrong_passwords_after_three_failures_get_one_check() {
    let env = Env::initialised();
    env.add_member("alice");
    for n in 1..=3 {
        let out = env.as_user("alice", WRONG, &["tokens", "list"]);
        assert_eq!(out.code, 1, "{out:?}");
        assert!(
            out.one_line_error().contains("wrong username or password"),
            "attempt {n}: {out:?}"
        );
    }
    // Move the store's time 10 s on (the lock of the third failure lasts 1 s), then run the 16
    // attempts with a clock behind it: each sees that same "now", however long they take.
    env.run(
        &["systems", "onboard", "web"],
        &[
            ("LATCHKEY_USER", ADMIN),
            ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
            ("LATCHKEY_TEST_CLOCK_SHIFT", "10"),
        ],
        None,
    )
    .ok();
    let outs = parallel(&env, "alice", WRONG, -STEP, 16);
    let checked = outs
        .iter()
        .filter(|o| o.stderr.contains("wrong username or password"))
        .count();
    let locked = outs
        .iter()
        .filter(|o| {
            o.stderr
                .contains("too many failed sign-ins; try again in 2 s")
        })
        .count();
    assert!(outs.iter().all(|o| o.code == 1), "{outs:?}");
    assert_eq!((checked, locked), (1, 15), "{outs:?}");

    // The audit log: failures 1, 2, 3, 4 and nothing past the lock; the 15 refusals saw 4.
    let events: Vec<_> = failed_signins(&env)
        .into_iter()
        .filter(|(actor, _)| actor == "alice")
        .map(|(_, details)| details)
        .collect();
    let counted: Vec<i64> = events
        .iter()
        .filter(|d| d["reason"] == "wrong password")
        .filter_map(|d| d["consecutive"].as_i64())
        .collect();
    assert_eq!(counted, [1, 2, 3, 4], "{events:?}");
    let refused: Vec<i64> = events
        .iter()
        .filter(|d| d["reason"] == "locked")
        .filter_map(|d| d["consecutive"].as_i64())
        .collect();
    assert_eq!(refused, [4; 15], "{events:?}");
}

#[test]
fn an_unknown_username_gets_the_same_answers_and_is_audited_as_unknown() {
    const TYPED: &str = "hunter2-my-password-typed-here";
    // Two stores, one per name, so each sees exactly the same times.
    let known = Env::initialised();
    known.add_member("alice");
    let unknown = Env::initialised();
    unknown.add_member("alice");
    // Each attempt at a fixed time (now + shift), not the wall clock moved by the shift: how long
    // a command takes must not decide whether a one-second lock has passed.
    let start = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64;
    let attempt = |env: &Env, user: &str, shift: i64| {
        let at = (start + shift).to_string();
        env.run(
            &["tokens", "list"],
            &[
                ("LATCHKEY_USER", user),
                ("LATCHKEY_PASSWORD", WRONG),
                ("LATCHKEY_TEST_CLOCK_AT", &at),
            ],
            None,
        )
    };
    let mut answers = Vec::new();
    for n in 1..=6i64 {
        // Past any lock, then again at once: with a clock behind the store's time, "now" is
        // that failure's time, so the wait shown is the whole lock (and 100 s behind is too
        // little for the clock warning, whose figure would depend on this machine's speed).
        for shift in [n * STEP, n * STEP - 100] {
            let a = attempt(&known, "alice", shift);
            let b = attempt(&unknown, TYPED, shift);
            assert_eq!(
                (a.code, a.stderr.lines().collect::<Vec<_>>()),
                (b.code, b.stderr.lines().collect::<Vec<_>>()),
                "step {n}, shift {shift}"
            );
            assert_eq!(a.code, 1, "{a:?}");
            answers.push(a.stderr.lines().last().unwrap_or_default().to_string());
        }
    }
    // A quiet day later an unknown name's counter is pruned and an account's has lapsed: the
    // two still answer alike, failure for failure.
    let later = 6 * STEP + 25 * 3600;
    for shift in [later, later + 1, later + 2, later + 3, later + 4] {
        let a = attempt(&known, "alice", shift);
        let b = attempt(&unknown, TYPED, shift);
        assert_eq!(
            (a.code, a.stderr.lines().collect::<Vec<_>>()),
            (b.code, b.stderr.lines().collect::<Vec<_>>()),
            "a day later, shift {shift}"
        );
        answers.push(a.stderr.lines().last().unwrap_or_default().to_string());
    }
    for wait in [1, 2, 4, 8] {
        let line = format!("too many failed sign-ins; try again in {wait} s");
        assert!(
            answers.iter().any(|a| a.ends_with(&line)),
            "{line} missing from {answers:?}"
        );
    }

    let events = failed_signins(&unknown);
    assert_eq!(events.len(), answers.len(), "{events:?}");
    assert!(
        events.iter().all(|(actor, _)| actor == "(unknown)"),
        "{events:?}"
    );
    for args in [&["--json", "audit"][..], &["audit", "--csv"]] {
        let export = unknown.as_admin(args).ok();
        assert!(export.stdout.contains("(unknown)"), "{export:?}");
        assert!(
            !export.stdout.to_lowercase().contains("hunter2"),
            "{export:?}"
        );
    }
    for (path, bytes) in unknown.store_files() {
        assert!(
            !bytes.windows(7).any(|w| w.eq_ignore_ascii_case(b"hunter2")),
            "the typed name is in {path:?}"
        );
    }
}

#[test]
fn parallel_right_passwords_all_get_in() {
    let env = Env::initialised();
    env.add_member("alice");
    // Each attempt counts as in flight until answered; those that would meet a lock should the
    // others fail wait for their answers instead of being refused.
    let outs = parallel(&env, "alice", MEMBER_PASSWORD, 0, 8);
    assert!(outs.iter().all(|o| o.code == 0), "{outs:?}");
    let failed = failed_signins(&env);
    assert!(failed.is_empty(), "{failed:?}");
}

#[test]
fn a_sign_in_that_changes_nothing_leaves_the_store_as_it_was() {
    let env = Env::initialised();
    env.add_member("alice");
    let before = env.store_files();
    // A clock ahead of the store's time: the sign-in does not move the store's watermark either.
    env.run(
        &["tokens", "list"],
        &[
            ("LATCHKEY_USER", "alice"),
            ("LATCHKEY_PASSWORD", MEMBER_PASSWORD),
            ("LATCHKEY_TEST_CLOCK_SHIFT", "100"),
        ],
        None,
    )
    .ok();
    assert!(
        env.store_files() == before,
        "a read-only command changed the store"
    );
}
