//! The one error every command returns: `{code, message}`, where `message` is what the UI shows.
use latchkey_core::CoreError;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error, ts_rs::TS)]
#[error("{message}")]
pub struct CommandError {
    pub code: String,
    pub message: String,
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        CommandError {
            code: code.to_string(),
            message: message.into(),
        }
    }

    pub fn not_signed_in() -> Self {
        CommandError::new("not_signed_in", "sign in first")
    }
}

impl From<CoreError> for CommandError {
    fn from(error: CoreError) -> Self {
        CommandError::new(error.code(), error.to_string())
    }
}

pub type CommandResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_serialise_to_code_and_message() {
        let error = CommandError::from(CoreError::Forbidden(
            "only an administrator may do this".into(),
        ));
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            serde_json::json!({"code": "forbidden", "message": "only an administrator may do this"})
        );
    }
}
