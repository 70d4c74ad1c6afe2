//! Reminders (SPEC §2 "Expiry reminders"; stale and still-used tokens): the schedule and which
//! reminders are due (a pure function), their delivery recorded once, the in-app Reminders list,
//! and the notices the desktop shows.
mod delivery;
pub mod inbox;
pub mod notices;
mod schedule;
mod usage;

pub use delivery::ReminderScope;
pub use schedule::{
    Delivered, DueReminder, EXPIRED_REMINDER_WINDOW, Expiring, ReminderCandidate, ReminderKind,
    STALE_MARK, STILL_USED_MARK, days_left, due, expiry_groups, when,
};
