//! The session model driven by messages, without a terminal.

use super::*;
use crate::fix::SecretsTo;
use crate::harden::Options;
use crate::secret::OsSecrets;

/// A small insecure config: a leaky log, an admin API on every interface, a placeholder secret
/// (shared with the line-mode tests).
pub(crate) const CONFIG: &str = "\
log:
  level: debug
  leak_sensitive_values: true
serve:
  admin:
    host: 0.0.0.0
    base_url: http://127.0.0.1:4434/
selfservice:
  flows:
    settings:
      privileged_session_max_age: 1h
secrets:
  cookie: [PLEASE-CHANGE-ME-I-AM-VERY-INSECURE]
";

/// A session over [`CONFIG`].
pub(crate) fn session() -> Session {
    let d = Deployment::from_texts(vec![("k.yml".into(), "k.yml".into(), CONFIG.into())])
        .expect("loads");
    start(
        d,
        &Options::default(),
        SecretsTo::Inline,
        Box::new(OsSecrets),
    )
    .expect("plans")
}

/// A session over the embedded demo config.
pub(crate) fn demo_session() -> Session {
    let d = Deployment::from_texts(vec![(
        "k.yml".into(),
        "k.yml".into(),
        crate::demo::CONFIG.into(),
    )])
    .expect("loads");
    start(
        d,
        &Options::default(),
        SecretsTo::Inline,
        Box::new(OsSecrets),
    )
    .expect("plans")
}

/// The proposal that fixes a finding of `rule`, as its own finding or one it also fixes.
pub(crate) fn proposal_with(s: &Session, rule: &str) -> usize {
    (0..s.items.len())
        .find(|i| {
            std::iter::once(s.items[*i].finding)
                .chain(s.items[*i].also.iter().copied())
                .any(|f| s.findings[f].rule.id == rule)
        })
        .expect("a proposal")
}

/// The index of the item of `rule`.
pub(crate) fn item_of(s: &Session, rule: &str) -> usize {
    (0..s.items.len())
        .find(|i| s.finding(*i).rule.id == rule)
        .expect("item")
}

#[test]
fn walks_welcome_threats_items_then_review() {
    let mut s = session();
    assert_eq!(s.screen, Screen::Welcome);
    s.update(Message::Accept);
    let first = s.threats()[0];
    assert_eq!(s.screen, Screen::Threat(first));
    s.update(Message::Accept);
    assert!(matches!(s.screen, Screen::Item(_)));
    // Skipping everything ends on Review with nothing to write.
    for _ in 0..200 {
        if s.screen == Screen::Review {
            break;
        }
        s.update(if matches!(s.screen, Screen::Threat(_)) {
            Message::Accept
        } else {
            Message::Skip
        });
    }
    assert_eq!(s.screen, Screen::Review);
    assert!(!s.has_changes());
    assert_eq!(s.update(Message::Write), None);
    assert!(
        s.notice
            .as_deref()
            .is_some_and(|n| n.contains("nothing to write"))
    );
}

#[test]
fn accept_and_skip_record_decisions() {
    let mut s = session();
    let leak = item_of(&s, "KH250");
    s.screen = Screen::Item(leak);
    s.update(Message::Accept);
    assert_eq!(s.decisions[leak], Decision::Accept);
    assert_ne!(s.screen, Screen::Item(leak), "accepting moves on");
    let level = item_of(&s, "KH251");
    s.screen = Screen::Item(level);
    s.update(Message::Skip);
    assert_eq!(s.decisions[level], Decision::Skip);
    let diff = crate::diff::unified(&s.preview().lines, false);
    assert!(diff.contains("+  leak_sensitive_values: false"), "{diff}");
    assert!(!diff.contains("level: info"));
}

#[test]
fn unsafe_fixes_ask_first_and_accept_all_skips_them() {
    let mut s = session();
    let admin = item_of(&s, "KH231");
    assert_eq!(s.items[admin].applicability, Applicability::Unsafe);
    s.screen = Screen::Item(admin);
    s.update(Message::Accept);
    assert_eq!(s.popup, Some(Popup::ConfirmUnsafe(admin)));
    s.update(Message::No);
    assert_eq!(s.decisions[admin], Decision::Pending);
    s.update(Message::Accept);
    s.update(Message::Yes);
    assert_eq!(s.decisions[admin], Decision::Accept);

    let mut s = session();
    s.update(Message::AcceptAllSafe);
    assert_eq!(s.screen, Screen::Review);
    let admin = item_of(&s, "KH231");
    assert_eq!(
        s.decisions[admin],
        Decision::Pending,
        "unsafe fixes are never accepted by `a`"
    );
    assert_eq!(s.decisions[item_of(&s, "KH250")], Decision::Accept);
}

#[test]
fn editing_validates_and_uses_the_typed_value() {
    let mut s = session();
    let age = item_of(&s, "KH122");
    s.screen = Screen::Item(age);
    s.update(Message::StartEdit);
    assert!(matches!(s.popup, Some(Popup::Edit { .. })));
    for _ in 0..5 {
        s.update(Message::DeleteChar);
    }
    for c in "ten minutes".chars() {
        s.update(Message::Input(c));
    }
    s.update(Message::Accept);
    let Some(Popup::Edit {
        error: Some(error), ..
    }) = &s.popup
    else {
        unreachable!("an invalid duration keeps the editor open with an error")
    };
    assert!(error.contains("not a duration"));
    for _ in 0..20 {
        s.update(Message::DeleteChar);
    }
    for c in "10m".chars() {
        s.update(Message::Input(c));
    }
    s.update(Message::Accept);
    assert_eq!(s.popup, None);
    assert_eq!(s.decisions[age], Decision::Edited(serde_json::json!("10m")));
    let diff = crate::diff::unified(&s.preview().lines, false);
    assert!(
        diff.contains("+      privileged_session_max_age: 10m"),
        "{diff}"
    );
}

#[test]
fn regenerating_a_secret_changes_it_everywhere_and_masks_it() {
    let mut s = session();
    let cookie = item_of(&s, "KH205");
    let before = s.items[cookie].ops.clone();
    s.screen = Screen::Item(cookie);
    s.update(Message::Regenerate);
    assert_ne!(s.items[cookie].ops, before);
    s.update(Message::Accept);
    let diff = crate::diff::unified(&s.preview().lines, false);
    assert!(diff.contains("<generated: 32 chars>"), "{diff}");
    assert!(!diff.contains("PLEASE-CHANGE"));
    for (_, secret) in &s.generated {
        assert!(!diff.contains(secret.expose()));
    }
    s.update(Message::AcceptAllSafe);
    s.update(Message::ToggleReveal);
    let revealed = crate::diff::unified(&s.preview().lines, false);
    assert!(
        s.generated
            .iter()
            .any(|(_, g)| revealed.contains(g.expose()))
    );
}

#[test]
fn back_and_next_threat() {
    let mut s = session();
    s.update(Message::Accept);
    let first = s.screen.clone();
    s.update(Message::Back);
    assert_eq!(s.screen, Screen::Welcome);
    s.update(Message::NextThreat);
    assert_eq!(s.screen, first);
    s.update(Message::NextThreat);
    assert_ne!(s.screen, first);
}

#[test]
fn quitting_asks_when_decisions_would_be_lost() {
    let mut s = session();
    assert_eq!(
        s.update(Message::Quit),
        Some(Effect::Exit),
        "nothing decided: quit at once"
    );
    let mut s = session();
    s.update(Message::AcceptAllSafe);
    assert_eq!(s.update(Message::Quit), None);
    assert_eq!(s.popup, Some(Popup::ConfirmQuit));
    s.update(Message::No);
    assert_eq!(s.popup, None);
    s.update(Message::Quit);
    assert_eq!(s.update(Message::Yes), Some(Effect::Exit));
    let mut s = session();
    s.update(Message::AcceptAllSafe);
    assert_eq!(s.update(Message::ForceQuit), Some(Effect::Exit));
}

#[test]
fn write_goes_through_a_confirmation() {
    let mut s = session();
    s.update(Message::AcceptAllSafe);
    assert_eq!(s.update(Message::Write), None);
    assert_eq!(s.popup, Some(Popup::ConfirmWrite));
    assert_eq!(s.update(Message::No), None);
    assert_eq!(s.popup, None);
    s.update(Message::Write);
    assert_eq!(s.update(Message::Yes), Some(Effect::Write));
    s.written(vec!["k.yml".to_owned()]);
    assert_eq!(s.screen, Screen::Done);
}

#[test]
fn the_write_proof_refuses_a_decision_that_adds_a_finding_and_writes_the_rest() {
    let mut s = session();
    let level = item_of(&s, "KH251");
    let secret = item_of(&s, "KH205");
    s.decisions[level] = Decision::Accept;
    // Set directly, as a replayed or stale decision could be: the edit box would refuse it.
    s.decisions[secret] = Decision::Edited(serde_json::json!("short"));
    let preview = s.preview().clone();
    assert_eq!(preview.refused_findings, [s.items[secret].finding]);
    assert!(
        preview.refused[0].starts_with("KH205 `secrets.cookie.0`: the result would add KH206"),
        "{:?}",
        preview.refused
    );
    assert_eq!(preview.changes.len(), 1, "one file changes");
    let change = &preview.changes[0];
    assert!(change.after.contains("level: info"), "{}", change.after);
    assert!(!change.after.contains("short"), "{}", change.after);
    let tally = s.tally();
    assert_eq!((tally.accepted, tally.refused), (1, 1), "{tally:?}");
    let asked = s.write_question(&preview);
    assert_eq!(asked.question, "Write 1 change to k.yml?");
    assert!(
        asked
            .details
            .iter()
            .any(|d| d.starts_with("Not written: KH205 `secrets.cookie.0`: the result would add")),
        "{asked:?}"
    );
    // The refused secret is not counted as written.
    assert!(
        !asked.details.iter().any(|d| d.contains("shown masked")),
        "{asked:?}"
    );
}

/// Every finding a change fixes is on a proposal: each allowlist entry is its own decision
/// (KH104's removal apart from KH103's repair), the same change for several findings is one
/// proposal naming all (the cookie list), and a fix that shares an operation with another
/// keeps it (KH220's cipher secret, shared with KH205's).
#[test]
fn every_fixed_finding_is_on_a_proposal_and_each_proposal_stands_alone() {
    let mut s = demo_session();
    // Findings that have a fix at all (an unreadable schema only reports).
    for (index, finding) in s
        .findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.fix.is_some())
    {
        let on_item = s
            .items
            .iter()
            .any(|i| i.finding == index || i.also.contains(&index));
        assert!(
            on_item,
            "{} {} has no proposal",
            finding.rule.id, finding.path
        );
    }
    // Each allowlist entry is its own decision: KH104's removal without KH103's repair.
    let dot = item_of(&s, "KH103");
    let third_party = item_of(&s, "KH104");
    assert_eq!(
        s.items[dot].ops,
        [crate::fix::set(
            "selfservice.allowed_return_urls.1",
            serde_json::json!("https://*.acme.io")
        )]
    );
    assert_eq!(
        s.items[third_party].ops,
        [crate::fix::remove("selfservice.allowed_return_urls.2")]
    );
    s.decisions[third_party] = Decision::Accept;
    let preview = s.preview().clone();
    let after = &preview.changes[0].after;
    assert!(!after.contains("exp://"), "{after}");
    assert!(after.contains("- https://*acme.io"), "{after}");
    s.decisions[dot] = Decision::Accept;
    s.preview = None;
    let after = s.preview().changes[0].after.clone();
    assert!(
        after.contains("- https://*.acme.io") && !after.contains("exp://"),
        "{after}"
    );
    s.decisions[dot] = Decision::Pending;
    s.decisions[third_party] = Decision::Pending;
    s.preview = None;
    // One change for two findings (the cookie list rewritten for its placeholder and its weak
    // block key) is one proposal naming both.
    let cookie = (0..s.items.len())
        .find(|i| s.finding(*i).path == "secrets.cookie.0")
        .expect("cookie item");
    let described = crate::prompt::text::describe(&s, cookie, 100);
    assert!(
        described.contains("The same change also fixes\n  KH206 `secrets.cookie.1`"),
        "{described}"
    );
}

/// A fix sharing a key with another is one proposal with it (a cipher algorithm and the
/// cipher secret list's own findings): no decision can write one without the other, and a
/// regenerated secret is the one both write, masked.
#[test]
fn fixes_sharing_a_key_are_one_proposal_and_one_secret() {
    let mut s = demo_session();
    let cipher = proposal_with(&s, "KH220");
    let members: Vec<&str> = std::iter::once(s.items[cipher].finding)
        .chain(s.items[cipher].also.iter().copied())
        .map(|f| s.findings[f].rule.id)
        .collect();
    assert!(
        members.contains(&"KH205") && members.contains(&"KH220"),
        "{members:?}"
    );
    let paths: Vec<&str> = s.items[cipher].ops.iter().map(Op::path).collect();
    assert!(
        paths.contains(&"ciphers.algorithm") && paths.contains(&"secrets.cipher"),
        "{paths:?}"
    );
    let before = s.items[cipher].ops.clone();
    s.screen = Screen::Item(cipher);
    s.update(Message::Regenerate);
    assert_ne!(s.items[cipher].ops, before, "regenerated");
    s.decisions[cipher] = Decision::Accept;
    s.preview = None;
    let preview = s.preview().clone();
    assert!(preview.refused.is_empty(), "{:?}", preview.refused);
    let shown = crate::diff::unified(&preview.lines, false);
    let (_, secret) = s
        .generated
        .iter()
        .find(|(path, _)| path == "secrets.cipher")
        .expect("a cipher secret");
    assert!(!shown.contains(secret.expose()), "the new secret is masked");
    assert!(preview.changes[0].after.contains(secret.expose()));
}

/// With `--secrets-to env-file`, accepting the inline-secret proposal alone moves the secrets
/// without a refusal (its removals were pushed a second time by the relocation and refused
/// as "changed twice").
#[test]
fn moving_secrets_out_is_one_clean_decision() {
    let d = Deployment::from_texts(vec![("k.yml".into(), "k.yml".into(), CONFIG.into())])
        .expect("loads");
    let mut s = start(
        d,
        &Options::default(),
        SecretsTo::EnvFile("k.env".into()),
        Box::new(OsSecrets),
    )
    .expect("plans");
    s.secrets_to = SecretsTo::EnvFile("k.env".into());
    // The removals share keys with the secret fixes: one proposal.
    let inline = proposal_with(&s, "KH210");
    s.decisions[inline] = Decision::Accept;
    let preview = s.preview().clone();
    assert!(preview.refused.is_empty(), "{:?}", preview.refused);
    assert!(!preview.moved.is_empty());
    let asked = s.write_question(&preview);
    assert!(asked.question.starts_with("Write 1 change"), "{asked:?}");
}
