//! What commands return to the UI, exported to TypeScript (ui/src/lib/bindings/). Times are Unix
//! seconds (UTC). Only `IssuedTokenView` ever carries a secret.
use latchkey_core::reminders::ReminderKind;
use latchkey_core::{Account, AccountKind, IssuedToken, Secret, TokenInfo, TokenStatus};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::CommandError;

#[derive(Debug, Clone, Serialize, TS)]
pub struct SetupStatus {
    /// No store yet: first-run setup.
    pub needs_setup: bool,
    pub store_path: String,
    /// The store exists but cannot be opened (wrong key, newer schema, damaged).
    pub store_error: Option<CommandError>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SessionView {
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
    pub organisation: String,
    /// Seconds the system clock lags the store's latest time, when over five minutes.
    #[ts(type = "number | null")]
    pub clock_behind_seconds: Option<i64>,
    /// This account's tokens get no expiry reminders.
    pub mute_reminders: bool,
    /// The store's "now" (Unix seconds): the later of the clock and the latest time a write saw.
    /// Relative times ("used 3 days ago") count from it, as core's rules do.
    #[ts(type = "number")]
    pub now: i64,
}

/// One entry of the Reminders list.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ReminderView {
    pub token_id: String,
    pub token_name: String,
    pub owner: String,
    #[ts(type = "number")]
    pub expires_at: i64,
    #[ts(type = "number")]
    pub days_left: i64,
    /// "expires in 4 days", "expired today", ...
    pub when: String,
    pub unread: bool,
    /// What the reminder is about.
    pub kind: ReminderKindView,
    /// Where the token is used: what to update.
    pub usage_note: Option<String>,
    /// The managing group, when the owner is a service account.
    pub managed_by: Option<String>,
    /// The ids of the owner's other tokens expiring within the same day.
    pub expiring_together: Vec<String>,
}

/// What a reminder is about (`ReminderKind` in core).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKindView {
    Expiry,
    Stale,
    StillUsed,
}

impl From<ReminderKind> for ReminderKindView {
    fn from(kind: ReminderKind) -> Self {
        match kind {
            ReminderKind::Expiry => ReminderKindView::Expiry,
            ReminderKind::Stale => ReminderKindView::Stale,
            ReminderKind::StillUsed => ReminderKindView::StillUsed,
        }
    }
}

impl From<latchkey_core::reminders::inbox::InboxItem> for ReminderView {
    fn from(item: latchkey_core::reminders::inbox::InboxItem) -> Self {
        let r = item.reminder;
        ReminderView {
            token_id: r.token_id,
            token_name: r.token_name,
            owner: r.owner,
            expires_at: r.expires_at,
            days_left: r.days_left,
            when: r.when,
            unread: item.unread,
            kind: r.kind.into(),
            usage_note: r.usage_note,
            managed_by: r.managed_by,
            expiring_together: r.expiring_together,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub hint: String,
    pub owner: String,
    pub status: TokenStatusView,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub expires_at: i64,
    #[ts(type = "number | null")]
    pub last_used_at: Option<i64>,
    #[ts(type = "number | null")]
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<String>,
    /// The systems the token is narrowed to; null when it inherits its owner's access.
    pub systems: Option<Vec<String>>,
    pub replaces: Option<String>,
    /// Where the token is used ("GitHub Actions secret DEPLOY_TOKEN in acme/web").
    pub usage_note: Option<String>,
    /// A service account's token: the manager who received its secret.
    pub created_by: Option<String>,
    /// Active and unused for longer than the stale setting.
    pub stale: bool,
    #[ts(type = "number | null")]
    pub first_used_at: Option<i64>,
    /// The successor's id, once rotated.
    pub replaced_by: Option<String>,
    #[ts(type = "number | null")]
    pub successor_first_used_at: Option<i64>,
    /// The last use of this token after its successor's first use.
    #[ts(type = "number | null")]
    pub used_after_successor_at: Option<i64>,
    /// Rotated, and still working during its grace period.
    pub retiring: bool,
}

impl From<TokenInfo> for TokenView {
    fn from(t: TokenInfo) -> Self {
        TokenView {
            retiring: t.is_retiring(),
            id: t.id,
            name: t.name,
            hint: t.hint,
            owner: t.owner,
            status: t.status.into(),
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
            revoked_by: t.revoked_by,
            systems: t.systems,
            replaces: t.replaces,
            usage_note: t.usage_note,
            created_by: t.created_by,
            stale: t.stale,
            first_used_at: t.first_used_at,
            replaced_by: t.replaced_by,
            successor_first_used_at: t.successor_first_used_at,
            used_after_successor_at: t.used_after_successor_at,
        }
    }
}

/// A token's state, as core names it (`TokenStatus::as_str`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum TokenStatusView {
    Active,
    Expired,
    Revoked,
}

impl From<TokenStatus> for TokenStatusView {
    fn from(status: TokenStatus) -> Self {
        match status {
            TokenStatus::Active => TokenStatusView::Active,
            TokenStatus::Expired => TokenStatusView::Expired,
            TokenStatus::Revoked => TokenStatusView::Revoked,
        }
    }
}

/// The create/rotate answer: the one response that carries a secret, shown once. The secret is
/// zeroized when the response has been sent; this is its only serialisation.
#[derive(TS)]
pub struct IssuedTokenView {
    #[ts(type = "string")]
    pub secret: Secret,
    pub token: TokenView,
}

impl Serialize for IssuedTokenView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("IssuedTokenView", 2)?;
        out.serialize_field("secret", self.secret.expose())?;
        out.serialize_field("token", &self.token)?;
        out.end()
    }
}

impl From<IssuedToken> for IssuedTokenView {
    fn from(issued: IssuedToken) -> Self {
        IssuedTokenView {
            secret: issued.secret,
            token: issued.token.into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AccountView {
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
    pub active: bool,
    pub access_all: bool,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number | null")]
    pub last_signin_at: Option<i64>,
    pub kind: AccountKindView,
    /// A service account's managing group.
    pub managed_by: Option<String>,
}

/// A service account as the signed-in person sees it: whether they manage it (a member of its
/// managing group may create and rotate its tokens; an administrator sees every one).
#[derive(Debug, Clone, Serialize, TS)]
pub struct ServiceAccountView {
    #[serde(flatten)]
    #[ts(flatten)]
    pub account: AccountView,
    pub manages: bool,
}

impl From<(Account, bool)> for ServiceAccountView {
    fn from((account, manages): (Account, bool)) -> Self {
        ServiceAccountView {
            account: account.into(),
            manages,
        }
    }
}

/// A person, or a service account (a pipeline or a service: it never signs in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AccountKindView {
    Person,
    Service,
}

impl From<AccountKind> for AccountKindView {
    fn from(kind: AccountKind) -> Self {
        match kind {
            AccountKind::Person => AccountKindView::Person,
            AccountKind::Service => AccountKindView::Service,
        }
    }
}

impl From<Account> for AccountView {
    fn from(a: Account) -> Self {
        AccountView {
            is_admin: a.is_admin(),
            active: a.is_active(),
            username: a.username,
            display_name: a.display_name,
            access_all: a.access_all,
            created_at: a.created_at,
            last_signin_at: a.last_signin_at,
            kind: a.kind.into(),
            managed_by: a.managed_by,
        }
    }
}

/// What the create dialog sends.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct NewTokenRequest {
    pub name: String,
    #[ts(type = "number | null")]
    pub expires_in_days: Option<i64>,
    pub systems: Option<Vec<String>>,
    /// Where the token will be used; absent, null or "" for none.
    #[ts(optional = nullable)]
    pub usage_note: Option<String>,
    /// A service account the signed-in person manages; absent or null for their own token.
    #[ts(optional = nullable)]
    pub owner: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SystemView {
    pub slug: String,
    pub display_name: String,
    pub onboarded_by: String,
    #[ts(type = "number")]
    pub onboarded_at: i64,
}

impl From<latchkey_core::System> for SystemView {
    fn from(s: latchkey_core::System) -> Self {
        SystemView {
            slug: s.slug,
            display_name: s.display_name,
            onboarded_by: s.onboarded_by,
            onboarded_at: s.onboarded_at,
        }
    }
}

/// Who may access a system, and why ("administrator", "access to all systems", "grant").
#[derive(Debug, Clone, Serialize, TS)]
pub struct AccessView {
    pub username: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct GroupView {
    pub name: String,
    pub members: Vec<String>,
    pub systems: Vec<String>,
}

impl From<latchkey_core::Group> for GroupView {
    fn from(g: latchkey_core::Group) -> Self {
        GroupView {
            name: g.name,
            members: g.members,
            systems: g.systems,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AuditEventView {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
    /// How many identical denials (within one second) this event stands for; 1 otherwise.
    #[ts(type = "number")]
    pub count: i64,
    /// The event's audit-chain value, in hex.
    pub chain: String,
}

impl From<latchkey_core::audit::AuditEvent> for AuditEventView {
    fn from(e: latchkey_core::audit::AuditEvent) -> Self {
        AuditEventView {
            id: e.id,
            at: e.at,
            actor: e.actor,
            action: e.action,
            target: e.target,
            details: e.details,
            count: e.count,
            chain: e.chain,
        }
    }
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AuditPageView {
    pub events: Vec<AuditEventView>,
    /// Pass as `before` to load the next, older page; null when this page reaches the oldest.
    #[ts(type = "number | null")]
    pub older: Option<i64>,
}

impl From<latchkey_core::audit::AuditPage> for AuditPageView {
    fn from(page: latchkey_core::audit::AuditPage) -> Self {
        AuditPageView {
            events: page.events.into_iter().map(AuditEventView::from).collect(),
            older: page.older,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SettingsView {
    #[ts(type = "number[]")]
    pub reminder_schedule: Vec<i64>,
    #[ts(type = "number")]
    pub max_lifetime_days: i64,
    pub onboarder_gets_access: bool,
    /// Minutes without input before a signed-in window locks (1–60).
    #[ts(type = "number")]
    pub idle_lock_minutes: i64,
    /// Days without a use after which an active token is stale.
    #[ts(type = "number")]
    pub stale_after_days: i64,
    /// Days without a use after which a token is revoked automatically; null: never.
    #[ts(type = "number | null")]
    pub auto_revoke_unused_days: Option<i64>,
}

impl From<latchkey_core::settings::Settings> for SettingsView {
    fn from(s: latchkey_core::settings::Settings) -> Self {
        SettingsView {
            reminder_schedule: s.reminder_schedule,
            max_lifetime_days: s.max_lifetime_days,
            onboarder_gets_access: s.onboarder_gets_access,
            idle_lock_minutes: s.idle_lock_minutes,
            stale_after_days: s.stale_after_days,
            auto_revoke_unused_days: s.auto_revoke_unused_days,
        }
    }
}

/// A backup written or restored.
#[derive(Debug, Clone, Serialize, TS)]
pub struct BackupView {
    pub path: String,
    pub organisation: String,
    #[ts(type = "number")]
    pub tokens: i64,
    #[ts(type = "number")]
    pub accounts: i64,
    #[ts(type = "number")]
    pub bytes: u64,
    /// A restore: when the backup was taken.
    #[ts(type = "number | null")]
    pub backed_up_at: Option<i64>,
    /// A restore: what it carried forward from the replaced store, or the warning that what was
    /// revoked after the backup works again and the tokens that do; one line each (core's words,
    /// the same as the CLI's).
    pub notes: Vec<String>,
}

impl BackupView {
    pub fn new(path: &std::path::Path, summary: latchkey_core::backup::BackupSummary) -> Self {
        BackupView {
            path: path.display().to_string(),
            notes: summary.notes(),
            backed_up_at: summary.backed_up_at,
            organisation: summary.organisation,
            tokens: summary.tokens,
            accounts: summary.accounts,
            bytes: summary.bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use latchkey_core::TokenStatus;

    use super::TokenStatusView;

    #[test]
    fn a_token_status_reaches_the_window_as_core_names_it() {
        for status in [
            TokenStatus::Active,
            TokenStatus::Expired,
            TokenStatus::Revoked,
        ] {
            assert_eq!(
                serde_json::to_value(TokenStatusView::from(status)).unwrap(),
                status.as_str()
            );
        }
    }
}

/// The verification service the app runs (Settings → Verification service).
#[derive(Debug, Clone, Serialize, TS)]
pub struct ServiceView {
    /// Where it answers (`http://127.0.0.1:PORT`), while it runs.
    pub url: Option<String>,
    /// An nginx configuration protecting a location with it, while it runs.
    pub nginx_snippet: Option<String>,
}

impl ServiceView {
    /// What Settings shows for a running service, or for none.
    pub fn of(service: Option<&latchkey_server::RunningServer>) -> ServiceView {
        let url = service.map(latchkey_server::RunningServer::url);
        ServiceView {
            nginx_snippet: url
                .as_deref()
                .map(|url| latchkey_server::nginx_snippet(url, "SYSTEM")),
            url,
        }
    }
}
