//! The values core hands out: accounts, systems, tokens and their states.
use serde::Serialize;

use crate::clock::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Member,
}

impl Role {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    Active,
    Deactivated,
}

impl AccountStatus {
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

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    #[serde(skip)]
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub status: AccountStatus,
    pub access_all: bool,
    pub mute_reminders: bool,
    pub created_at: Timestamp,
    pub last_signin_at: Option<Timestamp>,
}

impl Account {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
    pub fn is_active(&self) -> bool {
        self.status == AccountStatus::Active
    }
    /// Administrators and "access to all systems" accounts reach every system.
    pub fn reaches_all_systems(&self) -> bool {
        self.is_admin() || self.access_all
    }
}

/// Who is acting: an account that proved who it is (password or token). Every call re-reads
/// the account, so a deactivation or a role change takes effect at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub account_id: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct System {
    pub slug: String,
    pub display_name: String,
    pub onboarded_by: String,
    pub onboarded_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub name: String,
    pub members: Vec<String>,
    pub systems: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenStatus {
    Active,
    Expired,
    Revoked,
}

impl TokenStatus {
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
    pub id: String,
    pub name: String,
    pub hint: String,
    pub owner: String,
    pub status: TokenStatus,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    /// When revoked (or, for a rotated token in its grace period, when it will be).
    pub revoked_at: Option<Timestamp>,
    /// Who revoked (or rotated) it.
    pub revoked_by: Option<String>,
    /// The systems the token is narrowed to; `None` when it inherits all of its owner's access.
    pub systems: Option<Vec<String>>,
    /// The public id of the token this one replaced by rotation.
    pub replaces: Option<String>,
}

/// Which tokens a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenScope {
    Mine,
    All,
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

pub const MAX_GRACE_DAYS: i64 = 7;
