//! The backup file: the installation key and a snapshot of the store, sealed together under a
//! passphrase (argon2id → XChaCha20-Poly1305), with an unkeyed SHA-256 at the end so a damaged
//! file is told apart from a wrong passphrase.
//!
//! Layout, all integers little-endian:
//! `magic (16) | version u32 | argon2 m_kib u32 | t u32 | p u32 | salt (16) | nonce (24) |
//!  ciphertext (32-byte key ‖ database, + 16-byte tag) | sha256 of everything before (32)`.
//! The header up to the nonce is the AEAD's associated data, so no byte of the file can change
//! unnoticed.
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{CoreError, Result};
use crate::keys::MasterKey;

const MAGIC: &[u8; 16] = b"LATCHKEY-BACKUP\0";
const FORMAT_VERSION: u32 = 1;
const HEADER_LEN: usize = 16 + 4 * 4 + 16 + 24;
const TAG_LEN: usize = 16;
const CHECKSUM_LEN: usize = 32;

/// argon2id for a passphrase that guards a whole installation: 64 MiB, three passes.
const MEMORY_KIB: u32 = 64 * 1024;
const ITERATIONS: u32 = 3;
const PARALLELISM: u32 = 1;

/// The most a backup's header may ask of argon2, so a crafted file cannot exhaust the machine.
const MAX_MEMORY_KIB: u32 = 1024 * 1024;
const MAX_ITERATIONS: u32 = 16;
const MAX_PARALLELISM: u32 = 8;

/// What a sealed backup holds once opened.
pub(crate) struct Unsealed {
    pub key: MasterKey,
    pub database: Zeroizing<Vec<u8>>,
}

pub(crate) fn seal(key: &MasterKey, database: &[u8], passphrase: &str) -> Result<Vec<u8>> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    crate::keys::random::fill_for_store(&mut salt)?;
    crate::keys::random::fill_for_store(&mut nonce)?;
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(MAGIC);
    for value in [FORMAT_VERSION, MEMORY_KIB, ITERATIONS, PARALLELISM] {
        header.extend_from_slice(&value.to_le_bytes());
    }
    header.extend_from_slice(&salt);
    header.extend_from_slice(&nonce);

    let cipher_key = derive(passphrase, &salt, MEMORY_KIB, ITERATIONS, PARALLELISM)?;
    let mut plain = Zeroizing::new(Vec::with_capacity(32 + database.len()));
    plain.extend_from_slice(key.for_backup());
    plain.extend_from_slice(database);
    let sealed = XChaCha20Poly1305::new((&*cipher_key).into())
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &plain,
                aad: &header,
            },
        )
        .map_err(|_| CoreError::Store("could not encrypt the backup".into()))?;

    let mut file = header;
    file.extend_from_slice(&sealed);
    let checksum = Sha256::digest(&file);
    file.extend_from_slice(&checksum);
    Ok(file)
}

pub(crate) fn unseal(file: &[u8], passphrase: &str) -> Result<Unsealed> {
    let not_a_backup = || CoreError::Invalid("this file is not a Latchkey backup".into());
    if file.len() < HEADER_LEN + 32 + TAG_LEN + CHECKSUM_LEN || &file[..16] != MAGIC {
        return Err(not_a_backup());
    }
    let (body, checksum) = file.split_at(file.len() - CHECKSUM_LEN);
    if Sha256::digest(body).as_slice() != checksum {
        return Err(CoreError::Invalid(
            "the backup file is damaged or was changed; nothing was restored".into(),
        ));
    }
    let word = |index: usize| {
        let at = 16 + 4 * index;
        u32::from_le_bytes([file[at], file[at + 1], file[at + 2], file[at + 3]])
    };
    let (version, memory, iterations, parallelism) = (word(0), word(1), word(2), word(3));
    if version != FORMAT_VERSION {
        return Err(CoreError::Invalid(format!(
            "this backup has format version {version}, which this latchkey does not read; upgrade \
                latchkey"
        )));
    }
    if memory > MAX_MEMORY_KIB || iterations > MAX_ITERATIONS || parallelism > MAX_PARALLELISM {
        return Err(not_a_backup());
    }
    let (header, sealed) = body.split_at(HEADER_LEN);
    let salt = &header[32..48];
    let nonce = &header[48..72];
    let cipher_key = derive(passphrase, salt, memory, iterations, parallelism)?;
    let plain = XChaCha20Poly1305::new((&*cipher_key).into())
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: header,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| {
            CoreError::Invalid(
                "wrong passphrase for this backup (or the backup was deliberately altered); \
                    nothing was restored"
                    .into(),
            )
        })?;
    let mut key = [0u8; 32];
    key.copy_from_slice(&plain[..32]);
    Ok(Unsealed {
        key: MasterKey::from_backup(key),
        database: Zeroizing::new(plain[32..].to_vec()),
    })
}

fn derive(
    passphrase: &str,
    salt: &[u8],
    memory: u32,
    iterations: u32,
    parallelism: u32,
) -> Result<Zeroizing<[u8; 32]>> {
    let params = Params::new(memory, iterations, parallelism, Some(32))
        .map_err(|_| CoreError::Invalid("this file is not a Latchkey backup".into()))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut *out)
        .map_err(|e| CoreError::Store(format!("could not derive the backup key: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSPHRASE: &str = "correct horse battery staple";

    fn sealed() -> Vec<u8> {
        seal(
            &MasterKey::from_backup([9u8; 32]),
            b"database bytes",
            PASSPHRASE,
        )
        .unwrap()
    }

    #[test]
    fn a_sealed_backup_opens_with_its_passphrase_only() {
        let file = sealed();
        let opened = unseal(&file, PASSPHRASE).unwrap();
        assert_eq!(opened.key.for_backup(), &[9u8; 32]);
        assert_eq!(opened.database.as_slice(), b"database bytes");
        let wrong = unseal(&file, "correct horse battery stapler")
            .err()
            .unwrap();
        assert!(wrong.to_string().contains("wrong passphrase"), "{wrong}");
    }

    #[test]
    fn neither_the_key_nor_the_data_is_readable_in_the_file() {
        let file = sealed();
        assert!(!file.windows(8).any(|w| w == [9u8; 8]));
        assert!(!file.windows(8).any(|w| w == b"database"));
    }

    #[test]
    fn any_changed_byte_is_refused() {
        let file = sealed();
        for at in [0, 20, 40, 60, 80, file.len() - 40, file.len() - 1] {
            let mut changed = file.clone();
            changed[at] ^= 1;
            assert!(unseal(&changed, PASSPHRASE).is_err(), "byte {at}");
        }
    }

    #[test]
    fn a_change_with_a_recomputed_checksum_still_fails_the_seal() {
        let mut file = sealed();
        let body_len = file.len() - CHECKSUM_LEN;
        file[HEADER_LEN + 3] ^= 1;
        let checksum = Sha256::digest(&file[..body_len]);
        file[body_len..].copy_from_slice(&checksum);
        let error = unseal(&file, PASSPHRASE).err().unwrap();
        assert!(error.to_string().contains("altered"), "{error}");
    }

    #[test]
    fn a_header_asking_for_huge_argon2_memory_is_refused_before_hashing() {
        let mut file = sealed();
        file[20..24].copy_from_slice(&u32::MAX.to_le_bytes());
        let body_len = file.len() - CHECKSUM_LEN;
        let checksum = Sha256::digest(&file[..body_len]);
        file[body_len..].copy_from_slice(&checksum);
        let error = unseal(&file, PASSPHRASE).err().unwrap();
        assert!(
            error.to_string().contains("not a Latchkey backup"),
            "{error}"
        );
    }

    #[test]
    fn short_or_foreign_files_are_not_backups() {
        for file in [&b""[..], b"SQLite format 3\0", &[0u8; 200]] {
            let error = unseal(file, PASSPHRASE).err().unwrap();
            assert!(
                error.to_string().contains("not a Latchkey backup"),
                "{error}"
            );
        }
    }
}
