//! The key table against what uses it (the rules' reads, the fixes' writes, the variable
//! names) and against Kratos's own config schema.

use std::collections::BTreeSet;

use serde_json::Value;

use super::*;
use crate::config::{Deployment, KratosVersion};
use crate::patch::Op;
use crate::rules::{Context, Profile, check_all, reads};

/// Every fixture case's deployment (`tests/rules/*.yml`), those that load.
fn fixture_deployments() -> Vec<Deployment> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
        let fixture: Value = serde_saphyr::from_str(&text).expect("fixture");
        for case in fixture["cases"].as_array().expect("cases") {
            let config = case["config"].as_str().expect("config").to_owned();
            let files = vec![(dir.join("kratos.yml"), "kratos.yml".to_owned(), config)];
            let deployment = if case["helm"].as_bool() == Some(true) {
                Deployment::from_helm_values(files)
            } else {
                Deployment::from_texts(files)
            };
            out.extend(deployment.ok());
        }
    }
    out
}

/// `path` with its indexes as `*`.
fn pattern(path: &str) -> String {
    path.split('.')
        .map(|s| {
            if s.bytes().all(|b| b.is_ascii_digit()) {
                "*"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The single-`Set` proposals of every fix over the fixtures, with the secrets generated.
type Proposals = Vec<(Vec<Op>, Vec<(String, crate::secret::Secret)>)>;

/// Runs the catalog and every fix (unsafe ones too) over every fixture under both versions:
/// the paths read through `Context::get`, the operations written, and the proposals.
fn reads_and_writes() -> (BTreeSet<String>, Vec<Op>, Proposals) {
    use crate::fix::{FixEnv, SecretsTo, Selection, plan};
    let (mut read, mut written, mut proposals) = (BTreeSet::new(), Vec::new(), Vec::new());
    for deployment in fixture_deployments() {
        for version in [KratosVersion::V1, KratosVersion::V26] {
            let cx = Context::new(&deployment, Profile::Production, Some(version));
            let mut findings = Vec::new();
            read.extend(reads::during(|| findings = check_all(&cx)));
            let mut rng = crate::secret::OsSecrets;
            let mut env = FixEnv::new(&mut rng, SecretsTo::Inline);
            let selection = Selection {
                unsafe_fixes: true,
                ..Selection::default()
            };
            let planned = plan(&cx, &findings, &selection, &mut env).expect("plans");
            for (_, ops) in planned.applied {
                written.extend(ops.iter().cloned());
                if matches!(ops.as_slice(), [Op::Set { .. }]) {
                    proposals.push((ops, env.generated.clone()));
                }
            }
        }
    }
    (read, written, proposals)
}

/// Every path a rule reads (recorded while the catalog runs over every fixture config) has a
/// line, or lies inside a list or JSON value that has one (an environment variable can set it
/// through that); every path a fix writes has a line of its own (its edit kind and Kratos's
/// constraint come from there); and a proposal the table calls editable really is.
#[test]
fn every_path_the_rules_read_or_the_fixes_write_is_in_the_table() {
    let (read, written, proposals) = reads_and_writes();
    let covered = |path: &str| {
        let segments: Vec<&str> = path.split('.').collect();
        (1..=segments.len())
            .rev()
            .any(|n| match lookup(&segments[..n].join(".")).map(|k| k.env) {
                Some(_) if n == segments.len() => true,
                Some(Type::Json | Type::List) => true,
                _ => false,
            })
    };
    // KH143 reads legacy keys to say they are no longer in the schema: no variable sets them.
    let legacy: Vec<&str> = crate::rules::flows::legacy_paths().collect();
    let unread: BTreeSet<String> = read
        .iter()
        .map(|p| pattern(p))
        .filter(|p| !covered(p) && !legacy.contains(&p.as_str()))
        .collect();
    assert!(
        unread.is_empty(),
        "{} path(s) rules read that the key table does not cover:\n{}",
        unread.len(),
        unread.into_iter().collect::<Vec<_>>().join("\n")
    );
    assert!(
        written.len() > 100,
        "the fixtures' fixes write: {written:?}"
    );
    let unwritten: BTreeSet<String> = written
        .iter()
        .map(|op| pattern(op.path()))
        .filter(|p| lookup(p).is_none())
        .collect();
    assert!(
        unwritten.is_empty(),
        "{} path(s) fixes write that have no line in the key table:\n{}",
        unwritten.len(),
        unwritten.into_iter().collect::<Vec<_>>().join("\n")
    );
    let mut editable = 0;
    for (ops, generated) in &proposals {
        let [Op::Set { path, value }] = ops.as_slice() else {
            continue;
        };
        let kind = crate::review::kind_of(ops, generated);
        editable += usize::from(kind.is_some());
        if let Some(kind) = kind {
            assert_eq!(lookup(path).and_then(|k| k.edit), Some(kind), "{path}");
            continue;
        }
        // Not editable: the line has no edit kind only for a secret or a value holding a
        // credential (which would be shown and recorded); otherwise the proposed value does
        // not have the kind's shape (a relative return URL where URLs go).
        let tree = path.rsplit('.').fold(value.clone(), |inner, key| {
            Value::Object(std::iter::once((key.to_owned(), inner)).collect())
        });
        let root = crate::config::load::parse(&tree.to_string(), "proposal").expect("parses");
        let line = lookup(path).expect("every written path has a line");
        assert!(
            line.edit.is_some() || line.secret || !crate::mask::existing(&root).is_empty(),
            "the proposal for {path} cannot be edited; give its line an edit kind"
        );
    }
    assert!(editable > 50, "only {editable} editable proposals");
}

/// Each line's variable name (indexes as `0`) reads back as its own path: no earlier line
/// takes it, and no path is listed twice.
#[test]
fn every_line_is_reached_by_its_own_variable() {
    let mut seen = BTreeSet::new();
    for entry in all() {
        assert!(seen.insert(entry.path.clone()), "{} twice", entry.path);
        let path = entry.path.replace('*', "0");
        let name = path.replace('.', "_").to_ascii_uppercase();
        assert_eq!(
            crate::config::env::resolve(&name),
            Some((path.clone(), entry.key.env)),
            "{name}"
        );
    }
    assert!(seen.len() > 500, "{} lines", seen.len());
}

/// A line's secret flag agrees with how the masker reads paths no line lists, so adding a
/// line never changes what is masked.
#[test]
fn secret_lines_agree_with_the_rule_for_unlisted_paths() {
    for entry in all() {
        let path = entry.path.replace('*', "0");
        assert_eq!(entry.key.secret, reads_secret(&path), "{path}");
        assert_eq!(is_secret(&path), entry.key.secret, "{path}");
    }
    // Inside JSON values no line lists.
    assert!(is_secret(
        "courier.channels.0.request_config.auth.config.value"
    ));
    assert!(is_secret(
        "selfservice.flows.login.after.hooks.0.config.headers.Authorization"
    ));
    assert!(is_secret("secrets.cookie.3"));
    assert!(!is_secret("courier.channels.0.request_config.url"));
    assert!(
        !is_secret("dsn"),
        "a DSN's password is found inside the URI"
    );
}

#[test]
fn bounds_say_what_kratos_accepts() {
    use serde_json::json;
    let bound = |path: &str| lookup(path).and_then(|k| k.bound).expect(path);
    assert!(bound("hashers.bcrypt.cost").check(&json!(12)).is_ok());
    assert!(bound("hashers.bcrypt.cost").check(&json!(40)).is_err());
    let pkce = bound("selfservice.methods.oidc.config.providers.3.pkce");
    assert!(pkce.check(&json!("x")).is_err());
    assert!(pkce.check(&json!("force")).is_ok());
    assert_eq!(
        bound("secrets.cipher").check(&json!("short")),
        Err("Kratos accepts exactly 32 characters here".to_owned())
    );
    assert!(
        bound("secrets.cookie")
            .check(&json!(["a".repeat(16)]))
            .is_ok()
    );
    assert!(
        bound("secrets.cookie")
            .check(&json!(["a".repeat(15)]))
            .is_err()
    );
    assert!(lookup("serve.admin.host").is_some_and(|k| k.bound.is_none()));
}
