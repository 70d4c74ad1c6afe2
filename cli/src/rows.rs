//! What each list shows, as table cells and as `--json` objects (see `output::print_list`).
use latchkey_core::audit::{AuditEvent, to_json};
use latchkey_core::clock::rfc3339;
use latchkey_core::reminders::{DueReminder, ReminderKind};
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
        "USED IN",
    ];
    const EMPTY: Option<&'static str> =
        Some("No tokens yet. Create one with `latchkey tokens create --name NAME`.");

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            self.hint.clone(),
            self.owner.clone(),
            token_status(self),
            date(self.created_at),
            date(self.expires_at),
            optional_date(self.last_used_at),
            self.usage_note.clone().unwrap_or_default(),
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
            "usage_note": self.usage_note,
            "stale": self.stale,
            "created_by": self.created_by,
            "first_used_at": time(self.first_used_at),
            "replaced_by": self.replaced_by,
            "successor_first_used_at": time(self.successor_first_used_at),
            "used_after_successor_at": time(self.used_after_successor_at),
            "retiring": self.is_retiring(),
        })
    }
}

/// The status column: "active", "expired", "revoked", or an active token's news: "active
/// (stale)", "active (retiring 2026-…)" with ", used after its successor" when something still
/// uses the old secret.
pub fn token_status(token: &TokenInfo) -> String {
    let status = token.status.as_str();
    match (token.is_retiring(), token.revoked_at) {
        (true, Some(at)) => {
            let still = match token.used_after_successor_at {
                Some(_) => ", used after its successor",
                None => "",
            };
            format!("{status} (retiring {}{still})", date(at))
        }
        _ if token.stale => format!("{status} (stale)"),
        _ => status.into(),
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
        "KIND",
        "MANAGED BY",
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
            self.kind.as_str().into(),
            self.managed_by.clone().unwrap_or_default(),
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
            "kind": self.kind.as_str(),
            "managed_by": self.managed_by,
        })
    }
}

/// `users managed`: a service account whose tokens the acting account manages.
pub struct Managed(pub Account);

impl Row for Managed {
    const HEADER: &'static [&'static str] = &["USERNAME", "NAME", "STATUS", "MANAGED BY"];
    const EMPTY: Option<&'static str> = Some(
        "You manage no service account: an administrator creates one with `latchkey users add \
         NAME --service --managed-by GROUP`, and its group's members manage its tokens.",
    );

    fn cells(&self) -> Vec<String> {
        let account = &self.0;
        vec![
            account.username.clone(),
            account.display_name.clone(),
            account.status.as_str().into(),
            account.managed_by.clone().unwrap_or_default(),
        ]
    }

    fn json(&self) -> Value {
        self.0.json()
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
    const HEADER: &'static [&'static str] = &[
        "ID",
        "NAME",
        "OWNER",
        "EXPIRES",
        "REMINDER",
        "KIND",
        "WHAT TO DO",
    ];
    const EMPTY: Option<&'static str> = Some("No reminders are due.");

    fn cells(&self) -> Vec<String> {
        let kind = match self.kind {
            ReminderKind::Expiry => "expiry",
            ReminderKind::Stale => "stale",
            ReminderKind::StillUsed => "still used",
        };
        let mut advice = Vec::new();
        match (&self.usage_note, self.kind) {
            (Some(note), ReminderKind::Stale) => advice.push(format!(
                "revoke it if nothing needs it any more (used in: {note})"
            )),
            (None, ReminderKind::Stale) => {
                advice.push("revoke it if nothing needs it any more".into())
            }
            (Some(note), _) => advice.push(format!("update it where it is used: {note}")),
            (None, _) => {}
        }
        if !self.expiring_together.is_empty() {
            advice.push(format!(
                "renew with {} (expiring the same day)",
                self.expiring_together.join(", ")
            ));
        }
        if let Some(group) = &self.managed_by {
            advice.push(format!("service account managed by {group}"));
        }
        vec![
            self.token_id.clone(),
            self.token_name.clone(),
            self.owner.clone(),
            date(self.expires_at),
            self.when.clone(),
            kind.into(),
            advice.join("; "),
        ]
    }

    /// `threshold_days` is null for the reminders that are not about expiry.
    fn json(&self) -> Value {
        let threshold = (self.kind == ReminderKind::Expiry).then_some(self.threshold_days);
        json!({
            "token_id": self.token_id,
            "token_name": self.token_name,
            "owner": self.owner,
            "expires_at": rfc3339(self.expires_at),
            "days_left": self.days_left,
            "threshold_days": threshold,
            "when": self.when,
            "kind": self.kind,
            "usage_note": self.usage_note,
            "managed_by": self.managed_by,
            "expiring_together": self.expiring_together,
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
