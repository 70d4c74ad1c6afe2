//! How an [`Authority`](crate::Authority) comes to be: a new store with its key and first
//! administrator (`init.rs`), or an existing store opened with its key, checked before anything
//! can change (`open.rs`).
mod init;
mod open;

pub use init::InitRequest;
