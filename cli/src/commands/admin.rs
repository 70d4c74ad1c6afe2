//! `reminders`, `audit`, `settings`, `clock` and `doctor`.
use latchkey_core::audit::{AuditFilter, to_csv, to_json};
use latchkey_core::clock::{parse_time, rfc3339};
use latchkey_core::settings::Settings;
use serde_json::json;

use crate::args::{ClockCommand, Reminders, SettingsCommand};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::output::{date, print_json, print_table};

pub fn reminders(context: &mut Context, command: Reminders) -> CliResult {
    let Reminders::Due = command;
    let mut authority = context.open()?;
    let actor = context.actor(&mut authority)?;
    let due = authority.reminders_due_for(actor)?;
    if context.global.json {
        let rows: Vec<_> = due
            .iter()
            .map(|r| json!({"token_id": r.token_id, "token_name": r.token_name, "owner": r.owner,
                            "expires_at": rfc3339(r.expires_at), "days_left": r.days_left, "threshold_days": r.threshold_days, "when": r.when}))
            .collect();
        print_json(&rows.into());
    } else if due.is_empty() {
        eprintln!("No reminders are due.");
    } else {
        let rows: Vec<Vec<String>> = due
            .iter()
            .map(|r| {
                vec![
                    r.token_id.clone(),
                    r.token_name.clone(),
                    r.owner.clone(),
                    date(r.expires_at),
                    r.when.clone(),
                ]
            })
            .collect();
        print_table(&["ID", "NAME", "OWNER", "EXPIRES", "REMINDER"], &rows);
    }
    Ok(())
}

fn time_arg(name: &str, value: Option<String>) -> CliResult<Option<i64>> {
    value
        .map(|text| {
            parse_time(&text).ok_or_else(|| {
                CliError::Usage(format!(
                    "--{name} takes a time like 2026-01-31 or 2026-01-31T12:00:00Z"
                ))
            })
        })
        .transpose()
}

pub fn audit(
    context: &mut Context,
    since: Option<String>,
    until: Option<String>,
    actor_filter: Option<String>,
    action: Option<String>,
    csv: bool,
) -> CliResult {
    let filter = AuditFilter {
        since: time_arg("since", since)?,
        until: time_arg("until", until)?,
        actor: actor_filter,
        action,
    };
    let mut authority = context.open()?;
    let actor = context.actor(&mut authority)?;
    let events = authority.audit_events(actor, &filter)?;
    if context.global.json {
        print_json(&to_json(&events));
    } else if csv {
        crate::output::emit(to_csv(&events).trim_end_matches('\n'));
    } else {
        let rows: Vec<Vec<String>> = events
            .iter()
            .map(|e| {
                vec![
                    date(e.at),
                    e.actor.clone(),
                    e.action.clone(),
                    e.target.clone(),
                    e.details.clone(),
                ]
            })
            .collect();
        print_table(&["TIME", "ACTOR", "ACTION", "TARGET", "DETAILS"], &rows);
    }
    Ok(())
}

pub fn settings(context: &mut Context, command: SettingsCommand) -> CliResult {
    let mut authority = context.open()?;
    let actor = context.actor(&mut authority)?;
    let current = match command {
        SettingsCommand::Show => {
            authority.whoami(actor)?;
            authority.settings()?
        }
        SettingsCommand::Set {
            reminder_schedule,
            max_lifetime_days,
            onboarder_gets_access,
        } => {
            let old = authority.settings()?;
            let new = Settings {
                reminder_schedule: reminder_schedule.unwrap_or(old.reminder_schedule),
                max_lifetime_days: max_lifetime_days.unwrap_or(old.max_lifetime_days),
                onboarder_gets_access: onboarder_gets_access.unwrap_or(old.onboarder_gets_access),
                idle_lock_minutes: old.idle_lock_minutes,
            };
            authority.update_settings(actor, &new)?
        }
    };
    if context.global.json {
        print_json(&serde_json::to_value(&current).unwrap_or_default());
    } else {
        let schedule: Vec<String> = current
            .reminder_schedule
            .iter()
            .map(i64::to_string)
            .collect();
        crate::output::emit(&format!(
            "reminder schedule (days before expiry): {}",
            schedule.join(", ")
        ));
        crate::output::emit(&format!(
            "maximum token lifetime (days): {}",
            current.max_lifetime_days
        ));
        crate::output::emit(&format!(
            "on-boarder gets access: {}",
            current.onboarder_gets_access
        ));
    }
    Ok(())
}

pub fn clock(context: &mut Context, command: ClockCommand) -> CliResult {
    let ClockCommand::Reset = command;
    let mut authority = context.open()?;
    let actor = context.actor(&mut authority)?;
    let reset = authority.reset_clock_watermark(actor)?;
    eprintln!("The store now trusts the system clock again");
    if reset.tokens_clamped + reset.accounts_clamped > 0 {
        eprintln!(
            "It had seen times up to {} s ahead; {} and {} stamped during that time were moved back to now, so nothing revoked, expired or locked then comes back",
            reset.from - reset.to,
            crate::output::count(reset.tokens_clamped, "token", "tokens"),
            crate::output::count(reset.accounts_clamped, "account", "accounts"),
        );
    }
    Ok(())
}

pub fn doctor(context: &mut Context) -> CliResult {
    let report =
        latchkey_core::doctor(&context.db_path()?, &context.key_source(), context.clock())?;
    if context.global.json {
        print_json(&serde_json::to_value(&report).unwrap_or_default());
    } else {
        crate::output::emit(&format!("integrity: {}", report.integrity));
        crate::output::emit(&format!(
            "foreign key problems: {}",
            report.foreign_key_problems
        ));
        crate::output::emit(&format!("schema version: {}", report.schema_version));
        crate::output::emit(&format!("key: {}", report.key));
    }
    if report.healthy() {
        Ok(())
    } else {
        Err(CliError::Usage(
            "the store needs attention: see the report above".into(),
        ))
    }
}
