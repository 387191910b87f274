//! No secret reaches a terminal, a report, a backup name or an error: every command and format
//! runs on a config holding known secrets (and generating new ones), and their output is
//! searched for those values. `--show-secrets` is the only way to see them.

use std::path::Path;

use crate::common::{bin, write};

/// Secrets of the fixture, each long and unique enough that a hit is a leak.
const KNOWN: &[&str] = &[
    "q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w",
    "Hs3JdYb6GeTnAuR5wq8Vt2mZr7LxN4pWc9Kf",
    "nblXCz4Rn4QTdjDCjo07AjsA7oFSn1Ld",
    "Db-Passw0rd-Known-To-The-Test-7731",
    "Smtp-Passw0rd-Known-To-The-Test-42",
    "Hook-Api-Key-Known-To-The-Test-9981",
    "PLEASE-CHANGE-ME-I-AM-VERY-INSECURE",
];

const CONFIG: &str = "\
dsn: postgres://kratos:Db-Passw0rd-Known-To-The-Test-7731@db:5432/kratos?sslmode=disable
secrets:
  default:
    - q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w
  cookie:
    - PLEASE-CHANGE-ME-I-AM-VERY-INSECURE
    - Hs3JdYb6GeTnAuR5wq8Vt2mZr7LxN4pWc9Kf
  cipher:
    - nblXCz4Rn4QTdjDCjo07AjsA7oFSn1Ld
courier:
  smtp:
    connection_uri: smtp://mailer:Smtp-Passw0rd-Known-To-The-Test-42@mail.acme.io:25/?disable_starttls=true
selfservice:
  flows:
    registration:
      after:
        hooks:
          - hook: web_hook
            config:
              url: http://hooks.acme.io/registered
              method: POST
              auth:
                type: api_key
                config:
                  name: X-Key
                  value: Hook-Api-Key-Known-To-The-Test-9981
                  in: header
log:
  leak_sensitive_values: true
";

/// The secrets in `text` that a run may have generated (long alphanumeric runs not in the
/// fixture), so they are searched for too.
fn generated(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| t.len() >= 32 && !KNOWN.iter().any(|k| k.contains(*t)))
        .map(str::to_owned)
        .collect()
}

fn assert_clean(what: &str, output: &str, secrets: &[String]) {
    for secret in KNOWN
        .iter()
        .map(|s| (*s).to_owned())
        .chain(secrets.iter().cloned())
    {
        assert!(!output.contains(&secret), "{what} leaks {}…", &secret[..6]);
    }
}

fn run(dir: &Path, args: &[&str]) -> String {
    let out = bin().current_dir(dir).args(args).output().expect("runs");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn no_command_or_format_prints_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "kratos.yml", CONFIG);
    let mut outputs = Vec::new();
    for format in ["text", "json", "sarif"] {
        outputs.push((
            format!("audit {format}"),
            run(dir.path(), &["audit", "--format", format]),
        ));
    }
    for format in ["text", "json"] {
        let args = ["apply", "--dry-run", "--unsafe-fixes", "--format", format];
        outputs.push((format!("apply --dry-run {format}"), run(dir.path(), &args)));
    }
    outputs.push((
        "rotate --dry-run".to_owned(),
        run(dir.path(), &["rotate", "--secret", "all", "--dry-run"]),
    ));
    // A failing run: the error must not quote the file either.
    write(
        dir.path(),
        "broken.yml",
        "dsn: postgres://k:Db-Passw0rd-Known-To-The-Test-7731@db/k\n  bad: [\n",
    );
    outputs.push((
        "audit broken".to_owned(),
        run(dir.path(), &["audit", "-c", "broken.yml"]),
    ));
    // The real write, then everything it left behind.
    outputs.push((
        "apply json".to_owned(),
        run(dir.path(), &["apply", "--unsafe-fixes", "--format", "json"]),
    ));
    outputs.push((
        "rotate".to_owned(),
        run(dir.path(), &["rotate", "--secret", "cookie"]),
    ));
    outputs.push(("undo".to_owned(), run(dir.path(), &["undo", "kratos.yml"])));
    let after = std::fs::read_to_string(dir.path().join("kratos.yml")).unwrap();
    let mut secrets = generated(&after);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        assert_clean("a file name", &name, &secrets);
        if name.starts_with("kratos.yml.bak.") {
            secrets.extend(generated(&std::fs::read_to_string(entry.path()).unwrap()));
        }
    }
    assert!(
        !secrets.is_empty(),
        "the runs generated secrets to look for"
    );
    for (what, output) in &outputs {
        assert_clean(what, output, &secrets);
    }
}

#[test]
fn show_secrets_is_the_way_to_see_them() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "kratos.yml", CONFIG);
    let masked = run(dir.path(), &["apply", "--dry-run", "--only", "KH205"]);
    assert!(!masked.contains("PLEASE-CHANGE-ME"));
    let shown = run(
        dir.path(),
        &["apply", "--dry-run", "--only", "KH205", "--show-secrets"],
    );
    assert!(
        shown.contains("PLEASE-CHANGE-ME-I-AM-VERY-INSECURE"),
        "{shown}"
    );
}

#[test]
fn backups_keep_the_mode_or_tighten_it_to_0600() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "kratos.yml", CONFIG);
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args(["apply", "--only", "KH250"])
        .output()
        .unwrap();
    assert!(out.status.success());
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let entry = entry.unwrap();
        let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{:?} holds secrets", entry.file_name());
    }
}

/// The insta snapshots (TUI screens, corpus reports) hold none of the demo's or the corpus'
/// secrets: they were rendered masked.
#[test]
fn snapshots_hold_no_secret() {
    let demo = [
        "acme-kratos-2023",
        "PLEASE-CHANGE-ME-I-AM-VERY-INSECURE",
        "32-LONG-SECRET-NOT-SECURE-AT-ALL",
        "9sK2mQ7vX4nB8cR1tY6wZ3pL5hJ0dF2gA7eU4iO1kM=",
        ":postgres@",
    ];
    let dir = crate::common::root().join("tests/integration/snapshots");
    let mut read = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        read += 1;
        for secret in demo.iter().chain(KNOWN) {
            assert!(
                !text.contains(secret),
                "{} holds {}…",
                path.display(),
                &secret[..6]
            );
        }
    }
    assert!(read > 10, "the snapshots were read");
}

/// Secrets whose text in the file is not their value: escapes, a block scalar, a quoted line
/// continuation, a wrapped plain scalar, a quoted env-file value, and values a later layer
/// replaced (still in their file, so still in a diff's context lines).
#[test]
fn secrets_not_written_as_their_value_are_masked_too() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "kratos.yml",
        "version: v1.3.1\n\
         dsn: \"postgres://kratos:Escaped\\x21DbPassword@db:5432/kratos\"\n\
         log:\n  leak_sensitive_values: true\n\
         secrets:\n\
         \x20 cookie:\n    - \"EscapedCookie\\x41\\x42abcdefghijklmnopqrs\"\n\
         \x20 cipher:\n    - |\n      BlockCipherSecretLine0123456789ab\n\
         \x20 default:\n    - \"FoldedLineOne \\\n      FoldedLineTwo\"\n\
         \x20   - WrappedPlainOne\n      WrappedPlainTwo\n\
         courier:\n  smtp:\n    connection_uri: smtp://mailer:ReplacedSmtpPassword9@mail:25/\n",
    );
    write(
        dir.path(),
        "kratos.env",
        "COURIER_SMTP_CONNECTION_URI=\"smtp://mailer:Env\\\"QuotedSmtp@mail:25/\"\n",
    );
    let parts = [
        "Escaped\\x21DbPassword",
        "EscapedDbPassword",
        "EscapedCookie",
        "BlockCipherSecretLine",
        "FoldedLineOne",
        "FoldedLineTwo",
        "WrappedPlainOne",
        "WrappedPlainTwo",
        "ReplacedSmtpPassword9",
        "QuotedSmtp",
    ];
    let layers = ["-c", "kratos.yml", "--env-file", "kratos.env"];
    let runs: [Vec<&str>; 3] = [
        [&["apply", "--dry-run", "--unsafe-fixes"][..], &layers].concat(),
        [&["apply", "--dry-run", "--format", "json"][..], &layers].concat(),
        [&["rotate", "--secret", "all", "--dry-run"][..], &layers].concat(),
    ];
    for args in &runs {
        let output = run(dir.path(), args);
        assert!(
            output.contains("--- a/kratos.yml"),
            "{args:?}: a diff is shown\n{output}"
        );
        for part in parts {
            assert!(!output.contains(part), "{args:?} shows {part}\n{output}");
        }
    }
    let shown = run(
        dir.path(),
        &[&["apply", "--dry-run", "--show-secrets"][..], &layers].concat(),
    );
    assert!(shown.contains("ReplacedSmtpPassword9"), "{shown}");
}
