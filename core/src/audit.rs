//! The append-only audit log: who did what to what, when. Never a secret.
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::authority::Authority;
use crate::clock::{Timestamp, rfc3339};
use crate::error::Result;
use crate::model::Actor;

/// The name recorded when the installation itself acts (reminders, verification by a tool).
pub const SYSTEM_ACTOR: &str = "latchkey";

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
}

/// Filters for reading the log; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub actor: Option<String>,
    pub action: Option<String>,
}

pub(crate) fn record(
    conn: &Connection,
    at: Timestamp,
    actor: &str,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> Result<()> {
    let details = if details.is_null() {
        String::new()
    } else {
        details.to_string()
    };
    conn.prepare_cached(
        "INSERT INTO audit_events (at, actor, action, target, details) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![at, actor, action, target, details])?;
    Ok(())
}

impl Authority {
    /// The audit log, oldest first (administrators only).
    pub fn audit_events(&self, actor: Actor, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        self.require_admin(actor)?;
        let mut statement = self.conn.prepare_cached(
            "SELECT id, at, actor, action, target, details FROM audit_events
             WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR at <= ?2)
               AND (?3 IS NULL OR actor = ?3) AND (?4 IS NULL OR action = ?4 OR action LIKE ?4 || '.%')
             ORDER BY id",
        )?;
        let rows = statement.query_map(
            params![filter.since, filter.until, filter.actor, filter.action],
            |row| {
                Ok(AuditEvent {
                    id: row.get(0)?,
                    at: row.get(1)?,
                    actor: row.get(2)?,
                    action: row.get(3)?,
                    target: row.get(4)?,
                    details: row.get(5)?,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

/// CSV with a header row; fields that a spreadsheet would run as a formula are defused.
pub fn to_csv(events: &[AuditEvent]) -> String {
    let mut out = String::from("id,time,actor,action,target,details\n");
    for event in events {
        let fields = [
            event.id.to_string(),
            rfc3339(event.at),
            event.actor.clone(),
            event.action.clone(),
            event.target.clone(),
            event.details.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

fn csv_field(value: &str) -> String {
    let defused = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// JSON: an array of events with RFC 3339 times.
pub fn to_json(events: &[AuditEvent]) -> serde_json::Value {
    events
        .iter()
        .map(|e| {
            serde_json::json!({
                "id": e.id, "time": rfc3339(e.at), "actor": e.actor, "action": e.action,
                "target": e.target, "details": e.details,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let event = AuditEvent {
            id: 1,
            at: 0,
            actor: "=cmd|' /C calc'!A0".into(),
            action: "token.created".into(),
            target: "a,b".into(),
            details: "say \"hi\"".into(),
        };
        let csv = to_csv(&[event]);
        let line = csv.lines().nth(1).unwrap();
        assert_eq!(
            line,
            "1,1970-01-01T00:00:00Z,'=cmd|' /C calc'!A0,token.created,\"a,b\",\"say \"\"hi\"\"\""
        );
    }
}
