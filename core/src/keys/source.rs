//! Where the installation key lives: 32 random bytes per store, in the OS credential store or an
//! explicit key file, created at `init`, read at every open, installed by a restore.
use std::path::PathBuf;

use super::file as key_file;
use super::master::MasterKey;
use super::secret::KeyBytes;
use crate::error::{CoreError, Result};

/// The keyring service under which installation keys are kept; the entry name is the store's
/// installation id, so several stores on one machine never share a key.
pub const KEYRING_SERVICE: &str = "latchkey";

/// Where the installation key lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The operating system's credential store (Keychain, Credential Manager, Secret Service).
    OsStore,
    /// A key file named explicitly (`--key-file` / `LATCHKEY_KEY_FILE`), mode 0600.
    File(PathBuf),
}

impl KeySource {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            KeySource::OsStore => "os",
            KeySource::File(_) => "file",
        }
    }
}

/// Creates the key for a new store: always a fresh random key (an existing key file is refused).
pub(crate) fn create(source: &KeySource, installation_id: &str) -> Result<MasterKey> {
    match source {
        KeySource::File(path) => {
            let key = random_key()?;
            key_file::write(path, &key)?;
            Ok(MasterKey(key))
        }
        KeySource::OsStore => {
            let key = random_key()?;
            os_entry(installation_id)?.set_secret(&key.0).map_err(|e| {
                CoreError::Key(format!(
                    "could not save the installation key in the OS credential store: {e}"
                ))
            })?;
            Ok(MasterKey(key))
        }
    }
}

/// `init` never reuses an existing key file: it could be another store's key, or planted.
pub(crate) fn refuse_existing_key_file(path: &std::path::Path) -> Result<()> {
    key_file::refuse_existing(path)
}

/// Reads the key of an existing store.
pub(crate) fn load(source: &KeySource, installation_id: &str) -> Result<MasterKey> {
    match source {
        KeySource::File(path) => key_file::read(path).map(MasterKey),
        KeySource::OsStore => {
            let bytes =
                os_entry(installation_id)?.get_secret().map_err(|e| {
                    match e {
                keyring::Error::NoEntry => CoreError::Key(
                    "the installation key of this store is missing from the OS credential store; \
                        restore it from a backup".into(),
                ),
                other => CoreError::Key(format!("could not read the installation key from the OS \
                    credential store: {other}")),
            }
                })?;
            let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                CoreError::Key(
                    "the installation key in the OS credential store is not 32 bytes; \
                    the store cannot be opened"
                        .into(),
                )
            })?;
            Ok(MasterKey(KeyBytes(key)))
        }
    }
}

/// Puts a restored store's key where the store will look for it; an existing different key is
/// never overwritten.
pub(crate) fn install(source: &KeySource, installation_id: &str, key: &MasterKey) -> Result<()> {
    let key = &key.0;
    let differs = |from: String| {
        CoreError::Key(format!(
            "{from} already holds a different installation key for this store; remove it first if \
                it is no longer needed"
        ))
    };
    match source {
        KeySource::File(path) if key_file::exists(path) => {
            if key_file::read(path)?.0 != key.0 {
                return Err(differs(format!("key file {}", path.display())));
            }
            Ok(())
        }
        KeySource::File(path) => key_file::write(path, key),
        KeySource::OsStore => {
            let entry = os_entry(installation_id)?;
            match entry.get_secret() {
                Ok(existing) if existing.as_slice() == key.0 => Ok(()),
                Ok(_) => Err(differs("the OS credential store".into())),
                Err(keyring::Error::NoEntry) => entry.set_secret(&key.0).map_err(|e| {
                    CoreError::Key(format!(
                        "could not save the installation key in the OS credential store: {e}"
                    ))
                }),
                Err(e) => Err(CoreError::Key(format!(
                    "could not read the OS credential store: {e}"
                ))),
            }
        }
    }
}

fn os_entry(installation_id: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(KEYRING_SERVICE, installation_id).map_err(|e| {
        CoreError::Key(format!(
            "the OS credential store is not available ({e}); on a machine without one pass \
                --key-file PATH or set LATCHKEY_KEY_FILE"
        ))
    })
}

fn random_key() -> Result<KeyBytes> {
    let mut key = [0u8; 32];
    super::random::fill(&mut key)
        .map_err(|e| CoreError::Key(format!("the OS random source failed: {e}")))?;
    Ok(KeyBytes(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn key_file_round_trips_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        let created = create(&KeySource::File(path.clone()), "x").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        assert_eq!(load(&KeySource::File(path), "x").unwrap().0.0, created.0.0);
    }

    #[cfg(unix)]
    #[test]
    fn key_file_readable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        create(&KeySource::File(path.clone()), "x").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = load(&KeySource::File(path), "x").unwrap_err();
        assert!(error.to_string().contains("readable by others"), "{error}");
    }
}
