//! The values the command line accepts for enum flags (`--format`, `--profile`, `--db`, …).
//!
//! Owns their spelling and `--help` text. Where a value names a core type (a report format, a
//! profile, a Kratos release line, an `init` choice), the core type stays free of clap and a
//! `From` impl here maps the flag onto it: the command line can change its words without the
//! library changing, and the library is usable without clap.

use clap::ValueEnum;

use crate::rules::Severity;

/// Output format for `audit` (maps to [`crate::report::Format`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// Grouped by threat, one line per finding, then a summary.
    #[default]
    Text,
    /// Machine-readable findings (documented in the README).
    Json,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
}

impl From<Format> for crate::report::Format {
    fn from(format: Format) -> Self {
        match format {
            Format::Text => Self::Text,
            Format::Json => Self::Json,
            Format::Sarif => Self::Sarif,
        }
    }
}

/// Which deployment profile the audit judges against (maps to [`crate::rules::Profile`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, ValueEnum)]
pub enum Profile {
    /// Internet-facing production: https everywhere, real database.
    #[default]
    Production,
    /// Local development: http/localhost URLs and in-memory databases are allowed.
    Development,
}

impl From<Profile> for crate::rules::Profile {
    fn from(profile: Profile) -> Self {
        match profile {
            Profile::Production => Self::Production,
            Profile::Development => Self::Development,
        }
    }
}

/// The Kratos release line the rules target (maps to [`crate::config::KratosVersion`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KratosVersion {
    /// v1.x (v1.3.1 is the reference), also used for v0.x configs.
    #[value(name = "v1")]
    V1,
    /// The calendar-versioned releases (v25.x, v26.x and later).
    #[value(name = "v26")]
    V26,
}

impl From<KratosVersion> for crate::config::KratosVersion {
    fn from(version: KratosVersion) -> Self {
        match version {
            KratosVersion::V1 => Self::V1,
            KratosVersion::V26 => Self::V26,
        }
    }
}

/// The database engine of `init --db` (maps to [`crate::init::Database`]).
#[allow(clippy::doc_markdown)] // the variant docs are `--help` text, product names without backticks
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Database {
    /// PostgreSQL (`sslmode=verify-full`).
    Postgres,
    /// MySQL (`tls=true`).
    Mysql,
    /// CockroachDB (`sslmode=verify-full`).
    Cockroach,
}

impl From<Database> for crate::init::Database {
    fn from(database: Database) -> Self {
        match database {
            Database::Postgres => Self::Postgres,
            Database::Mysql => Self::Mysql,
            Database::Cockroach => Self::Cockroach,
        }
    }
}

/// The reverse proxy of `init --proxy` (maps to [`crate::init::Proxy`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, ValueEnum)]
pub enum Proxy {
    /// nginx (`limit_req`).
    #[default]
    Nginx,
    /// Caddy (with the caddy-ratelimit plugin).
    Caddy,
    /// Traefik (built-in `rateLimit` middleware).
    Traefik,
}

impl From<Proxy> for crate::init::Proxy {
    fn from(proxy: Proxy) -> Self {
        match proxy {
            Proxy::Nginx => Self::Nginx,
            Proxy::Caddy => Self::Caddy,
            Proxy::Traefik => Self::Traefik,
        }
    }
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

/// Output format of `apply`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, ValueEnum)]
pub enum ApplyFormat {
    /// What changed, grouped by threat, what is left to do, next steps.
    #[default]
    Text,
    /// Operations (masked values), manual fixes and the diff.
    Json,
}

/// A secret list `rotate` can rotate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SecretKey {
    /// `secrets.default`.
    Default,
    /// `secrets.cookie`.
    Cookie,
    /// `secrets.cipher`.
    Cipher,
    /// `secrets.pagination` (v26).
    Pagination,
    /// `default`, `cookie` and `cipher` (and `pagination` when the config has it).
    All,
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
