//! Passwords as argon2id PHC strings, peppered with a sub-key of the installation key.
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{CoreError, Result};
use crate::keys::{KeyBytes, MasterKey};

/// OWASP's minimum for argon2id: 19 MiB, two passes, one lane.
pub const MEMORY_KIB: u32 = 19 * 1024;
/// Passes over the memory.
pub const ITERATIONS: u32 = 2;
/// Lanes.
pub const PARALLELISM: u32 = 1;

/// The password pepper: argon2's secret input, a sub-key of the installation key. Its bytes are
/// visible in this file only.
pub(crate) struct Pepper(KeyBytes);

impl Pepper {
    /// The password pepper of an installation key.
    pub(crate) fn derive(master: &MasterKey) -> Pepper {
        Pepper(master.derive("password-pepper"))
    }
}

fn hasher(pepper: &Pepper) -> Result<Argon2<'_>> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .map_err(|e| CoreError::Store(format!("argon2 parameters: {e}")))?;
    Argon2::new_with_secret(
        pepper.0.expose(),
        Algorithm::Argon2id,
        Version::V0x13,
        params,
    )
    .map_err(|e| CoreError::Store(format!("argon2: {e}")))
}

pub(crate) fn hash(pepper: &Pepper, password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    crate::keys::random::fill_for_store(&mut salt)?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| CoreError::Store(format!("salt: {e}")))?;
    hasher(pepper)?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Store(format!("could not hash the password: {e}")))
}

/// Checks a password against a stored PHC string; the parameters come from the string, so
/// hashes made with older parameters still verify (and are then upgraded).
pub(crate) fn matches(pepper: &Pepper, stored: &str, password: &str) -> Result<bool> {
    let parsed = PasswordHash::new(stored).map_err(|_| CoreError::Corrupt)?;
    Ok(hasher(pepper)?
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

/// True when a stored hash is weaker than today's parameters or not argon2id.
pub(crate) fn needs_upgrade(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return true;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return true;
    }
    match Params::try_from(&parsed) {
        Ok(p) => p.m_cost() < MEMORY_KIB || p.t_cost() < ITERATIONS || p.p_cost() < PARALLELISM,
        Err(_) => true,
    }
}

/// Spends what a real check costs when the account does not exist, so timing does not tell.
pub(crate) fn spend_equal_time(pepper: &Pepper, password: &str) {
    let _ = hash(pepper, password);
}

#[cfg(test)]
pub(crate) fn hash_with(
    pepper: &Pepper,
    password: &str,
    memory_kib: u32,
    iterations: u32,
) -> String {
    let params = Params::new(memory_kib, iterations, 1, None).unwrap();
    let argon = Argon2::new_with_secret(
        pepper.0.expose(),
        Algorithm::Argon2id,
        Version::V0x13,
        params,
    )
    .unwrap();
    let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
    argon
        .hash_password(password.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_at_owasp_parameters_and_verify() {
        let pepper = Pepper(KeyBytes::for_tests([3u8; 32]));
        let stored = hash(&pepper, "correct horse battery").unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(matches(&pepper, &stored, "correct horse battery").unwrap());
        assert!(!matches(&pepper, &stored, "correct horse batterY").unwrap());
        assert!(!needs_upgrade(&stored));
    }

    #[test]
    fn the_pepper_is_part_of_the_hash() {
        let stored = hash(
            &Pepper(KeyBytes::for_tests([3u8; 32])),
            "correct horse battery",
        )
        .unwrap();
        assert!(
            !matches(
                &Pepper(KeyBytes::for_tests([4u8; 32])),
                &stored,
                "correct horse battery"
            )
            .unwrap()
        );
    }

    #[test]
    fn weaker_parameters_need_an_upgrade() {
        let pepper = Pepper(KeyBytes::for_tests([3u8; 32]));
        let weak = hash_with(&pepper, "correct horse battery", 8 * 1024, 1);
        assert!(needs_upgrade(&weak));
        assert!(matches(&pepper, &weak, "correct horse battery").unwrap());
    }
}
