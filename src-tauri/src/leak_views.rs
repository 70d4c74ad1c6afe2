//! What the Leak check and Look up a token screens receive: where each token was found, its hint
//! and what it is — never a token, never the text it was found in.
use latchkey_core::leaks::{Finding, LeakStatus, ReadReport, TokenLookup};
use latchkey_core::tokens::verify::TokenSystems;
use serde::Serialize;
use ts_rs::TS;

use crate::views::{AuditEventView, TokenView};

/// What a found token is (`LeakStatus` in core).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LeakStatusView {
    Live,
    Revoked,
    Expired,
    NotOurs,
    UnknownHere,
}

impl From<LeakStatus> for LeakStatusView {
    fn from(status: LeakStatus) -> Self {
        match status {
            LeakStatus::Live => LeakStatusView::Live,
            LeakStatus::Revoked => LeakStatusView::Revoked,
            LeakStatus::Expired => LeakStatusView::Expired,
            LeakStatus::NotOurs => LeakStatusView::NotOurs,
            LeakStatus::UnknownHere => LeakStatusView::UnknownHere,
        }
    }
}

/// What a token reaches: every system, or these (empty: none now).
#[derive(Debug, Clone, Serialize, TS)]
pub struct ReachView {
    pub all: bool,
    pub systems: Vec<String>,
}

impl From<TokenSystems> for ReachView {
    fn from(systems: TokenSystems) -> Self {
        match systems {
            TokenSystems::All => ReachView {
                all: true,
                systems: Vec::new(),
            },
            TokenSystems::Listed(systems) => ReachView {
                all: false,
                systems,
            },
        }
    }
}

/// One token found: its place, hint and status; name, id and reach only when the signed-in
/// account may manage it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LeakFindingView {
    /// "pasted text" or the file's name.
    pub source: String,
    #[ts(type = "number")]
    pub line: u64,
    #[ts(type = "number")]
    pub column: u64,
    pub hint: String,
    pub status: LeakStatusView,
    pub owner: Option<String>,
    pub owner_active: Option<bool>,
    pub token_id: Option<String>,
    pub name: Option<String>,
    pub reach: Option<ReachView>,
    #[ts(type = "number | null")]
    pub last_used_at: Option<i64>,
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
    /// Where the token is used, when the signed-in account may see its name.
    pub usage_note: Option<String>,
    pub may_revoke: bool,
}

impl From<Finding> for LeakFindingView {
    fn from(f: Finding) -> Self {
        LeakFindingView {
            source: f.source.to_string(),
            line: f.line,
            column: f.column,
            hint: f.hint,
            status: f.status.into(),
            owner: f.owner,
            owner_active: f.owner_active,
            token_id: f.token_id,
            name: f.name,
            reach: f.systems.map(ReachView::from),
            last_used_at: f.last_used_at,
            expires_at: f.expires_at,
            usage_note: f.usage_note,
            may_revoke: f.may_revoke,
        }
    }
}

/// A leak check's answer.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LeakScanView {
    pub findings: Vec<LeakFindingView>,
    /// Bytes read.
    #[ts(type = "number")]
    pub bytes: u64,
    /// A file in a dropped folder was skipped as binary (a NUL byte in its first 8 KiB).
    pub binary: bool,
    /// What could not be read (the findings of everything else are still here).
    pub unread: Vec<String>,
}

impl LeakScanView {
    pub fn new(report: &ReadReport, findings: Vec<Finding>) -> Self {
        LeakScanView {
            findings: findings.into_iter().map(LeakFindingView::from).collect(),
            bytes: report.bytes,
            binary: report.binary > 0,
            unread: report.errors.clone(),
        }
    }
}

/// A token looked up by its secret, with its audit history (newest first).
#[derive(Debug, Clone, Serialize, TS)]
pub struct TokenLookupView {
    pub token: TokenView,
    pub owner_active: bool,
    pub reach: ReachView,
    pub history: Vec<AuditEventView>,
    /// Older events were left out (a look-up shows the newest 1 000).
    pub history_truncated: bool,
}

impl From<TokenLookup> for TokenLookupView {
    fn from(lookup: TokenLookup) -> Self {
        TokenLookupView {
            token: lookup.token.into(),
            owner_active: lookup.owner_active,
            reach: lookup.reaches.into(),
            history: lookup
                .history
                .into_iter()
                .map(AuditEventView::from)
                .collect(),
            history_truncated: lookup.history_truncated,
        }
    }
}
