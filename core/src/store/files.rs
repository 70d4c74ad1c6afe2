//! The files a store is made of, and files beside it (its WAL, backup copies, staging files).
use std::path::{Path, PathBuf};

use crate::error::{CoreError, Result};

pub(crate) fn create_file(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(parent).map_err(|e| {
            CoreError::Store(format!("could not create folder {}: {e}", parent.display()))
        })?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    // On Windows the file inherits its folder's ACL: in the default place that is the profile's
    // (the user, SYSTEM, Administrators; see `secure_data_folder`), and a `--db` folder is one
    // the person chose.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map(drop)
        .map_err(|e| CoreError::Store(format!("could not create store {}: {e}", path.display())))
}

/// `<store><suffix>`: a file beside the store (its WAL, a backup copy, a staging file).
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The files a store is made of: the database, its write-ahead log and shared-memory index.
pub(crate) const STORE_SUFFIXES: [&str; 3] = ["", "-wal", "-shm"];

/// Removes a store's files where they exist (a failed init, a staging copy).
pub(crate) fn remove_store_files(path: &Path) {
    for suffix in STORE_SUFFIXES {
        let _ = std::fs::remove_file(sibling(path, suffix));
    }
}
