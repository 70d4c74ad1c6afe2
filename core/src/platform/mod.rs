//! What touches the operating system outside the store: the default store location and the
//! private data folder, files written for a person, process hardening, and crash reports.
pub mod panic_report;
pub mod paths;
pub mod private_file;
pub mod process;
