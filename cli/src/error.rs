//! The CLI's one error type and its exit codes: 1 = refused, 2 = usage, store or key problem.
use latchkey_core::CoreError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Core(#[from] CoreError),
    /// A missing or unusable argument or input (exit 2).
    #[error("{0}")]
    Usage(String),
    /// A token was denied by `verify` (exit 1); the reason is already printed.
    #[error("{0}")]
    Denied(String),
    /// Some of the work could not be done (a scan that could not read every path; exit 2).
    #[error("{0}")]
    Incomplete(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Core(error) if error.is_refusal() => 1,
            CliError::Denied(_) => 1,
            CliError::Core(_) | CliError::Usage(_) | CliError::Incomplete(_) => 2,
        }
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;
