//! Tokens: create (the secret leaves exactly once), list, revoke, rotate, delete.
use hmac::{Hmac, Mac};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::ser::SerializeStruct;
use sha2::Sha256;

use crate::access::{account_may_access, find_system};
use crate::authority::{Authority, find_account, load_account_by_id};
use crate::clock::{DAY, Timestamp};
use crate::error::{CoreError, Result};
use crate::model::{
    Account, Actor, MAX_GRACE_DAYS, RotateGrace, TokenInfo, TokenScope, TokenStatus,
};
use crate::secret::{KeyBytes, Secret};
use crate::{audit, key, settings, token_format, validate};

/// The answer to a create or rotate: the only value that carries a token's secret out of core.
#[derive(Debug)]
pub struct IssuedToken {
    pub secret: Secret,
    pub token: TokenInfo,
}

impl serde::Serialize for IssuedToken {
    /// The one serialisation that includes a secret: the create/rotate response.
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("IssuedToken", 2)?;
        out.serialize_field("secret", self.secret.expose())?;
        out.serialize_field("token", &self.token)?;
        out.end()
    }
}

/// What creating a token asks for.
#[derive(Debug, Clone, Default)]
pub struct NewToken {
    pub name: String,
    /// Days until expiry; the default and the maximum is the organisation's maximum lifetime.
    pub expires_in_days: Option<i64>,
    /// Narrow the token to these systems (each must be accessible to the owner).
    pub systems: Option<Vec<String>>,
}

/// HMAC-SHA256 of the token under the token sub-key: all the store ever keeps of a secret.
pub(crate) fn digest(token_key: &KeyBytes, token: &str) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(&token_key.0).expect("HMAC takes keys of any length");
    mac.update(token.as_bytes());
    mac.finalize().into_bytes().into()
}

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
    if text.starts_with(token_format::PREFIX) {
        return Err(CoreError::Invalid(
            "that is a token secret, not a token id; use the id (tok_…) from `latchkey tokens list`, and revoke the secret if it was exposed".into(),
        ));
    }
    Err(CoreError::Invalid(
        "a token id is tok_ followed by 16 hexadecimal digits; see `latchkey tokens list`".into(),
    ))
}

fn new_public_id() -> Result<String> {
    let mut bytes = [0u8; 8];
    crate::random::fill_for_store(&mut bytes)?;
    Ok(format!("tok_{}", key::hex(&bytes)))
}

const TOKEN_COLUMNS: &str =
    "t.id, t.public_id, t.name, t.hint, a.username, t.created_at, t.expires_at, t.last_used_at,
     t.revoked_at, t.narrowed, p.public_id, t.owner_id, r.username";

/// The tables TOKEN_COLUMNS come from (joins, not per-row subqueries: listing 10 000 tokens is
/// a benchmark target).
const TOKEN_TABLES: &str = "tokens t JOIN accounts a ON a.id = t.owner_id
     LEFT JOIN tokens p ON p.id = t.predecessor_id LEFT JOIN accounts r ON r.id = t.revoked_by";

struct TokenRow {
    id: i64,
    owner_id: i64,
    narrowed: bool,
    info: TokenInfo,
}

fn token_from_row(row: &rusqlite::Row<'_>, now: Timestamp) -> rusqlite::Result<TokenRow> {
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
        },
    })
}

fn narrowed_systems(conn: &Connection, token_id: i64) -> Result<Vec<String>> {
    let mut statement = conn.prepare_cached(
        "SELECT s.slug FROM token_systems ts JOIN systems s ON s.id = ts.system_id WHERE ts.token_id = ?1 ORDER BY s.slug",
    )?;
    let rows = statement.query_map([token_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
}

fn with_systems(conn: &Connection, mut row: TokenRow) -> Result<TokenInfo> {
    if row.narrowed {
        row.info.systems = Some(narrowed_systems(conn, row.id)?);
    }
    Ok(row.info)
}

/// A token the actor may manage: their own, or any for an administrator. Others' tokens are
/// "not found", so ids do not reveal what exists.
fn manageable_token(
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
        _ => Err(CoreError::NotFound(format!(
            "no token with id {:?} that you can manage; see `latchkey tokens list`",
            validate::shorten(public_id)
        ))),
    }
}

/// A token row about to be written.
struct TokenInsert<'a> {
    owner: &'a Account,
    /// Who receives the secret in the answer; see `ensure_secret_reaches_only_its_owner`.
    recipient: &'a Account,
    name: &'a str,
    now: Timestamp,
    expires_at: Timestamp,
    systems: Option<&'a [i64]>,
    predecessor: Option<i64>,
}

/// The one rule for who may obtain a working secret: the token's owner, nobody else —
/// administrators included (they revoke, never rotate, someone else's token). Every path that
/// issues a secret (create, rotate, anything later) goes through `insert_token`, which applies it.
fn ensure_secret_reaches_only_its_owner(recipient: &Account, owner: &Account) -> Result<()> {
    if recipient.id == owner.id {
        return Ok(());
    }
    Err(CoreError::Forbidden(format!(
        "a token's secret only ever reaches its owner, so only {} can rotate this token; an administrator can revoke it instead",
        owner.username
    )))
}

/// Inserts a token row and its systems; returns its public id.
fn insert_token(
    tx: &Transaction<'_>,
    token_key: &KeyBytes,
    secret: &Secret,
    row: &TokenInsert<'_>,
) -> Result<String> {
    ensure_secret_reaches_only_its_owner(row.recipient, row.owner)?;
    let public_id = new_public_id()?;
    tx.prepare_cached(
        "INSERT INTO tokens (public_id, digest, owner_id, name, hint, narrowed, created_at, expires_at, predecessor_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        public_id,
        digest(token_key, secret.expose()).as_slice(),
        row.owner.id,
        row.name,
        token_format::hint(secret.expose()),
        row.systems.is_some(),
        row.now,
        row.expires_at,
        row.predecessor,
    ])?;
    let id = tx.last_insert_rowid();
    for system in row.systems.unwrap_or_default() {
        tx.prepare_cached("INSERT INTO token_systems (token_id, system_id) VALUES (?1, ?2)")?
            .execute(params![id, system])?;
    }
    Ok(public_id)
}

impl Authority {
    fn token_info(&self, public_id: &str) -> Result<TokenInfo> {
        let now = self.now()?;
        let row = self
            .conn
            .prepare_cached(&format!(
                "SELECT {TOKEN_COLUMNS} FROM {TOKEN_TABLES} WHERE t.public_id = ?1"
            ))?
            .query_row([public_id], |r| token_from_row(r, now))?;
        with_systems(&self.conn, row)
    }

    /// Creates a token for the acting account. The secret is in the answer and nowhere else.
    pub fn create_token(&mut self, actor: Actor, request: &NewToken) -> Result<IssuedToken> {
        let name = validate::token_name(&request.name)?;
        if let Some(days) = request.expires_in_days.filter(|&days| days < 1) {
            return Err(CoreError::Invalid(format!(
                "the expiry must be at least 1 day (got {days})"
            )));
        }
        let secret = token_format::generate()?;
        let token_key = self.token_key.clone();
        let public_id = self.write(|tx, now| {
            let me = Self::active_account(tx, actor)?;
            let max_days = settings::load(tx)?.max_lifetime_days;
            let days = request.expires_in_days.unwrap_or(max_days);
            if days > max_days {
                return Err(CoreError::Invalid(format!(
                    "the expiry must be at most {max_days} days (the organisation's maximum token lifetime)"
                )));
            }
            let systems = match &request.systems {
                Some(slugs) => Some(narrowing(tx, &me, slugs)?),
                None => None,
            };
            let row = TokenInsert {
                owner: &me,
                name: &name,
                now,
                expires_at: now + days * DAY,
                systems: systems.as_deref(),
                predecessor: None,
                recipient: &me,
            };
            let public_id = insert_token(tx, &token_key, &secret, &row)?;
            audit::record(tx, now, &me.username, "token.created", &public_id, serde_json::json!({
                "name": name, "owner": me.username, "expires_in_days": days, "systems": request.systems,
            }))?;
            Ok(public_id)
        })?;
        Ok(IssuedToken {
            secret,
            token: self.token_info(&public_id)?,
        })
    }

    /// Tokens the actor may see: their own, or (administrators) all or one account's.
    /// Deleted tokens are gone from lists; their audit history stays.
    pub fn list_tokens(&self, actor: Actor, scope: &TokenScope) -> Result<Vec<TokenInfo>> {
        self.list_tokens_page(actor, scope, 0, None)
    }

    /// One page of `list_tokens`, newest first: `limit` tokens (all when None) after skipping
    /// `offset`.
    pub fn list_tokens_page(
        &self,
        actor: Actor,
        scope: &TokenScope,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<Vec<TokenInfo>> {
        let me = Self::active_account(&self.conn, actor)?;
        let owner = match scope {
            TokenScope::Mine => Some(me.id),
            TokenScope::All if me.is_admin() => None,
            TokenScope::Owner(name)
                if me.is_admin()
                    || crate::validate::username_key(name)
                        == crate::validate::username_key(&me.username) =>
            {
                Some(find_account(&self.conn, name)?.id)
            }
            _ => {
                return Err(CoreError::Forbidden(
                    "only an administrator may list other accounts' tokens".into(),
                ));
            }
        };
        let now = self.now()?;
        // Two statements, so each walks its index in order (an `?1 IS NULL OR` would not).
        let filter = match owner {
            Some(_) => "t.owner_id = ?1",
            None => "?1 IS NULL",
        };
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {TOKEN_COLUMNS} FROM {TOKEN_TABLES}
             WHERE {filter} AND t.deleted_at IS NULL ORDER BY t.created_at DESC, t.id DESC
             LIMIT ?2 OFFSET ?3"
        ))?;
        // SQLite reads a negative LIMIT as "no limit".
        let limit = limit.and_then(|l| i64::try_from(l).ok()).unwrap_or(-1);
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        // One pass, each row moved once (listing 10 000 tokens is a benchmark target).
        let mut rows = statement.query(rusqlite::params![owner, limit, offset])?;
        let mut tokens = Vec::new();
        while let Some(row) = rows.next()? {
            tokens.push(with_systems(&self.conn, token_from_row(row, now)?)?);
        }
        Ok(tokens)
    }

    /// Revokes a token at once; revoking a revoked token changes nothing.
    pub fn revoke_token(&mut self, actor: Actor, public_id: &str) -> Result<TokenInfo> {
        self.write(|tx, now| {
            let me = Self::active_account(tx, actor)?;
            let token = manageable_token(tx, &me, public_id, now)?;
            if token.info.status != TokenStatus::Revoked {
                revoke_row(tx, token.id, me.id, now)?;
                audit::record(
                    tx,
                    now,
                    &me.username,
                    "token.revoked",
                    &token.info.id,
                    serde_json::json!({"owner": token.info.owner}),
                )?;
            }
            Ok(())
        })?;
        self.token_info(public_id)
    }

    /// Revokes every token of an account (own by default; another's for administrators).
    /// Returns how many were revoked.
    pub fn revoke_all_tokens(&mut self, actor: Actor, owner: Option<&str>) -> Result<usize> {
        self.write(|tx, now| {
            let me = Self::active_account(tx, actor)?;
            let target = match owner {
                Some(name) => {
                    let target = find_account(tx, name)?;
                    if target.id != me.id && !me.is_admin() {
                        return Err(CoreError::Forbidden("only an administrator may revoke another account's tokens".into()));
                    }
                    target
                }
                None => me.clone(),
            };
            let revoked = tx.execute(
                "UPDATE tokens SET revoked_at = ?3, revoked_by = ?2
                 WHERE owner_id = ?1 AND (revoked_at IS NULL OR revoked_at > ?3) AND expires_at > ?3",
                params![target.id, me.id, now],
            )?;
            if revoked > 0 {
                audit::record(tx, now, &me.username, "token.revoked_all", &target.username, serde_json::json!({"count": revoked}))?;
            }
            Ok(revoked)
        })
    }

    /// Creates a successor with the same name, systems and lifetime, and retires the predecessor
    /// at once, after the grace period, or at the successor's first use, whichever comes first.
    pub fn rotate_token(
        &mut self,
        actor: Actor,
        public_id: &str,
        grace: RotateGrace,
    ) -> Result<IssuedToken> {
        let grace_seconds = match grace {
            RotateGrace::Immediate => 0,
            RotateGrace::Days(days) if (1..=MAX_GRACE_DAYS).contains(&days) => days * DAY,
            RotateGrace::Days(days) => {
                return Err(CoreError::Invalid(format!(
                    "the grace period must be between 1 and {MAX_GRACE_DAYS} days (got {days})"
                )));
            }
            RotateGrace::UntilFirstUse => MAX_GRACE_DAYS * DAY,
        };
        let secret = token_format::generate()?;
        let token_key = self.token_key.clone();
        let successor = self.write(|tx, now| {
            let me = Self::active_account(tx, actor)?;
            let old = manageable_token(tx, &me, public_id, now)?;
            if old.info.status != TokenStatus::Active {
                return Err(CoreError::Conflict(format!(
                    "token {} is {}; only an active token can be rotated",
                    old.info.id,
                    old.info.status.as_str()
                )));
            }
            let owner = load_account_by_id(tx, old.owner_id)?.ok_or(CoreError::Corrupt)?;
            // Same lifetime as the predecessor, capped by the maximum in force now.
            let max_lifetime = settings::load(tx)?.max_lifetime_days * DAY;
            let lifetime = (old.info.expires_at - old.info.created_at).min(max_lifetime);
            let systems: Option<Vec<i64>> = if old.narrowed {
                let mut statement = tx.prepare_cached("SELECT system_id FROM token_systems WHERE token_id = ?1")?;
                let ids = statement.query_map([old.id], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
                Some(ids)
            } else {
                None
            };
            let row = TokenInsert {
                owner: &owner,
                name: &old.info.name,
                now,
                expires_at: now + lifetime,
                systems: systems.as_deref(),
                predecessor: Some(old.id),
                recipient: &me,
            };
            let new_id = insert_token(tx, &token_key, &secret, &row)?;
            let retire_at = now + grace_seconds;
            tx.execute(
                "UPDATE tokens SET revoked_at = min(coalesce(revoked_at, ?2), ?2), revoked_by = ?3, rotated = 1 WHERE id = ?1",
                params![old.id, retire_at, me.id],
            )?;
            audit::record(tx, now, &me.username, "token.rotated", &old.info.id, serde_json::json!({
                "successor": new_id, "predecessor_revoked_at": crate::clock::rfc3339(retire_at),
                "until_first_use": grace != RotateGrace::Immediate,
            }))?;
            Ok(new_id)
        })?;
        Ok(IssuedToken {
            secret,
            token: self.token_info(&successor)?,
        })
    }

    /// Creates `count` unnarrowed tokens for the actor in one transaction, without audit events:
    /// only for benchmarks and load tests that need a large store quickly.
    #[doc(hidden)]
    pub fn seed_tokens_for_benchmarks(
        &mut self,
        actor: Actor,
        count: usize,
    ) -> Result<Vec<Secret>> {
        let token_key = self.token_key.clone();
        self.write(|tx, now| {
            let me = Self::active_account(tx, actor)?;
            let mut secrets = Vec::with_capacity(count);
            for i in 0..count {
                let secret = token_format::generate()?;
                let name = format!("seeded {i}");
                let row = TokenInsert {
                    owner: &me,
                    name: &name,
                    now,
                    expires_at: now + 365 * DAY,
                    systems: None,
                    predecessor: None,
                    recipient: &me,
                };
                insert_token(tx, &token_key, &secret, &row)?;
                secrets.push(secret);
            }
            Ok(secrets)
        })
    }

    /// Removes an expired or revoked token from the lists; its audit history stays, and it
    /// keeps failing verification.
    pub fn delete_token(&mut self, actor: Actor, public_id: &str) -> Result<()> {
        self.write(|tx, now| {
            let me = Self::active_account(tx, actor)?;
            let token = manageable_token(tx, &me, public_id, now)?;
            if token.info.status == TokenStatus::Active {
                return Err(CoreError::Conflict(format!(
                    "token {} is still active; revoke it before deleting it from the list",
                    token.info.id
                )));
            }
            tx.execute(
                "UPDATE tokens SET deleted_at = ?2 WHERE id = ?1",
                params![token.id, now],
            )?;
            audit::record(
                tx,
                now,
                &me.username,
                "token.deleted",
                &token.info.id,
                serde_json::json!({"owner": token.info.owner}),
            )
        })
    }
}

/// Narrowing: every listed system must exist and be accessible to the owner now.
fn narrowing(conn: &Connection, owner: &Account, slugs: &[String]) -> Result<Vec<i64>> {
    if slugs.is_empty() {
        return Err(CoreError::Invalid(
            "a narrowed token needs at least one system".into(),
        ));
    }
    let mut ids = Vec::with_capacity(slugs.len());
    for slug in slugs {
        let slug = validate::slug(slug.trim())?;
        let id = find_system(conn, &slug)?;
        if !account_may_access(conn, owner, id)? {
            return Err(CoreError::Forbidden(format!(
                "you have no access to system {slug:?}, so a token of yours cannot have it"
            )));
        }
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

fn revoke_row(tx: &Transaction<'_>, token_id: i64, by: i64, now: Timestamp) -> Result<()> {
    tx.execute(
        "UPDATE tokens SET revoked_at = ?3, revoked_by = ?2 WHERE id = ?1",
        params![token_id, by, now],
    )?;
    Ok(())
}
