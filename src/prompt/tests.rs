//! What the line-mode wizard prints and offers, checked on a session built from a text.

use super::text::{self, wrap};
use super::{Choice, choices};
use crate::review::tests::{item_of, session};
use crate::review::{Decision, Message};
use crate::rules::Applicability;

const PLACEHOLDER: &str = "PLEASE-CHANGE-ME-I-AM-VERY-INSECURE";

#[test]
fn wrap_breaks_on_words_and_indents() {
    let text = "one two three four five six seven eight nine ten eleven twelve thirteen";
    let wrapped = wrap(text, 30, "  ");
    assert!(wrapped.lines().count() > 1, "{wrapped}");
    for line in wrapped.lines() {
        assert!(line.starts_with("  "), "{line:?}");
        assert!(line.chars().count() <= 30, "{line:?}");
    }
    assert_eq!(
        wrapped.split_whitespace().collect::<Vec<_>>().join(" "),
        text
    );
    assert_eq!(wrap("", 30, "  "), "");
    // A word longer than the line stays whole.
    let long = "x".repeat(50);
    assert_eq!(wrap(&long, 30, ""), format!("{long}\n"));
}

#[test]
fn welcome_counts_per_threat_and_severity() {
    let s = session();
    let welcome = text::welcome(&s);
    assert!(welcome.contains("Files: k.yml"), "{welcome}");
    assert!(
        welcome.contains(&format!("{} proposals", s.items.len())),
        "{welcome}"
    );
    for threat in s.threats() {
        assert!(welcome.contains(threat.title()), "{welcome}");
    }
    assert!(welcome.contains("high"), "{welcome}");
    assert!(welcome.contains("Ctrl-C"), "{welcome}");
}

#[test]
fn an_item_shows_where_what_why_and_what_may_break() {
    let s = session();
    let leak = item_of(&s, "KH250");
    let text = text::describe(&s, leak, 80);
    assert!(text.contains("KH250 · high ·"), "{text}");
    assert!(
        text.contains("log.leak_sensitive_values (k.yml:3:"),
        "{text}"
    );
    assert!(text.contains("now:      true"), "{text}");
    assert!(text.contains("proposed: false"), "{text}");
    assert!(
        text.contains("Why it matters\n  With it Kratos logs"),
        "{text}"
    );
    assert!(
        text.contains("What may break\n  Nothing functional"),
        "{text}"
    );
    assert!(
        text.lines()
            .all(|l| l.chars().count() <= 80 || l.contains("now:"))
    );
    assert_eq!(
        text::item_question(&s, leak),
        format!(
            "[{}/{}] KH250 (safe fix): what now?",
            leak + 1,
            s.items.len()
        )
    );
}

#[test]
fn secrets_are_masked_in_descriptions() {
    let s = session();
    for item in 0..s.items.len() {
        let text = text::describe(&s, item, 80);
        assert!(!text.contains(PLACEHOLDER), "{text}");
        for (_, secret) in &s.generated {
            assert!(!text.contains(secret.expose()), "{text}");
        }
    }
    let cookie = (0..s.items.len())
        .find(|i| s.items[*i].ops.iter().any(|o| o.path() == "secrets.cookie"))
        .expect("a secrets.cookie fix");
    let text = text::changes(&s, cookie);
    assert!(text.contains("now:      [\"<secret"), "{text}");
    assert!(text.contains("<generated: "), "{text}");
}

#[test]
fn the_menu_offers_only_what_the_item_allows() {
    let s = session();
    let leak = item_of(&s, "KH250");
    let menu = choices(&s, leak);
    assert_eq!(menu[..2], [Choice::Accept, Choice::Skip]);
    assert!(menu.contains(&Choice::Edit), "a bool can be edited");
    assert!(!menu.contains(&Choice::Regenerate));
    assert!(menu.ends_with(&[Choice::Diff, Choice::AcceptAllSafe, Choice::Quit]));

    let cookie = (0..s.items.len())
        .find(|i| text::has_generated_secret(&s.items[*i], &s.generated))
        .expect("a generated secret");
    assert!(choices(&s, cookie).contains(&Choice::Regenerate));

    if let Some(manual) = (0..s.items.len()).find(|i| s.items[*i].ops.is_empty()) {
        assert_eq!(
            choices(&s, manual),
            [Choice::Continue, Choice::AcceptAllSafe, Choice::Quit]
        );
        assert!(text::item_question(&s, manual).ends_with("(manual step):"));
    }
}

#[test]
fn the_summary_counts_decisions() {
    let mut s = session();
    let leak = item_of(&s, "KH250");
    let level = item_of(&s, "KH251");
    let admin = item_of(&s, "KH231");
    s.decisions[leak] = Decision::Accept;
    s.decisions[level] = Decision::Skip;
    s.decisions[admin] = Decision::Edited(serde_json::json!("127.0.0.1"));
    let with_ops = s.items.iter().filter(|i| !i.ops.is_empty()).count();
    let summary = text::summary(&s);
    assert!(
        summary.starts_with(&format!(
            "2 accepted (1 edited), 1 skipped, {} undecided",
            with_ops - 3
        )),
        "{summary}"
    );
    assert!(
        s.write_question(&crate::review::Preview::default())
            .question
            .starts_with("Write 2 changes")
    );
}

#[test]
fn accept_all_safe_leaves_unsafe_fixes_undecided() {
    let mut s = session();
    s.update(Message::AcceptAllSafe);
    let safe = s
        .items
        .iter()
        .filter(|i| i.applicability == Applicability::Safe && !i.ops.is_empty())
        .count();
    let summary = text::summary(&s);
    assert!(
        summary.starts_with(&format!("{safe} accepted, 0 skipped")),
        "{summary}"
    );
    assert!(summary.contains("undecided"), "{summary}");
}
