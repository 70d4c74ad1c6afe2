//! The installation key: 32 random bytes per store, in the OS credential store or an explicit key
//! file, checked against a verifier in the store, and the per-purpose sub-keys derived from it.
use std::path::PathBuf;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{CoreError, Result};
use crate::key_file;
use crate::secret::KeyBytes;

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
pub(crate) fn create(source: &KeySource, installation_id: &str) -> Result<KeyBytes> {
    match source {
        KeySource::File(path) => {
            let key = random_key()?;
            key_file::write(path, &key)?;
            Ok(key)
        }
        KeySource::OsStore => {
            let key = random_key()?;
            os_entry(installation_id)?.set_secret(&key.0).map_err(|e| {
                CoreError::Key(format!(
                    "could not save the installation key in the OS credential store: {e}"
                ))
            })?;
            Ok(key)
        }
    }
}

/// `init` never reuses an existing key file: it could be another store's key, or planted.
pub(crate) fn refuse_existing_key_file(path: &std::path::Path) -> Result<()> {
    key_file::refuse_existing(path)
}

/// Reads the key of an existing store.
pub(crate) fn load(source: &KeySource, installation_id: &str) -> Result<KeyBytes> {
    match source {
        KeySource::File(path) => key_file::read(path),
        KeySource::OsStore => {
            let bytes = os_entry(installation_id)?.get_secret().map_err(|e| match e {
                keyring::Error::NoEntry => CoreError::Key(
                    "the installation key of this store is missing from the OS credential store; restore it from a backup".into(),
                ),
                other => CoreError::Key(format!("could not read the installation key from the OS credential store: {other}")),
            })?;
            let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                CoreError::Key("the installation key in the OS credential store is not 32 bytes; the store cannot be opened".into())
            })?;
            Ok(KeyBytes(key))
        }
    }
}

/// Puts a restored store's key where the store will look for it; an existing different key is
/// never overwritten.
pub(crate) fn install(source: &KeySource, installation_id: &str, key: &KeyBytes) -> Result<()> {
    let differs = |from: String| {
        CoreError::Key(format!(
            "{from} already holds a different installation key for this store; remove it first if it is no longer needed"
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
            "the OS credential store is not available ({e}); on a machine without one pass --key-file PATH or set LATCHKEY_KEY_FILE"
        ))
    })
}

fn random_key() -> Result<KeyBytes> {
    let mut key = [0u8; 32];
    crate::random::fill(&mut key)
        .map_err(|e| CoreError::Key(format!("the OS random source failed: {e}")))?;
    Ok(KeyBytes(key))
}

/// HMAC-SHA256(master, "latchkey/v1/" + purpose): one independent sub-key per purpose.
pub(crate) fn derive(master: &KeyBytes, purpose: &str) -> KeyBytes {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(&master.0).expect("HMAC takes keys of any length");
    mac.update(b"latchkey/v1/");
    mac.update(purpose.as_bytes());
    KeyBytes(mac.finalize().into_bytes().into())
}

/// What the store keeps to tell the right key from a wrong one, without revealing the key.
pub(crate) fn verifier(master: &KeyBytes) -> String {
    hex(&derive(master, "verifier").0)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_keys_differ_per_purpose_and_are_stable() {
        let master = KeyBytes([7u8; 32]);
        assert_eq!(
            derive(&master, "token-digest").0,
            derive(&master, "token-digest").0
        );
        assert_ne!(
            derive(&master, "token-digest").0,
            derive(&master, "password-pepper").0
        );
        assert_ne!(derive(&master, "token-digest").0, master.0);
    }

    #[test]
    fn key_debug_is_redacted() {
        assert_eq!(format!("{:?}", KeyBytes([1u8; 32])), "<redacted>");
    }

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
        assert_eq!(load(&KeySource::File(path), "x").unwrap().0, created.0);
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
