//! The `latchkey` program.
use std::process::ExitCode;

fn main() -> ExitCode {
    let _ = latchkey_core::platform::process::harden();
    latchkey_core::platform::panic_report::install("latchkey");
    ExitCode::from(latchkey_cli::run(
        std::env::args_os(),
        latchkey_cli::Stdin::new(),
    ))
}
