//! Creating a token: the name checked, the secret generated and shown once, the lifetime capped,
//! the narrowing checked; and the one rule for who may obtain a working secret.
use rusqlite::{Connection, params};
use serde_json::json;

use super::format;
use super::rows::new_public_id;
use crate::Authority;
use crate::access::{account_may_access, find_system, manages};
use crate::accounts::{Need, load_account_by_name};
use crate::audit::AuditAction;
use crate::clock::{DAY, Timestamp};
use crate::error::{CoreError, Result};
use crate::keys::Secret;
use crate::model::{Account, Actor, TokenInfo};
use crate::{settings, validate};

const INSERT_TOKEN: &str = "
    INSERT INTO tokens (public_id, digest, owner_id, name, hint, narrowed, created_at, expires_at,
                        predecessor_id, usage_note, created_by)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
const INSERT_TOKEN_SYSTEM: &str = "INSERT INTO token_systems (token_id, system_id) VALUES (?1, ?2)";

/// The answer to a create or rotate: the only value that carries a token's secret out of core.
/// It has no serialisation; each door writes the secret into its one create/rotate response.
#[derive(Debug)]
pub struct IssuedToken {
    /// The secret, shown once.
    pub secret: Secret,
    /// The token as lists show it.
    pub token: TokenInfo,
}

/// What creating a token asks for.
#[derive(Debug, Clone, Default)]
pub struct NewToken {
    /// Its name: free text, 1–100 characters after trimming.
    pub name: String,
    /// Days until expiry; the default and the maximum is the organisation's maximum lifetime.
    pub expires_in_days: Option<i64>,
    /// Narrow the token to these systems (each must be accessible to the owner).
    pub systems: Option<Vec<String>>,
    /// Where it will be used (shown in lists, reminders and leak findings).
    pub usage_note: Option<String>,
    /// A service account the acting account manages, to own the token; none: the acting
    /// account itself. The secret is revealed to the acting account only.
    pub owner: Option<String>,
}

/// A new secret and what the store keeps of it: its keyed digest and its hint.
pub(super) struct NewSecret {
    pub(super) secret: Secret,
    digest: [u8; 32],
    hint: String,
}

impl Authority {
    /// A fresh secret, its digest taken under the token sub-key before any transaction starts.
    pub(super) fn new_secret(&self) -> Result<NewSecret> {
        let secret = format::generate()?;
        Ok(NewSecret {
            digest: self.token_key.digest(secret.expose()),
            hint: format::hint(secret.expose()),
            secret,
        })
    }
}

/// A token row about to be written.
pub(super) struct TokenInsert<'a> {
    pub(super) owner: &'a Account,
    /// Who receives the secret in the answer; see `ensure_secret_reaches_only_its_owner`.
    pub(super) recipient: &'a Account,
    pub(super) name: &'a str,
    pub(super) now: Timestamp,
    pub(super) expires_at: Timestamp,
    pub(super) systems: Option<&'a [i64]>,
    pub(super) predecessor: Option<i64>,
    pub(super) usage_note: Option<&'a str>,
}

/// The one rule for who may obtain a working secret: the token's owner, nobody else —
/// administrators included (they revoke, never rotate, someone else's token) — except that a
/// service account, which never signs in, has its secrets revealed to the member of its managing
/// group who asked. Every path that issues a secret (create, rotate, anything later) goes through
/// `insert_token`, which applies it.
fn ensure_secret_reaches_only_its_owner(
    tx: &Connection,
    recipient: &Account,
    owner: &Account,
) -> Result<()> {
    if recipient.id == owner.id || manages(tx, recipient, owner)? {
        return Ok(());
    }
    if owner.is_service() {
        return Err(CoreError::Forbidden(format!(
            "{} is a service account managed by the group {}; only its members can obtain a \
             secret for it",
            owner.username,
            owner.managed_by.as_deref().unwrap_or("(none)")
        )));
    }
    Err(CoreError::Forbidden(format!(
        "a token's secret only ever reaches its owner, so only {} can rotate this token; \
         an administrator can revoke it instead",
        owner.username
    )))
}

/// Inserts a token row and its systems; returns its public id.
pub(super) fn insert_token(
    tx: &Connection,
    secret: &NewSecret,
    row: &TokenInsert<'_>,
) -> Result<String> {
    ensure_secret_reaches_only_its_owner(tx, row.recipient, row.owner)?;
    let created_by = (row.recipient.id != row.owner.id).then_some(row.recipient.id);
    let public_id = new_public_id()?;
    tx.prepare_cached(INSERT_TOKEN)?.execute(params![
        public_id,
        secret.digest.as_slice(),
        row.owner.id,
        row.name,
        secret.hint,
        row.systems.is_some(),
        row.now,
        row.expires_at,
        row.predecessor,
        row.usage_note,
        created_by,
    ])?;
    let id = tx.last_insert_rowid();
    for system in row.systems.unwrap_or_default() {
        tx.prepare_cached(INSERT_TOKEN_SYSTEM)?
            .execute(params![id, system])?;
    }
    Ok(public_id)
}

impl Authority {
    /// Creates a token for the acting account. The secret is in the answer and nowhere else.
    pub fn create_token(&mut self, actor: Actor, request: &NewToken) -> Result<IssuedToken> {
        let name = validate::token_name(&request.name)?;
        let usage_note = match &request.usage_note {
            Some(note) => validate::usage_note(note)?,
            None => None,
        };
        if let Some(days) = request.expires_in_days.filter(|&days| days < 1) {
            return Err(CoreError::Invalid(format!(
                "the expiry must be at least 1 day (got {days})"
            )));
        }
        let secret = self.new_secret()?;
        let public_id = self.change(actor, Need::Account, |c, me| {
            let max_days = settings::load(c.tx)?.max_lifetime_days;
            let days = request.expires_in_days.unwrap_or(max_days);
            if days > max_days {
                return Err(CoreError::Invalid(format!(
                    "the expiry must be at most {max_days} days \
                     (the organisation's maximum token lifetime)"
                )));
            }
            let owner = match &request.owner {
                Some(name) => owner_for_new_token(c.tx, me, name)?,
                None => me.clone(),
            };
            let systems = match &request.systems {
                Some(slugs) => Some(narrowing(c.tx, &owner, owner.id == me.id, slugs)?),
                None => None,
            };
            let row = TokenInsert {
                owner: &owner,
                name: &name,
                now: c.now,
                expires_at: c.now + days * DAY,
                systems: systems.as_deref(),
                predecessor: None,
                recipient: me,
                usage_note: usage_note.as_deref(),
            };
            let public_id = insert_token(c.tx, &secret, &row)?;
            let mut details = json!({
                "name": name, "owner": owner.username, "expires_in_days": days,
                "systems": request.systems,
            });
            if let Some(note) = &usage_note {
                details["usage_note"] = json!(note);
            }
            c.record(AuditAction::TokenCreated, &public_id, details)?;
            Ok(public_id)
        })?;
        Ok(IssuedToken {
            secret: secret.secret,
            token: self.token_info(&public_id)?,
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
        let secrets = (0..count)
            .map(|_| self.new_secret())
            .collect::<Result<Vec<_>>>()?;
        self.change(actor, Need::Account, |c, me| {
            for (i, secret) in secrets.iter().enumerate() {
                let name = format!("seeded {i}");
                let row = TokenInsert {
                    owner: me,
                    name: &name,
                    now: c.now,
                    expires_at: c.now + 365 * DAY,
                    systems: None,
                    predecessor: None,
                    recipient: me,
                    usage_note: None,
                };
                insert_token(c.tx, secret, &row)?;
            }
            Ok(())
        })?;
        Ok(secrets.into_iter().map(|s| s.secret).collect())
    }
}

/// The account a new token is made for when the request names one: the acting account itself,
/// or an active service account it manages.
fn owner_for_new_token(tx: &Connection, me: &Account, name: &str) -> Result<Account> {
    // One answer for "no such account" and "not one you manage": names are not probed here.
    let refused = || {
        CoreError::Forbidden(
            "you can create tokens only for yourself and for service accounts managed by a group \
             you belong to"
                .into(),
        )
    };
    let Some(owner) = load_account_by_name(tx, name)? else {
        return Err(refused());
    };
    if owner.id == me.id {
        return Ok(owner);
    }
    if !manages(tx, me, &owner)? {
        return Err(refused());
    }
    if !owner.is_active() {
        return Err(CoreError::Conflict(format!(
            "service account {} is deactivated; an administrator can reactivate it",
            owner.username
        )));
    }
    Ok(owner)
}

/// Narrowing: every listed system must exist and be accessible to the owner now.
fn narrowing(conn: &Connection, owner: &Account, own: bool, slugs: &[String]) -> Result<Vec<i64>> {
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
            return Err(CoreError::Forbidden(match own {
                true => format!(
                    "you have no access to system {slug:?}, so a token of yours cannot have it"
                ),
                false => format!(
                    "{} has no access to system {slug:?}, so a token of theirs cannot have it",
                    owner.username
                ),
            }));
        }
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}
