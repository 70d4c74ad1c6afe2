//! The binary starts and describes itself. (Being an integration test of this crate, it also
//! makes `cargo test --workspace` build `latchkey`, which the black-box tests in tests/ run.)
use std::process::Command;

#[test]
fn help_lists_every_command_group_of_the_spec() {
    let output = Command::new(env!("CARGO_BIN_EXE_latchkey"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for command in [
        "init",
        "users",
        "groups",
        "grant",
        "ungrant",
        "systems",
        "tokens",
        "verify",
        "reminders",
        "audit",
        "doctor",
    ] {
        assert!(help.contains(command), "{command} missing from --help");
    }
}

#[test]
fn an_unknown_command_is_a_usage_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_latchkey"))
        .arg("frobnicate")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}
