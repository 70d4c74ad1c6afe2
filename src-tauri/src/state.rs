//! What the app holds between commands: where the store is, the open store, and who is signed in.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use latchkey_core::backup::{self, BackupSummary, ExistingStore};
use latchkey_core::{Actor, Authority, Clock, KeySource, SystemClock};

use crate::error::{CommandError, CommandResult};

/// Where the store and its key are: the per-user data directory and the OS credential store,
/// unless LATCHKEY_DB and LATCHKEY_KEY_FILE say otherwise (tests and headless use).
#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub path: PathBuf,
    pub key: KeySource,
}

impl StoreConfig {
    pub fn from_env() -> Option<StoreConfig> {
        let path = std::env::var_os("LATCHKEY_DB")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(latchkey_core::paths::default_store_path)?;
        let key = match std::env::var_os("LATCHKEY_KEY_FILE").filter(|v| !v.is_empty()) {
            Some(file) => KeySource::File(PathBuf::from(file)),
            None => KeySource::OsStore,
        };
        Some(StoreConfig { path, key })
    }
}

pub struct AppState {
    pub config: Option<StoreConfig>,
    pub clock: Arc<dyn Clock>,
    /// Where exports and backups go instead of the Downloads folder (tests).
    pub downloads: Option<PathBuf>,
    store: Mutex<Option<Authority>>,
    session: Mutex<Option<Actor>>,
}

impl AppState {
    pub fn new(config: Option<StoreConfig>, clock: Arc<dyn Clock>) -> Self {
        AppState {
            config,
            clock,
            downloads: None,
            store: Mutex::new(None),
            session: Mutex::new(None),
        }
    }

    pub fn from_env() -> Self {
        #[cfg(debug_assertions)]
        if let Some(clock) = crate::test_clock::ShiftFileClock::from_env() {
            return AppState::new(StoreConfig::from_env(), Arc::new(clock));
        }
        AppState::new(StoreConfig::from_env(), Arc::new(SystemClock))
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
    /// signed-in administrator, holding the store's lock while the old store is closed and set
    /// aside (so nothing, the reminder loop say, reopens the old file meanwhile), then signing
    /// everyone out: the next use opens the restored store.
    pub fn restore_backup(&self, from: &Path, passphrase: &str) -> CommandResult<BackupSummary> {
        let config = self.config()?;
        if !self.store_exists()? {
            return Ok(backup::restore(
                from,
                passphrase,
                &config.path,
                &config.key,
                self.clock.clone(),
                ExistingStore::Refuse,
            )?);
        }
        let actor = self.actor()?;
        let mut guard = self.store()?;
        let current = guard.take().ok_or_else(CommandError::not_signed_in)?;
        let replaced = current.replace_with_backup(actor, from, passphrase, &config.key);
        drop(guard);
        let summary = replaced?;
        self.set_session(None)?;
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

    pub fn actor(&self) -> CommandResult<Actor> {
        self.session
            .lock()
            .map_err(|_| CommandError::new("internal", "the session lock was poisoned"))?
            .ok_or_else(CommandError::not_signed_in)
    }

    pub fn set_session(&self, actor: Option<Actor>) -> CommandResult<()> {
        *self
            .session
            .lock()
            .map_err(|_| CommandError::new("internal", "the session lock was poisoned"))? = actor;
        Ok(())
    }

    /// Runs `body` with the open store as the signed-in account. Core re-reads the account and
    /// checks its role on every call, so a command never trusts what the UI shows.
    pub fn as_actor<T>(
        &self,
        body: impl FnOnce(&mut Authority, Actor) -> latchkey_core::Result<T>,
    ) -> CommandResult<T> {
        let actor = self.actor()?;
        self.with_store(|authority| body(authority, actor))
    }
}
