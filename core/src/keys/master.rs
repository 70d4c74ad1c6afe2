//! The installation key's sub-keys: one independent key per purpose, and the verifier that tells
//! the right key from a wrong one.
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::hex::hex;
use super::secret::KeyBytes;

/// HMAC-SHA256 under `key` of `parts`, one after the other: every keyed digest core makes.
pub(crate) fn hmac_sha256(key: &KeyBytes, parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key.expose()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA256(key, "latchkey/v1/" + purpose): one independent sub-key per purpose.
pub(crate) fn derive(key: &KeyBytes, purpose: &str) -> KeyBytes {
    KeyBytes(hmac_sha256(key, &[b"latchkey/v1/", purpose.as_bytes()]))
}

/// The installation key. Its bytes leave this folder only sealed into a backup; everything else
/// uses sub-keys derived from it. `Debug` prints `<redacted>`.
#[derive(Clone, Debug)]
pub(crate) struct MasterKey(pub(super) KeyBytes);

impl MasterKey {
    /// The sub-key for `purpose` (see [`derive`]).
    pub(crate) fn derive(&self, purpose: &str) -> KeyBytes {
        derive(&self.0, purpose)
    }

    /// What the store keeps to tell the right key from a wrong one, without revealing the key.
    pub(crate) fn verifier(&self) -> String {
        hex(&self.derive("verifier").0)
    }

    /// Whether `other` is the same key (compared in constant time).
    pub(crate) fn same_as(&self, other: &MasterKey) -> bool {
        constant_time_eq(&self.0.0, &other.0.0)
    }

    /// The bytes, to be sealed into a backup under a passphrase (`backup/file.rs`).
    pub(crate) fn for_backup(&self) -> &[u8; 32] {
        &self.0.0
    }

    /// The key a backup held.
    pub(crate) fn from_backup(bytes: [u8; 32]) -> MasterKey {
        MasterKey(KeyBytes(bytes))
    }
}

/// Whether two byte strings are equal, in a time that does not depend on where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
}
