//! Which bytes a leak check reads: files, folders (recursively, without `.git` and binary
//! files, never following a symbolic link met inside a folder, so nothing outside the tree is
//! read and a link loop ends), or standard input; several files at once, one thread a core.
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use zeroize::Zeroize;

use super::find::{Sighting, fill_chunk, find_in_reader};

/// A file is binary when its first 8 KiB hold a NUL byte (git's and ripgrep's rule).
const BINARY_SNIFF: usize = 8 << 10;

/// The name a leak check gives standard input in its findings.
pub const STANDARD_INPUT: &str = "(standard input)";

/// Tokens seen in one place.
#[derive(Debug)]
pub struct SightingAt {
    /// The file (as named on the command line, or below a folder named there), or
    /// [`STANDARD_INPUT`], or what the caller called pasted text.
    pub source: String,
    /// Where in it, and the token.
    pub sighting: Sighting,
}

/// What reading found: the sightings in the order of the sources, and what could not be read.
#[derive(Debug, Default)]
pub struct ReadReport {
    /// Every token seen, by file in path order, then by position.
    pub sightings: Vec<SightingAt>,
    /// One line per file or folder that could not be read.
    pub errors: Vec<String>,
    /// Files read.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Files skipped as binary.
    pub binary: u64,
}

/// Refuses, before anything is read, a path that does not exist: a mistyped argument must not
/// pass as "nothing found".
pub fn check_paths(paths: &[PathBuf]) -> Result<(), String> {
    for path in paths {
        if let Err(e) = std::fs::metadata(path) {
            return Err(format!("cannot scan {}: {}", path.display(), reason(&e)));
        }
    }
    Ok(())
}

/// Reads the named files and folders. A path named here is followed even when it is a link;
/// links inside folders are not.
pub fn read_paths(paths: &[PathBuf]) -> ReadReport {
    let mut report = ReadReport::default();
    let mut files = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut files, &mut report.errors),
            Ok(_) => files.push(path.clone()),
            Err(e) => report
                .errors
                .push(format!("{}: {}", path.display(), reason(&e))),
        }
    }
    let results = scan_files_in_parallel(&files);
    for (path, result) in files.iter().zip(results) {
        match result {
            Ok(FileScan::Binary) => report.binary += 1,
            Ok(FileScan::Text { sightings, bytes }) => {
                report.files += 1;
                report.bytes += bytes;
                let source = path.display().to_string();
                report
                    .sightings
                    .extend(sightings.into_iter().map(|sighting| SightingAt {
                        source: source.clone(),
                        sighting,
                    }));
            }
            Err(e) => report
                .errors
                .push(format!("{}: {}", path.display(), reason(&e))),
        }
    }
    report
}

/// Reads standard input (or any reader) to its end; nothing is skipped as binary.
pub fn read_stream(reader: impl Read, source: &str) -> io::Result<ReadReport> {
    let mut buffer = Vec::new();
    let mut counting = CountingReader {
        inner: reader,
        bytes: 0,
    };
    let sightings = find_in_reader(&mut counting, &mut buffer, 0);
    // What was read may hold tokens: wiped before the memory is given back.
    buffer.zeroize();
    let sightings = sightings?;
    Ok(ReadReport {
        sightings: sightings
            .into_iter()
            .map(|sighting| SightingAt {
                source: source.to_string(),
                sighting,
            })
            .collect(),
        files: 1,
        bytes: counting.bytes,
        ..ReadReport::default()
    })
}

/// The files below `folder`, sorted by name at each level; `.git` folders and links skipped.
fn walk(folder: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<String>) {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(format!("{}: {}", folder.display(), reason(&e)));
            return;
        }
    };
    let mut entries: Vec<_> = entries.filter_map(|entry| entry.ok()).collect();
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        // The entry's own type: a link is a link, whatever it points at.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            if entry.file_name() != ".git" {
                walk(&path, files, errors);
            }
        } else if kind.is_file() {
            files.push(path);
        }
    }
}

enum FileScan {
    Binary,
    Text {
        sightings: Vec<Sighting>,
        bytes: u64,
    },
}

/// Scans the files on as many threads as there are cores; results in the order of `files`.
fn scan_files_in_parallel(files: &[PathBuf]) -> Vec<io::Result<FileScan>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<io::Result<FileScan>>> = files.iter().map(|_| None).collect();
    let done: Vec<Vec<(usize, io::Result<FileScan>)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut buffer = Vec::new();
                    let mut mine = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = files.get(index) else {
                            // What was read may hold tokens.
                            buffer.zeroize();
                            return mine;
                        };
                        mine.push((index, scan_file(path, &mut buffer)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap_or_default())
            .collect()
    });
    for (index, result) in done.into_iter().flatten() {
        results[index] = Some(result);
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(io::Error::other("not scanned"))))
        .collect()
}

fn scan_file(path: &Path, buffer: &mut Vec<u8>) -> io::Result<FileScan> {
    let file = File::open(path)?;
    let mut counting = CountingReader {
        inner: file,
        bytes: 0,
    };
    let mut filled = 0;
    fill_chunk(&mut counting, buffer, &mut filled)?;
    if memchr::memchr(0, &buffer[..filled.min(BINARY_SNIFF)]).is_some() {
        return Ok(FileScan::Binary);
    }
    let sightings = find_in_reader(&mut counting, buffer, filled)?;
    Ok(FileScan::Text {
        sightings,
        bytes: counting.bytes,
    })
}

struct CountingReader<R> {
    inner: R,
    bytes: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

/// The error's reason without the "(os error N)" tail.
fn reason(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "no such file or folder".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let text = error.to_string();
            text.split(" (os error").next().unwrap_or(&text).to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::format;

    #[test]
    fn folders_skip_git_binary_files_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let token = format::encode(&[7; 32]).expose().to_string();
        std::fs::create_dir_all(root.join("a/.git")).unwrap();
        std::fs::write(root.join("a/.git/config"), &token).unwrap();
        std::fs::write(root.join("a/b.txt"), format!("x\n{token}")).unwrap();
        std::fs::write(root.join("a/c.bin"), format!("\0{token}")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root, root.join("a/loop")).unwrap();
        let report = read_paths(&[root.to_path_buf()]);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!((report.files, report.binary), (1, 1));
        let seen: Vec<_> = report
            .sightings
            .iter()
            .map(|s| (s.source.clone(), s.sighting.line))
            .collect();
        assert_eq!(seen, vec![(root.join("a/b.txt").display().to_string(), 2)]);
    }

    #[test]
    fn a_missing_path_is_refused_before_reading() {
        let missing = PathBuf::from("/nonexistent/latchkey-scan");
        let error = check_paths(&[missing]).unwrap_err();
        assert_eq!(
            error,
            "cannot scan /nonexistent/latchkey-scan: no such file or folder"
        );
    }
}
