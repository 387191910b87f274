//! The README's rule table is generated from the catalog; this test keeps them equal
//! (`UPDATE_README=1 cargo test readme` rewrites the table), and checks the two set-up commands.

use std::fmt::Write as _;

use kratos_harden::rules::RULES;

use crate::common::root;

const START: &str = "<!-- rules:start -->\n";
const END: &str = "<!-- rules:end -->";

fn table() -> String {
    let mut out = String::from(
        "| id | name | threat | severity | fix | title |\n|---|---|---|---|---|---|\n",
    );
    for rule in RULES {
        let m = rule.meta();
        let scope = match (m.versions, m.production_only) {
            (kratos_harden::rules::Versions::V26Only, _) => " (v26)",
            (kratos_harden::rules::Versions::V1Only, _) => " (v1)",
            (_, true) => " (production)",
            _ => "",
        };
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} | {}{scope} |",
            m.id,
            m.name,
            m.threat.as_str(),
            m.severity.as_str(),
            m.fix.applicability.as_str(),
            m.title.replace('|', "\\|"),
        );
    }
    out
}

#[test]
fn readme_rule_table_matches_the_catalog() {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let start = readme.find(START).expect("rules:start marker") + START.len();
    let end = readme.find(END).expect("rules:end marker");
    let expected = table();
    if readme[start..end] != expected {
        if std::env::var_os("UPDATE_README").is_some() {
            let updated = format!("{}{expected}{}", &readme[..start], &readme[end..]);
            std::fs::write(&path, updated).expect("write README.md");
        } else {
            panic!(
                "README.md's rule table is out of date: run `UPDATE_README=1 cargo test readme`"
            );
        }
    }
}

#[test]
fn readme_starts_with_the_two_setup_commands() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let head: String = readme.lines().take(6).collect::<Vec<_>>().join("\n");
    assert!(
        head.contains("cargo run --release -- wizard --demo"),
        "{head}"
    );
    assert!(head.contains("cargo test"), "{head}");
    let ci = std::fs::read_to_string(root().join(".ci/run")).expect(".ci/run");
    assert!(
        ci.contains("cargo test"),
        "CI runs the README's test command"
    );
}
