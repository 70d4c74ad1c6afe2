//! What an audit event records: one enum, and the wire name of each action. The wire names are a
//! public contract (exports, `--action` filters, tools reading the log): never rename one.
use std::fmt;
use std::str::FromStr;

use crate::error::CoreError;

/// Declares [`AuditAction`] with each variant's wire name, once, so the enum, `as_str` and
/// `FromStr` cannot disagree.
macro_rules! actions {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal,)*) => {
        /// What an audit event records (its `action` column); see `docs/AUDIT-ACTIONS.md`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $($(#[doc = $doc])* $variant,)*
        }

        impl AuditAction {
            /// Every action, in the order of `docs/AUDIT-ACTIONS.md`.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            /// The wire name, as stored, exported and filtered on.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $name,)*
                }
            }
        }

        impl FromStr for AuditAction {
            type Err = CoreError;

            /// An action from its exact wire name.
            fn from_str(text: &str) -> Result<AuditAction, CoreError> {
                match text {
                    $($name => Ok(AuditAction::$variant),)*
                    _ => Err(CoreError::Invalid(format!(
                        "{:?} is not an audit action",
                        crate::validate::shorten(text)
                    ))),
                }
            }
        }
    };
}

actions! {
    /// First launch created the organisation.
    OrganisationCreated = "organisation.created",
    /// An account was created: the first administrator at first launch, or by an administrator.
    AccountCreated = "account.created",
    /// An account's role, "access to all systems" or reminder muting changed (details say which).
    AccountChanged = "account.changed",
    /// An administrator deactivated an account.
    AccountDeactivated = "account.deactivated",
    /// An administrator reactivated an account.
    AccountReactivated = "account.reactivated",
    /// An administrator set another account's password (which also lifts a sign-in lock).
    AccountPasswordReset = "account.password_reset",
    /// An account changed its own password.
    AccountPasswordChanged = "account.password_changed",
    /// A sign-in to the app succeeded.
    SigninSucceeded = "signin.succeeded",
    /// A sign-in or authentication failed: wrong password, unknown name, deactivated, locked.
    SigninFailed = "signin.failed",
    /// An account (or a token acting for it) on-boarded a system.
    SystemOnboarded = "system.onboarded",
    /// An administrator granted an account a system.
    GrantAdded = "grant.added",
    /// An administrator removed an account's grant of a system.
    GrantRemoved = "grant.removed",
    /// An administrator created a group.
    GroupCreated = "group.created",
    /// An administrator added an account to a group.
    GroupMemberAdded = "group.member_added",
    /// An administrator removed an account from a group.
    GroupMemberRemoved = "group.member_removed",
    /// An administrator granted a group a system.
    GroupGrantAdded = "group.grant_added",
    /// An administrator removed a group's grant of a system.
    GroupGrantRemoved = "group.grant_removed",
    /// A token was created (its secret never appears in the log).
    TokenCreated = "token.created",
    /// A token was revoked.
    TokenRevoked = "token.revoked",
    /// Every active token of an account was revoked at once.
    TokenRevokedAll = "token.revoked_all",
    /// A token was rotated: a successor created, the predecessor retired.
    TokenRotated = "token.rotated",
    /// An expired or revoked token was deleted from the lists.
    TokenDeleted = "token.deleted",
    /// An administrator handed a token over to a service account (it keeps its secret and id;
    /// its access is the service account's from then on).
    TokenHandedOver = "token.handed_over",
    /// A token's usage note (where it is used) was set, changed or cleared.
    TokenNoteChanged = "token.note_changed",
    /// The app delivered an expiry reminder (or a summary that covered it).
    ReminderDelivered = "reminder.delivered",
    /// A verification was denied (batched; identical denials in one second are one event).
    VerifyDenied = "verify.denied",
    /// The verification service answered a client "too many requests" (more than 100 denials a
    /// second): one event per client and second, its count the number of such answers.
    VerifyRateLimited = "verify.rate_limited",
    /// An administrator changed the settings.
    SettingsChanged = "settings.changed",
    /// An administrator reset the clock watermark after a wrong clock was fixed.
    ClockReset = "clock.reset",
    /// An administrator took a backup (recorded just before the snapshot, so it is in it).
    StoreBackedUp = "store.backed_up",
    /// A backup that was recorded then failed.
    StoreBackupFailed = "store.backup_failed",
    /// A backup was restored (recorded in the restored store).
    StoreRestored = "store.restored",
    /// What the replaced store changed during a restore over it, carried forward afterwards.
    StoreRestoreCarriedForward = "store.restore_carried_forward",
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every wire name, written out: changing one breaks exports, filters and tools.
    const WIRE_NAMES: [&str; 33] = [
        "organisation.created",
        "account.created",
        "account.changed",
        "account.deactivated",
        "account.reactivated",
        "account.password_reset",
        "account.password_changed",
        "signin.succeeded",
        "signin.failed",
        "system.onboarded",
        "grant.added",
        "grant.removed",
        "group.created",
        "group.member_added",
        "group.member_removed",
        "group.grant_added",
        "group.grant_removed",
        "token.created",
        "token.revoked",
        "token.revoked_all",
        "token.rotated",
        "token.deleted",
        "token.handed_over",
        "token.note_changed",
        "reminder.delivered",
        "verify.denied",
        "verify.rate_limited",
        "settings.changed",
        "clock.reset",
        "store.backed_up",
        "store.backup_failed",
        "store.restored",
        "store.restore_carried_forward",
    ];

    #[test]
    fn every_action_keeps_its_wire_name_both_ways() {
        let names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(names, WIRE_NAMES);
        for (action, name) in AuditAction::ALL.iter().zip(WIRE_NAMES) {
            assert_eq!(name.parse::<AuditAction>().unwrap(), *action);
            assert_eq!(action.to_string(), name);
        }
        assert!("token".parse::<AuditAction>().is_err());
        assert!("Token.Created".parse::<AuditAction>().is_err());
    }
}
