//! The TypeScript the UI calls Rust through, generated from this crate: one wrapper per command,
//! taking its arguments as one named object, and every type the commands and events carry
//! (ts-rs). The command list comes from build.rs, which reads the `#[tauri::command]` functions in
//! `src/commands/*.rs`; argument and result types are the Rust types, named by ts-rs.
//! `cargo test -p latchkey-app bindings` fails when the checked-in files differ;
//! `UPDATE_BINDINGS=1 cargo test -p latchkey-app bindings` rewrites them.
use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};

use ts_rs::{TS, TypeVisitor};

/// A command as build.rs read it from its function.
pub struct CommandSignature {
    pub name: &'static str,
    /// The TypeScript wrapper's name (`list_tokens` → `listTokens`).
    pub wrapper: &'static str,
    /// Its doc comment, one line each.
    pub docs: &'static [&'static str],
    /// Each argument the window sends: its name (camelCase, as Tauri expects it) and type.
    pub args: &'static [(&'static str, TsType)],
    pub ok: TsType,
    pub err: TsType,
}

/// A Rust type's TypeScript name; it records in the collector the files that name needs.
pub type TsType = fn(&mut Collector) -> String;

/// What a command returns: `Result<Ok, Err>` (the `Ok` reaches the window, the `Err` rejects).
pub trait CommandReturn {
    type Ok;
    type Err;
}

impl<T, E> CommandReturn for Result<T, E> {
    type Ok = T;
    type Err = E;
}

// `COMMAND_NAMES` and `COMMANDS`, written by build.rs.
include!(concat!(env!("OUT_DIR"), "/commands.rs"));

/// The generated files' folder, relative to this crate.
pub const BINDINGS_DIR: &str = "../ui/src/lib/bindings";

/// The TypeScript files a set of types needs: each exported type's file, and the imports of the
/// file being written.
pub struct Collector {
    config: ts_rs::Config,
    /// TypeScript name → module path (`./TokenView`).
    imports: BTreeMap<String, String>,
    /// File name → content, or why it could not be made.
    files: BTreeMap<String, Result<String, String>>,
    seen: HashSet<TypeId>,
}

impl Collector {
    fn new() -> Self {
        Collector {
            // JavaScript numbers: every integer the app sends is far below 2^53.
            config: ts_rs::Config::new().with_large_int("number"),
            imports: BTreeMap::new(),
            files: BTreeMap::new(),
            seen: HashSet::new(),
        }
    }

    /// Writes `T`'s file, and those of every type it names, if they are exported types.
    fn export<T: TS + ?Sized + 'static>(&mut self) {
        Exporter(self).visit::<T>();
    }
}

/// `T`'s TypeScript name; its file, and those of the types it holds, are imported and exported.
pub fn ts<T: TS + ?Sized + 'static>(collector: &mut Collector) -> String {
    Importer(collector).visit::<T>();
    T::visit_generics(&mut Importer(collector));
    T::name(&collector.config)
}

struct Importer<'a>(&'a mut Collector);

impl TypeVisitor for Importer<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if let Some(path) = T::output_path() {
            let module = path.with_extension("").display().to_string();
            self.0
                .imports
                .insert(T::ident(&self.0.config), format!("./{module}"));
            self.0.export::<T>();
        }
    }
}

struct Exporter<'a>(&'a mut Collector);

impl TypeVisitor for Exporter<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if !self.0.seen.insert(TypeId::of::<T>()) {
            return;
        }
        if let Some(path) = T::output_path() {
            let content = T::export_to_string(&self.0.config).map_err(|e| e.to_string());
            self.0.files.insert(path.display().to_string(), content);
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

fn wrapper(command: &CommandSignature, collector: &mut Collector) -> String {
    let args: Vec<String> = command
        .args
        .iter()
        .map(|(name, ty)| format!("{name}: {}", ty(collector)))
        .collect();
    let ok = (command.ok)(collector);
    // The rejection's type has its file (ipc.ts uses it) but no import here.
    let imports = collector.imports.clone();
    (command.err)(collector);
    collector.imports = imports;
    let mut out = String::from("\n");
    if !command.docs.is_empty() {
        out.push_str("/**\n");
        for line in command.docs {
            out.push_str(&format!(" * {}\n", line.replace("*/", "*\\/")).replace(" \n", "\n"));
        }
        out.push_str(" */\n");
    }
    let (params, object) = if args.is_empty() {
        (String::new(), "{}")
    } else {
        (format!("args: {{ {} }}", args.join(", ")), "args")
    };
    let (function, name) = (command.wrapper, command.name);
    out.push_str(&format!(
        "export function {function}({params}): Promise<{ok}> {{\n  \
         return call<{ok}>(\"{name}\", {object});\n}}\n"
    ));
    out
}

/// Every generated file: (file name, content).
pub fn generated() -> Result<Vec<(String, String)>, String> {
    let mut collector = Collector::new();
    collector.export::<crate::events::AppEvent>();
    let wrappers: Vec<String> = COMMANDS
        .iter()
        .map(|command| wrapper(command, &mut collector))
        .collect();
    let mut commands = String::from(
        "// Generated by src-tauri/src/bindings.rs from the #[tauri::command] functions in\n\
         // src-tauri/src/commands/; do not edit. Regenerate with\n\
         // `UPDATE_BINDINGS=1 cargo test -p latchkey-app bindings`.\n\
         import { call } from \"../ipc\";\n",
    );
    for (name, module) in &collector.imports {
        commands.push_str(&format!("import type {{ {name} }} from \"{module}\";\n"));
    }
    commands.extend(wrappers);
    let mut files = vec![("commands.ts".to_string(), commands)];
    for (file, content) in collector.files {
        files.push((file.clone(), content.map_err(|e| format!("{file}: {e}"))?));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn bindings_are_up_to_date() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(super::BINDINGS_DIR);
        let update = std::env::var_os("UPDATE_BINDINGS").is_some();
        let generated = super::generated().unwrap();
        let mut stale = Vec::new();
        for (file, content) in &generated {
            let path = dir.join(file);
            if update {
                std::fs::write(&path, content).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
                stale.push(file.clone());
            }
        }
        // A file no command or event needs any more.
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if !generated.iter().any(|(file, _)| *file == name) {
                if update {
                    std::fs::remove_file(&path).unwrap();
                } else {
                    stale.push(name);
                }
            }
        }
        assert!(
            stale.is_empty(),
            "stale bindings {stale:?}: run `UPDATE_BINDINGS=1 cargo test -p latchkey-app bindings`"
        );
    }
}
