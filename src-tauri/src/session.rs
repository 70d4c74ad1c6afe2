//! The app's session rules, apart from Tauri and the store: when a signed-in window locks (idle,
//! "Lock", sleep, screen lock), when a sensitive action needs the password again ("sudo mode"),
//! and the words each refusal carries. `AppState` holds one `Slot`; every time is the app's wall
//! clock (`AppState::clock`), so time asleep counts.
use latchkey_core::{Actor, Timestamp};

use crate::error::CommandError;

/// How long an entered password covers sensitive actions.
pub const REAUTH_SECONDS: i64 = 5 * 60;
/// A wall clock set back further than this ends the session instead of lengthening it.
const CLOCK_SLACK: i64 = 60;

/// Why a session ended without the person signing out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// No input for the idle limit (minutes).
    Idle(i64),
    /// The person chose Lock (tray or keyboard).
    Locked,
    /// The machine is going to sleep.
    Sleep,
    /// The screen locked.
    ScreenLocked,
    /// The account's password was changed or reset, or it was deactivated (its epoch moved).
    AccountChanged,
}

impl EndReason {
    /// The refusal every command gets until someone signs in again.
    pub fn error(self) -> CommandError {
        match self {
            EndReason::Idle(minutes) => CommandError::new(
                "locked",
                format!(
                    "Latchkey locked after {minutes} minute{} without use; sign in again",
                    if minutes == 1 { "" } else { "s" }
                ),
            ),
            EndReason::Locked => CommandError::new("locked", "Latchkey is locked; sign in again"),
            EndReason::Sleep => CommandError::new(
                "locked",
                "Latchkey locked when the computer went to sleep; sign in again",
            ),
            EndReason::ScreenLocked => CommandError::new(
                "locked",
                "Latchkey locked when the screen locked; sign in again",
            ),
            EndReason::AccountChanged => CommandError::new(
                "session_ended",
                "You were signed out: this account's password was changed or reset, or the account \
                 was deactivated. Sign in again.",
            ),
        }
    }
}

pub fn reauth_required() -> CommandError {
    CommandError::new(
        "reauth_required",
        "Enter your password again to do this: it was last entered more than 5 minutes ago",
    )
}

/// A signed-in account and the times that decide what it may still do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub actor: Actor,
    /// The account's session epoch when it signed in; any other value ends the session.
    pub epoch: i64,
    /// Minutes without input before the window locks (the setting, re-read on every command).
    pub idle_minutes: i64,
    /// The last input or command.
    pub last_activity: Timestamp,
    /// The last time the password was entered (the sign-in counts).
    pub last_proof: Timestamp,
}

impl Session {
    pub fn new(actor: Actor, epoch: i64, idle_minutes: i64, now: Timestamp) -> Session {
        Session {
            actor,
            epoch,
            idle_minutes,
            last_activity: now,
            last_proof: now,
        }
    }

    /// Whether the window has been left alone for the idle limit (or the clock went back).
    pub fn idle_expired(&self, now: Timestamp) -> bool {
        let idle = now.saturating_sub(self.last_activity);
        idle >= self.idle_minutes.saturating_mul(60) || idle < -CLOCK_SLACK
    }

    /// Whether the password was entered in the last 5 minutes.
    pub fn proof_fresh(&self, now: Timestamp) -> bool {
        let age = now.saturating_sub(self.last_proof);
        (-CLOCK_SLACK..REAUTH_SECONDS).contains(&age)
    }

    pub fn touch(&mut self, now: Timestamp) {
        self.last_activity = self.last_activity.max(now);
    }
}

/// Who is signed in, or why nobody is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Slot {
    /// Nobody signed in, or they signed out.
    #[default]
    Out,
    In(Session),
    /// Locked or ended: commands are refused with the reason until someone signs in.
    Ended(EndReason),
}

impl Slot {
    /// Ends an open session; true when there was one.
    pub fn end(&mut self, reason: EndReason) -> bool {
        if matches!(self, Slot::In(_)) {
            *self = Slot::Ended(reason);
            true
        } else {
            false
        }
    }

    /// Locks the session if it has been idle too long; true when it did.
    pub fn lock_if_idle(&mut self, now: Timestamp) -> bool {
        match *self {
            Slot::In(session) if session.idle_expired(now) => {
                self.end(EndReason::Idle(session.idle_minutes))
            }
            _ => false,
        }
    }

    /// The refusal for a command when nobody may act.
    pub fn refusal(&self) -> Option<CommandError> {
        match self {
            Slot::Out => Some(CommandError::not_signed_in()),
            Slot::Ended(reason) => Some(reason.error()),
            Slot::In(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Timestamp = 1_767_225_600;

    fn session() -> Session {
        Session::new(Actor { account_id: 1 }, 0, 15, T)
    }

    #[test]
    fn a_session_locks_at_its_idle_limit_and_input_postpones_it() {
        let mut s = session();
        assert!(!s.idle_expired(T + 15 * 60 - 1));
        assert!(s.idle_expired(T + 15 * 60));
        s.touch(T + 10 * 60);
        assert!(!s.idle_expired(T + 24 * 60));
        assert!(s.idle_expired(T + 25 * 60));
        // A clock set back far ends it; a small step back does not.
        assert!(!s.idle_expired(T + 10 * 60 - 30));
        assert!(s.idle_expired(T - 3600));
        // A touch with an earlier time never moves the last activity back.
        s.touch(T);
        assert_eq!(s.last_activity, T + 10 * 60);
    }

    #[test]
    fn the_password_covers_sensitive_actions_for_five_minutes() {
        let mut s = session();
        assert!(s.proof_fresh(T));
        assert!(s.proof_fresh(T + REAUTH_SECONDS - 1));
        assert!(!s.proof_fresh(T + REAUTH_SECONDS));
        assert!(!s.proof_fresh(T - 3600), "a clock set back proves nothing");
        // Activity alone does not renew it.
        s.touch(T + 200);
        assert!(!s.proof_fresh(T + REAUTH_SECONDS + 10));
    }

    #[test]
    fn an_ended_slot_refuses_with_its_reason_until_someone_signs_in() {
        let mut slot = Slot::In(session());
        assert!(!slot.lock_if_idle(T + 60));
        assert!(slot.lock_if_idle(T + 15 * 60));
        assert!(!slot.lock_if_idle(T + 16 * 60), "only once");
        let refusal = slot.refusal().unwrap();
        assert_eq!(refusal.code, "locked");
        assert!(refusal.message.contains("15 minutes"), "{refusal:?}");
        assert!(!slot.end(EndReason::Locked), "nothing left to end");
        assert_eq!(Slot::Out.refusal().unwrap().code, "not_signed_in");
        assert_eq!(
            EndReason::AccountChanged.error().code,
            "session_ended",
            "a changed account is not a lock"
        );
    }
}
