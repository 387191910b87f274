//! Command-line arguments (clap derive). Parsing only: the commands act on them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::KratosVersion;
use crate::report::Format;
use crate::rules::{Profile, Severity};

/// Audit and harden the configuration of an Ory Kratos deployment.
#[derive(Debug, Parser)]
#[command(name = "kratos-harden", version, about, arg_required_else_help = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Kratos configs for security problems (for people and CI).
    Audit(AuditArgs),
    /// List the rule catalog.
    Rules(RulesArgs),
    /// Explain one rule: why it matters, what may break, the fix, references.
    Explain(ExplainArgs),
}

/// `--fail-on` threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail on critical findings.
    Critical,
    /// Fail on high or worse (default).
    High,
    /// Fail on medium or worse.
    Medium,
    /// Fail on low or worse.
    Low,
    /// Fail on any finding.
    Info,
    /// Never fail because of findings.
    None,
}

impl FailOn {
    /// The lowest severity that fails, if any.
    #[must_use]
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Info => Some(Severity::Info),
            FailOn::None => None,
        }
    }
}

/// When to colour text output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, ValueEnum)]
pub enum Color {
    /// On a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
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
    /// Accepted risks: entries {rule, path, reason, expires}.
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
    /// Colour the text output.
    #[arg(long, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    pub color: Color,
}

/// Output format of `rules`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, ValueEnum)]
pub enum RulesFormat {
    /// A table.
    #[default]
    Text,
    /// The catalog as JSON.
    Json,
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
