//! kratos-harden: audit and harden Ory Kratos configuration.
pub mod config;
