//! Kratos knowledge shared by the rules that is not itself a rule: Go durations, URL/DSN
//! parsing and credential judging.

pub mod credential;
pub mod duration;
pub mod uri;
