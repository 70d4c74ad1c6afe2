//! Which bytes a leak check reads: files, folders (recursively, without `.git` and binary
//! files, never following a symbolic link met inside a folder, so nothing outside the tree is
//! read and a link loop ends), or standard input; several files at once, one thread a core.
//! A file named explicitly is read even when it looks binary (a token in a build artefact is
//! still a leak); only regular files are opened, so a FIFO or a device never hangs a scan.
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use zeroize::Zeroize;

use super::find::{Sighting, fill_chunk, find_in_bytes, find_in_reader};
use super::printable::printable_path;

/// A file is binary when its first 8 KiB hold a NUL byte (git's and ripgrep's rule).
const BINARY_SNIFF: usize = 8 << 10;

/// The name a leak check gives standard input in its findings.
pub const STANDARD_INPUT: &str = "(standard input)";

/// Tokens seen in one place.
#[derive(Debug)]
pub struct SightingAt {
    /// The file (as named, or below a folder named, shown printable: control and invisible
    /// characters escaped, token-shaped runs cut), [`STANDARD_INPUT`], or what the caller called
    /// pasted text. Shared by every sighting in the same file.
    pub source: Arc<str>,
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

impl ReadReport {
    /// Adds what another read found.
    pub fn extend(&mut self, other: ReadReport) {
        self.sightings.extend(other.sightings);
        self.errors.extend(other.errors);
        self.files += other.files;
        self.bytes += other.bytes;
        self.binary += other.binary;
    }
}

/// Refuses, before anything is read, an argument that is a token (it belongs on standard input,
/// not in shell history) or a path that does not exist or is neither a file nor a folder: a
/// mistyped argument must not pass as "nothing found".
pub fn check_paths(paths: &[PathBuf]) -> Result<(), String> {
    for path in paths {
        if !find_in_bytes(path.to_string_lossy().as_bytes()).is_empty() {
            return Err(
                "an argument holds a token: never pass a token as an argument (shell history, \
                 ps); pipe the text on standard input: latchkey scan -"
                    .into(),
            );
        }
        let shown = printable_path(path);
        match std::fs::metadata(path) {
            Err(e) => return Err(format!("cannot scan {shown}: {}", reason(&e))),
            Ok(meta) if !meta.is_file() && !meta.is_dir() => {
                return Err(format!("cannot scan {shown}: not a regular file or folder"));
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

/// What to read, and whether a binary file is skipped.
struct ToRead {
    path: PathBuf,
    /// Met while walking a folder (so: not followed if a link, skipped if binary).
    walked: bool,
}

/// Reads the named files and folders. A path named here is followed even when it is a link and
/// read even when binary; links inside folders are not followed, binary files in them skipped.
pub fn read_paths(paths: &[PathBuf]) -> ReadReport {
    let mut report = ReadReport::default();
    let mut files = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut files, &mut report.errors),
            Ok(_) => files.push(ToRead {
                path: path.clone(),
                walked: false,
            }),
            Err(e) => report
                .errors
                .push(format!("{}: {}", printable_path(path), reason(&e))),
        }
    }
    let results = scan_files_in_parallel(&files);
    for (file, result) in files.iter().zip(results) {
        match result {
            Ok(FileScan::Binary) => report.binary += 1,
            Ok(FileScan::Text { sightings, bytes }) => {
                report.files += 1;
                report.bytes += bytes;
                if sightings.is_empty() {
                    continue;
                }
                let source: Arc<str> = printable_path(&file.path).into();
                report
                    .sightings
                    .extend(sightings.into_iter().map(|sighting| SightingAt {
                        source: Arc::clone(&source),
                        sighting,
                    }));
            }
            Err(e) => report
                .errors
                .push(format!("{}: {}", printable_path(&file.path), reason(&e))),
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
    let source: Arc<str> = source.into();
    Ok(ReadReport {
        sightings: sightings?
            .into_iter()
            .map(|sighting| SightingAt {
                source: Arc::clone(&source),
                sighting,
            })
            .collect(),
        files: 1,
        bytes: counting.bytes,
        ..ReadReport::default()
    })
}

/// The regular files below `folder`, in name order depth first (as a recursive walk would list
/// them); `.git` folders, links and anything else skipped. A loop over a stack, not recursion: a
/// deep tree cannot overflow it.
fn walk(folder: &Path, files: &mut Vec<ToRead>, errors: &mut Vec<String>) {
    enum Next {
        Folder(PathBuf),
        File(PathBuf),
    }
    let mut pending = vec![Next::Folder(folder.to_path_buf())];
    while let Some(next) = pending.pop() {
        let folder = match next {
            Next::File(path) => {
                files.push(ToRead { path, walked: true });
                continue;
            }
            Next::Folder(folder) => folder,
        };
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) => {
                errors.push(format!("{}: {}", printable_path(&folder), reason(&e)));
                continue;
            }
        };
        let mut entries: Vec<_> = entries
            .filter_map(|entry| match entry {
                Ok(entry) => Some(entry),
                Err(e) => {
                    errors.push(format!("{}: {}", printable_path(&folder), reason(&e)));
                    None
                }
            })
            .collect();
        entries.sort_by_key(|entry| entry.file_name());
        let mut here = Vec::new();
        for entry in entries {
            let path = entry.path();
            // The entry's own type: a link is a link, whatever it points at.
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => {
                    if entry.file_name() != ".git" {
                        here.push(Next::Folder(path));
                    }
                }
                Ok(kind) if kind.is_file() => here.push(Next::File(path)),
                Ok(_) => {}
                Err(e) => errors.push(format!("{}: {}", printable_path(&path), reason(&e))),
            }
        }
        // The first in name order is popped first.
        pending.extend(here.into_iter().rev());
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
fn scan_files_in_parallel(files: &[ToRead]) -> Vec<io::Result<FileScan>> {
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
                        let Some(file) = files.get(index) else {
                            // What was read may hold tokens.
                            buffer.zeroize();
                            return mine;
                        };
                        mine.push((index, scan_file(file, &mut buffer)));
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

fn scan_file(file: &ToRead, buffer: &mut Vec<u8>) -> io::Result<FileScan> {
    let opened = open_regular(&file.path, file.walked)?;
    let mut counting = CountingReader {
        inner: opened,
        bytes: 0,
    };
    let mut filled = 0;
    fill_chunk(&mut counting, buffer, &mut filled)?;
    if file.walked && memchr::memchr(0, &buffer[..filled.min(BINARY_SNIFF)]).is_some() {
        return Ok(FileScan::Binary);
    }
    let sightings = find_in_reader(&mut counting, buffer, filled)?;
    Ok(FileScan::Text {
        sightings,
        bytes: counting.bytes,
    })
}

/// Opens a regular file. One met in a walk is opened without following a link and without
/// blocking (it may have been swapped for a link or a FIFO since the folder was listed); what
/// was opened is checked to be a regular file before a byte is read.
fn open_regular(path: &Path, walked: bool) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    if walked {
        use std::os::unix::fs::OpenOptionsExt;
        let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
        options.custom_flags(flags.bits() as i32);
    }
    // Elsewhere a file swapped during the walk is read where it now points; Windows opens no
    // FIFO by a plain path and follows no link to one.
    #[cfg(not(unix))]
    let _ = walked;
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    Ok(file)
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
    fn folders_skip_git_binary_files_and_links_but_a_named_binary_file_is_read() {
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
            .map(|s| (s.source.to_string(), s.sighting.line))
            .collect();
        assert_eq!(seen, vec![(root.join("a/b.txt").display().to_string(), 2)]);
        let named = read_paths(&[root.join("a/c.bin")]);
        assert_eq!(
            (named.files, named.binary, named.sightings.len()),
            (1, 0, 1)
        );
    }

    #[test]
    fn a_missing_path_a_fifo_or_a_token_as_argument_is_refused_before_reading() {
        let missing = PathBuf::from("/nonexistent/latchkey-scan");
        let error = check_paths(&[missing]).unwrap_err();
        assert_eq!(
            error,
            "cannot scan /nonexistent/latchkey-scan: no such file or folder"
        );
        let token = format::encode(&[8; 32]).expose().to_string();
        let error = check_paths(&[PathBuf::from(&token)]).unwrap_err();
        assert!(error.contains("never pass a token"), "{error}");
        assert!(!error.contains(&token[3..20]));
        #[cfg(unix)]
        {
            let dir = tempfile::tempdir().unwrap();
            let fifo = dir.path().join("fifo");
            rustix::fs::mknodat(
                rustix::fs::CWD,
                &fifo,
                rustix::fs::FileType::Fifo,
                rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
                0,
            )
            .unwrap();
            let error = check_paths(&[fifo]).unwrap_err();
            assert!(error.ends_with("not a regular file or folder"), "{error}");
            // In a folder it is passed over, not opened (opening would wait for a writer).
            let report = read_paths(&[dir.path().to_path_buf()]);
            assert_eq!((report.files, report.errors.len()), (0, 0));
        }
    }

    #[test]
    fn a_deep_tree_is_walked_without_recursion() {
        let dir = tempfile::tempdir().unwrap();
        let mut deep = dir.path().to_path_buf();
        for _ in 0..300 {
            deep.push("d");
        }
        std::fs::create_dir_all(&deep).unwrap();
        let token = format::encode(&[9; 32]).expose().to_string();
        std::fs::write(deep.join("f.txt"), &token).unwrap();
        let report = read_paths(&[dir.path().to_path_buf()]);
        assert_eq!(report.sightings.len(), 1);
    }
}
