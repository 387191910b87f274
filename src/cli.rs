//! Command-line arguments (clap derive) and, in `values`, the words their enum flags accept.
//! Parsing only: the commands act on them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod values;

pub use values::{
    ApplyFormat, Color, Database, FailOn, Format, KratosVersion, Profile, Proxy, RulesFormat,
    SecretKey,
};

/// Audit and harden the configuration of an Ory Kratos deployment.
#[derive(Debug, Parser)]
#[command(name = "kratos-harden", version, about)]
pub struct Cli {
    /// What to do (on a terminal, no command starts the wizard on ./kratos.yml).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Walk the four threats on a full-screen terminal, decide on each fix, review the diff, write.
    Wizard(WizardArgs),
    /// Check Kratos configs for security problems (for people and CI).
    Audit(AuditArgs),
    /// Fix what can be fixed: a verified, format-preserving patch (scripted, no prompts).
    Apply(ApplyArgs),
    /// Bootstrap a hardened deployment: kratos.yml, identity schema, proxy rate limits, cleanup.
    Init(InitArgs),
    /// Restore the newest backup that `apply` took of a file.
    Undo(UndoArgs),
    /// Rotate Kratos secrets: a new one first, the current ones kept for verification.
    Rotate(RotateArgs),
    /// List the rule catalog.
    Rules(RulesArgs),
    /// Explain one rule: why it matters, what may break, the fix, references.
    Explain(ExplainArgs),
}

/// What is layered over (or instead of) the config files, as Kratos and its Helm chart do.
#[derive(Debug, Args, Clone, Default)]
pub struct Layers {
    /// A dotenv file whose variables override the config (`SECRETS_*`, `DSN`,
    /// `COURIER_SMTP_CONNECTION_URI`, …); repeatable, later files win. A fix for a value it
    /// sets edits its line.
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// Also layer this process's environment variables that Kratos reads (after the env
    /// files). Off by default: this machine's environment is rarely the deployment's. Fixes
    /// for them are left to you, naming the variable.
    #[arg(long)]
    pub use_env: bool,
    /// The Ory Helm chart's values file(s) of one deployment instead of config files
    /// (repeatable, later wins as with `helm -f`): the config is `kratos.config`, plus the
    /// chart's generated secrets, `kratos.development`, `deployment.extraEnv` and
    /// `cleanup.enabled`. Fixes go under `kratos.config`.
    #[arg(long, value_name = "FILE", conflicts_with = "config")]
    pub helm_values: Vec<PathBuf>,
    /// The config is a template that envsubst, Terraform or a chart renders before Kratos
    /// reads it: `${VAR}` values count as set elsewhere instead of as literal text.
    #[arg(long)]
    pub template: bool,
    /// A docker compose file instead of config files: the deployment is its service running
    /// `kratos serve` (the `-c` files through `volumes:`, `env_file:`, `environment:`, `--dev`,
    /// `ports:`). Fixes go where each value is set, the compose file included.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["config", "helm_values", "env_file"])]
    pub compose: Option<PathBuf>,
    /// A Kubernetes manifest file instead of config files: the deployment is its workload's
    /// container running `kratos serve` (`command`/`args`, `env`, `envFrom`, the `-c` file
    /// read from a `ConfigMap` in the same file). Audited only: its fixes are left to you.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["config", "helm_values", "env_file", "compose"])]
    pub manifest: Option<PathBuf>,
    /// The compose service (or `workload/container` of a manifest) to read, when several run
    /// `kratos serve`.
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
}

impl<'a> From<&'a Layers> for crate::config::deployment::Layers<'a> {
    fn from(layers: &'a Layers) -> Self {
        Self {
            env_files: &layers.env_file,
            use_env: layers.use_env,
            helm_values: &layers.helm_values,
            template: layers.template,
            compose: layers.compose.as_deref(),
            manifest: layers.manifest.as_deref(),
            service: layers.service.as_deref(),
        }
    }
}

/// Arguments of `audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// A config file of one deployment; repeat to layer files as `kratos -c a.yml -c b.yml`
    /// (later files win key by key, arrays are replaced whole).
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Vec<PathBuf>,
    /// Files (each its own deployment) or folders searched for kratos.{yml,yaml,json}.
    /// Default: ./kratos.yml.
    #[arg(value_name = "PATH", conflicts_with = "config")]
    pub paths: Vec<PathBuf>,
    /// Audit the insecure demo config embedded in the binary.
    #[arg(long, conflicts_with_all = ["config", "paths"])]
    pub demo: bool,
    /// Judge against production (default) or development expectations.
    #[arg(long, value_enum, default_value_t = Profile::Production)]
    pub profile: Profile,
    /// Kratos release line; default: the config's `version:` key, else v1.
    #[arg(long, value_enum, value_name = "VERSION")]
    pub kratos_version: Option<KratosVersion>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::High, value_name = "SEVERITY")]
    pub fail_on: FailOn,
    /// Env files, the process environment, Helm values.
    #[command(flatten)]
    pub layers: Layers,
    /// Accepted risks: entries {rule, path, reason, expires}.
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
    /// Colour the text output.
    #[arg(long, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    pub color: Color,
}

/// Where generated secrets go: `inline`, `env-file:PATH` or `k8s-secret:PATH`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretsTo(pub crate::fix::SecretsTo);

impl std::str::FromStr for SecretsTo {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        use crate::fix::SecretsTo as To;
        if s == "inline" {
            return Ok(Self(To::Inline));
        }
        match s.split_once(':') {
            Some(("env-file", path)) if !path.is_empty() => Ok(Self(To::EnvFile(path.into()))),
            Some(("k8s-secret", path)) if !path.is_empty() => Ok(Self(To::K8sSecret(path.into()))),
            _ => Err(format!(
                "'{s}' is not a destination: use inline, env-file:PATH or k8s-secret:PATH"
            )),
        }
    }
}

/// Arguments of `apply`.
#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // one field per command-line switch
pub struct ApplyArgs {
    /// A config file; repeat to layer files as Kratos does. Each fix goes to the file its
    /// value came from. Default: ./kratos.yml.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Vec<PathBuf>,
    /// Env files, the process environment, Helm values.
    #[command(flatten)]
    pub layers: Layers,
    /// Judge against production (default) or development expectations.
    #[arg(long, value_enum, default_value_t = Profile::Production)]
    pub profile: Profile,
    /// Kratos release line; default: the config's `version:` key, else v1.
    #[arg(long, value_enum, value_name = "VERSION")]
    pub kratos_version: Option<KratosVersion>,
    /// Only these rules (ids or names, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub only: Vec<String>,
    /// Never these rules (ids or names, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub skip: Vec<String>,
    /// Also apply fixes that may change behaviour users notice (sign-outs, blocked origins).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the diff and write nothing.
    #[arg(long, conflicts_with = "check")]
    pub dry_run: bool,
    /// Write nothing; exit 1 when changes are pending (like `rustfmt --check`).
    #[arg(long)]
    pub check: bool,
    /// Write the result here instead of over the config (single-file deployments).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do not keep a `FILE.bak.<timestamp>` copy of what is replaced.
    #[arg(long)]
    pub no_backup: bool,
    /// Backups kept per file (`FILE.bak.<timestamp>`); the oldest beyond this are removed
    /// after a write, and the run says which.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
    pub keep: u16,
    /// Show secret values instead of masks in the diff and report.
    #[arg(long)]
    pub show_secrets: bool,
    /// Where secrets go: inline (default), env-file:PATH or k8s-secret:PATH.
    #[arg(long, value_name = "DEST", default_value = "inline")]
    pub secrets_to: SecretsTo,
    /// Replay decisions recorded with `wizard --record FILE` (unanswered fixes: safe ones are
    /// applied, unsafe ones are not).
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// With --answers: a fix the file has no decision for is an error.
    #[arg(long, requires = "answers")]
    pub require_answers: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ApplyFormat::Text)]
    pub format: ApplyFormat,
    /// Colour the diff.
    #[arg(long, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    pub color: Color,
}

/// Arguments of `rotate`.
#[derive(Debug, Args)]
pub struct RotateArgs {
    /// A config file; repeat to layer files as Kratos does. Default: ./kratos.yml.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Vec<PathBuf>,
    /// Which secrets to rotate.
    #[arg(long, value_enum, value_delimiter = ',', required = true)]
    pub secret: Vec<SecretKey>,
    /// Env files, the process environment, Helm values: a secret is rotated where its
    /// effective value is set (an env file's variable, `kratos.config` in the values file).
    #[command(flatten)]
    pub layers: Layers,
    /// Print the diff and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not keep a `FILE.bak.<timestamp>` copy.
    #[arg(long)]
    pub no_backup: bool,
    /// Backups kept per file (`FILE.bak.<timestamp>`); the oldest beyond this are removed
    /// after a write, and the run says which.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
    pub keep: u16,
    /// Show the new secrets instead of masks.
    #[arg(long)]
    pub show_secrets: bool,
    /// Colour the diff.
    #[arg(long, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    pub color: Color,
}

/// Arguments of `wizard`.
#[derive(Debug, Args, Default)]
pub struct WizardArgs {
    /// A config file; repeat to layer files as Kratos does. Default: ./kratos.yml.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Vec<PathBuf>,
    /// Env files, the process environment, Helm values.
    #[command(flatten)]
    pub layers: Layers,
    /// Work on a copy of the embedded demo config in a temporary folder.
    #[arg(long, conflicts_with = "config")]
    pub demo: bool,
    /// Judge against production (default) or development expectations.
    #[arg(long, value_enum, default_value_t = Profile::Production)]
    pub profile: Profile,
    /// Kratos release line; default: the config's `version:` key, else v1.
    #[arg(long, value_enum, value_name = "VERSION")]
    pub kratos_version: Option<KratosVersion>,
    /// Line prompts instead of the full screen.
    #[arg(long)]
    pub plain: bool,
    /// Save the decisions (never a secret) to replay with `apply --answers FILE`.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Where secrets go: inline (default), env-file:PATH or k8s-secret:PATH.
    #[arg(long, value_name = "DEST")]
    pub secrets_to: Option<SecretsTo>,
    /// Do not keep a `FILE.bak.<timestamp>` copy of what is replaced.
    #[arg(long)]
    pub no_backup: bool,
    /// Backups kept per file (`FILE.bak.<timestamp>`); the oldest beyond this are removed
    /// after a write, and the run says which.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
    pub keep: u16,
}

/// Arguments of `init`. Every question has a flag; with `--non-interactive` (or without a
/// terminal) a missing required answer is an error naming its flag.
#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // one field per command-line switch
pub struct InitArgs {
    /// Folder the files are written to.
    #[arg(long, value_name = "DIR", default_value = "kratos-deployment")]
    pub out: PathBuf,
    /// Public https URL of Kratos, e.g. <https://auth.example.org> (required).
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// https base URL of the self-service UI (required).
    #[arg(long, value_name = "URL")]
    pub ui_url: Option<String>,
    /// Allowed return URL (repeatable; default: the UI URL).
    #[arg(long = "return-url", value_name = "URL")]
    pub return_urls: Vec<String>,
    /// The whole DSN (instead of --db and --db-host).
    #[arg(long, value_name = "DSN", conflicts_with = "db_host")]
    pub dsn: Option<String>,
    /// Database engine.
    #[arg(long, value_enum, default_value_t = Database::Postgres)]
    pub db: Database,
    /// Database host (required unless --dsn).
    #[arg(long, value_name = "HOST")]
    pub db_host: Option<String>,
    /// Database name.
    #[arg(long, value_name = "NAME", default_value = "kratos")]
    pub db_name: String,
    /// Database user (a dedicated one, not a superuser).
    #[arg(long, value_name = "USER", default_value = "kratos")]
    pub db_user: String,
    /// SMTP URI, e.g. `smtps://user:password@mail.example.org:465/` (required).
    #[arg(long, value_name = "URI")]
    pub smtp_uri: Option<String>,
    /// Sender address (default: no-reply@ the UI's host).
    #[arg(long, value_name = "EMAIL")]
    pub smtp_from: Option<String>,
    /// Login methods: password, code, totp, webauthn, passkey.
    #[arg(long, value_delimiter = ',', default_value = "password,code")]
    pub methods: Vec<String>,
    /// Social sign-in: `PROVIDER=CLIENT_ID` (google, github, gitlab; repeatable). The client
    /// secret is read from `KRATOS_HARDEN_OIDC_SECRET_<PROVIDER>`, never from the command line.
    #[arg(long, value_name = "PROVIDER=CLIENT_ID")]
    pub oidc: Vec<String>,
    /// Offer TOTP with backup codes and require the second factor once set up.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub mfa: bool,
    /// Open self-service registration (false: accounts come from the admin API).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub registration: bool,
    /// Reverse proxy to write rate limits for.
    #[arg(long, value_enum, default_value_t = Proxy::Nginx)]
    pub proxy: Proxy,
    /// Where secrets go: env-file:PATH (default OUT/kratos.env), k8s-secret:PATH or inline.
    #[arg(long, value_name = "DEST")]
    pub secrets_to: Option<SecretsTo>,
    /// Never ask: a missing required answer is an error.
    #[arg(long)]
    pub non_interactive: bool,
    /// Do not ask for a final confirmation.
    #[arg(long)]
    pub yes: bool,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `undo`.
#[derive(Debug, Args)]
pub struct UndoArgs {
    /// The config file to put back one step (the version before the last write by
    /// kratos-harden; again for the one before that).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Show the file's backups (newest last) and which one the next undo restores.
    #[arg(long, conflicts_with = "to")]
    pub list: bool,
    /// Restore the backup with this timestamp (as `--list` shows it, or its file name),
    /// including the copy an earlier undo kept.
    #[arg(long, value_name = "TIMESTAMP")]
    pub to: Option<String>,
    /// Backups kept per file; the oldest beyond this are removed after the undo's own.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
    pub keep: u16,
}

/// Arguments of `rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule id (`KH205`) or name (`secret-placeholder`).
    #[arg(value_name = "ID")]
    pub rule: String,
}
