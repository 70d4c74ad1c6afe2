//! "Look up a token": someone pastes a token and sees which one it is and everything the audit
//! log says of it. Administrators may look up any token; a member only their own.
use serde::Serialize;

use crate::Authority;
use crate::accounts::{active_account, load_account_by_id};
use crate::audit::AuditEvent;
use crate::error::{CoreError, Result};
use crate::model::{Actor, TokenInfo, TokenStatus};
use crate::tokens::format;
use crate::tokens::verify::{TokenSystems, reachable_systems};

/// The most audit events a look-up shows (a flooded token may have many denials).
pub const HISTORY_LIMIT: usize = 1_000;

/// A token looked up by its secret.
#[derive(Debug, Clone, Serialize)]
pub struct TokenLookup {
    /// The token as lists show it (never the secret).
    pub token: TokenInfo,
    /// Whether its owner's account is active.
    pub owner_active: bool,
    /// What it reaches now (nothing once revoked or expired).
    pub reaches: TokenSystems,
    /// The audit events about it, newest first (at most [`HISTORY_LIMIT`]).
    pub history: Vec<AuditEvent>,
    /// Whether older events were left out.
    pub history_truncated: bool,
}

impl Authority {
    /// Which token this secret is, with its whole audit history: any token for an
    /// administrator, one's own for a member. Only reads (a look-up is not a use).
    pub fn look_up_token(&self, actor: Actor, token: &str) -> Result<TokenLookup> {
        let me = active_account(&self.conn, actor)?;
        let token = token.trim();
        if !format::is_well_formed(token) {
            return Err(CoreError::Invalid(
                "that is not a Latchkey token: lk_ and 49 letters and digits whose last six are \
                 its checksum"
                    .into(),
            ));
        }
        let now = self.now()?;
        let Some(row) = self.token_by_secret(token, now)? else {
            return Err(CoreError::NotFound(
                "this token is not one of this store's (a typo would fail its checksum, so it \
                 comes from somewhere else)"
                    .into(),
            ));
        };
        let owner = load_account_by_id(&self.conn, row.owner_id)?;
        let manager = match &owner {
            Some(owner) => crate::access::manages(&self.conn, &me, owner)?,
            None => false,
        };
        if row.owner_id != me.id && !me.is_admin() && !manager {
            return Err(CoreError::Forbidden(
                "this token belongs to another account; ask an administrator to look it up".into(),
            ));
        }
        let reaches = match (&owner, row.info.status) {
            (Some(owner), TokenStatus::Active) => {
                reachable_systems(&self.conn, row.id, row.narrowed, owner)?
            }
            _ => TokenSystems::Listed(Vec::new()),
        };
        let mut history = self.events_about(&row.info.id, HISTORY_LIMIT + 1)?;
        let history_truncated = history.len() > HISTORY_LIMIT;
        history.truncate(HISTORY_LIMIT);
        Ok(TokenLookup {
            owner_active: owner.is_some_and(|o| o.is_active()),
            token: row.info,
            reaches,
            history,
            history_truncated,
        })
    }
}
