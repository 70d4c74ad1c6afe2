//! Files written for a person (audit exports, backups), SPEC §6.8: always a new file — never
//! over
//! an existing one, never through a symlink — with mode 0600 on Unix. The one place that rule is
//! kept; the CLI, the app and `backup` all write such files through [`write_new`].

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// `O_NOFOLLOW`: opening a symbolic link fails instead of following it.
#[cfg(unix)]
pub(crate) const O_NOFOLLOW: i32 = rustix::fs::OFlags::NOFOLLOW.bits() as i32;

/// Creates `path` as a new, empty file only its owner can read and write. Fails with
/// `AlreadyExists` when anything is there — a file, a folder, or a symlink, even one that points
/// nowhere (`O_CREAT | O_EXCL`; on Unix also `O_NOFOLLOW`). On Windows `create_new` is
/// `CREATE_NEW`, which std documents as failing on any existing file or (dangling) symlink too;
/// the file has no mode there and inherits its folder's ACL — the Downloads folder in the
/// person's profile, readable by that user, SYSTEM and Administrators only.
pub fn create_new(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(O_NOFOLLOW);
    }
    options.open(path)
}

/// Writes `bytes` to the new file `path` (see [`create_new`]), synced to disk. The content is
/// written to a private temporary file beside it first and then linked in under its name, which
/// also refuses anything already there, so `path` never holds a partial file; on a file system
/// without hard links it is written in place (and removed again if writing fails).
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(already_exists(path));
    }
    let staging = staging_path(path)?;
    write_to_new(&staging, bytes)?;
    let linked = std::fs::hard_link(&staging, path);
    let _ = std::fs::remove_file(&staging);
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(already_exists(path)),
        // No hard links here (FAT, some network shares): write the file in place instead.
        Err(_) => write_to_new(path, bytes),
    }
}

fn write_to_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = create_new(path)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if written.is_err() {
        // Ours: create_new made it.
        let _ = std::fs::remove_file(path);
    }
    written
}

/// `.<name>.<random>.partial` beside `path`: a name nobody else uses.
fn staging_path(path: &Path) -> io::Result<PathBuf> {
    let mut random = [0u8; 8];
    crate::keys::random::fill(&mut random).map_err(|e| io::Error::other(e.to_string()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(path.with_file_name(format!(".{name}.{}.partial", crate::keys::hex(&random))))
}

fn already_exists(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{} already exists", path.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_private_and_nothing_is_overwritten_or_followed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        write_new(&path, b"first").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        let again = write_new(&path, b"second").unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let target = dir.path().join("elsewhere");
            let link = dir.path().join("link.csv");
            std::os::unix::fs::symlink(&target, &link).unwrap();
            assert!(write_new(&link, b"x").is_err());
            assert!(create_new(&link).is_err());
            assert!(!target.exists(), "the symlink was followed");
        }
        let leftovers = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".partial"))
            })
            .count();
        assert_eq!(leftovers, 0);
    }
}
