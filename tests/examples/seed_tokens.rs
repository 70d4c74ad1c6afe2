//! Adds N tokens for an account straight through core, for the bench script (creating 10 000
//! through the CLI would take minutes). Usage: seed_tokens STORE KEY_FILE USER N, with the
//! password in LATCHKEY_PASSWORD.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, store, key, user, count] = args.as_slice() else {
        eprintln!("usage: seed_tokens STORE KEY_FILE USER N (password in LATCHKEY_PASSWORD)");
        std::process::exit(2);
    };
    let password = std::env::var("LATCHKEY_PASSWORD").unwrap_or_default();
    let count: usize = count.parse().expect("N is a number");
    let (mut authority, actor) =
        latchkey_tests::open_store_as(store.as_ref(), key.as_ref(), user, &password);
    authority
        .seed_tokens_for_benchmarks(actor, count)
        .expect("seed");
}
