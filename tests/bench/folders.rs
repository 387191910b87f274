//! `cargo bench --bench folders`: `kratos-harden audit DIR` over 1,000 and 10,000 deployments
//! (`-- --50k` adds 50,000), the whole release process pinned to two cores as CI runs it, with
//! its peak memory. Every deployment's text is distinct, so nothing can be reused between
//! them.
//!
//! Three kinds of deployment:
//! - `init`: what `kratos-harden init` writes, secrets and DSN in the environment (the usual
//!   content of a repository of configs); each with its own host names.
//! - `inline password`: the hardened fixture with its own random database password in the DSN,
//!   so each deployment pays for one zxcvbn strength estimate (about 0.2 ms).
//! - `demo`: the demo config, 71 findings each: the worst case for the report.
//!
//! Target (issue 7): 10,000 deployments ≤ 2 s on 2 cores, time linear in the count.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// The release binary, pinned to cores 0 and 1 when `taskset` exists.
fn binary(args: &[&OsStr]) -> Command {
    let exe = env!("CARGO_BIN_EXE_kratos-harden");
    let pinned = Command::new("taskset").arg("-V").output().is_ok();
    let mut cmd = if pinned {
        let mut c = Command::new("taskset");
        c.args(["-c", "0,1", exe]);
        c
    } else {
        Command::new(exe)
    };
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::null());
    cmd
}

/// A small deterministic generator (xorshift): distinct, reproducible passwords.
struct Random(u64);

impl Random {
    fn password(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        (0..len)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                let i = usize::try_from(self.0 % ALPHABET.len() as u64).unwrap_or(0);
                char::from(ALPHABET[i])
            })
            .collect()
    }
}

/// The config `init` writes for a typical production answer set.
fn init_config() -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("deployment");
    let args = [
        "init",
        "--out",
        out.to_str().expect("utf-8 temp path"),
        "--public-url",
        "https://auth.acme.io",
        "--ui-url",
        "https://app.acme.io",
        "--db-host",
        "db.internal",
        "--smtp-uri",
        "smtps://mailer:Xq7vP2mR9kTz4bWn@smtp.acme.io:465/",
    ]
    .map(OsStr::new);
    let status = binary(&args).status().expect("init runs");
    assert!(status.success(), "init failed: {status}");
    std::fs::read_to_string(out.join("kratos.yml")).expect("init wrote kratos.yml")
}

/// A deployment's text from its number.
type Text<'a> = Box<dyn Fn(usize) -> String + 'a>;

/// Writes `n` deployments `d00000/kratos.yml`… with the texts `text(i)`.
fn write_folder(n: usize, text: &dyn Fn(usize) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for i in 0..n {
        let sub = dir.path().join(format!("d{i:05}"));
        std::fs::create_dir(&sub).expect("folder");
        std::fs::write(sub.join("kratos.yml"), text(i)).expect("write");
    }
    dir
}

/// Runs `audit DIR` once to warm the page cache, then three times; prints the median and the
/// peak memory (GNU time), returns the median in seconds.
fn audit_folder(dir: &Path, n: usize, label: &str) -> f64 {
    let args = ["audit", "--fail-on", "none"].map(OsStr::new);
    let mut all: Vec<&OsStr> = args.to_vec();
    all.push(dir.as_os_str());
    let _ = binary(&all).status();
    let mut samples: Vec<f64> = (0..3)
        .map(|_| {
            let start = Instant::now();
            let status = binary(&all).status().expect("runs");
            assert!(status.success(), "audit failed: {status}");
            start.elapsed().as_secs_f64()
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    let median = samples[1];
    let peak = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_kratos-harden"))
        .args(&all)
        .stdout(Stdio::null())
        .output()
        .ok()
        .and_then(|o| {
            let err = String::from_utf8_lossy(&o.stderr).into_owned();
            err.trim().lines().last()?.parse::<f64>().ok()
        })
        .map_or_else(String::new, |kb| format!(", peak {:.0} MB", kb / 1024.0));
    println!(
        "audit DIR, {n:>6} × {label:<16} 2 cores: {median:>6.2} s  ({:.0} µs per deployment{peak})",
        median * 1e6 / f64::from(u32::try_from(n).unwrap_or(u32::MAX))
    );
    median
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("folders: bench");
        return;
    }
    let counts: &[usize] = if std::env::args().any(|a| a == "--50k") {
        &[1_000, 10_000, 50_000]
    } else {
        &[1_000, 10_000]
    };
    let init = init_config();
    let hardened = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hardened.yml"),
    )
    .expect("fixture");
    let password = "v9Qm2rT8zLw4kX7pB3nF6hJd";
    assert!(
        hardened.contains(password),
        "the fixture's DSN password changed"
    );
    let kinds: [(&str, Text<'_>); 3] = [
        (
            "init",
            Box::new(|i| init.replace("acme.io", &format!("tenant{i}.acme.io"))),
        ),
        (
            "inline password",
            Box::new(|i| {
                let mut random =
                    Random(0x9E37_79B9_7F4A_7C15 ^ (u64::try_from(i).unwrap_or(0) + 1));
                hardened.replace(password, &random.password(24))
            }),
        ),
        (
            "demo",
            Box::new(|i| format!("# deployment {i}\n{}", kratos_harden::demo::CONFIG)),
        ),
    ];
    for (label, text) in &kinds {
        let mut per: Vec<f64> = Vec::new();
        for &n in counts {
            let dir = write_folder(n, text.as_ref());
            let secs = audit_folder(dir.path(), n, label);
            per.push(secs / f64::from(u32::try_from(n).unwrap_or(u32::MAX)));
        }
        if let (Some(first), Some(last)) = (per.first(), per.last()) {
            println!(
                "  {label}: cost per deployment at the largest count is {:.2}× the smallest's (1.00 = linear)",
                last / first
            );
        }
    }
}
