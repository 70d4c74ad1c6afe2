//! Issue 16, done-when 3 through the CLI, the clock moved (never slept): where a token is used
//! (shown in lists, reminders and leak findings, never in verification answers), stale tokens,
//! the optional automatic revocation, rotations finishing, and tokens expiring together.
use std::collections::BTreeSet;

use latchkey_tests::*;
use serde_json::{Value, json};

use crate::clocked::{BOB, Clocked, DAY, HOUR, find, line_of};

fn with_web_api() -> Clocked {
    let c = Clocked::new();
    c.admin(0, &["systems", "onboard", "web-api"]).ok();
    c.admin(0, &["grant", BOB, "web-api"]).ok();
    c
}

fn ids(rows: &Value) -> BTreeSet<String> {
    rows.as_array()
        .unwrap_or_else(|| panic!("not an array: {rows}"))
        .iter()
        .map(|row| row["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|id| id.to_string()).collect()
}

#[test]
fn a_usage_note_is_shown_in_lists_reminders_and_findings_and_never_in_verification() {
    let c = with_web_api();
    let first = "GitHub Actions secret DEPLOY_TOKEN in acme/web";
    let (secret, id) = c.create(
        0,
        BOB,
        &[
            "--name",
            "deploy",
            "--expires-in-days",
            "30",
            "--usage-note",
            first,
        ],
    );
    let list = c.bob(0, &["tokens", "list"]).ok().stdout;
    assert!(list.lines().next().unwrap().ends_with("USED IN"), "{list}");
    assert!(line_of(&list, &id).ends_with(first), "{list}");

    let second = "Jenkins credential lk-deploy on ci-02";
    let out = c.bob(HOUR, &["tokens", "note", &id, second]).ok();
    assert!(out.stderr.contains(second), "{out:?}");
    let listed = c.bob(HOUR, &["--json", "tokens", "list"]).ok().json();
    assert_eq!(
        find(listed.as_array().unwrap(), "id", &id)["usage_note"],
        second
    );
    // Only whoever manages the token may note it.
    c.env.add_member("carol");
    let out = c.as_user(HOUR, "carol", &["tokens", "note", &id, "mine"]);
    assert_eq!(out.code, 1, "{out:?}");

    // Reminders say what to update: 14 days before expiry.
    let at = 16 * DAY + 60;
    let due = c.bob(at, &["--json", "reminders", "due"]).ok().json();
    let reminder = find(due.as_array().unwrap(), "token_id", &id);
    assert_eq!(reminder["usage_note"], second);
    let text = c.bob(at, &["reminders", "due"]).ok().stdout;
    assert!(
        line_of(&text, &id).contains(&format!("update it where it is used: {second}")),
        "{text}"
    );

    // The leak check names where the leaked token is used.
    let leaked = c.env.dir.path().join("ci.log");
    std::fs::write(&leaked, format!("export TOKEN={secret}\n")).unwrap();
    let path = leaked.to_str().unwrap();
    let scan = c.admin(at, &["scan", path]);
    assert_eq!(scan.code, 1, "{scan:?}");
    assert!(
        scan.stdout.contains(&format!("used in {second:?}")),
        "{scan:?}"
    );
    let scan = c.admin(at, &["--json", "scan", path]);
    assert_eq!(scan.json()[0]["usage_note"], second, "{scan:?}");

    // Verification answers never carry it.
    for args in [
        &["--system", "web-api", "--json"][..],
        &["--system", "web-api"],
    ] {
        let out = c.verify(at, &secret, args).ok();
        for word in ["Jenkins", "ci-02", "usage_note"] {
            assert!(!out.stdout.contains(word), "{out:?}");
            assert!(!out.stderr.contains(word), "{out:?}");
        }
    }

    // An empty note clears it; each change is audited.
    let out = c.bob(at, &["tokens", "note", &id, ""]).ok();
    assert!(out.stderr.contains("Cleared"), "{out:?}");
    let listed = c.bob(at, &["--json", "tokens", "list"]).ok().json();
    assert_eq!(
        find(listed.as_array().unwrap(), "id", &id)["usage_note"],
        Value::Null
    );
    let audit = c
        .admin(at, &["--json", "audit", "--action", "token.note_changed"])
        .ok()
        .json();
    assert_eq!(audit.as_array().unwrap().len(), 2, "{audit}");
}

#[test]
fn stale_tokens_are_listed_with_stale_and_on_the_overview_after_the_setting() {
    let c = with_web_api();
    let (used, used_id) = c.create(0, BOB, &["--name", "used"]);
    let (_, idle_id) = c.create(
        0,
        BOB,
        &["--name", "idle", "--usage-note", "cron on build-01"],
    );
    c.verify(50 * DAY, &used, &["--system", "web-api"]).ok();

    // Not yet stale at 89 days.
    let none = c.bob(89 * DAY, &["tokens", "list", "--stale"]).ok();
    assert!(none.stdout.is_empty(), "{none:?}");
    assert!(none.stderr.contains("No stale tokens"), "{none:?}");

    let at = 100 * DAY;
    let stale = c
        .bob(at, &["--json", "tokens", "list", "--stale"])
        .ok()
        .json();
    assert_eq!(ids(&stale), set(&[&idle_id]));
    let all = c.bob(at, &["--json", "tokens", "list"]).ok().json();
    let all = all.as_array().unwrap();
    assert_eq!(find(all, "id", &idle_id)["stale"], true);
    assert_eq!(find(all, "id", &used_id)["stale"], false);
    let text = c.bob(at, &["tokens", "list", "--stale"]).ok().stdout;
    assert!(
        line_of(&text, &idle_id).contains("active (stale)"),
        "{text}"
    );
    assert!(!text.contains(&used_id), "{text}");
    let text = c.bob(at, &["tokens", "list"]).ok().stdout;
    assert!(line_of(&text, &used_id).contains("  active  "), "{text}");

    let overview = c.bob(at, &["tokens", "overview"]).ok().stdout;
    assert!(
        overview.contains("Stale (unused for 90 days or more): 1 token"),
        "{overview}"
    );
    let line = line_of(&overview, &idle_id);
    assert!(line.contains("never used (created"), "{overview}");
    assert!(line.contains("used in \"cron on build-01\""), "{overview}");
    let json = c.bob(at, &["--json", "tokens", "overview"]).ok().json();
    assert_eq!(json["stale_after_days"], 90);
    assert_eq!(ids(&json["stale"]), set(&[&idle_id]));

    // One reminder to its owner.
    let due = c.bob(at, &["--json", "reminders", "due"]).ok().json();
    let reminder = find(due.as_array().unwrap(), "token_id", &idle_id);
    assert_eq!(reminder["kind"], "stale");
    assert_eq!(reminder["threshold_days"], Value::Null);
    assert_eq!(reminder["when"], "unused for 100 days");
    let text = c.bob(at, &["reminders", "due"]).ok().stdout;
    assert!(line_of(&text, &idle_id).contains("stale"), "{text}");

    // A shorter setting makes the one used 50 days ago stale too.
    c.admin(at, &["settings", "set", "--stale-after-days", "30"])
        .ok();
    let shown = c.admin(at, &["settings", "show"]).ok().stdout;
    assert!(
        shown.contains("tokens are stale after (days unused): 30"),
        "{shown}"
    );
    let stale = c
        .bob(at, &["--json", "tokens", "list", "--stale"])
        .ok()
        .json();
    assert_eq!(ids(&stale), set(&[&idle_id, &used_id]));
}

#[test]
fn automatic_revocation_is_off_by_default_and_revokes_exactly_the_long_unused_when_on() {
    let c = with_web_api();
    let (idle, idle_id) = c.create(0, BOB, &["--name", "never used"]);
    let (once, once_id) = c.create(0, BOB, &["--name", "used once long ago"]);
    let (busy, busy_id) = c.create(0, BOB, &["--name", "busy"]);
    let (_, roots_id) = c.create(0, ADMIN, &["--name", "root's idle"]);
    c.verify(DAY, &once, &["--system", "web-api"]).ok();
    c.verify(100 * DAY, &busy, &["--system", "web-api"]).ok();

    let at = 150 * DAY;
    let shown = c.admin(at, &["settings", "show"]).ok().stdout;
    assert!(
        shown.contains("unused tokens are revoked automatically after (days): off"),
        "{shown}"
    );
    let off = c.admin(at, &["tokens", "revoke-unused"]).ok();
    assert!(off.stdout.is_empty(), "{off:?}");
    assert!(
        off.stderr.contains("Automatic revocation is off"),
        "{off:?}"
    );
    let off = c
        .admin(at, &["--json", "tokens", "revoke-unused"])
        .ok()
        .json();
    assert_eq!(off, json!({"auto_revoke_unused_days": null, "revoked": []}));
    let active = c.tokens_of(at, &["--all"]);
    assert!(active.iter().all(|t| t["status"] == "active"), "{active:?}");

    // Members may neither turn it on nor run it.
    let out = c.bob(at, &["settings", "set", "--auto-revoke-unused-days", "120"]);
    assert_eq!(out.code, 1, "{out:?}");
    let out = c.bob(at, &["tokens", "revoke-unused"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.one_line_error().contains("administrator"), "{out:?}");

    c.admin(at, &["settings", "set", "--auto-revoke-unused-days", "120"])
        .ok();
    let shown = c.admin(at, &["settings", "show"]).ok().stdout;
    assert!(
        shown.contains("unused tokens are revoked automatically after (days): 120"),
        "{shown}"
    );
    let done = c
        .admin(at, &["--json", "tokens", "revoke-unused"])
        .ok()
        .json();
    assert_eq!(done["auto_revoke_unused_days"], 120);
    let revoked: BTreeSet<String> = done["revoked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_string())
        .collect();
    assert_eq!(revoked, set(&[&idle_id, &once_id, &roots_id]));
    let denied = c.verify(at, &idle, &["--system", "web-api"]);
    assert!(denied.stderr.contains("revoked"), "{denied:?}");
    c.verify(at, &busy, &["--system", "web-api"]).ok();
    let listed = c.tokens_of(at, &["--all"]);
    assert_eq!(find(&listed, "id", &busy_id)["status"], "active");

    // Audited as revoked by latchkey, automatically, with the reason.
    let audit = c
        .admin(at, &["--json", "audit", "--action", "token.revoked"])
        .ok()
        .json();
    let events = audit.as_array().unwrap();
    assert_eq!(events.len(), 3, "{audit}");
    for id in &revoked {
        let event = find(events, "target", id);
        assert_eq!(event["actor"], "latchkey", "{event}");
        let details = event["details"].to_string();
        assert!(details.contains("automatic"), "{event}");
        assert!(details.contains("unused for 120 days"), "{event}");
    }

    // Run again: nothing left to revoke, said plainly; then off again.
    let again = c.admin(at, &["tokens", "revoke-unused"]).ok();
    assert!(again.stderr.contains("nothing was revoked"), "{again:?}");
    c.admin(at, &["settings", "set", "--auto-revoke-unused-days", "off"])
        .ok();
    let shown = c.admin(at, &["--json", "settings", "show"]).ok().json();
    assert_eq!(shown["auto_revoke_unused_days"], Value::Null);
}

#[test]
fn a_rotation_is_seen_finishing_and_the_old_token_retires_after_a_quiet_day() {
    let c = with_web_api();
    let note = "CI variable DEPLOY in acme/api";
    let (old, old_id) = c.create(0, BOB, &["--name", "deploy", "--usage-note", note]);
    c.verify(0, &old, &["--system", "web-api"]).ok();
    let rotated = c
        .bob(
            HOUR,
            &["--json", "tokens", "rotate", &old_id, "--grace-days", "7"],
        )
        .ok()
        .json();
    let new = rotated["token"].as_str().unwrap().to_string();
    let new_id = rotated["id"].as_str().unwrap().to_string();
    let list = c.bob(HOUR, &["tokens", "list"]).ok().stdout;
    assert!(
        line_of(&list, &old_id).contains("active (retiring "),
        "{list}"
    );

    // The successor is used, then the old token again: something still holds it.
    c.verify(2 * HOUR, &new, &["--system", "web-api"]).ok();
    let overview = c.bob(2 * HOUR + 60, &["tokens", "overview"]).ok().stdout;
    assert!(
        overview.contains("Rotations finishing: 1 old token"),
        "{overview}"
    );
    assert!(overview.contains("old token not used since"), "{overview}");
    c.verify(3 * HOUR, &old, &["--system", "web-api"]).ok();

    let at = 3 * HOUR + 60;
    let listed = c.bob(at, &["--json", "tokens", "list"]).ok().json();
    let token = find(listed.as_array().unwrap(), "id", &old_id);
    assert_eq!(token["retiring"], true);
    assert_eq!(token["replaced_by"], new_id.as_str());
    assert!(token["successor_first_used_at"].is_string(), "{token}");
    assert!(token["used_after_successor_at"].is_string(), "{token}");
    let retires = token["revoked_at"].as_str().unwrap().to_string();
    let list = c.bob(at, &["tokens", "list"]).ok().stdout;
    assert!(
        line_of(&list, &old_id).contains(&format!(
            "active (retiring {retires}, used after its successor)"
        )),
        "{list}"
    );
    let due = c.bob(at, &["--json", "reminders", "due"]).ok().json();
    let reminder = find(due.as_array().unwrap(), "token_id", &old_id);
    assert_eq!(reminder["kind"], "still_used");
    assert_eq!(reminder["when"], "still used after its rotation");
    assert_eq!(reminder["usage_note"], note);
    let text = c.bob(at, &["reminders", "due"]).ok().stdout;
    assert!(line_of(&text, &old_id).contains("still used"), "{text}");
    let overview = c.bob(at, &["tokens", "overview"]).ok().stdout;
    let finishing = overview
        .lines()
        .skip_while(|line| !line.contains(&old_id))
        .nth(1)
        .unwrap_or_default();
    assert!(
        finishing.contains(&format!("replaced by {new_id}")),
        "{overview}"
    );
    assert!(finishing.contains("old token STILL USED"), "{overview}");
    assert!(
        finishing.contains(&format!("retires {retires}")),
        "{overview}"
    );
    let json = c.bob(at, &["--json", "tokens", "overview"]).ok().json();
    assert_eq!(ids(&json["retiring"]), set(&[&old_id]));

    // A quiet day after that last use, well within the 7 days chosen, the old token retires.
    let out = c.verify(3 * HOUR + DAY + 60, &old, &["--system", "web-api"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("revoked"), "{out:?}");
    c.verify(3 * HOUR + DAY + 60, &new, &["--system", "web-api"])
        .ok();
}

#[test]
fn tokens_expiring_within_a_day_are_grouped_on_the_overview_and_reminded_together() {
    let c = with_web_api();
    let (_, first) = c.create(0, BOB, &["--name", "api", "--expires-in-days", "20"]);
    let (_, later) = c.create(0, BOB, &["--name", "later", "--expires-in-days", "60"]);
    let (_, roots) = c.create(0, ADMIN, &["--name", "root's", "--expires-in-days", "20"]);
    let (_, second) = c.create(2 * HOUR, BOB, &["--name", "web", "--expires-in-days", "20"]);

    let at = 3 * HOUR;
    let json = c.bob(at, &["--json", "tokens", "overview"]).ok().json();
    let groups = json["expiring_together"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{json}");
    assert_eq!(groups[0]["owner"], BOB);
    assert_eq!(ids(&groups[0]["tokens"]), set(&[&first, &second]));
    let json = c.admin(at, &["--json", "tokens", "overview"]).ok().json();
    let groups = json["expiring_together"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "root's token expires alone: {json}");
    let text = c.bob(at, &["tokens", "overview"]).ok().stdout;
    assert!(text.contains("bob: 2 tokens expire between"), "{text}");
    assert!(line_of(&text, &first).contains("expires "), "{text}");
    assert!(line_of(&text, &second).contains("expires "), "{text}");
    assert!(!text.contains(&later) && !text.contains(&roots), "{text}");

    // 14 days before the first expiry both are reminded, each naming the other.
    let at = 6 * DAY + HOUR;
    let due = c.bob(at, &["--json", "reminders", "due"]).ok().json();
    let due = due.as_array().unwrap();
    assert_eq!(
        find(due, "token_id", &first)["expiring_together"],
        json!([second])
    );
    assert_eq!(
        find(due, "token_id", &second)["expiring_together"],
        json!([first])
    );
    let text = c.bob(at, &["reminders", "due"]).ok().stdout;
    assert!(
        line_of(&text, &first).contains(&format!("renew with {second}")),
        "{text}"
    );
}
