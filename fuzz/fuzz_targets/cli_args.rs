//! The command line's argument-to-core path, in-process: the input is a list of arguments split at
//! NUL bytes (not necessarily UTF-8), run as the administrator against a fresh copy of a small
//! store. Any panic is a finding; the exit status is always 0, 1 or 2.
#![no_main]
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use latchkey_cli::{Stdin, run};
use libfuzzer_sys::fuzz_target;

const PASSWORD: &str = "root password that is long";
const NEW_PASSWORD: &str = "another password that is long";
const PASSPHRASE: &str = "a backup passphrase that is long";

struct Workspace {
    template: PathBuf,
    work: PathBuf,
    _dir: tempfile::TempDir,
}

fn latchkey(args: &[&str], stdin: &[&str]) -> u8 {
    let mut all = vec![OsString::from("latchkey")];
    all.extend(args.iter().map(OsString::from));
    run(
        all,
        Stdin::from_lines(stdin.iter().map(|s| s.to_string()).collect()),
    )
}

/// A store with a member, a system, a group and a token, made once; each input gets a copy.
fn workspace() -> &'static Workspace {
    static WORKSPACE: OnceLock<Workspace> = OnceLock::new();
    WORKSPACE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary folder");
        let template = dir.path().join("template");
        let work = dir.path().join("work");
        std::fs::create_dir_all(&template).expect("template folder");
        std::fs::create_dir_all(&work).expect("work folder");
        // Relative paths in the input land in the work folder and nowhere else.
        std::env::set_current_dir(&template).expect("enter the template folder");
        let store = ["--db", "store.db", "--key-file", "key"];
        let admin = [&store[..], &["--user", "root", "--password-stdin"]].concat();
        let steps: [(Vec<&str>, Vec<&str>); 5] = [
            (
                [
                    &store[..],
                    &[
                        "init",
                        "--org",
                        "Acme",
                        "--admin",
                        "root",
                        "--password-stdin",
                    ],
                ]
                .concat(),
                vec![PASSWORD],
            ),
            (
                [&admin[..], &["users", "add", "bob", "--new-password-stdin"]].concat(),
                vec![PASSWORD, NEW_PASSWORD],
            ),
            (
                [&admin[..], &["systems", "onboard", "api"]].concat(),
                vec![PASSWORD],
            ),
            (
                [&admin[..], &["groups", "add", "ops"]].concat(),
                vec![PASSWORD],
            ),
            (
                [&admin[..], &["tokens", "create", "--name", "ci"]].concat(),
                vec![PASSWORD],
            ),
        ];
        for (args, stdin) in steps {
            assert_eq!(latchkey(&args, &stdin), 0, "setting up: {args:?}");
        }
        std::env::set_current_dir(&work).expect("enter the work folder");
        Workspace {
            template,
            work,
            _dir: dir,
        }
    })
}

fn reset(workspace: &Workspace) {
    for entry in std::fs::read_dir(&workspace.work)
        .into_iter()
        .flatten()
        .flatten()
    {
        let path = entry.path();
        let _ = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
    }
    for name in ["store.db", "key"] {
        copy(&workspace.template.join(name), &workspace.work.join(name));
    }
}

fn copy(from: &Path, to: &Path) {
    std::fs::copy(from, to).expect("copy the template store");
}

fuzz_target!(|data: &[u8]| {
    let args: Vec<OsString> = data
        .split(|&b| b == 0)
        .map(|a| OsString::from_vec(a.to_vec()))
        .collect();
    // Nothing outside the work folder: no argument that could name another path.
    if args.len() > 24 || args.iter().any(|a| a.as_bytes().contains(&b'/')) {
        return;
    }
    // `serve` runs until a signal, and `scan` reads the folder the fuzzer runs in (standard
    // input too): both have their own tests and fuzz targets.
    if args
        .iter()
        .any(|a| a.as_bytes() == b"serve" || a.as_bytes() == b"scan")
    {
        return;
    }
    let workspace = workspace();
    reset(workspace);
    let mut all: Vec<OsString> = [
        "latchkey",
        "--db",
        "store.db",
        "--key-file",
        "key",
        "--user",
        "root",
        "--password-stdin",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    all.extend(args);
    let stdin = Stdin::from_lines(vec![
        PASSWORD.into(),
        NEW_PASSWORD.into(),
        PASSPHRASE.into(),
    ]);
    let status = run(all, stdin);
    assert!(status <= 2, "exit status {status}");
});
