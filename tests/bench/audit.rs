//! `cargo bench --bench audit`: the cost of an audit against a bare parse of the same text, on
//! the largest corpus file (when `../shared` is present) and on a generated 20,000-line config,
//! plus the peak memory of a process that audits the typical (demo) config.
//!
//! Target (issue 2): audit ≤ 1.5× bare parse; ≤ 15 MB peak memory on a typical config.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kratos_harden::config::Deployment;
use kratos_harden::rules::{Context, Profile, check_all};

fn bare_parse(text: &str) {
    let value: serde_json::Value = serde_saphyr::from_str(text).expect("parses");
    std::hint::black_box(value);
}

fn audit(text: &str) -> usize {
    let deployment = Deployment::from_texts(vec![(
        PathBuf::from("bench/kratos.yml"),
        "kratos.yml".to_owned(),
        text.to_owned(),
    )])
    .expect("loads");
    let cx = Context::new(&deployment, Profile::Production, None);
    check_all(&cx).len()
}

/// Median of `runs` timings of `f`.
fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    samples.sort();
    samples[runs / 2]
}

/// A Kratos config of about `lines` lines: many OIDC providers, return URLs and hooks.
fn generated(lines: usize) -> String {
    let mut text = String::from(
        "version: v1.3.1\ndsn: postgres://kratos:pw@db:5432/kratos?sslmode=disable\nserve:\n  public:\n    base_url: https://auth.example.com/\nsecrets:\n  cookie: [q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w]\nselfservice:\n  allowed_return_urls:\n",
    );
    let urls = lines / 4;
    for i in 0..urls {
        let _ = writeln!(text, "    - https://app{i}.example.com/callback");
    }
    text.push_str(
        "  methods:\n    oidc:\n      enabled: true\n      config:\n        providers:\n",
    );
    let mut i = 0;
    while text.lines().count() < lines {
        let _ = write!(
            text,
            "          - id: provider{i}\n            provider: generic\n            client_id: client-{i}\n            client_secret: Zk3Qw9Lm2Rt7Xv4Bn8Hc6Jd1Fg5Sp{i:04}\n            issuer_url: https://idp{i}.example.com/\n            mapper_url: file:///etc/kratos/mapper.jsonnet\n            scope: [openid, email]\n"
        );
        i += 1;
    }
    text
}

fn compare(name: &str, text: &str, runs: usize) {
    let parse = time(runs, || bare_parse(text));
    let mut findings = 0;
    let full = time(runs, || findings = audit(text));
    println!(
        "{name:<44} {:>6} lines  bare parse {:>9.3} ms  audit {:>9.3} ms  ratio {:.2}  ({findings} findings)",
        text.lines().count(),
        parse.as_secs_f64() * 1e3,
        full.as_secs_f64() * 1e3,
        full.as_secs_f64() / parse.as_secs_f64(),
    );
}

/// Peak resident memory of this process (Linux `VmHWM`), in MB.
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    // Child mode: audit the demo once, report this process's peak memory.
    if std::env::args().any(|a| a == "--peak-child") {
        audit(kratos_harden::demo::CONFIG);
        println!("{:.1}", peak_mb().unwrap_or(f64::NAN));
        return;
    }
    if std::env::args().any(|a| a == "--list") {
        println!("audit: bench");
        return;
    }
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/kratos/corpus");
    let largest = std::fs::read_dir(&corpus).ok().and_then(|dir| {
        dir.filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| e == "yml" || e == "yaml" || e == "json")
            })
            .max_by_key(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
    });
    match largest {
        Some(path) => {
            let text = std::fs::read_to_string(&path).expect("reads");
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            compare(&name, &text, 200);
        }
        None => println!("skipped the corpus file: ../shared/kratos/corpus is not present"),
    }
    compare("demo config (typical)", kratos_harden::demo::CONFIG, 200);
    compare("generated config", &generated(20_000), 15);

    let exe = std::env::current_exe().expect("own path");
    let out = std::process::Command::new(exe)
        .arg("--peak-child")
        .output()
        .expect("child runs");
    println!(
        "peak memory of a process auditing the demo config: {} MB",
        String::from_utf8_lossy(&out.stdout).trim()
    );
}
