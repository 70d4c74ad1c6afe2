//! The store: the one SQLite file, opened in one place with every pragma, migrated, written
//! only in short `BEGIN IMMEDIATE` transactions, and checked for having been replaced by a
//! restore. Two other connections exist, each to one file for one moment: the plain look at a
//! store's key facts before an upgrade (`authority/open.rs`) and restore writing a new store
//! file from a snapshot (`backup/restore.rs`).
mod files;
mod identity;
mod meta;
mod migrate;
mod open;
mod watermark;
mod write;

pub(crate) use files::{STORE_SUFFIXES, create_file, remove_store_files, sibling};
pub(crate) use identity::Store;
pub(crate) use meta::{insert_meta, meta};
pub use migrate::latest_schema_version;
pub(crate) use open::{OpenMode, classify, open};
pub use watermark::CLOCK_BEHIND_WARNING_SECONDS;
pub(crate) use watermark::watermark;
pub(crate) use write::write;
