//! Access (SPEC §2 "Systems and access"): systems and their on-boarding, direct grants, groups
//! and their grants, and the one answer to "may this account access this system now?".
mod grants;
mod groups;
mod may_access;
mod service_accounts;
mod systems;

pub(crate) use may_access::{accessible_slugs, account_may_access};
pub use service_accounts::NewServiceAccount;
pub(crate) use service_accounts::manages;
pub(crate) use systems::{find_system, system_id};
