//! Reading secrets: passwords and tokens come from the environment, standard input or a
//! terminal prompt, never from arguments.
use std::io::{BufRead, IsTerminal, Read};

use zeroize::Zeroizing;

use crate::error::{CliError, CliResult};

/// Standard input, read once, line by line: the acting password first, then a new password.
pub struct Stdin {
    lines: Option<std::vec::IntoIter<Zeroizing<String>>>,
}

impl Default for Stdin {
    fn default() -> Self {
        Stdin::new()
    }
}

impl Stdin {
    /// The process's standard input, read when first needed.
    pub fn new() -> Self {
        Stdin { lines: None }
    }

    /// Given lines instead of the process's standard input (in-process callers, the fuzzer).
    pub fn from_lines(lines: Vec<String>) -> Self {
        Stdin {
            lines: Some(
                lines
                    .into_iter()
                    .map(Zeroizing::new)
                    .collect::<Vec<_>>()
                    .into_iter(),
            ),
        }
    }

    fn next_line(&mut self, what: &str) -> CliResult<Zeroizing<String>> {
        if self.lines.is_none() {
            let mut lines = Vec::new();
            for line in std::io::stdin().lock().lines() {
                let line = line.map_err(|e| {
                    CliError::Usage(format!("could not read {what} from standard input: {e}"))
                })?;
                lines.push(Zeroizing::new(line));
            }
            self.lines = Some(lines.into_iter());
        }
        self.lines
            .as_mut()
            .and_then(Iterator::next)
            .map(|mut line| {
                if line.ends_with('\r') {
                    line.pop();
                }
                line
            })
            .ok_or_else(|| CliError::Usage(format!("standard input ended before {what} was read")))
    }

    /// The acting account's password.
    pub fn password(&mut self, from_stdin: bool) -> CliResult<Zeroizing<String>> {
        if from_stdin {
            return self.next_line("the password");
        }
        if let Some(value) = std::env::var_os("LATCHKEY_PASSWORD") {
            return Ok(Zeroizing::new(value.into_string().map_err(|_| {
                CliError::Usage("LATCHKEY_PASSWORD is not valid UTF-8".into())
            })?));
        }
        prompt(
            "Password: ",
            "set LATCHKEY_PASSWORD or pass --password-stdin",
        )
    }

    /// The first administrator's password at `init`: read like any password, but a prompt asks
    /// twice, since nothing can check a typo yet.
    pub fn first_password(&mut self, from_stdin: bool) -> CliResult<Zeroizing<String>> {
        if from_stdin || std::env::var_os("LATCHKEY_PASSWORD").is_some() {
            return self.password(from_stdin);
        }
        let hint = "set LATCHKEY_PASSWORD or pass --password-stdin";
        let first = prompt("Administrator password: ", hint)?;
        let second = prompt("Administrator password again: ", hint)?;
        if *first != *second {
            return Err(CliError::Usage(
                "the two passwords differ; nothing was created".into(),
            ));
        }
        Ok(first)
    }

    /// A new password: LATCHKEY_NEW_PASSWORD, the next line of standard input, or a prompt twice.
    pub fn new_password(&mut self, from_stdin: bool) -> CliResult<Zeroizing<String>> {
        if from_stdin {
            return self.next_line("the new password");
        }
        if let Some(value) = std::env::var_os("LATCHKEY_NEW_PASSWORD") {
            return Ok(Zeroizing::new(value.into_string().map_err(|_| {
                CliError::Usage("LATCHKEY_NEW_PASSWORD is not valid UTF-8".into())
            })?));
        }
        let hint = "set LATCHKEY_NEW_PASSWORD or pass --new-password-stdin";
        let first = prompt("New password: ", hint)?;
        let second = prompt("New password again: ", hint)?;
        if *first != *second {
            return Err(CliError::Usage(
                "the two passwords differ; nothing was changed".into(),
            ));
        }
        Ok(first)
    }

    /// A backup's passphrase: LATCHKEY_BACKUP_PASSPHRASE, the next line of standard input, or a
    /// prompt (twice when making a backup, since nothing can check a typo until the restore).
    pub fn backup_passphrase(
        &mut self,
        from_stdin: bool,
        confirm: bool,
    ) -> CliResult<Zeroizing<String>> {
        if from_stdin {
            return self.next_line("the backup passphrase");
        }
        if let Some(value) = std::env::var_os("LATCHKEY_BACKUP_PASSPHRASE") {
            return Ok(Zeroizing::new(value.into_string().map_err(|_| {
                CliError::Usage("LATCHKEY_BACKUP_PASSPHRASE is not valid UTF-8".into())
            })?));
        }
        let hint = "set LATCHKEY_BACKUP_PASSPHRASE or pass --passphrase-stdin";
        let first = prompt_for("backup passphrase", "Backup passphrase: ", hint)?;
        if confirm {
            let second = prompt_for("backup passphrase", "Backup passphrase again: ", hint)?;
            if *first != *second {
                return Err(CliError::Usage(
                    "the two passphrases differ; nothing was written".into(),
                ));
            }
        }
        Ok(first)
    }
}

fn prompt(label: &str, hint: &str) -> CliResult<Zeroizing<String>> {
    prompt_for("password", label, hint)
}

fn prompt_for(what: &str, label: &str, hint: &str) -> CliResult<Zeroizing<String>> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!(
            "no {what} given and no terminal to ask on; {hint}"
        )));
    }
    rpassword::prompt_password(label)
        .map(Zeroizing::new)
        .map_err(|e| CliError::Usage(format!("could not read the {what} from the terminal: {e}")))
}

/// A token: LATCHKEY_TOKEN, or standard input (surrounding whitespace ignored).
pub fn token() -> CliResult<Zeroizing<String>> {
    if let Some(value) = std::env::var_os("LATCHKEY_TOKEN") {
        let value = value
            .into_string()
            .map_err(|_| CliError::Usage("LATCHKEY_TOKEN is not valid UTF-8".into()))?;
        return Ok(Zeroizing::new(value.trim().to_string()));
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("Token: ")
            .map(|t| Zeroizing::new(t.trim().to_string()))
            .map_err(|e| {
                CliError::Usage(format!("could not read the token from the terminal: {e}"))
            });
    }
    let mut bytes = Zeroizing::new(Vec::new());
    std::io::stdin()
        .lock()
        .take(64 * 1024)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            CliError::Usage(format!("could not read the token from standard input: {e}"))
        })?;
    // Invalid UTF-8 cannot be a token; it is reported as malformed, not as a usage error.
    let text = String::from_utf8_lossy(&bytes).trim().to_string();
    if text.is_empty() {
        return Err(CliError::Usage(
            "no token given: pipe it on standard input or set LATCHKEY_TOKEN".into(),
        ));
    }
    Ok(Zeroizing::new(text))
}
