//! Every result is audited again before it is written. A decision whose result would add a
//! finding is refused, naming that finding, and the rest goes ahead; generated secrets never
//! start a file holding secrets inline (their destination is the operator's choice).

use serde_json::Value;

use crate::common::{bin, write};

/// A config whose only return URL to upgrade is `http://admin.acme.io/`, with an answers file
/// that edits the upgrade to `https://*` (KH105's own check passes, KH102 would fire).
const CONFIG: &str = "dsn: memory\nselfservice:\n  default_browser_return_url: https://app.acme.io/\n  allowed_return_urls:\n    - https://app.acme.io/\n    - http://admin.acme.io/\n";
const WILDCARD: &str = "answers:\n  - rule: KH105\n    path: selfservice.allowed_return_urls.1\n    decision: edit\n    value: https://*\n";

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn entries<'a>(doc: &'a Value, key: &str) -> Vec<&'a Value> {
    doc[key]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

#[test]
fn an_edit_whose_result_adds_a_finding_is_refused_and_the_rest_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(dir.path(), "kratos.yml", CONFIG);
    let answers = write(dir.path(), "answers.yml", WILDCARD);
    let run = |extra: &[&str]| {
        bin()
            .args(["apply", "--no-backup", "--answers"])
            .arg(&answers)
            .arg("-c")
            .arg(&config)
            .args(extra)
            .output()
            .expect("runs")
    };
    let doc = json(&run(&["--dry-run", "--format", "json"]));
    let refused: Vec<&Value> = entries(&doc, "manual")
        .into_iter()
        .filter(|m| m["rule"] == "KH105")
        .collect();
    assert_eq!(refused.len(), 1, "{doc}");
    let reason = refused[0]["reason"].as_str().expect("reason");
    assert!(
        reason.contains("would add KH102") && reason.contains("selfservice.allowed_return_urls.1"),
        "{reason}"
    );
    assert!(
        entries(&doc, "applied")
            .iter()
            .all(|a| a["rule"] != "KH105"),
        "{doc}"
    );
    assert!(
        entries(&doc, "applied")
            .iter()
            .any(|a| a["rule"] == "KH131"),
        "the other fixes go ahead: {doc}"
    );
    assert_eq!(doc["added_findings"], serde_json::json!([]), "{doc}");

    let out = run(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("KH105") && stderr.contains("KH102"),
        "{stderr}"
    );
    let written = std::fs::read_to_string(&config).expect("read");
    assert!(!written.contains("https://*"), "{written}");
    assert!(
        written.contains("    - http://admin.acme.io/\n"),
        "{written}"
    );
    assert!(written.contains("min_password_length: 12"), "{written}");
    // What was written audits without the refused value's finding.
    let audit = bin()
        .args(["audit", "--format", "json", "-c"])
        .arg(&config)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&audit.stdout);
    assert!(!text.contains("\"KH102\""), "{text}");
}

/// Generated secrets go inline only into a file that already holds inline secrets: a config
/// that keeps none gets the missing-secret findings as manual, naming `--secrets-to`; with an
/// env file as destination they are generated there and the result adds nothing.
#[test]
fn generated_secrets_never_start_a_file_holding_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(
        dir.path(),
        "kratos.yml",
        "dsn: memory\nlog:\n  leak_sensitive_values: true\n",
    );
    let doc = |extra: &[&str]| -> Value {
        json(
            &bin()
                .args(["apply", "--dry-run", "--format", "json", "-c"])
                .arg(&config)
                .args(extra)
                .output()
                .expect("runs"),
        )
    };
    let inline = doc(&[]);
    assert_eq!(inline["generated"], serde_json::json!([]), "{inline}");
    assert_eq!(inline["added_findings"], serde_json::json!([]), "{inline}");
    for rule in ["KH201", "KH202"] {
        let manual = entries(&inline, "manual")
            .into_iter()
            .find(|m| m["rule"] == rule)
            .unwrap_or_else(|| panic!("{rule} manual: {inline}"));
        let reason = manual["reason"].as_str().expect("reason");
        assert!(
            reason.contains("--secrets-to") && reason.contains("KH210"),
            "{reason}"
        );
    }
    // `audit` says the same of each of them.
    let audit = json(
        &bin()
            .args(["audit", "--format", "json", "-c"])
            .arg(&config)
            .output()
            .expect("runs"),
    );
    let findings = audit["deployments"][0]["findings"]
        .as_array()
        .expect("findings");
    let kh201 = findings
        .iter()
        .find(|f| f["rule"] == "KH201")
        .expect("KH201");
    assert_eq!(kh201["fix"]["applicability"], "manual", "{kh201}");
    assert!(
        kh201["fix"]["summary"]
            .as_str()
            .is_some_and(|s| s.contains("--secrets-to")),
        "{kh201}"
    );
    let moved = doc(&["--secrets-to", "env-file:secrets.env"]);
    assert_eq!(moved["added_findings"], serde_json::json!([]), "{moved}");
    assert!(
        entries(&moved, "applied")
            .iter()
            .any(|a| a["rule"] == "KH201"),
        "{moved}"
    );
    assert!(
        entries(&moved, "moved")
            .iter()
            .any(|m| m.to_string().contains("SECRETS_DEFAULT")),
        "{moved}"
    );

    // A file that already holds inline secrets (a placeholder) gets the missing one inline:
    // its one inline-secret finding was there before.
    let placeholder = write(
        dir.path(),
        "holds.yml",
        "dsn: memory\nsecrets:\n  cookie:\n    - PLEASE-CHANGE-ME-I-AM-VERY-INSECURE\n",
    );
    let out = bin()
        .args(["apply", "--dry-run", "--format", "json", "-c"])
        .arg(&placeholder)
        .output()
        .expect("runs");
    let holds = json(&out);
    assert_eq!(holds["added_findings"], serde_json::json!([]), "{holds}");
    assert!(
        entries(&holds, "applied")
            .iter()
            .any(|a| a["rule"] == "KH201"),
        "{holds}"
    );
}

/// The edit box makes the write's checks while the value can still be retyped: Kratos's enum
/// and minimum, and the proof (a value that adds any rule's finding is refused, naming it).
#[test]
fn the_edit_box_refuses_what_the_proof_or_kratos_would() {
    use kratos_harden::config::Deployment;
    use kratos_harden::fix::SecretsTo;
    use kratos_harden::harden::Options;
    use kratos_harden::review;
    use kratos_harden::secret::OsSecrets;

    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(dir.path(), "kratos.yml", EDITS);
    let deployment = Deployment::load(std::slice::from_ref(&config)).expect("loads");
    let mut s = review::start(
        deployment,
        &Options::default(),
        SecretsTo::Inline,
        Box::new(OsSecrets),
    )
    .expect("plans");
    for (rule, typed, says) in [
        (
            "KH120",
            "banana",
            "Kratos accepts only aal1, highest_available",
        ),
        ("KH131", "4", "Kratos accepts 6 or more"),
        ("KH105", "https://*", "would add KH102"),
    ] {
        crate::answers::assert_edit_refused(&mut s, rule, typed, says);
    }
}

/// A config with an enum, a minimum and a return URL to upgrade, each editable in the wizard.
const EDITS: &str = "dsn: memory\nselfservice:\n  default_browser_return_url: https://app.acme.io/\n  allowed_return_urls:\n    - https://app.acme.io/\n    - http://admin.acme.io/\n  methods:\n    totp:\n      enabled: true\n    password:\n      config:\n        min_password_length: 8\nsession:\n  whoami:\n    required_aal: aal1\n";

/// The same refusal through the real TUI on a pseudo-terminal: the edit box names the finding
/// the value would add, and quitting afterwards writes nothing.
#[test]
fn the_tui_edit_box_names_the_finding_a_value_would_add() {
    use std::time::Duration;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(dir.path(), "kratos.yml", CONFIG);
    let mut pty = crate::pty::spawn(&["wizard", "-c", "kratos.yml"], dir.path());
    let wait = Duration::from_secs(10);
    let step = |pty: &mut crate::pty::Pty, keys: &str, then: &str| {
        pty.send(keys);
        pty.wait_for(then, wait).unwrap_or_else(|e| panic!("{e}"));
    };
    pty.wait_for("welcome", wait)
        .unwrap_or_else(|e| panic!("{e}"));
    // The welcome screen, then the threat's introduction, then its first proposal.
    step(&mut pty, "\r", "Flow");
    step(&mut pty, "\r", "KH105  medium");
    step(&mut pty, "e", "Edit the proposed value");
    pty.send("\x7f".repeat(40));
    step(&mut pty, "https://*\r", "would add KH102");
    // Esc leaves the edit box, q asks to quit, y confirms: nothing is written.
    pty.send("\x1b");
    std::thread::sleep(Duration::from_millis(200));
    pty.send("q");
    std::thread::sleep(Duration::from_millis(200));
    pty.send("y");
    let code = pty.wait_exit();
    assert_eq!(code, Some(0), "{}", pty.transcript());
    assert_eq!(std::fs::read_to_string(&config).expect("read"), CONFIG);
}

/// `rotate` proves its result like `apply`: creating secret lists in a config that holds none
/// inline would add KH210, so those rotations are refused (exit 1, nothing written), while a
/// file that already holds its secrets inline gets the rotation.
#[test]
fn rotate_refuses_a_rotation_that_adds_a_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = "dsn: memory\nserve:\n  public:\n    base_url: https://auth.example.com/\n";
    let config = write(dir.path(), "kratos.yml", clean);
    let out = bin()
        .args(["rotate", "--secret", "all", "-c"])
        .arg(&config)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for key in ["default", "cookie", "cipher"] {
        assert!(
            stderr.contains(&format!(
                "secrets.{key}: not rotated: the result would add KH210"
            )),
            "{stderr}"
        );
    }
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Nothing was rotated."),
        "{out:?}"
    );
    assert_eq!(std::fs::read_to_string(&config).expect("read"), clean);
    let listing: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(listing.len(), 1, "no backup either: {listing:?}");

    let inline = "dsn: memory\nsecrets:\n  cipher: [q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnA]\n";
    let config = write(dir.path(), "inline.yml", inline);
    let out = bin()
        .args(["rotate", "--secret", "cipher", "-c"])
        .arg(&config)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
    let after = std::fs::read_to_string(&config).expect("read");
    assert!(
        after.contains("q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnA"),
        "kept: {after}"
    );
    assert_ne!(after, inline);
}

/// A fix is made whole or not at all: when the editor refuses one of its operations (the
/// registration hook list goes through an alias), its other operations (verification on,
/// the login hook) are not written either; the finding is left to the operator, naming why.
#[test]
fn a_fix_the_editor_cannot_make_whole_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "dsn: memory\ncourier:\n  smtp:\n    connection_uri: smtps://mail.example.com:465/\nhooks: &h\n  - hook: session\nselfservice:\n  flows:\n    verification:\n      enabled: false\n    registration:\n      after:\n        password:\n          hooks: *h\n";
    let config = write(dir.path(), "kratos.yml", text);
    let out = bin()
        .args([
            "apply",
            "--unsafe-fixes",
            "--only",
            "KH110",
            "--format",
            "json",
            "-c",
        ])
        .arg(&config)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let doc = json(&out);
    assert!(entries(&doc, "applied").is_empty(), "{doc}");
    let manual = entries(&doc, "manual");
    assert!(
        manual
            .iter()
            .any(|m| m["rule"] == "KH110"
                && m["reason"].as_str().is_some_and(|r| r.contains("alias"))),
        "{doc}"
    );
    assert_eq!(std::fs::read_to_string(&config).expect("read"), text);
}
