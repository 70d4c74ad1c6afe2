//! Tokens (SPEC §2 "Tokens", §3): the format, the keyed digest the store keeps, create (the
//! secret leaves exactly once), list, revoke and delete, rotate, and verification.
mod create;
pub mod format;
mod key;
mod leaving;
mod list;
mod note;
mod revoke;
mod rotate;
mod rows;
mod stale;
pub mod verify;

pub use create::{IssuedToken, NewToken};
pub(crate) use key::TokenKey;
pub(crate) use leaving::narrow_to;
pub use leaving::{Deactivated, DeactivationPreview, LeavingToken, LeavingTokens};
pub use rows::check_public_id;
pub use stale::{EXPIRING_TOGETHER_HORIZON_DAYS, ExpiringTogether, TokenOverview};
