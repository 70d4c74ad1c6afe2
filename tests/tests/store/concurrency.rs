//! SPEC §7.2: four `latchkey` processes and one in-process writer each make 500 mixed writes
//! (create, revoke, on-board, grant) at the same time on one store, while a fifth process
//! verifies in a loop. Nothing fails with "database is locked" or busy, and the final counts are
//! the sum of what each writer reported.
use std::sync::atomic::{AtomicBool, Ordering};

use latchkey_core::{NewToken, TokenScope};
use latchkey_tests::*;

const WRITES: usize = 500;
const CLI_WRITERS: usize = 4;

/// What one writer did.
#[derive(Debug, Default, Clone, Copy)]
struct Done {
    created: usize,
    revoked: usize,
    onboarded: usize,
    granted: usize,
}

fn cli_writer(env: &Env, writer: usize) -> Done {
    let mut done = Done::default();
    let mut last_token: Option<String> = None;
    for i in 0..WRITES {
        let system = format!("w{writer}-s{i}");
        let out = match i % 4 {
            0 => {
                let out = env.as_admin(&[
                    "--json",
                    "tokens",
                    "create",
                    "--name",
                    &format!("w{writer}-{i}"),
                ]);
                if out.code == 0 {
                    last_token = out.json()["id"].as_str().map(str::to_string);
                    done.created += 1;
                }
                out
            }
            1 => {
                let id = last_token.take().expect("a token to revoke");
                let out = env.as_admin(&["tokens", "revoke", &id]);
                done.revoked += usize::from(out.code == 0);
                out
            }
            2 => {
                let out = env.as_admin(&["systems", "onboard", &system]);
                done.onboarded += usize::from(out.code == 0);
                out
            }
            _ => {
                let onboarded = format!("w{writer}-s{}", i - 1);
                let out = env.as_admin(&["grant", "bob", &onboarded]);
                done.granted += usize::from(out.code == 0);
                out
            }
        };
        assert_eq!(out.code, 0, "writer {writer}, write {i}: {out:?}");
        assert!(
            !out.stderr.contains("locked") && !out.stderr.contains("busy"),
            "{out:?}"
        );
    }
    done
}

fn in_process_writer(env: &Env) -> Done {
    let (mut authority, admin) = env.core_as_admin();
    let mut done = Done::default();
    let mut last_token = None;
    for i in 0..WRITES {
        let system = format!("core-s{i}");
        match i % 4 {
            0 => {
                let request = NewToken {
                    name: format!("core-{i}"),
                    expires_in_days: None,
                    systems: None,
                    ..NewToken::default()
                };
                last_token = Some(
                    authority
                        .create_token(admin, &request)
                        .expect("create")
                        .token
                        .id,
                );
                done.created += 1;
            }
            1 => {
                let id = last_token.take().expect("a token to revoke");
                authority.revoke_token(admin, &id).expect("revoke");
                done.revoked += 1;
            }
            2 => {
                authority
                    .onboard_system(admin, &system, None)
                    .expect("on-board");
                done.onboarded += 1;
            }
            _ => {
                authority
                    .grant(admin, "bob", &format!("core-s{}", i - 1))
                    .expect("grant");
                done.granted += 1;
            }
        }
    }
    done
}

#[test]
fn five_writers_and_a_verifier_at_once_lose_nothing_and_never_meet_a_lock() {
    let env = Env::initialised();
    env.add_member("bob");
    let (verified_token, _) = env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "verified"]);
    let stop = AtomicBool::new(false);
    let (totals, verifications) = std::thread::scope(|scope| {
        let verifier = scope.spawn(|| {
            let mut count = 0;
            while !stop.load(Ordering::SeqCst) {
                let out = env.verify(&verified_token, &[]);
                assert_eq!(out.code, 0, "verification {count}: {out:?}");
                count += 1;
            }
            count
        });
        let cli: Vec<_> = (0..CLI_WRITERS)
            .map(|w| {
                let env = &env;
                scope.spawn(move || cli_writer(env, w))
            })
            .collect();
        let core = scope.spawn(|| in_process_writer(&env));
        let mut totals = vec![core.join().expect("in-process writer")];
        totals.extend(cli.into_iter().map(|h| h.join().expect("CLI writer")));
        stop.store(true, Ordering::SeqCst);
        (totals, verifier.join().expect("verifier"))
    });
    let sum = |f: fn(&Done) -> usize| totals.iter().map(f).sum::<usize>();
    let writers = 1 + CLI_WRITERS;
    assert_eq!(
        sum(|d| d.created + d.revoked + d.onboarded + d.granted),
        writers * WRITES
    );

    let (mut authority, admin) = env.core_as_admin();
    let tokens = authority
        .list_tokens(admin, &TokenScope::All)
        .expect("list");
    assert_eq!(
        tokens.len(),
        1 + sum(|d| d.created),
        "the verified token plus every create"
    );
    let revoked = tokens.iter().filter(|t| t.revoked_at.is_some()).count();
    assert_eq!(revoked, sum(|d| d.revoked));
    let systems = authority.systems(admin).expect("systems").len();
    assert_eq!(systems, sum(|d| d.onboarded));
    let bob = authority.authenticate("bob", MEMBER_PASSWORD).expect("bob");
    let granted = authority.my_systems(bob).expect("bob's systems").len();
    assert_eq!(granted, sum(|d| d.granted));
    assert!(verifications > 0);
    println!(
        "{writers} writers × {WRITES} writes ({} creates, {} revokes, {} on-boards, {} grants) \
         and {verifications} verifications at once",
        sum(|d| d.created),
        sum(|d| d.revoked),
        sum(|d| d.onboarded),
        sum(|d| d.granted)
    );
}
