//! What a backup or restore tells the people who asked for it.
use serde::Serialize;

use super::carry::CarriedForward;
use crate::clock::{Timestamp, rfc3339};

/// How many of the tokens active at backup time the notes list one per line.
const LISTED_TOKENS: usize = 50;

/// What a backup or restore wrote, for the people who asked for it.
#[derive(Debug, Clone, Serialize)]
pub struct BackupSummary {
    /// The organisation's name.
    pub organisation: String,
    /// Tokens in the store.
    pub tokens: i64,
    /// Accounts in the store.
    pub accounts: i64,
    /// The size of the backup file.
    pub bytes: u64,
    /// A restore: when the backup was taken.
    pub backed_up_at: Option<Timestamp>,
    /// A restore over an existing store: what it carried forward from that store.
    pub carried_forward: Option<CarriedForward>,
    /// A restore over an existing store: where that store was kept.
    pub replaced_store: Option<String>,
    /// A restore where no store existed: the tokens of the backup that work again — active at
    /// backup time, not expired since, and of an active account.
    pub active_at_backup: Option<Vec<TokenAtBackup>>,
}

/// A token active at backup time, as a restore where no store existed lists it.
#[derive(Debug, Clone, Serialize)]
pub struct TokenAtBackup {
    /// Its public id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its owner's username.
    pub owner: String,
    /// Its hint (`lk_…` and the last four characters).
    pub hint: String,
    /// When it expires.
    pub expires_at: Timestamp,
}

impl BackupSummary {
    /// What a restore has to tell beyond the counts, one line each, the same words in the CLI
    /// and the app: the backup's time, what was carried forward or the warning that what was
    /// revoked after the backup works again, with the tokens that do.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        match (self.backed_up_at, &self.carried_forward) {
            (Some(at), Some(_)) => notes.push(format!("the backup is from {}", rfc3339(at))),
            (Some(at), None) => notes.push(format!(
                "warning: the backup is from {}; anything revoked, deactivated or taken away after \
                    that is active again: revoke what should not work",
                rfc3339(at)
            )),
            _ => {}
        }
        if let Some(carried) = &self.carried_forward {
            notes.push(carried.describe());
        }
        if let Some(path) = &self.replaced_store {
            notes.push(format!("the replaced store is kept as {path}"));
        }
        if let Some(tokens) = &self.active_at_backup {
            if tokens.is_empty() {
                notes.push("no token of the backup is active".into());
            } else {
                notes.push(format!(
                    "{} active at backup time (id, name, owner, hint):",
                    if tokens.len() == 1 {
                        "1 token".to_string()
                    } else {
                        format!("{} tokens", tokens.len())
                    }
                ));
                for token in tokens.iter().take(LISTED_TOKENS) {
                    notes.push(format!(
                        "  {}  {:?}  {}  {}",
                        token.id, token.name, token.owner, token.hint
                    ));
                }
                if tokens.len() > LISTED_TOKENS {
                    notes.push(format!("  … and {} more", tokens.len() - LISTED_TOKENS));
                }
            }
        }
        notes
    }
}
