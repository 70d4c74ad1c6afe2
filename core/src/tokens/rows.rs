//! The `tokens` rows: ids, how a token is read and listed, and which tokens an account may manage.
use rusqlite::{Connection, OptionalExtension};

use super::format;
use crate::Authority;
use crate::access::manages;
use crate::accounts::load_account_by_id;
use crate::clock::{DAY, Timestamp};
use crate::error::{CoreError, Result};
use crate::model::{Account, TokenInfo, TokenStatus};
use crate::{keys, validate};

/// Token ids are `tok_` and 16 hexadecimal digits. Anything else is refused without echoing it,
/// since people sometimes paste the secret where the id belongs.
pub fn check_public_id(text: &str) -> Result<()> {
    let ok = text.len() == 20
        && text.starts_with("tok_")
        && text[4..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if ok {
        return Ok(());
    }
    if text.starts_with(format::PREFIX) {
        return Err(CoreError::Invalid(
            "that is a token secret, not a token id; use the id (tok_…) from `latchkey tokens \
                list`, and revoke the secret if it was exposed"
                .into(),
        ));
    }
    Err(CoreError::Invalid(
        "a token id is tok_ followed by 16 hexadecimal digits; see `latchkey tokens list`".into(),
    ))
}

pub(super) fn new_public_id() -> Result<String> {
    let mut bytes = [0u8; 8];
    crate::keys::random::fill_for_store(&mut bytes)?;
    Ok(format!("tok_{}", keys::hex(&bytes)))
}

pub(super) const TOKEN_COLUMNS: &str =
    "t.id, t.public_id, t.name, t.hint, a.username, t.created_at, t.expires_at, t.last_used_at,
     t.revoked_at, t.narrowed, p.public_id, t.owner_id, r.username, t.usage_note, cb.username,
     t.first_used_at, n.public_id, n.first_used_at, t.used_after_successor_at";

/// The tables TOKEN_COLUMNS come from (joins, not per-row subqueries: listing 10 000 tokens is
/// a benchmark target).
pub(super) const TOKEN_TABLES: &str = "tokens t JOIN accounts a ON a.id = t.owner_id
     LEFT JOIN tokens p ON p.id = t.predecessor_id LEFT JOIN accounts r ON r.id = t.revoked_by
     LEFT JOIN accounts cb ON cb.id = t.created_by
     LEFT JOIN tokens n ON n.id = (SELECT max(s.id) FROM tokens s WHERE s.predecessor_id = t.id)";

/// A token's row as lists and look-ups read it.
pub(crate) struct TokenRow {
    /// The row id.
    pub(crate) id: i64,
    /// The owner's account id.
    pub(crate) owner_id: i64,
    /// Whether it is narrowed to some systems.
    pub(crate) narrowed: bool,
    /// What lists show of it.
    pub(crate) info: TokenInfo,
}

pub(super) fn token_from_row(
    row: &rusqlite::Row<'_>,
    now: Timestamp,
) -> rusqlite::Result<TokenRow> {
    let expires_at = row.get(6)?;
    let revoked_at = row.get(8)?;
    Ok(TokenRow {
        id: row.get(0)?,
        owner_id: row.get(11)?,
        narrowed: row.get(9)?,
        info: TokenInfo {
            id: row.get(1)?,
            name: row.get(2)?,
            hint: row.get(3)?,
            owner: row.get(4)?,
            status: TokenStatus::at(now, expires_at, revoked_at),
            created_at: row.get(5)?,
            expires_at,
            last_used_at: row.get(7)?,
            revoked_at,
            systems: None,
            replaces: row.get(10)?,
            revoked_by: revoked_at.and(row.get(12)?),
            usage_note: row.get(13)?,
            created_by: row.get(14)?,
            stale: false,
            first_used_at: row.get(15)?,
            replaced_by: row.get(16)?,
            successor_first_used_at: row.get(17)?,
            used_after_successor_at: row.get(18)?,
        },
    })
}

const NARROWED_SYSTEMS: &str = "
    SELECT s.slug FROM token_systems ts JOIN systems s ON s.id = ts.system_id WHERE ts.token_id
    = ?1 ORDER BY s.slug";

fn narrowed_systems(conn: &Connection, token_id: i64) -> Result<Vec<String>> {
    let mut statement = conn.prepare_cached(NARROWED_SYSTEMS)?;
    let rows = statement.query_map([token_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
}

pub(super) fn with_systems(conn: &Connection, mut row: TokenRow) -> Result<TokenInfo> {
    if row.narrowed {
        row.info.systems = Some(narrowed_systems(conn, row.id)?);
    }
    Ok(row.info)
}

/// A token the actor may manage: their own, or any for an administrator. Others' tokens are
/// "not found", so ids do not reveal what exists.
pub(super) fn manageable_token(
    conn: &Connection,
    me: &Account,
    public_id: &str,
    now: Timestamp,
) -> Result<TokenRow> {
    check_public_id(public_id)?;
    let row = conn
        .prepare_cached(&format!(
            "SELECT {TOKEN_COLUMNS} FROM {TOKEN_TABLES}
             WHERE t.public_id = ?1 AND t.deleted_at IS NULL"
        ))?
        .query_row([public_id], |r| token_from_row(r, now))
        .optional()?;
    match row {
        Some(row) if row.owner_id == me.id || me.is_admin() => Ok(row),
        Some(row) if manages_owner(conn, me, row.owner_id)? => Ok(row),
        _ => Err(CoreError::NotFound(format!(
            "no token with id {:?} that you can manage; see `latchkey tokens list`",
            validate::shorten(public_id)
        ))),
    }
}

/// Whether `me` manages the (service) account `owner_id`.
pub(super) fn manages_owner(conn: &Connection, me: &Account, owner_id: i64) -> Result<bool> {
    match load_account_by_id(conn, owner_id)? {
        Some(owner) => manages(conn, me, &owner),
        None => Ok(false),
    }
}

/// A row as lists show it: its narrowing read and whether it is stale.
pub(super) fn listed(
    conn: &Connection,
    row: TokenRow,
    now: Timestamp,
    stale_after_days: i64,
) -> Result<TokenInfo> {
    let mut info = with_systems(conn, row)?;
    mark_stale(&mut info, now, stale_after_days);
    Ok(info)
}

/// Marks the active tokens not used (or, never used, not created) within the stale period.
fn mark_stale(info: &mut TokenInfo, now: Timestamp, stale_after_days: i64) {
    let quiet_since = info.last_used_at.unwrap_or(info.created_at);
    // A retiring token is a rotation finishing, shown as such; it is not reminded as stale.
    info.stale = info.status == TokenStatus::Active
        && info.revoked_at.is_none()
        && now - quiet_since >= stale_after_days * DAY;
}

impl Authority {
    /// The token whose secret this is, found by its keyed digest (deleted ones too, since a
    /// leak check must tell a deleted token from a stranger's); `None` when it is not ours.
    /// Reads only: a look-up is not a use.
    pub(crate) fn token_by_secret(&self, token: &str, now: Timestamp) -> Result<Option<TokenRow>> {
        let digest = self.token_key.digest(token);
        let row = self
            .conn
            .prepare_cached(&format!(
                "SELECT {TOKEN_COLUMNS} FROM {TOKEN_TABLES} WHERE t.digest = ?1"
            ))?
            .query_row([digest.as_slice()], |r| token_from_row(r, now))
            .optional()?;
        let Some(mut row) = row else {
            return Ok(None);
        };
        if row.narrowed {
            row.info.systems = Some(narrowed_systems(&self.conn, row.id)?);
        }
        Ok(Some(row))
    }

    pub(super) fn token_info(&self, public_id: &str) -> Result<TokenInfo> {
        let now = self.now()?;
        let row = self
            .conn
            .prepare_cached(&format!(
                "SELECT {TOKEN_COLUMNS} FROM {TOKEN_TABLES} WHERE t.public_id = ?1"
            ))?
            .query_row([public_id], |r| token_from_row(r, now))?;
        let stale_after = crate::settings::load(&self.conn)?.stale_after_days;
        listed(&self.conn, row, now, stale_after)
    }
}
