//! `reminders`, `audit`, `settings`, `clock` and `doctor`.
use latchkey_core::audit::{AuditFilter, to_csv};
use latchkey_core::clock::parse_time;
use latchkey_core::settings::Settings;

use crate::args::{AuditQuery, ClockCommand, Reminders, SettingsCommand};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::output::{print_json, print_list};

pub fn reminders(context: &mut Context, command: Reminders) -> CliResult {
    let Reminders::Due = command;
    let (authority, actor) = context.signed_in()?;
    let due = authority.reminders_due_for(actor)?;
    print_list(context.global.json, &due);
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

/// Events per page when only `--before` is given.
const DEFAULT_PAGE: usize = 200;

pub fn audit(context: &mut Context, query: AuditQuery) -> CliResult {
    let filter = AuditFilter {
        since: time_arg("since", query.since)?,
        until: time_arg("until", query.until)?,
        actor: query.actor,
        action: query.action,
    };
    let (authority, actor) = context.signed_in()?;
    let events = if query.limit.is_some() || query.before.is_some() {
        let limit = query.limit.map_or(DEFAULT_PAGE, |n| n as usize);
        let page = authority.audit_page(actor, &filter, query.before, limit)?;
        if let Some(older) = page.older {
            eprintln!("older events: latchkey audit --before {older} --limit {limit}");
        }
        page.events
    } else {
        authority.audit_events(actor, &filter)?
    };
    if query.csv && !context.global.json {
        crate::output::emit(to_csv(&events).trim_end_matches('\n'));
    } else {
        print_list(context.global.json, &events);
    }
    Ok(())
}

/// `latchkey audit verify`: the whole hash chain, with the store and its key (no account).
pub fn audit_verify(context: &mut Context) -> CliResult {
    let authority = context.open()?;
    let report = authority.verify_audit_chain()?;
    if context.global.json {
        print_json(&serde_json::to_value(&report).unwrap_or_default());
    } else if report.intact() {
        crate::output::emit(&report.summary());
        if report.chained_at_upgrade > 0 {
            eprintln!(
                "the first {} events were chained when the store was upgraded; changes made to \
                 them before that cannot be detected",
                report.chained_at_upgrade
            );
        }
    }
    match report.problem {
        None => Ok(()),
        Some(_) => Err(CliError::Denied(report.summary())),
    }
}

pub fn settings(context: &mut Context, command: SettingsCommand) -> CliResult {
    let (mut authority, actor) = context.signed_in()?;
    let current = match command {
        SettingsCommand::Show => {
            authority.whoami(actor)?;
            authority.settings()?
        }
        SettingsCommand::Set {
            reminder_schedule,
            max_lifetime_days,
            onboarder_gets_access,
            idle_lock_minutes,
            stale_after_days,
            auto_revoke_unused_days,
        } => {
            let old = authority.settings()?;
            let new = Settings {
                reminder_schedule: reminder_schedule.unwrap_or(old.reminder_schedule),
                max_lifetime_days: max_lifetime_days.unwrap_or(old.max_lifetime_days),
                onboarder_gets_access: onboarder_gets_access.unwrap_or(old.onboarder_gets_access),
                idle_lock_minutes: idle_lock_minutes.unwrap_or(old.idle_lock_minutes),
                stale_after_days: stale_after_days.unwrap_or(old.stale_after_days),
                auto_revoke_unused_days: auto_revoke_unused_days
                    .map_or(old.auto_revoke_unused_days, |days| days.0),
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
        crate::output::emit(&format!(
            "the app locks after (minutes without input): {}",
            current.idle_lock_minutes
        ));
        crate::output::emit(&format!(
            "tokens are stale after (days unused): {}",
            current.stale_after_days
        ));
        crate::output::emit(&format!(
            "unused tokens are revoked automatically after (days): {}",
            current
                .auto_revoke_unused_days
                .map_or_else(|| "off".to_string(), |days| days.to_string())
        ));
    }
    Ok(())
}

pub fn clock(context: &mut Context, command: ClockCommand) -> CliResult {
    let ClockCommand::Reset = command;
    let (mut authority, actor) = context.signed_in()?;
    let reset = authority.reset_clock_watermark(actor)?;
    eprintln!("The store now trusts the system clock again");
    if reset.tokens_clamped + reset.accounts_clamped > 0 {
        eprintln!(
            "It had seen times up to {} s ahead; {} and {} stamped during that time were moved \
             back to now, so nothing revoked, expired or locked then comes back",
            reset.from - reset.to,
            crate::output::count(reset.tokens_clamped, "token", "tokens"),
            crate::output::count(reset.accounts_clamped, "account", "accounts"),
        );
    }
    Ok(())
}

pub fn doctor(context: &mut Context) -> CliResult {
    let location = context.location()?;
    let report = latchkey_core::doctor(&location.path, &location.key, context.clock())?;
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
        crate::output::emit(&format!("audit chain: {}", report.audit_chain));
    }
    if report.healthy() {
        Ok(())
    } else {
        Err(CliError::Usage(
            "the store needs attention: see the report above".into(),
        ))
    }
}
