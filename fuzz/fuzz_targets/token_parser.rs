//! The token parser (SPEC §3) on any bytes: it never panics, accepts only the scanners' shape
//! `lk_[0-9A-Za-z]{49}` with a matching checksum, and any single-character change of an accepted
//! token is rejected.
#![no_main]
use latchkey_core::tokens::format::{PREFIX, TOKEN_LEN, hint, is_well_formed};
use latchkey_core::tokens::verify::precheck;
use libfuzzer_sys::fuzz_target;

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let accepted = is_well_formed(&text);
    assert_eq!(
        precheck(&text).is_none(),
        accepted,
        "precheck and parser disagree"
    );
    assert!(hint(&text).starts_with("lk_…"));
    if !accepted {
        return;
    }
    assert_eq!(text.len(), TOKEN_LEN);
    assert!(text.starts_with(PREFIX));
    assert!(
        text[PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric())
    );
    for position in 0..TOKEN_LEN {
        for &replacement in ALPHABET {
            let mut changed = text.as_bytes().to_vec();
            if changed[position] == replacement {
                continue;
            }
            changed[position] = replacement;
            let changed = String::from_utf8(changed).unwrap_or_default();
            assert!(
                !is_well_formed(&changed),
                "a one-character change passed: {changed}"
            );
        }
    }
});
