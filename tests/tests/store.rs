//! The store under pressure: many writers at once, SIGKILLs at random moments, a full or
//! read-only disk, a damaged file, and the OS credential store (the test session's shared
//! Secret Service, where each store's key has an entry of its own).
#[path = "store/concurrency.rs"]
mod concurrency;
#[path = "store/crash_safety.rs"]
mod crash_safety;
#[path = "store/faults.rs"]
mod faults;
#[path = "store/os_credential_store.rs"]
mod os_credential_store;
