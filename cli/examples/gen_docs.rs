//! Writes the man page and the shell completions of `latchkey`, generated from its clap
//! definition, into a folder (the installers' files; scripts/stage-installer-files runs it):
//!
//!     cargo run -p latchkey-cli --example gen_docs -- OUT
//!
//! OUT/latchkey.1 (roff), OUT/latchkey.bash, OUT/_latchkey (zsh), OUT/latchkey.fish.
use std::path::PathBuf;
use std::process::ExitCode;

use clap_complete::Shell;

fn main() -> ExitCode {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: gen_docs OUT");
        return ExitCode::from(2);
    };
    match write(&out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gen_docs: {}: {error}", out.display());
            ExitCode::FAILURE
        }
    }
}

fn write(out: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    let command = latchkey_cli::command();
    let name = command.get_name().to_string();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page)?;
    std::fs::write(out.join(format!("{name}.1")), page)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut command.clone(), &name, out)?;
    }
    Ok(())
}
