//! Organisation-wide settings, kept in the store, with their defaults.
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::Authority;
use crate::accounts::Need;
use crate::audit::AuditAction;
use crate::error::{CoreError, Result};
use crate::model::Actor;

/// Days before expiry at which reminders are due, by default.
pub const DEFAULT_REMINDER_SCHEDULE: [i64; 6] = [30, 14, 7, 3, 1, 0];
/// The longest lifetime a token may have, in days.
pub const MAX_LIFETIME_DAYS: i64 = 365;
/// How long a signed-in app window may go without input before it locks, by default and at most.
pub const DEFAULT_IDLE_LOCK_MINUTES: i64 = 15;
/// Days without a use after which an active token is listed as stale, by default.
pub const DEFAULT_STALE_AFTER_DAYS: i64 = 90;
/// The stale period's allowed range, in days.
pub const STALE_AFTER_DAYS: std::ops::RangeInclusive<i64> = 7..=730;
/// The automatic revocation's allowed range, in days (it must also exceed the stale period).
pub const AUTO_REVOKE_UNUSED_DAYS: std::ops::RangeInclusive<i64> = 8..=1095;
/// The idle lock's allowed range, in minutes.
pub const IDLE_LOCK_MINUTES: std::ops::RangeInclusive<i64> = 1..=60;

const READ: &str = "SELECT value FROM settings WHERE key = ?1";
const SAVE: &str = "
    INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2";

/// Organisation-wide settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Days before expiry at which reminders are due, largest first; 0 = the day it expires.
    pub reminder_schedule: Vec<i64>,
    /// The longest lifetime a new token may have, in days (at most 365).
    pub max_lifetime_days: i64,
    /// Whether whoever on-boards a system is granted access to it.
    pub onboarder_gets_access: bool,
    /// Minutes without input after which a signed-in app window locks (1–60).
    pub idle_lock_minutes: i64,
    /// Days without a use after which an active token is stale (listed, one reminder).
    pub stale_after_days: i64,
    /// Days without a use after which an active token is revoked automatically (audited);
    /// `None`, the default, never.
    pub auto_revoke_unused_days: Option<i64>,
}

fn read(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(READ)?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

/// Sets one setting (inside the caller's transaction).
pub(crate) fn save(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(SAVE)?.execute(params![key, value])?;
    Ok(())
}

pub(crate) fn load(conn: &Connection) -> Result<Settings> {
    let reminder_schedule = match read(conn, "reminder_schedule")? {
        Some(text) => serde_json::from_str(&text).map_err(|_| CoreError::Corrupt)?,
        None => DEFAULT_REMINDER_SCHEDULE.to_vec(),
    };
    let max_lifetime_days = match read(conn, "max_lifetime_days")? {
        Some(text) => text.parse().map_err(|_| CoreError::Corrupt)?,
        None => MAX_LIFETIME_DAYS,
    };
    let onboarder_gets_access = read(conn, "onboarder_gets_access")?.as_deref() == Some("true");
    let idle_lock_minutes = match read(conn, "idle_lock_minutes")? {
        Some(text) => text.parse().map_err(|_| CoreError::Corrupt)?,
        None => DEFAULT_IDLE_LOCK_MINUTES,
    };
    let stale_after_days = match read(conn, "stale_after_days")? {
        Some(text) => text.parse().map_err(|_| CoreError::Corrupt)?,
        None => DEFAULT_STALE_AFTER_DAYS,
    };
    let auto_revoke_unused_days = match read(conn, "auto_revoke_unused_days")?.as_deref() {
        None | Some("off") => None,
        Some(text) => Some(text.parse().map_err(|_| CoreError::Corrupt)?),
    };
    Ok(Settings {
        reminder_schedule,
        max_lifetime_days,
        onboarder_gets_access,
        idle_lock_minutes,
        stale_after_days,
        auto_revoke_unused_days,
    })
}

/// A schedule: 1–10 distinct whole days between 0 and 365, kept largest first.
pub fn parse_schedule(days: &[i64]) -> Result<Vec<i64>> {
    let mut sorted = days.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.dedup();
    if sorted.is_empty() || sorted.len() > 10 || sorted.iter().any(|d| !(0..=365).contains(d)) {
        return Err(CoreError::Invalid(
            "the reminder schedule must list 1 to 10 whole days between 0 and 365".into(),
        ));
    }
    Ok(sorted)
}

/// The stale period is 7–730 days; automatic revocation, when on, comes after it.
fn check_stale_rules(new: &Settings) -> Result<()> {
    if !STALE_AFTER_DAYS.contains(&new.stale_after_days) {
        return Err(CoreError::Invalid(format!(
            "the stale period must be between {} and {} days",
            STALE_AFTER_DAYS.start(),
            STALE_AFTER_DAYS.end()
        )));
    }
    if let Some(days) = new.auto_revoke_unused_days
        && (!AUTO_REVOKE_UNUSED_DAYS.contains(&days) || days <= new.stale_after_days)
    {
        return Err(CoreError::Invalid(format!(
            "automatic revocation must come after the stale period ({} days) and be at most {} \
             days",
            new.stale_after_days,
            AUTO_REVOKE_UNUSED_DAYS.end()
        )));
    }
    Ok(())
}

impl Authority {
    /// The settings in force.
    pub fn settings(&self) -> Result<Settings> {
        load(&self.conn)
    }

    /// Changes settings (administrators only); unchanged values record no event.
    pub fn update_settings(&mut self, actor: Actor, new: &Settings) -> Result<Settings> {
        let schedule = parse_schedule(&new.reminder_schedule)?;
        if !(1..=MAX_LIFETIME_DAYS).contains(&new.max_lifetime_days) {
            return Err(CoreError::Invalid(format!(
                "the maximum token lifetime must be between 1 and {MAX_LIFETIME_DAYS} days"
            )));
        }
        if !IDLE_LOCK_MINUTES.contains(&new.idle_lock_minutes) {
            return Err(CoreError::Invalid(format!(
                "the idle lock must be between {} and {} minutes",
                IDLE_LOCK_MINUTES.start(),
                IDLE_LOCK_MINUTES.end()
            )));
        }
        check_stale_rules(new)?;
        self.change(actor, Need::Admin, |c, _| {
            let old = load(c.tx)?;
            let updated = Settings {
                reminder_schedule: schedule,
                max_lifetime_days: new.max_lifetime_days,
                onboarder_gets_access: new.onboarder_gets_access,
                idle_lock_minutes: new.idle_lock_minutes,
                stale_after_days: new.stale_after_days,
                auto_revoke_unused_days: new.auto_revoke_unused_days,
            };
            if old != updated {
                let schedule = serde_json::to_string(&updated.reminder_schedule);
                save(c.tx, "reminder_schedule", &schedule.unwrap_or_default())?;
                let max_lifetime_days = updated.max_lifetime_days.to_string();
                save(c.tx, "max_lifetime_days", &max_lifetime_days)?;
                let onboarder = if updated.onboarder_gets_access {
                    "true"
                } else {
                    "false"
                };
                save(c.tx, "onboarder_gets_access", onboarder)?;
                let idle_lock_minutes = updated.idle_lock_minutes.to_string();
                save(c.tx, "idle_lock_minutes", &idle_lock_minutes)?;
                save(
                    c.tx,
                    "stale_after_days",
                    &updated.stale_after_days.to_string(),
                )?;
                let auto_revoke = updated
                    .auto_revoke_unused_days
                    .map_or_else(|| "off".to_string(), |days| days.to_string());
                save(c.tx, "auto_revoke_unused_days", &auto_revoke)?;
                let details = serde_json::to_value(&updated).unwrap_or_default();
                c.record(AuditAction::SettingsChanged, "settings", details)?;
            }
            Ok(updated)
        })
    }
}
