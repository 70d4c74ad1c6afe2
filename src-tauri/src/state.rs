//! What the app holds between commands: where the store is, the open store, and who is signed in.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use latchkey_core::backup::{self, BackupSummary};
use latchkey_core::{Actor, Authority, Clock, SystemClock};

use crate::error::{CommandError, CommandResult};
use crate::session::{EndReason, Session, Slot, reauth_required};

/// Where the store and its key are: the per-user data directory and the OS credential store,
/// unless LATCHKEY_DB and LATCHKEY_KEY_FILE say otherwise (tests and headless use).
pub type StoreConfig = latchkey_core::platform::paths::StoreLocation;

fn store_config_from_env() -> Option<StoreConfig> {
    let config = StoreConfig::from_env()?;
    // Before the webview writes its own files there with the umask's mode.
    if let Err(error) = latchkey_core::platform::paths::secure_data_folder(&config.path) {
        eprintln!("latchkey: could not make the data folder private: {error}");
    }
    Some(config)
}
/// Called with the refusal when a session ends without the person signing out (idle, Lock,
/// sleep, screen lock, a changed account): the app tells the window.
pub type SessionEndListener = Box<dyn Fn(&CommandError) + Send + Sync>;

pub struct AppState {
    pub config: Option<StoreConfig>,
    pub clock: Arc<dyn Clock>,
    /// Where exports and backups go instead of the Downloads folder (tests).
    pub downloads: Option<PathBuf>,
    store: Mutex<Option<Authority>>,
    /// Locked after `store` when both are held, never before.
    session: Mutex<Slot>,
    on_end: OnceLock<SessionEndListener>,
    /// The verification service, when Settings started it (it stops with the app).
    pub service: tokio::sync::Mutex<Option<latchkey_server::RunningServer>>,
    /// Paths dropped on the window and not yet checked: the only paths `scan_file` reads.
    dropped: Mutex<std::collections::HashSet<PathBuf>>,
}

impl AppState {
    pub fn new(config: Option<StoreConfig>, clock: Arc<dyn Clock>) -> Self {
        AppState {
            config,
            clock,
            downloads: None,
            store: Mutex::new(None),
            session: Mutex::new(Slot::Out),
            on_end: OnceLock::new(),
            service: tokio::sync::Mutex::new(None),
            dropped: Mutex::new(std::collections::HashSet::new()),
        }
    }

    /// Remembers paths the window saw dropped on it (the window event, not the webview).
    pub fn remember_dropped(&self, paths: &[PathBuf]) {
        if let Ok(mut dropped) = self.dropped.lock() {
            // A bound, so a long session of drops never grows it without end.
            if dropped.len() > 1_000 {
                dropped.clear();
            }
            dropped.extend(paths.iter().cloned());
        }
    }

    /// Whether `path` was dropped on the window and not yet checked; forgets it.
    pub fn take_dropped(&self, path: &std::path::Path) -> bool {
        self.dropped
            .lock()
            .is_ok_and(|mut dropped| dropped.remove(path))
    }

    pub fn from_env() -> Self {
        #[cfg(debug_assertions)]
        if let Some(clock) = crate::test_clock::ShiftFileClock::from_env() {
            return AppState::new(store_config_from_env(), Arc::new(clock));
        }
        AppState::new(store_config_from_env(), Arc::new(SystemClock))
    }

    pub fn config(&self) -> CommandResult<&StoreConfig> {
        self.config.as_ref().ok_or_else(|| {
            CommandError::new(
                "no_data_directory",
                "no data directory is known for this user; set LATCHKEY_DB",
            )
        })
    }

    /// Whether the store file exists (before first-run setup it does not).
    pub fn store_exists(&self) -> CommandResult<bool> {
        Ok(self.config()?.path.exists())
    }

    /// The open store, opening it on first use.
    pub fn store(&self) -> CommandResult<MutexGuard<'_, Option<Authority>>> {
        let mut guard = self
            .store
            .lock()
            .map_err(|_| CommandError::new("internal", "the store lock was poisoned"))?;
        // A restore by another process (the CLI) moved another store in: open that one. A call
        // that raced it got `store_replaced`, and the next one gets here.
        if guard.as_ref().is_some_and(Authority::store_replaced) {
            *guard = None;
        }
        if guard.is_none() {
            let config = self.config()?;
            *guard = Some(Authority::open(
                &config.path,
                &config.key,
                self.clock.clone(),
            )?);
        }
        Ok(guard)
    }

    /// Restores a backup: at first run into the empty place; over an existing store only for a
    /// signed-in administrator who entered the password in the last 5 minutes, holding the
    /// store's lock while the old store is closed and set aside (so nothing, the reminder loop
    /// say, reopens the old file meanwhile), then signing everyone out: the next use opens the
    /// restored store.
    pub fn restore_backup(&self, from: &Path, passphrase: &str) -> CommandResult<BackupSummary> {
        let config = self.config()?;
        if !self.store_exists()? {
            return Ok(backup::restore(
                from,
                passphrase,
                &config.path,
                &config.key,
                self.clock.clone(),
            )?);
        }
        self.refuse_unless_signed_in()?;
        let mut guard = self.store()?;
        let authority = guard.as_mut().ok_or_else(CommandError::not_signed_in)?;
        let session = self.check(authority)?;
        self.refuse_unless_confirmed(authority, &session)?;
        let current = guard.take().ok_or_else(CommandError::not_signed_in)?;
        let replaced = current.replace_with_backup(session.actor, from, passphrase, &config.key);
        drop(guard);
        let summary = replaced?;
        self.sign_out()?;
        Ok(summary)
    }

    pub fn set_store(&self, authority: Authority) -> CommandResult<()> {
        *self
            .store
            .lock()
            .map_err(|_| CommandError::new("internal", "the store lock was poisoned"))? =
            Some(authority);
        Ok(())
    }

    /// Runs `body` with the open store and no account: the reminder loop and the tray.
    pub fn with_store<T>(
        &self,
        body: impl FnOnce(&mut Authority) -> latchkey_core::Result<T>,
    ) -> CommandResult<T> {
        let mut store = self.store()?;
        let authority = store.as_mut().ok_or_else(CommandError::not_signed_in)?;
        Ok(body(authority)?)
    }

    fn slot(&self) -> CommandResult<MutexGuard<'_, Slot>> {
        self.session
            .lock()
            .map_err(|_| CommandError::new("internal", "the session lock was poisoned"))
    }

    /// Tells the window (through the listener set at start) that its session ended.
    pub fn on_session_end(&self, listener: SessionEndListener) {
        let _ = self.on_end.set(listener);
    }

    fn ended(&self, reason: EndReason) {
        crate::log::debug(|| format!("session ended: {reason:?}"));
        if let Some(listener) = self.on_end.get() {
            listener(&reason.error());
        }
    }

    /// Signs `actor` in: the password was just entered, and the account's session epoch is
    /// noted so a later password change, reset or deactivation ends this session.
    pub fn start_session(&self, authority: &Authority, actor: Actor) -> CommandResult<()> {
        let epoch = authority.session_epoch(actor)?;
        let idle_minutes = authority.settings()?.idle_lock_minutes;
        *self.slot()? = Slot::In(Session::new(actor, epoch, idle_minutes, self.clock.now()));
        Ok(())
    }

    /// The person signed out (or a restore replaced the store): nothing to tell the window.
    pub fn sign_out(&self) -> CommandResult<()> {
        *self.slot()? = Slot::Out;
        Ok(())
    }

    /// Ends the open session, if any (Lock, sleep, screen lock), and tells the window.
    pub fn end_session(&self, reason: EndReason) -> CommandResult<bool> {
        let ended = self.slot()?.end(reason);
        if ended {
            self.ended(reason);
        }
        Ok(ended)
    }

    /// The idle check the session watch runs every few seconds.
    pub fn lock_if_idle(&self) -> CommandResult<bool> {
        let mut slot = self.slot()?;
        let reason = match *slot {
            Slot::In(session) => EndReason::Idle(session.idle_minutes),
            _ => return Ok(false),
        };
        let locked = slot.lock_if_idle(self.clock.now());
        drop(slot);
        if locked {
            self.ended(reason);
        }
        Ok(locked)
    }

    /// Who is signed in, without counting as activity or checking the store: the reminder loop
    /// (whose notices a signed-in window may open).
    pub fn viewer(&self) -> Option<Actor> {
        match *self.session.lock().ok()? {
            Slot::In(session) if !session.idle_expired(self.clock.now()) => Some(session.actor),
            _ => None,
        }
    }

    fn refuse_unless_signed_in(&self) -> CommandResult<()> {
        match self.slot()?.refusal() {
            Some(refusal) => Err(refusal),
            None => Ok(()),
        }
    }

    /// The check of every command: someone is signed in, the window was not left idle for the
    /// idle limit (re-read from the settings), and the account's session epoch is the one of the
    /// sign-in. Any of these failing ends the session and tells the window. A command is not
    /// activity: the window calls some without input (the reminder count after each check), so
    /// only reported input (`report_activity`) keeps a session from locking.
    fn check(&self, authority: &Authority) -> CommandResult<Session> {
        let mut slot = self.slot()?;
        let Slot::In(mut session) = *slot else {
            return Err(slot.refusal().unwrap_or_else(CommandError::not_signed_in));
        };
        let now = self.clock.now();
        session.idle_minutes = authority.settings()?.idle_lock_minutes;
        let end = if session.idle_expired(now) {
            Some(EndReason::Idle(session.idle_minutes))
        } else {
            match authority.session_epoch(session.actor) {
                Ok(epoch) if epoch == session.epoch => None,
                Ok(_) | Err(latchkey_core::CoreError::Forbidden(_)) => {
                    Some(EndReason::AccountChanged)
                }
                Err(error) => return Err(error.into()),
            }
        };
        if let Some(reason) = end {
            slot.end(reason);
            drop(slot);
            self.ended(reason);
            return Err(reason.error());
        }
        *slot = Slot::In(session);
        Ok(session)
    }

    /// The window saw input: checked like any command, then the idle limit counts from now.
    pub fn report_activity(&self) -> CommandResult<()> {
        self.refuse_unless_signed_in()?;
        let mut store = self.store()?;
        let authority = store.as_mut().ok_or_else(CommandError::not_signed_in)?;
        let session = self.check(authority)?;
        let now = self.clock.now();
        if let Slot::In(current) = &mut *self.slot()?
            && current.actor == session.actor
        {
            current.touch(now);
        }
        Ok(())
    }

    /// Sensitive actions (backup, restore, resetting a password, changing a role, adding an
    /// administrator, (de)activating an account, access to all systems, changing settings) need
    /// the password entered in the last 5 minutes. Only
    /// administrators may do them at all; for anyone else core's refusal is the answer.
    fn refuse_unless_confirmed(
        &self,
        authority: &Authority,
        session: &Session,
    ) -> CommandResult<()> {
        if session.proof_fresh(self.clock.now()) || !authority.whoami(session.actor)?.is_admin() {
            return Ok(());
        }
        Err(reauth_required())
    }

    /// The signed-in account, checked as every command is (see `check`).
    pub fn actor(&self) -> CommandResult<Actor> {
        self.with_session(|_, session| Ok(session.actor))
    }

    /// The open store and the signed-in account's session, checked (see `check`).
    fn with_session<T>(
        &self,
        body: impl FnOnce(&mut Authority, &Session) -> CommandResult<T>,
    ) -> CommandResult<T> {
        self.refuse_unless_signed_in()?;
        let mut store = self.store()?;
        let authority = store.as_mut().ok_or_else(CommandError::not_signed_in)?;
        let session = self.check(authority)?;
        body(authority, &session)
    }

    /// Runs `body` with the open store as the signed-in account. Core re-reads the account and
    /// checks its role on every call, so a command never trusts what the UI shows.
    pub fn as_actor<T>(
        &self,
        body: impl FnOnce(&mut Authority, Actor) -> latchkey_core::Result<T>,
    ) -> CommandResult<T> {
        self.with_session(|authority, session| Ok(body(authority, session.actor)?))
    }

    /// `as_actor` for a sensitive action: refused with `reauth_required` unless the password
    /// was entered in the last 5 minutes.
    pub fn as_confirmed_actor<T>(
        &self,
        body: impl FnOnce(&mut Authority, Actor) -> latchkey_core::Result<T>,
    ) -> CommandResult<T> {
        self.with_session(|authority, session| {
            self.refuse_unless_confirmed(authority, session)?;
            let result = body(authority, session.actor)?;
            // The settings may have just changed: a new idle limit applies at once.
            if let (Ok(settings), Slot::In(current)) = (authority.settings(), &mut *self.slot()?) {
                current.idle_minutes = settings.idle_lock_minutes;
            }
            Ok(result)
        })
    }

    /// Proves the signed-in person's password again (core's check, with its backoff), which
    /// covers sensitive actions for the next 5 minutes.
    pub fn confirm_password(&self, password: &str) -> CommandResult<()> {
        self.refuse_unless_signed_in()?;
        let mut store = self.store()?;
        let authority = store.as_mut().ok_or_else(CommandError::not_signed_in)?;
        let session = self.check(authority)?;
        let username = authority.whoami(session.actor)?.username;
        let proven = authority.authenticate(&username, password)?;
        if proven != session.actor {
            return Err(CommandError::new("forbidden", "that is another account"));
        }
        let now = self.clock.now();
        if let Slot::In(current) = &mut *self.slot()?
            && current.actor == proven
        {
            current.last_proof = now;
            current.touch(now);
        }
        Ok(())
    }
}
