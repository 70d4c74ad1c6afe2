//! Verification: checksum first (no store, no key), then one indexed look-up by digest, then
//! status, expiry, owner and access, in the order of SPEC §5.
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::format as token_format;
use crate::Authority;
use crate::access::{accessible_slugs, account_may_access, system_id};
use crate::accounts::load_account_by_id;
use crate::clock::{MINUTE, Timestamp};
use crate::error::Result;
pub use crate::model::DenyReason;
use crate::model::{Account, AccountStatus, Actor, TokenStatus};

/// What the token is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VerifyAction {
    /// Access the named system (or, with no system, just "is it valid?").
    #[default]
    Access,
    /// On-board a new system: any valid token of an active account may.
    Onboard,
}

/// What a verification asks.
#[derive(Debug, Clone, Default)]
pub struct VerifyRequest<'a> {
    /// The system the token must reach (none: just "is it valid?").
    pub system: Option<&'a str>,
    /// What the token is asked to do.
    pub action: VerifyAction,
    /// Also list the systems the token may access now (costs a query; for `--json`).
    pub list_systems: bool,
}

/// The systems a token may access now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum TokenSystems {
    /// An unnarrowed token whose owner reaches every system.
    #[serde(serialize_with = "serialize_all")]
    All,
    /// These systems, sorted.
    Listed(Vec<String>),
}

fn serialize_all<S: serde::Serializer>(serializer: S) -> std::result::Result<S::Ok, S::Error> {
    serializer.serialize_str("all")
}

/// The answer to a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Whether the token is valid and allowed.
    pub valid: bool,
    /// Why not, when it is not.
    pub reason: Option<DenyReason>,
    /// The token's public id, when it is one of ours.
    pub token_id: Option<String>,
    /// Its owner's username, when known.
    pub owner: Option<String>,
    /// When it expires, when known.
    pub expires_at: Option<Timestamp>,
    /// When it was issued, when known (for introspection's `iat`; not in the CLI's answer).
    #[serde(skip)]
    pub issued_at: Option<Timestamp>,
    /// What it may access now (listed only when asked).
    pub systems: TokenSystems,
    /// The account the token belongs to (for acting with a token); not part of the answer.
    #[serde(skip)]
    pub owner_actor: Option<Actor>,
}

impl Verification {
    fn denied(reason: DenyReason) -> Verification {
        Verification {
            valid: false,
            reason: Some(reason),
            token_id: None,
            owner: None,
            expires_at: None,
            issued_at: None,
            systems: TokenSystems::Listed(Vec::new()),
            owner_actor: None,
        }
    }
}

/// Checks the token's shape and checksum; a malformed token never reaches the store.
pub fn precheck(token: &str) -> Option<Verification> {
    (!token_format::is_well_formed(token)).then(|| Verification::denied(DenyReason::Malformed))
}

struct Found {
    id: i64,
    public_id: String,
    owner_id: i64,
    expires_at: Timestamp,
    created_at: Timestamp,
    revoked_at: Option<Timestamp>,
    last_used_at: Option<Timestamp>,
    narrowed: bool,
    predecessor: Option<i64>,
    owner: String,
    owner_status: String,
    watermark: Timestamp,
    rotated: bool,
}

/// The token with this digest, its owner's name and status, and the clock watermark: one
/// indexed look-up.
const FIND_BY_DIGEST: &str = "
    SELECT t.id, t.public_id, t.owner_id, t.expires_at, t.revoked_at, t.last_used_at,
    t.narrowed, t.predecessor_id, a.username, a.status, (SELECT max_seen FROM clock_watermark
    WHERE id = 1), t.created_at, t.rotated FROM tokens t JOIN accounts a ON a.id = t.owner_id
    WHERE t.digest = ?1";

/// Which denials a verification queues for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DenialAudit {
    /// Every denial, with the system asked for.
    Each,
    /// A flooding client's: ours without the system, unknown tokens not at all.
    Flood,
}

impl Authority {
    /// Verifies a token for a tool. Denials are audited; a valid use records last-used (at most
    /// once a minute per token) and ends a rotated predecessor's grace period.
    pub fn verify(&mut self, token: &str, request: &VerifyRequest<'_>) -> Result<Verification> {
        self.verify_and_audit(token, request, DenialAudit::Each)
    }

    /// [`verify`](Self::verify) for a client over its denial rate (a service's flood control):
    /// a denial of one of our tokens is still queued, without the system the client named (so
    /// each token's denials of one second stay one event whatever systems a flood names); a
    /// denial of an unknown token is not queued: the service counts those into one
    /// [`record_rate_limited`](Self::record_rate_limited) event a second.
    pub fn verify_in_flood(
        &mut self,
        token: &str,
        request: &VerifyRequest<'_>,
    ) -> Result<Verification> {
        self.verify_and_audit(token, request, DenialAudit::Flood)
    }

    /// Queues one event, stamped now, for the `denials` a service answered "too many requests"
    /// to `client` since it last recorded them (once a second); written with the next batch.
    pub fn record_rate_limited(&mut self, client: &str, denials: u64) -> Result<()> {
        let now = self.audit.seen(self.clock_now());
        self.audit.queue_rate_limited(now, client, denials);
        bookkeeping(self.flush_audit_if_due())
    }

    fn verify_and_audit(
        &mut self,
        token: &str,
        request: &VerifyRequest<'_>,
        audit: DenialAudit,
    ) -> Result<Verification> {
        // A restore may have moved another store in since this one was opened (a long-running
        // process): the store set aside would not see a revocation made since (one `stat`).
        self.conn.check_not_replaced()?;
        bookkeeping(self.flush_audit_if_due())?;
        if let Some(denied) = precheck(token) {
            return Ok(denied);
        }
        let token_digest = self.token_key.digest(token);
        let found = self
            .conn
            .prepare_cached(FIND_BY_DIGEST)?
            .query_row([token_digest.as_slice()], |r| {
                Ok(Found {
                    id: r.get(0)?,
                    public_id: r.get(1)?,
                    owner_id: r.get(2)?,
                    expires_at: r.get(3)?,
                    revoked_at: r.get(4)?,
                    last_used_at: r.get(5)?,
                    narrowed: r.get(6)?,
                    predecessor: r.get(7)?,
                    owner: r.get(8)?,
                    owner_status: r.get(9)?,
                    watermark: r.get(10)?,
                    created_at: r.get(11)?,
                    rotated: r.get(12)?,
                })
            })
            .optional()?;
        let Some(found) = found else {
            if audit == DenialAudit::Each {
                let now = self.clock_now();
                bookkeeping(self.record_denial(None, DenyReason::Unknown, request.system, now))?;
            }
            return Ok(Verification::denied(DenyReason::Unknown));
        };
        let now = self.audit.seen(self.clock_now().max(found.watermark));
        let mut answer = Verification {
            valid: false,
            reason: None,
            token_id: Some(found.public_id.clone()),
            owner: Some(found.owner.clone()),
            expires_at: Some(found.expires_at),
            issued_at: Some(found.created_at),
            systems: TokenSystems::Listed(Vec::new()),
            owner_actor: Some(Actor {
                account_id: found.owner_id,
            }),
        };
        let mut reason = match TokenStatus::at(now, found.expires_at, found.revoked_at) {
            TokenStatus::Revoked => Some(DenyReason::Revoked),
            TokenStatus::Expired => Some(DenyReason::Expired),
            TokenStatus::Active if found.owner_status != AccountStatus::Active.as_str() => {
                Some(DenyReason::OwnerDeactivated)
            }
            TokenStatus::Active => None,
        };
        // The owner's role and grants are needed only to check access or list systems, and only
        // for a token still in force; read once.
        let needs_owner = request.list_systems
            || (request.action == VerifyAction::Access && request.system.is_some());
        let owner = match needs_owner && reason.is_none() {
            true => Some(
                load_account_by_id(&self.conn, found.owner_id)?.ok_or(crate::CoreError::Corrupt)?,
            ),
            false => None,
        };
        if reason.is_none() {
            reason = self.access_denial(&found, owner.as_ref(), request)?;
        }
        if let Some(reason) = reason {
            let system = match audit {
                DenialAudit::Each => request.system,
                DenialAudit::Flood => None,
            };
            bookkeeping(self.record_denial(Some(&found.public_id), reason, system, now))?;
            answer.reason = Some(reason);
            return Ok(answer);
        }
        answer.valid = true;
        if let (true, Some(owner)) = (request.list_systems, &owner) {
            answer.systems = self.token_systems(&found, owner)?;
        }
        bookkeeping(self.record_use(&found, now))?;
        Ok(answer)
    }
}

/// What verification writes (last use, the audit of a denial) is bookkeeping: on a store that is
/// read-only (a read-only mount, say) or on a full disk the answer is still given, unrecorded.
/// The CLI applies the same rule to its explicit `flush_audit` before it exits.
pub fn bookkeeping(written: Result<()>) -> Result<()> {
    match written {
        Err(crate::CoreError::ReadOnly | crate::CoreError::DiskFull) => Ok(()),
        other => other,
    }
}

/// Whether a narrowed token lists the system.
const IN_NARROWING: &str = "
    SELECT EXISTS (SELECT 1 FROM token_systems WHERE token_id = ?1 AND system_id = ?2)";

const NARROWED_SLUGS: &str = "
    SELECT s.slug FROM token_systems ts JOIN systems s ON s.id = ts.system_id WHERE ts.token_id
    = ?1";

/// What a token reaches now: everything for an unnarrowed token of an owner with access to all
/// systems; otherwise its owner's systems, within its narrowing. (Verification and the leak
/// check both show it.)
pub(crate) fn reachable_systems(
    conn: &rusqlite::Connection,
    token_row_id: i64,
    narrowed: bool,
    owner: &Account,
) -> Result<TokenSystems> {
    if !narrowed && owner.reaches_all_systems() {
        return Ok(TokenSystems::All);
    }
    let mut slugs = accessible_slugs(conn, owner)?;
    if narrowed {
        let mut statement = conn.prepare_cached(NARROWED_SLUGS)?;
        let rows = statement.query_map([token_row_id], |r| r.get::<_, String>(0))?;
        let narrowing = rows.collect::<rusqlite::Result<Vec<String>>>()?;
        slugs.retain(|s| narrowing.contains(s));
    }
    Ok(TokenSystems::Listed(slugs))
}

const RECORD_USE: &str = "
    UPDATE tokens SET last_used_at = ?2, first_used_at = coalesce(first_used_at, ?2) WHERE id = ?1";

/// A successor's first use ends a predecessor's grace "until first use" at once, and shortens a
/// grace of days to one more quiet day (what still uses the old token has a day to show itself).
const END_GRACE: &str = "
    UPDATE tokens SET revoked_at = CASE WHEN grace_until IS NULL THEN ?2
                                        ELSE min(revoked_at, ?2 + 86400) END
    WHERE id = ?1 AND revoked_at > ?2";

/// A retiring token used after its successor's first use: something still holds the old secret.
/// Recorded (its owner is reminded), and the quiet day starts again, within the grace chosen.
const USED_AFTER_SUCCESSOR: &str = "
    UPDATE tokens SET used_after_successor_at = ?2,
                      revoked_at = min(coalesce(grace_until, revoked_at), ?2 + 86400)
    WHERE id = ?1 AND revoked_at > ?2 AND EXISTS (
        SELECT 1 FROM tokens n WHERE n.predecessor_id = ?1 AND n.first_used_at <= ?2)";

impl Authority {
    /// The account a token acts for, when the token is valid (used to on-board with a token).
    pub fn actor_from_token(&mut self, token: &str) -> Result<Actor> {
        let verification = self.verify(
            token,
            &VerifyRequest {
                action: VerifyAction::Onboard,
                ..VerifyRequest::default()
            },
        )?;
        match (
            verification.valid,
            verification.owner_actor,
            verification.reason,
        ) {
            (true, Some(actor), _) => Ok(actor),
            (_, _, reason) => Err(crate::CoreError::Forbidden(format!(
                "the token was refused ({})",
                reason.map_or("unknown", DenyReason::as_str)
            ))),
        }
    }

    fn access_denial(
        &self,
        found: &Found,
        owner: Option<&Account>,
        request: &VerifyRequest<'_>,
    ) -> Result<Option<DenyReason>> {
        let (VerifyAction::Access, Some(slug), Some(owner)) =
            (request.action, request.system, owner)
        else {
            return Ok(None);
        };
        let Some(system) = system_id(&self.conn, slug)? else {
            return Ok(Some(DenyReason::NoAccess));
        };
        let narrowed_ok = !found.narrowed
            || self
                .conn
                .prepare_cached(IN_NARROWING)?
                .query_row(params![found.id, system], |r| r.get::<_, bool>(0))?;
        let allowed = narrowed_ok && account_may_access(&self.conn, owner, system)?;
        Ok((!allowed).then_some(DenyReason::NoAccess))
    }

    fn token_systems(&self, found: &Found, owner: &Account) -> Result<TokenSystems> {
        reachable_systems(&self.conn, found.id, found.narrowed, owner)
    }

    /// Records last use at most once a minute; the first use of a successor ends its
    /// predecessor's grace period.
    fn record_use(&mut self, found: &Found, now: Timestamp) -> Result<()> {
        let due = found.last_used_at.is_none_or(|at| now - at >= MINUTE);
        if !due {
            return Ok(());
        }
        let first_use = found.last_used_at.is_none();
        self.write(|tx, now| {
            tx.prepare_cached(RECORD_USE)?
                .execute(params![found.id, now])?;
            if let (true, Some(predecessor)) = (first_use, found.predecessor) {
                tx.execute(END_GRACE, params![predecessor, now])?;
            }
            if found.rotated {
                tx.prepare_cached(USED_AFTER_SUCCESSOR)?
                    .execute(params![found.id, now])?;
            }
            Ok(())
        })
    }

    /// Queues the denial's audit event (`audit_batch.rs`): written with the next batch, not in a
    /// transaction of its own.
    fn record_denial(
        &mut self,
        token_id: Option<&str>,
        reason: DenyReason,
        system: Option<&str>,
        at: Timestamp,
    ) -> Result<()> {
        self.audit.queue_denial(at, token_id, reason, system);
        self.flush_audit_if_due()
    }
}
