//! What a leak check says of each token it found: live (and whose), revoked, expired, not ours,
//! or — with no store to ask — unknown here. A look-up by digest only reads: finding a token is
//! not a use, so last-used and stale-token reckoning stay untouched.
use std::sync::Arc;

use serde::Serialize;

use super::files::SightingAt;
use crate::Authority;
use crate::accounts::{active_account, load_account_by_id};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::model::{Actor, TokenStatus};
use crate::tokens::format::hint;
use crate::tokens::verify::{TokenSystems, reachable_systems};

/// A found token's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeakStatus {
    /// One of ours, neither revoked nor expired: whoever found it can use it.
    Live,
    /// One of ours, revoked.
    Revoked,
    /// One of ours, expired.
    Expired,
    /// Well-formed, but not a token of this store.
    NotOurs,
    /// Well-formed, and there is no store here to ask: it may be live.
    UnknownHere,
}

impl LeakStatus {
    /// As printed.
    pub fn as_str(self) -> &'static str {
        match self {
            LeakStatus::Live => "live",
            LeakStatus::Revoked => "revoked",
            LeakStatus::Expired => "expired",
            LeakStatus::NotOurs => "not ours",
            LeakStatus::UnknownHere => "unknown here",
        }
    }

    /// Whether finding it calls for action (the scan's exit code 1).
    pub fn may_be_live(self) -> bool {
        matches!(self, LeakStatus::Live | LeakStatus::UnknownHere)
    }
}

/// Who reads the findings.
#[derive(Debug, Clone, Copy)]
pub enum Viewer {
    /// Whoever holds the store and its key (the CLI without `--user`): sees everything, as
    /// `latchkey verify --json` would show to anyone holding the token.
    Operator,
    /// A signed-in account: the owner of every found token (as verification would say), and the
    /// name, id and systems of the tokens it may manage (its own; all for administrators).
    Account(Actor),
}

/// One token found somewhere: never the token itself.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    /// The file, `(standard input)` or what the caller named pasted text (shared by the
    /// findings of one file: a file full of tokens must not copy its long name for each).
    #[serde(serialize_with = "as_str")]
    pub source: Arc<str>,
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
    /// `lk_…` and the token's last four characters.
    pub hint: String,
    /// What the token is.
    pub status: LeakStatus,
    /// Its owner, for our tokens.
    pub owner: Option<String>,
    /// Whether the owner's account is active (a deactivated owner's live token fails
    /// verification until the account is reactivated).
    pub owner_active: Option<bool>,
    /// Its id, when the viewer may see it.
    pub token_id: Option<String>,
    /// Its name, when the viewer may see it.
    pub name: Option<String>,
    /// What it reaches now, when live and the viewer may see it.
    pub systems: Option<TokenSystems>,
    /// When it was last used, when the viewer may see it.
    pub last_used_at: Option<Timestamp>,
    /// When it expires, when the viewer may see it.
    pub expires_at: Option<Timestamp>,
    /// Where it is used (its usage note), when the viewer may see it: the place to fix.
    pub usage_note: Option<String>,
    /// Whether the viewer may revoke it (live, and theirs, their service account's, or the
    /// viewer an administrator).
    pub may_revoke: bool,
}

impl Finding {
    fn unknown(seen: &SightingAt, status: LeakStatus) -> Finding {
        Finding {
            source: Arc::clone(&seen.source),
            line: seen.sighting.line,
            column: seen.sighting.column,
            hint: hint(seen.sighting.token.expose()),
            status,
            owner: None,
            owner_active: None,
            token_id: None,
            name: None,
            systems: None,
            last_used_at: None,
            expires_at: None,
            usage_note: None,
            may_revoke: false,
        }
    }

    /// Where it was found, as `source:line:column`.
    pub fn place(&self) -> String {
        format!("{}:{}:{}", self.source, self.line, self.column)
    }
}

fn as_str<S: serde::Serializer>(
    text: &Arc<str>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serializer.serialize_str(text)
}

/// Findings when there is no store to ask: every token "unknown here".
pub fn findings_without_store(sightings: &[SightingAt]) -> Vec<Finding> {
    sightings
        .iter()
        .map(|seen| Finding::unknown(seen, LeakStatus::UnknownHere))
        .collect()
}

impl Authority {
    /// Looks up every sighting by digest and says what each token is, showing `viewer` what it
    /// may see. Only reads.
    pub fn look_up_sightings(
        &self,
        viewer: Viewer,
        sightings: &[SightingAt],
    ) -> Result<Vec<Finding>> {
        let me = match viewer {
            Viewer::Operator => None,
            Viewer::Account(actor) => Some(active_account(&self.conn, actor)?),
        };
        let now = self.now()?;
        let mut findings = Vec::with_capacity(sightings.len());
        for seen in sightings {
            let Some(row) = self.token_by_secret(seen.sighting.token.expose(), now)? else {
                findings.push(Finding::unknown(seen, LeakStatus::NotOurs));
                continue;
            };
            let status = match row.info.status {
                TokenStatus::Active => LeakStatus::Live,
                TokenStatus::Revoked => LeakStatus::Revoked,
                TokenStatus::Expired => LeakStatus::Expired,
            };
            let owner = load_account_by_id(&self.conn, row.owner_id)?;
            let manages = match (&me, &owner) {
                (None, _) => true,
                (Some(me), _) if me.is_admin() || me.id == row.owner_id => true,
                (Some(me), Some(owner)) => crate::access::manages(&self.conn, me, owner)?,
                (Some(_), None) => false,
            };
            let mut finding = Finding::unknown(seen, status);
            finding.owner = Some(row.info.owner.clone());
            finding.owner_active = owner.as_ref().map(|o| o.is_active());
            finding.may_revoke = me.is_some() && manages && status == LeakStatus::Live;
            if manages {
                finding.systems = match (&owner, status) {
                    (Some(owner), LeakStatus::Live) => {
                        Some(reachable_systems(&self.conn, row.id, row.narrowed, owner)?)
                    }
                    _ => None,
                };
                finding.token_id = Some(row.info.id);
                finding.name = Some(row.info.name);
                finding.usage_note = row.info.usage_note;
                finding.last_used_at = row.info.last_used_at;
                finding.expires_at = Some(row.info.expires_at);
            }
            findings.push(finding);
        }
        Ok(findings)
    }
}
