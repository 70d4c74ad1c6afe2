//! The leak check's sample corpus, written by the test that uses it (never checked in: its
//! tokens are made fresh each time): tokens of every kind in the places leaks happen (line
//! starts and ends, JSON, YAML, URLs, base64-looking text, CRLF files, a line longer than the
//! scanner's read chunk, UTF-8 and invalid UTF-8), look-alikes that are not tokens (broken
//! checksums, short bodies), and what a folder scan must skip (a binary file, a `.git` folder, a
//! symbolic link loop). Where each token should be found is worked out here by a plain search,
//! independently of the scanner.
use std::path::{Path, PathBuf};

/// The tokens to plant, by what a store says of them.
#[derive(Debug, Clone, Default)]
pub struct CorpusTokens {
    pub live: Vec<String>,
    pub revoked: Vec<String>,
    pub expired: Vec<String>,
    /// Well-formed tokens this store never issued.
    pub unknown: Vec<String>,
}

impl CorpusTokens {
    /// Well-formed tokens of no store, `n` of each kind (for scanners that cannot ask a store).
    pub fn fresh(n: usize) -> CorpusTokens {
        let make = || {
            (0..n)
                .map(|_| {
                    latchkey_core::tokens::format::generate()
                        .expect("OS random source")
                        .expose()
                        .to_string()
                })
                .collect()
        };
        CorpusTokens {
            live: make(),
            revoked: make(),
            expired: make(),
            unknown: make(),
        }
    }

    fn kind_of(&self, token: &str) -> &'static str {
        let has = |list: &Vec<String>| list.iter().any(|t| t == token);
        match () {
            _ if has(&self.live) => "live",
            _ if has(&self.revoked) => "revoked",
            _ if has(&self.expired) => "expired",
            _ => "not_ours",
        }
    }

    fn all(&self) -> Vec<&str> {
        self.live
            .iter()
            .chain(&self.revoked)
            .chain(&self.expired)
            .chain(&self.unknown)
            .map(String::as_str)
            .collect()
    }
}

/// One place a token must be found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expected {
    /// The file, relative to the corpus root, `/`-separated.
    pub path: String,
    pub line: u64,
    /// In characters (bytes that begin a UTF-8 character), 1-based.
    pub column: u64,
    pub token: String,
    /// `live`, `revoked`, `expired` or `not_ours`.
    pub kind: &'static str,
}

/// The corpus on disk and what a scan of it must report.
#[derive(Debug)]
pub struct LeakCorpus {
    pub root: PathBuf,
    /// Every place of every token in the files a folder scan reads, sorted by path and position.
    pub expected: Vec<Expected>,
    /// Strings shaped like tokens (`lk_` and 49 letters or digits) whose checksum fails.
    pub look_alikes: Vec<String>,
    /// The text files a scan reads (relative paths), sorted.
    pub text_files: Vec<String>,
    /// Files and folders a folder scan must skip, though they hold tokens.
    pub skipped: Vec<String>,
}

/// A token with one character changed so that its checksum fails (the body keeps its shape).
pub fn broken_checksum(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let last = bytes.len() - 1;
    bytes[last] = if bytes[last] == b'0' { b'1' } else { b'0' };
    let broken = String::from_utf8(bytes).expect("ASCII");
    assert!(!latchkey_core::tokens::format::is_well_formed(&broken));
    broken
}

/// Writes the corpus into `root` (which must exist and be empty).
pub fn write_corpus(root: &Path, tokens: &CorpusTokens) -> LeakCorpus {
    let all = tokens.all();
    assert!(all.len() >= 4, "plant at least one token of each kind");
    let t = |i: usize| all[i % all.len()];
    let look_alikes: Vec<String> = all.iter().take(3).map(|t| broken_checksum(t)).collect();
    let mut text: Vec<(&str, Vec<u8>)> = vec![
        (
            "notes.txt",
            format!(
                "{}\nthe deploy token is {}\n{} and more\n",
                t(0),
                t(1),
                t(2)
            )
            .into_bytes(),
        ),
        (
            "config/app.json",
            format!(
                "{{\n  \"api\": {{\"token\": \"{}\", \"url\": \"https://x\"}},\n  \
                 \"list\": [\"{}\"]\n}}\n",
                t(3),
                t(0)
            )
            .into_bytes(),
        ),
        (
            "config/deploy.yaml",
            format!(
                "deploy:\n  token: {}\n  quoted: '{}'\n  - item: \"{}\"\n",
                t(1),
                t(2),
                t(3)
            )
            .into_bytes(),
        ),
        (
            "logs/access.log",
            format!(
                "GET /api?token={}&page=2 HTTP/1.1\nGET /x?q=a%3D{} 200\n\
                 https://u:{}@example.com/\n",
                t(0),
                t(1),
                t(2)
            )
            .into_bytes(),
        ),
        (
            "logs/blob.b64",
            format!(
                "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo+{}/YWJjZGVmZ2hpams=\nZm9vYmFy+{}==\n",
                t(3),
                t(0)
            )
            .into_bytes(),
        ),
        (
            "windows.env",
            format!("A=1\r\nTOKEN={}\r\n\r\nB={}\r\n", t(1), t(2)).into_bytes(),
        ),
        (
            "unicode.md",
            format!("# Übersicht → 鍵\nclé: «{}» ✓\n", t(3)).into_bytes(),
        ),
        (
            "look-alikes.txt",
            format!(
                "{}\n{} {}\nlk_short lk_ {}\n",
                look_alikes[0],
                look_alikes[1],
                look_alikes[2],
                &t(0)[..51]
            )
            .into_bytes(),
        ),
    ];
    // Invalid UTF-8 (but no NUL byte, so not binary) before a token on the same line.
    let mut invalid = b"bytes \xff\xfe\xc3 then ".to_vec();
    invalid.extend_from_slice(t(0).as_bytes());
    invalid.extend_from_slice(b"\n\x80\x80 ");
    invalid.extend_from_slice(t(1).as_bytes());
    invalid.push(b'\n');
    text.push(("latin1.log", invalid));
    // One line longer than the scanner's 4 MiB read chunk, a token near its end.
    let mut long = vec![b'x'; 5 << 20];
    long.extend_from_slice(b" ");
    long.extend_from_slice(t(2).as_bytes());
    long.extend_from_slice(b" end\n");
    text.push(("long-line.txt", long));

    for (path, bytes) in &text {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().expect("a folder")).expect("create folder");
        std::fs::write(&file, bytes).expect("write corpus file");
    }
    // What a folder scan skips, each holding a token.
    std::fs::create_dir_all(root.join(".git/objects")).expect("create .git");
    std::fs::write(root.join(".git/config"), format!("token = {}\n", t(0))).expect("write");
    let mut binary = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    binary.extend_from_slice(t(1).as_bytes());
    std::fs::write(root.join("image.png"), binary).expect("write binary");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("..", root.join("config/loop")).expect("symlink loop");
        std::os::unix::fs::symlink(root.join("notes.txt"), root.join("logs/notes-link.txt"))
            .expect("symlink to a file");
    }

    let mut expected = Vec::new();
    for (path, bytes) in &text {
        for token in &all {
            for start in find_all(bytes, token.as_bytes()) {
                let (line, column) = line_and_column(bytes, start);
                expected.push(Expected {
                    path: path.to_string(),
                    line,
                    column,
                    token: token.to_string(),
                    kind: tokens.kind_of(token),
                });
            }
        }
    }
    expected.sort();
    let mut text_files: Vec<String> = text.iter().map(|(p, _)| p.to_string()).collect();
    text_files.sort();
    LeakCorpus {
        root: root.to_path_buf(),
        expected,
        look_alikes,
        text_files,
        skipped: vec![
            ".git/config".into(),
            "image.png".into(),
            "config/loop".into(),
            "logs/notes-link.txt".into(),
        ],
    }
}

/// The 1-based line and column of a byte offset, worked out plainly (independently of the
/// scanner): lines counted by `\n`, columns in characters (bytes that begin a UTF-8 character).
pub fn line_and_column(bytes: &[u8], offset: usize) -> (u64, u64) {
    let before = &bytes[..offset];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let column = before[line_start..]
        .iter()
        .filter(|&&b| (b as i8) >= -0x40)
        .count() as u64
        + 1;
    (line, column)
}

fn find_all(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    (0..=haystack.len().saturating_sub(needle.len()))
        .filter(|&i| haystack[i..].starts_with(needle))
        .collect()
}
