//! What every command needs: the store path, the key, the clock, and the acting account.
use std::sync::Arc;

use latchkey_core::platform::paths::StoreLocation;
use latchkey_core::{Actor, Authority, Clock, SystemClock};

use crate::args::Global;
use crate::error::{CliError, CliResult};
use crate::input::Stdin;

pub struct Context {
    pub global: Global,
    pub stdin: Stdin,
}

impl Context {
    /// The store file and key: `--db`/`LATCHKEY_DB` and `--key-file`/`LATCHKEY_KEY_FILE`, or the
    /// per-user data directory and the OS credential store.
    pub fn location(&self) -> CliResult<StoreLocation> {
        StoreLocation::choose(self.global.db.clone(), self.global.key_file.clone()).ok_or_else(
            || {
                CliError::Usage(
                    "no data directory is known for this user; pass --db PATH or set LATCHKEY_DB"
                        .into(),
                )
            },
        )
    }

    /// The wall clock; debug builds honour LATCHKEY_TEST_CLOCK_AT (a fixed time, Unix seconds) and
    /// LATCHKEY_TEST_CLOCK_SHIFT (seconds added) so end-to-end tests can set or move time. Release
    /// builds ignore both.
    pub fn clock(&self) -> Arc<dyn Clock> {
        #[cfg(debug_assertions)]
        if let Some(at) = std::env::var("LATCHKEY_TEST_CLOCK_AT")
            .ok()
            .and_then(|v| v.parse::<i64>().ok())
        {
            return Arc::new(latchkey_core::TestClock::at(at));
        }
        #[cfg(debug_assertions)]
        if let Some(shift) = std::env::var("LATCHKEY_TEST_CLOCK_SHIFT")
            .ok()
            .and_then(|v| v.parse::<i64>().ok())
        {
            return Arc::new(latchkey_core::clock::ShiftedClock(shift));
        }
        Arc::new(SystemClock)
    }

    pub fn open(&self) -> CliResult<Authority> {
        let location = self.location()?;
        let authority = Authority::open(&location.path, &location.key, self.clock())?;
        if let Some(lag) = authority.clock_behind_by()? {
            eprintln!(
                "warning: the system clock is {lag} s behind the latest time this store has seen; \
                 the store's time is used until the clock catches up (an administrator who fixed \
                 the clock can run `latchkey clock reset`)"
            );
        }
        Ok(authority)
    }

    /// The store, opened, and the account acting on it (most commands start so).
    pub fn signed_in(&mut self) -> CliResult<(Authority, Actor)> {
        let mut authority = self.open()?;
        let actor = self.actor(&mut authority)?;
        Ok((authority, actor))
    }

    /// The acting account, proved by `--user` and its password.
    pub fn actor(&mut self, authority: &mut Authority) -> CliResult<Actor> {
        let username = self.global.user.clone().ok_or_else(|| {
            CliError::Usage(
                "this command acts as an account: pass --user NAME or set LATCHKEY_USER".into(),
            )
        })?;
        let password = self.stdin.password(self.global.password_stdin)?;
        Ok(authority.authenticate(&username, &password)?)
    }
}
