//! The courier's connections: the SMTP relay (`courier.smtp.connection_uri`: STARTTLS,
//! certificate checks, credentials) and HTTP mail/SMS channels (https and authentication).

use serde_json::Value;

use super::database::with_query_param;
use super::support::{cleartext_severity, file_of, has_auth_header};
use super::webhooks::{https_fix, https_fix_summary};
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::node::Node;
use crate::finding::Finding;
use crate::fix::{FixEnv, FixPlan, FixResult, set};
use crate::kratos::credential::{is_env_reference, password_weakness};
use crate::kratos::uri::{
    Uri, go_query, go_true, is_loopback_host, is_plain_http, mask_credentials, percent_decode,
};

const SMTP_DOC: &str = "https://www.ory.sh/docs/kratos/emails-sms/sending-emails-smtp";
const SMS_DOC: &str = "https://www.ory.sh/docs/kratos/emails-sms/sending-sms";
const CONFIGURING_DOC: &str = "https://www.ory.sh/docs/kratos/configuring";
const SMTP_PATH: &str = "courier.smtp.connection_uri";

/// The SMTP connection URI Kratos uses for mail, if it sends mail over SMTP.
fn smtp_uri<'a>(cx: &Context<'a>) -> Option<(Uri<'a>, &'a str, &'a Node)> {
    if cx.str("courier.delivery_strategy") == Some("http") {
        return None;
    }
    let node = cx.get(SMTP_PATH)?;
    let raw = node.as_str()?;
    let uri = Uri::parse(raw)?;
    (uri.scheme_is("smtp") || uri.scheme_is("smtps")).then_some((uri, raw, node))
}

/// True when an `smtp://` URI turns `STARTTLS` off (cleartext).
fn starttls_disabled(uri: &Uri<'_>) -> bool {
    uri.scheme_is("smtp") && go_query(uri, "disable_starttls").is_some_and(|v| go_true(&v))
}

/// True when a query parameter reads as true to Kratos (`strconv.ParseBool`).
fn flag_set(uri: &Uri<'_>, key: &str) -> bool {
    go_query(uri, key).is_some_and(|v| go_true(&v))
}

/// The SMTP connection URI with `keys` removed, as a plan; Manual for a relay on loopback,
/// whose certificate (if it has TLS at all) rarely names `localhost` or `127.0.0.1`, and where
/// nothing crosses the network.
fn smtp_without(cx: &Context<'_>, finding: &Finding, keys: &[&str], what: &str) -> FixPlan {
    let Some((uri, raw, _)) = smtp_uri(cx) else {
        return FixPlan::Manual(format!("`{SMTP_PATH}` is not an SMTP URL"));
    };
    if is_loopback_host(uri.host) {
        return FixPlan::Manual(format!(
            "the relay `{}` is on Kratos's own host, so mail never crosses the network; {what} \
             only works if that relay offers TLS with a certificate for the name in the URI \
             (or `server_name=`): change `{SMTP_PATH}` ({}) by hand if it does",
            uri.host,
            mask_credentials(raw)
        ));
    }
    let mut fixed = Some(raw.to_owned());
    for key in keys {
        fixed = fixed.and_then(|text| with_query_param(&text, key, None));
    }
    match fixed {
        Some(fixed) if fixed != raw => FixPlan::Ops(vec![set(&finding.path, Value::from(fixed))]),
        _ => FixPlan::Manual(format!(
            "{what} in `{SMTP_PATH}` ({}) by hand",
            mask_credentials(raw)
        )),
    }
}

/// KH410: cleartext SMTP.
pub struct SmtpStarttlsDisabled;

static SMTP_STARTTLS_DISABLED: RuleMeta = RuleMeta {
    id: "KH410",
    name: "smtp-starttls-disabled",
    threat: Threat::WeakCredentials,
    severity: Severity::Medium,
    title: "StartTLS is not enforced for the SMTP relay (`disable_starttls=true`)",
    rationale: "For `smtp://` Kratos makes StartTLS mandatory unless `disable_starttls=true`. With \
        it set, the mailer still upgrades (and checks the certificate) when the relay offers \
        StartTLS, but an attacker on the path who strips that offer receives every message in \
        cleartext: recovery and verification codes and links, login codes, and with them the \
        accounts. The same attacker can advertise only `AUTH LOGIN`, which the mailer answers \
        with the SMTP password even without TLS.",
    breaks: "The relay must offer StartTLS with a certificate Kratos trusts (or use `smtps://` on \
        its implicit-TLS port); local test relays such as MailHog do not.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "remove `disable_starttls=true` from the connection URI (StartTLS is then \
            mandatory) or switch to `smtps://`",
    },
    references: &[
        SMTP_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/courier/smtp.go#L76-L92",
        "https://github.com/ory/mail/blob/v3.0.0/smtp.go#L113-L126",
        "https://github.com/ory/mail/blob/v3.0.0/auth.go#L17-L29",
        "https://github.com/ory/mail/blob/v3.0.0/smtp.go#L129-L142",
    ],
    versions: Versions::All,
    production_only: true,
};

impl Rule for SmtpStarttlsDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &SMTP_STARTTLS_DISABLED
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        // With StartTLS back, `skip_ssl_verify=true` would leave it unverified (KH411): both go.
        let skip = smtp_uri(cx).is_some_and(|(uri, _, _)| flag_set(&uri, "skip_ssl_verify"));
        let keys: &[&str] = if skip {
            &["disable_starttls", "skip_ssl_verify"]
        } else {
            &["disable_starttls"]
        };
        Ok(smtp_without(
            cx,
            finding,
            keys,
            "removing `disable_starttls=true`",
        ))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some((uri, raw, _)) = smtp_uri(cx) else {
            return;
        };
        if starttls_disabled(&uri) {
            let finding = out
                .at(
                    SMTP_PATH,
                    format!(
                        "`{SMTP_PATH}` sets `disable_starttls=true`: StartTLS to `{}` is optional, \
                         so an attacker who strips it reads recovery and verification codes",
                        uri.host
                    ),
                )
                .severity(cleartext_severity(raw, Severity::Medium));
            if flag_set(&uri, "skip_ssl_verify") {
                finding.fix_summary(
                    "remove `disable_starttls=true` and `skip_ssl_verify=true` from the connection \
                     URI: StartTLS is then mandatory and the relay's certificate is checked",
                );
            }
        }
    }
}

/// KH411: the SMTP relay's certificate is not verified.
pub struct SmtpSkipSslVerify;

static SMTP_SKIP_SSL_VERIFY: RuleMeta = RuleMeta {
    id: "KH411",
    name: "smtp-certificate-unverified",
    threat: Threat::WeakCredentials,
    severity: Severity::High,
    title: "The SMTP relay's TLS certificate is not verified (`skip_ssl_verify=true`)",
    rationale: "`skip_ssl_verify=true` sets `InsecureSkipVerify` for both `smtp://` StartTLS and \
        `smtps://`. TLS then encrypts to whoever answers: an attacker who can \
        redirect the relay's traffic (DNS, ARP, a rogue network hop) presents any certificate, \
        receives the SMTP password and every recovery and verification mail, and takes over \
        accounts. Every Kratos quickstart ships this flag for its local MailSlurper.",
    breaks: "Sending fails until the relay presents a certificate Kratos trusts for its host name \
        (`server_name=` overrides the name checked).",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "remove `skip_ssl_verify=true` from the connection URI and give the relay a \
            trusted certificate (set `server_name=` if it is issued for another name)",
    },
    references: &[
        SMTP_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/courier/smtp.go#L62-L92",
    ],
    versions: Versions::All,
    production_only: true,
};

impl Rule for SmtpSkipSslVerify {
    fn meta(&self) -> &'static RuleMeta {
        &SMTP_SKIP_SSL_VERIFY
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(smtp_without(
            cx,
            finding,
            &["skip_ssl_verify"],
            "removing `skip_ssl_verify=true`",
        ))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some((uri, raw, _)) = smtp_uri(cx) else {
            return;
        };
        // Without StartTLS there is no certificate to verify; KH410 reports that.
        if starttls_disabled(&uri) {
            return;
        }
        if flag_set(&uri, "skip_ssl_verify") {
            out.at(
                SMTP_PATH,
                format!(
                    "`{SMTP_PATH}` sets `skip_ssl_verify=true`: Kratos accepts any certificate \
                     from `{}`, so whoever intercepts the connection receives the mail",
                    uri.host
                ),
            )
            .severity(cleartext_severity(raw, Severity::High));
        }
    }
}

/// The SMTP user and password, unless missing or a `${VAR}` reference.
fn smtp_credentials(uri: &Uri<'_>) -> Option<(String, String)> {
    let password = uri.password?;
    if is_env_reference(password) || uri.user.is_some_and(is_env_reference) {
        return None;
    }
    Some((
        percent_decode(uri.user.unwrap_or_default(), false),
        percent_decode(password, false),
    ))
}

/// KH412: placeholder or guessable SMTP credentials.
pub struct SmtpWeakCredentials;

static SMTP_WEAK_CREDENTIALS: RuleMeta = RuleMeta {
    id: "KH412",
    name: "smtp-credentials-weak",
    threat: Threat::WeakCredentials,
    severity: Severity::High,
    title: "The SMTP password is a published example or guessable",
    rationale: "The SMTP account sends mail as your domain. With a placeholder (`test:test`, \
        `foo:bar`) or short password anyone who reaches the relay logs in and sends convincing \
        phishing under the sender address your users already trust for recovery mails, or reads \
        the queue if the relay allows it.",
    breaks: "The relay's password must be changed together with the connection URI.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "set a generated SMTP password of at least 32 characters and pass the URI through \
            COURIER_SMTP_CONNECTION_URI",
    },
    references: &[
        SMTP_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2124-L2140",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for SmtpWeakCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &SMTP_WEAK_CREDENTIALS
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some((uri, _, _)) = smtp_uri(cx) else {
            return;
        };
        let Some((user, password)) = smtp_credentials(&uri) else {
            return;
        };
        let why = password_weakness(&password, &[&user, "kratos", "smtp", "mail"])
            .or_else(|| (password == user).then_some("equals the user name"));
        if let Some(why) = why {
            out.at(
                SMTP_PATH,
                format!("`{SMTP_PATH}` password for SMTP user `{user}` {why}"),
            );
        }
    }
}

/// KH413: the SMTP password is written in the config file.
pub struct SmtpInlineCredentials;

static SMTP_INLINE_CREDENTIALS: RuleMeta = RuleMeta {
    id: "KH413",
    name: "smtp-credentials-inline",
    threat: Threat::WeakCredentials,
    severity: Severity::Medium,
    title: "The SMTP password is written in the config file",
    rationale: "A password in `courier.smtp.connection_uri` leaks with every copy of the config \
        file (git history, images, tickets) and lets anyone send mail as your domain. Kratos reads \
        the whole URI from COURIER_SMTP_CONNECTION_URI, which a secret store can fill.",
    breaks: "Kratos (and the courier worker, if separate) need the variable before the key is \
        removed from the file.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "delete the URI from the file and set COURIER_SMTP_CONNECTION_URI from a secret \
            store",
    },
    references: &[
        CONFIGURING_DOC,
        SMTP_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2124-L2140",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for SmtpInlineCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &SMTP_INLINE_CREDENTIALS
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some((uri, raw, node)) = smtp_uri(cx) else {
            return;
        };
        if !cx.deployment.in_config_file(node) {
            return;
        }
        if smtp_credentials(&uri).is_some_and(|(_, p)| !p.is_empty()) {
            out.at(
                SMTP_PATH,
                format!(
                    "`{SMTP_PATH}` ({}) holds the SMTP password inline in {}; set \
                     COURIER_SMTP_CONNECTION_URI from a secret store instead",
                    mask_credentials(raw),
                    file_of(cx, node)
                ),
            );
        }
    }
}

/// The HTTP courier request configs Kratos actually uses: `(path, config node)`.
pub(super) fn courier_request_configs<'a>(cx: &Context<'a>) -> Vec<(String, &'a Node)> {
    let mut configs = Vec::new();
    if cx.str("courier.delivery_strategy") == Some("http")
        && let Some(config) = cx.get("courier.http.request_config")
    {
        configs.push(("courier.http.request_config".to_owned(), config));
    }
    if let Some(channels) = cx.get("courier.channels") {
        for (i, channel) in channels.items().iter().enumerate() {
            if let Some(config) = channel.get("request_config") {
                configs.push((format!("courier.channels.{i}.request_config"), config));
            }
        }
    }
    if cx.bool("courier.sms.enabled") == Some(true)
        && let Some(config) = cx.get("courier.sms.request_config")
    {
        configs.push(("courier.sms.request_config".to_owned(), config));
    }
    configs
}

/// What a courier request-config URL points at, for fix texts.
fn courier_endpoint(path: &str) -> &'static str {
    if path.rsplit('.').next() == Some("body") {
        "the template's server"
    } else {
        "the provider endpoint"
    }
}

/// KH414: an HTTP mail/SMS channel over plain http.
pub struct CourierHttpInsecure;

static COURIER_HTTP_INSECURE: RuleMeta = RuleMeta {
    id: "KH414",
    name: "courier-http-not-https",
    threat: Threat::WeakCredentials,
    severity: Severity::High,
    title: "An HTTP mail or SMS channel, or a message template, uses plain http",
    rationale: "HTTP courier channels post every message (recovery, verification and login codes \
        and links) and the channel's `auth` credential to the provider URL. The schema allows \
        `http://`; over it anyone on the path reads the codes and takes over accounts, or \
        rewrites a Jsonnet `body` template fetched over http to send the codes elsewhere. Mail \
        and SMS templates (`courier.templates`) fetched over http are the same: whoever \
        rewrites the recovery template decides where its link or code points.",
    breaks: "The provider endpoint must serve https with a trusted certificate.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "change the URL to https://",
    },
    references: &[
        SMS_DOC,
        SMTP_DOC,
        "https://www.ory.sh/docs/kratos/emails-sms/custom-email-templates",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L136-L200",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1073-L1160",
    ],
    versions: Versions::All,
    production_only: true,
};

impl Rule for CourierHttpInsecure {
    fn meta(&self) -> &'static RuleMeta {
        &COURIER_HTTP_INSECURE
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(https_fix(cx, finding, courier_endpoint(&finding.path)))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (path, config) in courier_request_configs(cx) {
            for (key, what) in [
                ("url", "sends messages, codes included,"),
                ("body", "loads the message template"),
            ] {
                let Some(url) = config.get(key).and_then(Node::as_str) else {
                    continue;
                };
                if is_plain_http(url) && !is_env_reference(url) {
                    let at = format!("{path}.{key}");
                    out.at(&at, format!("`{at}` {what} over plain http"))
                        .severity(cleartext_severity(url, Severity::High))
                        .fix_summary(
                            https_fix_summary(url, courier_endpoint(&at))
                                + if key == "body" {
                                    "; a `file://` or `base64://` template avoids the fetch \
                                     altogether"
                                } else {
                                    ""
                                },
                        );
                }
            }
        }
        if let Some(templates) = cx.get("courier.templates") {
            plain_http_templates(templates, "courier.templates", out);
        }
    }
}

/// Every string under `courier.templates` (subjects and bodies of each message, valid and
/// invalid) that is a plain-http URL: the template is fetched from there.
fn plain_http_templates(node: &Node, path: &str, out: &mut Sink<'_>) {
    for entry in node.entries() {
        let at = format!("{path}.{}", entry.key);
        match entry.node.as_str() {
            Some(url) if is_plain_http(url) && !is_env_reference(url) => {
                out.at(
                    &at,
                    format!("`{at}` is fetched over plain http: anyone on the path can rewrite it"),
                )
                .severity(cleartext_severity(url, Severity::High))
                .fix_summary(
                    "serve the template over https, or ship it as a `file://` or `base64://` \
                     template",
                )
                .applicability(Applicability::Manual, None);
            }
            Some(_) => {}
            None => plain_http_templates(&entry.node, &at, out),
        }
    }
}

/// KH415: an HTTP mail/SMS channel without authentication.
pub struct CourierHttpNoAuth;

static COURIER_HTTP_NO_AUTH: RuleMeta = RuleMeta {
    id: "KH415",
    name: "courier-http-without-auth",
    threat: Threat::WeakCredentials,
    severity: Severity::Medium,
    title: "An HTTP mail or SMS channel sends no credentials",
    rationale: "A request config without `auth` (and without a credential header) means the \
        endpoint accepts unauthenticated requests: anyone who reaches it sends mail or SMS in your \
        name and at your cost, and nothing stops a spoofed endpoint from being mistaken for the \
        real one by the relay's own logs.",
    breaks: "The endpoint must be configured to require the new credential at the same time.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "add `auth` (`api_key` or `basic_auth`) to the request config, with the \
            credential supplied from the environment",
    },
    references: &[
        SMS_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L136-L200",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for CourierHttpNoAuth {
    fn meta(&self) -> &'static RuleMeta {
        &COURIER_HTTP_NO_AUTH
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (path, config) in courier_request_configs(cx) {
            if config.get("auth").is_none() && !has_auth_header(config) {
                let at = format!("{path}.auth");
                out.missing(
                    &at,
                    format!(
                        "`{path}` has no `auth`: its endpoint accepts messages from anyone who \
                         can reach it"
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::SecretsTo;
    use crate::secret::OsSecrets;

    fn plans(rule: &dyn Rule, uri: &str) -> Vec<FixPlan> {
        let config = format!("courier:\n  smtp:\n    connection_uri: '{uri}'\n");
        let d =
            crate::config::Deployment::from_texts(vec![("k.yml".into(), "k.yml".into(), config)])
                .expect("loads");
        let cx = Context::new(&d, crate::rules::Profile::Production, None);
        let mut findings = Vec::new();
        rule.check(&cx, &mut Sink::new(&cx, rule.meta(), &mut findings));
        let mut rng = OsSecrets;
        let mut env = FixEnv::new(&mut rng, SecretsTo::Inline);
        findings
            .iter()
            .map(|f| rule.fix(&cx, f, &mut env).expect("no secrets needed"))
            .collect()
    }

    #[test]
    fn loopback_relay_is_manual_and_masked() {
        for (rule, uri) in [
            (
                &SmtpStarttlsDisabled as &dyn Rule,
                "smtp://kratos:Tr0ub4dor-3@localhost:25/?disable_starttls=true",
            ),
            (
                &SmtpSkipSslVerify,
                "smtps://kratos:Tr0ub4dor-3@127.0.0.1:465/?skip_ssl_verify=true",
            ),
        ] {
            let found = plans(rule, uri);
            assert!(
                matches!(found.as_slice(), [FixPlan::Manual(_)]),
                "{found:?}"
            );
            if let [FixPlan::Manual(why)] = found.as_slice() {
                assert!(!why.contains("Tr0ub4dor"), "{why}");
                assert!(why.contains("kratos:****@"), "{why}");
            }
        }
    }

    #[test]
    fn starttls_fix_also_restores_certificate_checks() {
        let found = plans(
            &SmtpStarttlsDisabled,
            "smtp://u:p%26w@relay.example.com:587/?skip_ssl_verify=true&disable_starttls=true&x=1",
        );
        assert!(matches!(found.as_slice(), [FixPlan::Ops(_)]), "{found:?}");
        if let [FixPlan::Ops(ops)] = found.as_slice() {
            assert_eq!(
                ops.as_slice(),
                [set(
                    SMTP_PATH,
                    Value::from("smtp://u:p%26w@relay.example.com:587/?x=1")
                )]
            );
        }
    }
}
