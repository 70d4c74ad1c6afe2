//! What each list shows, as table cells and as `--json` objects (see `output::print_list`).
use latchkey_core::audit::{AuditEvent, to_json};
use latchkey_core::clock::rfc3339;
use latchkey_core::reminders::DueReminder;
use latchkey_core::{Account, Group, System, TokenInfo};
use serde_json::{Value, json};

use crate::output::{Row, date, optional_date, time};

/// `systems access`: an account that may access the system, and why.
pub struct Access {
    pub username: String,
    pub reason: String,
}

impl From<(String, String)> for Access {
    fn from((username, reason): (String, String)) -> Self {
        Access { username, reason }
    }
}

impl Row for TokenInfo {
    const HEADER: &'static [&'static str] = &[
        "ID",
        "NAME",
        "HINT",
        "OWNER",
        "STATUS",
        "CREATED",
        "EXPIRES",
        "LAST USED",
    ];
    const EMPTY: Option<&'static str> =
        Some("No tokens yet. Create one with `latchkey tokens create --name NAME`.");

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            self.hint.clone(),
            self.owner.clone(),
            self.status.as_str().into(),
            date(self.created_at),
            date(self.expires_at),
            optional_date(self.last_used_at),
        ]
    }

    /// `systems` is null when the token inherits its owner's access.
    fn json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "hint": self.hint,
            "owner": self.owner,
            "status": self.status.as_str(),
            "created_at": rfc3339(self.created_at),
            "expires_at": rfc3339(self.expires_at),
            "last_used_at": time(self.last_used_at),
            "revoked_at": time(self.revoked_at),
            "revoked_by": self.revoked_by,
            "systems": self.systems,
            "replaces": self.replaces,
        })
    }
}

impl Row for Account {
    const HEADER: &'static [&'static str] = &[
        "USERNAME",
        "NAME",
        "ROLE",
        "STATUS",
        "ACCESS",
        "LAST SIGN-IN",
    ];

    fn cells(&self) -> Vec<String> {
        let access = if self.access_all { "all systems" } else { "" };
        vec![
            self.username.clone(),
            self.display_name.clone(),
            self.role.as_str().into(),
            self.status.as_str().into(),
            access.into(),
            optional_date(self.last_signin_at),
        ]
    }

    fn json(&self) -> Value {
        json!({
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role.as_str(),
            "status": self.status.as_str(),
            "access_all": self.access_all,
            "created_at": rfc3339(self.created_at),
            "last_signin_at": time(self.last_signin_at),
        })
    }
}

impl Row for System {
    const HEADER: &'static [&'static str] = &["SLUG", "NAME", "ON-BOARDED BY", "ON-BOARDED AT"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.slug.clone(),
            self.display_name.clone(),
            self.onboarded_by.clone(),
            date(self.onboarded_at),
        ]
    }

    fn json(&self) -> Value {
        json!({
            "slug": self.slug,
            "display_name": self.display_name,
            "onboarded_by": self.onboarded_by,
            "onboarded_at": rfc3339(self.onboarded_at),
        })
    }
}

impl Row for Access {
    const HEADER: &'static [&'static str] = &["USERNAME", "WHY"];

    fn cells(&self) -> Vec<String> {
        vec![self.username.clone(), self.reason.clone()]
    }

    fn json(&self) -> Value {
        json!({"username": self.username, "reason": self.reason})
    }
}

impl Row for Group {
    const HEADER: &'static [&'static str] = &["GROUP", "MEMBERS", "SYSTEMS"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.members.join(","),
            self.systems.join(","),
        ]
    }

    fn json(&self) -> Value {
        json!({"name": self.name, "members": self.members, "systems": self.systems})
    }
}

impl Row for DueReminder {
    const HEADER: &'static [&'static str] = &["ID", "NAME", "OWNER", "EXPIRES", "REMINDER"];
    const EMPTY: Option<&'static str> = Some("No reminders are due.");

    fn cells(&self) -> Vec<String> {
        vec![
            self.token_id.clone(),
            self.token_name.clone(),
            self.owner.clone(),
            date(self.expires_at),
            self.when.clone(),
        ]
    }

    fn json(&self) -> Value {
        json!({
            "token_id": self.token_id,
            "token_name": self.token_name,
            "owner": self.owner,
            "expires_at": rfc3339(self.expires_at),
            "days_left": self.days_left,
            "threshold_days": self.threshold_days,
            "when": self.when,
        })
    }
}

impl Row for AuditEvent {
    const HEADER: &'static [&'static str] = &["ID", "TIME", "ACTOR", "ACTION", "TARGET", "DETAILS"];

    fn cells(&self) -> Vec<String> {
        let action = match self.count {
            1 => self.action.clone(),
            n => format!("{} (×{n})", self.action),
        };
        vec![
            self.id.to_string(),
            date(self.at),
            self.actor.clone(),
            action,
            self.target.clone(),
            self.details.clone(),
        ]
    }

    /// Core's export shape (the app exports the same), taken as a one-event export.
    fn json(&self) -> Value {
        match to_json(std::slice::from_ref(self)) {
            Value::Array(mut events) => events.pop().unwrap_or_default(),
            other => other,
        }
    }
}
