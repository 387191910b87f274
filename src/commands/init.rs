//! `kratos-harden init`: ask (or take from flags) what a new deployment needs, render the
//! hardened templates, refuse to overwrite anything without `--force`, write (secrets 0600),
//! and say what to do next.

use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use inquire::Confirm;

use super::{print, write};
use crate::cli::InitArgs;
use crate::fix::SecretsTo;
use crate::init::{self, Answers, METHODS, OIDC_PROVIDERS, Oidc, Output, Proxy};
use crate::kratos::uri::Uri;
use crate::secret::OsSecrets;

mod ask;

use ask::ask;

/// Runs `init`; returns the exit code.
pub fn run(args: &InitArgs) -> anyhow::Result<u8> {
    let interactive =
        !args.non_interactive && std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let (answers, out) = if interactive {
        match ask(args) {
            Ok(answered) => answered,
            // Ctrl-C or Esc at any question: stop as the wizard does, with nothing on disk.
            Err(err) if stopped(&err) => {
                print("Nothing was written.\n")?;
                return Ok(0);
            }
            Err(err) => return Err(err),
        }
    } else {
        (from_flags(args)?, args.out.clone())
    };
    let outputs = init::render(&answers, &mut OsSecrets)?;
    let targets: Vec<(PathBuf, &Output)> =
        outputs.iter().map(|o| (target(&out, &o.path), o)).collect();
    let existing: Vec<String> = targets
        .iter()
        .filter(|(p, _)| p.exists())
        .map(|(p, _)| p.display().to_string())
        .collect();
    if !existing.is_empty() && !args.force {
        bail!(
            "{} already exist(s); nothing was written. Pass --force to overwrite, or choose another --out",
            existing.join(", ")
        );
    }
    if interactive && !args.yes {
        let question = format!("Write {} files to {}?", targets.len(), out.display());
        if !Confirm::new(&question)
            .with_default(true)
            .prompt()
            .unwrap_or(false)
        {
            print("Nothing was written.\n")?;
            return Ok(0);
        }
    }
    std::fs::create_dir_all(&out)
        .with_context(|| format!("{}: cannot create the folder", out.display()))?;
    let mut report = String::from("Wrote\n");
    // A signal half-way names the files already written and those not.
    let set = super::signals::WriteSet::begin(
        targets
            .iter()
            .map(|(p, _)| (crate::shown::path(p), std::fs::symlink_metadata(p).is_ok())),
    );
    for (index, (path, output)) in targets.iter().enumerate() {
        set.start(index);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        write::create(path, &output.text, output.mode, args.force)?;
        let secret = if output.mode == 0o600 {
            " (mode 0600: holds secrets)"
        } else {
            ""
        };
        let _ = writeln!(report, "  {}{secret}", path.display());
    }
    drop(set);
    report.push_str(&self_check(&answers, &outputs, &out)?);
    report.push_str(&next_steps(&answers, &out));
    print(&report)?;
    Ok(0)
}

/// Lists what the audit of the written deployment finds above info.
fn self_check(answers: &Answers, outputs: &[Output], out: &Path) -> anyhow::Result<String> {
    let findings = init::check(answers, outputs, out)?;
    if findings.is_empty() {
        return Ok("\nAudit of the result: nothing above info.\n".to_owned());
    }
    let mut text = String::from("\nAudit of the result: fix these before you deploy\n");
    for f in &findings {
        let _ = writeln!(
            text,
            "  {:<8} {} {}",
            f.severity.as_str().to_uppercase(),
            f.rule.id,
            f.message
        );
    }
    Ok(text)
}

fn stopped(err: &anyhow::Error) -> bool {
    matches!(
        err.downcast_ref::<inquire::InquireError>(),
        Some(
            inquire::InquireError::OperationInterrupted | inquire::InquireError::OperationCanceled
        )
    )
}

/// Relative outputs go into `out`; a secrets destination given as a path stays where it is.
fn target(out: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        out.join(path)
    }
}

/// A validation error, prefixed with the flag that carried the value.
pub(super) fn flag(name: &str, checked: Result<String, String>) -> anyhow::Result<String> {
    checked.map_err(|problem| anyhow::anyhow!("{name}: {problem}; nothing was written"))
}

/// The answers from flags alone; a missing or invalid one names its flag.
fn from_flags(args: &InitArgs) -> anyhow::Result<Answers> {
    let need = |value: &Option<String>, flag: &str| -> anyhow::Result<String> {
        value.clone().with_context(|| {
            format!("{flag} is required with --non-interactive (or without a terminal); nothing was written")
        })
    };
    let public_url = flag(
        "--public-url",
        init::check_public_url(&need(&args.public_url, "--public-url")?),
    )?;
    let ui_url = flag(
        "--ui-url",
        init::check_public_url(&need(&args.ui_url, "--ui-url")?),
    )?;
    let smtp_uri = flag(
        "--smtp-uri",
        init::check_smtp(&need(&args.smtp_uri, "--smtp-uri")?),
    )?;
    let dsn = if let Some(dsn) = &args.dsn {
        flag("--dsn", init::check_dsn(dsn))?
    } else {
        let host = flag(
            "--db-host",
            init::check_host(&need(&args.db_host, "--db-host (or --dsn)")?),
        )?;
        let password = init::database_password(&mut OsSecrets)?;
        init::dsn(
            args.db.into(),
            &host,
            &args.db_name,
            &args.db_user,
            &password,
        )
    };
    let return_urls = if args.return_urls.is_empty() {
        vec![format!("{ui_url}/")]
    } else {
        args.return_urls
            .iter()
            .map(|u| flag("--return-url", init::check_public_url(u)).map(|_| u.trim().to_owned()))
            .collect::<anyhow::Result<_>>()?
    };
    let smtp_from = match &args.smtp_from {
        Some(from) => flag("--smtp-from", init::check_email(from))?,
        None => default_sender(&ui_url),
    };
    let methods = flag_methods(&args.methods)?;
    let oidc = flag_oidc(&args.oidc)?;
    Ok(Answers {
        public_url,
        ui_url,
        return_urls,
        dsn,
        smtp_uri,
        smtp_from,
        methods,
        oidc,
        mfa: args.mfa,
        registration: args.registration,
        secrets_to: args
            .secrets_to
            .clone()
            .map_or_else(default_secrets, |s| s.0),
        proxy: args.proxy.into(),
    })
}

/// `--methods`, checked: known names, and a first factor to sign in with.
fn flag_methods(methods: &[String]) -> anyhow::Result<Vec<String>> {
    if let Some(unknown) = methods.iter().find(|m| !METHODS.contains(&m.as_str())) {
        bail!(
            "--methods: '{unknown}' is not one of {}; nothing was written",
            METHODS.join(", ")
        );
    }
    if !methods.iter().any(|m| m == "password" || m == "passkey") {
        bail!("--methods needs password or passkey to sign in with; nothing was written");
    }
    Ok(methods.to_vec())
}

/// `--oidc PROVIDER=CLIENT_ID`, each with its secret from `KRATOS_HARDEN_OIDC_SECRET_<PROVIDER>`.
pub(super) fn flag_oidc(given: &[String]) -> anyhow::Result<Vec<Oidc>> {
    let mut providers = Vec::new();
    for entry in given {
        let Some((provider, client_id)) = entry.split_once('=') else {
            bail!("--oidc: '{entry}' is not PROVIDER=CLIENT_ID; nothing was written");
        };
        let provider = provider.trim().to_ascii_lowercase();
        if !OIDC_PROVIDERS.iter().any(|(p, _)| *p == provider) {
            let known: Vec<&str> = OIDC_PROVIDERS.iter().map(|(p, _)| *p).collect();
            bail!(
                "--oidc: '{provider}' is not one of {}; nothing was written",
                known.join(", ")
            );
        }
        if providers.iter().any(|o: &Oidc| o.provider == provider) {
            bail!("--oidc: {provider} is given twice; nothing was written");
        }
        let client_id = flag("--oidc", init::check_client_credential(client_id))?;
        let var = init::oidc_secret_var(&provider);
        let secret = std::env::var(&var).map_err(|_| {
            anyhow::anyhow!("--oidc {provider}: set the client secret in the environment variable {var} (it is never taken from the command line); nothing was written")
        })?;
        let client_secret = init::check_client_credential(&secret)
            .map_err(|problem| anyhow::anyhow!("{var}: {problem}; nothing was written"))?;
        providers.push(Oidc {
            provider,
            client_id,
            client_secret,
        });
    }
    Ok(providers)
}

pub(super) fn default_sender(ui_url: &str) -> String {
    format!(
        "no-reply@{}",
        Uri::parse(ui_url).map_or("example.org", |u| u.host)
    )
}

pub(super) fn default_secrets() -> SecretsTo {
    SecretsTo::EnvFile(PathBuf::from("kratos.env"))
}

fn next_steps(answers: &Answers, out: &Path) -> String {
    let user = Uri::parse(&answers.dsn)
        .and_then(|u| u.user)
        .unwrap_or("kratos")
        .to_owned();
    let env = match &answers.secrets_to {
        SecretsTo::EnvFile(p) => format!(
            "start Kratos with the variables of {} (docker compose `env_file:`, systemd `EnvironmentFile=`): `kratos serve -c kratos.yml`",
            target(out, p).display()
        ),
        SecretsTo::K8sSecret(p) => format!(
            "`kubectl apply -f {}` and point the Helm chart at the Secret `kratos`",
            target(out, p).display()
        ),
        SecretsTo::Inline => {
            "keep kratos.yml out of version control: it holds the secrets".to_owned()
        }
    };
    let proxy = match answers.proxy {
        Proxy::Nginx => {
            "include nginx.conf in nginx's http block (it needs your TLS certificate paths)"
        }
        Proxy::Caddy => "use the Caddyfile with a Caddy built with the caddy-ratelimit plugin",
        Proxy::Traefik => "load traefik.yml with Traefik's file provider",
    };
    let oidc = oidc_step(answers);
    format!(
        "\nNext steps\n  1. Create the database user `{user}` with the generated password (it is in the DSN) and give it only the Kratos database; make the server's TLS certificate verifiable.\n  2. Run `kratos migrate sql -e --yes` once, then {env}.\n  3. Rate limits: {proxy}. Open-source Kratos has none of its own.\n  4. Schedule the cleanup: cleanup.cron (crontab) or cleanup-cronjob.yaml (Kubernetes).\n{oidc}  {n}. Check the result any time: `kratos-harden audit -c {}{}`.\n",
        out.join("kratos.yml").display(),
        match &answers.secrets_to {
            SecretsTo::EnvFile(p) => format!(" --env-file {}", target(out, p).display()),
            _ => String::new(),
        },
        n = if answers.oidc.is_empty() { 5 } else { 6 },
    )
}

/// The redirect URIs to register with each social sign-in provider.
fn oidc_step(answers: &Answers) -> String {
    if answers.oidc.is_empty() {
        return String::new();
    }
    let uris: Vec<String> = answers
        .oidc
        .iter()
        .map(|o| {
            format!(
                "{}: {}/self-service/methods/oidc/callback/{}",
                o.provider, answers.public_url, o.provider
            )
        })
        .collect();
    format!(
        "  5. Register the redirect URI with each provider ({}); keep oidc.mapper.jsonnet next to kratos.yml.\n",
        uris.join("; ")
    )
}
