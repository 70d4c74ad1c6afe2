//! File names as a leak check shows them: a name may hold anything, so control and invisible
//! characters are escaped (a name must not clear a terminal or forge a line of output) and a
//! token in a name is cut to its hint (a scan never prints a whole token).
use std::path::Path;

use super::find::find_in_bytes;
use crate::tokens::format::hint;
use crate::validate::is_forbidden_char;

/// `path` as printed and recorded: lossy UTF-8, `\u{…}` for control and invisible characters,
/// tokens as their hints.
pub fn printable_path(path: &Path) -> String {
    printable(&path.to_string_lossy())
}

/// `text` with control and invisible characters escaped and tokens cut to their hints.
pub fn printable(text: &str) -> String {
    let mut shown = text.to_string();
    for seen in find_in_bytes(text.as_bytes()) {
        shown = shown.replace(seen.token.expose(), &hint(seen.token.expose()));
    }
    shown
        .chars()
        .map(|c| match is_forbidden_char(c) {
            true => c.escape_unicode().to_string(),
            false => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::format;

    #[test]
    fn control_characters_are_escaped_and_tokens_cut_to_their_hints() {
        let token = format::encode(&[3; 32]).expose().to_string();
        let name = format!("a\n\u{1b}[2J\u{202e}b/{token}.txt");
        let shown = printable(&name);
        assert_eq!(
            shown,
            format!("a\\u{{a}}\\u{{1b}}[2J\\u{{202e}}b/{}.txt", hint(&token))
        );
        assert_eq!(printable("plain/name é.txt"), "plain/name é.txt");
    }
}
