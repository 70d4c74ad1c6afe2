//! The values core hands out: accounts, systems, tokens and their states.
use serde::Serialize;

use crate::clock::Timestamp;

/// An account's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages accounts, groups and access; sees every token and the audit log.
    Admin,
    /// Manages their own tokens and on-boards systems.
    Member,
}

impl Role {
    /// As stored and shown: `admin` or `member`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }
    pub(crate) fn parse(text: &str) -> Role {
        if text == "admin" {
            Role::Admin
        } else {
            Role::Member
        }
    }
}

/// Whether an account may act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    /// It may sign in; its tokens work.
    Active,
    /// It may not sign in; its tokens fail (`owner_deactivated`).
    Deactivated,
}

impl AccountStatus {
    /// As stored and shown: `active` or `deactivated`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Deactivated => "deactivated",
        }
    }
    pub(crate) fn parse(text: &str) -> AccountStatus {
        if text == "active" {
            AccountStatus::Active
        } else {
            AccountStatus::Deactivated
        }
    }
}

/// What an account is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountKind {
    /// A person: signs in with a password.
    Person,
    /// A pipeline or a service: never signs in; a group manages its tokens.
    Service,
}

impl AccountKind {
    /// As stored and shown: `person` or `service`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Person => "person",
            AccountKind::Service => "service",
        }
    }
    pub(crate) fn parse(text: &str) -> AccountKind {
        if text == "service" {
            AccountKind::Service
        } else {
            AccountKind::Person
        }
    }
}

/// An account as core hands it out (never its password).
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    /// The row id (not serialised).
    #[serde(skip)]
    pub id: i64,
    /// Unique, case-insensitively.
    pub username: String,
    /// Shown in lists.
    pub display_name: String,
    /// Administrator or member.
    pub role: Role,
    /// Active or deactivated.
    pub status: AccountStatus,
    /// Whether it may access every system.
    pub access_all: bool,
    /// Whether its tokens' reminders are muted.
    pub mute_reminders: bool,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last signed in to the app.
    pub last_signin_at: Option<Timestamp>,
    /// A person or a service account.
    pub kind: AccountKind,
    /// A service account's managing group (whose members manage its tokens).
    pub managed_by: Option<String>,
}

impl Account {
    /// Whether it is an administrator.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
    /// Whether it is active.
    pub fn is_active(&self) -> bool {
        self.status == AccountStatus::Active
    }
    /// Administrators and "access to all systems" accounts reach every system.
    pub fn reaches_all_systems(&self) -> bool {
        self.is_admin() || self.access_all
    }
    /// Whether it is a service account.
    pub fn is_service(&self) -> bool {
        self.kind == AccountKind::Service
    }
}

/// Who is acting: an account that proved who it is (password or token). Every call re-reads
/// the account, so a deactivation or a role change takes effect at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The account's row id.
    pub account_id: i64,
}

/// A system tokens give access to.
#[derive(Debug, Clone, Serialize)]
pub struct System {
    /// Its unique slug.
    pub slug: String,
    /// Its display name.
    pub display_name: String,
    /// Who on-boarded it.
    pub onboarded_by: String,
    /// When.
    pub onboarded_at: Timestamp,
}

/// A group: its members and the systems it grants.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// Its name.
    pub name: String,
    /// Its members' usernames.
    pub members: Vec<String>,
    /// The systems it grants.
    pub systems: Vec<String>,
}

/// A token's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenStatus {
    /// It works.
    Active,
    /// Past its expiry.
    Expired,
    /// Revoked (or retired after a rotation).
    Revoked,
}

impl TokenStatus {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenStatus::Active => "active",
            TokenStatus::Expired => "expired",
            TokenStatus::Revoked => "revoked",
        }
    }

    /// A token is revoked once its revocation time has come (a rotated token's may lie ahead),
    /// expired from its expiry instant on, active otherwise.
    pub fn at(now: Timestamp, expires_at: Timestamp, revoked_at: Option<Timestamp>) -> TokenStatus {
        match revoked_at {
            Some(at) if at <= now => TokenStatus::Revoked,
            _ if now >= expires_at => TokenStatus::Expired,
            _ => TokenStatus::Active,
        }
    }
}

/// A token as lists show it: never the secret.
#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    /// Its public id (`tok_…`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its hint (`lk_…` and the last four characters).
    pub hint: String,
    /// Its owner's username.
    pub owner: String,
    /// Its state now.
    pub status: TokenStatus,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it expires.
    pub expires_at: Timestamp,
    /// When it was last used (to the minute).
    pub last_used_at: Option<Timestamp>,
    /// When revoked (or, for a rotated token in its grace period, when it will be).
    pub revoked_at: Option<Timestamp>,
    /// Who revoked (or rotated) it.
    pub revoked_by: Option<String>,
    /// The systems the token is narrowed to; `None` when it inherits all of its owner's access.
    pub systems: Option<Vec<String>>,
    /// The public id of the token this one replaced by rotation.
    pub replaces: Option<String>,
    /// Where it is used ("GitHub Actions secret DEPLOY_TOKEN in acme/web"); never in a
    /// verification answer.
    pub usage_note: Option<String>,
    /// Who received its secret when that was not its owner (a service account's manager).
    pub created_by: Option<String>,
    /// Whether it is active and unused for longer than the stale setting.
    pub stale: bool,
    /// Its first successful verification.
    pub first_used_at: Option<Timestamp>,
    /// The token that replaced it by rotation, while or after it retires.
    pub replaced_by: Option<String>,
    /// The successor's first use (a rotation finishing: the old token may then go quiet).
    pub successor_first_used_at: Option<Timestamp>,
    /// The last use of this (rotated) token after its successor's first use: something still
    /// holds the old secret.
    pub used_after_successor_at: Option<Timestamp>,
}

impl TokenInfo {
    /// A rotated token still working until its grace period ends (`revoked_at` ahead).
    pub fn is_retiring(&self) -> bool {
        self.status == TokenStatus::Active && self.revoked_at.is_some()
    }
}

/// Which tokens a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenScope {
    /// The acting account's own.
    Mine,
    /// Everyone's (administrators).
    All,
    /// One account's (administrators, or one's own).
    Owner(String),
}

impl TokenScope {
    /// The scope the CLI's `--all`/`--owner` and the app's list filters ask for: all wins over an
    /// owner, no flag means the acting account's own tokens.
    pub fn from_flags(all: bool, owner: Option<String>) -> TokenScope {
        match (all, owner) {
            (true, _) => TokenScope::All,
            (false, Some(owner)) => TokenScope::Owner(owner),
            (false, None) => TokenScope::Mine,
        }
    }
}

/// When a rotated token stops working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotateGrace {
    /// At once.
    Immediate,
    /// After this many days (1–7), or at the successor's first use if that comes first.
    Days(i64),
    /// At the successor's first use, and after 7 days at the latest.
    UntilFirstUse,
}

impl RotateGrace {
    /// The grace a rotation asks for by flags: days win over until-first-use; neither is
    /// immediate. The days are checked (1–7) by the rotation itself.
    pub fn from_flags(grace_days: Option<i64>, until_first_use: bool) -> RotateGrace {
        match (grace_days, until_first_use) {
            (Some(days), _) => RotateGrace::Days(days),
            (None, true) => RotateGrace::UntilFirstUse,
            (None, false) => RotateGrace::Immediate,
        }
    }
}

/// The longest grace period of a rotation, in days.
pub const MAX_GRACE_DAYS: i64 = 7;

/// Every token starts with this (SPEC §3), so a token pasted where a name belongs is never echoed.
pub const TOKEN_PREFIX: &str = "lk_";

/// Why a token was denied; where several hold, the first in this order wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyReason {
    /// Not a token: wrong shape or checksum.
    Malformed,
    /// Well-formed, but not one of this store's.
    Unknown,
    /// Revoked.
    Revoked,
    /// Expired.
    Expired,
    /// Its owner is deactivated.
    OwnerDeactivated,
    /// It may not access the system asked for.
    NoAccess,
}

impl DenyReason {
    /// The reason as the CLI, the service and the audit log write it.
    pub fn as_str(self) -> &'static str {
        match self {
            DenyReason::Malformed => "malformed",
            DenyReason::Unknown => "unknown",
            DenyReason::Revoked => "revoked",
            DenyReason::Expired => "expired",
            DenyReason::OwnerDeactivated => "owner_deactivated",
            DenyReason::NoAccess => "no_access",
        }
    }
}
