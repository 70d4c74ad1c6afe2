//! `scripts/run --demo`: fills a new store in FOLDER (`latchkey.db`, with its key in
//! `installation.key`) with the demo organisation of `latchkey_tests::demo`, through the real CLI.
use latchkey_tests::{Env, demo};

fn main() {
    let Some(folder) = std::env::args_os().nth(1).map(std::path::PathBuf::from) else {
        eprintln!("usage: demo_store FOLDER");
        std::process::exit(2);
    };
    let mut env = Env::new();
    env.db = folder.join("latchkey.db");
    env.key = folder.join("installation.key");
    demo::seed(&env);
    eprintln!(
        "A demo organisation, {}, in {}. {}",
        demo::DEMO_ORGANISATION,
        folder.display(),
        demo::sign_in_hint()
    );
}
