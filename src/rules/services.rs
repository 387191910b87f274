//! Weak credentials and unprotected connections to the services Kratos talks to: the database
//! (`dsn`), the SMTP relay (`courier.smtp.connection_uri`) and HTTP mail/SMS channels
//! (kratos-hardening.md §1.11, §1.12, §4). Also owns the two helpers the web hook rules share:
//! the severity of a cleartext hop and the test for credential-carrying headers.

use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::node::Node;
use crate::kratos::credential::{is_env_reference, password_weakness};
use crate::kratos::uri::{Uri, is_loopback_host, is_plain_http, mask_credentials};

const PRODUCTION_DOC: &str = "https://www.ory.sh/docs/kratos/guides/production";
const SMTP_DOC: &str = "https://www.ory.sh/docs/kratos/emails-sms/sending-emails-smtp";
const SMS_DOC: &str = "https://www.ory.sh/docs/kratos/emails-sms/sending-sms";
const CONFIGURING_DOC: &str = "https://www.ory.sh/docs/kratos/configuring";
const SMTP_PATH: &str = "courier.smtp.connection_uri";

/// Go's `strconv.ParseBool` truth values (Kratos parses `skip_ssl_verify` and
/// `disable_starttls` with it and ignores errors, so anything else is false).
fn go_true(value: &str) -> bool {
    matches!(value, "1" | "t" | "T" | "TRUE" | "true" | "True")
}

/// Percent-decodes `%XX` (and `+` as space when `query` is set), as Go's `net/url` does.
fn percent_decode(text: &str, query: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) if query => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A query parameter as Go's `url.Query().Get` reads it: exact key, first value, decoded.
fn go_query(uri: &Uri<'_>, key: &str) -> Option<String> {
    uri.query?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(k, true) == key).then(|| percent_decode(v, true))
    })
}

/// The severity of a plain-http (or cleartext) hop: `default`, or Low when it never leaves
/// the host (loopback).
pub(super) fn cleartext_severity(url: &str, default: Severity) -> Severity {
    match Uri::parse(url) {
        Some(uri) if is_loopback_host(uri.host) => Severity::Low,
        _ => default,
    }
}

/// True when static `headers` already carry a credential (`Authorization`, `X-API-Key`, …).
pub(super) fn has_auth_header(config: &Node) -> bool {
    config.get("headers").is_some_and(|headers| {
        headers.entries().iter().any(|e| {
            let name = e.key.to_ascii_lowercase().replace('_', "-");
            name.contains("authorization")
                || ["api-key", "apikey", "token", "secret", "x-auth"]
                    .iter()
                    .any(|w| name.contains(w))
        })
    })
}

/// The file a node was written in, as shown to the user.
fn file_of(cx: &Context<'_>, node: &Node) -> String {
    cx.deployment.source(node.pos.file).display.clone()
}

/// The database family a DSN selects (pop's scheme synonyms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Driver {
    Memory,
    Sqlite,
    Postgres,
    Mysql,
    Other,
}

/// The `dsn` as the rules need it.
struct Dsn<'a> {
    raw: &'a str,
    driver: Driver,
    uri: Option<Uri<'a>>,
    node: &'a Node,
}

impl Dsn<'_> {
    /// The user, from the authority or (the Postgres family) the `user` parameter.
    fn user(&self) -> Option<String> {
        let uri = self.uri.as_ref()?;
        match uri.user.filter(|u| !u.is_empty()) {
            Some(user) => Some(percent_decode(user, false)),
            None if self.driver == Driver::Postgres => go_query(uri, "user"),
            None => None,
        }
    }

    /// The password as the driver sees it: pgx decodes the URL, go-sql-driver does not.
    fn password(&self) -> Option<String> {
        let uri = self.uri.as_ref()?;
        match uri.password {
            Some(p) if self.driver == Driver::Postgres => Some(percent_decode(p, false)),
            Some(p) => Some(p.to_owned()),
            None if self.driver == Driver::Postgres => go_query(uri, "password"),
            None => None,
        }
    }

    /// True when the raw password text is a `${VAR}` reference (judged by KH211).
    fn password_is_env_reference(&self) -> bool {
        self.uri
            .as_ref()
            .and_then(|u| u.password)
            .is_some_and(is_env_reference)
            || self.password().is_some_and(|p| is_env_reference(&p))
    }

    /// True for a unix socket or loopback connection, where TLS protects nothing.
    fn is_local(&self) -> bool {
        let Some(uri) = &self.uri else {
            return true;
        };
        let socket_param = go_query(uri, "host").is_some_and(|h| h.starts_with('/'));
        self.raw.contains("@unix(")
            || uri.host.is_empty()
            || uri.host.starts_with('/')
            || uri.host.to_ascii_lowercase().starts_with("%2f")
            || socket_param
            || is_loopback_host(uri.host)
    }
}

/// The configured DSN, unless it is missing or a whole `${VAR}`.
fn dsn<'a>(cx: &Context<'a>) -> Option<Dsn<'a>> {
    let node = cx.get("dsn")?;
    let raw = node.as_str()?.trim();
    if raw.eq_ignore_ascii_case("memory") {
        return Some(Dsn {
            raw,
            driver: Driver::Memory,
            uri: None,
            node,
        });
    }
    let uri = Uri::parse(raw)?;
    let driver = match uri.scheme.to_ascii_lowercase().as_str() {
        "sqlite" | "sqlite3" => Driver::Sqlite,
        "postgres" | "postgresql" | "pg" | "cockroach" | "cockroachdb" | "crdb" => Driver::Postgres,
        "mysql" => Driver::Mysql,
        _ => Driver::Other,
    };
    Some(Dsn {
        raw,
        driver,
        uri: Some(uri),
        node,
    })
}

/// KH401: `dsn: memory` or an `sqlite://` file.
pub struct DsnInMemory;

static DSN_IN_MEMORY: RuleMeta = RuleMeta {
    id: "KH401",
    name: "dsn-in-memory-or-sqlite",
    threat: Threat::WeakCredentials,
    severity: Severity::High,
    title: "The database is in memory or SQLite",
    rationale: "`dsn: memory` is an in-process SQLite database: every restart deletes all \
        identities, credentials and sessions, and every replica has its own users. A SQLite file \
        cannot be shared between replicas and has no access control or encrypted transport of its \
        own; Ory's production guide says not to use SQLite in production. Deployments copied from \
        the quickstart keep it by accident and lose their users on the next rollout.",
    breaks: "Existing identities in the SQLite file must be migrated (`kratos migrate sql` on the \
        new database, then an export/import of identities).",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "point `dsn` (from the environment) at PostgreSQL, MySQL or CockroachDB and run \
            `kratos migrate sql -e --yes`",
    },
    references: &[PRODUCTION_DOC, "kratos-hardening.md §1.12"],
    versions: Versions::All,
    production_only: true,
};

impl Rule for DsnInMemory {
    fn meta(&self) -> &'static RuleMeta {
        &DSN_IN_MEMORY
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(dsn) = dsn(cx) else {
            return;
        };
        let in_memory = dsn.driver == Driver::Memory
            || (dsn.driver == Driver::Sqlite && dsn.raw.contains(":memory:"));
        if in_memory {
            out.at(
                "dsn",
                "`dsn` keeps identities and sessions in process memory: every restart deletes \
                 all users and every replica has its own",
            );
        } else if dsn.driver == Driver::Sqlite {
            out.at(
                "dsn",
                "`dsn` uses a SQLite file, which replicas cannot share and Ory says not to use in \
                 production",
            );
        }
    }
}

/// KH402: an empty, published or guessable database password.
pub struct DsnWeakPassword;

static DSN_WEAK_PASSWORD: RuleMeta = RuleMeta {
    id: "KH402",
    name: "dsn-password-weak",
    threat: Threat::WeakCredentials,
    severity: Severity::High,
    title: "The database password is empty, a published example or guessable",
    rationale: "The Kratos database holds every identity, password hash, session token and \
        recovery code HMAC. Quickstart DSNs (`kratos:secret`, `root:secret`, \
        `postgres:postgres`, `cockroach://root@` without a password) are public, and short \
        passwords fall to online guessing by anyone who can reach the database port, for example \
        from another compromised container in the same network. With the database an attacker \
        signs in as anyone by inserting a session.",
    breaks: "The DSN must be updated everywhere at the same time as the database password \
        (Kratos, `kratos migrate`, `kratos cleanup`).",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "give the database user a generated password of at least 32 characters and pass \
            the DSN through the DSN environment variable",
    },
    references: &[PRODUCTION_DOC, "kratos-hardening.md §4"],
    versions: Versions::All,
    production_only: false,
};

impl Rule for DsnWeakPassword {
    fn meta(&self) -> &'static RuleMeta {
        &DSN_WEAK_PASSWORD
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(dsn) = dsn(cx) else {
            return;
        };
        if !matches!(dsn.driver, Driver::Postgres | Driver::Mysql | Driver::Other) {
            return;
        }
        // Without a user the credentials come from elsewhere (PGUSER, a service file).
        let Some(user) = dsn.user() else {
            return;
        };
        if dsn.password_is_env_reference() {
            return;
        }
        let Some(password) = dsn.password() else {
            let uri = dsn.uri.as_ref();
            let client_cert = uri.is_some_and(|u| go_query(u, "sslcert").is_some());
            if !client_cert && !dsn.is_local() {
                let unless = if dsn.driver == Driver::Postgres {
                    "unless PGPASSWORD or a password file supplies one, "
                } else {
                    ""
                };
                out.at(
                    "dsn",
                    format!(
                        "`dsn` signs in as `{user}` without a password or client certificate: \
                         {unless}the database accepts anyone who can reach it"
                    ),
                );
            }
            return;
        };
        if let Some(why) = password_weakness(&password, &[&user, "kratos"]) {
            out.at(
                "dsn",
                format!("`dsn` password for database user `{user}` {why}"),
            );
        }
    }
}

/// KH403: the DSN connects as a database superuser.
pub struct DsnSuperuser;

static DSN_SUPERUSER: RuleMeta = RuleMeta {
    id: "KH403",
    name: "dsn-superuser",
    threat: Threat::WeakCredentials,
    severity: Severity::Medium,
    title: "Kratos connects to the database as a superuser",
    rationale: "`postgres`, `root`, `admin` and `sa` are the administrative accounts of their \
        servers. If the DSN leaks (config file, environment dump, logs) or Kratos is compromised, \
        the attacker owns every database on the server rather than Kratos's own schema, can read \
        other applications' data and, on PostgreSQL, run programs with `COPY … PROGRAM`.",
    breaks: "The dedicated user needs ownership of the Kratos database so `kratos migrate sql` \
        can create and alter tables.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "create a dedicated `kratos` database user that owns only the Kratos database \
            and use it in the DSN",
    },
    references: &[PRODUCTION_DOC, "kratos-hardening.md §4"],
    versions: Versions::All,
    production_only: false,
};

impl Rule for DsnSuperuser {
    fn meta(&self) -> &'static RuleMeta {
        &DSN_SUPERUSER
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(dsn) = dsn(cx) else {
            return;
        };
        let Some(user) = dsn.user() else {
            return;
        };
        let lower = user.to_ascii_lowercase();
        if ["postgres", "root", "admin", "sa", "mysql"].contains(&lower.as_str()) {
            out.at(
                "dsn",
                format!(
                    "`dsn` connects as `{user}`, an administrative account that controls the whole \
                     database server"
                ),
            );
        }
    }
}

/// KH404: the database connection is not TLS with a verified server certificate.
pub struct DsnTlsUnverified;

static DSN_TLS_UNVERIFIED: RuleMeta = RuleMeta {
    id: "KH404",
    name: "dsn-tls-unverified",
    threat: Threat::WeakCredentials,
    severity: Severity::High,
    title: "The database connection does not verify the server's TLS certificate",
    rationale: "pgx (PostgreSQL, CockroachDB) defaults to `sslmode=prefer`, which tries TLS, never \
        checks the certificate and silently falls back to cleartext; `disable` and `allow` are \
        cleartext, `require` encrypts but accepts any certificate. go-sql-driver/mysql uses no TLS \
        unless `tls=` is set. Anyone on the network path (another pod, a compromised switch, a \
        cloud neighbour with ARP or DNS tricks) reads the database password, password hashes and \
        session tokens, or impersonates the database. Only `verify-ca`/`verify-full` and MySQL \
        `tls=true` authenticate the server.",
    breaks: "Kratos must trust the database's CA (`sslrootcert=`), and the certificate must name \
        the host used in the DSN for `verify-full`; otherwise Kratos cannot connect.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "add `sslmode=verify-full` and `sslrootcert=<CA file>` to the DSN (MySQL: \
            `tls=true`)",
    },
    references: &[
        PRODUCTION_DOC,
        "https://www.postgresql.org/docs/current/libpq-ssl.html",
        "kratos-hardening.md §4",
    ],
    versions: Versions::All,
    production_only: true,
};

/// What is wrong with a PostgreSQL-family DSN's TLS, if anything.
fn postgres_tls_problem(uri: &Uri<'_>) -> Option<(String, Severity)> {
    let root_cert = go_query(uri, "sslrootcert").is_some_and(|c| !c.is_empty());
    match go_query(uri, "sslmode").as_deref() {
        None => Some((
            "has no `sslmode`, so pgx uses `prefer`: TLS without certificate checks and a silent \
             fallback to cleartext"
                .to_owned(),
            Severity::High,
        )),
        Some("disable") => Some((
            "sets `sslmode=disable`: passwords, hashes and session tokens cross the network in \
             cleartext"
                .to_owned(),
            Severity::High,
        )),
        Some(mode @ ("allow" | "prefer")) => Some((
            format!(
                "sets `sslmode={mode}`: TLS is optional and the server certificate is never \
                 checked, so an attacker in the path downgrades or impersonates the database"
            ),
            Severity::High,
        )),
        // pgx, like libpq, verifies the CA for `require` once a root certificate is given.
        Some("require") if !root_cert => Some((
            "sets `sslmode=require`: the connection is encrypted but any certificate is \
             accepted, so an attacker in the path can impersonate the database"
                .to_owned(),
            Severity::Medium,
        )),
        _ => None,
    }
}

/// What is wrong with a `mysql://` DSN's TLS, if anything.
fn mysql_tls_problem(uri: &Uri<'_>) -> Option<(String, Severity)> {
    match go_query(uri, "tls").as_deref() {
        None | Some("false") => Some((
            "has no `tls=true`, so go-sql-driver/mysql talks to the server in cleartext".to_owned(),
            Severity::High,
        )),
        Some("preferred") => Some((
            "sets `tls=preferred`: TLS is optional and unverified".to_owned(),
            Severity::High,
        )),
        Some("skip-verify") => Some((
            "sets `tls=skip-verify`: the connection is encrypted but any certificate is accepted"
                .to_owned(),
            Severity::Medium,
        )),
        _ => None,
    }
}

impl Rule for DsnTlsUnverified {
    fn meta(&self) -> &'static RuleMeta {
        &DSN_TLS_UNVERIFIED
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(dsn) = dsn(cx) else {
            return;
        };
        let Some(uri) = &dsn.uri else {
            return;
        };
        if dsn.is_local() {
            return;
        }
        let (problem, fix) = match dsn.driver {
            Driver::Postgres => (
                postgres_tls_problem(uri),
                "add `sslmode=verify-full` and `sslrootcert=<CA file>` to the DSN",
            ),
            Driver::Mysql => (mysql_tls_problem(uri), "add `tls=true` to the DSN"),
            _ => (None, ""),
        };
        if let Some((why, severity)) = problem {
            out.at("dsn", format!("`dsn` to `{}` {why}", uri.host))
                .severity(severity)
                .fix_summary(fix);
        }
    }
}

/// KH405: the database password is written in the config file.
pub struct DsnInlineCredentials;

static DSN_INLINE_CREDENTIALS: RuleMeta = RuleMeta {
    id: "KH405",
    name: "dsn-credentials-inline",
    threat: Threat::WeakCredentials,
    severity: Severity::Medium,
    title: "The database password is written in the config file",
    rationale: "Config files are committed, baked into images and pasted into tickets; a password \
        in the DSN leaks with them (corpus 09 and 10 committed theirs to git). Kratos reads the \
        DSN from the `DSN` environment variable, which a secret store can fill and rotate without \
        a commit.",
    breaks: "Kratos, `kratos migrate` and `kratos cleanup` all need the DSN variable set before \
        the key is removed from the file.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "delete `dsn` from the file and set the DSN environment variable from a secret \
            store",
    },
    references: &[CONFIGURING_DOC, PRODUCTION_DOC, "kratos-hardening.md §1.12"],
    versions: Versions::All,
    production_only: false,
};

impl Rule for DsnInlineCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &DSN_INLINE_CREDENTIALS
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(dsn) = dsn(cx) else {
            return;
        };
        if dsn.password_is_env_reference() {
            return;
        }
        if dsn.password().is_some_and(|p| !p.is_empty()) {
            out.at(
                "dsn",
                format!(
                    "`dsn` holds the database password inline in {}; set the DSN environment \
                     variable from a secret store instead",
                    file_of(cx, dsn.node)
                ),
            );
        }
    }
}

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

/// KH410: cleartext SMTP.
pub struct SmtpStarttlsDisabled;

static SMTP_STARTTLS_DISABLED: RuleMeta = RuleMeta {
    id: "KH410",
    name: "smtp-starttls-disabled",
    threat: Threat::WeakCredentials,
    severity: Severity::High,
    title: "Mail is sent to the SMTP relay in cleartext (`disable_starttls=true`)",
    rationale: "For `smtp://` Kratos enforces StartTLS unless `disable_starttls=true` \
        (K:courier/smtp.go). With it set, the SMTP password and every message cross the network in \
        cleartext: recovery and verification codes and links, login codes. Anyone on the path \
        reads them and takes over accounts through the recovery flow.",
    breaks: "The relay must offer StartTLS with a certificate Kratos trusts (or use `smtps://` on \
        its implicit-TLS port); local test relays such as MailHog do not.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "remove `disable_starttls=true` from the connection URI (StartTLS is then \
            mandatory) or switch to `smtps://`",
    },
    references: &[
        SMTP_DOC,
        "https://github.com/ory/kratos/pull/1831",
        "kratos-hardening.md §4",
    ],
    versions: Versions::All,
    production_only: true,
};

impl Rule for SmtpStarttlsDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &SMTP_STARTTLS_DISABLED
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some((uri, raw, _)) = smtp_uri(cx) else {
            return;
        };
        if starttls_disabled(&uri) {
            out.at(
                SMTP_PATH,
                format!(
                    "`{SMTP_PATH}` sets `disable_starttls=true`: recovery and verification codes \
                     go to `{}` in cleartext",
                    uri.host
                ),
            )
            .severity(cleartext_severity(raw, Severity::High));
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
        `smtps://` (K:courier/smtp.go). TLS then encrypts to whoever answers: an attacker who can \
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
    references: &[SMTP_DOC, "kratos-hardening.md §4"],
    versions: Versions::All,
    production_only: true,
};

impl Rule for SmtpSkipSslVerify {
    fn meta(&self) -> &'static RuleMeta {
        &SMTP_SKIP_SSL_VERIFY
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some((uri, raw, _)) = smtp_uri(cx) else {
            return;
        };
        // Without StartTLS there is no certificate to verify; KH410 reports that.
        if starttls_disabled(&uri) {
            return;
        }
        if go_query(&uri, "skip_ssl_verify").is_some_and(|v| go_true(&v)) {
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
    references: &[SMTP_DOC, "kratos-hardening.md §6"],
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
    references: &[CONFIGURING_DOC, SMTP_DOC, "kratos-hardening.md §1.11"],
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
fn courier_request_configs<'a>(cx: &Context<'a>) -> Vec<(String, &'a Node)> {
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

/// KH414: an HTTP mail/SMS channel over plain http.
pub struct CourierHttpInsecure;

static COURIER_HTTP_INSECURE: RuleMeta = RuleMeta {
    id: "KH414",
    name: "courier-http-not-https",
    threat: Threat::WeakCredentials,
    severity: Severity::High,
    title: "An HTTP mail or SMS channel uses plain http",
    rationale: "HTTP courier channels post every message (recovery, verification and login codes \
        and links) and the channel's `auth` credential to the provider URL. The schema allows \
        `http://`; over it anyone on the path reads the codes and takes over accounts, or \
        rewrites a Jsonnet `body` template fetched over http to send the codes elsewhere.",
    breaks: "The provider endpoint must serve https with a trusted certificate.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "change the URL to https://",
    },
    references: &[SMS_DOC, SMTP_DOC, "kratos-hardening.md §4"],
    versions: Versions::All,
    production_only: true,
};

impl Rule for CourierHttpInsecure {
    fn meta(&self) -> &'static RuleMeta {
        &COURIER_HTTP_INSECURE
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
                        .severity(cleartext_severity(url, Severity::High));
                }
            }
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
        "kratos-hardening.md §1.11",
        "kratos-hardening.md §4",
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

    #[test]
    fn go_booleans_and_queries() {
        assert!(go_true("True") && go_true("1") && !go_true("yes"));
        let uri = Uri::parse("smtp://u:p%21@h:25/?disable_starttls=TRUE&Skip_SSL_Verify=true")
            .expect("parses");
        assert_eq!(go_query(&uri, "disable_starttls").as_deref(), Some("TRUE"));
        assert_eq!(go_query(&uri, "skip_ssl_verify"), None);
        assert_eq!(percent_decode("p%21ss+x", false), "p!ss+x");
        assert_eq!(percent_decode("a+b%2", true), "a b%2");
    }

    #[test]
    fn loopback_lowers_cleartext() {
        assert_eq!(
            cleartext_severity("http://127.0.0.1:4459/h", Severity::High),
            Severity::Low
        );
        assert_eq!(
            cleartext_severity("http://hooks.internal/h", Severity::High),
            Severity::High
        );
    }

    #[test]
    fn password_and_user_decoding() {
        let d = crate::config::Deployment::from_texts(vec![(
            "k.yml".into(),
            "k.yml".into(),
            "dsn: postgres://kratos:Change%21Me@db/kratos?sslmode=verify-full\n".into(),
        )])
        .expect("loads");
        let cx = Context::new(&d, crate::rules::Profile::Production, None);
        let dsn = dsn(&cx).expect("dsn");
        assert_eq!(dsn.driver, Driver::Postgres);
        assert_eq!(dsn.user().as_deref(), Some("kratos"));
        assert_eq!(dsn.password().as_deref(), Some("Change!Me"));
    }
}
