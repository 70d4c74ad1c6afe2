//! The folder tree is layered: no two top-level modules of `core/src` import each other (if `a`
//! uses `crate::b`, `b` never uses `crate::a`). Read from the source, so a new import that closes
//! a loop fails here with the two modules named.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every top-level module of `src` (a `name.rs` or a `name/` folder, not `lib.rs`) and its files.
fn top_level_modules(src: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            modules.insert(name, rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") && name != "lib" {
            modules.insert(name, vec![path]);
        }
    }
    modules
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The names right after each `crate::`: `crate::a::x` names `a`, `crate::{a, b::{c}}` names `a`
/// and `b`.
fn referenced_modules(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in text.match_indices("crate::") {
        let rest = text[at + "crate::".len()..].trim_start();
        let Some(group) = rest.strip_prefix('{') else {
            names.insert(ident(rest));
            continue;
        };
        // The group's items at depth 0, each up to its comma.
        let (mut depth, mut item_start) = (0, true);
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => item_start = true,
                c if item_start && !c.is_whitespace() => {
                    names.insert(ident(&group[i..]));
                    item_start = false;
                }
                _ => {}
            }
        }
    }
    names.remove("");
    names
}

/// Pairs of modules that import each other, each pair once.
fn mutual_imports(imports: &BTreeMap<String, BTreeSet<String>>) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (a, uses) in imports {
        for b in uses.iter().filter(|b| *b > a) {
            if imports.get(b).is_some_and(|back| back.contains(a)) {
                pairs.push((a.clone(), b.clone()));
            }
        }
    }
    pairs
}

/// Which top-level modules each top-level module imports (itself left out).
fn imports_of(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let modules = top_level_modules(src);
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(name, files)| {
            let mut uses = BTreeSet::new();
            for file in files {
                let text = std::fs::read_to_string(file).unwrap();
                uses.extend(referenced_modules(&text));
            }
            uses.retain(|used| known.contains(used) && used != name);
            (name.clone(), uses)
        })
        .collect()
}

#[test]
fn no_two_top_level_modules_of_core_import_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let imports = imports_of(&src);
    assert!(imports.len() > 10, "read {imports:?}");
    assert!(
        imports["tokens"].contains("access"),
        "{:?}",
        imports["tokens"]
    );
    let pairs = mutual_imports(&imports);
    assert!(
        pairs.is_empty(),
        "these modules import each other (move what both need down into a lower module): \
         {pairs:?}"
    );
}

#[test]
fn a_deliberate_cycle_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir(src.join("b")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod a; mod b; mod c;").unwrap();
    std::fs::write(src.join("a.rs"), "use crate::c::X;\nuse crate::{b::Y, c};").unwrap();
    std::fs::write(src.join("b").join("mod.rs"), "mod inner;").unwrap();
    std::fs::write(
        src.join("b").join("inner.rs"),
        "use crate::{\n    a::{self, Z},\n};",
    )
    .unwrap();
    std::fs::write(src.join("c.rs"), "use crate::error::Result;").unwrap();
    let imports = imports_of(src);
    assert_eq!(imports["a"], BTreeSet::from(["b".into(), "c".into()]));
    assert_eq!(
        mutual_imports(&imports),
        [("a".to_string(), "b".to_string())]
    );
}
