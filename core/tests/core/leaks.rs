//! SPEC §5 "Leak check": what each found token is, who sees what, revoking what was found with
//! the place recorded, and looking a token up with its history. Finding is not a use.
use crate::common::*;
use latchkey_core::leaks::{LeakStatus, Viewer, find_in_bytes, read_stream};
use latchkey_core::tokens::format;
use latchkey_core::tokens::verify::TokenSystems;
use latchkey_core::{CoreError, RotateGrace};

fn text_with(tokens: &[&str]) -> String {
    tokens
        .iter()
        .map(|t| format!("line with {t} in it"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn each_found_token_is_live_revoked_expired_or_not_ours() {
    let mut f = Fixture::new();
    f.system("api");
    let bob = f.member("bob");
    f.authority.grant(f.admin, "bob", "api").unwrap();
    let live = f.token(bob, "deploy");
    let revoked = f.token(bob, "old");
    f.authority.revoke_token(bob, &revoked.token.id).unwrap();
    let expiring = f.token_for(bob, "short", 1, None);
    f.advance_days(2);
    let stranger = format::generate().unwrap();
    let text = text_with(&[
        live.secret.expose(),
        revoked.secret.expose(),
        expiring.secret.expose(),
        stranger.expose(),
    ]);
    let report = read_stream(text.as_bytes(), "pasted").unwrap();
    let findings = f
        .authority
        .look_up_sightings(Viewer::Operator, &report.sightings)
        .unwrap();
    let statuses: Vec<_> = findings.iter().map(|f| (f.line, f.status)).collect();
    assert_eq!(
        statuses,
        vec![
            (1, LeakStatus::Live),
            (2, LeakStatus::Revoked),
            (3, LeakStatus::Expired),
            (4, LeakStatus::NotOurs)
        ]
    );
    let first = &findings[0];
    assert_eq!(first.owner.as_deref(), Some("bob"));
    assert_eq!(first.token_id.as_deref(), Some(live.token.id.as_str()));
    assert_eq!(first.name.as_deref(), Some("deploy"));
    assert_eq!(
        first.systems,
        Some(TokenSystems::Listed(vec!["api".into()]))
    );
    assert_eq!(first.column, 11);
    assert_eq!(first.hint, live.token.hint);
    assert!(findings[3].owner.is_none() && findings[3].token_id.is_none());
    // Nothing printed or serialised carries the token.
    let shown = serde_json::to_string(&findings).unwrap() + &format!("{findings:?}");
    for token in [&live.secret, &revoked.secret, &expiring.secret, &stranger] {
        assert!(
            !shown.contains(&token.expose()[3..]),
            "a token leaked into a finding"
        );
    }
}

#[test]
fn finding_a_token_is_not_a_use() {
    let mut f = Fixture::new();
    let admin = f.admin;
    let token = f.token(admin, "ci");
    let findings = f
        .authority
        .look_up_sightings(
            Viewer::Operator,
            &read_stream(token.secret.expose().as_bytes(), "x")
                .unwrap()
                .sightings,
        )
        .unwrap();
    assert_eq!(findings[0].status, LeakStatus::Live);
    assert_eq!(findings[0].last_used_at, None);
    let listed = f
        .authority
        .list_tokens(admin, &latchkey_core::TokenScope::Mine)
        .unwrap();
    assert_eq!(listed[0].last_used_at, None, "a leak check recorded a use");
}

#[test]
fn a_member_sees_the_owner_of_anothers_token_but_not_its_name_and_may_not_revoke_it() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let carol = f.member("carol");
    let bobs = f.token(bob, "bob's secret project");
    let carols = f.token(carol, "carol's");
    let text = text_with(&[bobs.secret.expose(), carols.secret.expose()]);
    let report = read_stream(text.as_bytes(), "pasted").unwrap();
    let seen = f
        .authority
        .look_up_sightings(Viewer::Account(carol), &report.sightings)
        .unwrap();
    assert_eq!(seen[0].status, LeakStatus::Live);
    assert_eq!(seen[0].owner.as_deref(), Some("bob"));
    assert_eq!(
        (seen[0].name.as_ref(), seen[0].token_id.as_ref()),
        (None, None)
    );
    assert!(!seen[0].may_revoke);
    assert_eq!(seen[1].name.as_deref(), Some("carol's"));
    assert!(seen[1].may_revoke);
    let admin = f
        .authority
        .look_up_sightings(Viewer::Account(f.admin), &report.sightings)
        .unwrap();
    assert!(admin.iter().all(|x| x.may_revoke && x.token_id.is_some()));
    // The operator (store and key, no account) sees all and revokes nothing by itself.
    let operator = f
        .authority
        .look_up_sightings(Viewer::Operator, &report.sightings)
        .unwrap();
    assert!(operator.iter().all(|x| !x.may_revoke && x.name.is_some()));
}

#[test]
fn revoking_a_found_token_records_where_it_was_found() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let token = f.token(bob, "ci");
    f.authority
        .revoke_leaked_token(bob, &token.token.id, "logs/build.log:12:7")
        .unwrap();
    assert_eq!(f.reason(&token, None), Some("revoked"));
    let events = f
        .authority
        .audit_events(f.admin, &Default::default())
        .unwrap();
    let revoked = events.iter().find(|e| e.action == "token.revoked").unwrap();
    assert_eq!(revoked.target, token.token.id);
    assert!(
        revoked
            .details
            .contains(r#""found_in":"logs/build.log:12:7""#),
        "{revoked:?}"
    );
}

#[test]
fn an_empty_place_is_refused_and_a_token_or_control_character_in_one_never_reaches_the_log() {
    let mut f = Fixture::new();
    let admin = f.admin;
    let token = f.token(admin, "ci");
    let before = f.audit_actions();
    let error = f
        .authority
        .revoke_leaked_token(admin, &token.token.id, "   ")
        .unwrap_err();
    assert!(matches!(error, CoreError::Invalid(_)), "{error}");
    assert_eq!(f.reason(&token, None), None, "the token was revoked anyway");
    assert_eq!(f.audit_actions(), before);
    // A file named after a token (or after its body, split from the prefix), with control
    // characters in it: the token is revoked, the place recorded without any of it.
    let body = &token.secret.expose()[3..];
    let place = format!(
        "logs/{}/LK_{body}/x{body}\n\u{202e}.txt:1:1",
        token.secret.expose()
    );
    f.authority
        .revoke_leaked_token(admin, &token.token.id, &place)
        .unwrap();
    assert_eq!(f.reason(&token, None), Some("revoked"));
    let events = f
        .authority
        .audit_events(admin, &Default::default())
        .unwrap();
    let recorded = &events.last().unwrap().details;
    assert!(!recorded.contains(&body[..16]), "{recorded}");
    assert!(
        recorded.contains("logs/lk_…/lk_…/…\u{FFFD}\u{FFFD}.txt:1:1"),
        "{recorded}"
    );
}

#[test]
fn looking_up_a_token_shows_it_and_its_whole_history() {
    let mut f = Fixture::new();
    f.system("api");
    let bob = f.member("bob");
    let old = f.token(bob, "deploy");
    f.verify(&old, Some("api")); // denied: no access
    let new = f
        .authority
        .rotate_token(bob, &old.token.id, RotateGrace::Immediate)
        .unwrap();
    let found = f
        .authority
        .look_up_token(f.admin, old.secret.expose())
        .unwrap();
    assert_eq!(found.token.id, old.token.id);
    assert_eq!(found.token.owner, "bob");
    let actions: Vec<&str> = found.history.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"token.created"), "{actions:?}");
    assert!(
        actions.iter().any(|a| a.starts_with("verify.")),
        "{actions:?}"
    );
    assert!(actions.contains(&"token.rotated"), "{actions:?}");
    assert!(
        found.history.windows(2).all(|w| w[0].id > w[1].id),
        "newest first"
    );
    // A member looks up their own, with a pasted newline around it.
    let mine = f
        .authority
        .look_up_token(bob, &format!("  {}\n", new.secret.expose()))
        .unwrap();
    assert_eq!(mine.token.id, new.token.id);
}

#[test]
fn looking_up_refuses_anothers_token_a_stranger_and_a_typo() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let carol = f.member("carol");
    let bobs = f.token(bob, "ci");
    let refused = f
        .authority
        .look_up_token(carol, bobs.secret.expose())
        .unwrap_err();
    assert!(matches!(refused, CoreError::Forbidden(_)), "{refused}");
    let stranger = format::generate().unwrap();
    let unknown = f
        .authority
        .look_up_token(carol, stranger.expose())
        .unwrap_err();
    assert!(matches!(unknown, CoreError::NotFound(_)), "{unknown}");
    let typo = format!("{}x", &bobs.secret.expose()[..51]);
    let malformed = f.authority.look_up_token(bob, &typo).unwrap_err();
    assert!(matches!(malformed, CoreError::Invalid(_)), "{malformed}");
    for error in [refused, unknown, malformed] {
        assert!(!error.to_string().contains(&bobs.secret.expose()[3..20]));
    }
}

#[test]
fn bytes_with_a_token_per_line_find_each_once() {
    let tokens: Vec<_> = (0..50).map(|_| format::generate().unwrap()).collect();
    let text: String = tokens
        .iter()
        .map(|t| format!("{}\r\n", t.expose()))
        .collect();
    let found = find_in_bytes(text.as_bytes());
    assert_eq!(found.len(), 50);
    for (i, seen) in found.iter().enumerate() {
        assert_eq!((seen.line, seen.column), (i as u64 + 1, 1));
        assert_eq!(seen.token.expose(), tokens[i].expose());
    }
}

#[test]
fn a_name_that_looks_like_anothers_token_id_slips_nothing_into_its_history() {
    let mut f = Fixture::new();
    let admin = f.admin;
    let bob = f.member("bob");
    let roots = f.token(admin, "ci");
    let planted = f.token(bob, &roots.token.id);
    let history = f
        .authority
        .look_up_token(admin, roots.secret.expose())
        .unwrap()
        .history;
    assert!(
        history.iter().all(|e| e.target == roots.token.id),
        "{history:?}"
    );
    // The successor's history holds the rotation that made it.
    let successor = f
        .authority
        .rotate_token(bob, &planted.token.id, RotateGrace::Immediate)
        .unwrap();
    let history = f
        .authority
        .look_up_token(bob, successor.secret.expose())
        .unwrap()
        .history;
    let actions: Vec<_> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["token.rotated"], "{history:?}");
}
