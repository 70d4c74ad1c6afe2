//! Tokens nobody uses: the overview of a person's tokens (stale ones, rotations finishing,
//! tokens expiring together) and the optional automatic revocation of long-unused tokens.
use rusqlite::params;
use serde::Serialize;
use serde_json::json;

use super::list::longest_quiet_first;
use crate::Authority;
use crate::accounts::active_account;
use crate::audit::{AuditAction, SYSTEM_ACTOR};
use crate::clock::{DAY, Timestamp};
use crate::error::Result;
use crate::model::{Actor, TokenInfo, TokenScope, TokenStatus};
use crate::reminders::{Expiring, expiry_groups};
use crate::settings;

/// Active tokens quiet (last used, or created when never used) since before ?1 at ?2.
const UNUSED_SINCE: &str = "
    SELECT t.id, t.public_id, a.username FROM tokens t JOIN accounts a ON a.id = t.owner_id
    WHERE (t.revoked_at IS NULL OR t.revoked_at > ?2) AND t.expires_at > ?2
      AND t.deleted_at IS NULL AND coalesce(t.last_used_at, t.created_at) <= ?1";
const REVOKE_UNUSED: &str = "UPDATE tokens SET revoked_at = ?2, revoked_by = NULL WHERE id = ?1";
/// How far ahead the overview looks for tokens expiring together.
pub const EXPIRING_TOGETHER_HORIZON_DAYS: i64 = 90;

/// Tokens that expire within a day of each other (one owner): renewed in one sitting.
#[derive(Debug, Clone, Serialize)]
pub struct ExpiringTogether {
    /// Their owner.
    pub owner: String,
    /// The first expiry of the group.
    pub first_expires_at: Timestamp,
    /// The last expiry of the group (less than a day after the first).
    pub last_expires_at: Timestamp,
    /// The tokens, soonest first.
    pub tokens: Vec<TokenInfo>,
}

/// What needs a person's attention among the tokens they see.
#[derive(Debug, Clone, Serialize)]
pub struct TokenOverview {
    /// Active tokens unused for longer than the stale setting, longest quiet first.
    pub stale: Vec<TokenInfo>,
    /// The stale setting, in days.
    pub stale_after_days: i64,
    /// Rotated tokens still working during their grace period (their last use shows whether
    /// something still uses them).
    pub retiring: Vec<TokenInfo>,
    /// Groups of tokens expiring within the same day, in the next 90 days.
    pub expiring_together: Vec<ExpiringTogether>,
}

impl Expiring for TokenInfo {
    fn owner_key(&self) -> &str {
        &self.owner
    }
    fn expiry(&self) -> Timestamp {
        self.expires_at
    }
}

impl Authority {
    /// The overview of the tokens the actor sees: a member their own and their service
    /// accounts', an administrator everyone's.
    pub fn token_overview(&self, actor: Actor) -> Result<TokenOverview> {
        let me = active_account(&self.conn, actor)?;
        let mut tokens = match me.is_admin() {
            true => self.list_tokens(actor, &TokenScope::All)?,
            false => self.list_tokens(actor, &TokenScope::Mine)?,
        };
        if !me.is_admin() {
            for service in self.service_accounts(actor)? {
                let scope = TokenScope::Owner(service.username);
                tokens.extend(self.list_tokens(actor, &scope)?);
            }
        }
        let now = self.now()?;
        let stale = longest_quiet_first(tokens.iter());
        let retiring = tokens.iter().filter(|t| t.is_retiring()).cloned().collect();
        let horizon = now + EXPIRING_TOGETHER_HORIZON_DAYS * DAY;
        let upcoming = tokens.iter().filter(|t| {
            t.status == TokenStatus::Active && !t.is_retiring() && t.expires_at <= horizon
        });
        let expiring_together = expiry_groups(upcoming)
            .into_iter()
            .map(|group| ExpiringTogether {
                owner: group.first().map(|t| t.owner.clone()).unwrap_or_default(),
                first_expires_at: group.first().map_or(0, |t| t.expires_at),
                last_expires_at: group.last().map_or(0, |t| t.expires_at),
                tokens: group.into_iter().cloned().collect(),
            })
            .collect();
        Ok(TokenOverview {
            stale,
            stale_after_days: settings::load(&self.conn)?.stale_after_days,
            retiring,
            expiring_together,
        })
    }

    /// Applies the automatic revocation setting: every active token unused for longer than it
    /// is revoked, each audited as revoked by the installation. Nothing when the setting is off
    /// (the default). Returns the ids revoked. The app runs it with its reminders, `latchkey
    /// serve` every ten minutes, and `latchkey tokens revoke-unused` on demand.
    pub fn revoke_unused_tokens(&mut self) -> Result<Vec<String>> {
        let Some(days) = settings::load(&self.conn)?.auto_revoke_unused_days else {
            return Ok(Vec::new());
        };
        // A read first: a write transaction (and its sync) only when something is due.
        let now = self.now()?;
        if unused_since(&self.conn, now - days * DAY, now)?.is_empty() {
            return Ok(Vec::new());
        }
        self.change_as(SYSTEM_ACTOR, |c| {
            let unused = unused_since(c.tx, c.now - days * DAY, c.now)?;
            let mut revoked = Vec::with_capacity(unused.len());
            for (row, id, owner) in unused {
                c.tx.execute(REVOKE_UNUSED, params![row, c.now])?;
                let details = json!({
                    "owner": owner, "reason": format!("unused for {days} days"),
                    "automatic": true,
                });
                c.record(AuditAction::TokenRevoked, &id, details)?;
                revoked.push(id);
            }
            Ok(revoked)
        })
    }
}

/// The tokens in force at `now` quiet since `cutoff`: (row, public id, owner).
fn unused_since(
    conn: &rusqlite::Connection,
    cutoff: Timestamp,
    now: Timestamp,
) -> Result<Vec<(i64, String, String)>> {
    let mut statement = conn.prepare_cached(UNUSED_SINCE)?;
    let rows = statement.query_map(params![cutoff, now], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
