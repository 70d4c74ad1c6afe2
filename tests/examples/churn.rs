//! Creates and revokes tokens through core until killed, printing `created ID` or `revoked ID`
//! only after each commit returned: the crash-safety test's victim. Usage: churn STORE KEY_FILE
//! USER, with the password in LATCHKEY_PASSWORD.
use std::sync::Arc;

use latchkey_core::{Authority, KeySource, NewToken, SystemClock};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, store, key, user] = args.as_slice() else {
        eprintln!("usage: churn STORE KEY_FILE USER (password in LATCHKEY_PASSWORD)");
        std::process::exit(2);
    };
    let password = std::env::var("LATCHKEY_PASSWORD").unwrap_or_default();
    let mut authority = Authority::open(
        store.as_ref(),
        &KeySource::File(key.into()),
        Arc::new(SystemClock),
    )
    .expect("open the store");
    let actor = authority.authenticate(user, &password).expect("sign in");
    println!("ready");
    for i in 0u64.. {
        let request = NewToken {
            name: format!("churn {i}"),
            expires_in_days: None,
            systems: None,
        };
        let id = authority
            .create_token(actor, &request)
            .expect("create")
            .token
            .id;
        println!("created {id}");
        // Every other token is revoked at once, so both states are in flight when the kill lands.
        if i % 2 == 0 {
            authority.revoke_token(actor, &id).expect("revoke");
            println!("revoked {id}");
        }
    }
}
