//! A wrapper for secrets: never printed by `Debug`, never serialised by accident, zeroized on drop.
use zeroize::Zeroize;

/// A token's secret.
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: String) -> Self {
        Secret(value)
    }
    /// The secret itself; call only where it must leave the process (the one create/rotate
    /// response).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// 32 bytes of key material, zeroized on drop, redacted in `Debug`. Each sub-key is held in a
/// type of the folder that uses it (`TokenKey`, `Pepper`, `SigninKey`, `ChainKey`, `MasterKey`),
/// whose field is private, so only that folder reaches the bytes.
#[derive(Clone)]
pub(crate) struct KeyBytes(pub(super) [u8; 32]);

impl KeyBytes {
    /// The bytes, for the one function that keys something with them.
    pub(crate) fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// Key material made up by a test.
    #[cfg(test)]
    pub(crate) fn for_tests(bytes: [u8; 32]) -> KeyBytes {
        KeyBytes(bytes)
    }
}

impl Drop for KeyBytes {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for KeyBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}
