//! SPEC §6.1 through the CLI: 100 tokens created, and no token (nor any 16-character piece of
//! one) in the store's files, the audit export, or anything printed on standard error.
use latchkey_tests::*;

#[test]
fn no_token_or_piece_of_one_reaches_the_store_files_audit_or_stderr() {
    let env = Env::initialised();
    env.as_admin(&["systems", "onboard", "web"]).ok();
    // Keep the write-ahead log alive while the CLI writes, so its content can be searched too.
    let holder = keep_wal_open(&env.db);
    let mut tokens = Vec::new();
    let mut stderr = String::new();
    for i in 0..100 {
        let name = format!("token {i}");
        let mut args = vec!["tokens", "create", "--name", &name];
        if i % 3 == 0 {
            args.extend_from_slice(&["--systems", "web"]);
        }
        let out = env.as_admin(&args).ok();
        let token = out.stdout.trim().to_string();
        assert_eq!(token.len(), 52);
        stderr.push_str(&out.stderr);
        // Verify some, fail some, revoke some: every path that sees a secret.
        let verified = env.verify(&token, &["--system", "web"]);
        stderr.push_str(&verified.stderr);
        stderr.push_str(&verified.stdout);
        tokens.push(token);
    }
    let listed = env.as_admin(&["--json", "tokens", "list"]).ok();
    for token in listed.json().as_array().unwrap().iter().take(10) {
        let out = env
            .as_admin(&["tokens", "revoke", token["id"].as_str().unwrap()])
            .ok();
        stderr.push_str(&out.stderr);
    }
    for token in &tokens {
        stderr.push_str(&env.verify(token, &[]).stderr);
    }
    let wal_exists = env
        .store_files()
        .iter()
        .any(|(path, _)| path.to_string_lossy().ends_with("-wal"));
    assert!(wal_exists, "the write-ahead log should be there to search");
    let search_store_files = || {
        for (path, bytes) in env.store_files() {
            assert_eq!(
                leaks(&bytes, &tokens),
                None,
                "a token piece is in {}",
                path.display()
            );
        }
    };
    search_store_files();
    // Closing the last connection checkpoints the log into the database file: search that too.
    drop(holder);
    search_store_files();
    let csv = env.as_admin(&["audit", "--csv"]).ok();
    let json = env.as_admin(&["--json", "audit"]).ok();
    // Header, init (2), on-boarding, 100 creations, 10 revocations, 10 denied verifications.
    assert_eq!(
        csv.stdout.lines().count(),
        1 + 2 + 1 + 100 + 10 + 10,
        "the export holds every event"
    );
    for (what, text) in [
        ("audit CSV", &csv.stdout),
        ("audit JSON", &json.stdout),
        ("stderr", &stderr),
        ("list", &listed.stdout),
    ] {
        assert_eq!(
            leaks(text.as_bytes(), &tokens),
            None,
            "a token piece is in the {what}"
        );
    }
    // The search itself works: a token is found where it is.
    assert!(leaks(format!("x{}y", tokens[5]).as_bytes(), &tokens).is_some());
}
