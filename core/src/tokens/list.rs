//! Listing tokens: one's own, or (administrators) all or one account's, newest first. Deleted
//! tokens are gone from lists; their audit history stays.
use super::rows::{TOKEN_COLUMNS, TOKEN_TABLES, listed, token_from_row};
use crate::Authority;
use crate::access::manages;
use crate::accounts::{active_account, find_account};
use crate::error::{CoreError, Result};
use crate::model::{Actor, TokenInfo, TokenScope};

impl Authority {
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
        let me = active_account(&self.conn, actor)?;
        let owner = match scope {
            TokenScope::Mine => Some(me.id),
            TokenScope::All if me.is_admin() => None,
            TokenScope::Owner(name) => {
                let owner = find_account(&self.conn, name);
                match owner {
                    Ok(owner)
                        if me.is_admin()
                            || owner.id == me.id
                            || manages(&self.conn, &me, &owner)? =>
                    {
                        Some(owner.id)
                    }
                    Err(error) if me.is_admin() => return Err(error),
                    // Whether the name exists is not told to someone who may not list it.
                    _ => return Err(not_yours()),
                }
            }
            TokenScope::All => return Err(not_yours()),
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
        let stale_after = crate::settings::load(&self.conn)?.stale_after_days;
        let mut tokens = Vec::new();
        while let Some(row) = rows.next()? {
            tokens.push(listed(
                &self.conn,
                token_from_row(row, now)?,
                now,
                stale_after,
            )?);
        }
        Ok(tokens)
    }

    /// The active tokens in `scope` unused for longer than the stale setting (never used ones
    /// count from their creation), longest quiet first.
    pub fn stale_tokens(&self, actor: Actor, scope: &TokenScope) -> Result<Vec<TokenInfo>> {
        Ok(longest_quiet_first(self.list_tokens(actor, scope)?.iter()))
    }
}

/// The stale ones among `tokens`, the longest quiet first.
pub(super) fn longest_quiet_first<'a>(
    tokens: impl Iterator<Item = &'a TokenInfo>,
) -> Vec<TokenInfo> {
    let mut stale: Vec<TokenInfo> = tokens.filter(|t| t.stale).cloned().collect();
    stale.sort_by_key(|t| t.last_used_at.unwrap_or(t.created_at));
    stale
}

fn not_yours() -> CoreError {
    CoreError::Forbidden(
        "only an administrator may list other accounts' tokens (members of a service \
         account's managing group may list its tokens)"
            .into(),
    )
}
