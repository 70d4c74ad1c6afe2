fn main() {
    // Bundled SQLite must not export its symbols: WebKit loads the system libsqlite3 in the
    // same process, and exported copies would override it (PLATFORM-NOTES).
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg=-Wl,--exclude-libs,ALL");
    }
    // The window's files are compiled in: a rebuilt UI must rebuild the app (cargo scans the
    // folder), or the tests' freshness check would find the binary older than ui/dist.
    println!("cargo:rerun-if-changed=../ui/dist");
    // The app's own commands, declared so capabilities can grant them per window.
    let manifest = tauri_build::AppManifest::new().commands(latchkey_commands());
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build");
}

fn latchkey_commands() -> &'static [&'static str] {
    &[
        "setup_status",
        "setup",
        "sign_in",
        "sign_out",
        "session",
        "lock",
        "report_activity",
        "confirm_password",
        "list_tokens",
        "create_token",
        "revoke_token",
        "rotate_token",
        "delete_token",
        "revoke_all_tokens",
        "copy_secret",
        "list_accounts",
        "add_account",
        "list_systems",
        "onboard_system",
        "my_systems",
        "system_access",
        "set_grant",
        "set_role",
        "set_active",
        "reset_password",
        "set_access_all",
        "list_groups",
        "add_group",
        "set_group_member",
        "set_group_grant",
        "audit_events",
        "export_audit",
        "backup_store",
        "restore_store",
        "get_settings",
        "update_settings",
        "list_reminders",
        "mark_reminders_read",
        "set_mute_reminders",
        "get_autostart",
        "set_autostart",
    ]
}
