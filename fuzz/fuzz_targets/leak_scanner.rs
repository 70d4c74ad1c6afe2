//! The leak check's scanner (SPEC §5 "Leak check") on any bytes: it never panics, reports
//! exactly the places where a checksum-valid token starts (checked against a naive search),
//! with the right line and column, and reading in small chunks finds the same as reading at once.
#![no_main]
use latchkey_core::leaks::{find_in_bytes, find_in_chunks};
use latchkey_core::tokens::format::{TOKEN_LEN, is_well_formed};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let found = find_in_bytes(data);
    let expected: Vec<(u64, u64, &str)> = (0..data.len().saturating_sub(TOKEN_LEN - 1))
        .filter_map(|start| {
            let text = std::str::from_utf8(&data[start..start + TOKEN_LEN]).ok()?;
            is_well_formed(text).then(|| {
                let before = &data[..start];
                let line_start = before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
                let column = before[line_start..]
                    .iter()
                    .filter(|&&b| (b as i8) >= -0x40)
                    .count() as u64
                    + 1;
                (line, column, text)
            })
        })
        .collect();
    let seen: Vec<(u64, u64, &str)> = found
        .iter()
        .map(|s| (s.line, s.column, s.token.expose()))
        .collect();
    assert_eq!(seen, expected, "the scanner and a naive search disagree");
    for s in &found {
        assert!(is_well_formed(s.token.expose()));
    }
    let chunk = TOKEN_LEN + usize::from(data.first().copied().unwrap_or(0));
    let mut buffer = Vec::new();
    let chunked = find_in_chunks(data, &mut buffer, 0, chunk).expect("reading a slice fails");
    let chunked: Vec<(u64, u64, &str)> = chunked
        .iter()
        .map(|s| (s.line, s.column, s.token.expose()))
        .collect();
    assert_eq!(chunked, seen, "chunked reading found something else");
});
