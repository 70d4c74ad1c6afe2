//! Embeds `../migrations/NNN-name/up.sql` so the binary carries its own schema.
use std::{env, fs, path::PathBuf};

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../migrations");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<(u32, String, PathBuf)> = Vec::new();
    for entry in fs::read_dir(&dir).expect("migrations directory") {
        let entry = entry.expect("migrations entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((number, _)) = name.split_once('-') else {
            panic!("migration folder {name} must be named NNN-name");
        };
        let version: u32 = number.parse().expect("migration number");
        let up = entry.path().join("up.sql");
        println!("cargo:rerun-if-changed={}", up.display());
        entries.push((version, name, fs::canonicalize(&up).expect("up.sql")));
    }
    entries.sort();
    let mut code = String::from("pub(crate) const MIGRATIONS: &[Migration] = &[\n");
    for (version, name, path) in entries {
        code.push_str(&format!(
            "    Migration {{ version: {version}, name: {name:?}, sql: include_str!({:?}) }},\n",
            path.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("migrations.rs");
    fs::write(out, code).expect("write migrations.rs");
}
