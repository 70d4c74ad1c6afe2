//! Expiry reminders (SPEC §2 "Expiry reminders"): the schedule and which reminders are due (a
//! pure function), their delivery recorded once, the in-app Reminders list, and the notices the
//! desktop shows.
mod delivery;
pub mod inbox;
pub mod notices;
mod schedule;

pub use delivery::ReminderScope;
pub use schedule::{
    Delivered, DueReminder, EXPIRED_REMINDER_WINDOW, ReminderCandidate, days_left, due, when,
};
