//! The TypeScript the UI calls Rust through, generated from this crate: the types (ts-rs) and one
//! typed wrapper per command. `cargo test -p latchkey-app bindings` fails when the checked-in
//! files differ; `UPDATE_BINDINGS=1 cargo test -p latchkey-app bindings` rewrites them.
use ts_rs::TS;

use crate::error::CommandError;
use crate::views::{
    AccessView, AccountView, AuditEventView, AuditPageView, BackupView, GroupView, IssuedTokenView,
    NewTokenRequest, ReminderView, SessionView, SettingsView, SetupStatus, SystemView, TokenView,
};

/// A command: its name, its arguments as (name, TypeScript type), and its result type.
pub type CommandSignature = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

/// The single list the wrappers come from.
pub const COMMANDS: &[CommandSignature] = &[
    ("setup_status", &[], "SetupStatus"),
    (
        "setup",
        &[
            ("organisation", "string"),
            ("username", "string"),
            ("displayName", "string | null"),
            ("password", "string"),
        ],
        "SessionView",
    ),
    (
        "sign_in",
        &[("username", "string"), ("password", "string")],
        "SessionView",
    ),
    ("sign_out", &[], "null"),
    ("session", &[], "SessionView | null"),
    ("lock", &[], "null"),
    ("report_activity", &[], "null"),
    ("confirm_password", &[("password", "string")], "null"),
    (
        "list_tokens",
        &[("all", "boolean"), ("owner", "string | null")],
        "TokenView[]",
    ),
    (
        "create_token",
        &[("request", "NewTokenRequest")],
        "IssuedTokenView",
    ),
    ("revoke_token", &[("id", "string")], "TokenView"),
    (
        "rotate_token",
        &[
            ("id", "string"),
            ("graceDays", "number | null"),
            ("untilFirstUse", "boolean"),
        ],
        "IssuedTokenView",
    ),
    ("delete_token", &[("id", "string")], "null"),
    ("revoke_all_tokens", &[("owner", "string | null")], "number"),
    ("copy_secret", &[("secret", "string")], "null"),
    ("list_accounts", &[], "AccountView[]"),
    (
        "add_account",
        &[
            ("username", "string"),
            ("displayName", "string | null"),
            ("admin", "boolean"),
            ("password", "string"),
        ],
        "AccountView",
    ),
    (
        "set_role",
        &[("username", "string"), ("admin", "boolean")],
        "null",
    ),
    (
        "set_active",
        &[("username", "string"), ("active", "boolean")],
        "null",
    ),
    (
        "reset_password",
        &[("username", "string"), ("password", "string")],
        "null",
    ),
    (
        "set_access_all",
        &[("username", "string"), ("accessAll", "boolean")],
        "null",
    ),
    ("list_systems", &[], "SystemView[]"),
    (
        "onboard_system",
        &[("slug", "string"), ("displayName", "string | null")],
        "SystemView",
    ),
    ("my_systems", &[], "string[]"),
    ("system_access", &[("slug", "string")], "AccessView[]"),
    (
        "set_grant",
        &[
            ("username", "string"),
            ("slug", "string"),
            ("granted", "boolean"),
        ],
        "null",
    ),
    ("list_groups", &[], "GroupView[]"),
    ("add_group", &[("name", "string")], "null"),
    (
        "set_group_member",
        &[
            ("group", "string"),
            ("username", "string"),
            ("member", "boolean"),
        ],
        "null",
    ),
    (
        "set_group_grant",
        &[
            ("group", "string"),
            ("slug", "string"),
            ("granted", "boolean"),
        ],
        "null",
    ),
    (
        "audit_events",
        &[
            ("since", "number | null"),
            ("until", "number | null"),
            ("actorName", "string | null"),
            ("action", "string | null"),
            ("before", "number | null"),
            ("limit", "number | null"),
        ],
        "AuditPageView",
    ),
    ("export_audit", &[("format", "string")], "string"),
    ("backup_store", &[("passphrase", "string")], "BackupView"),
    (
        "restore_store",
        &[("path", "string"), ("passphrase", "string")],
        "BackupView",
    ),
    ("get_settings", &[], "SettingsView"),
    (
        "update_settings",
        &[("settings", "SettingsView")],
        "SettingsView",
    ),
    ("list_reminders", &[], "ReminderView[]"),
    ("mark_reminders_read", &[], "number"),
    ("set_mute_reminders", &[("mute", "boolean")], "null"),
    ("get_autostart", &[], "boolean"),
    ("set_autostart", &[("enabled", "boolean")], "boolean"),
];

fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn type_file<T: TS + 'static>(config: &ts_rs::Config) -> (String, String) {
    (
        format!("{}.ts", T::name(config)),
        T::export_to_string(config).unwrap_or_default(),
    )
}

/// Every generated file: (file name, content).
pub fn generated() -> Vec<(String, String)> {
    let config = ts_rs::Config::new();
    let mut files: Vec<(String, String)> = vec![
        type_file::<CommandError>(&config),
        type_file::<SetupStatus>(&config),
        type_file::<SessionView>(&config),
        type_file::<TokenView>(&config),
        type_file::<IssuedTokenView>(&config),
        type_file::<AccountView>(&config),
        type_file::<NewTokenRequest>(&config),
        type_file::<SystemView>(&config),
        type_file::<AccessView>(&config),
        type_file::<GroupView>(&config),
        type_file::<AuditEventView>(&config),
        type_file::<AuditPageView>(&config),
        type_file::<SettingsView>(&config),
        type_file::<ReminderView>(&config),
        type_file::<BackupView>(&config),
    ];
    let mut commands = String::from(
        "// Generated by src-tauri/src/bindings.rs; do not edit. Regenerate with\n\
         // `UPDATE_BINDINGS=1 cargo test -p latchkey-app bindings`.\n\
         import { call } from \"../ipc\";\n",
    );
    let mut types: Vec<&str> = Vec::new();
    for (_, args, result) in COMMANDS {
        for ty in args.iter().map(|(_, t)| *t).chain(std::iter::once(*result)) {
            let base = ty.trim_end_matches("[]").split(" | ").next().unwrap_or(ty);
            if base.chars().next().is_some_and(char::is_uppercase) && !types.contains(&base) {
                types.push(base);
            }
        }
    }
    types.sort_unstable();
    for ty in types {
        commands.push_str(&format!("import type {{ {ty} }} from \"./{ty}\";\n"));
    }
    for (name, args, result) in COMMANDS {
        let params: Vec<String> = args.iter().map(|(n, t)| format!("{n}: {t}")).collect();
        let names: Vec<&str> = args.iter().map(|(n, _)| *n).collect();
        let object = if names.is_empty() {
            "{}".to_string()
        } else {
            format!("{{ {} }}", names.join(", "))
        };
        commands.push_str(&format!(
            "\nexport function {}({}): Promise<{result}> {{\n  return call<{result}>(\"{name}\", {object});\n}}\n",
            camel(name),
            params.join(", "),
        ));
    }
    files.push(("commands.ts".to_string(), commands));
    files
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn bindings_are_up_to_date() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings");
        let update = std::env::var_os("UPDATE_BINDINGS").is_some();
        if update {
            std::fs::create_dir_all(&dir).unwrap();
        }
        let mut stale = Vec::new();
        for (file, content) in super::generated() {
            let path = dir.join(&file);
            if update {
                std::fs::write(&path, &content).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
                stale.push(file);
            }
        }
        assert!(
            stale.is_empty(),
            "stale bindings {stale:?}: run `UPDATE_BINDINGS=1 cargo test -p latchkey-app bindings`"
        );
    }

    #[test]
    fn every_command_has_a_wrapper_and_a_build_rs_declaration() {
        let build = include_str!("../build.rs");
        let handler = include_str!("lib.rs");
        for (name, _, _) in super::COMMANDS {
            assert!(
                build.contains(&format!("\"{name}\"")),
                "{name} is not declared in build.rs"
            );
            assert!(
                handler.contains(&format!("::{name},")),
                "{name} is not in the handler"
            );
        }
    }
}
