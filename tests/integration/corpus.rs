//! The public corpus in `../shared/kratos/corpus` (read in place, never copied): each file's
//! findings are snapshotted, and every insecure setting `corpus/SOURCES.md` lists for a file
//! must be among them. Skipped, with one printed line, when `../shared` is absent.

use std::path::Path;

use kratos_harden::config::Deployment;
use kratos_harden::finding::Finding;
use kratos_harden::kratos::uri::Uri;
use kratos_harden::rules::{Context, Profile, check_all};
use serde_json::{Value, json};

use crate::common::{shared, skip};

/// `(file prefix, rule, path)` for each insecure setting SOURCES.md lists; `*` = any path.
///
/// Not listed: the corpus 08 items (`cleanup.enabled: false`, the courier `StatefulSet`'s
/// `LOG_LEVEL=trace`) are Helm chart values outside `kratos.config`; reading chart values is
/// the effective-configuration issue, not this audit of Kratos config files.
const EXPECTED: &[(&str, &str, &str)] = &[
    // 01 quickstart email-password
    ("01-", "KH205", "secrets.cookie.0"),
    ("01-", "KH205", "secrets.cipher.0"),
    ("01-", "KH201", "secrets.default"),
    ("01-", "KH251", "log.level"),
    ("01-", "KH250", "log.leak_sensitive_values"),
    ("01-", "KH222", "hashers.bcrypt.cost"),
    ("01-", "KH401", "dsn"),
    ("01-", "KH233", "serve.public.base_url"),
    ("01-", "KH234", "selfservice.flows.login.ui_url"),
    ("01-", "KH240", "serve.public.cors.allowed_origins"),
    ("01-", "KH104", "selfservice.allowed_return_urls.2"),
    ("01-", "KH105", "selfservice.allowed_return_urls.1"),
    (
        "01-",
        "KH110",
        "selfservice.flows.registration.after.password.hooks.0",
    ),
    ("01-", "KH411", "courier.smtp.connection_uri"),
    ("01-", "KH412", "courier.smtp.connection_uri"),
    ("01-", "KH231", "serve.admin.host"),
    // 02 quickstart all-strategies: as 01, plus
    ("02-", "KH120", "session.whoami.required_aal"),
    ("02-", "KH121", "selfservice.flows.settings.required_aal"),
    ("02-", "KH140", "selfservice.flows.verification.enabled"),
    (
        "02-",
        "KH110",
        "selfservice.flows.registration.after.password.hooks.0",
    ),
    (
        "02-",
        "KH123",
        "selfservice.methods.webauthn.config.rp.origin",
    ),
    (
        "02-",
        "KH123",
        "selfservice.methods.passkey.config.rp.origins.0",
    ),
    ("02-", "KH205", "secrets.cookie.0"),
    ("02-", "KH401", "dsn"),
    // 03 e2e base
    ("03-", "KH251", "log.level"),
    ("03-", "KH250", "log.leak_sensitive_values"),
    ("03-", "KH205", "secrets.cookie.0"),
    ("03-", "KH223", "hashers.argon2.memory"),
    ("03-", "KH120", "session.whoami.required_aal"),
    ("03-", "KH104", "selfservice.allowed_return_urls.4"),
    ("03-", "KH104", "selfservice.allowed_return_urls.5"),
    ("03-", "KH411", "courier.smtp.connection_uri"),
    // 04 e2e webhooks
    (
        "04-",
        "KH420",
        "selfservice.flows.login.after.password.hooks.0.config.url",
    ),
    (
        "04-",
        "KH422",
        "selfservice.flows.login.after.password.hooks.0.config.auth.config.value",
    ),
    (
        "04-",
        "KH113",
        "selfservice.flows.login.after.password.hooks.0.config.can_interrupt",
    ),
    (
        "04-",
        "KH142",
        "selfservice.flows.registration.enable_legacy_one_step",
    ),
    // 05 e2e oidc
    (
        "05-",
        "KH211",
        "selfservice.methods.oidc.config.providers.0.client_secret",
    ),
    (
        "05-",
        "KH432",
        "selfservice.methods.oidc.config.providers.0.issuer_url",
    ),
    ("05-", "KH205", "secrets.cipher.0"),
    ("05-", "KH120", "session.whoami.required_aal"),
    // 06 e2e playwright (JSON)
    ("06-", "KH251", "log.level"),
    ("06-", "KH250", "log.leak_sensitive_values"),
    ("06-", "KH205", "secrets.cookie.0"),
    ("06-", "KH205", "secrets.cipher.0"),
    ("06-", "KH104", "*"),
    (
        "06-",
        "KH431",
        "selfservice.methods.oidc.config.providers.0.client_secret",
    ),
    (
        "06-",
        "KH432",
        "selfservice.methods.oidc.config.providers.0.issuer_url",
    ),
    (
        "06-",
        "KH110",
        "selfservice.flows.registration.after.password.hooks.0",
    ),
    (
        "06-",
        "KH110",
        "selfservice.flows.registration.after.oidc.hooks.0",
    ),
    ("06-", "KH411", "courier.smtp.connection_uri"),
    ("06-", "KH412", "courier.smtp.connection_uri"),
    // 07 ory/examples kratos-keto-flask
    ("07-", "KH143", "selfservice.whitelisted_return_urls"),
    ("07-", "KH143", "identity.default_schema_url"),
    ("07-", "KH205", "secrets.cookie.0"),
    ("07-", "KH205", "secrets.cipher.0"),
    ("07-", "KH250", "log.leak_sensitive_values"),
    ("07-", "KH222", "hashers.bcrypt.cost"),
    ("07-", "KH401", "dsn"),
    ("07-", "KH411", "courier.smtp.connection_uri"),
    (
        "07-",
        "KH110",
        "selfservice.flows.registration.after.password.hooks.0",
    ),
    // 09 UnlockEdv2
    ("09-", "KH402", "dsn"),
    ("09-", "KH404", "dsn"),
    ("09-", "KH241", "serve.public.cors.allowed_origins.0"),
    ("09-", "KH242", "serve.public.cors.allowed_origins.4"),
    ("09-", "KH210", "secrets"),
    ("09-", "KH250", "log.leak_sensitive_values"),
    ("09-", "KH222", "hashers.bcrypt.cost"),
    ("09-", "KH140", "selfservice.flows.verification.enabled"),
    (
        "09-",
        "KH110",
        "selfservice.flows.registration.after.password.hooks.0",
    ),
    ("09-", "KH412", "courier.smtp.connection_uri"),
    ("09-", "KH435", "oauth2_provider.url"),
    ("09-", "KH106", "selfservice.allowed_return_urls.2"),
    // 10 factly/kavach
    ("10-", "KH402", "dsn"),
    ("10-", "KH403", "dsn"),
    ("10-", "KH404", "dsn"),
    (
        "10-",
        "KH431",
        "selfservice.methods.oidc.config.providers.0.client_secret",
    ),
    ("10-", "KH205", "secrets.cookie.0"),
    ("10-", "KH220", "ciphers.algorithm"),
    ("10-", "KH222", "hashers.bcrypt.cost"),
    (
        "10-",
        "KH304",
        "selfservice.flows.verification.notify_unknown_recipients",
    ),
    (
        "10-",
        "KH304",
        "selfservice.flows.recovery.notify_unknown_recipients",
    ),
    ("10-", "KH411", "courier.smtp.connection_uri"),
    // 11 faktenforum
    (
        "11-",
        "KH420",
        "selfservice.flows.login.after.hooks.0.config.url",
    ),
    (
        "11-",
        "KH422",
        "selfservice.flows.login.after.hooks.0.config.auth.config.value",
    ),
    (
        "11-",
        "KH113",
        "selfservice.flows.login.after.hooks.0.config.can_interrupt",
    ),
    ("11-", "KH302", "selfservice.flows.verification.lifespan"),
    ("11-", "KH205", "secrets.cookie.0"),
    ("11-", "KH205", "secrets.cipher.0"),
    ("11-", "KH250", "log.leak_sensitive_values"),
    ("11-", "KH222", "hashers.bcrypt.cost"),
    ("11-", "KH401", "dsn"),
    ("11-", "KH411", "courier.smtp.connection_uri"),
    // 12 galoy-voucher
    ("12-", "KH243", "serve.public.cors.allowed_origins.0"),
    ("12-", "KH242", "serve.public.cors.allowed_origins.1"),
    ("12-", "KH244", "serve.public.cors.debug"),
    ("12-", "KH260", "session.lifespan"),
    ("12-", "KH205", "secrets.cookie.0"),
    ("12-", "KH205", "secrets.cipher.0"),
    ("12-", "KH222", "hashers.bcrypt.cost"),
    ("12-", "KH401", "dsn"),
    ("12-", "KH140", "selfservice.flows.verification.enabled"),
    ("12-", "KH411", "courier.smtp.connection_uri"),
    // 13 code-kern-ai/refinery
    ("13-", "KH251", "log.level"),
    ("13-", "KH250", "log.leak_sensitive_values"),
    ("13-", "KH210", "secrets"),
    ("13-", "KH203", "secrets.cipher"),
    ("13-", "KH220", "ciphers.algorithm"),
    ("13-", "KH221", "hashers.algorithm"),
    ("13-", "KH223", "hashers.argon2.key_length"),
    ("13-", "KH410", "courier.smtp.connection_uri"),
    ("13-", "KH141", "selfservice.flows.recovery.use"),
    ("13-", "KH141", "selfservice.flows.verification.use"),
    ("13-", "KH401", "dsn"),
    ("13-", "KH233", "serve.public.base_url"),
    // 14 UnlockEdv2 before hardening: as 09, plus
    ("14-", "KH230", "dev"),
    ("14-", "KH251", "log.level"),
    ("14-", "KH402", "dsn"),
    ("14-", "KH241", "serve.public.cors.allowed_origins.0"),
    // identity schemas
    (
        "id-01",
        "KH154",
        "properties.traits.properties.name.properties.first",
    ),
    ("id-02", "KH154", "properties.traits.properties.phone"),
    ("id-03", "KH152", "properties.traits.properties.role"),
    ("id-03", "KH152", "properties.traits.properties.facility_id"),
    (
        "id-03",
        "KH152",
        "properties.traits.properties.password_reset",
    ),
    ("id-03", "KH153", "properties.traits"),
    ("id-03", "KH155", "*"),
    ("id-03", "KH156", "properties.traits"),
];

/// The findings for one corpus file, and how many secret values it holds (all checked absent
/// from every message).
fn audit(dir: &Path, name: &str) -> (Vec<Finding>, usize) {
    let deployment = if name.starts_with("id-") {
        // Identity schemas are audited through a config that names them.
        let config =
            format!("identity:\n  schemas:\n    - id: default\n      url: file://{name}\n");
        Deployment::from_texts(vec![(
            dir.join("kratos.yml"),
            "corpus/kratos.yml".into(),
            config,
        )])
    } else {
        Deployment::load_named(vec![(dir.join(name), format!("corpus/{name}"))])
    }
    .unwrap_or_else(|e| panic!("{name} does not load: {e}"));
    let cx = Context::new(&deployment, Profile::Production, None);
    let mut findings = check_all(&cx);
    let secrets = secret_values(&deployment);
    for secret in &secrets {
        for f in &findings {
            let fix = f
                .fix
                .as_ref()
                .map(|x| x.summary.to_string())
                .unwrap_or_default();
            // Config paths are not values (a placeholder secret may be the key's own name).
            let message = f.message.replace(&f.path, "");
            assert!(
                !message.contains(secret.as_str()) && !fix.contains(secret.as_str()),
                "{name}: {} leaks a secret value from {}",
                f.rule.id,
                f.path
            );
        }
    }
    // Keep the file name with each finding for the snapshot.
    for f in &mut findings {
        f.message = format!("{} | {}", deployment.source(f.file).display, f.message);
    }
    (findings, secrets.len())
}

/// The secret values written in a config: secrets, client secrets, hook keys and the
/// passwords inside DSN/SMTP URIs (only those long enough to be recognisable in text).
fn secret_values(deployment: &Deployment) -> Vec<String> {
    let mut values = Vec::new();
    for (path, node) in deployment.root.find_strings(&|_| true) {
        let Some(value) = node.as_str() else { continue };
        let secretish = path.starts_with("secrets.")
            || path.ends_with("client_secret")
            || path.ends_with("apple_private_key")
            || path.ends_with("auth.config.value")
            || path.ends_with("auth.config.password");
        if secretish {
            values.push(value.to_owned());
        } else if let Some(password) =
            Uri::parse(value).and_then(|uri| uri.password.filter(|p| Some(*p) != uri.user))
        {
            values.push(password.to_owned());
        }
    }
    values.retain(|v| v.len() >= 6);
    values
}

fn snapshot(findings: &[Finding]) -> Value {
    json!(
        findings
            .iter()
            .map(|f| {
                let (file, message) = f.message.split_once(" | ").unwrap_or(("", &f.message));
                json!({
                    "rule": f.rule.id,
                    "severity": f.severity,
                    "path": f.path,
                    "file": file,
                    "line": f.pos.map(|p| p.line),
                    "column": f.pos.map(|p| p.column),
                    "message": message,
                })
            })
            .collect::<Vec<_>>()
    )
}

#[test]
fn corpus_findings_cover_sources_md() {
    let Some(kratos) = shared() else {
        skip("../shared/kratos/corpus is not present; the corpus test did not run");
        return;
    };
    let dir = kratos.join("corpus");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("corpus folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| {
            !Path::new(n)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md"))
        })
        .collect();
    names.sort();
    let mut missing = Vec::new();
    let mut secrets_checked = 0;
    for name in &names {
        let (findings, secrets) = audit(&dir, name);
        secrets_checked += secrets;
        let stem = name.split('.').next().unwrap_or(name);
        insta::assert_json_snapshot!(format!("corpus__{stem}"), snapshot(&findings));
        for (file, rule, path) in EXPECTED.iter().filter(|(f, _, _)| name.starts_with(f)) {
            let found = findings
                .iter()
                .any(|f| f.rule.id == *rule && (*path == "*" || f.path == *path));
            if !found {
                missing.push(format!("{file}: {rule} at {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "SOURCES.md settings not found:\n{}",
        missing.join("\n")
    );
    assert!(
        secrets_checked >= 20,
        "the leak check saw only {secrets_checked} secret values"
    );
}
