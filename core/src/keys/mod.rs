//! Key material: the installation key (in the OS credential store or a key file), its verifier
//! and the sub-keys derived from it, the OS random source, and the wrappers that keep secrets out
//! of logs and zeroize them.
pub(crate) mod file;
mod hex;
mod master;
pub(crate) mod random;
pub(crate) mod secret;
mod source;

pub(crate) use hex::hex;
pub(crate) use master::{MasterKey, constant_time_eq, derive, hmac_sha256};
pub(crate) use secret::KeyBytes;
pub use secret::Secret;
pub use source::{KEYRING_SERVICE, KeySource};
pub(crate) use source::{create, install, load, refuse_existing_key_file};
