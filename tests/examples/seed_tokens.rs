//! Adds N tokens for an account straight through core, for the bench script (creating 10 000
//! through the CLI would take minutes). Usage: seed_tokens STORE KEY_FILE USER N, with the
//! password in LATCHKEY_PASSWORD.
use std::sync::Arc;

use latchkey_core::{Authority, KeySource, SystemClock};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, store, key, user, count] = args.as_slice() else {
        eprintln!("usage: seed_tokens STORE KEY_FILE USER N (password in LATCHKEY_PASSWORD)");
        std::process::exit(2);
    };
    let password = std::env::var("LATCHKEY_PASSWORD").unwrap_or_default();
    let count: usize = count.parse().expect("N is a number");
    let mut authority = Authority::open(
        store.as_ref(),
        &KeySource::File(key.into()),
        Arc::new(SystemClock),
    )
    .expect("open the store");
    let actor = authority.authenticate(user, &password).expect("sign in");
    authority
        .seed_tokens_for_benchmarks(actor, count)
        .expect("seed");
}
