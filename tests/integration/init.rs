//! `init` through the real binary: every database, proxy and secrets destination from flags,
//! the result audited clean and valid against Kratos's own schemas, refusals that write
//! nothing, and the interactive walk on a pseudo-terminal.

use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use jsonschema::{Retrieve, Uri};
use kratos_harden::config::Deployment;
use serde_json::Value;

use crate::common::{bin, shared, skip};
use crate::pty;

/// The variable carrying the OIDC providers as JSON.
const OIDC_VAR: &str = "SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS";

/// A long SMTP password that must never reach the terminal.
const SMTP_PASSWORD: &str = "Smtp-Password-Not-For-Screens-42";

fn smtp_uri() -> String {
    format!("smtps://mailer:{SMTP_PASSWORD}@mail.acme.io:465/")
}

/// The required flags plus `extra`, writing into `out`.
fn init(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    let uri = smtp_uri();
    let mut args = vec![
        "init",
        "--non-interactive",
        "--public-url",
        "https://auth.acme.io",
        "--ui-url",
        "https://app.acme.io",
        "--db-host",
        "db.internal",
        "--smtp-uri",
        &uri,
        "--out",
        out.to_str().expect("UTF-8 path"),
    ];
    args.extend_from_slice(extra);
    bin()
        .env("KRATOS_HARDEN_OIDC_SECRET_GOOGLE", GOOGLE_SECRET)
        .args(&args)
        .assert()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("exists")
        .permissions()
        .mode()
        & 0o777
}

/// The values of a dotenv file (the generated secrets and connection strings).
fn env_values(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("env file")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(_, v)| v.trim_matches('\'').to_owned())
        .collect()
}

#[test]
fn every_database_and_proxy_audits_clean_with_the_env_file() {
    let cases = [
        ("postgres", "nginx", "nginx.conf", "sslmode=verify-full"),
        ("mysql", "caddy", "Caddyfile", "tls=true"),
        ("cockroach", "traefik", "traefik.yml", "sslmode=verify-full"),
    ];
    for (db, proxy, proxy_file, tls) in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("deploy");
        let done = init(&out, &["--db", db, "--proxy", proxy]).success();
        let stdout = String::from_utf8_lossy(&done.get_output().stdout).into_owned();
        assert!(
            stdout.contains("Audit of the result: nothing above info."),
            "{db}: {stdout}"
        );
        for file in [
            "kratos.yml",
            "identity.schema.json",
            "cleanup.cron",
            "cleanup-cronjob.yaml",
            proxy_file,
        ] {
            assert_eq!(mode(&out.join(file)), 0o644, "{db}: {file}");
        }
        let env = out.join("kratos.env");
        assert_eq!(mode(&env), 0o600, "{db}: the env file holds secrets");
        let values = env_values(&env);
        assert_eq!(values.len(), 5, "{db}: {values:?}");
        assert!(
            values[3].contains(tls),
            "{db}: the DSN verifies the server: {}",
            values[3]
        );
        for value in &values {
            assert!(
                !stdout.contains(value.as_str()),
                "{db}: a secret reached stdout"
            );
        }
        let config = std::fs::read_to_string(out.join("kratos.yml")).unwrap();
        assert!(
            !config.contains(SMTP_PASSWORD) && !config.contains(&values[0]),
            "{db}: secrets in kratos.yml"
        );
        // The same audit a user runs afterwards, with the strictest gate.
        bin()
            .args(["audit", "-c"])
            .arg(out.join("kratos.yml"))
            .arg("--env-file")
            .arg(&env)
            .args(["--fail-on", "low"])
            .assert()
            .code(0);
    }
}

#[test]
fn a_kubernetes_secret_carries_the_secrets_under_the_helm_keys() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    let done = init(&out, &["--secrets-to", "k8s-secret:secret.yaml"]).success();
    let stdout = String::from_utf8_lossy(&done.get_output().stdout).into_owned();
    assert!(stdout.contains("nothing above info"), "{stdout}");
    let secret = std::fs::read_to_string(out.join("secret.yaml")).unwrap();
    assert_eq!(mode(&out.join("secret.yaml")), 0o600);
    for key in [
        "secretsDefault:",
        "secretsCookie:",
        "secretsCipher:",
        "dsn:",
        "smtpConnectionURI:",
    ] {
        assert!(
            secret.contains(key),
            "{key} missing:\n{}",
            secret.lines().next().unwrap_or("")
        );
    }
    assert!(!out.join("kratos.env").exists());
    // The cleanup CronJob takes DSN from the same Secret, under the key it really has.
    let job = Deployment::load(&[out.join("cleanup-cronjob.yaml")])
        .unwrap()
        .root;
    let env = "spec.jobTemplate.spec.template.spec.containers.0.env.0";
    let text = |path: &str| {
        job.get(&format!("{env}.{path}"))
            .and_then(|n| n.as_str())
            .map(str::to_owned)
    };
    assert_eq!(text("name").as_deref(), Some("DSN"));
    assert_eq!(
        text("valueFrom.secretKeyRef.name").as_deref(),
        Some("kratos")
    );
    let key = text("valueFrom.secretKeyRef.key").expect("a key");
    assert!(
        secret.contains(&format!("\n  {key}: ")),
        "the Secret has no key {key}"
    );
    assert!(!stdout.contains(SMTP_PASSWORD));
}

#[test]
fn inline_secrets_are_0600_and_the_self_check_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    let done = init(&out, &["--secrets-to", "inline"]).success();
    let stdout = String::from_utf8_lossy(&done.get_output().stdout).into_owned();
    assert_eq!(mode(&out.join("kratos.yml")), 0o600);
    for id in ["KH210", "KH405", "KH413"] {
        assert!(stdout.contains(id), "{id} not reported:\n{stdout}");
    }
    // Those three (the cost of choosing inline) and nothing else above low.
    let audit = bin()
        .args(["audit", "--format", "json", "--fail-on", "none", "-c"])
        .arg(out.join("kratos.yml"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&audit.stdout).unwrap();
    let above_low: Vec<String> = report["deployments"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| ["critical", "high", "medium"].contains(&f["severity"].as_str().unwrap_or("")))
        .map(|f| f["rule"].as_str().unwrap_or("").to_owned())
        .filter(|id| !["KH210", "KH405", "KH413"].contains(&id.as_str()))
        .collect();
    assert!(above_low.is_empty(), "{above_low:?}");
    assert!(
        report["deployments"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "KH210")
    );
    assert!(
        !stdout.contains(SMTP_PASSWORD),
        "the SMTP password reached stdout"
    );
}

#[test]
fn weak_answers_are_reported_by_the_self_check() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    let done = bin()
        .args([
            "init",
            "--non-interactive",
            "--public-url",
            "https://auth.acme.io",
            "--ui-url",
            "https://app.acme.io",
        ])
        .args([
            "--dsn",
            "postgres://kratos:short@db.internal:5432/kratos?sslmode=disable",
        ])
        .args([
            "--smtp-uri",
            "smtps://mailer:pw@mail.acme.io:465/",
            "--return-url",
            "https://app.acme.io/cb",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&done.get_output().stdout).into_owned();
    for id in ["KH402", "KH404", "KH412", "KH106"] {
        assert!(stdout.contains(id), "{id} not reported:\n{stdout}");
    }
    let config = std::fs::read_to_string(out.join("kratos.yml")).unwrap();
    assert!(
        config.contains("    - https://app.acme.io/cb\n"),
        "the return URL is kept exactly as given"
    );
}

#[test]
fn a_missing_or_bad_answer_names_its_flag_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    let missing = bin()
        .args([
            "init",
            "--non-interactive",
            "--ui-url",
            "https://app.acme.io",
            "--db-host",
            "db",
            "--smtp-uri",
        ])
        .arg(smtp_uri())
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&missing.get_output().stderr).into_owned();
    assert!(stderr.contains("--public-url is required"), "{stderr}");
    let bad = [
        ("--public-url", "http://auth.acme.io", "not an https:// URL"),
        (
            "--public-url",
            "https://localhost",
            "points at this machine",
        ),
        (
            "--smtp-uri",
            "smtp://m:p@mail.acme.io/?disable_starttls=true",
            "turn TLS off",
        ),
        (
            "--smtp-uri",
            "smtps://m:it's@mail.acme.io/",
            "percent-encode",
        ),
    ];
    for (flag, value, says) in bad {
        let mut given = vec![
            ("--public-url", "https://auth.acme.io".to_owned()),
            ("--ui-url", "https://app.acme.io".to_owned()),
            ("--db-host", "db".to_owned()),
            ("--smtp-uri", smtp_uri()),
        ];
        given.retain(|(f, _)| *f != flag);
        given.push((flag, value.to_owned()));
        let mut args = vec![
            "init".to_owned(),
            "--non-interactive".to_owned(),
            "--out".to_owned(),
            out.display().to_string(),
        ];
        args.extend(given.into_iter().flat_map(|(f, v)| [f.to_owned(), v]));
        let done = bin().args(&args).assert().code(2);
        let stderr = String::from_utf8_lossy(&done.get_output().stderr).into_owned();
        assert!(
            stderr.contains(flag) && stderr.contains(says),
            "{flag} {value}: {stderr}"
        );
        assert!(
            !stderr.contains("Password-Not"),
            "a secret in an error: {stderr}"
        );
    }
    assert!(!out.exists(), "nothing may be written after a refusal");
}

#[test]
fn existing_files_are_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("kratos.yml"), "mine\n").unwrap();
    let done = init(&out, &[]).code(2);
    let stderr = String::from_utf8_lossy(&done.get_output().stderr).into_owned();
    assert!(
        stderr.contains("kratos.yml") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("kratos.yml")).unwrap(),
        "mine\n"
    );
    assert!(
        !out.join("kratos.env").exists(),
        "no file of the set is written"
    );
    init(&out, &["--force"]).success();
    assert!(
        std::fs::read_to_string(out.join("kratos.yml"))
            .unwrap()
            .starts_with("# Ory Kratos")
    );
}

/// Serves Ory's `ory://…` schemas from the shared copies; nothing comes from the network.
struct Offline(Vec<(&'static str, Value)>);

impl Retrieve for Offline {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        self.0
            .iter()
            .find(|(prefix, _)| uri.as_str().starts_with(prefix))
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("not available offline: {}", uri.as_str()).into())
    }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("reads")).expect("JSON")
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_result_is_valid_for_kratos_config_and_identity_schemas() {
    let Some(kratos) = shared() else {
        skip("../shared/kratos is not present; the init schema test did not run");
        return;
    };
    let tracing = read_json(&kratos.join("otelx-tracing-config.schema.json"));
    let extension = read_json(&kratos.join("identity_extension.schema.json"));
    let offline = || {
        Offline(vec![
            ("ory://tracing-config", tracing.clone()),
            ("ory://identity-extension", extension.clone()),
        ])
    };
    let config = jsonschema::options()
        .with_retriever(offline())
        .build(&read_json(&kratos.join("config.schema.json")))
        .expect("the config schema compiles");
    let identity = jsonschema::options()
        .with_retriever(offline())
        .build(&read_json(&kratos.join("identity_meta.schema.json")))
        .expect("the identity meta schema compiles");
    let destinations = ["inline", "env-file:kratos.env", "k8s-secret:secret.yaml"];
    let databases = ["postgres", "mysql", "cockroach"];
    for (i, secrets) in destinations.into_iter().enumerate() {
        for db in databases {
            // Every method somewhere in the matrix, so each template branch is validated.
            let methods = if i == 0 {
                "password,code,totp,webauthn,passkey"
            } else {
                "password,code"
            };
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("deploy");
            init(
                &out,
                &[
                    "--secrets-to",
                    secrets,
                    "--db",
                    db,
                    "--methods",
                    methods,
                    "--oidc",
                    "google=123.apps.googleusercontent.com",
                ],
            )
            .success();
            let deployment = effective(&out);
            let secret = "selfservice.methods.oidc.config.providers.0.client_secret";
            assert!(
                deployment.root.get(secret).is_some(),
                "{secrets}/{db}: no provider"
            );
            let problems = errors(&config, &deployment.root.to_json());
            assert!(problems.is_empty(), "{secrets}/{db}: {problems:#?}");
            let dsn = deployment
                .root
                .get("dsn")
                .and_then(|n| n.as_str())
                .unwrap_or("");
            assert!(
                dsn.starts_with(if db == "postgres" { "postgres://" } else { db }),
                "{secrets}/{db}: DSN"
            );
            let problems = errors(&identity, &read_json(&out.join("identity.schema.json")));
            assert!(problems.is_empty(), "identity schema: {problems:#?}");
        }
    }
}

/// The config as Kratos would see it: kratos.yml plus the env file, or the Kubernetes
/// Secret's values under their environment names.
fn effective(out: &Path) -> Deployment {
    let mut deployment = Deployment::load(&[out.join("kratos.yml")]).unwrap();
    let env: PathBuf = out.join("kratos.env");
    if env.exists() {
        deployment.add_env_file(&env).unwrap();
    }
    let secret = out.join("secret.yaml");
    if secret.exists() {
        let tree = Deployment::load(std::slice::from_ref(&secret))
            .unwrap()
            .root;
        let names = [
            ("secretsDefault", "SECRETS_DEFAULT"),
            ("secretsCookie", "SECRETS_COOKIE"),
            ("secretsCipher", "SECRETS_CIPHER"),
            ("dsn", "DSN"),
            ("smtpConnectionURI", "COURIER_SMTP_CONNECTION_URI"),
            (OIDC_VAR, OIDC_VAR),
        ];
        let mut text = String::new();
        for (key, name) in names {
            let value = tree
                .get(&format!("stringData.{key}"))
                .and_then(|n| n.as_str());
            // Every key but the providers (present only with --oidc) must be there.
            assert!(
                value.is_some() || name == OIDC_VAR,
                "{key} missing from the Secret"
            );
            if let Some(value) = value {
                let _ = writeln!(text, "{name}='{value}'");
            }
        }
        deployment.add_env_text(&secret, "secret.yaml".to_owned(), text);
    }
    deployment
}

/// `nginx -t` on the generated snippet, inside a minimal nginx.conf with a throwaway
/// certificate in place of the operator's.
#[test]
fn the_nginx_snippet_passes_nginx_t() {
    let have = |tool: &str| std::process::Command::new(tool).arg("-v").output().is_ok();
    if !have("nginx") || !have("openssl") {
        skip("nginx or openssl is not installed; `nginx -t` on the init snippet did not run");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    init(&out, &[]).success();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=auth.acme.io",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&made.stderr)
    );
    let snippet = std::fs::read_to_string(out.join("nginx.conf"))
        .unwrap()
        .replace(
            "/etc/ssl/auth.acme.io/fullchain.pem",
            cert.to_str().unwrap(),
        )
        .replace("/etc/ssl/auth.acme.io/privkey.pem", key.to_str().unwrap());
    let snippet_path = crate::common::write(dir.path(), "snippet.conf", &snippet);
    let main = format!(
        "pid {}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{ include {}; }}\n",
        dir.path().display(),
        snippet_path.display()
    );
    let main_path = crate::common::write(dir.path(), "main.conf", &main);
    let tested = std::process::Command::new("nginx")
        .args(["-t", "-e", "stderr", "-p"])
        .arg(dir.path())
        .arg("-c")
        .arg(&main_path)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&tested.stderr);
    assert!(
        tested.status.success() && said.contains("test is successful"),
        "{said}"
    );
}

/// `init --out deploy` on a pty in `dir`, past the output-folder question (default kept).
fn started(dir: &Path) -> pty::Pty {
    let mut p = pty::spawn(&["init", "--out", "deploy"], dir);
    p.wait_for("? Output folder", pty::TIMEOUT).unwrap();
    p.send("\r");
    p
}

/// Answers every question on a pseudo-terminal; the SMTP password is typed hidden.
#[test]
fn the_interactive_walk_writes_after_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = started(dir.path());
    // A wrong answer is refused with the reason and asked again.
    p.wait_for("? Public URL of Kratos", pty::TIMEOUT).unwrap();
    p.send("http://auth.acme.io\r");
    p.wait_for("is not an https:// URL", pty::TIMEOUT).unwrap();
    p.send("\x7f".repeat("http://auth.acme.io".len()));
    let steps: [(&str, &str); 19] = [
        ("Public URL of Kratos", "https://auth.acme.io\r"),
        ("Base URL of your login UI", "https://app.acme.io\r"),
        ("Allowed return URLs", "\r"),
        ("Database:", "\x1b[B\r"), // MySQL
        ("Database host", "db.internal\r"),
        ("Database name", "\r"),
        ("Database user", "\r"),
        ("Database password", "\r"), // generated
        ("SMTP server", "smtps://mailer@mail.acme.io:465/\r"),
        ("SMTP password", "p@ss/w0rd with space!\r"),
        ("Sender address", "\r"),
        ("Login methods", "\r"),
        ("Social sign-in (OIDC)", " \r"), // google
        ("google client id", "123.apps.googleusercontent.com\r"),
        ("google client secret", "GOCSPX-typed-hidden-secret\r"),
        ("Offer a second factor", "\r"),
        ("Open self-service registration", "n\r"),
        ("Reverse proxy", "\r"),
        ("Where do the secrets go", "\r"),
    ];
    for (question, keys) in steps {
        p.wait_for(&format!("? {question}"), pty::TIMEOUT).unwrap();
        p.send(keys);
    }
    p.wait_for("? Write 7 files to deploy", pty::TIMEOUT)
        .unwrap();
    p.send("\r");
    assert_eq!(p.wait_exit(), Some(0), "{}", p.screen());
    p.wait_for("Audit of the result: nothing above info.", pty::TIMEOUT)
        .unwrap();
    assert!(
        !p.transcript().contains("w0rd"),
        "the SMTP password was echoed"
    );
    let out = dir.path().join("deploy");
    let env = std::fs::read_to_string(out.join("kratos.env")).unwrap();
    assert!(
        env.contains("smtps://mailer:p%40ss%2Fw0rd%20with%20space%21@mail.acme.io:465/"),
        "percent-encoded"
    );
    assert!(env.contains("DSN='mysql://kratos:"), "MySQL was chosen");
    assert!(
        env.contains(r#""client_secret":"GOCSPX-typed-hidden-secret""#),
        "provider in the env file"
    );
    assert!(
        p.transcript()
            .contains("40-character database password was generated")
    );
    let config = std::fs::read_to_string(out.join("kratos.yml")).unwrap();
    assert!(
        config.contains("registration:\n      # false for invite-only"),
        "registration block present"
    );
    assert!(
        config.contains("      enabled: false\n      ui_url: https://app.acme.io/registration")
    );
}

/// An existing deployment is caught at the first question, not after all of them.
#[test]
fn an_existing_folder_is_refused_before_the_questions() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("deploy")).unwrap();
    std::fs::write(dir.path().join("deploy/kratos.yml"), "mine\n").unwrap();
    let mut p = started(dir.path());
    p.wait_for("exists: choose another folder", pty::TIMEOUT)
        .unwrap();
    p.send("\x03");
    assert_eq!(p.wait_exit(), Some(0), "{}", p.screen());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("deploy/kratos.yml")).unwrap(),
        "mine\n"
    );
}

/// Ctrl-C at the first question: nothing on disk, as in the wizard.
#[test]
fn ctrl_c_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = started(dir.path());
    p.wait_for("? Public URL of Kratos", pty::TIMEOUT).unwrap();
    p.send("\x03");
    assert_eq!(p.wait_exit(), Some(0), "{}", p.screen());
    p.wait_for("Nothing was written.", pty::TIMEOUT).unwrap();
    assert!(!dir.path().join("deploy").exists());
}

/// A client secret that must stay out of kratos.yml (unless inline) and off the terminal.
const GOOGLE_SECRET: &str = "GOCSPX-Client-Secret-For-Tests-0123";

#[test]
fn oidc_providers_go_where_the_secrets_go() {
    for secrets in ["env-file:kratos.env", "k8s-secret:secret.yaml", "inline"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("deploy");
        let done = bin()
            .env("KRATOS_HARDEN_OIDC_SECRET_GOOGLE", GOOGLE_SECRET)
            .args([
                "init",
                "--non-interactive",
                "--public-url",
                "https://auth.acme.io",
            ])
            .args([
                "--ui-url",
                "https://app.acme.io",
                "--db-host",
                "db.internal",
            ])
            .args([
                "--smtp-uri",
                &smtp_uri(),
                "--oidc",
                "google=123.apps.googleusercontent.com",
            ])
            .args(["--secrets-to", secrets])
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let stdout = String::from_utf8_lossy(&done.get_output().stdout).into_owned();
        assert!(
            !stdout.contains(GOOGLE_SECRET),
            "{secrets}: the client secret reached stdout"
        );
        assert!(
            stdout.contains("https://auth.acme.io/self-service/methods/oidc/callback/google"),
            "{secrets}: the redirect URI to register:\n{stdout}"
        );
        let config = std::fs::read_to_string(out.join("kratos.yml")).unwrap();
        assert_eq!(
            config.contains(GOOGLE_SECRET),
            secrets == "inline",
            "{secrets}"
        );
        assert!(out.join("oidc.mapper.jsonnet").exists());
        // Kratos sees the providers, secret included, wherever they went.
        let deployment = effective(&out);
        let provider = deployment
            .root
            .get("selfservice.methods.oidc.config.providers.0")
            .expect("a provider");
        assert_eq!(
            provider.get("client_secret").and_then(|n| n.as_str()),
            Some(GOOGLE_SECRET)
        );
        assert_eq!(
            provider.get("mapper_url").and_then(|n| n.as_str()),
            Some("file://oidc.mapper.jsonnet")
        );
        if secrets == "inline" {
            assert!(stdout.contains("KH430"), "{stdout}");
        } else {
            assert!(
                stdout.contains("nothing above info"),
                "{secrets}:\n{stdout}"
            );
        }
    }
}

#[test]
fn an_oidc_secret_is_never_taken_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    let done = init(&out, &["--oidc", "github=Iv1.abc"]).code(2);
    let stderr = String::from_utf8_lossy(&done.get_output().stderr).into_owned();
    assert!(
        stderr.contains("KRATOS_HARDEN_OIDC_SECRET_GITHUB"),
        "{stderr}"
    );
    let done = init(&out, &["--oidc", "myspace=x"]).code(2);
    let stderr = String::from_utf8_lossy(&done.get_output().stderr).into_owned();
    assert!(
        stderr.contains("--oidc") && stderr.contains("google, github, gitlab"),
        "{stderr}"
    );
    assert!(!out.exists());
}

/// On v1.3.1 `require_verified_address` checks password logins only: `init` guards password
/// logins with it, signs password users in only after they verify, and never lists the hook
/// for passkey or OIDC; its self-check says passkey accounts sign in unverified.
#[test]
fn the_verified_address_hook_goes_only_where_v1_checks_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    let done = init(
        &out,
        &[
            "--methods",
            "password,code,passkey",
            "--oidc",
            "google=cid.apps.example",
        ],
    )
    .success();
    let stdout = String::from_utf8_lossy(&done.get_output().stdout).into_owned();
    assert!(
        stdout.contains("KH111 passkey logins are never checked"),
        "{stdout}"
    );
    let root = effective(&out).root;
    let hooks = |path: &str| -> Vec<String> {
        root.get(path)
            .map(|l| {
                l.items()
                    .iter()
                    .filter_map(|h| h.get("hook").and_then(|n| n.as_str()).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let login = "selfservice.flows.login.after";
    let registration = "selfservice.flows.registration.after";
    assert_eq!(
        hooks(&format!("{login}.password.hooks")),
        ["require_verified_address"]
    );
    for method in ["passkey", "oidc"] {
        assert!(
            hooks(&format!("{login}.{method}.hooks")).is_empty(),
            "{method}"
        );
        assert_eq!(
            hooks(&format!("{registration}.{method}.hooks")),
            ["session"]
        );
    }
    assert!(hooks(&format!("{login}.hooks")).is_empty());
    assert_eq!(
        hooks(&format!("{registration}.password.hooks")),
        ["show_verification_ui"]
    );
}
