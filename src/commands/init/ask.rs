//! The interactive questions of `init` (inquire prompts): one per answer, each with a default
//! where one makes sense, a one-line help, and a validator that re-asks with the reason.

use std::path::{Path, PathBuf};

use inquire::validator::Validation;
use inquire::{Confirm, MultiSelect, Password, PasswordDisplayMode, Select, Text};

use super::{default_secrets, default_sender, flag};
use crate::cli::InitArgs;
use crate::commands::print;
use crate::fix::SecretsTo;
use crate::init::{self, Answers, Database, METHODS, OIDC_PROVIDERS, Oidc, Proxy};
use crate::secret::OsSecrets;

/// A text prompt whose answer must pass `check` (re-asked with the reason until it does).
fn checked(
    question: &str,
    help: &str,
    default: Option<&str>,
    check: fn(&str) -> Result<String, String>,
) -> anyhow::Result<String> {
    let mut prompt = Text::new(question)
        .with_help_message(help)
        .with_validator(move |s: &str| {
            Ok(match check(s) {
                Ok(_) => Validation::Valid,
                Err(e) => Validation::Invalid(e.into()),
            })
        });
    if let Some(default) = default {
        prompt = prompt.with_default(default);
    }
    check(&prompt.prompt()?).map_err(anyhow::Error::msg)
}

/// Asks every question (a flag given on the command line answers its question), then the
/// output folder last but one; returns the answers and the folder.
pub(super) fn ask(args: &InitArgs) -> anyhow::Result<(Answers, PathBuf)> {
    let out = ask_out(args)?;
    let public_url = match &args.public_url {
        Some(given) => flag("--public-url", init::check_public_url(given))?,
        None => checked(
            "Public URL of Kratos:",
            "the https URL browsers use, e.g. https://auth.example.org",
            None,
            init::check_public_url,
        )?,
    };
    let ui_url = match &args.ui_url {
        Some(given) => flag("--ui-url", init::check_public_url(given))?,
        None => checked(
            "Base URL of your login UI:",
            "https; /login, /registration, … live below it",
            None,
            init::check_public_url,
        )?,
    };
    let return_urls = if args.return_urls.is_empty() {
        checked(
            "Allowed return URLs:",
            "exact https URLs of your apps, comma-separated; anything looser is an open redirect",
            Some(&format!("{ui_url}/")),
            check_url_list,
        )?
        .split(',')
        .map(|u| u.trim().to_owned())
        .collect()
    } else {
        args.return_urls.clone()
    };
    let dsn = ask_dsn(args)?;
    let smtp_uri = ask_smtp(args)?;
    let smtp_from = match &args.smtp_from {
        Some(from) => flag("--smtp-from", init::check_email(from))?,
        None => checked(
            "Sender address:",
            "the From of verification and recovery mails",
            Some(&default_sender(&ui_url)),
            init::check_email,
        )?,
    };
    let methods: Vec<String> = MultiSelect::new("Login methods:", METHODS.to_vec())
        .with_default(&[0, 1])
        .with_validator(|chosen: &[inquire::list_option::ListOption<&&str>]| {
            Ok(
                if chosen
                    .iter()
                    .any(|o| *o.value == "password" || *o.value == "passkey")
                {
                    Validation::Valid
                } else {
                    Validation::Invalid("choose password or passkey to sign in with".into())
                },
            )
        })
        .prompt()?
        .into_iter()
        .map(str::to_owned)
        .collect();
    let oidc = ask_oidc(args)?;
    let mfa = Confirm::new("Offer a second factor (TOTP) and require it once set up?")
        .with_default(true)
        .with_help_message("users who set one up must use it (required_aal: highest_available)")
        .prompt()?;
    let registration = Confirm::new("Open self-service registration?")
        .with_default(true)
        .with_help_message("no for invite-only: accounts are created through the admin API")
        .prompt()?;
    let proxy = ask_proxy()?;
    let secrets_to = ask_secrets_to(args)?;
    let answers = Answers {
        public_url,
        ui_url,
        return_urls,
        dsn,
        smtp_uri,
        smtp_from,
        methods,
        mfa,
        registration,
        oidc,
        secrets_to,
        proxy,
    };
    Ok((answers, out))
}

/// Comma-separated https URLs.
fn check_url_list(text: &str) -> Result<String, String> {
    let urls: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .collect();
    if urls.is_empty() {
        return Err("give at least one URL".to_owned());
    }
    for url in &urls {
        init::check_public_url(url)?;
    }
    Ok(urls.join(","))
}

/// The output folder, asked first so an existing deployment is caught before the questions.
fn ask_out(args: &InitArgs) -> anyhow::Result<PathBuf> {
    let force = args.force;
    let out = Text::new("Output folder:")
        .with_default(&args.out.display().to_string())
        .with_help_message("created if missing; existing files are not overwritten without --force")
        .with_validator(move |s: &str| {
            let config = Path::new(s.trim()).join("kratos.yml");
            Ok(if config.exists() && !force {
                Validation::Invalid(
                    format!(
                        "{} exists: choose another folder (or run with --force)",
                        config.display()
                    )
                    .into(),
                )
            } else {
                Validation::Valid
            })
        })
        .prompt()?;
    Ok(PathBuf::from(out.trim()))
}

/// The DSN: `--dsn` as given, else engine, host, name and user asked and a password generated.
fn ask_dsn(args: &InitArgs) -> anyhow::Result<String> {
    if let Some(dsn) = &args.dsn {
        return flag("--dsn", init::check_dsn(dsn));
    }
    let kind = Select::new("Database:", vec!["PostgreSQL", "MySQL", "CockroachDB"])
        .with_help_message("never SQLite in production")
        .prompt()?;
    let kind = match kind {
        "MySQL" => Database::Mysql,
        "CockroachDB" => Database::Cockroach,
        _ => Database::Postgres,
    };
    let host = Text::new("Database host:")
        .with_initial_value(args.db_host.as_deref().unwrap_or(""))
        .with_validator(|s: &str| {
            Ok(match init::check_host(s) {
                Ok(_) => Validation::Valid,
                Err(e) => Validation::Invalid(e.into()),
            })
        })
        .prompt()?;
    let name = Text::new("Database name:")
        .with_default(&args.db_name)
        .prompt()?;
    let user = Text::new("Database user:")
        .with_default(&args.db_user)
        .with_help_message("a dedicated user that owns only this database, not postgres/root")
        .prompt()?;
    let typed = Password::new("Database password:")
        .without_confirmation()
        .with_display_mode(PasswordDisplayMode::Hidden)
        .with_help_message(
            "Enter: generate 40 random characters (recommended); or type the existing one",
        )
        .with_validator(|s: &str| {
            Ok(if s.is_empty() || s.chars().count() >= 12 {
                Validation::Valid
            } else {
                Validation::Invalid("at least 12 characters, or Enter to generate one".into())
            })
        })
        .prompt()?;
    let password = if typed.is_empty() {
        print(
            "A 40-character database password was generated; it goes with the DSN where secrets go.\n",
        )?;
        init::database_password(&mut OsSecrets)?
    } else {
        init::percent_encode(&typed)
    };
    Ok(init::dsn(
        kind,
        host.trim(),
        name.trim(),
        user.trim(),
        &password,
    ))
}

/// The SMTP URI: `--smtp-uri` as given, else the server asked in the open and the password
/// hidden.
fn ask_smtp(args: &InitArgs) -> anyhow::Result<String> {
    if let Some(uri) = &args.smtp_uri {
        return flag("--smtp-uri", init::check_smtp(uri));
    }
    let server = Text::new("SMTP server:")
        .with_help_message(
            "smtps://user@mail.example.org:465/ (or smtp:// with StartTLS); the password is asked next, hidden",
        )
        .with_validator(|s: &str| {
            Ok(match init::check_smtp(s) {
                Ok(_) => Validation::Valid,
                Err(e) => Validation::Invalid(e.into()),
            })
        })
        .prompt()?;
    let server = server.trim().to_owned();
    if init::has_password(&server) {
        Ok(server)
    } else {
        let password = Password::new("SMTP password:")
            .without_confirmation()
            .with_display_mode(PasswordDisplayMode::Hidden)
            .prompt()?;
        init::with_password(&server, &password).map_err(anyhow::Error::msg)
    }
}

/// Social sign-in: `--oidc` as given, else which providers (none by default) and, for each, the
/// client id and the secret (hidden).
fn ask_oidc(args: &InitArgs) -> anyhow::Result<Vec<Oidc>> {
    if !args.oidc.is_empty() {
        return super::flag_oidc(&args.oidc);
    }
    let names: Vec<&str> = OIDC_PROVIDERS.iter().map(|(p, _)| *p).collect();
    let chosen = MultiSelect::new("Social sign-in (OIDC):", names)
        .with_help_message("space to choose; none is fine. Only e-mail addresses the provider verified are accepted")
        .prompt()?;
    let mut providers = Vec::new();
    for provider in chosen {
        let client_id = checked(
            &format!("{provider} client id:"),
            "from the OAuth app you registered with the provider",
            None,
            init::check_client_credential,
        )?;
        let secret = Password::new(&format!("{provider} client secret:"))
            .without_confirmation()
            .with_display_mode(PasswordDisplayMode::Hidden)
            .with_validator(|s: &str| {
                Ok(match init::check_client_credential(s) {
                    Ok(_) => Validation::Valid,
                    Err(e) => Validation::Invalid(e.into()),
                })
            })
            .prompt()?;
        providers.push(Oidc {
            provider: provider.to_owned(),
            client_id,
            client_secret: secret.trim().to_owned(),
        });
    }
    Ok(providers)
}

/// The proxy flavour of the rate-limit file.
fn ask_proxy() -> anyhow::Result<Proxy> {
    Ok(
        match Select::new(
            "Reverse proxy for the rate limits:",
            vec!["nginx", "Caddy", "Traefik"],
        )
        .with_help_message("open-source Kratos has no rate limiting of its own")
        .prompt()?
        {
            "Caddy" => Proxy::Caddy,
            "Traefik" => Proxy::Traefik,
            _ => Proxy::Nginx,
        },
    )
}

/// Where secrets go: `--secrets-to` as given, else asked.
fn ask_secrets_to(args: &InitArgs) -> anyhow::Result<SecretsTo> {
    Ok(match &args.secrets_to {
        Some(given) => given.0.clone(),
        None => match Select::new(
            "Where do the secrets go?",
            vec![
                "an env file (kratos.env, mode 0600)",
                "a Kubernetes Secret (secret.yaml)",
                "inline in kratos.yml",
            ],
        )
        .with_help_message("secrets, the DSN and the SMTP URI; keep them out of version control")
        .prompt()?
        {
            s if s.starts_with("a Kub") => SecretsTo::K8sSecret(PathBuf::from("secret.yaml")),
            s if s.starts_with("inline") => SecretsTo::Inline,
            _ => default_secrets(),
        },
    })
}
