//! Weak credentials of, and unverified connections to, the database Kratos stores everything
//! in (`dsn`): in-memory/SQLite in production, weak or superuser accounts, TLS that does not
//! authenticate the server, and passwords kept in the file.

use serde_json::Value;

use super::support::file_of;
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::node::Node;
use crate::finding::Finding;
use crate::fix::{FixEnv, FixPlan, FixResult, set};
use crate::kratos::credential::{is_env_reference, password_weakness};
use crate::kratos::uri::{Uri, go_query, is_loopback_host, percent_decode};

const PRODUCTION_DOC: &str = "https://www.ory.sh/docs/kratos/guides/production";
const CONFIGURING_DOC: &str = "https://www.ory.sh/docs/kratos/configuring";

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
    references: &[
        PRODUCTION_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L53",
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L645-L659",
    ],
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
        recovery code HMAC. The quickstarts' DSNs (`kratos:secret`, `root:secret`, \
        `cockroach://root@` without a password) and tutorial ones such as `postgres:postgres` \
        are public, and short \
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
    references: &[
        PRODUCTION_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/quickstart-postgres.yml#L10",
        "https://github.com/ory/kratos/blob/v1.3.1/quickstart-mysql.yml#L10",
        "https://github.com/ory/kratos/blob/v1.3.1/quickstart-crdb.yml#L10",
    ],
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
        // The database and host names are what such passwords are usually made of.
        let uri = dsn.uri.as_ref();
        let database = uri.map_or("", |u| u.path.trim_start_matches('/'));
        let host = uri.map_or("", |u| u.host.split('.').next().unwrap_or(""));
        if let Some(why) = password_weakness(&password, &[&user, "kratos", database, host]) {
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
    references: &[
        PRODUCTION_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/quickstart-mysql.yml#L10",
        "https://github.com/ory/kratos/blob/v1.3.1/quickstart-crdb.yml#L10",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2003-L2013",
    ],
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
        "https://github.com/ory/kratos/blob/v1.3.1/go.mod#L116",
        "https://github.com/ory/kratos/blob/v1.3.1/go.mod#L170",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2003-L2013",
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

/// The query parameter that makes a driver verify the server: pgx's `sslmode=verify-full`
/// (certificate chain and host name), go-sql-driver/mysql's `tls=true` (the same).
fn verifying_param(driver: Driver) -> Option<(&'static str, &'static str)> {
    match driver {
        Driver::Postgres => Some(("sslmode", "verify-full")),
        Driver::Mysql => Some(("tls", "true")),
        _ => None,
    }
}

/// What the KH404 fix sets and what the operator must still check, per driver.
fn tls_fix_summary(driver: Driver, uri: &Uri<'_>) -> &'static str {
    let root_cert = go_query(uri, "sslrootcert").is_some_and(|c| !c.is_empty());
    match driver {
        Driver::Postgres if root_cert => {
            "set `sslmode=verify-full` in the DSN: pgx then checks the server certificate against \
             the `sslrootcert` CA and the host name in the DSN"
        }
        Driver::Postgres => {
            "set `sslmode=verify-full` in the DSN: pgx then checks the server certificate and host \
             name against the system CA pool; if the database's CA is private (managed cloud \
             databases, self-signed) also add `sslrootcert=<CA file>` or Kratos cannot connect"
        }
        _ => {
            "set `tls=true` in the DSN: go-sql-driver/mysql then checks the server certificate \
             and host name against the system CA pool; for a private CA add it to that pool \
             (`SSL_CERT_FILE`/`SSL_CERT_DIR`) or Kratos cannot connect"
        }
    }
}

impl Rule for DsnTlsUnverified {
    fn meta(&self) -> &'static RuleMeta {
        &DSN_TLS_UNVERIFIED
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        let Some(dsn) = dsn(cx) else {
            return Ok(FixPlan::Manual(
                "`dsn` is not a URL this tool can edit".to_owned(),
            ));
        };
        let Some((key, value)) = verifying_param(dsn.driver) else {
            return Ok(FixPlan::Manual(
                "only PostgreSQL, CockroachDB and MySQL DSNs are edited automatically".to_owned(),
            ));
        };
        match with_query_param(dsn.raw, key, Some(value)) {
            Some(fixed) if fixed != dsn.raw => {
                Ok(FixPlan::Ops(vec![set(&finding.path, Value::from(fixed))]))
            }
            _ => Ok(FixPlan::Manual(format!(
                "set `{key}={value}` in `dsn` by hand"
            ))),
        }
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
        let problem = match dsn.driver {
            Driver::Postgres => postgres_tls_problem(uri),
            Driver::Mysql => mysql_tls_problem(uri),
            _ => None,
        };
        let fix = tls_fix_summary(dsn.driver, uri);
        if let Some((why, severity)) = problem {
            out.at("dsn", format!("`dsn` to `{}` {why}", uri.host))
                .severity(severity)
                .fix_summary(fix);
        }
    }
}

/// The text of a URL or DSN with one query parameter set (`Some(value)`) or removed (`None`),
/// everything else byte for byte as written: scheme, user, password, host, path, the other
/// parameters and their order, a fragment.
///
/// The query is found as Go's `net/url` (and [`Uri::parse`]) finds it: from the first `?` after
/// `scheme://` to the first `#`. A parameter is matched the way `url.Query().Get` reads it:
/// by its percent-decoded key, case-sensitively. Setting rewrites the first occurrence in place
/// (keeping its key spelling) and appends the parameter when it is missing; both setting and
/// removing drop every other occurrence, so no reader sees the old value. A query left empty
/// loses its `?`. Values are written as given (callers pass plain tokens such as
/// `verify-full`). `None` when the text is not a `scheme://` URL or the edit would not read
/// back as intended.
pub(super) fn with_query_param(text: &str, key: &str, value: Option<&str>) -> Option<String> {
    let start = text.find("://")? + "://".len();
    let end = text[start..].find('#').map_or(text.len(), |i| start + i);
    let end = start + text[start..end].trim_end().len();
    let (head, query) = match text[start..end].find('?') {
        Some(q) => (&text[..start + q], &text[start + q + 1..end]),
        None => (&text[..end], ""),
    };
    let tail = &text[end..];
    let mut pairs: Vec<String> = Vec::new();
    let mut found = false;
    let mut written = false;
    for pair in query.split('&').filter(|_| !query.is_empty()) {
        let raw_key = pair.split_once('=').map_or(pair, |(k, _)| k);
        if percent_decode(raw_key, true) != key {
            pairs.push(pair.to_owned());
            continue;
        }
        found = true;
        if let Some(value) = value.filter(|_| !written) {
            pairs.push(format!("{raw_key}={value}"));
            written = true;
        }
    }
    if value.is_none() && !found {
        return Some(text.to_owned());
    }
    if let Some(value) = value.filter(|_| !written) {
        pairs.push(format!("{key}={value}"));
    }
    let query = if pairs.iter().all(String::is_empty) {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    };
    let edited = format!("{head}{query}{tail}");
    // The edit must read back as intended: same connection, the parameter as asked.
    let (before, after) = (Uri::parse(text)?, Uri::parse(&edited)?);
    let same = (
        before.scheme,
        before.user,
        before.password,
        before.host,
        before.port,
        before.path,
    ) == (
        after.scheme,
        after.user,
        after.password,
        after.host,
        after.port,
        after.path,
    );
    (same && go_query(&after, key).as_deref() == value).then_some(edited)
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
    references: &[
        CONFIGURING_DOC,
        PRODUCTION_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L645-L659",
        "https://github.com/ory/x/blob/v0.0.660/configx/koanf_env.go#L94-L95",
    ],
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
        if dsn.password_is_env_reference() || !cx.deployment.in_config_file(dsn.node) {
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

#[cfg(test)]
mod tests {
    use super::*;

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

    fn set_param(text: &str, key: &str, value: &str) -> String {
        with_query_param(text, key, Some(value)).expect("a URL")
    }

    fn remove_param(text: &str, key: &str) -> String {
        with_query_param(text, key, None).expect("a URL")
    }

    #[test]
    fn setting_a_parameter_keeps_everything_else() {
        assert_eq!(
            set_param(
                "postgres://kratos:Ch&ange=Me!@postgres:5432/kratos?sslmode=prefer&max_conns=20",
                "sslmode",
                "verify-full"
            ),
            "postgres://kratos:Ch&ange=Me!@postgres:5432/kratos?sslmode=verify-full&max_conns=20"
        );
        // Missing: appended, with `?` or `&`.
        assert_eq!(
            set_param(
                "cockroach://kratos@crdb:26257/kratos",
                "sslmode",
                "verify-full"
            ),
            "cockroach://kratos@crdb:26257/kratos?sslmode=verify-full"
        );
        assert_eq!(
            set_param(
                "mysql://u:p%40ss@tcp(db:3306)/k?parseTime=true",
                "tls",
                "true"
            ),
            "mysql://u:p%40ss@tcp(db:3306)/k?parseTime=true&tls=true"
        );
        assert_eq!(
            set_param("postgres://db/k?", "sslmode", "verify-full"),
            "postgres://db/k?sslmode=verify-full"
        );
        // Later duplicates go (pgx and Go read the first; nobody should see the old value).
        assert_eq!(
            set_param(
                "postgres://db/k?sslmode=disable&a=b+c&sslmode=require",
                "sslmode",
                "verify-full"
            ),
            "postgres://db/k?sslmode=verify-full&a=b+c"
        );
        // Keys match decoded and case-sensitively, as Go reads them.
        assert_eq!(
            set_param(
                "postgres://db/k?ssl%6Dode=disable&SSLMODE=x",
                "sslmode",
                "verify-full"
            ),
            "postgres://db/k?ssl%6Dode=verify-full&SSLMODE=x"
        );
        // A fragment stays after the query.
        assert_eq!(
            set_param("postgres://db/k#f", "sslmode", "verify-full"),
            "postgres://db/k?sslmode=verify-full#f"
        );
        assert!(with_query_param("memory", "sslmode", Some("verify-full")).is_none());
    }

    #[test]
    fn removing_a_parameter_keeps_everything_else() {
        assert_eq!(
            remove_param(
                "smtp://mailhog:1025/?disable_starttls=true",
                "disable_starttls"
            ),
            "smtp://mailhog:1025/"
        );
        assert_eq!(
            remove_param(
                "smtps://u:p%3Fw@relay:465/?server_name=m.example.com&skip_ssl_verify=true&x=1",
                "skip_ssl_verify"
            ),
            "smtps://u:p%3Fw@relay:465/?server_name=m.example.com&x=1"
        );
        assert_eq!(
            remove_param(
                "smtps://relay/?skip_ssl_verify=true&skip_ssl_verify=false#x",
                "skip_ssl_verify"
            ),
            "smtps://relay/#x"
        );
        // Absent (or differently cased): untouched, even an empty `?`.
        assert_eq!(
            remove_param("smtp://relay/?DISABLE_STARTTLS=true", "disable_starttls"),
            "smtp://relay/?DISABLE_STARTTLS=true"
        );
        assert_eq!(remove_param("smtp://relay/?", "x"), "smtp://relay/?");
    }
}
