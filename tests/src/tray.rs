//! The app's tray menu and the desktop's screen lock, driven over a test's private D-Bus session
//! the way a panel and a screen saver would: the tray icon (libayatana-appindicator) exports its
//! menu as com.canonical.dbusmenu under /org/ayatana/NotificationItem/<id>/Menu, and a click is
//! its `Event(id, "clicked", …)`.
use crate::desktop_bus::{PrivateBus, wait_until};

fn dbus_send(bus: &PrivateBus, args: &[&str]) -> Option<String> {
    let output = bus
        .command("dbus-send")
        .args(["--session", "--print-reply"])
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

fn introspect_children(bus: &PrivateBus, name: &str, path: &str) -> Vec<String> {
    dbus_send(
        bus,
        &[
            &format!("--dest={name}"),
            path,
            "org.freedesktop.DBus.Introspectable.Introspect",
        ],
    )
    .unwrap_or_default()
    .split("<node name=\"")
    .skip(1)
    .filter_map(|s| s.split('"').next().map(str::to_string))
    .collect()
}

/// (bus name, menu path) of the tray icon's menu.
fn find_menu(bus: &PrivateBus) -> Option<(String, String)> {
    let names = dbus_send(
        bus,
        &[
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.ListNames",
        ],
    )?;
    for name in names
        .split('"')
        .filter(|s| s.starts_with(':'))
        .map(str::to_string)
    {
        if let Some(item) = introspect_children(bus, &name, "/org/ayatana/NotificationItem")
            .into_iter()
            .next()
        {
            return Some((name, format!("/org/ayatana/NotificationItem/{item}/Menu")));
        }
    }
    None
}

/// The id of the menu entry labelled `label`, from the menu's layout.
fn item_id(layout: &str, label: &str) -> Option<i32> {
    let mut last_id = None;
    for line in layout.lines() {
        let line = line.trim();
        if let Some(id) = line.strip_prefix("int32 ") {
            last_id = id.trim().parse().ok();
        } else if line.ends_with(&format!("string \"{label}\"")) && line.starts_with("variant") {
            return last_id;
        }
    }
    None
}

/// Clicks the tray menu's entry `label` ("Lock", "Quit", …), waiting up to 30 s for the icon.
pub fn click(bus: &PrivateBus, label: &str) {
    let mut found = None;
    wait_until("the tray icon's menu on the bus", || {
        found = find_menu(bus).and_then(|(name, path)| {
            let layout = dbus_send(
                bus,
                &[
                    &format!("--dest={name}"),
                    &path,
                    "com.canonical.dbusmenu.GetLayout",
                    "int32:0",
                    "int32:-1",
                    "array:string:",
                ],
            )?;
            Some((name, path, item_id(&layout, label)?))
        });
        found.is_some()
    });
    let (name, path, id) = found.expect("the tray menu");
    dbus_send(
        bus,
        &[
            &format!("--dest={name}"),
            &path,
            "com.canonical.dbusmenu.Event",
            &format!("int32:{id}"),
            "string:clicked",
            "variant:int32:0",
            "uint32:0",
        ],
    )
    .unwrap_or_else(|| panic!("click the tray's {label}"));
}

/// The screen saver says the screen is now locked (org.freedesktop.ScreenSaver ActiveChanged).
pub fn screen_locks(bus: &PrivateBus) {
    let status = bus
        .command("dbus-send")
        .args([
            "--session",
            "--type=signal",
            "/org/freedesktop/ScreenSaver",
            "org.freedesktop.ScreenSaver.ActiveChanged",
            "boolean:true",
        ])
        .status()
        .expect("run dbus-send");
    assert!(status.success());
}

#[cfg(test)]
mod tests {
    #[test]
    fn menu_ids_are_read_from_the_layout() {
        let layout = concat!(
            "      int32 2\n         array [\n            dict entry(\n",
            "               string \"label\"\n",
            "               variant                   string \"Open Latchkey\"\n",
            "            )\n      int32 4\n               string \"label\"\n",
            "               variant                   string \"Lock\"\n",
        );
        assert_eq!(super::item_id(layout, "Lock"), Some(4));
        assert_eq!(super::item_id(layout, "Open Latchkey"), Some(2));
        assert_eq!(super::item_id(layout, "Quit"), None);
    }
}
