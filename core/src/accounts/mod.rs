//! Accounts: their rows, who is acting and with which role, sign-in with its throttle, passwords,
//! what administrators do to accounts, and session epochs.
mod acting;
mod admin;
pub mod password;
mod rows;
mod sessions;
mod signin;
mod throttle;

pub(crate) use acting::{Need, active_account};
pub use admin::NewAccount;
pub(crate) use admin::deactivate_in;
pub(crate) use password::Pepper;
pub(crate) use rows::{
    find_account, insert_account, list_accounts, load_account_by_id, load_account_by_name,
};
pub(crate) use throttle::SigninKey;
pub use throttle::{
    FREE_FAILURES, IN_FLIGHT_STALE_SECONDS, MAX_CONSECUTIVE_FAILURES, MAX_LOCK_SECONDS,
    UNKNOWN_NAME_RETENTION_SECONDS, UNKNOWN_USERNAME, lock_remaining,
};

/// A new store in `dir` with the administrator `root`, for the unit tests of this folder.
#[cfg(test)]
pub(crate) fn init_test_store(
    dir: &std::path::Path,
    clock: std::sync::Arc<dyn crate::Clock>,
) -> crate::Authority {
    let request = crate::InitRequest {
        organisation: "Acme",
        admin_username: "root",
        admin_display_name: None,
        admin_password: "admin password that is long",
    };
    crate::Authority::init(
        &dir.join("s.db"),
        &crate::KeySource::File(dir.join("k")),
        clock,
        &request,
    )
    .unwrap()
}
