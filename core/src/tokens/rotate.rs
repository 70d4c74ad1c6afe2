//! Rotating: a successor with the same name, systems and lifetime (capped by today's maximum),
//! and the predecessor retired at once, after a grace period, or at the successor's first use.
use rusqlite::params;
use serde_json::json;

use super::create::{IssuedToken, TokenInsert, insert_token};
use super::rows::manageable_token;
use crate::Authority;
use crate::accounts::{Need, load_account_by_id};
use crate::audit::AuditAction;
use crate::clock::{DAY, rfc3339};
use crate::error::{CoreError, Result};
use crate::model::{Actor, MAX_GRACE_DAYS, RotateGrace, TokenStatus};
use crate::settings;

const NARROWED_TO: &str = "SELECT system_id FROM token_systems WHERE token_id = ?1";
/// The predecessor retires at ?2, or earlier if it was already due to. ?4: the latest it may
/// retire when its grace is of days (the grace then ends once the successor is in use and the
/// old token has been quiet for a day; `verify.rs`); null at once or at the successor's first use.
const RETIRE: &str = "
    UPDATE tokens SET revoked_at = min(coalesce(revoked_at, ?2), ?2), revoked_by = ?3, rotated = 1,
                      grace_until = ?4
    WHERE id = ?1";

impl Authority {
    /// Creates a successor with the same name, systems and lifetime, and retires the predecessor
    /// at once, after the grace period, or at the successor's first use, whichever comes first.
    pub fn rotate_token(
        &mut self,
        actor: Actor,
        public_id: &str,
        grace: RotateGrace,
    ) -> Result<IssuedToken> {
        let grace_seconds = match grace {
            RotateGrace::Immediate => 0,
            RotateGrace::Days(days) if (1..=MAX_GRACE_DAYS).contains(&days) => days * DAY,
            RotateGrace::Days(days) => {
                return Err(CoreError::Invalid(format!(
                    "the grace period must be between 1 and {MAX_GRACE_DAYS} days (got {days})"
                )));
            }
            RotateGrace::UntilFirstUse => MAX_GRACE_DAYS * DAY,
        };
        let secret = self.new_secret()?;
        let successor = self.change(actor, Need::Account, |c, me| {
            let (tx, now) = (c.tx, c.now);
            let old = manageable_token(tx, me, public_id, now)?;
            if old.info.status != TokenStatus::Active {
                return Err(CoreError::Conflict(format!(
                    "token {} is {}; only an active token can be rotated",
                    old.info.id,
                    old.info.status.as_str()
                )));
            }
            if let Some(successor) = &old.info.replaced_by {
                return Err(CoreError::Conflict(format!(
                    "token {} was already rotated and is retiring; rotate its successor {} instead",
                    old.info.id, successor
                )));
            }
            let owner = load_account_by_id(tx, old.owner_id)?.ok_or(CoreError::Corrupt)?;
            // Same lifetime as the predecessor, capped by the maximum in force now.
            let max_lifetime = settings::load(tx)?.max_lifetime_days * DAY;
            let lifetime = (old.info.expires_at - old.info.created_at).min(max_lifetime);
            let systems: Option<Vec<i64>> = if old.narrowed {
                let mut statement = tx.prepare_cached(NARROWED_TO)?;
                let ids = statement.query_map([old.id], |r| r.get(0))?;
                Some(ids.collect::<rusqlite::Result<Vec<i64>>>()?)
            } else {
                None
            };
            let row = TokenInsert {
                owner: &owner,
                name: &old.info.name,
                now,
                expires_at: now + lifetime,
                systems: systems.as_deref(),
                predecessor: Some(old.id),
                recipient: me,
                usage_note: old.info.usage_note.as_deref(),
            };
            let new_id = insert_token(tx, &secret, &row)?;
            let retire_at = now + grace_seconds;
            let grace_until = matches!(grace, RotateGrace::Days(_)).then_some(retire_at);
            tx.execute(RETIRE, params![old.id, retire_at, me.id, grace_until])?;
            let details = json!({
                "successor": new_id, "predecessor_revoked_at": rfc3339(retire_at),
                "until_first_use": grace != RotateGrace::Immediate,
            });
            c.record(AuditAction::TokenRotated, &old.info.id, details)?;
            Ok(new_id)
        })?;
        Ok(IssuedToken {
            secret: secret.secret,
            token: self.token_info(&successor)?,
        })
    }
}
