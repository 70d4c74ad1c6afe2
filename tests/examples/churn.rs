//! Creates and revokes tokens through core until killed, printing `created ID` or `revoked ID`
//! only after each commit returned: the crash-safety test's victim. Usage: churn STORE KEY_FILE
//! USER, with the password in LATCHKEY_PASSWORD.
use latchkey_core::NewToken;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, store, key, user] = args.as_slice() else {
        eprintln!("usage: churn STORE KEY_FILE USER (password in LATCHKEY_PASSWORD)");
        std::process::exit(2);
    };
    let password = std::env::var("LATCHKEY_PASSWORD").unwrap_or_default();
    let (mut authority, actor) =
        latchkey_tests::open_store_as(store.as_ref(), key.as_ref(), user, &password);
    println!("ready");
    for i in 0u64.. {
        let request = NewToken {
            name: format!("churn {i}"),
            expires_in_days: None,
            systems: None,
            ..NewToken::default()
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
