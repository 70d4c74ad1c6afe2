//! Links (direct grants, group memberships, group grants) the current store no longer has, between
//! an account, group and system it still knows: removed from the restored store too.
use std::collections::HashSet;

use rusqlite::{Connection, params};

use super::apply::Known;
use super::{CarriedForward, RemovedGrant, RemovedGroupGrant, RemovedMembership};
use crate::error::Result;

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
         FROM account_grants g JOIN accounts a ON a.id = g.account_id
         JOIN systems s ON s.id = g.system_id
         ORDER BY a.username_key, s.slug",
    delete: "DELETE FROM account_grants WHERE account_id = ?1 AND system_id = ?2",
    ends: (End::Account, End::System),
};

const MEMBERSHIPS: LinkKind = LinkKind {
    current: "SELECT g.name_key, a.username_key FROM group_members m
         JOIN groups g ON g.id = m.group_id JOIN accounts a ON a.id = m.account_id",
    restored: "SELECT m.group_id, m.account_id, g.name_key, a.username_key, g.name, a.username
         FROM group_members m JOIN groups g ON g.id = m.group_id
         JOIN accounts a ON a.id = m.account_id
         ORDER BY g.name_key, a.username_key",
    delete: "DELETE FROM group_members WHERE group_id = ?1 AND account_id = ?2",
    ends: (End::Group, End::Account),
};

const GROUP_GRANTS: LinkKind = LinkKind {
    current: "SELECT g.name_key, s.slug FROM group_grants gg
         JOIN groups g ON g.id = gg.group_id JOIN systems s ON s.id = gg.system_id",
    restored: "SELECT gg.group_id, gg.system_id, g.name_key, s.slug, g.name, s.slug
         FROM group_grants gg JOIN groups g ON g.id = gg.group_id
         JOIN systems s ON s.id = gg.system_id
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
pub(super) fn removed_links(
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
