//! Session epochs: a number per account that changes whenever its password is changed or reset
//! or it is deactivated or reactivated, so the app can end its open sessions.
use rusqlite::OptionalExtension;

use crate::Authority;
use crate::error::{CoreError, Result};
use crate::model::Actor;

impl Authority {
    /// The account's session epoch: a number that changes, in the same transaction, whenever its
    /// password is changed or reset or it is deactivated or reactivated. The app keeps the epoch
    /// it read right after the sign-in and compares it before each call; a different one (or an
    /// error) means the session has ended and the password must be entered again. One read by
    /// primary key.
    pub fn session_epoch(&self, actor: Actor) -> Result<i64> {
        self.conn
            .prepare_cached("SELECT session_epoch FROM accounts WHERE id = ?1")?
            .query_row([actor.account_id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| CoreError::Forbidden("your account no longer exists".into()))
    }
}
