//! SPEC §5 "Leak check" through the real binary: `latchkey scan` on the sample corpus finds
//! exactly the right tokens at the right places with the right statuses, never prints a token,
//! exits 1/0/2 as promised, works without a store, and `--revoke` revokes exactly the live
//! tokens the acting account may revoke, audited with where each was found.
use std::collections::BTreeSet;

use latchkey_tests::leak_corpus::{CorpusTokens, LeakCorpus, write_corpus};
use latchkey_tests::*;
use serde_json::Value;

/// Two days ahead: the one-day token has expired.
const LATER: (&str, &str) = ("LATCHKEY_TEST_CLOCK_SHIFT", "172800");

struct Setup {
    env: Env,
    corpus: LeakCorpus,
    tokens: CorpusTokens,
    /// Bob's live token id, and the administrator's.
    bobs_live: String,
    roots_live: String,
    _corpus_dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let env = Env::initialised();
    env.add_member("bob");
    let (bob_live, bobs_live) = env.create_token("bob", MEMBER_PASSWORD, &["--name", "deploy"]);
    let (root_live, roots_live) = env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "ci"]);
    let (revoked, revoked_id) = env.create_token("bob", MEMBER_PASSWORD, &[]);
    env.as_user("bob", MEMBER_PASSWORD, &["tokens", "revoke", &revoked_id])
        .ok();
    let (expired, _) = env.create_token("bob", MEMBER_PASSWORD, &["--expires-in-days", "1"]);
    let tokens = CorpusTokens {
        live: vec![bob_live, root_live],
        revoked: vec![revoked],
        expired: vec![expired],
        unknown: CorpusTokens::fresh(1).unknown,
    };
    let dir = tempfile::tempdir().expect("temporary folder");
    let corpus = write_corpus(dir.path(), &tokens);
    Setup {
        env,
        corpus,
        tokens,
        bobs_live,
        roots_live,
        _corpus_dir: dir,
    }
}

impl Setup {
    fn scan(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut all = vec!["scan"];
        all.extend_from_slice(args);
        let mut with_clock = vec![LATER];
        with_clock.extend_from_slice(env);
        let out = self.env.run(&all, &with_clock, None);
        self.assert_no_token_in(&out);
        out
    }

    fn root(&self) -> String {
        self.corpus.root.display().to_string()
    }

    fn assert_no_token_in(&self, out: &Output) {
        let printed = format!("{}{}", out.stdout, out.stderr);
        for token in self.all_tokens() {
            for piece in pieces(&token) {
                assert!(!printed.contains(piece), "a token was printed: {out:?}");
            }
        }
    }

    fn all_tokens(&self) -> Vec<String> {
        let t = &self.tokens;
        [&t.live, &t.revoked, &t.expired, &t.unknown]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }

    fn audit_found_in(&self) -> Vec<(String, String)> {
        let audit = self
            .env
            .run(
                &["--json", "audit"],
                &[
                    LATER,
                    ("LATCHKEY_USER", ADMIN),
                    ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
                ],
                None,
            )
            .ok()
            .json();
        audit
            .as_array()
            .expect("an array")
            .iter()
            .filter(|e| e["action"] == "token.revoked")
            .filter_map(|e| {
                let details: Value = serde_json::from_str(e["details"].as_str()?).ok()?;
                Some((
                    e["target"].as_str()?.to_string(),
                    details["found_in"].as_str()?.to_string(),
                ))
            })
            .collect()
    }
}

/// (path relative to the corpus, line, column, status) of each finding.
fn places(corpus: &LeakCorpus, findings: &Value) -> BTreeSet<(String, u64, u64, String)> {
    let root = format!("{}/", corpus.root.display());
    findings
        .as_array()
        .expect("an array of findings")
        .iter()
        .map(|f| {
            let path = f["path"].as_str().expect("path");
            (
                path.strip_prefix(&root).unwrap_or(path).to_string(),
                f["line"].as_u64().expect("line"),
                f["column"].as_u64().expect("column"),
                f["status"].as_str().expect("status").to_string(),
            )
        })
        .collect()
}

fn expected_places(
    corpus: &LeakCorpus,
    status_of: impl Fn(&str) -> &str,
) -> BTreeSet<(String, u64, u64, String)> {
    corpus
        .expected
        .iter()
        .map(|e| {
            (
                e.path.clone(),
                e.line,
                e.column,
                status_of(e.kind).to_string(),
            )
        })
        .collect()
}

#[test]
fn a_folder_scan_reports_exactly_the_tokens_with_their_places_and_statuses() {
    let s = setup();
    let out = s.scan(&["--json", &s.root()], &[]);
    assert_eq!(out.code, 1, "live tokens were found: {out:?}");
    let found = out.json();
    assert_eq!(
        places(&s.corpus, &found),
        expected_places(&s.corpus, |kind| kind)
    );
    assert_eq!(
        found.as_array().unwrap().len(),
        s.corpus.expected.len(),
        "each place once"
    );
    // Skipped: .git, the binary file, the link loop and the link to a file.
    for skipped in &s.corpus.skipped {
        let path = format!("{}/{skipped}", s.root());
        assert!(
            found
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["path"] != path.as_str()),
            "{skipped} should have been skipped"
        );
    }
    // Known tokens name their owner, name and id; the hint is the token's last four.
    for f in found.as_array().unwrap() {
        let expected = s
            .corpus
            .expected
            .iter()
            .find(|e| {
                e.line == f["line"]
                    && e.column == f["column"]
                    && f["path"].as_str().unwrap().ends_with(&e.path)
            })
            .unwrap();
        assert_eq!(f["hint"], format!("lk_…{}", &expected.token[48..]));
        if expected.kind == "not_ours" {
            assert!(f["owner"].is_null() && f["token_id"].is_null());
        } else {
            assert!(
                f["owner"].is_string() && f["token_id"].is_string() && f["name"].is_string(),
                "{f}"
            );
        }
    }
    let bobs = found
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["token_id"] == s.bobs_live.as_str())
        .unwrap();
    assert_eq!(
        (bobs["owner"].as_str(), bobs["name"].as_str()),
        (Some("bob"), Some("deploy"))
    );
    assert_eq!(bobs["systems"], serde_json::json!([]));
    assert_eq!(bobs["revoked_now"], false);
}

#[test]
fn text_output_is_one_line_per_token_with_place_hint_and_status() {
    let s = setup();
    let file = format!("{}/notes.txt", s.root());
    let out = s.scan(&[&file], &[]);
    assert_eq!(out.code, 1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let here: Vec<_> = s
        .corpus
        .expected
        .iter()
        .filter(|e| e.path == "notes.txt")
        .collect();
    assert_eq!(lines.len(), here.len(), "{out:?}");
    for (line, e) in lines.iter().zip(&here) {
        let start = format!("{file}:{}:{}  lk_…{}  ", e.line, e.column, &e.token[48..]);
        assert!(
            line.starts_with(&start),
            "{line:?} should start with {start:?}"
        );
        let status = match e.kind {
            "not_ours" => "not ours",
            kind => kind,
        };
        assert!(line[start.len()..].starts_with(status), "{line}");
    }
    assert!(
        out.stderr.contains("tokens found in 1 file"),
        "{}",
        out.stderr
    );
}

#[test]
fn standard_input_is_scanned_and_named() {
    let s = setup();
    let log = format!(
        "commit 1\n+TOKEN={}\n-OLD={}\n",
        s.tokens.revoked[0], s.tokens.live[0]
    );
    let mut command = s.env.command();
    command.args(["--json", "scan", "-"]).env(LATER.0, LATER.1);
    let out = run_command(command, Some(&log));
    s.assert_no_token_in(&out);
    assert_eq!(out.code, 1, "{out:?}");
    let found = out.json();
    let got: Vec<_> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("(standard input)", 2, 8, "revoked"),
            ("(standard input)", 3, 6, "live")
        ]
    );
}

#[test]
fn only_revoked_expired_or_foreign_tokens_exit_0_and_nothing_found_exits_0() {
    let s = setup();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("old.txt");
    let text = format!(
        "{} {} {}\n",
        s.tokens.revoked[0], s.tokens.expired[0], s.tokens.unknown[0]
    );
    std::fs::write(&file, text).unwrap();
    let out = s.scan(&[file.to_str().unwrap()], &[]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout.lines().count(), 3);
    std::fs::write(&file, "nothing here lk_short\n").unwrap();
    let out = s.scan(&["--json", file.to_str().unwrap()], &[]);
    assert_eq!((out.code, out.stdout.trim()), (0, "[]"), "{out:?}");
}

#[test]
fn without_a_store_every_token_is_unknown_here_and_the_scan_exits_1() {
    let s = setup();
    let missing = s.env.dir.path().join("no-store-here.db");
    let out = s.scan(
        &["--json", &s.root()],
        &[("LATCHKEY_DB", missing.to_str().unwrap())],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        places(&s.corpus, &out.json()),
        expected_places(&s.corpus, |_| "unknown_here")
    );
    assert!(out.stderr.contains("unknown here"), "{}", out.stderr);
    assert!(!missing.exists(), "a scan must not create a store");
}

#[test]
fn revoke_revokes_exactly_the_live_tokens_the_account_may_and_audits_where() {
    let s = setup();
    let bob = [
        ("LATCHKEY_USER", "bob"),
        ("LATCHKEY_PASSWORD", MEMBER_PASSWORD),
    ];
    let out = s.scan(&["--json", "--revoke", &s.root()], &bob);
    assert_eq!(out.code, 1, "live tokens were found: {out:?}");
    let found = out.json();
    let revoked_now: BTreeSet<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["revoked_now"] == true)
        .map(|f| f["token_id"].as_str().unwrap())
        .collect();
    assert_eq!(revoked_now, BTreeSet::from([s.bobs_live.as_str()]));
    // Bob sees the administrator's live token as live and whose, but not its name or id.
    let roots = found
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["owner"] == ADMIN && f["status"] == "live")
        .unwrap();
    assert!(
        roots["token_id"].is_null() && roots["name"].is_null(),
        "{roots}"
    );
    assert_eq!(
        s.env.verify(&s.tokens.live[0], &[]).code,
        1,
        "bob's token still works"
    );
    assert_eq!(
        s.env.verify(&s.tokens.live[1], &[]).code,
        0,
        "root's token was revoked by bob"
    );
    let first = s
        .corpus
        .expected
        .iter()
        .find(|e| e.token == s.tokens.live[0])
        .unwrap();
    let place = format!(
        "{}/{}:{}:{}",
        s.root(),
        first.path,
        first.line,
        first.column
    );
    assert_eq!(s.audit_found_in(), vec![(s.bobs_live.clone(), place)]);

    // The administrator revokes the rest; bob's is already revoked and stays recorded once.
    let admin = [
        ("LATCHKEY_USER", ADMIN),
        ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
    ];
    let out = s.scan(&["--revoke", &s.root()], &admin);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(s.env.verify(&s.tokens.live[1], &[]).code, 1);
    let audited: Vec<String> = s.audit_found_in().into_iter().map(|(id, _)| id).collect();
    assert_eq!(audited, vec![s.bobs_live.clone(), s.roots_live.clone()]);
    // Now nothing live is left.
    assert_eq!(s.scan(&[&s.root()], &[]).code, 0);
}

#[test]
fn bad_input_is_one_line_exit_2_and_revokes_nothing() {
    let s = setup();
    let admin = [
        ("LATCHKEY_USER", ADMIN),
        ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
    ];
    let missing = format!("{}/no-such-file", s.root());
    let out = s.scan(&["--revoke", &s.root(), &missing], &admin);
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(
        out.one_line_error(),
        format!("latchkey: cannot scan {missing}: no such file or folder")
    );
    assert_eq!(
        s.env.verify(&s.tokens.live[0], &[]).code,
        0,
        "nothing was revoked"
    );
    let twice = s.scan(&["-", "-"], &[]);
    assert_eq!(
        (twice.code, twice.one_line_error()),
        (2, "latchkey: name standard input (-) once")
    );
    let nowhere = s.env.dir.path().join("none.db");
    let out = s.scan(
        &["--revoke", &s.root()],
        &[
            admin[0],
            admin[1],
            ("LATCHKEY_DB", nowhere.to_str().unwrap()),
        ],
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.one_line_error().contains("--revoke needs a store"),
        "{out:?}"
    );
    let wrong = s.scan(
        &["--revoke", &s.root()],
        &[admin[0], ("LATCHKEY_PASSWORD", "wrong password!!")],
    );
    assert_eq!(wrong.code, 1, "{wrong:?}");
    assert!(
        wrong.stdout.is_empty(),
        "a refused sign-in scans nothing: {wrong:?}"
    );
    assert_eq!(s.audit_found_in(), vec![]);
}

#[test]
fn hostile_file_names_are_printed_escaped_and_never_as_a_whole_token() {
    let s = setup();
    let dir = tempfile::tempdir().unwrap();
    let token = &s.tokens.live[0];
    let named_after = dir.path().join(format!("{token}.txt"));
    let forging = dir
        .path()
        .join("a\nb.txt:1:1  lk_…AAAA  revoked\u{1b}[2J\u{202e}");
    for file in [&named_after, &forging] {
        std::fs::write(file, format!("x {token}\n")).unwrap();
    }
    let out = s.scan(&[dir.path().to_str().unwrap()], &[]);
    assert_eq!(out.code, 1, "{out:?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "a file name forged a line: {out:?}");
    assert!(
        lines
            .iter()
            .all(|l| !l.contains('\u{1b}') && !l.contains('\u{202e}'))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\\u{a}b.txt") && l.contains("\\u{1b}[2J"))
    );
    let hint = format!("lk_…{}.txt:1:3", &token[48..]);
    assert!(lines.iter().any(|l| l.contains(&hint)), "{lines:?}");
    // A token given as an argument is refused without being echoed (Setup::scan checks that).
    let out = s.scan(&[token], &[]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.one_line_error()
            .contains("never pass a token as an argument")
    );
    // Only regular files and folders: a FIFO named explicitly would wait for a writer forever.
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let out = s.scan(&[fifo.to_str().unwrap()], &[]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.one_line_error()
            .ends_with("not a regular file or folder"),
        "{out:?}"
    );
    // In a folder it is passed over.
    assert_eq!(
        s.scan(&["--json", dir.path().to_str().unwrap()], &[])
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
