//! The one error type of latchkey-core. Every message is one line that says what was wrong
//! and, where there is something to do, what to do.
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("no Latchkey store at {0}; run `latchkey init --org NAME --admin USERNAME` first")]
    NotInitialised(PathBuf),
    #[error("a Latchkey store already exists at {0}")]
    AlreadyInitialised(PathBuf),
    #[error("{0} is a directory, not a Latchkey store file; pass the path of a file with --db")]
    StoreIsDirectory(PathBuf),
    #[error(
        "the store at {path} has schema version {found}, newer than this latchkey supports ({supported}); upgrade latchkey"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("the store is damaged or not a Latchkey store; run `latchkey doctor`")]
    Corrupt,
    #[error(
        "the store is read-only; this change needs write access to the store file and its folder"
    )]
    ReadOnly,
    #[error("the disk holding the store is full; free some space and try again")]
    DiskFull,
    #[error("the store was replaced by a restore while this ran; run the command again")]
    StoreReplaced,
    #[error("store error: {0}")]
    Store(String),
    #[error("{0}")]
    Key(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("wrong username or password")]
    WrongCredentials,
    #[error("too many failed sign-ins; try again in {0} s")]
    Locked(i64),
    #[error("too many failed sign-ins; an administrator must reset this account's password")]
    LockedUntilReset,
}

impl CoreError {
    /// A stable machine-readable code, used by the CLI's exit codes and the app's `{code, message}`.
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

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
