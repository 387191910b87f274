//! Kratos's own config JSON Schema (read from `../shared/kratos`, never copied): every corpus
//! file that validates before `apply --unsafe-fixes` still validates after it.

use jsonschema::{Retrieve, Uri};
use kratos_harden::config::Deployment;
use kratos_harden::fix::{FixEnv, SecretsTo, Selection};
use kratos_harden::harden::{self, Options};
use kratos_harden::secret::OsSecrets;
use serde_json::Value;

use crate::common::{shared, skip};

/// Serves `ory://tracing-config` from the shared copy and refuses everything else: the
/// validator never reaches the network.
struct Offline(Value);

impl Retrieve for Offline {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri.as_str().starts_with("ory://tracing-config") {
            Ok(self.0.clone())
        } else {
            Err(format!("not available offline: {}", uri.as_str()).into())
        }
    }
}

fn read_json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("reads")).expect("JSON")
}

#[test]
fn corpus_files_stay_schema_valid_after_apply() {
    let Some(kratos) = shared() else {
        skip("../shared/kratos is not present; the schema test did not run");
        return;
    };
    let schema = read_json(&kratos.join("config.schema.json"));
    let tracing = read_json(&kratos.join("otelx-tracing-config.schema.json"));
    let validator = jsonschema::options()
        .with_retriever(Offline(tracing))
        .build(&schema)
        .expect("the Kratos schema compiles");
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(kratos.join("corpus"))
        .expect("corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "yml" || e == "yaml" || e == "json")
        })
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("id-"))
        })
        .collect();
    names.sort();
    for path in names {
        let deployment = Deployment::load(std::slice::from_ref(&path)).expect("loads");
        if !validator.is_valid(&deployment.root.to_json()) {
            continue;
        }
        let options = Options {
            selection: Selection {
                unsafe_fixes: true,
                ..Selection::default()
            },
            ..Options::default()
        };
        let mut rng = OsSecrets;
        let mut env = FixEnv::new(&mut rng, SecretsTo::Inline);
        let outcome = harden::run(&deployment, &options, &mut env).expect("fixes");
        let after = harden::reload(&deployment, &outcome.changes).expect("reloads");
        checked += 1;
        let instance = after.root.to_json();
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .take(5)
            .collect();
        if !errors.is_empty() {
            failures.push(format!("{}: {errors:?}", path.display()));
        }
    }
    assert!(
        checked >= 5,
        "only {checked} corpus files validated before apply"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
