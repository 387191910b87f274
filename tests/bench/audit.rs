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

/// The cheapest full parse: into a generic value, comments not collected (as the loader).
fn bare_parse(text: &str) {
    let mut options = serde_saphyr::Options::default();
    options.emit_comments = false;
    let value: serde_json::Value =
        serde_saphyr::from_str_with_options(text, options).expect("parses");
    std::hint::black_box(value);
}

/// The deployment for one config text: what `audit` loads before running rules.
fn load(text: &str) -> Deployment {
    Deployment::from_texts(vec![(
        PathBuf::from("bench/kratos.yml"),
        "kratos.yml".to_owned(),
        text.to_owned(),
    )])
    .expect("loads")
}

/// What `audit` does per deployment: load, check, and attach to each finding what `apply`
/// would do for it (the plan).
fn audit(text: &str) -> usize {
    let deployment = load(text);
    let cx = Context::new(&deployment, Profile::Production, None);
    let mut findings = check_all(&cx);
    kratos_harden::harden::attach_fixes(&deployment, &cx, &mut findings).expect("plans");
    findings.len()
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

/// A Kratos config of about `lines` lines: many return URLs and OIDC providers. Insecure:
/// every entry trips rules (about 12,000 findings); otherwise the entries are clean.
fn generated(lines: usize, insecure: bool) -> String {
    let mut text = String::from(
        "version: v1.3.1\ndsn: postgres://kratos:pw@db:5432/kratos?sslmode=disable\nserve:\n  public:\n    base_url: https://auth.example.com/\nsecrets:\n  cookie: [q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w]\nselfservice:\n  allowed_return_urls:\n",
    );
    let urls = lines / 4;
    for i in 0..urls {
        if insecure {
            let _ = writeln!(text, "    - https://app{i}.example.com/callback");
        } else {
            let _ = writeln!(text, "    - https://app{i}.acme.io/callback/");
        }
    }
    text.push_str(
        "  methods:\n    oidc:\n      enabled: true\n      config:\n        providers:\n",
    );
    let mut i = 0;
    let mut count = text.lines().count();
    while count < lines {
        // Clean providers get their secret from the environment, so the key is absent.
        let secret = if insecure {
            "client_secret: Zk3Qw9Lm2Rt7Xv4Bn8Hc6Jd1Fg5Sp"
        } else {
            "label: Provider "
        };
        count += 7;
        let _ = write!(
            text,
            "          - id: provider{i}\n            provider: generic\n            client_id: client-{i}\n            {secret}{i:04}\n            issuer_url: https://idp{i}.example.com/\n            mapper_url: file:///etc/kratos/mapper.jsonnet\n            scope: [openid, email]\n"
        );
        i += 1;
    }
    text
}

fn load_only(text: &str) {
    std::hint::black_box(load(text));
}

fn compare(name: &str, text: &str, runs: usize) {
    let parse = time(runs, || bare_parse(text));
    let load = time(runs, || load_only(text));
    let mut findings = 0;
    let full = time(runs, || findings = audit(text));
    println!(
        "{name:<34} {:>6} lines  bare parse {:>8.3} ms  load {:>8.3} ms  audit {:>8.3} ms  ratio {:.2}  ({findings} findings)",
        text.lines().count(),
        parse.as_secs_f64() * 1e3,
        load.as_secs_f64() * 1e3,
        full.as_secs_f64() * 1e3,
        full.as_secs_f64() / parse.as_secs_f64(),
    );
}

fn per_rule(text: &str) {
    let deployment = load(text);
    let cx = Context::new(&deployment, Profile::Production, None);
    let mut costs: Vec<(Duration, &str)> = kratos_harden::rules::RULES
        .iter()
        .map(|rule| {
            let cost = time(21, || {
                let mut out = Vec::new();
                rule.check(
                    &cx,
                    &mut kratos_harden::rules::Sink::new(&cx, rule.meta(), &mut out),
                );
                std::hint::black_box(out);
            });
            (cost, rule.meta().id)
        })
        .collect();
    costs.sort_by(|a, b| b.cmp(a));
    for (cost, id) in costs.iter().take(8) {
        println!("{id} {:>9.1} µs", cost.as_secs_f64() * 1e6);
    }
}

/// What `apply --dry-run --unsafe-fixes` does: load, audit, plan every fix, patch and verify
/// each file, audit the result again (the proof), and build the masked diff. Returns the
/// number of diff lines.
fn apply_dry_run(text: &str) -> usize {
    let deployment = load(text);
    let options = kratos_harden::harden::Options {
        selection: kratos_harden::fix::Selection {
            unsafe_fixes: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut rng = kratos_harden::secret::OsSecrets;
    let mut env = kratos_harden::fix::FixEnv::new(&mut rng, kratos_harden::fix::SecretsTo::Inline);
    let mut outcome = kratos_harden::harden::run(&deployment, &options, &mut env).expect("fixes");
    kratos_harden::harden::prove(&deployment, &options, &mut outcome).expect("proves");
    let masker = kratos_harden::mask::Masker::for_deployment(&deployment, &outcome.generated);
    outcome
        .changes
        .iter()
        .map(|c| kratos_harden::diff::lines("kratos.yml", &c.before, &c.after, &masker).len())
        .sum()
}

/// Where `apply --dry-run` spends its time, phase by phase.
fn phases(text: &str) {
    let t = Instant::now();
    let deployment = load(text);
    println!("load {:?}", t.elapsed());
    let cx = Context::new(&deployment, Profile::Production, None);
    let t = Instant::now();
    let findings = check_all(&cx);
    println!("audit {:?} ({} findings)", t.elapsed(), findings.len());
    let selection = kratos_harden::fix::Selection {
        unsafe_fixes: true,
        ..Default::default()
    };
    let mut rng = kratos_harden::secret::OsSecrets;
    let mut env = kratos_harden::fix::FixEnv::new(&mut rng, kratos_harden::fix::SecretsTo::Inline);
    let t = Instant::now();
    let plan = kratos_harden::fix::plan(&cx, &findings, &selection, &mut env).expect("plan");
    let ops: Vec<_> = plan.by_file.iter().flat_map(|(_, o)| o.clone()).collect();
    println!("plan {:?} ({} ops)", t.elapsed(), ops.len());
    // Through the run, as apply patches: list entry changes are merged per list there (the
    // editor alone would take one pass per removed entry).
    let t = Instant::now();
    let options = kratos_harden::harden::Options {
        selection: selection.clone(),
        ..Default::default()
    };
    let outcome = kratos_harden::harden::run(&deployment, &options, &mut env).expect("run");
    println!("audit+plan+patch+verify {:?}", t.elapsed());
    let patched = outcome
        .changes
        .first()
        .map_or_else(|| text.to_owned(), |c| c.after.clone());
    let t = Instant::now();
    let masker = kratos_harden::mask::Masker::for_deployment(&deployment, &env.generated);
    let lines = kratos_harden::diff::lines("k", text, &patched, &masker);
    println!("diff {:?} ({} lines)", t.elapsed(), lines.len());
    let t = Instant::now();
    let lines =
        kratos_harden::diff::lines("k", text, &patched, &kratos_harden::mask::Masker::default());
    println!(
        "diff without masking {:?} ({} lines)",
        t.elapsed(),
        lines.len()
    );
}

/// Peak resident memory of this process (Linux `VmHWM`), in MB.
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The real binary on `args`, pinned to two cores (`taskset`) when possible, as CI runs it.
fn binary(args: &[&std::ffi::OsStr]) -> std::process::Command {
    let exe = env!("CARGO_BIN_EXE_kratos-harden");
    let pinned = std::process::Command::new("taskset")
        .arg("-V")
        .output()
        .is_ok();
    let mut cmd = if pinned {
        let mut c = std::process::Command::new("taskset");
        c.args(["-c", "0,1", exe]);
        c
    } else {
        std::process::Command::new(exe)
    };
    cmd.args(args).stdout(std::process::Stdio::null());
    cmd
}

/// Start-to-exit time and peak memory of `kratos-harden audit` on the demo config.
fn whole_process() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("kratos.yml");
    std::fs::write(&config, kratos_harden::demo::CONFIG).expect("write");
    let args = ["audit", "--fail-on", "none", "-c"].map(std::ffi::OsStr::new);
    let mut all: Vec<&std::ffi::OsStr> = args.to_vec();
    all.push(config.as_os_str());
    let runs = 20;
    let start = Instant::now();
    for _ in 0..runs {
        binary(&all).status().expect("runs");
    }
    let each = start.elapsed() / runs;
    // GNU time reports the child's peak resident set; without it, only the time is shown.
    let peak = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_kratos-harden"))
        .args(&all)
        .stdout(std::process::Stdio::null())
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stderr)
                .trim()
                .lines()
                .last()?
                .parse::<f64>()
                .ok()
        });
    match peak {
        Some(kb) => println!(
            "whole process, audit of the demo config: {:.1} ms, peak memory {:.1} MB",
            each.as_secs_f64() * 1e3,
            kb / 1024.0
        ),
        None => println!(
            "whole process, audit of the demo config: {:.1} ms",
            each.as_secs_f64() * 1e3
        ),
    }
}

fn main() {
    // Child mode: audit the demo once, report this process's peak memory.
    if std::env::args().any(|a| a == "--peak-child") {
        audit(kratos_harden::demo::CONFIG);
        println!("{:.1}", peak_mb().unwrap_or(f64::NAN));
        return;
    }
    // Per-rule cost on the generated config, slowest first: where to look before optimising.
    if std::env::args().any(|a| a == "--per-rule") {
        per_rule(&generated(20_000, true));
        per_rule(&generated(20_000, false));
        per_rule(kratos_harden::demo::CONFIG);
        return;
    }
    if std::env::args().any(|a| a == "--phases") {
        phases(&generated(20_000, true));
        return;
    }
    // The generated config as a file, to profile the binary on it (callgrind, hyperfine).
    if std::env::args().any(|a| a == "--dump") {
        print!("{}", generated(20_000, true));
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
    // A typical production config keeps its credentials in the environment (as `init` writes
    // it); with the database password inline, that password gets one zxcvbn estimate.
    let hardened = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hardened.yml"),
    )
    .expect("fixture");
    let mut env_dsn = String::new();
    for line in hardened.lines().filter(|l| !l.starts_with("dsn:")) {
        env_dsn.push_str(line);
        env_dsn.push('\n');
    }
    compare("hardened, credentials in env", &env_dsn, 200);
    compare("hardened, DB password inline", &hardened, 200);
    compare("demo config (insecure)", kratos_harden::demo::CONFIG, 200);
    compare(
        "generated config, every entry insecure",
        &generated(20_000, true),
        15,
    );
    compare(
        "generated config, clean entries",
        &generated(20_000, false),
        15,
    );

    for (name, text) in [
        ("demo config", kratos_harden::demo::CONFIG.to_owned()),
        (
            "generated config, every entry insecure",
            generated(20_000, true),
        ),
    ] {
        let mut lines = 0;
        let cost = time(9, || lines = apply_dry_run(&text));
        println!(
            "apply --dry-run --unsafe-fixes, {name:<38} {:>6} lines  {:>8.1} ms  ({lines} diff lines)",
            text.lines().count(),
            cost.as_secs_f64() * 1e3
        );
    }

    whole_process();

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
