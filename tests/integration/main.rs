//! The integration tests, one binary (as bottom and ripgrep do).

/// Shared helpers: locating `../shared`, running the real binary.
mod common;
/// Every rule against its positive and negative fixtures in `tests/rules/<ID>.yml`.
mod rules;
