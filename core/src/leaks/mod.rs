//! The leak check (SPEC §5 "Leak check"): find tokens in files, folders, standard input or
//! pasted text (`find`, `files`), say what each is and whose (`findings`), and look one token
//! up with its history (`look_up`). Revoking what was found is `Authority::revoke_leaked_token`
//! in `tokens/`, which records where the token was found.
mod files;
mod find;
mod findings;
mod look_up;
mod printable;

pub use files::{ReadReport, STANDARD_INPUT, SightingAt, check_paths, read_paths, read_stream};
pub use find::{Sighting, find_in_bytes, find_in_chunks, find_in_reader};
pub use findings::{Finding, LeakStatus, Viewer, findings_without_store};
pub use look_up::{HISTORY_LIMIT, TokenLookup};
pub use printable::{printable, printable_path};
