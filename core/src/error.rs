//! The one error type of latchkey-core. Every message is one line that says what was wrong
//! and, where there is something to do, what to do.
use std::path::PathBuf;

/// Everything that can go wrong in core; `code` is stable, the message is one line.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// No store at this path yet.
    #[error("no Latchkey store at {0}; run `latchkey init --org NAME --admin USERNAME` first")]
    NotInitialised(PathBuf),
    /// `init` over an existing store.
    #[error("a Latchkey store already exists at {0}")]
    AlreadyInitialised(PathBuf),
    /// The path names a folder.
    #[error("{0} is a directory, not a Latchkey store file; pass the path of a file with --db")]
    StoreIsDirectory(PathBuf),
    #[error(
        "the store at {path} has schema version {found}, newer than this latchkey supports \
            ({supported}); upgrade latchkey"
    )]
    /// The store was written by a newer version.
    NewerSchema {
        /// The store.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build reads.
        supported: i64,
    },
    /// Not a readable Latchkey store.
    #[error("the store is damaged or not a Latchkey store; run `latchkey doctor`")]
    Corrupt,
    #[error(
        "the store is read-only; this change needs write access to the store file and its folder"
    )]
    /// The store cannot be written.
    ReadOnly,
    /// No space left for the store.
    #[error("the disk holding the store is full; free some space and try again")]
    DiskFull,
    /// A restore moved another store in since this one was opened.
    #[error("the store was replaced by a restore while this ran; run the command again")]
    StoreReplaced,
    /// Another store failure, with SQLite's message.
    #[error("store error: {0}")]
    Store(String),
    /// The installation key is missing, wrong or unusable.
    #[error("{0}")]
    Key(String),
    /// An input was refused.
    #[error("{0}")]
    Invalid(String),
    /// What was named does not exist (or is not the actor's to see).
    #[error("{0}")]
    NotFound(String),
    /// The actor may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// It would clash with what exists.
    #[error("{0}")]
    Conflict(String),
    /// Wrong username or password.
    #[error("wrong username or password")]
    WrongCredentials,
    /// Locked by failed sign-ins for this many seconds.
    #[error("too many failed sign-ins; try again in {0} s")]
    Locked(i64),
    /// Locked until an administrator resets the password.
    #[error("too many failed sign-ins; an administrator must reset this account's password")]
    LockedUntilReset,
}

impl CoreError {
    /// A stable machine-readable code, used by the CLI's exit codes and the app's `{code,
    /// message}`.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::NotInitialised(_) => "not_initialised",
            CoreError::AlreadyInitialised(_) => "already_initialised",
            CoreError::StoreIsDirectory(_) => "store_is_directory",
            CoreError::NewerSchema { .. } => "newer_schema",
            CoreError::Corrupt => "corrupt_store",
            CoreError::ReadOnly => "read_only_store",
            CoreError::DiskFull => "disk_full",
            CoreError::StoreReplaced => "store_replaced",
            CoreError::Store(_) => "store_error",
            CoreError::Key(_) => "key_error",
            CoreError::Invalid(_) => "invalid_input",
            CoreError::NotFound(_) => "not_found",
            CoreError::Forbidden(_) => "forbidden",
            CoreError::Conflict(_) => "conflict",
            CoreError::WrongCredentials => "wrong_credentials",
            CoreError::Locked(_) | CoreError::LockedUntilReset => "locked",
        }
    }

    /// True for a refusal of what was asked (exit 1), false for a store or key problem (exit 2).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            CoreError::Invalid(_)
                | CoreError::NotFound(_)
                | CoreError::Forbidden(_)
                | CoreError::Conflict(_)
                | CoreError::WrongCredentials
                | CoreError::Locked(_)
                | CoreError::LockedUntilReset
                | CoreError::AlreadyInitialised(_)
        )
    }
}

impl From<rusqlite::Error> for CoreError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        if let rusqlite::Error::SqliteFailure(failure, _) = &error {
            match failure.code {
                ErrorCode::DiskFull => return CoreError::DiskFull,
                ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => return CoreError::Corrupt,
                ErrorCode::ReadOnly => return CoreError::ReadOnly,
                _ => {}
            }
        }
        CoreError::Store(error.to_string())
    }
}

/// Core's result type.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
