//! Validation of `init`'s answers (each check returns the cleaned value or what to change) and
//! the values built from them: the generated database password, the DSN, the SMTP URI with
//! its password.

use crate::kratos::uri::{Uri, is_loopback_host};
use crate::secret::{self, Kind, Secret, SecretError};

use super::Database;

/// Checks an https URL of a public host (production needs https, not loopback); returns it
/// without a trailing slash.
pub fn check_public_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    match Uri::parse(text) {
        Some(u) if u.scheme_is("https") && !u.host.is_empty() && !is_loopback_host(u.host) => {
            Ok(text.trim_end_matches('/').to_owned())
        }
        Some(u) if u.scheme_is("https") => Err(format!(
            "'{text}' points at this machine; give the public URL"
        )),
        _ => Err(format!("'{text}' is not an https:// URL")),
    }
}

/// Checks an e-mail address (enough to catch typos).
pub fn check_email(text: &str) -> Result<String, String> {
    let text = text.trim();
    match text.split_once('@') {
        Some((user, domain)) if !user.is_empty() && domain.contains('.') && !text.contains(' ') => {
            Ok(text.to_owned())
        }
        _ => Err(format!("'{text}' is not an e-mail address")),
    }
}

/// Checks an SMTP URI: `smtps://` (implicit TLS) or `smtp://` (`StartTLS`), without the options
/// that turn TLS off. Errors never repeat the URI: it may hold a password.
pub fn check_smtp(text: &str) -> Result<String, String> {
    let text = text.trim();
    let Some(uri) = Uri::parse(text) else {
        return Err("give the SMTP URI as smtps://user:password@host:465/".to_owned());
    };
    if !(uri.scheme_is("smtps") || uri.scheme_is("smtp")) || uri.host.is_empty() {
        return Err("the SMTP URI starts with smtps:// (or smtp:// for StartTLS)".to_owned());
    }
    if let Some(problem) = unquotable(text) {
        return Err(problem);
    }
    if ["disable_starttls=true", "skip_ssl_verify=true"]
        .iter()
        .any(|o| text.contains(o))
    {
        return Err("drop disable_starttls / skip_ssl_verify: they turn TLS off".to_owned());
    }
    Ok(text.to_owned())
}

/// True when an SMTP URI already carries a password (`user:password@`).
#[must_use]
pub fn has_password(uri: &str) -> bool {
    userinfo(uri).is_some_and(|(_, info)| info.contains(':'))
}

/// Puts `password` (percent-encoded) into an SMTP URI that names its user.
pub fn with_password(uri: &str, password: &str) -> Result<String, String> {
    let missing_user =
        || "name the SMTP user in the URI: smtps://user@mail.example.org:465/".to_owned();
    let Some((at, info)) = userinfo(uri) else {
        return Err(missing_user());
    };
    if info.is_empty() {
        return Err(missing_user());
    }
    Ok(format!(
        "{}:{}{}",
        &uri[..at],
        percent_encode(password),
        &uri[at..]
    ))
}

/// Percent-encodes everything but RFC 3986's unreserved characters, for a password in a URI.
#[must_use]
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The byte offset of the `@` ending the user info, and the user info itself.
fn userinfo(uri: &str) -> Option<(usize, &str)> {
    let start = uri.find("://")? + 3;
    let authority_end = uri[start..]
        .find(['/', '?'])
        .map_or(uri.len(), |i| start + i);
    let at = uri[start..authority_end].rfind('@')? + start;
    Some((at, &uri[start..at]))
}

/// The env file quotes values in `'…'`, which cannot hold a quote or a line break.
fn unquotable(text: &str) -> Option<String> {
    text.contains(['\'', '\n', '\r']).then(|| {
        "percent-encode quotes (%27) and line breaks in the URI: the env file cannot hold them"
            .to_owned()
    })
}

/// Checks a DSN given whole (errors never repeat it: it may hold a password).
pub fn check_dsn(text: &str) -> Result<String, String> {
    let text = text.trim();
    if let Some(problem) = unquotable(text) {
        return Err(problem);
    }
    match Uri::parse(text) {
        Some(u)
            if ["postgres", "postgresql", "cockroach", "mysql"]
                .iter()
                .any(|s| u.scheme_is(s)) =>
        {
            Ok(text.to_owned())
        }
        _ => Err("give a postgres://, mysql:// or cockroach:// DSN".to_owned()),
    }
}

/// Checks an OAuth client id or secret: non-empty, and nothing the env file's quoting or
/// JSON would mangle.
pub fn check_client_credential(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        Err("it is empty".to_owned())
    } else if text.contains(['\'', '"', '\\', '\n', '\r']) {
        Err("quotes, backslashes and line breaks are not supported here; put it in the file by hand".to_owned())
    } else {
        Ok(text.to_owned())
    }
}

/// The environment variable `init --oidc PROVIDER=…` reads the client secret from.
#[must_use]
pub fn oidc_secret_var(provider: &str) -> String {
    format!(
        "KRATOS_HARDEN_OIDC_SECRET_{}",
        provider.to_ascii_uppercase()
    )
}

/// Checks a host name for the database.
pub fn check_host(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() || text.contains(['/', ' ', '@', ':']) {
        Err(format!("'{text}' is not a host name"))
    } else {
        Ok(text.to_owned())
    }
}

/// A database password from the OS CSPRNG: 40 alphanumerics, safe in a DSN without encoding.
pub fn database_password(source: &mut dyn secret::Source) -> Result<String, SecretError> {
    Ok(Secret::generate(Kind::Credential, source)?
        .expose()
        .to_owned())
}

/// The DSN for `kind`, with TLS that authenticates the server.
#[must_use]
pub fn dsn(kind: Database, host: &str, name: &str, user: &str, password: &str) -> String {
    match kind {
        Database::Postgres => {
            format!("postgres://{user}:{password}@{host}:5432/{name}?sslmode=verify-full")
        }
        Database::Cockroach => {
            format!("cockroach://{user}:{password}@{host}:26257/{name}?sslmode=verify-full")
        }
        Database::Mysql => {
            format!("mysql://{user}:{password}@tcp({host}:3306)/{name}?parseTime=true&tls=true")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::OsSecrets;

    #[test]
    fn checks_refuse_what_production_cannot_use() {
        assert!(check_public_url("http://auth.acme.io").is_err());
        assert!(check_public_url("https://127.0.0.1:4433").is_err());
        assert_eq!(
            check_public_url("https://auth.acme.io/"),
            Ok("https://auth.acme.io".to_owned())
        );
        assert!(check_smtp("smtp://u:p@mail.acme.io/?disable_starttls=true").is_err());
        assert!(check_smtp("smtps://u:p@mail.acme.io:465/").is_ok());
        assert!(check_smtp("smtps://u:it's@mail.acme.io:465/").is_err());
        assert!(check_email("no-reply@acme.io").is_ok());
        assert!(check_email("nope").is_err());
        assert!(check_dsn("sqlite://x").is_err());
        assert!(check_dsn("postgres://k:p@db/k?sslmode=verify-full").is_ok());
        assert!(check_host("db.internal").is_ok());
        assert!(check_host("db:5432").is_err());
        let password = database_password(&mut OsSecrets).expect("generates");
        assert_eq!(password.len(), 40);
        assert!(password.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(
            password,
            database_password(&mut OsSecrets).expect("generates")
        );
    }

    #[test]
    fn the_smtp_password_is_percent_encoded_into_the_user_info() {
        assert!(!has_password("smtps://mailer@mail.acme.io:465/"));
        assert!(has_password("smtps://mailer:x@mail.acme.io:465/"));
        assert_eq!(
            with_password("smtps://mailer@mail.acme.io:465/?from=a@b", "p@ss/w d:").as_deref(),
            Ok("smtps://mailer:p%40ss%2Fw%20d%3A@mail.acme.io:465/?from=a@b")
        );
        assert!(with_password("smtps://mail.acme.io:465/", "x").is_err());
        assert!(with_password("smtps://@mail.acme.io:465/", "x").is_err());
    }

    #[test]
    fn dsns_verify_the_server() {
        assert!(dsn(Database::Postgres, "db", "k", "u", "p").ends_with("sslmode=verify-full"));
        assert!(dsn(Database::Mysql, "db", "k", "u", "p").contains("tcp(db:3306)"));
        assert!(dsn(Database::Cockroach, "db", "k", "u", "p").contains(":26257/"));
    }
}
