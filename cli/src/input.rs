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
        self.secret(from_stdin, &ASK_PASSWORD, "Password: ", None)
    }

    /// The first administrator's password at `init`: read like any password, but a prompt asks
    /// twice, since nothing can check a typo yet.
    pub fn first_password(&mut self, from_stdin: bool) -> CliResult<Zeroizing<String>> {
        if from_stdin || std::env::var_os("LATCHKEY_PASSWORD").is_some() {
            return self.password(from_stdin);
        }
        prompt(
            &ASK_PASSWORD,
            "Administrator password: ",
            Some("the two passwords differ; nothing was created"),
        )
    }

    /// A new password: LATCHKEY_NEW_PASSWORD, the next line of standard input, or a prompt twice.
    pub fn new_password(&mut self, from_stdin: bool) -> CliResult<Zeroizing<String>> {
        let mismatch = Some("the two passwords differ; nothing was changed");
        self.secret(from_stdin, &ASK_NEW_PASSWORD, "New password: ", mismatch)
    }

    /// A backup's passphrase: LATCHKEY_BACKUP_PASSPHRASE, the next line of standard input, or a
    /// prompt (twice when making a backup, since nothing can check a typo until the restore).
    pub fn backup_passphrase(
        &mut self,
        from_stdin: bool,
        confirm: bool,
    ) -> CliResult<Zeroizing<String>> {
        let mismatch = confirm.then_some("the two passphrases differ; nothing was written");
        self.secret(from_stdin, &ASK_PASSPHRASE, "Backup passphrase: ", mismatch)
    }

    /// The next line of standard input with `from_stdin`, else `asking.env`, else a prompt
    /// (twice with `mismatch`).
    fn secret(
        &mut self,
        from_stdin: bool,
        asking: &Asking,
        label: &str,
        mismatch: Option<&str>,
    ) -> CliResult<Zeroizing<String>> {
        if from_stdin {
            return self.next_line(asking.line);
        }
        match from_env(asking.env)? {
            Some(value) => Ok(value),
            None => prompt(asking, label, mismatch),
        }
    }
}

/// What a prompt asks for, what to do where there is no terminal to ask on, the variable that
/// gives it instead, and its name as a line of standard input.
struct Asking {
    what: &'static str,
    hint: &'static str,
    env: &'static str,
    line: &'static str,
}

const ASK_PASSWORD: Asking = Asking {
    what: "password",
    hint: "set LATCHKEY_PASSWORD or pass --password-stdin",
    env: "LATCHKEY_PASSWORD",
    line: "the password",
};
const ASK_NEW_PASSWORD: Asking = Asking {
    what: "password",
    hint: "set LATCHKEY_NEW_PASSWORD or pass --new-password-stdin",
    env: "LATCHKEY_NEW_PASSWORD",
    line: "the new password",
};
const ASK_PASSPHRASE: Asking = Asking {
    what: "backup passphrase",
    hint: "set LATCHKEY_BACKUP_PASSPHRASE or pass --passphrase-stdin",
    env: "LATCHKEY_BACKUP_PASSPHRASE",
    line: "the backup passphrase",
};

fn from_env(name: &str) -> CliResult<Option<Zeroizing<String>>> {
    std::env::var_os(name)
        .map(|value| {
            value
                .into_string()
                .map(Zeroizing::new)
                .map_err(|_| CliError::Usage(format!("{name} is not valid UTF-8")))
        })
        .transpose()
}

/// Asks on the terminal, and with `mismatch` a second time ("… again"), refusing two answers
/// that differ with that message.
fn prompt(asking: &Asking, label: &str, mismatch: Option<&str>) -> CliResult<Zeroizing<String>> {
    let first = prompt_once(asking, label)?;
    if let Some(mismatch) = mismatch {
        let again = format!("{} again: ", label.trim_end_matches(": "));
        if *first != *prompt_once(asking, &again)? {
            return Err(CliError::Usage(mismatch.into()));
        }
    }
    Ok(first)
}

fn prompt_once(asking: &Asking, label: &str) -> CliResult<Zeroizing<String>> {
    let Asking { what, hint, .. } = asking;
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
