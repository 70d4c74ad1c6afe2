//! When someone leaves: what will stop working (a preview, changing nothing), and handing tokens
//! over to a service account so CI keeps running, or revoking them, as the account is
//! deactivated.
use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::json;

use super::revoke::revoke_row;
use super::rows::{TOKEN_COLUMNS, TOKEN_TABLES, TokenRow, manageable_token, token_from_row};
use super::verify::{TokenSystems, reachable_systems};
use crate::Authority;
use crate::accounts::{Need, deactivate_in, find_account, load_account_by_id};
use crate::audit::{AuditAction, Change};
use crate::clock::{DAY, Timestamp};
use crate::error::{CoreError, Result};
use crate::model::{Account, Actor, TokenInfo, TokenStatus};

/// An account's tokens still in force at ?2 (retiring ones included), newest first.
const ACTIVE_TOKENS_OF: &str = "t.owner_id = ?1 AND t.deleted_at IS NULL
     AND (t.revoked_at IS NULL OR t.revoked_at > ?2) AND t.expires_at > ?2";
/// The former owner still knows the secret: `created_by` names whoever does, from then on.
const SET_OWNER: &str = "
    UPDATE tokens SET owner_id = ?2, narrowed = ?3, created_by = coalesce(created_by, owner_id)
    WHERE id = ?1";
/// Tokens in force at ?2 owned by another account whose secret account ?1 received (a service
/// account's tokens it created as a manager, tokens handed over from it).
const SECRETS_RECEIVED: &str = "t.created_by = ?1 AND t.owner_id != ?1 AND t.deleted_at IS NULL
     AND (t.revoked_at IS NULL OR t.revoked_at > ?2) AND t.expires_at > ?2";
const CLEAR_NARROWING: &str = "DELETE FROM token_systems WHERE token_id = ?1";
const NARROW_TO: &str = "
    INSERT OR IGNORE INTO token_systems (token_id, system_id)
    SELECT ?1, id FROM systems WHERE slug = ?2";
/// Service accounts managed by a group in which ?1 is the only active member.
const LEFT_UNMANAGED: &str = "
    SELECT s.username FROM accounts s JOIN group_members m ON m.group_id = s.managed_by
    WHERE s.kind = 'service' AND s.status = 'active' AND m.account_id = ?1
      AND NOT EXISTS (SELECT 1 FROM group_members o JOIN accounts oa ON oa.id = o.account_id
                      WHERE o.group_id = s.managed_by AND o.account_id != ?1
                        AND oa.status = 'active')
    ORDER BY s.username_key";

/// One token that stops working when its owner is deactivated.
#[derive(Debug, Clone, Serialize)]
pub struct LeavingToken {
    /// The token as lists show it (its usage note says where it is used).
    pub token: TokenInfo,
    /// The systems it reaches now.
    pub reaches: TokenSystems,
    /// Whether it was used in the last 7 days.
    pub used_last_7_days: bool,
    /// Whether it was used in the last 30 days.
    pub used_last_30_days: bool,
}

/// What deactivating an account would stop: shown before, changing nothing.
#[derive(Debug, Clone, Serialize)]
pub struct DeactivationPreview {
    /// The account.
    pub account: Account,
    /// Its tokens in force, newest first.
    pub tokens: Vec<LeavingToken>,
    /// Service accounts whose managing group has no other active member: nobody could create
    /// or rotate their tokens afterwards.
    pub unmanaged_service_accounts: Vec<String>,
    /// Tokens of service accounts whose secret this person received (as a manager, or by a
    /// hand-over): they keep working after the person leaves, so a manager should rotate them.
    pub secrets_known: Vec<TokenInfo>,
}

/// What happens to the leaving account's tokens in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeavingTokens {
    /// They stay with the account and fail verification (`owner_deactivated`); reactivation
    /// restores them.
    Keep,
    /// Each is handed over to this service account.
    HandOverTo(String),
    /// Each is revoked.
    Revoke,
}

/// What a deactivation did to the tokens.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Deactivated {
    /// The ids of the tokens handed over.
    pub handed_over: Vec<String>,
    /// The ids of the tokens revoked.
    pub revoked: Vec<String>,
}

fn active_tokens_of(conn: &Connection, owner_id: i64, now: Timestamp) -> Result<Vec<TokenRow>> {
    tokens_where(conn, ACTIVE_TOKENS_OF, owner_id, now)
}

fn tokens_where(
    conn: &Connection,
    condition: &str,
    owner_id: i64,
    now: Timestamp,
) -> Result<Vec<TokenRow>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {TOKEN_COLUMNS} FROM {TOKEN_TABLES} WHERE {condition}
         ORDER BY t.created_at DESC, t.id DESC"
    ))?;
    let rows = statement.query_map(params![owner_id, now], |r| token_from_row(r, now))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The active service account `name`, as a hand-over's recipient.
fn recipient(conn: &Connection, name: &str) -> Result<Account> {
    let to = find_account(conn, name)?;
    if !to.is_service() {
        return Err(CoreError::Invalid(format!(
            "{} is a person's account; tokens are handed over to a service account (an \
             administrator creates one with `latchkey users add NAME --service --managed-by \
             GROUP`)",
            to.username
        )));
    }
    if !to.is_active() {
        return Err(CoreError::Conflict(format!(
            "service account {} is deactivated; reactivate it first",
            to.username
        )));
    }
    Ok(to)
}

/// Narrows token row `token_id` to exactly the systems `slugs` (those that exist; none: it
/// reaches nothing). A restore carrying a hand-over forward uses it too.
pub(crate) fn narrow_to(tx: &Connection, token_id: i64, slugs: &[String]) -> Result<()> {
    tx.execute(CLEAR_NARROWING, [token_id])?;
    for slug in slugs {
        tx.execute(NARROW_TO, params![token_id, slug])?;
    }
    Ok(())
}

/// Hands one token over: its owner becomes `to`, and it is narrowed to what it reached just
/// before, so a secret its former owner still knows never reaches more than it did.
/// `from` is the token's owner.
fn hand_over_in(c: &Change<'_>, token: &TokenRow, from: &Account, to: &Account) -> Result<()> {
    let reached = reachable_systems(c.tx, token.id, token.narrowed, from)?;
    let narrowed_to = match &reached {
        TokenSystems::All => None,
        TokenSystems::Listed(slugs) => Some(slugs.clone()),
    };
    if let Some(slugs) = &narrowed_to {
        narrow_to(c.tx, token.id, slugs)?;
    }
    let narrowed = token.narrowed || narrowed_to.is_some();
    c.tx.execute(SET_OWNER, params![token.id, to.id, narrowed])?;
    let details = json!({
        "from": from.username, "to": to.username, "narrowed_to": narrowed_to,
    });
    c.record(AuditAction::TokenHandedOver, &token.info.id, details)
}

impl Authority {
    /// What deactivating `username` would stop (administrators only); changes nothing.
    pub fn deactivation_preview(
        &self,
        actor: Actor,
        username: &str,
    ) -> Result<DeactivationPreview> {
        self.require_admin(actor)?;
        let now = self.now()?;
        let account = find_account(&self.conn, username)?;
        let mut tokens = Vec::new();
        let stale_after = crate::settings::load(&self.conn)?.stale_after_days;
        for row in active_tokens_of(&self.conn, account.id, now)? {
            let reaches = reachable_systems(&self.conn, row.id, row.narrowed, &account)?;
            let token = super::rows::listed(&self.conn, row, now, stale_after)?;
            let quiet = token.last_used_at.map(|at| now - at);
            tokens.push(LeavingToken {
                reaches,
                used_last_7_days: quiet.is_some_and(|q| q < 7 * DAY),
                used_last_30_days: quiet.is_some_and(|q| q < 30 * DAY),
                token,
            });
        }
        let mut statement = self.conn.prepare_cached(LEFT_UNMANAGED)?;
        let unmanaged_service_accounts = statement
            .query_map([account.id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        let secrets_known = tokens_where(&self.conn, SECRETS_RECEIVED, account.id, now)?
            .into_iter()
            .map(|row| super::rows::with_systems(&self.conn, row))
            .collect::<Result<Vec<_>>>()?;
        Ok(DeactivationPreview {
            account,
            tokens,
            unmanaged_service_accounts,
            secrets_known,
        })
    }

    /// Hands a token in force of a deactivated account over to an active service account
    /// (administrators only; an active account's tokens are handed over as it is deactivated,
    /// with [`deactivate_account`](Self::deactivate_account)). It keeps its secret and id; from
    /// then on its access is the service account's, within what it reached before (checked at
    /// every verification as always), and `created_by` names the former owner, who still knows
    /// the secret.
    pub fn hand_over_token(
        &mut self,
        actor: Actor,
        public_id: &str,
        to: &str,
    ) -> Result<TokenInfo> {
        self.change(actor, Need::Admin, |c, me| {
            let token = manageable_token(c.tx, me, public_id, c.now)?;
            let to = recipient(c.tx, to)?;
            let owner = load_account_by_id(c.tx, token.owner_id)?.ok_or(CoreError::Corrupt)?;
            // Otherwise anyone could make a secret they hold act as a service account: an
            // administrator their own, a person theirs while staying.
            if owner.is_active() && !owner.is_service() {
                return Err(CoreError::Conflict(format!(
                    "{} is still active; hand tokens over as the account is deactivated \
                     (`latchkey users deactivate {} --hand-over-to SERVICE`)",
                    owner.username, owner.username
                )));
            }
            if token.info.status != TokenStatus::Active {
                return Err(CoreError::Conflict(format!(
                    "token {} is {}; only a token in force can be handed over",
                    token.info.id,
                    token.info.status.as_str()
                )));
            }
            if to.id == token.owner_id {
                return Ok(());
            }
            hand_over_in(c, &token, &owner, &to)
        })?;
        self.token_info(public_id)
    }

    /// Deactivates an account (administrators only), first handing over or revoking its tokens
    /// in force as asked, all in one transaction.
    pub fn deactivate_account(
        &mut self,
        actor: Actor,
        username: &str,
        tokens: &LeavingTokens,
    ) -> Result<Deactivated> {
        self.change(actor, Need::Admin, |c, me| {
            let target = find_account(c.tx, username)?;
            let mut done = Deactivated::default();
            let to = match tokens {
                LeavingTokens::HandOverTo(name) => Some(recipient(c.tx, name)?),
                _ => None,
            };
            if to.as_ref().is_some_and(|to| to.id == target.id) {
                return Err(CoreError::Invalid(
                    "a service account cannot hand its tokens over to itself".into(),
                ));
            }
            for token in active_tokens_of(c.tx, target.id, c.now)? {
                match (tokens, &to) {
                    (LeavingTokens::HandOverTo(_), Some(to)) => {
                        hand_over_in(c, &token, &target, to)?;
                        done.handed_over.push(token.info.id);
                    }
                    (LeavingTokens::Revoke, _) => {
                        revoke_row(c.tx, token.id, me.id, c.now)?;
                        let details = json!({"owner": token.info.owner, "reason": "deactivated"});
                        c.record(AuditAction::TokenRevoked, &token.info.id, details)?;
                        done.revoked.push(token.info.id);
                    }
                    _ => {}
                }
            }
            deactivate_in(c, &target)?;
            Ok(done)
        })
    }
}
