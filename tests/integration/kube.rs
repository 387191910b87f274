//! Kubernetes manifests through the real binary: the fixture manifest
//! (`tests/fixtures/kubernetes/kratos.yaml`, a `ConfigMap`, a Secret and a Deployment in one
//! multi-document file) audited with every finding placed at its line in the manifest, the
//! `ConfigMap`'s config read from its block scalar, and nothing written by `apply`.

use std::path::Path;

use serde_json::Value;

use crate::common::{bin, run_in, write};

fn fixture(dir: &Path) -> std::path::PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kubernetes/kratos.yaml");
    let text = std::fs::read_to_string(from).expect("fixture");
    write(dir, "kratos.yaml", &text)
}

#[test]
fn a_manifest_is_audited_at_its_own_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    fixture(dir.path());
    let out = run_in(dir.path(), &["audit", "--manifest", "kratos.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        // `--dev` in `args`, the ConfigMap's config at its lines, env literals and the Secret.
        "kratos.yaml:36:59: CRITICAL KH230",
        "kratos.yaml:16:7: HIGH     KH250",
        "kratos.yaml:13:7: MEDIUM   KH210",
        "env SECRETS_CIPHER (from kratos.yaml:24): HIGH     KH208",
        "env DSN (from kratos.yaml:39): MEDIUM   KH237 `DSN` of service `kratos/kratos`",
        "kratos.yaml:40: SECRETS_DEFAULT comes from `valueFrom`",
        "0 fixable with `apply` [*], 0 more with `apply --unsafe-fixes` [!]",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    for secret in [
        "Kube-Fixture-Cookie",
        "Kube-Fixture-Cipher",
        "Kube-Fixture-Db-Pass",
    ] {
        assert!(!text.contains(secret), "{text}");
    }
    let out = run_in(
        dir.path(),
        &["audit", "--format", "json", "--manifest", "kratos.yaml"],
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["deployments"][0]["kind"], "kubernetes");
    assert_eq!(report["deployments"][0]["service"], "kratos/kratos");
}

#[test]
fn apply_leaves_a_manifest_as_it_is_and_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = fixture(dir.path());
    let before = std::fs::read_to_string(&path).expect("read");
    let out = run_in(
        dir.path(),
        &["apply", "--unsafe-fixes", "--manifest", "kratos.yaml"],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("edits of manifests are not written yet"),
        "{text}"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), before);
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("list").count(),
        1,
        "no backup, no history"
    );
}

#[test]
fn manifests_without_one_kratos_container_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "none.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n",
    );
    let run = |file: &str, extra: &[&str]| {
        bin()
            .current_dir(dir.path())
            .args(["audit", "--manifest", file])
            .args(extra)
            .output()
            .expect("runs")
    };
    let out = run("none.yaml", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("no workload here has a container running `kratos serve`")
    );
    write(
        dir.path(),
        "broken.yaml",
        "kind: Deployment\n---\nspec: [\n",
    );
    let out = run("broken.yaml", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("broken.yaml:"),
        "{out:?}"
    );
    let pod = |name: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n    - name: kratos\n      image: oryd/kratos:v1.3.1\n      args: [serve, -c, /etc/k/kratos.yml]\n      volumeMounts: [{{name: c, mountPath: /etc/k}}]\n  volumes: [{{name: c, configMap: {{name: cfg}}}}]\n"
        )
    };
    write(
        dir.path(),
        "two.yaml",
        &format!(
            "{}---\n{}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  kratos.yml: |\n    version: v1.3.1\n",
            pod("blue"),
            pod("green")
        ),
    );
    let out = run("two.yaml", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("(blue/kratos, green/kratos); name one with --service")
    );
    assert_eq!(
        run("two.yaml", &["--service", "green/kratos"])
            .status
            .code(),
        Some(1)
    );
}

/// `audit DIR` finds manifests with a Kratos container and Helm values holding `kratos.config`
/// among the tree's YAML files; unrelated YAML is skipped silently.
#[test]
fn audit_of_a_folder_finds_manifests_and_helm_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    for sub in ["k8s", "chart", "misc"] {
        std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
    }
    fixture(&dir.path().join("k8s"));
    write(
        dir.path(),
        "chart/values.yaml",
        "kratos:\n  config:\n    dsn: memory\n",
    );
    write(dir.path(), "misc/other.yaml", "kind: Thing\nimage: nginx\n");
    let out = run_in(dir.path(), &["audit", "--format", "json", "."]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let kinds: Vec<&str> = report["deployments"]
        .as_array()
        .expect("deployments")
        .iter()
        .map(|d| d["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["helm", "kubernetes"], "{report}");
}
