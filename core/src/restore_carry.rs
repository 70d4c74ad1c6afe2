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
use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::accounts::FREE_FAILURES;
use crate::clock::Timestamp;
use crate::error::{CoreError, Result};
use crate::settings;

/// How many names a one-line description lists per kind before it says "and N more".
const LISTED: usize = 20;

/// A direct grant taken away since the backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedGrant {
    pub account: String,
    pub system: String,
}

/// A group membership taken away since the backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedMembership {
    pub group: String,
    pub account: String,
}

/// A group's grant taken away since the backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedGroupGrant {
    pub group: String,
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
    pub removed_grants: Vec<RemovedGrant>,
    pub removed_group_memberships: Vec<RemovedMembership>,
    pub removed_group_grants: Vec<RemovedGroupGrant>,
    /// Administrators who are members now.
    pub demotions: Vec<String>,
    /// Accounts that lost "access to all systems".
    pub removed_access_to_all_systems: Vec<String>,
    /// The lowered maximum token lifetime in days, when it was lowered.
    pub max_lifetime_days: Option<i64>,
    /// On-boarders no longer get access to what they on-board.
    pub onboarder_access_removed: bool,
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
        self.max_lifetime_days = later.max_lifetime_days.or(self.max_lifetime_days);
        self.onboarder_access_removed |= later.onboarder_access_removed;
    }

    /// One line for people: "carried forward from the replaced store: 2 revocations (tok_…,
    /// tok_…), 1 deactivation (bob), …".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let mut names = |items: &[String], singular: &str, plural: &str| {
            if !items.is_empty() {
                parts.push(format!(
                    "{} ({})",
                    counted(items.len(), singular, plural),
                    listed(items, String::clone)
                ));
            }
        };
        names(&self.revocations, "revocation", "revocations");
        names(&self.earlier_expiries, "earlier expiry", "earlier expiries");
        names(&self.deactivations, "deactivation", "deactivations");
        names(
            &self.password_changes,
            "password change",
            "password changes",
        );
        names(&self.sign_in_locks, "sign-in lock", "sign-in locks");
        if !self.removed_grants.is_empty() {
            parts.push(format!(
                "{} ({})",
                counted(self.removed_grants.len(), "removed grant", "removed grants"),
                listed(&self.removed_grants, |g| format!(
                    "{} → {}",
                    g.account, g.system
                ))
            ));
        }
        if !self.removed_group_memberships.is_empty() {
            parts.push(format!(
                "{} ({})",
                counted(
                    self.removed_group_memberships.len(),
                    "removed group membership",
                    "removed group memberships"
                ),
                listed(&self.removed_group_memberships, |m| format!(
                    "{} in {}",
                    m.account, m.group
                ))
            ));
        }
        if !self.removed_group_grants.is_empty() {
            parts.push(format!(
                "{} ({})",
                counted(
                    self.removed_group_grants.len(),
                    "removed group grant",
                    "removed group grants"
                ),
                listed(&self.removed_group_grants, |g| format!(
                    "{} → {}",
                    g.group, g.system
                ))
            ));
        }
        let mut names = |items: &[String], singular: &str, plural: &str| {
            if !items.is_empty() {
                parts.push(format!(
                    "{} ({})",
                    counted(items.len(), singular, plural),
                    listed(items, String::clone)
                ));
            }
        };
        names(&self.demotions, "demotion to member", "demotions to member");
        names(
            &self.removed_access_to_all_systems,
            "removed \"access to all systems\"",
            "removed \"access to all systems\"",
        );
        if let Some(days) = self.max_lifetime_days {
            parts.push(format!("maximum token lifetime lowered to {days} days"));
        }
        if self.onboarder_access_removed {
            parts.push("on-boarders no longer get access automatically".into());
        }
        if parts.is_empty() {
            "carried forward from the replaced store: nothing (no access was taken away since the backup)".into()
        } else {
            format!(
                "carried forward from the replaced store: {}",
                parts.join(", ")
            )
        }
    }
}

/// An account's access-relevant state, as either store holds it.
struct AccountRow {
    id: i64,
    username: String,
    role: String,
    status: String,
    password_hash: String,
    access_all: bool,
    failed_signins: i64,
    last_failed_at: Option<Timestamp>,
}

fn accounts(conn: &Connection) -> Result<HashMap<String, AccountRow>> {
    let mut statement = conn.prepare(
        "SELECT username_key, id, username, role, status, password_hash, access_all, failed_signins, last_failed_at
         FROM accounts",
    )?;
    let rows = statement.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            AccountRow {
                id: r.get(1)?,
                username: r.get(2)?,
                role: r.get(3)?,
                status: r.get(4)?,
                password_hash: r.get(5)?,
                access_all: r.get(6)?,
                failed_signins: r.get(7)?,
                last_failed_at: r.get(8)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn strings(conn: &Connection, sql: &str) -> Result<HashSet<String>> {
    let mut statement = conn.prepare(sql)?;
    let rows = statement.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn pairs(conn: &Connection, sql: &str) -> Result<HashSet<(String, String)>> {
    let mut statement = conn.prepare(sql)?;
    let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A link row of the restored store: its two ids, the two identities it is matched by, and the
/// two names it is shown with.
struct Link {
    ids: (i64, i64),
    keys: (String, String),
    names: (String, String),
}

fn links(conn: &Connection, sql: &str) -> Result<Vec<Link>> {
    let mut statement = conn.prepare(sql)?;
    let rows = statement.query_map([], |r| {
        Ok(Link {
            ids: (r.get(0)?, r.get(1)?),
            keys: (r.get(2)?, r.get(3)?),
            names: (r.get(4)?, r.get(5)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What the current store knows about: accounts, systems and groups by identity.
struct Known {
    accounts: HashMap<String, AccountRow>,
    systems: HashSet<String>,
    groups: HashSet<String>,
}

/// Applies to `restored` (the backup, in memory) everything in `current` that narrows access
/// compared with it, in one transaction, and says what that was. Refused, changing nothing, when
/// the result would leave no active administrator.
pub(crate) fn carry_forward(
    current: &Connection,
    restored: &mut Connection,
) -> Result<CarriedForward> {
    let tx = restored.transaction()?;
    let carried = carry_into(current, &tx)?;
    let admins: i64 = tx.query_row(
        "SELECT count(*) FROM accounts WHERE role = 'admin' AND status = 'active'",
        [],
        |r| r.get(0),
    )?;
    if admins == 0 {
        return Err(CoreError::Conflict(
            "the restored store would have no active administrator: every administrator in the backup has since been deactivated or made a member in the current store; restore a more recent backup (nothing was changed)".into(),
        ));
    }
    tx.commit()?;
    Ok(carried)
}

/// Applies to `restored`, inside the caller's transaction, everything in `current` that narrows
/// access compared with it, and says what that was. A restore's second pass, from the store set
/// aside into the restored one in place, calls this directly: what the store set aside
/// acknowledged holds even when it leaves no active administrator.
pub(crate) fn carry_into(current: &Connection, restored: &Connection) -> Result<CarriedForward> {
    let tx = restored;
    let known = Known {
        accounts: accounts(current)?,
        systems: strings(current, "SELECT slug FROM systems")?,
        groups: strings(current, "SELECT name_key FROM groups")?,
    };
    let mut carried = CarriedForward::default();
    let restored_accounts = accounts(tx)?;
    revocations(current, tx, &restored_accounts, &mut carried)?;
    earlier_expiries(current, tx, &mut carried)?;
    account_states(tx, &known, &restored_accounts, &mut carried)?;
    removed_links(current, tx, &known, &mut carried)?;
    lowered_settings(current, tx, &mut carried)?;
    // "Now" never goes back: the restored store starts from the later of both watermarks.
    let seen: Timestamp = current.query_row(
        "SELECT max_seen FROM clock_watermark WHERE id = 1",
        [],
        |r| r.get(0),
    )?;
    tx.execute(
        "UPDATE clock_watermark SET max_seen = max(max_seen, ?1) WHERE id = 1",
        [seen],
    )?;
    Ok(carried)
}

/// Tokens revoked in the current store are revoked in the restored one, at the same time and by
/// the same account where it exists there; an earlier revocation time wins.
fn revocations(
    current: &Connection,
    tx: &Connection,
    restored_accounts: &HashMap<String, AccountRow>,
    carried: &mut CarriedForward,
) -> Result<()> {
    let mut statement = current.prepare(
        "SELECT t.public_id, t.revoked_at, a.username_key, t.rotated
         FROM tokens t LEFT JOIN accounts a ON a.id = t.revoked_by
         WHERE t.revoked_at IS NOT NULL
         ORDER BY t.revoked_at, t.public_id",
    )?;
    let revoked = statement
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Timestamp>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut find = tx.prepare("SELECT id, revoked_at FROM tokens WHERE public_id = ?1")?;
    let mut update = tx.prepare(
        "UPDATE tokens SET revoked_at = ?2, revoked_by = ?3, rotated = max(rotated, ?4) WHERE id = ?1",
    )?;
    for (public_id, revoked_at, revoker, rotated) in revoked {
        let Some((id, restored_at)) = find
            .query_row([&public_id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<Timestamp>>(1)?))
            })
            .optional()?
        else {
            continue;
        };
        if restored_at.is_some_and(|at| at <= revoked_at) {
            continue;
        }
        let by = revoker
            .and_then(|key| restored_accounts.get(&key))
            .map(|a| a.id);
        update.execute(params![id, revoked_at, by, rotated])?;
        carried.revocations.push(public_id);
    }
    Ok(())
}

/// A token that expires earlier in the current store (a clock reset clamped it) expires then in
/// the restored one too.
fn earlier_expiries(
    current: &Connection,
    tx: &Connection,
    carried: &mut CarriedForward,
) -> Result<()> {
    let mut statement = current.prepare("SELECT public_id, expires_at FROM tokens")?;
    let expiries = statement
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Timestamp>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut update =
        tx.prepare("UPDATE tokens SET expires_at = ?2 WHERE public_id = ?1 AND expires_at > ?2")?;
    for (public_id, expires_at) in expiries {
        if update.execute(params![public_id, expires_at])? > 0 {
            carried.earlier_expiries.push(public_id);
        }
    }
    Ok(())
}

/// Deactivations, demotions, removed "access to all systems", and the current password with its
/// sign-in lock state.
fn account_states(
    tx: &Connection,
    known: &Known,
    restored_accounts: &HashMap<String, AccountRow>,
    carried: &mut CarriedForward,
) -> Result<()> {
    let mut keys: Vec<&String> = restored_accounts.keys().collect();
    keys.sort();
    for key in keys {
        let (Some(old), Some(now)) = (restored_accounts.get(key), known.accounts.get(key)) else {
            continue;
        };
        let name = || old.username.clone();
        if old.status == "active" && now.status != "active" {
            tx.execute(
                "UPDATE accounts SET status = 'deactivated' WHERE id = ?1",
                [old.id],
            )?;
            carried.deactivations.push(name());
        }
        if old.role == "admin" && now.role != "admin" {
            tx.execute(
                "UPDATE accounts SET role = 'member' WHERE id = ?1",
                [old.id],
            )?;
            carried.demotions.push(name());
        }
        if old.access_all && !now.access_all {
            tx.execute("UPDATE accounts SET access_all = 0 WHERE id = ?1", [old.id])?;
            carried.removed_access_to_all_systems.push(name());
        }
        let changed = old.password_hash != now.password_hash;
        if changed || now.failed_signins > old.failed_signins {
            tx.execute(
                "UPDATE accounts SET password_hash = ?2, failed_signins = ?3, last_failed_at = ?4 WHERE id = ?1",
                params![old.id, now.password_hash, now.failed_signins, now.last_failed_at],
            )?;
            if changed {
                carried.password_changes.push(name());
            } else if now.failed_signins >= FREE_FAILURES {
                carried.sign_in_locks.push(name());
            }
        }
    }
    Ok(())
}

/// One kind of link (a direct grant, a group membership, a group's grant): how to read it in
/// both stores, how to remove it, and which end is which.
struct LinkKind {
    /// The pairs of identities the current store still links.
    current: &'static str,
    /// The backup's links: both ids, both identities, both names (see [`Link`]).
    restored: &'static str,
    delete: &'static str,
    ends: (End, End),
}

#[derive(Clone, Copy)]
enum End {
    Account,
    System,
    Group,
}

impl End {
    /// Whether the current store still knows this end: a link to something it no longer has is
    /// not "removed", it went with that thing.
    fn known(self, known: &Known, key: &str) -> bool {
        match self {
            End::Account => known.accounts.contains_key(key),
            End::System => known.systems.contains(key),
            End::Group => known.groups.contains(key),
        }
    }
}

const GRANTS: LinkKind = LinkKind {
    current: "SELECT a.username_key, s.slug FROM account_grants g
         JOIN accounts a ON a.id = g.account_id JOIN systems s ON s.id = g.system_id",
    restored: "SELECT g.account_id, g.system_id, a.username_key, s.slug, a.username, s.slug
         FROM account_grants g JOIN accounts a ON a.id = g.account_id JOIN systems s ON s.id = g.system_id
         ORDER BY a.username_key, s.slug",
    delete: "DELETE FROM account_grants WHERE account_id = ?1 AND system_id = ?2",
    ends: (End::Account, End::System),
};

const MEMBERSHIPS: LinkKind = LinkKind {
    current: "SELECT g.name_key, a.username_key FROM group_members m
         JOIN groups g ON g.id = m.group_id JOIN accounts a ON a.id = m.account_id",
    restored: "SELECT m.group_id, m.account_id, g.name_key, a.username_key, g.name, a.username
         FROM group_members m JOIN groups g ON g.id = m.group_id JOIN accounts a ON a.id = m.account_id
         ORDER BY g.name_key, a.username_key",
    delete: "DELETE FROM group_members WHERE group_id = ?1 AND account_id = ?2",
    ends: (End::Group, End::Account),
};

const GROUP_GRANTS: LinkKind = LinkKind {
    current: "SELECT g.name_key, s.slug FROM group_grants gg
         JOIN groups g ON g.id = gg.group_id JOIN systems s ON s.id = gg.system_id",
    restored: "SELECT gg.group_id, gg.system_id, g.name_key, s.slug, g.name, s.slug
         FROM group_grants gg JOIN groups g ON g.id = gg.group_id JOIN systems s ON s.id = gg.system_id
         ORDER BY g.name_key, s.slug",
    delete: "DELETE FROM group_grants WHERE group_id = ?1 AND system_id = ?2",
    ends: (End::Group, End::System),
};

/// Removes from the restored store the links of `kind` that the current store no longer has,
/// between ends it still knows; returns their names.
fn removed(
    current: &Connection,
    tx: &Connection,
    known: &Known,
    kind: &LinkKind,
) -> Result<Vec<(String, String)>> {
    let still = pairs(current, kind.current)?;
    let mut names = Vec::new();
    for link in links(tx, kind.restored)? {
        if kind.ends.0.known(known, &link.keys.0)
            && kind.ends.1.known(known, &link.keys.1)
            && !still.contains(&link.keys)
        {
            tx.execute(kind.delete, params![link.ids.0, link.ids.1])?;
            names.push(link.names);
        }
    }
    Ok(names)
}

/// Direct grants, group memberships and group grants of the backup that the current store no
/// longer has, between an account, group and system it still knows.
fn removed_links(
    current: &Connection,
    tx: &Connection,
    known: &Known,
    carried: &mut CarriedForward,
) -> Result<()> {
    let grants = removed(current, tx, known, &GRANTS)?;
    carried.removed_grants.extend(
        grants
            .into_iter()
            .map(|(account, system)| RemovedGrant { account, system }),
    );
    let memberships = removed(current, tx, known, &MEMBERSHIPS)?;
    carried.removed_group_memberships.extend(
        memberships
            .into_iter()
            .map(|(group, account)| RemovedMembership { group, account }),
    );
    let group_grants = removed(current, tx, known, &GROUP_GRANTS)?;
    carried.removed_group_grants.extend(
        group_grants
            .into_iter()
            .map(|(group, system)| RemovedGroupGrant { group, system }),
    );
    Ok(())
}

/// A lowered maximum token lifetime, and on-boarders no longer getting access.
fn lowered_settings(
    current: &Connection,
    tx: &Connection,
    carried: &mut CarriedForward,
) -> Result<()> {
    let (now, old) = (settings::load(current)?, settings::load(tx)?);
    let set = |key: &str, value: &str| -> Result<()> {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
            params![key, value],
        )?;
        Ok(())
    };
    if now.max_lifetime_days < old.max_lifetime_days {
        set("max_lifetime_days", &now.max_lifetime_days.to_string())?;
        carried.max_lifetime_days = Some(now.max_lifetime_days);
    }
    if old.onboarder_gets_access && !now.onboarder_gets_access {
        set("onboarder_gets_access", "false")?;
        carried.onboarder_access_removed = true;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_description_names_each_kind_and_caps_long_lists() {
        assert_eq!(
            CarriedForward::default().describe(),
            "carried forward from the replaced store: nothing (no access was taken away since the backup)"
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
            "carried forward from the replaced store: 2 revocations (tok_a, tok_b), 1 deactivation (bob), 1 password change (carol), 1 removed grant (bob → web-api), 1 removed group membership (dave in ops), maximum token lifetime lowered to 90 days"
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
