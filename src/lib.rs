//! kratos-harden: audit and harden the configuration of an Ory Kratos deployment.
//!
//! The core (config model, rule catalog, findings, reports) has no terminal dependency; only
//! [`commands`] touches files, stdout and exit codes.

pub mod answers;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod diff;
pub mod finding;
pub mod fix;
pub mod harden;
pub mod ignore;
pub mod init;
pub mod kratos;
pub mod mask;
pub mod patch;
pub mod prompt;
pub mod report;
pub mod review;
pub mod rules;
pub mod secret;
pub mod shown;
pub mod terminal;
pub mod tui;
