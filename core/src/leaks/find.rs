//! Finding tokens in bytes (SPEC §5 "Leak check"): every `lk_` followed by 49 letters and digits
//! whose checksum holds, wherever it sits (a URL-encoded `%3Dlk_…` or a token glued to other
//! text is still a leak; the checksum, not the neighbours, rules out false alarms). Pure: no
//! store, no key. Text is read in chunks, so a file of any size or a pipe costs one buffer.
use std::io::{self, Read};

use memchr::memmem;

use crate::keys::Secret;
use crate::tokens::format::{self, PREFIX, TOKEN_LEN};

/// A token seen in some text: where (1-based line and column) and the token itself, kept
/// secret.
#[derive(Debug)]
pub struct Sighting {
    /// The line, counting `\n` (a CRLF file counts the same).
    pub line: u64,
    /// The column in characters (for invalid UTF-8, in bytes that begin a character).
    pub column: u64,
    /// The token; shown only as its hint.
    pub token: Secret,
}

/// How much a reader is asked for at a time: most files fit in one chunk, so their lines are
/// counted only up to the last token found.
const CHUNK: usize = 4 << 20;

/// Every token in `data`, in order.
pub fn find_in_bytes(data: &[u8]) -> Vec<Sighting> {
    let mut finder = TokenFinder::default();
    let mut found = Vec::new();
    finder.scan(data, true, &mut found);
    found
}

/// Every token in what `reader` yields, read in chunks into `buffer` (reused between calls).
/// `first` is what was already read from it (the bytes a binary check looked at).
pub fn find_in_reader(
    reader: impl Read,
    buffer: &mut Vec<u8>,
    first: usize,
) -> io::Result<Vec<Sighting>> {
    find_in_chunks(reader, buffer, first, CHUNK)
}

/// [`find_in_reader`] with a chunk of `chunk` bytes (at least a token's length): the fuzzer
/// checks that chunk boundaries change nothing.
pub fn find_in_chunks(
    mut reader: impl Read,
    buffer: &mut Vec<u8>,
    first: usize,
    chunk: usize,
) -> io::Result<Vec<Sighting>> {
    let mut finder = TokenFinder::default();
    let mut found = Vec::new();
    let mut filled = first;
    loop {
        let eof = fill(&mut reader, buffer, &mut filled, chunk)?;
        let consumed = finder.scan(&buffer[..filled], eof, &mut found);
        if eof {
            return Ok(found);
        }
        // Keep the tail a token may start in.
        buffer.copy_within(consumed..filled, 0);
        filled -= consumed;
    }
}

/// Reads into `buffer[*filled..]` until it holds a chunk or the reader ends; true at the end.
pub(super) fn fill_chunk(
    reader: &mut impl Read,
    buffer: &mut Vec<u8>,
    filled: &mut usize,
) -> io::Result<bool> {
    fill(reader, buffer, filled, CHUNK)
}

fn fill(
    reader: &mut impl Read,
    buffer: &mut Vec<u8>,
    filled: &mut usize,
    chunk: usize,
) -> io::Result<bool> {
    let want = chunk.max(*filled + TOKEN_LEN);
    if buffer.len() < want {
        buffer.resize(want, 0);
    }
    while *filled < buffer.len() {
        match reader.read(&mut buffer[*filled..]) {
            Ok(0) => return Ok(true),
            Ok(n) => *filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

/// Scans chunk after chunk, carrying the line and column across them.
struct TokenFinder {
    prefix: memmem::Finder<'static>,
    counted: Position,
}

/// How far lines have been counted.
struct Position {
    /// The 1-based line at the position counted up to.
    line: u64,
    /// Characters of that line before the position counted up to.
    column: u64,
}

impl Default for TokenFinder {
    fn default() -> Self {
        TokenFinder {
            prefix: memmem::Finder::new(PREFIX.as_bytes()),
            counted: Position { line: 1, column: 0 },
        }
    }
}

impl TokenFinder {
    /// Reports the tokens that start in `chunk` (all of it at the end of the input, otherwise
    /// all but the last `TOKEN_LEN - 1` bytes, which the next chunk begins with) and returns
    /// how many bytes it is done with. Lines are counted only as far as needed.
    fn scan(&mut self, chunk: &[u8], eof: bool, found: &mut Vec<Sighting>) -> usize {
        let done = if eof {
            chunk.len()
        } else {
            chunk.len().saturating_sub(TOKEN_LEN - 1)
        };
        let mut counted = 0;
        for start in self.prefix.find_iter(chunk) {
            if start >= done {
                break;
            }
            let Some(token) = token_at(chunk, start) else {
                continue;
            };
            self.counted.advance(&chunk[counted..start]);
            counted = start;
            found.push(Sighting {
                line: self.counted.line,
                column: self.counted.column + 1,
                token: Secret::new(token.to_string()),
            });
        }
        if !eof {
            self.counted.advance(&chunk[counted..done]);
        }
        done
    }
}

impl Position {
    fn advance(&mut self, bytes: &[u8]) {
        match memchr::memrchr(b'\n', bytes) {
            None => self.column += characters(bytes),
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', &bytes[..=last]).count() as u64;
                self.column = characters(&bytes[last + 1..]);
            }
        }
    }
}

/// The token starting at `start`, when the 52 bytes there are one.
fn token_at(chunk: &[u8], start: usize) -> Option<&str> {
    let candidate = chunk.get(start..start + TOKEN_LEN)?;
    if !candidate[PREFIX.len()..]
        .iter()
        .all(u8::is_ascii_alphanumeric)
    {
        return None;
    }
    let text = std::str::from_utf8(candidate).ok()?;
    format::is_well_formed(text).then_some(text)
}

/// Bytes that begin a UTF-8 character (all but continuation bytes).
fn characters(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(seed: u8) -> String {
        format::encode(&[seed; 32]).expose().to_string()
    }

    fn positions(found: &[Sighting]) -> Vec<(u64, u64, String)> {
        found
            .iter()
            .map(|s| (s.line, s.column, s.token.expose().to_string()))
            .collect()
    }

    #[test]
    fn finds_tokens_with_their_lines_and_character_columns() {
        let (a, b) = (token(1), token(2));
        let text = format!("{a}\r\nx = \"{b}\"\n  é→{a}");
        let found = find_in_bytes(text.as_bytes());
        assert_eq!(
            positions(&found),
            vec![(1, 1, a.clone()), (2, 6, b), (3, 5, a)]
        );
    }

    #[test]
    fn a_broken_checksum_or_a_short_body_is_not_a_token() {
        let good = token(3);
        let mut broken = good.clone().into_bytes();
        broken[20] = if broken[20] == b'a' { b'b' } else { b'a' };
        let broken = String::from_utf8(broken).unwrap();
        let text = format!("{broken} {} lk_ lk_lk_ {}", &good[..51], &good[..40]);
        assert!(find_in_bytes(text.as_bytes()).is_empty());
    }

    #[test]
    fn tokens_glued_to_other_text_and_inside_urls_are_found() {
        let t = token(4);
        let text = format!("q=a%3D{t}&x=1 AAAA{t}BBBB");
        let found = find_in_bytes(text.as_bytes());
        assert_eq!(positions(&found), vec![(1, 7, t.clone()), (1, 68, t)]);
    }

    #[test]
    fn chunk_boundaries_split_nothing_and_keep_the_count() {
        let t = token(5);
        // Put a token across every possible boundary of a small reader.
        for pad in 0..60 {
            let text = format!("{}\n{}{t}\n{t}", "a".repeat(pad), "é".repeat(pad));
            let mut buffer = Vec::new();
            let found = find_in_chunks(TinyReads(text.as_bytes()), &mut buffer, 0, 60).unwrap();
            assert_eq!(
                positions(&found),
                vec![(2, pad as u64 + 1, t.clone()), (3, 1, t.clone())],
                "pad {pad}"
            );
        }
    }

    /// Hands out at most 7 bytes a read.
    struct TinyReads<'a>(&'a [u8]);
    impl Read for TinyReads<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(out.len()).min(7);
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn long_lines_across_chunks_keep_their_columns() {
        let t = token(6);
        let mut finder = TokenFinder::default();
        let mut found = Vec::new();
        let first = "x".repeat(1000);
        let done = finder.scan(first.as_bytes(), false, &mut found);
        assert_eq!(done, 1000 - (TOKEN_LEN - 1));
        let rest = format!("{}{t}", &first[done..]);
        finder.scan(rest.as_bytes(), true, &mut found);
        assert_eq!(positions(&found), vec![(1, 1001, t)]);
    }
}
