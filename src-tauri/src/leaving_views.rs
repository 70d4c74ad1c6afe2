//! What the Deactivate dialog and the tokens overview receive: the tokens an account's leaving
//! would stop, what was done to them, and the stale, retiring and expiring-together tokens.
use latchkey_core::tokens::{ExpiringTogether, TokenOverview};
use latchkey_core::{Deactivated, DeactivationPreview, LeavingToken, LeavingTokens};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::leak_views::ReachView;
use crate::views::{AccountView, TokenView};

/// One token that stops working when its owner is deactivated.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LeavingTokenView {
    pub token: TokenView,
    /// The systems it reaches now.
    pub reaches: ReachView,
    pub used_last_7_days: bool,
    pub used_last_30_days: bool,
}

impl From<LeavingToken> for LeavingTokenView {
    fn from(t: LeavingToken) -> Self {
        LeavingTokenView {
            token: t.token.into(),
            reaches: t.reaches.into(),
            used_last_7_days: t.used_last_7_days,
            used_last_30_days: t.used_last_30_days,
        }
    }
}

/// What deactivating an account would stop; reading it changes nothing.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DeactivationPreviewView {
    pub account: AccountView,
    /// Its tokens in force, newest first.
    pub tokens: Vec<LeavingTokenView>,
    /// Service accounts whose managing group would have no other active member.
    pub unmanaged_service_accounts: Vec<String>,
    /// Service accounts' tokens whose secret this person received: they keep working after the
    /// person leaves, so a manager should rotate them.
    pub secrets_known: Vec<TokenView>,
}

impl From<DeactivationPreview> for DeactivationPreviewView {
    fn from(p: DeactivationPreview) -> Self {
        DeactivationPreviewView {
            account: p.account.into(),
            tokens: p.tokens.into_iter().map(LeavingTokenView::from).collect(),
            unmanaged_service_accounts: p.unmanaged_service_accounts,
            secrets_known: p.secrets_known.into_iter().map(TokenView::from).collect(),
        }
    }
}

/// What the Deactivate dialog chose for the leaving account's tokens in force.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LeavingTokensRequest {
    /// They stay with the account and stop verifying (reactivation restores them).
    Keep,
    /// Each is handed over to this service account (same secret and id).
    HandOver { to: String },
    /// Each is revoked.
    Revoke,
}

impl From<LeavingTokensRequest> for LeavingTokens {
    fn from(request: LeavingTokensRequest) -> Self {
        match request {
            LeavingTokensRequest::Keep => LeavingTokens::Keep,
            LeavingTokensRequest::HandOver { to } => LeavingTokens::HandOverTo(to),
            LeavingTokensRequest::Revoke => LeavingTokens::Revoke,
        }
    }
}

/// What a deactivation did to the tokens (their ids).
#[derive(Debug, Clone, Serialize, TS)]
pub struct DeactivatedView {
    pub handed_over: Vec<String>,
    pub revoked: Vec<String>,
}

impl From<Deactivated> for DeactivatedView {
    fn from(d: Deactivated) -> Self {
        DeactivatedView {
            handed_over: d.handed_over,
            revoked: d.revoked,
        }
    }
}

/// Tokens of one owner expiring within the same day: renewed in one sitting.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExpiringTogetherView {
    pub owner: String,
    #[ts(type = "number")]
    pub first_expires_at: i64,
    #[ts(type = "number")]
    pub last_expires_at: i64,
    /// Soonest first.
    pub tokens: Vec<TokenView>,
}

impl From<ExpiringTogether> for ExpiringTogetherView {
    fn from(g: ExpiringTogether) -> Self {
        ExpiringTogetherView {
            owner: g.owner,
            first_expires_at: g.first_expires_at,
            last_expires_at: g.last_expires_at,
            tokens: g.tokens.into_iter().map(TokenView::from).collect(),
        }
    }
}

/// What needs attention among the tokens the signed-in account sees.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TokenOverviewView {
    /// Active tokens unused for longer than the stale setting, longest quiet first.
    pub stale: Vec<TokenView>,
    #[ts(type = "number")]
    pub stale_after_days: i64,
    /// Rotated tokens still working during their grace period.
    pub retiring: Vec<TokenView>,
    /// Groups expiring within the same day, in the next 90 days.
    pub expiring_together: Vec<ExpiringTogetherView>,
}

impl From<TokenOverview> for TokenOverviewView {
    fn from(o: TokenOverview) -> Self {
        TokenOverviewView {
            stale: o.stale.into_iter().map(TokenView::from).collect(),
            stale_after_days: o.stale_after_days,
            retiring: o.retiring.into_iter().map(TokenView::from).collect(),
            expiring_together: o
                .expiring_together
                .into_iter()
                .map(ExpiringTogetherView::from)
                .collect(),
        }
    }
}
