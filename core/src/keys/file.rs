//! The key file (`--key-file`): where a machine without a credential store keeps the installation
//! key. Whoever can read it, or replace it, holds or swaps the key, so a file that is a symlink,
//! belongs to someone else, is readable by others, or sits in a folder others can write is
//! refused (a sticky folder such as /tmp excepted: others cannot replace a file there).
use std::io::{Read, Write};
use std::path::Path;

use super::hex::{hex, unhex};
use super::secret::KeyBytes;
use crate::error::{CoreError, Result};

/// `O_NOFOLLOW`: opening a symbolic link fails instead of following it.
#[cfg(unix)]
const O_NOFOLLOW: i32 = rustix::fs::OFlags::NOFOLLOW.bits() as i32;

/// Creates a new key file (mode 0600); an existing file, or a symlink, is never reused.
pub(crate) fn write(path: &Path, key: &KeyBytes) -> Result<()> {
    let shown = path.display();
    refuse_existing(path)?;
    check_folder(path)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| CoreError::Key(format!("could not create key file {shown}: {e}")))?;
    let mut text = hex(&key.0);
    text.push('\n');
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all());
    zeroize::Zeroize::zeroize(&mut text);
    written.map_err(|e| CoreError::Key(format!("could not write key file {shown}: {e}")))
}

/// A new key never goes where a file (or a symlink) already is.
pub(crate) fn refuse_existing(path: &Path) -> Result<()> {
    if exists(path) {
        return Err(CoreError::Key(format!(
            "key file {} already exists; a new store gets a new key, so name a path where no file \
                is (keep the old file if another store needs it)",
            path.display()
        )));
    }
    Ok(())
}

/// Whether a key file (or a symlink by that name) is there.
pub(crate) fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Reads a key file after checking who could have read or replaced it.
pub(crate) fn read(path: &Path) -> Result<KeyBytes> {
    let shown = path.display();
    let mut file = open_no_follow(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => CoreError::Key(format!(
            "key file {shown} does not exist; pass the key file this store was created with"
        )),
        _ if is_symlink(path) => CoreError::Key(format!(
            "key file {shown} is a symbolic link; name the key file itself"
        )),
        _ => CoreError::Key(format!("could not read key file {shown}: {e}")),
    })?;
    let metadata = file
        .metadata()
        .map_err(|e| CoreError::Key(format!("could not read key file {shown}: {e}")))?;
    if !metadata.is_file() {
        return Err(CoreError::Key(format!(
            "key file {shown} is not a regular file"
        )));
    }
    check_owner_and_mode(path, &metadata)?;
    check_folder(path)?;
    let mut text = String::new();
    let read = file.read_to_string(&mut text);
    let parsed = read.map(|_| unhex(text.trim()));
    zeroize::Zeroize::zeroize(&mut text);
    match parsed {
        Ok(Some(key)) => Ok(KeyBytes(key)),
        Ok(None) => Err(CoreError::Key(format!(
            "key file {shown} does not hold a Latchkey key (64 hexadecimal characters)"
        ))),
        Err(e) => Err(CoreError::Key(format!(
            "could not read key file {shown}: {e}"
        ))),
    }
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Opens without following a symlink in the last component, so the checks below are about the
/// file actually read.
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, O_NOFOLLOW);
    #[cfg(not(unix))]
    if is_symlink(path) {
        return Err(std::io::Error::other("a symbolic link"));
    }
    options.open(path)
}

#[cfg(unix)]
fn check_owner_and_mode(path: &Path, metadata: &std::fs::Metadata) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let shown = path.display();
    let me = rustix::process::geteuid().as_raw();
    if metadata.uid() != me {
        return Err(CoreError::Key(format!(
            "key file {shown} belongs to another user (uid {}); the key file must be your own",
            metadata.uid()
        )));
    }
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(CoreError::Key(format!(
            "key file {shown} is readable by others (mode {mode:o}); run `chmod 600 {shown}`"
        )));
    }
    Ok(())
}

/// Windows: a file has an owner SID and an ACL instead of a uid and mode bits; reading them needs
/// the Win32 security API (GetNamedSecurityInfoW), FFI this workspace does not write
/// (`unsafe_code = "forbid"`) and none of our dependencies wraps. A key file in the person's
/// profile inherits its ACL (the user, SYSTEM, Administrators), the counterpart of 0600; one
/// elsewhere is not checked, which docs/PLATFORMS.md says. Symlinks are refused before opening
/// (`open_no_follow`), and creating one on Windows needs a privilege ordinary users lack (unless
/// Developer Mode is on).
#[cfg(not(unix))]
fn check_owner_and_mode(_path: &Path, _metadata: &std::fs::Metadata) -> Result<()> {
    Ok(())
}

/// A folder others can write lets them replace the key file, unless it is sticky.
#[cfg(unix)]
fn check_folder(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let folder = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(folder) => folder.to_path_buf(),
        None => std::path::PathBuf::from("."),
    };
    let Ok(metadata) = std::fs::metadata(&folder) else {
        return Ok(()); // creating or reading the file reports a missing folder clearly
    };
    // Whoever owns the folder can rename another file over the key; only we or root may.
    let me = rustix::process::geteuid().as_raw();
    let owner = std::os::unix::fs::MetadataExt::uid(&metadata);
    if owner != me && owner != 0 {
        return Err(CoreError::Key(format!(
            "key file {} is in folder {} that belongs to another user (uid {owner}), who could \
                replace it; keep it in a folder of your own",
            path.display(),
            folder.display()
        )));
    }
    let mode = metadata.permissions().mode();
    let sticky = mode & 0o1000 != 0;
    if mode & 0o022 != 0 && !sticky {
        return Err(CoreError::Key(format!(
            "key file {} is in folder {} that others can write (mode {:o}), so they could replace \
                it; keep it in a folder only you can write",
            path.display(),
            folder.display(),
            mode & 0o777
        )));
    }
    Ok(())
}

/// Windows: who may replace a file is in the folder's ACL, unread for the reason given at
/// `check_owner_and_mode`.
#[cfg(not(unix))]
fn check_folder(_path: &Path) -> Result<()> {
    Ok(())
}
