//! `cargo bench --bench wizard`: the wizard's responsiveness, measured on the session model and
//! ratatui's `TestBackend` (no terminal needed).
//!
//! Targets (issue 4): start to first frame ≤ 50 ms; key to redraw ≤ 16 ms with a 5,000-line
//! diff on the Review screen.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use kratos_harden::config::Deployment;
use kratos_harden::fix::SecretsTo;
use kratos_harden::harden::Options;
use kratos_harden::review::{self, Decision, Message, Screen, Session};
use kratos_harden::secret::OsSecrets;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn session(text: &str) -> Session {
    let deployment = Deployment::from_texts(vec![(
        PathBuf::from("bench/kratos.yml"),
        "kratos.yml".to_owned(),
        text.to_owned(),
    )])
    .expect("loads");
    review::start(
        deployment,
        &Options::default(),
        SecretsTo::Inline,
        Box::new(OsSecrets),
    )
    .expect("plans")
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// A config whose accepted fixes give a diff of several thousand lines.
fn big_config() -> String {
    let mut text = String::from("selfservice:\n  allowed_return_urls:\n");
    for i in 0..5_000 {
        let _ = writeln!(text, "    - https://app{i}.example.com/callback");
    }
    text
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("wizard: bench");
        return;
    }
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    // Start to first frame: load, audit, plan every fix, build the session, draw Welcome.
    let first: Vec<Duration> = (0..15)
        .map(|_| {
            let start = Instant::now();
            let mut s = session(kratos_harden::demo::CONFIG);
            terminal
                .draw(|f| kratos_harden::tui::draw(f, &mut s))
                .expect("draws");
            start.elapsed()
        })
        .collect();
    println!(
        "start to first frame (demo config, 120x40): {:.1} ms",
        median(first).as_secs_f64() * 1e3
    );

    // A session on Review with a 5,000+ line diff.
    let mut s = session(&big_config());
    for i in 0..s.items.len() {
        if !s.items[i].ops.is_empty() {
            s.decisions[i] = Decision::Accept;
        }
    }
    s.screen = Screen::Review;
    let start = Instant::now();
    terminal
        .draw(|f| kratos_harden::tui::draw(f, &mut s))
        .expect("draws");
    let lines = s.preview().lines.len();
    println!(
        "entering Review (patch, verify and diff of {lines} lines): {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    let mut samples = Vec::new();
    for step in 0..200 {
        let message = if step % 50 == 49 {
            Message::Scroll(-1000)
        } else {
            Message::Scroll(25)
        };
        let start = Instant::now();
        s.update(message);
        terminal
            .draw(|f| kratos_harden::tui::draw(f, &mut s))
            .expect("draws");
        samples.push(start.elapsed());
    }
    let worst = samples.iter().max().copied().unwrap_or_default();
    println!(
        "key to redraw on Review with {lines} diff lines (scrolling): median {:.2} ms, worst {:.2} ms",
        median(samples).as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3
    );
}
