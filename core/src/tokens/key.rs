//! The token sub-key and the keyed digest it makes: HMAC-SHA256(token sub-key, token), all the
//! store ever keeps of a secret. Its bytes are visible in this file only.
use crate::keys::{self, KeyBytes, MasterKey};

/// The token sub-key, derived from the installation key.
pub(crate) struct TokenKey(KeyBytes);

impl TokenKey {
    /// The token sub-key of an installation key.
    pub(crate) fn derive(master: &MasterKey) -> TokenKey {
        TokenKey(master.derive("token-digest"))
    }

    /// HMAC-SHA256 of the token under the token sub-key: what the store keeps and looks up.
    pub(crate) fn digest(&self, token: &str) -> [u8; 32] {
        keys::hmac_sha256(&self.0, &[token.as_bytes()])
    }
}
