//! The full-screen wizard on ratatui's `TestBackend`: every screen and popup at 80×24 and
//! 120×40, driven with `Message`s (not keystrokes), snapshotted with insta. Every rendered
//! buffer is checked for secrets: no generated secret, placeholder or DSN password may show.

use std::io;

use kratos_harden::config::Deployment;
use kratos_harden::fix::SecretsTo;
use kratos_harden::harden::Options;
use kratos_harden::review::{self, Decision, Message, Popup, Screen, Session};
use kratos_harden::secret::OsSecrets;
use kratos_harden::tui::{self, keys};
use ratatui::Terminal;

use crate::{common, pty};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers,
};

/// Trips rules of all four threats: safe, unsafe and manual fixes, generated secrets, a DSN
/// with a password.
const CONFIG: &str = "\
version: v1.3.1
dsn: postgres://kratos:kratos@db:5432/kratos?sslmode=disable
log:
  level: debug
  leak_sensitive_values: true
serve:
  public:
    base_url: https://auth.acme.io/
  admin:
    base_url: http://127.0.0.1:4434/
selfservice:
  default_browser_return_url: https://app.acme.io/
  allowed_return_urls:
    - https://*acme.io
  flows:
    settings:
      privileged_session_max_age: 1h
    login:
      lifespan: 10m
session:
  lifespan: 720h
secrets:
  cookie: [PLEASE-CHANGE-ME-I-AM-VERY-INSECURE]
";

/// Things that must never be drawn while secrets are masked.
const NEVER_SHOWN: &[&str] = &["PLEASE-CHANGE", ":kratos@", "I-AM-VERY-INSECURE"];

/// A secret typed in an edit (long and random-looking enough to be accepted).
const TYPED_SECRET: &str = "Zk3Qw9Lm2Rt7Xv4Bn8Hc6Jd1Fg5Sp0YaQ7mUe3Wr";

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn session() -> Session {
    let deployment = Deployment::from_texts(vec![(
        "kratos.yml".into(),
        "kratos.yml".into(),
        CONFIG.into(),
    )])
    .unwrap();
    review::start(
        deployment,
        &Options::default(),
        SecretsTo::Inline,
        Box::new(OsSecrets),
    )
    .unwrap()
}

fn item_of(session: &Session, rule: &str) -> usize {
    (0..session.items.len())
        .find(|i| session.finding(*i).rule.id == rule)
        .unwrap()
}

fn on_item(rule: &str) -> Session {
    let mut s = session();
    s.screen = Screen::Item(item_of(&s, rule));
    s
}

/// One frame of `session` at `width`×`height`.
fn frame(session: &mut Session, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| tui::draw(f, session)).unwrap();
    terminal
}

/// Panics when anything secret is on screen.
fn assert_masked(session: &Session, shown: &str) {
    for needle in NEVER_SHOWN.iter().copied().chain([TYPED_SECRET]) {
        assert!(!shown.contains(needle), "{needle:?} is on screen:\n{shown}");
    }
    for (path, secret) in &session.generated {
        assert!(
            !shown.contains(secret.expose()),
            "the secret generated for {path} is on screen:\n{shown}"
        );
    }
}

/// Snapshots `session` at both sizes as `<name>_<w>x<h>`.
fn snapshot(name: &str, session: &mut Session) {
    for (width, height) in SIZES {
        let terminal = frame(session, width, height);
        assert_masked(session, &terminal.backend().to_string());
        insta::assert_snapshot!(format!("{name}_{width}x{height}"), terminal.backend());
    }
}

#[test]
fn welcome() {
    snapshot("welcome", &mut session());
}

#[test]
fn threat_intros() {
    let mut s = session();
    s.update(Message::Accept);
    assert!(matches!(s.screen, Screen::Threat(_)));
    snapshot("threat_flow_bypass", &mut s);
    s.screen = Screen::Threat(kratos_harden::rules::Threat::Dos);
    snapshot("threat_dos", &mut s);
}

#[test]
fn item_safe() {
    let mut s = on_item("KH250");
    snapshot("item_safe", &mut s);
}

#[test]
fn item_unsafe_with_progress() {
    let mut s = session();
    let first = s.items_of(s.finding(item_of(&s, "KH231")).rule.threat)[0];
    s.screen = Screen::Item(first);
    s.update(Message::Accept);
    s.update(Message::Skip);
    s.screen = Screen::Item(item_of(&s, "KH231"));
    snapshot("item_unsafe", &mut s);
}

#[test]
fn item_generated_secret() {
    let mut s = on_item("KH205");
    s.update(Message::Regenerate);
    snapshot("item_secret", &mut s);
}

#[test]
fn item_manual() {
    let mut s = on_item("KH301");
    snapshot("item_manual", &mut s);
}

#[test]
fn item_with_a_dsn_password() {
    let mut s = on_item("KH404");
    snapshot("item_dsn", &mut s);
}

#[test]
fn review_after_accepting_all_safe() {
    let mut s = session();
    s.update(Message::AcceptAllSafe);
    assert_eq!(s.screen, Screen::Review);
    snapshot("review", &mut s);
    s.update(Message::Scroll(8));
    snapshot("review_scrolled", &mut s);
}

#[test]
fn review_scroll_stays_within_the_diff() {
    let mut s = session();
    s.update(Message::AcceptAllSafe);
    s.update(Message::Scroll(i32::MAX));
    let terminal = frame(&mut s, 80, 24);
    let total = s.preview().lines.len();
    assert!(total > 10, "the diff is long enough to scroll");
    assert!(
        s.scroll + 5 < total,
        "End shows a full page, not the last line alone"
    );
    assert!(
        terminal
            .backend()
            .to_string()
            .contains(&format!("of {total}"))
    );
    s.update(Message::Scroll(i32::MIN));
    assert_eq!(s.scroll, 0);
}

#[test]
fn review_with_nothing_accepted() {
    let mut s = session();
    s.screen = Screen::Review;
    s.update(Message::Write);
    snapshot("review_empty", &mut s);
}

#[test]
fn reveal_shows_secrets_only_when_asked() {
    let mut s = session();
    s.update(Message::AcceptAllSafe);
    s.update(Message::ToggleReveal);
    let shown = frame(&mut s, 120, 40).backend().to_string();
    assert!(shown.contains("SECRETS SHOWN"));
    assert!(
        s.generated.iter().any(|(_, g)| shown.contains(g.expose())),
        "revealed secrets are drawn"
    );
    s.update(Message::ToggleReveal);
    let shown = frame(&mut s, 120, 40).backend().to_string();
    assert_masked(&s, &shown);
}

#[test]
fn popup_confirm_write() {
    let mut s = session();
    s.update(Message::AcceptAllSafe);
    s.update(Message::Write);
    assert_eq!(s.popup, Some(Popup::ConfirmWrite));
    snapshot("popup_confirm_write", &mut s);
}

#[test]
fn popup_confirm_unsafe() {
    let mut s = on_item("KH231");
    s.update(Message::Accept);
    assert!(matches!(s.popup, Some(Popup::ConfirmUnsafe(_))));
    snapshot("popup_confirm_unsafe", &mut s);
}

#[test]
fn popup_confirm_quit() {
    let mut s = session();
    s.update(Message::AcceptAllSafe);
    s.update(Message::Quit);
    assert_eq!(s.popup, Some(Popup::ConfirmQuit));
    snapshot("popup_confirm_quit", &mut s);
}

#[test]
fn popup_edit_with_error() {
    let mut s = on_item("KH122");
    s.update(Message::StartEdit);
    for _ in 0..5 {
        s.update(Message::DeleteChar);
    }
    for c in "ten minutes".chars() {
        s.update(Message::Input(c));
    }
    s.update(Message::Accept);
    assert!(matches!(s.popup, Some(Popup::Edit { error: Some(_), .. })));
    snapshot("popup_edit", &mut s);
}

#[test]
fn typed_secrets_are_hidden_while_typing_and_after() {
    let mut s = on_item("KH205");
    s.update(Message::StartEdit);
    for c in TYPED_SECRET.chars() {
        s.update(Message::Input(c));
    }
    snapshot("popup_edit_secret", &mut s);
    s.update(Message::Accept);
    let item = item_of(&s, "KH205");
    assert!(matches!(s.decisions[item], Decision::Edited(_)));
    s.screen = Screen::Item(item);
    let shown = frame(&mut s, 120, 40).backend().to_string();
    assert_masked(&s, &shown);
    s.update(Message::ShowDiff);
    let shown = frame(&mut s, 120, 40).backend().to_string();
    assert_masked(&s, &shown);
    s.update(Message::No);
    s.update(Message::AcceptAllSafe);
    let shown = frame(&mut s, 120, 40).backend().to_string();
    assert_masked(&s, &shown);
}

#[test]
fn popup_item_diff() {
    let mut s = on_item("KH205");
    s.update(Message::ShowDiff);
    assert!(matches!(s.popup, Some(Popup::ItemDiff(_))));
    snapshot("popup_item_diff", &mut s);
}

#[test]
fn popup_help() {
    let mut s = on_item("KH250");
    s.update(Message::Help);
    assert_eq!(s.popup, Some(Popup::Help));
    snapshot("popup_help", &mut s);
}

#[test]
fn done() {
    let mut s = session();
    s.update(Message::AcceptAllSafe);
    s.written(vec![
        "kratos.yml (backup kratos.yml.bak.20260101T120000)".to_owned(),
    ]);
    snapshot("done", &mut s);
}

fn press(code: KeyCode) -> KeyEvent {
    KeyEvent {
        code,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    }
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent {
        modifiers: KeyModifiers::CONTROL,
        ..press(KeyCode::Char(c))
    }
}

#[test]
fn key_table_maps_keys_per_mode() {
    use KeyCode::{Backspace, Char, End, Enter, Esc, Home, PageDown, Tab, Up};
    let mut s = session();
    let map = |s: &Session, key| tui::message_for(key, s);
    // Welcome.
    assert_eq!(map(&s, press(Enter)), Some(Message::Accept));
    assert_eq!(map(&s, press(Char('?'))), Some(Message::Help));
    assert_eq!(map(&s, press(Char('a'))), Some(Message::AcceptAllSafe));
    assert_eq!(
        map(&s, press(Char('n'))),
        None,
        "nothing to skip on Welcome"
    );
    // A proposal.
    s.screen = Screen::Item(item_of(&s, "KH122"));
    for (key, message) in [
        (Enter, Message::Accept),
        (Char('y'), Message::Accept),
        (Char('n'), Message::Skip),
        (Char('e'), Message::StartEdit),
        (Char('r'), Message::Regenerate),
        (Char('d'), Message::ShowDiff),
        (Char('b'), Message::Back),
        (Backspace, Message::Back),
        (Tab, Message::NextThreat),
        (Char('a'), Message::AcceptAllSafe),
        (Char('q'), Message::Quit),
        (Esc, Message::Quit),
        (Char('?'), Message::Help),
    ] {
        assert_eq!(map(&s, press(key)), Some(message), "{key:?} on a proposal");
    }
    assert_eq!(map(&s, ctrl('c')), Some(Message::ForceQuit));
    let release = KeyEvent {
        kind: KeyEventKind::Release,
        ..press(Enter)
    };
    assert_eq!(map(&s, release), None, "only presses count");
    // Editing: letters are text, not commands.
    s.update(Message::StartEdit);
    assert_eq!(map(&s, press(Char('q'))), Some(Message::Input('q')));
    assert_eq!(map(&s, press(Char('n'))), Some(Message::Input('n')));
    assert_eq!(map(&s, press(Backspace)), Some(Message::DeleteChar));
    assert_eq!(map(&s, press(Enter)), Some(Message::Accept));
    assert_eq!(map(&s, press(Esc)), Some(Message::No));
    assert_eq!(map(&s, ctrl('c')), Some(Message::ForceQuit));
    s.update(Message::No);
    // A question.
    s.popup = Some(Popup::ConfirmQuit);
    assert_eq!(map(&s, press(Char('y'))), Some(Message::Yes));
    assert_eq!(map(&s, press(Enter)), Some(Message::Yes));
    assert_eq!(map(&s, press(Char('n'))), Some(Message::No));
    assert_eq!(map(&s, press(Esc)), Some(Message::No));
    s.popup = None;
    // Review.
    s.screen = Screen::Review;
    assert_eq!(map(&s, press(Char('w'))), Some(Message::Write));
    assert_eq!(map(&s, press(Char('s'))), Some(Message::ToggleReveal));
    assert_eq!(map(&s, press(Up)), Some(Message::Scroll(-1)));
    assert_eq!(map(&s, press(PageDown)), Some(Message::Scroll(keys::PAGE)));
    assert_eq!(map(&s, press(Home)), Some(Message::Scroll(i32::MIN)));
    assert_eq!(map(&s, press(End)), Some(Message::Scroll(i32::MAX)));
    // Every binding is listed in the help, and the bar offers only keys of the mode.
    let listed: Vec<&str> = keys::help()
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|b| b.action))
        .collect();
    for binding in keys::KEYS {
        let viewer = binding.modes == [keys::Mode::Viewer];
        assert!(
            viewer || listed.contains(&binding.action),
            "{}",
            binding.action
        );
    }
    for binding in keys::bar(&s) {
        assert!(binding.modes.contains(&keys::Mode::Review));
    }
}

/// A scripted event source for [`tui::drive`].
fn script(events: Vec<Event>) -> impl FnMut() -> io::Result<Event> {
    let mut events = events.into_iter();
    move || {
        events
            .next()
            .ok_or_else(|| io::Error::other("the script ran out of events"))
    }
}

#[test]
fn loop_writes_reports_failures_and_exits() {
    let mut s = session();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let key = |c| Event::Key(press(KeyCode::Char(c)));
    // Accept all safe, write, confirm: the writer fails, the wizard stays on Review.
    let mut failing = |_: &Session| -> anyhow::Result<Vec<String>> {
        anyhow::bail!("kratos.yml: the file changed on disk since it was read")
    };
    let mut events = script(vec![Event::Resize(100, 30), key('a'), key('w'), key('y')]);
    let stopped = tui::drive(&mut terminal, &mut s, &mut failing, &mut events);
    assert!(stopped.is_err(), "the script ends the loop");
    assert_eq!(s.screen, Screen::Review);
    assert_eq!(s.popup, None);
    let notice = s.notice.clone().unwrap();
    assert!(notice.contains("Nothing was written") && notice.contains("changed on disk"));
    assert!(
        terminal
            .backend()
            .to_string()
            .contains("Nothing was written")
    );
    // Written: the Done screen, then Enter exits.
    let mut written = Vec::new();
    let mut writer = |session: &Session| -> anyhow::Result<Vec<String>> {
        written.push(session.accepted_ops().len());
        Ok(vec![
            "kratos.yml (backup kratos.yml.bak.20260101T120000)".to_owned(),
        ])
    };
    let mut events = script(vec![key('w'), key('y'), Event::Key(press(KeyCode::Enter))]);
    tui::drive(&mut terminal, &mut s, &mut writer, &mut events).unwrap();
    assert_eq!(written, vec![1]);
    assert_eq!(s.screen, Screen::Done);
    // Ctrl-C leaves at once.
    let mut s = session();
    let mut events = script(vec![key('a'), Event::Key(ctrl('c'))]);
    tui::drive(&mut terminal, &mut s, &mut failing, &mut events).unwrap();
}

#[test]
fn every_screen_survives_odd_sizes() {
    let mut sessions: Vec<Session> = Vec::new();
    let mut s = session();
    sessions.push(session());
    s.update(Message::Accept);
    sessions.push(std::mem::replace(&mut s, session()));
    for rule in ["KH205", "KH301", "KH404", "KH122"] {
        let mut s = on_item(rule);
        sessions.push(on_item(rule));
        s.update(Message::ShowDiff);
        sessions.push(s);
    }
    let mut s = on_item("KH122");
    s.update(Message::StartEdit);
    sessions.push(s);
    let mut s = session();
    s.update(Message::AcceptAllSafe);
    s.update(Message::Scroll(3));
    sessions.push(std::mem::replace(&mut s, session()));
    s.update(Message::AcceptAllSafe);
    s.update(Message::Write);
    sessions.push(std::mem::replace(&mut s, session()));
    s.update(Message::Help);
    sessions.push(std::mem::replace(&mut s, session()));
    s.written(vec!["kratos.yml".to_owned()]);
    sessions.push(s);
    for s in &mut sessions {
        for (width, height) in [(1, 1), (12, 4), (30, 8), (50, 14), (81, 25), (200, 60)] {
            let shown = frame(s, width, height).backend().to_string();
            assert_masked(s, &shown);
        }
    }
}

/// The real binary's full screen on a pseudo-terminal: accept the safe fixes, write, leave.
#[test]
fn full_screen_end_to_end_writes_and_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (config, mut pty) = started(dir.path());
    pty.send("a");
    pty.wait_for("secrets masked", pty::TIMEOUT).unwrap();
    pty.send("w");
    pty.wait_for("Write the changes?", pty::TIMEOUT).unwrap();
    pty.send("y");
    pty.wait_for("Next steps", pty::TIMEOUT).unwrap();
    pty.send("\r");
    assert_eq!(pty.wait_exit(), Some(0), "{}", pty.screen());
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(
        written.contains("leak_sensitive_values: false"),
        "{written}"
    );
    assert!(!written.contains("PLEASE-CHANGE"));
    let backups = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref().is_ok_and(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("kratos.yml.bak.")
            })
        })
        .count();
    assert_eq!(backups, 1);
    left_alternate_screen(&pty);
    let transcript = pty.transcript();
    // The generated secrets are the long alphanumeric runs of the written file.
    let secrets: Vec<&str> = written
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| t.len() >= 32)
        .collect();
    assert!(secrets.len() >= 3, "{written}");
    for secret in secrets {
        assert!(!transcript.contains(secret), "a written secret was drawn");
    }
}

/// Ctrl-C in raw mode is a key: the wizard leaves at once, writes nothing and restores the
/// terminal.
#[test]
fn full_screen_ctrl_c_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (config, mut pty) = started(dir.path());
    pty.send("a");
    pty.wait_for("secrets masked", pty::TIMEOUT).unwrap();
    pty.send("\x03");
    assert_eq!(pty.wait_exit(), Some(0), "{}", pty.screen());
    assert_eq!(std::fs::read_to_string(&config).unwrap(), CONFIG);
    left_alternate_screen(&pty);
    pty.wait_for("Nothing was written", pty::TIMEOUT).unwrap();
}

/// The full-screen wizard on [`CONFIG`] in `dir`, on its welcome screen.
fn started(dir: &std::path::Path) -> (std::path::PathBuf, pty::Pty) {
    let config = common::write(dir, "kratos.yml", CONFIG);
    let pty = pty::spawn_sized(&["wizard", "-c", "kratos.yml"], dir, (24, 80));
    pty.wait_for("Findings by threat and severity", pty::TIMEOUT)
        .unwrap();
    (config, pty)
}

/// Waits for the program's output to show it left the alternate screen.
fn left_alternate_screen(pty: &pty::Pty) {
    let left = pty.wait_until(pty::TIMEOUT, |p| p.transcript().contains("\x1b[?1049l"));
    assert!(left.is_ok(), "the alternate screen is never left:\n{:?}", {
        let t: Vec<char> = pty.transcript().chars().collect();
        t[t.len().saturating_sub(300)..].iter().collect::<String>()
    });
}

/// `q` with decisions taken asks first; confirming leaves without writing and restores the
/// terminal (alternate screen left, cursor shown again).
#[test]
fn full_screen_q_asks_then_quits_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let (config, mut pty) = started(dir.path());
    pty.send("\r");
    pty.wait_for("What it is", pty::TIMEOUT).unwrap();
    pty.send("a");
    pty.wait_for("secrets masked", pty::TIMEOUT).unwrap();
    pty.send("q");
    pty.wait_for("Quit", pty::TIMEOUT).unwrap();
    pty.send("y");
    assert_eq!(pty.wait_exit(), Some(0), "{}", pty.screen());
    assert_eq!(std::fs::read_to_string(&config).unwrap(), CONFIG);
    left_alternate_screen(&pty);
    assert!(
        pty.transcript().contains("\x1b[?25h"),
        "the cursor is shown again"
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().count() == 1,
        "no backup, no temporary file"
    );
}
