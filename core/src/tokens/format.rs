//! The token format of SPEC §3: `lk_` + 43 base62 characters of 32 random bytes + 6 base62
//! characters of the CRC-32 of those 43 characters. Parsing touches neither store nor key.
use crate::keys::Secret;

/// Every token starts with this.
pub const PREFIX: &str = crate::model::TOKEN_PREFIX;
/// The length of a token.
pub const TOKEN_LEN: usize = 52;
const BODY_LEN: usize = 43;
const CHECKSUM_LEN: usize = 6;
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Writes a big-endian number in base62, left-padded with `0` to `width` characters.
fn base62(bytes: &[u8], width: usize) -> String {
    let mut number = bytes.to_vec();
    let mut digits = Vec::with_capacity(width);
    while number.iter().any(|&b| b != 0) {
        let mut remainder: u32 = 0;
        for byte in number.iter_mut() {
            let value = (remainder << 8) | u32::from(*byte);
            *byte = (value / 62) as u8;
            remainder = value % 62;
        }
        digits.push(ALPHABET[remainder as usize]);
    }
    while digits.len() < width {
        digits.push(b'0');
    }
    digits.reverse();
    number.iter_mut().for_each(|b| *b = 0);
    String::from_utf8(digits).unwrap_or_default()
}

fn checksum(body: &str) -> String {
    base62(
        &crc32fast::hash(body.as_bytes()).to_be_bytes(),
        CHECKSUM_LEN,
    )
}

/// Builds a token from 32 random bytes.
pub fn encode(random: &[u8; 32]) -> Secret {
    let body = base62(random, BODY_LEN);
    let sum = checksum(&body);
    Secret::new(format!("{PREFIX}{body}{sum}"))
}

/// A fresh token from the operating system's CSPRNG.
pub fn generate() -> crate::Result<Secret> {
    let mut random = [0u8; 32];
    crate::keys::random::fill_for_store(&mut random)?;
    let token = encode(&random);
    random.iter_mut().for_each(|b| *b = 0);
    Ok(token)
}

/// True when `text` has the shape and checksum of a Latchkey token.
pub fn is_well_formed(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != TOKEN_LEN || !text.starts_with(PREFIX) {
        return false;
    }
    let rest = &text[PREFIX.len()..];
    if !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    let (body, sum) = rest.split_at(BODY_LEN);
    checksum(body) == sum
}

/// The non-secret hint shown in lists: `lk_…` and the last four characters.
pub fn hint(token: &str) -> String {
    let tail = token.get(token.len().saturating_sub(4)..).unwrap_or("");
    format!("{PREFIX}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_never_echo_a_token() {
        let token = generate().unwrap();
        for pasted in [
            token.expose().to_string(),
            format!("user {}", token.expose()),
            token.expose()[..20].to_string(),
        ] {
            let shown = crate::validate::shorten(&pasted);
            assert_eq!(shown, "<a token, not shown>", "{pasted:?}");
        }
        assert_eq!(crate::validate::shorten("lk_short"), "lk_short");
        assert_eq!(crate::validate::shorten("alice"), "alice");
    }

    #[test]
    fn zero_bytes_encode_to_zero_padding_and_the_crc_of_it() {
        let token = encode(&[0u8; 32]);
        let expected_body = "0".repeat(43);
        assert!(token.expose().starts_with(&format!("lk_{expected_body}")));
        assert_eq!(token.expose().len(), 52);
        assert!(is_well_formed(token.expose()));
    }

    #[test]
    fn all_ones_is_the_largest_body_and_fits_43_characters() {
        let token = encode(&[0xff; 32]);
        assert_eq!(token.expose().len(), 52);
        // 2^256 - 1 in base62 starts with this digit; a wrong width would shift it.
        assert_ne!(&token.expose()[3..4], "0");
        assert!(is_well_formed(token.expose()));
    }

    #[test]
    fn base62_is_big_endian_and_matches_small_numbers() {
        assert_eq!(base62(&[0, 61], 3), "00z");
        assert_eq!(base62(&[0, 62], 3), "010");
        assert_eq!(base62(&[1, 0], 2), "48"); // 256 = 4*62 + 8
    }

    #[test]
    fn checksum_is_crc32_ieee_of_the_body() {
        // CRC-32 (zlib) of "123456789" is 0xCBF43926 = 3421780262; in base62 "3jZRME" (padded to
        // 6).
        assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
        assert_eq!(
            checksum("123456789"),
            base62(&0xCBF4_3926u32.to_be_bytes(), 6)
        );
    }

    #[test]
    fn malformed_tokens_are_rejected() {
        let good = generate().unwrap();
        let good = good.expose();
        assert!(is_well_formed(good));
        assert!(!is_well_formed(""));
        assert!(!is_well_formed(&good[..51]));
        assert!(!is_well_formed(&format!("{good}x")));
        assert!(!is_well_formed(&good.replacen("lk_", "lx_", 1)));
        let mut typo = good.as_bytes().to_vec();
        typo[10] = if typo[10] == b'a' { b'b' } else { b'a' };
        assert!(!is_well_formed(std::str::from_utf8(&typo).unwrap()));
        assert!(!is_well_formed(&format!("{}-{}", &good[..20], &good[21..])));
    }

    #[test]
    fn hint_is_prefix_and_last_four() {
        let token = generate().unwrap();
        let hint = hint(token.expose());
        assert!(hint.starts_with("lk_…"));
        assert!(token.expose().ends_with(&hint["lk_…".len()..]));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// Every position, every printable replacement: the checksum (or the prefix) catches it.
        #[test]
        fn every_generated_token_parses_and_every_single_character_change_is_rejected(
            random in proptest::array::uniform32(proptest::num::u8::ANY),
            position in 0usize..52,
            replacement in 0x20u8..0x7f,
        ) {
            let token = encode(&random);
            let text = token.expose();
            proptest::prop_assert!(is_well_formed(text));
            proptest::prop_assert!(regex_like_pattern(text));
            let mut changed = text.as_bytes().to_vec();
            proptest::prop_assume!(changed[position] != replacement);
            changed[position] = replacement;
            proptest::prop_assert!(!is_well_formed(std::str::from_utf8(&changed).unwrap()));
        }

        #[test]
        fn parser_never_panics(text in ".{0,80}") {
            let _ = is_well_formed(&text);
            let _ = hint(&text);
        }
    }

    /// `lk_[0-9A-Za-z]{49}`, the pattern secret scanners use.
    fn regex_like_pattern(text: &str) -> bool {
        text.len() == 52
            && text.starts_with("lk_")
            && text[3..].bytes().all(|b| b.is_ascii_alphanumeric())
    }
}
