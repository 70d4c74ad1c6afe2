//! SPEC §6.3, read from the files that configure the app.
use serde_json::Value;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn config() -> Value {
    serde_json::from_str(&read("tauri.conf.json")).unwrap()
}

fn csp_directive(name: &str) -> String {
    config()["app"]["security"]["csp"][name]
        .as_str()
        .unwrap_or_else(|| panic!("CSP has no {name}"))
        .to_string()
}

#[test]
fn with_global_tauri_is_off() {
    assert_eq!(config()["app"]["withGlobalTauri"], false);
}

#[test]
fn the_csp_allows_only_the_apps_own_scripts() {
    let script = csp_directive("script-src");
    for banned in [
        "unsafe-eval",
        "unsafe-inline",
        "data:",
        "blob:",
        "http:",
        "https:",
        "*",
    ] {
        assert!(
            !script.contains(banned),
            "script-src contains {banned}: {script}"
        );
    }
    assert_eq!(csp_directive("default-src"), "'self'");
    let connect = csp_directive("connect-src");
    assert!(
        connect.contains("ipc:") && connect.contains("http://ipc.localhost"),
        "{connect}"
    );
    // No remote source anywhere: only the app itself and its IPC.
    for directive in [
        "default-src",
        "script-src",
        "style-src",
        "img-src",
        "font-src",
        "connect-src",
    ] {
        for source in csp_directive(directive).split_whitespace() {
            assert!(
                ["'self'", "'none'", "ipc:", "http://ipc.localhost"].contains(&source),
                "{directive} allows {source}"
            );
        }
    }
}

/// SPEC 6.10: exactly the core permissions the window uses: listening to the app's events and
/// closing itself; no default set.
#[test]
fn the_window_gets_only_the_core_permissions_it_uses() {
    let capability: Value = serde_json::from_str(&read("capabilities/main.json")).unwrap();
    let mut core: Vec<&str> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .filter(|p| p.starts_with("core:"))
        .collect();
    core.sort_unstable();
    assert_eq!(
        core,
        [
            "core:event:allow-listen",
            "core:event:allow-unlisten",
            "core:window:allow-close"
        ],
        "core:default or another unused core permission is granted"
    );
    // Every permission is a plain string: no scoped object that could widen one.
    assert!(
        capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .all(Value::is_string)
    );
}

#[test]
fn there_is_no_filesystem_or_shell_plugin_or_permission() {
    let capability = read("capabilities/main.json");
    for banned in ["fs:", "shell:", "sql:", "http:"] {
        assert!(!capability.contains(banned), "capability grants {banned}");
    }
    let manifest = read("Cargo.toml");
    for banned in [
        "tauri-plugin-fs",
        "tauri-plugin-shell",
        "tauri-plugin-sql",
        "tauri-plugin-http",
    ] {
        assert!(!manifest.contains(banned), "Cargo.toml depends on {banned}");
    }
}

#[test]
fn tauri_is_at_2_11_1_or_later() {
    let lock =
        std::fs::read_to_string(format!("{}/../Cargo.lock", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let entry = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"tauri\"\n"))
        .expect("tauri in Cargo.lock");
    let version = entry
        .lines()
        .find_map(|l| l.strip_prefix("version = "))
        .unwrap()
        .trim_matches('"');
    let parts: Vec<u64> = version
        .split('.')
        .map(|p| p.split('-').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(parts[0], 2, "Tauri 2 (got {version})");
    assert!(
        (parts[1], parts[2]) >= (11, 1),
        "Tauri {version} is older than 2.11.1"
    );
}
