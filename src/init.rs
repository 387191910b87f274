//! `kratos-harden init`: the answers that describe a new deployment, their validation, and
//! the files rendered from the templates embedded in the binary (`templates/init/`), and the
//! audit of the result. Only [`check`] reads the disk (the identity schema the config points
//! at); the command layer asks the questions and writes the files.

use std::fmt::Write as _;

use std::path::Path;

use crate::config::node::Node;
use crate::config::{ConfigError, Deployment};
use crate::finding::Finding;
use crate::fix::SecretsTo;
use crate::harden::env_value;
use crate::kratos::uri::Uri;
use crate::patch::render_string;
use crate::rules::{self, Context, Profile, Severity};
use crate::secret::{self, Kind, Secret, SecretError};

mod answer;
mod oidc;

pub use answer::{
    check_client_credential, check_dsn, check_email, check_host, check_public_url, check_smtp,
    database_password, dsn, has_password, oidc_secret_var, percent_encode, with_password,
};
pub use oidc::{OIDC_PROVIDERS, Oidc};
use oidc::{OIDC_VAR, oidc_block, oidc_providers};

const KRATOS_YML: &str = include_str!("../templates/init/kratos.yml");
const IDENTITY_SCHEMA: &str = include_str!("../templates/init/identity.schema.json");
const NGINX: &str = include_str!("../templates/init/nginx.conf");
const TRAEFIK: &str = include_str!("../templates/init/traefik.yml");
const CADDY: &str = include_str!("../templates/init/Caddyfile");
const CLEANUP_CRON: &str = include_str!("../templates/init/cleanup.cron");
const OIDC_MAPPER: &str = include_str!("../templates/init/oidc.mapper.jsonnet");
const CLEANUP_CRONJOB: &str = include_str!("../templates/init/cleanup-cronjob.yaml");

/// The database engines Kratos supports in production.
#[allow(clippy::doc_markdown)] // product names, written as in `--help` (cli::Database)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Database {
    /// PostgreSQL (`sslmode=verify-full`).
    Postgres,
    /// MySQL (`tls=true`).
    Mysql,
    /// CockroachDB (`sslmode=verify-full`).
    Cockroach,
}

/// The reverse proxy the rate-limit file is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Proxy {
    /// nginx (`limit_req`).
    #[default]
    Nginx,
    /// Caddy (with the caddy-ratelimit plugin).
    Caddy,
    /// Traefik (built-in `rateLimit` middleware).
    Traefik,
}

/// Login methods `init` can enable.
pub const METHODS: &[&str] = &["password", "code", "totp", "webauthn", "passkey"];

/// Everything `init` needs to know.
#[derive(Clone, Debug)]
pub struct Answers {
    /// The public https URL of Kratos (what browsers call).
    pub public_url: String,
    /// The https base URL of the self-service UI (`/login`, `/registration`, … below it).
    pub ui_url: String,
    /// Exact https URLs the UI may return to after a flow.
    pub return_urls: Vec<String>,
    /// The database DSN, with its generated password.
    pub dsn: String,
    /// The SMTP URI (`smtps://user:password@host:465/` or `smtp://…` with `StartTLS`).
    pub smtp_uri: String,
    /// The sender address.
    pub smtp_from: String,
    /// Enabled methods (subset of [`METHODS`]).
    pub methods: Vec<String>,
    /// Offer a second factor (TOTP with backup codes) and require it when set up.
    pub mfa: bool,
    /// Open registration (false: accounts are created through the admin API).
    pub registration: bool,
    /// Social sign-in providers (empty: OIDC stays off).
    pub oidc: Vec<Oidc>,
    /// Where secrets go.
    pub secrets_to: SecretsTo,
    /// The proxy flavour.
    pub proxy: Proxy,
}

/// A file to write: path relative to the output folder, content, mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// Relative path (or the absolute path of a secrets destination).
    pub path: std::path::PathBuf,
    /// The content.
    pub text: String,
    /// Unix mode (0600 for anything holding secrets).
    pub mode: u32,
}

impl Output {
    /// A file without secrets (mode 0644).
    fn public(path: &str, text: String) -> Self {
        Self {
            path: path.into(),
            text,
            mode: 0o644,
        }
    }
}

/// Audits the rendered deployment as `audit` will see it once written to `out` (config plus
/// the secrets from wherever they went) and returns the findings above info. The templates
/// audit clean, so anything here comes from the answers: a short SMTP password, a DSN without
/// TLS, secrets kept inline.
pub fn check(
    answers: &Answers,
    outputs: &[Output],
    out: &Path,
) -> Result<Vec<Finding>, ConfigError> {
    let config = outputs
        .iter()
        .find(|o| o.path.as_os_str() == "kratos.yml")
        .map_or("", |o| o.text.as_str());
    let path = out.join("kratos.yml");
    let mut deployment = Deployment::from_texts(vec![(
        path.clone(),
        path.display().to_string(),
        config.to_owned(),
    )])?;
    let secrets = |p: &Path| outputs.iter().find(|o| o.path == p).map(|o| o.text.clone());
    match &answers.secrets_to {
        SecretsTo::Inline => {}
        SecretsTo::EnvFile(p) => {
            if let Some(text) = secrets(p) {
                deployment.add_env_text(&out.join(p), out.join(p).display().to_string(), text);
            }
        }
        SecretsTo::K8sSecret(p) => {
            let display = out.join(p).display().to_string();
            if let Some(text) = secrets(p) {
                let tree = crate::config::load::parse(&text, &display)?;
                let mut env = String::new();
                for (name, key) in K8S_KEYS {
                    if let Some(value) = tree
                        .get(&format!("stringData.{key}"))
                        .and_then(Node::as_str)
                    {
                        let _ = writeln!(env, "{name}='{value}'");
                    }
                }
                deployment.add_env_text(&out.join(p), display, env);
            }
        }
    }
    let cx = Context::new(&deployment, Profile::Production, None);
    let mut findings: Vec<Finding> = rules::check_all(&cx)
        .into_iter()
        .filter(|f| f.severity > Severity::Info)
        .collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    Ok(findings)
}

/// Environment variables and the keys of the Kubernetes Secret that carries them (the names
/// the Ory Helm chart's `secret.yaml` uses).
const K8S_KEYS: [(&str, &str); 6] = [
    ("SECRETS_DEFAULT", "secretsDefault"),
    ("SECRETS_COOKIE", "secretsCookie"),
    ("SECRETS_CIPHER", "secretsCipher"),
    ("DSN", "dsn"),
    ("COURIER_SMTP_CONNECTION_URI", "smtpConnectionURI"),
    (OIDC_VAR, OIDC_VAR),
];

/// Renders every file of the deployment. Secrets come from `source` (the OS CSPRNG).
pub fn render(
    answers: &Answers,
    source: &mut dyn secret::Source,
) -> Result<Vec<Output>, SecretError> {
    let secrets = [
        ("default", Secret::generate(Kind::Signing, source)?),
        ("cookie", Secret::generate(Kind::Signing, source)?),
        ("cipher", Secret::generate(Kind::Cipher, source)?),
    ];
    let inline = answers.secrets_to == SecretsTo::Inline;
    let values = template_values(answers, &secrets);
    let fill = |template: &str| {
        values
            .iter()
            .fold(template.to_owned(), |text, (key, value)| {
                text.replace(&format!("{{{{{key}}}}}"), value)
            })
    };
    let (proxy_file, proxy_template) = match answers.proxy {
        Proxy::Nginx => ("nginx.conf", NGINX),
        Proxy::Caddy => ("Caddyfile", CADDY),
        Proxy::Traefik => ("traefik.yml", TRAEFIK),
    };
    let mut out = vec![
        Output {
            path: "kratos.yml".into(),
            text: fill(KRATOS_YML),
            mode: if inline { 0o600 } else { 0o644 },
        },
        Output::public("identity.schema.json", IDENTITY_SCHEMA.to_owned()),
        Output::public("cleanup.cron", CLEANUP_CRON.to_owned()),
        Output::public("cleanup-cronjob.yaml", CLEANUP_CRONJOB.to_owned()),
        Output::public(proxy_file, fill(proxy_template)),
    ];
    if !answers.oidc.is_empty() {
        out.push(Output::public(
            "oidc.mapper.jsonnet",
            OIDC_MAPPER.to_owned(),
        ));
    }
    out.extend(secrets_output(answers, &secrets));
    Ok(out)
}

/// The `{{name}}` values of the templates.
fn template_values(
    answers: &Answers,
    secrets: &[(&str, Secret); 3],
) -> Vec<(&'static str, String)> {
    let public_host = Uri::parse(&answers.public_url)
        .map_or("", |u| u.host)
        .to_owned();
    let ui = Uri::parse(&answers.ui_url);
    let ui_host = ui.as_ref().map_or("", |u| u.host).to_owned();
    let ui_origin = ui.as_ref().map_or(String::new(), |u| match u.port {
        Some(port) => format!("https://{}:{port}", u.host),
        None => format!("https://{}", u.host),
    });
    let has = |m: &str| answers.methods.iter().any(|x| x == m);
    let inline = answers.secrets_to == SecretsTo::Inline;
    let note = match &answers.secrets_to {
        SecretsTo::Inline => {
            "inline below: keep this file out of version control (mode 0600).".to_owned()
        }
        SecretsTo::EnvFile(p) => format!(
            "SECRETS_*, DSN and COURIER_SMTP_CONNECTION_URI come from {} (mode 0600), not this file.",
            p.display()
        ),
        SecretsTo::K8sSecret(p) => format!(
            "SECRETS_*, DSN and COURIER_SMTP_CONNECTION_URI come from the Kubernetes Secret in {}.",
            p.display()
        ),
    };
    let mut secrets_block = String::new();
    if inline {
        secrets_block.push_str("secrets:\n");
        for (key, secret) in secrets {
            let _ = writeln!(secrets_block, "  {key}:\n    - {}", secret.expose());
        }
    } else {
        secrets_block.push_str("# secrets: from SECRETS_DEFAULT, SECRETS_COOKIE and SECRETS_CIPHER (never in this file).\n");
    }
    let mut first_factors: Vec<&str> = ["password", "passkey"]
        .into_iter()
        .filter(|m| has(m))
        .collect();
    if !answers.oidc.is_empty() {
        first_factors.push("oidc");
    }
    let (login_hooks, registration_hooks) = hook_lists(&first_factors);
    let unless_inline =
        |line: String, comment: &str| if inline { line } else { comment.to_owned() };
    vec![
        ("secrets_note", note),
        (
            "dsn_line",
            unless_inline(
                format!("dsn: {}", render_string(&answers.dsn)),
                "# dsn: from the DSN environment variable (never in this file).",
            ),
        ),
        ("public_url", format!("{}/", answers.public_url)),
        ("ui_url", answers.ui_url.clone()),
        (
            "return_urls",
            answers
                .return_urls
                .iter()
                .map(|u| format!("    - {}", render_string(u)))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        ("password", has("password").to_string()),
        ("totp", (answers.mfa || has("totp")).to_string()),
        ("webauthn", has("webauthn").to_string()),
        ("passkey", has("passkey").to_string()),
        ("issuer", render_string(&public_host)),
        ("rp_id", render_string(&ui_host)),
        ("ui_origin", render_string(&ui_origin)),
        ("login_hooks", login_hooks),
        ("registration_hooks", registration_hooks),
        ("registration", answers.registration.to_string()),
        ("secrets_block", secrets_block),
        (
            "smtp_line",
            unless_inline(
                format!("    connection_uri: {}", render_string(&answers.smtp_uri)),
                "    # connection_uri: from COURIER_SMTP_CONNECTION_URI (never in this file).",
            ),
        ),
        ("smtp_from", render_string(&answers.smtp_from)),
        ("oidc_block", oidc_block(answers)),
        ("public_host", public_host),
    ]
}

/// The login and registration `after` blocks for the first factors. On v1.3.1
/// `require_verified_address` checks password logins only, and dropping the registration
/// session helps only where it does: password users verify, then sign in; passkey and OIDC
/// users keep the session (their protection is elsewhere, said in a comment).
fn hook_lists(first_factors: &[&str]) -> (String, String) {
    let others: Vec<&str> = first_factors
        .iter()
        .copied()
        .filter(|m| *m != "password")
        .collect();
    let mut unchecked = String::new();
    if !others.is_empty() {
        let _ = write!(
            unchecked,
            "\n        # {}: require_verified_address checks password logins only on v1.3.1.",
            others.join(", ")
        );
    }
    if others.contains(&"oidc") {
        unchecked
            .push_str("\n        # OIDC: the mapper records only addresses the provider verified.");
    }
    if others.contains(&"passkey") {
        unchecked.push_str(
            "\n        # Passkey: the application must check verifiable_addresses[].verified itself.",
        );
    }
    let login_hooks = if first_factors.contains(&"password") {
        "        password:\n          hooks:\n            - hook: require_verified_address"
            .to_owned()
    } else {
        "        hooks: []".to_owned()
    } + &unchecked;
    let registration_hooks = {
        let mut lines = Vec::new();
        if first_factors.contains(&"password") {
            lines.push(
                "        # No session hook: new users verify their address, then sign in.\n        \
                 password:\n          hooks:\n            - hook: show_verification_ui"
                    .to_owned(),
            );
        }
        lines.extend(
            others
                .iter()
                .map(|m| format!("        {m}:\n          hooks:\n            - hook: session")),
        );
        lines.join("\n")
    };
    (login_hooks, registration_hooks)
}

/// The env file or Kubernetes Secret holding secrets, DSN and SMTP URI (none when inline).
fn secrets_output(answers: &Answers, secrets: &[(&str, Secret); 3]) -> Option<Output> {
    let list = |i: usize| env_value(&serde_json::json!([secrets[i].1.expose()]));
    let vars = [
        ("SECRETS_DEFAULT", list(0)),
        ("SECRETS_COOKIE", list(1)),
        ("SECRETS_CIPHER", list(2)),
        ("DSN", answers.dsn.clone()),
        ("COURIER_SMTP_CONNECTION_URI", answers.smtp_uri.clone()),
    ]
    .into_iter()
    .chain((!answers.oidc.is_empty()).then(|| (OIDC_VAR, oidc_providers(answers).to_string())))
    .collect::<Vec<_>>();
    let (path, text) = match &answers.secrets_to {
        SecretsTo::Inline => return None,
        SecretsTo::EnvFile(path) => {
            let mut text = String::from(
                "# Kratos secrets and connection strings (kratos-harden init). Mode 0600; never commit it.\n",
            );
            for (name, value) in &vars {
                let _ = writeln!(text, "{name}='{value}'");
            }
            (path, text)
        }
        SecretsTo::K8sSecret(path) => {
            let mut text = String::from(
                "# Kratos secrets for the Ory Helm chart (kratos-harden init). Keep out of version control.\n\
                 apiVersion: v1\nkind: Secret\nmetadata:\n  name: kratos\ntype: Opaque\nstringData:\n",
            );
            for (name, value) in &vars {
                let key = K8S_KEYS
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(*name, |(_, k)| k);
                let _ = writeln!(text, "  {key}: {}", render_string(value));
            }
            (path, text)
        }
    };
    Some(Output {
        path: path.clone(),
        text,
        mode: 0o600,
    })
}
