//! kratos-harden: audit and harden the configuration of an Ory Kratos deployment.
//!
//! The library is the core (config model, rule catalog, findings, reports) and has no terminal
//! dependency; only `commands` touches files, stdout and exit codes.

pub mod config;
pub mod finding;
pub mod kratos;
pub mod rules;
