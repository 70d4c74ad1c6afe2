//! Every secret, salt, nonce and id comes from the operating system's generator, through rand's
//! `SysRng`: no user-space generator to seed, fork or leave in memory.
use rand::TryRng;
use rand::rngs::SysRng;

use crate::error::{CoreError, Result};

/// Fills `buffer` from the OS generator.
pub(crate) fn fill(buffer: &mut [u8]) -> std::result::Result<(), rand::rngs::SysError> {
    SysRng.try_fill_bytes(buffer)
}

/// [`fill`], its failure reported as a store error (the operation cannot go on without it).
pub(crate) fn fill_for_store(buffer: &mut [u8]) -> Result<()> {
    fill(buffer).map_err(|e| CoreError::Store(format!("the OS random source failed: {e}")))
}
