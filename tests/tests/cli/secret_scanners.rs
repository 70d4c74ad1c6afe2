//! SPEC §5 "Leak check", the other scanners (docs/secret-scanning) on the leak check's sample
//! corpus: the real detect-secrets with the repository's plugin reports exactly the tokens
//! whose checksum holds (in every file it can read, that is every UTF-8 one); the regular
//! expressions of the gitleaks rule, the TruffleHog detector and the GitHub custom pattern find
//! every token at its place and nothing else but the look-alikes (their documented limit); the
//! plain git hook refuses a commit whose staged content holds a token, and only then;
//! `.pre-commit-hooks.yaml` offers `latchkey scan`.
//!
//! How the patterns are read from the files (simple line parsing, no TOML or YAML parser):
//! - gitleaks.toml: the one line `regex = '''PATTERN'''`.
//! - trufflehog.yaml: the one line `token: 'PATTERN'` (under `regex:`).
//! - github-custom-pattern.md: three fenced code blocks whose info strings are `secret-format`,
//!   `before-secret` and `after-secret`, each holding the field's value on its one line.
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use latchkey_tests::latchkey_bin;
use latchkey_tests::leak_corpus::{
    CorpusTokens, LeakCorpus, broken_checksum, line_and_column, write_corpus,
};
use regex::bytes::{Regex, RegexBuilder};

/// The detect-secrets plugin's secret type.
const SECRET_TYPE: &str = "Latchkey token";

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
}

fn doc_path(name: &str) -> PathBuf {
    workspace().join("docs/secret-scanning").join(name)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn corpus() -> (tempfile::TempDir, LeakCorpus) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let corpus = write_corpus(dir.path(), &CorpusTokens::fresh(1));
    (dir, corpus)
}

/// The distinct tokens the corpus plants in each text file (files without any included).
fn tokens_by_file(corpus: &LeakCorpus) -> BTreeMap<String, BTreeSet<String>> {
    let mut by_file: BTreeMap<String, BTreeSet<String>> = corpus
        .text_files
        .iter()
        .map(|file| (file.clone(), BTreeSet::new()))
        .collect();
    for sighting in &corpus.expected {
        by_file
            .get_mut(&sighting.path)
            .expect("a sighting in a text file")
            .insert(sighting.token.clone());
    }
    by_file
}

// ---------------------------------------------------------------------------------------------
// detect-secrets

/// detect-secrets where scripts/lib/prerequisites.sh installs it (a virtual environment in the
/// target folder these tests are built in), or the executable LATCHKEY_DETECT_SECRETS names.
fn detect_secrets() -> PathBuf {
    if let Some(path) = std::env::var_os("LATCHKEY_DETECT_SECRETS") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "LATCHKEY_DETECT_SECRETS={} is not a file",
            path.display()
        );
        return path;
    }
    let exe = std::env::current_exe().expect("test executable path");
    // <target>/<profile>/deps/<this test binary>
    let target = exe
        .ancestors()
        .nth(3)
        .expect("target/<profile>/deps layout");
    let path = target.join("tools/detect-secrets/bin/detect-secrets");
    assert!(
        path.is_file(),
        "detect-secrets is not installed at {}: run scripts/test, or `source \
         scripts/lib/prerequisites.sh && install_test_prerequisites` with the same \
         CARGO_TARGET_DIR, or set LATCHKEY_DETECT_SECRETS to a detect-secrets executable",
        path.display()
    );
    path
}

/// SHA-1 in hex, as detect-secrets' `hashed_secret` (coreutils' sha1sum: no new dependency).
fn sha1_hex(text: &str) -> String {
    let mut child = Command::new("sha1sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run sha1sum (coreutils)");
    let mut stdin = child.stdin.take().expect("sha1sum's standard input");
    stdin.write_all(text.as_bytes()).expect("write to sha1sum");
    drop(stdin);
    let out = child.wait_with_output().expect("wait for sha1sum");
    assert!(out.status.success(), "sha1sum failed: {out:?}");
    let hex = String::from_utf8(out.stdout).expect("sha1sum prints ASCII");
    hex.split_whitespace()
        .next()
        .expect("sha1sum prints the digest")
        .to_string()
}

#[test]
fn detect_secrets_with_the_plugin_reports_exactly_the_tokens_whose_checksum_holds() {
    assert_eq!(
        sha1_hex("abc"),
        "a9993e364706816aba3e25717850c26c9cd0d89d",
        "SHA-1 as detect-secrets computes it"
    );
    let (_dir, corpus) = corpus();
    let out = Command::new(detect_secrets())
        .current_dir(&corpus.root)
        .arg("scan")
        .arg("--plugin")
        .arg(doc_path("latchkey_detect_secrets.py"))
        .args(&corpus.text_files)
        // Files are read as UTF-8 whatever the machine's locale (as on any UTF-8 system).
        .env("PYTHONUTF8", "1")
        .output()
        .expect("run detect-secrets");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "detect-secrets failed: {stderr}");
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("detect-secrets prints JSON");
    assert!(
        report["plugins_used"]
            .as_array()
            .expect("plugins_used")
            .iter()
            .any(|p| p["name"] == "LatchkeyTokenDetector"),
        "the plugin was loaded: {report}"
    );

    let mut reported: BTreeMap<String, BTreeSet<String>> = corpus
        .text_files
        .iter()
        .map(|file| (file.clone(), BTreeSet::new()))
        .collect();
    for (file, results) in report["results"].as_object().expect("results by file") {
        for result in results.as_array().expect("a list of results") {
            if result["type"] != SECRET_TYPE {
                continue;
            }
            reported
                .get_mut(file)
                .unwrap_or_else(|| panic!("a result for {file}, not a text file of the corpus"))
                .insert(
                    result["hashed_secret"]
                        .as_str()
                        .expect("hashed_secret")
                        .into(),
                );
        }
    }
    // detect-secrets reads a file as UTF-8 text and skips the whole file when it is not (the
    // limit docs/secret-scanning/README.md states, pinned here): nothing is expected from such a
    // file (the corpus has one, latin1.log).
    let expected: BTreeMap<String, BTreeSet<String>> = tokens_by_file(&corpus)
        .into_iter()
        .map(|(file, tokens)| {
            let bytes = std::fs::read(corpus.root.join(&file)).expect("read a corpus file");
            if std::str::from_utf8(&bytes).is_err() {
                return (file, BTreeSet::new());
            }
            (file, tokens.iter().map(|t| sha1_hex(t)).collect())
        })
        .collect();

    let look_alikes: BTreeSet<String> = corpus.look_alikes.iter().map(|t| sha1_hex(t)).collect();
    for (file, hashes) in &reported {
        assert!(
            hashes.is_disjoint(&look_alikes),
            "detect-secrets reported a look-alike (its checksum fails) in {file}"
        );
    }
    assert_eq!(
        reported, expected,
        "SHA-1 of the tokens detect-secrets reported, by file (left), and of those planted"
    );
}

// ---------------------------------------------------------------------------------------------
// Regular expressions: gitleaks, TruffleHog, GitHub

/// The value of the one line `KEY = '''VALUE'''`, `KEY: 'VALUE'` or the like in `text`.
fn quoted_value(text: &str, key: &str, separator: char, quote: &str) -> String {
    let values: Vec<&str> = text
        .lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix(key)?.trim_start();
            let rest = rest.strip_prefix(separator)?.trim();
            rest.strip_prefix(quote)?.strip_suffix(quote)
        })
        .collect();
    assert_eq!(
        values.len(),
        1,
        "one `{key}{separator} {quote}…{quote}` line"
    );
    values[0].to_string()
}

fn gitleaks_regex() -> String {
    let text = read(&doc_path("gitleaks.toml"));
    for line in [
        "[extend]",
        "useDefault = true",
        "[[rules]]",
        "keywords = [\"lk_\"]",
    ] {
        assert!(
            text.lines().any(|l| l.trim() == line),
            "gitleaks.toml has {line}"
        );
    }
    quoted_value(&text, "regex", '=', "'''")
}

fn trufflehog_regex() -> String {
    let text = read(&doc_path("trufflehog.yaml"));
    for line in ["detectors:", "keywords:", "- lk_", "regex:"] {
        assert!(
            text.lines().any(|l| l.trim() == line),
            "trufflehog.yaml has {line}"
        );
    }
    quoted_value(&text, "token", ':', "'")
}

/// The one line of the fenced block whose info string is `info` (see the module's comment).
fn fenced_value(text: &str, info: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let opening = format!("```{info}");
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].trim_end() == opening)
        .collect();
    assert_eq!(starts.len(), 1, "one ```{info} block");
    let start = starts[0];
    assert_eq!(
        lines.get(start + 2).map(|l| l.trim_end()),
        Some("```"),
        "the ```{info} block holds one line"
    );
    lines[start + 1].to_string()
}

struct GitHubPattern {
    secret: String,
    before: String,
    after: String,
}

fn github_pattern() -> GitHubPattern {
    let text = read(&doc_path("github-custom-pattern.md"));
    GitHubPattern {
        secret: fenced_value(&text, "secret-format"),
        before: fenced_value(&text, "before-secret"),
        after: fenced_value(&text, "after-secret"),
    }
}

/// A pattern compiled as these scanners apply it: over bytes (any byte may stand in a file),
/// classes of ASCII.
fn compile(pattern: &str) -> Regex {
    RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .unwrap_or_else(|e| panic!("{pattern:?} is not a regular expression: {e}"))
}

/// A match: where the secret starts (a byte offset) and the secret.
type Match = (usize, String);

/// gitleaks and TruffleHog: every (leftmost, non-overlapping) match is a secret.
fn plain_matches(regex: &Regex, bytes: &[u8]) -> Vec<Match> {
    regex
        .find_iter(bytes)
        .map(|m| {
            (
                m.start(),
                String::from_utf8_lossy(m.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// GitHub: before, secret and after as one expression, the secret reported. Hyperscan reports
/// every match, so the character after one secret may also be the character before the next:
/// each search starts where the last secret ended.
fn github_matches(pattern: &GitHubPattern, bytes: &[u8]) -> Vec<Match> {
    let combined = compile(&format!(
        "(?:{})({})(?:{})",
        pattern.before, pattern.secret, pattern.after
    ));
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(captures) = combined.captures_at(bytes, at) {
        let secret = captures.get(1).expect("the secret's group");
        found.push((
            secret.start(),
            String::from_utf8_lossy(secret.as_bytes()).into_owned(),
        ));
        at = secret.end();
    }
    found
}

/// Every match of `matches` in the corpus' text files: (file, line, column, secret).
fn matches_in_corpus(
    corpus: &LeakCorpus,
    matches: impl Fn(&[u8]) -> Vec<Match>,
) -> BTreeSet<(String, u64, u64, String)> {
    let mut found = BTreeSet::new();
    for file in &corpus.text_files {
        let bytes = std::fs::read(corpus.root.join(file)).expect("read a corpus file");
        for (offset, secret) in matches(&bytes) {
            let (line, column) = line_and_column(&bytes, offset);
            found.insert((file.clone(), line, column, secret));
        }
    }
    found
}

/// Every planted token is found at its place; anything else found is a look-alike, and every
/// look-alike is found (a regular expression cannot check a checksum).
fn assert_finds_the_tokens_and_only_look_alikes(
    scanner: &str,
    corpus: &LeakCorpus,
    found: &BTreeSet<(String, u64, u64, String)>,
) {
    let expected: BTreeSet<(String, u64, u64, String)> = corpus
        .expected
        .iter()
        .map(|e| (e.path.clone(), e.line, e.column, e.token.clone()))
        .collect();
    let missed: Vec<_> = expected.difference(found).collect();
    assert!(
        missed.is_empty(),
        "{scanner} missed these tokens: {missed:?}"
    );
    let extra: BTreeSet<&str> = found.difference(&expected).map(|f| f.3.as_str()).collect();
    let look_alikes: BTreeSet<&str> = corpus.look_alikes.iter().map(String::as_str).collect();
    assert!(
        extra.is_subset(&look_alikes),
        "{scanner} found something that is neither a token nor a look-alike: {:?}",
        extra.difference(&look_alikes).collect::<Vec<_>>()
    );
    assert_eq!(
        extra, look_alikes,
        "{scanner} matches each look-alike (a regular expression cannot check a checksum)"
    );
}

#[test]
fn the_gitleaks_rule_finds_every_token_and_only_look_alikes_besides() {
    let (_dir, corpus) = corpus();
    let regex = compile(&gitleaks_regex());
    let found = matches_in_corpus(&corpus, |bytes| plain_matches(&regex, bytes));
    assert_finds_the_tokens_and_only_look_alikes("gitleaks", &corpus, &found);
}

#[test]
fn the_trufflehog_detector_finds_every_token_and_only_look_alikes_besides() {
    let (_dir, corpus) = corpus();
    let regex = compile(&trufflehog_regex());
    let found = matches_in_corpus(&corpus, |bytes| plain_matches(&regex, bytes));
    assert_finds_the_tokens_and_only_look_alikes("TruffleHog", &corpus, &found);
}

#[test]
fn the_github_custom_pattern_finds_every_token_and_only_look_alikes_besides() {
    let (_dir, corpus) = corpus();
    let pattern = github_pattern();
    let found = matches_in_corpus(&corpus, |bytes| github_matches(&pattern, bytes));
    assert_finds_the_tokens_and_only_look_alikes("GitHub", &corpus, &found);

    // GitHub's own defaults demand a non-alphanumeric character on each side, and miss the
    // corpus' glued tokens (`a%3Dlk_…`): the corpus tells the two apart.
    let defaults = GitHubPattern {
        before: r"\A|[^0-9A-Za-z]".into(),
        after: r"\z|[^0-9A-Za-z]".into(),
        ..pattern
    };
    let with_defaults = matches_in_corpus(&corpus, |bytes| github_matches(&defaults, bytes));
    assert!(
        corpus.expected.iter().any(|e| !with_defaults.contains(&(
            e.path.clone(),
            e.line,
            e.column,
            e.token.clone()
        ))),
        "GitHub's default before/after would find every token of the corpus too"
    );
}

// ---------------------------------------------------------------------------------------------
// The plain git hook

/// A scratch git repository with docs/secret-scanning/pre-commit as its pre-commit hook, the
/// real `latchkey` first on PATH and no store (every token found is "unknown here").
struct Repo {
    dir: tempfile::TempDir,
    path: OsString,
}

/// What a git command printed and how it ended.
struct Ran {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::create_dir(dir.path().join("home")).expect("create HOME");
        std::fs::create_dir(dir.path().join("repo")).expect("create the repository folder");
        let latchkey = latchkey_bin();
        let mut path = vec![latchkey.parent().expect("latchkey's folder").to_path_buf()];
        path.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        let repo = Repo {
            dir,
            path: std::env::join_paths(path).expect("PATH"),
        };
        repo.git_ok(&["init", "-q"]);
        repo.git_ok(&["config", "user.name", "Test"]);
        repo.git_ok(&["config", "user.email", "test@example.invalid"]);
        let hook = repo.root().join(".git/hooks/pre-commit");
        std::fs::create_dir_all(hook.parent().expect("hooks folder")).expect("create hooks");
        std::fs::copy(doc_path("pre-commit"), &hook).expect("install the hook");
        repo
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// Runs git with nothing inherited but PATH: no global or system configuration, no store.
    fn git(&self, args: &[&str]) -> Ran {
        let home = self.dir.path().join("home");
        let out = Command::new("git")
            .args(args)
            .current_dir(self.root())
            .env_clear()
            .env("PATH", &self.path)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("LATCHKEY_DB", self.dir.path().join("no-store.db"))
            .stdin(Stdio::null())
            .output()
            .expect("run git");
        Ran {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn git_ok(&self, args: &[&str]) -> String {
        let ran = self.git(args);
        assert!(ran.ok, "git {args:?} failed: {}", ran.stderr);
        ran.stdout
    }

    fn write(&self, file: &str, text: &str) {
        let path = self.root().join(file);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("create folder");
        std::fs::write(path, text).expect("write a file");
    }

    fn commit(&self, message: &str) -> Ran {
        self.git(&["commit", "-q", "-m", message])
    }

    /// The commits so far, newest first (none before the first).
    fn commits(&self) -> Vec<String> {
        let ran = self.git(&["log", "--format=%s"]);
        ran.stdout.lines().map(str::to_string).collect()
    }

    /// A file as the last commit holds it.
    fn committed(&self, file: &str) -> String {
        self.git_ok(&["show", &format!("HEAD:{file}")])
    }
}

fn fresh_token() -> String {
    CorpusTokens::fresh(1).live.remove(0)
}

/// The hook says where the token is and how to find it again, never the token itself.
fn assert_refused(ran: &Ran, token: &str, place: &str) {
    assert!(!ran.ok, "the commit went through: {}", ran.stderr);
    assert!(
        ran.stderr.contains(place),
        "the refusal names {place}: {}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains(&format!("lk_…{}", &token[token.len() - 4..])),
        "{}",
        ran.stderr
    );
    for piece in latchkey_tests::pieces(token) {
        assert!(!ran.stderr.contains(piece), "the token was printed");
    }
}

#[test]
fn the_git_hook_refuses_a_staged_token_and_lets_a_harmless_commit_through() {
    let repo = Repo::new();
    let token = fresh_token();
    let file = "deploy notes/prod é.env";
    repo.write(file, &format!("# deploy\nTOKEN={token}\n"));
    repo.git_ok(&["add", "--all"]);
    let refused = repo.commit("add the deploy settings");
    assert_refused(&refused, &token, &format!("{file}:2:7"));
    assert!(repo.commits().is_empty(), "nothing was committed");

    // Unstaged, the token stays in the working tree; a harmless file (with a look-alike, whose
    // checksum fails) goes through.
    repo.git_ok(&["rm", "-q", "--cached", "--", file]);
    repo.write(
        "README.txt",
        &format!("tokens look like {}\n", broken_checksum(&token)),
    );
    repo.git_ok(&["add", "README.txt"]);
    let ran = repo.commit("a readme");
    assert!(ran.ok, "a harmless commit was refused: {}", ran.stderr);
    assert_eq!(repo.commits(), ["a readme"]);
    assert_eq!(
        repo.git_ok(&["ls-tree", "-r", "--name-only", "HEAD"]),
        "README.txt\n"
    );
}

#[test]
fn the_git_hook_scans_what_is_staged_not_the_working_tree() {
    let repo = Repo::new();
    repo.write("app.conf", "url = https://example.invalid\n");
    repo.git_ok(&["add", "app.conf"]);
    assert!(repo.commit("first").ok);

    // A clean version staged, a token only in the working tree: the commit goes through, and
    // holds the staged version.
    let token = fresh_token();
    repo.write("app.conf", "url = https://example.invalid\nretries = 3\n");
    repo.git_ok(&["add", "app.conf"]);
    repo.write("app.conf", &format!("retries = 3\ntoken = {token}\n"));
    let ran = repo.commit("retries");
    assert!(
        ran.ok,
        "a token not staged refused the commit: {}",
        ran.stderr
    );
    assert_eq!(repo.commits(), ["retries", "first"]);
    assert!(!repo.committed("app.conf").contains("lk_"));

    // The token staged and the working tree cleaned: refused.
    repo.git_ok(&["add", "app.conf"]);
    repo.write("app.conf", "url = https://example.invalid\nretries = 4\n");
    let refused = repo.commit("more retries");
    assert_refused(&refused, &token, "app.conf:2:9");
    assert_eq!(
        repo.commits(),
        ["retries", "first"],
        "nothing was committed"
    );
}

#[test]
fn the_git_hook_is_an_executable_posix_shell_script() {
    use std::os::unix::fs::PermissionsExt;
    let hook = doc_path("pre-commit");
    let mode = std::fs::metadata(&hook)
        .expect("the hook")
        .permissions()
        .mode();
    assert_eq!(mode & 0o111, 0o111, "{} is executable", hook.display());
    assert!(read(&hook).starts_with("#!/bin/sh\n"));
}

// ---------------------------------------------------------------------------------------------
// pre-commit

#[test]
fn pre_commit_hooks_yaml_offers_latchkey_scan() {
    let text = read(&workspace().join(".pre-commit-hooks.yaml"));
    // Each hook is a list item `- id: …` followed by its `key: value` lines.
    let mut hooks: Vec<BTreeMap<String, String>> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let entry = match trimmed.strip_prefix("- ") {
            Some(first) => {
                hooks.push(BTreeMap::new());
                first
            }
            None => trimmed,
        };
        let (key, value) = entry.split_once(':').expect("a `key: value` line");
        hooks
            .last_mut()
            .expect("a hook's first line starts with `- `")
            .insert(key.trim().into(), value.trim().into());
    }
    let hook = hooks
        .iter()
        .find(|h| h.get("id").map(String::as_str) == Some("latchkey-scan"))
        .expect("a hook with id latchkey-scan");
    for (key, value) in [
        ("entry", "latchkey scan --files --"),
        ("language", "system"),
        ("pass_filenames", "true"),
    ] {
        assert_eq!(hook.get(key).map(String::as_str), Some(value), "{key}");
    }
    // Every file type: a token in a file with a NUL byte is still a leak.
    assert_eq!(
        hook.get("types"),
        None,
        "the hook must not skip files pre-commit calls binary"
    );
    let readme = read(&doc_path("README.md"));
    assert!(readme.contains("hooks: [{id: latchkey-scan}]"));

    // Run the entry as pre-commit does, with the staged names appended: names that look like
    // options or standard input are still files.
    let dir = tempfile::tempdir().expect("temporary folder");
    let token = CorpusTokens::fresh(1).live.remove(0);
    let names = ["--help", "-", "-h", "nul.bin"];
    for name in names {
        let content = match name {
            "nul.bin" => format!("\0{token}"),
            _ => format!("x={token}\n"),
        };
        std::fs::write(dir.path().join(name), content).expect("write a staged file");
    }
    let entry = &hook["entry"];
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("latchkey"));
    let out = Command::new(latchkey_bin())
        .args(words)
        .args(names)
        .current_dir(dir.path())
        .env_clear()
        .env("LATCHKEY_DB", dir.path().join("no-store.db"))
        .stdin(Stdio::null())
        .output()
        .expect("run the hook's entry");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for name in names {
        assert!(
            stdout.lines().any(|l| l.starts_with(&format!("{name}:1:"))),
            "{name} was not scanned: {stdout}"
        );
    }
}
