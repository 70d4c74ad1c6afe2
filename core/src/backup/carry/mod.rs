//! What a restore over an existing store carries forward from it: everything that narrows
//! access since the backup was taken, so that restoring never undoes a revocation, a
//! deactivation, a password change or reset, a removed grant or membership, a demotion or a
//! lowered maximum lifetime.
//!
//! Rows are matched by stable identity: tokens by public id, accounts by username key, systems by
//! slug, groups by name key. What exists only in the current store (made after the backup) is
//! simply absent from the restored one; what exists only in the backup is left as it is. Only
//! the columns named here are read or written, so columns added by later migrations do not
//! matter.
mod accounts;
mod apply;
mod links;
mod service_accounts;

use serde::Serialize;

pub(crate) use apply::{carry_forward, carry_into};

/// How many names a one-line description lists per kind before it says "and N more".
const LISTED: usize = 20;

/// A direct grant taken away since the backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedGrant {
    /// The account it was taken from.
    pub account: String,
    /// The system.
    pub system: String,
}

/// A group membership taken away since the backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedMembership {
    /// The group.
    pub group: String,
    /// The account that left it.
    pub account: String,
}

/// A group's grant taken away since the backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedGroupGrant {
    /// The group.
    pub group: String,
    /// The system.
    pub system: String,
}

/// What a restore over an existing store carried forward from it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CarriedForward {
    /// Tokens revoked in the replaced store (or revoked earlier there, or due to be revoked at
    /// the end of a rotation's grace period): their public ids.
    pub revocations: Vec<String>,
    /// Tokens that expire earlier in the replaced store (a clock reset moved expiries stamped
    /// during a skew back): the earlier expiry wins.
    pub earlier_expiries: Vec<String>,
    /// Accounts deactivated since the backup.
    pub deactivations: Vec<String>,
    /// Accounts whose password was changed or reset since the backup (the current password and
    /// its sign-in lock state win).
    pub password_changes: Vec<String>,
    /// Accounts locked by failed sign-ins in the replaced store (the lock is kept).
    pub sign_in_locks: Vec<String>,
    /// Direct grants taken away.
    pub removed_grants: Vec<RemovedGrant>,
    /// Group memberships taken away.
    pub removed_group_memberships: Vec<RemovedMembership>,
    /// Group grants taken away.
    pub removed_group_grants: Vec<RemovedGroupGrant>,
    /// Administrators who are members now.
    pub demotions: Vec<String>,
    /// Accounts that lost "access to all systems".
    pub removed_access_to_all_systems: Vec<String>,
    /// The lowered maximum token lifetime in days, when it was lowered.
    pub max_lifetime_days: Option<i64>,
    /// On-boarders no longer get access to what they on-board.
    pub onboarder_access_removed: bool,
    /// Service accounts whose managing group changed since the backup (the current group wins).
    pub managing_groups: Vec<String>,
    /// Tokens handed over to a service account since the backup (their ids).
    pub hand_overs: Vec<String>,
    /// Automatic revocation of unused tokens, switched on or shortened since the backup (days).
    pub auto_revoke_unused_days: Option<i64>,
}

fn counted(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

fn listed<T>(items: &[T], show: impl Fn(&T) -> String) -> String {
    let mut names: Vec<String> = items.iter().take(LISTED).map(show).collect();
    if items.len() > LISTED {
        names.push(format!("and {} more", items.len() - LISTED));
    }
    names.join(", ")
}

impl CarriedForward {
    /// Whether nothing was carried forward.
    pub fn is_empty(&self) -> bool {
        self == &CarriedForward::default()
    }

    /// Adds what a later pass carried (a restore's second pass) to what this one did.
    pub(crate) fn absorb(&mut self, later: CarriedForward) {
        fn add<T: PartialEq>(to: &mut Vec<T>, more: Vec<T>) {
            for item in more {
                if !to.contains(&item) {
                    to.push(item);
                }
            }
        }
        add(&mut self.revocations, later.revocations);
        add(&mut self.earlier_expiries, later.earlier_expiries);
        add(&mut self.deactivations, later.deactivations);
        add(&mut self.password_changes, later.password_changes);
        add(&mut self.sign_in_locks, later.sign_in_locks);
        add(&mut self.removed_grants, later.removed_grants);
        add(
            &mut self.removed_group_memberships,
            later.removed_group_memberships,
        );
        add(&mut self.removed_group_grants, later.removed_group_grants);
        add(&mut self.demotions, later.demotions);
        add(
            &mut self.removed_access_to_all_systems,
            later.removed_access_to_all_systems,
        );
        add(&mut self.managing_groups, later.managing_groups);
        add(&mut self.hand_overs, later.hand_overs);
        self.max_lifetime_days = later.max_lifetime_days.or(self.max_lifetime_days);
        self.auto_revoke_unused_days = later
            .auto_revoke_unused_days
            .or(self.auto_revoke_unused_days);
        self.onboarder_access_removed |= later.onboarder_access_removed;
    }

    /// One line for people: "carried forward from the replaced store: 2 revocations (tok_…,
    /// tok_…), 1 deactivation (bob), …".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let mut add = |items: &[String], singular: &str, plural: &str| {
            if !items.is_empty() {
                parts.push(format!(
                    "{} ({})",
                    counted(items.len(), singular, plural),
                    listed(items, String::clone)
                ));
            }
        };
        let grants: Vec<String> = (self.removed_grants.iter())
            .map(|g| format!("{} → {}", g.account, g.system))
            .collect();
        let memberships: Vec<String> = (self.removed_group_memberships.iter())
            .map(|m| format!("{} in {}", m.account, m.group))
            .collect();
        let group_grants: Vec<String> = (self.removed_group_grants.iter())
            .map(|g| format!("{} → {}", g.group, g.system))
            .collect();
        add(&self.revocations, "revocation", "revocations");
        add(&self.earlier_expiries, "earlier expiry", "earlier expiries");
        add(&self.deactivations, "deactivation", "deactivations");
        add(
            &self.password_changes,
            "password change",
            "password changes",
        );
        add(&self.sign_in_locks, "sign-in lock", "sign-in locks");
        add(&grants, "removed grant", "removed grants");
        add(
            &memberships,
            "removed group membership",
            "removed group memberships",
        );
        add(&group_grants, "removed group grant", "removed group grants");
        add(&self.demotions, "demotion to member", "demotions to member");
        add(
            &self.removed_access_to_all_systems,
            "removed \"access to all systems\"",
            "removed \"access to all systems\"",
        );
        add(
            &self.managing_groups,
            "managing group change",
            "managing group changes",
        );
        add(&self.hand_overs, "hand-over", "hand-overs");
        if let Some(days) = self.auto_revoke_unused_days {
            parts.push(format!(
                "tokens unused for {days} days are revoked automatically"
            ));
        }
        if let Some(days) = self.max_lifetime_days {
            parts.push(format!("maximum token lifetime lowered to {days} days"));
        }
        if self.onboarder_access_removed {
            parts.push("on-boarders no longer get access automatically".into());
        }
        if parts.is_empty() {
            "carried forward from the replaced store: nothing (no access was taken away since the \
                backup)"
                .into()
        } else {
            format!(
                "carried forward from the replaced store: {}",
                parts.join(", ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_description_names_each_kind_and_caps_long_lists() {
        assert_eq!(
            CarriedForward::default().describe(),
            "carried forward from the replaced store: nothing (no access was taken away since the \
                backup)"
        );
        let carried = CarriedForward {
            revocations: vec!["tok_a".into(), "tok_b".into()],
            deactivations: vec!["bob".into()],
            password_changes: vec!["carol".into()],
            removed_grants: vec![RemovedGrant {
                account: "bob".into(),
                system: "web-api".into(),
            }],
            removed_group_memberships: vec![RemovedMembership {
                group: "ops".into(),
                account: "dave".into(),
            }],
            max_lifetime_days: Some(90),
            ..CarriedForward::default()
        };
        assert_eq!(
            carried.describe(),
            "carried forward from the replaced store: 2 revocations (tok_a, tok_b), 1 deactivation \
                (bob), 1 password change (carol), 1 removed grant (bob → web-api), 1 removed \
                group membership (dave in ops), maximum token lifetime lowered to 90 days"
        );
        let many = CarriedForward {
            revocations: (0..25).map(|n| format!("tok_{n}")).collect(),
            ..CarriedForward::default()
        };
        assert!(
            many.describe().ends_with("tok_19, and 5 more)"),
            "{}",
            many.describe()
        );
    }
}
