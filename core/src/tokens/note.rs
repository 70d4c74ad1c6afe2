//! A token's usage note: where it is used, so whoever renews, rotates or revokes it knows which
//! secret to update. Shown in lists, reminders and leak findings; never in verification answers.
use rusqlite::params;
use serde_json::json;

use super::rows::manageable_token;
use crate::Authority;
use crate::accounts::Need;
use crate::audit::AuditAction;
use crate::error::Result;
use crate::model::{Actor, TokenInfo};
use crate::validate;

const SET_NOTE: &str = "UPDATE tokens SET usage_note = ?2 WHERE id = ?1";

impl Authority {
    /// Sets where a token is used (its owner, a manager of its service account, or an
    /// administrator); an empty note clears it. Unchanged, it records nothing.
    pub fn set_usage_note(
        &mut self,
        actor: Actor,
        public_id: &str,
        note: &str,
    ) -> Result<TokenInfo> {
        let note = validate::usage_note(note)?;
        self.change(actor, Need::Account, |c, me| {
            let token = manageable_token(c.tx, me, public_id, c.now)?;
            if token.info.usage_note == note {
                return Ok(());
            }
            c.tx.execute(SET_NOTE, params![token.id, note])?;
            let details = json!({"owner": token.info.owner, "usage_note": note});
            c.record(AuditAction::TokenNoteChanged, &token.info.id, details)
        })?;
        self.token_info(public_id)
    }
}
