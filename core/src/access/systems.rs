//! Systems: on-boarding (any active account; access only if the setting says so) and the list.
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;

use crate::Authority;
use crate::accounts::{Need, active_account};
use crate::audit::AuditAction;
use crate::error::{CoreError, Result};
use crate::model::{Actor, System};
use crate::{settings, validate};

const SYSTEM_ID: &str = "SELECT id FROM systems WHERE slug = ?1";
const INSERT_SYSTEM: &str = "
    INSERT INTO systems (slug, display_name, onboarded_by, onboarded_at) VALUES (?1, ?2, ?3, ?4)";
/// The system just inserted, granted to whoever on-boarded it.
const GRANT_ONBOARDER: &str =
    "INSERT INTO account_grants (account_id, system_id) VALUES (?1, last_insert_rowid())";
const SYSTEMS: &str = "
    SELECT s.slug, s.display_name, a.username, s.onboarded_at FROM systems s
    JOIN accounts a ON a.id = s.onboarded_by ORDER BY s.slug";

/// The id of the system with this slug, if there is one.
pub(crate) fn system_id(conn: &Connection, slug: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(SYSTEM_ID)?
        .query_row([slug], |r| r.get(0))
        .optional()?)
}

/// The id of a system named in a command, or a clear "no such system".
pub(crate) fn find_system(conn: &Connection, slug: &str) -> Result<i64> {
    system_id(conn, slug)?.ok_or_else(|| {
        CoreError::NotFound(format!("no system with slug {:?}", validate::shorten(slug)))
    })
}

impl Authority {
    /// Any active account may on-board a system; it gains access only if the setting says so.
    pub fn onboard_system(
        &mut self,
        actor: Actor,
        slug: &str,
        display_name: Option<&str>,
    ) -> Result<System> {
        let slug = validate::slug(slug)?;
        let display_name = match display_name {
            Some(name) => validate::display_name("the display name", name)?,
            None => slug.clone(),
        };
        self.change(actor, Need::Account, |c, me| {
            if system_id(c.tx, &slug)?.is_some() {
                return Err(CoreError::Conflict(format!(
                    "a system with slug {slug:?} already exists"
                )));
            }
            c.tx.execute(INSERT_SYSTEM, params![slug, display_name, me.id, c.now])?;
            let granted = settings::load(c.tx)?.onboarder_gets_access;
            if granted {
                c.tx.execute(GRANT_ONBOARDER, [me.id])?;
            }
            let details = json!({"display_name": display_name, "onboarder_granted": granted});
            c.record(AuditAction::SystemOnboarded, &slug, details)?;
            Ok(System {
                slug: slug.clone(),
                display_name: display_name.clone(),
                onboarded_by: me.username.clone(),
                onboarded_at: c.now,
            })
        })
    }

    /// Every system, for any active account.
    pub fn systems(&self, actor: Actor) -> Result<Vec<System>> {
        active_account(&self.conn, actor)?;
        let mut statement = self.conn.prepare_cached(SYSTEMS)?;
        let rows = statement.query_map([], |r| {
            Ok(System {
                slug: r.get(0)?,
                display_name: r.get(1)?,
                onboarded_by: r.get(2)?,
                onboarded_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
