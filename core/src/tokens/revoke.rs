//! Revoking (at once; revoking a revoked token changes nothing), revoking all of an account's
//! tokens, and deleting an expired or revoked token from the lists.
use rusqlite::{Connection, params};
use serde_json::json;

use super::rows::manageable_token;
use crate::Authority;
use crate::access::manages;
use crate::accounts::{Need, find_account};
use crate::audit::AuditAction;
use crate::clock::Timestamp;
use crate::error::{CoreError, Result};
use crate::model::{Actor, TokenInfo, TokenStatus};

const REVOKE: &str = "UPDATE tokens SET revoked_at = ?3, revoked_by = ?2 WHERE id = ?1";
/// Every token of owner ?1 still active at ?3 (a rotated one in its grace period included).
const REVOKE_ALL: &str = "
    UPDATE tokens SET revoked_at = ?3, revoked_by = ?2
    WHERE owner_id = ?1 AND (revoked_at IS NULL OR revoked_at > ?3) AND expires_at > ?3";
const DELETE: &str = "UPDATE tokens SET deleted_at = ?2 WHERE id = ?1";

impl Authority {
    /// Revokes a token at once; revoking a revoked token changes nothing.
    pub fn revoke_token(&mut self, actor: Actor, public_id: &str) -> Result<TokenInfo> {
        self.revoke_token_found(actor, public_id, None)
    }

    /// Revokes a token a leak check found, recording where (`found_in`) with the revocation.
    pub fn revoke_leaked_token(
        &mut self,
        actor: Actor,
        public_id: &str,
        found_in: &str,
    ) -> Result<TokenInfo> {
        self.revoke_token_found(actor, public_id, Some(found_in))
    }

    fn revoke_token_found(
        &mut self,
        actor: Actor,
        public_id: &str,
        found_in: Option<&str>,
    ) -> Result<TokenInfo> {
        let found_in = found_in.map(crate::validate::found_in).transpose()?;
        self.change(actor, Need::Account, |c, me| {
            let token = manageable_token(c.tx, me, public_id, c.now)?;
            if token.info.status != TokenStatus::Revoked {
                revoke_row(c.tx, token.id, me.id, c.now)?;
                let mut details = json!({"owner": token.info.owner});
                if let Some(place) = &found_in {
                    details["found_in"] = json!(place);
                }
                c.record(AuditAction::TokenRevoked, &token.info.id, details)?;
            }
            Ok(())
        })?;
        self.token_info(public_id)
    }

    /// Revokes every token of an account (own by default; another's for administrators).
    /// Returns how many were revoked.
    pub fn revoke_all_tokens(&mut self, actor: Actor, owner: Option<&str>) -> Result<usize> {
        self.change(actor, Need::Account, |c, me| {
            let target = match owner {
                Some(name) => {
                    let target = find_account(c.tx, name)?;
                    if target.id != me.id && !me.is_admin() && !manages(c.tx, me, &target)? {
                        return Err(CoreError::Forbidden(
                            "only an administrator may revoke another account's tokens (or a \
                             member of a service account's managing group, its tokens)"
                                .into(),
                        ));
                    }
                    target
                }
                None => me.clone(),
            };
            let revoked = c.tx.execute(REVOKE_ALL, params![target.id, me.id, c.now])?;
            if revoked > 0 {
                let details = json!({"count": revoked});
                c.record(AuditAction::TokenRevokedAll, &target.username, details)?;
            }
            Ok(revoked)
        })
    }

    /// Removes an expired or revoked token from the lists; its audit history stays, and it
    /// keeps failing verification.
    pub fn delete_token(&mut self, actor: Actor, public_id: &str) -> Result<()> {
        self.change(actor, Need::Account, |c, me| {
            let token = manageable_token(c.tx, me, public_id, c.now)?;
            if token.info.status == TokenStatus::Active {
                return Err(CoreError::Conflict(format!(
                    "token {} is still active; revoke it before deleting it from the list",
                    token.info.id
                )));
            }
            c.tx.execute(DELETE, params![token.id, c.now])?;
            let details = json!({"owner": token.info.owner});
            c.record(AuditAction::TokenDeleted, &token.info.id, details)
        })
    }
}

pub(super) fn revoke_row(tx: &Connection, token_id: i64, by: i64, now: Timestamp) -> Result<()> {
    tx.execute(REVOKE, params![token_id, by, now])?;
    Ok(())
}
