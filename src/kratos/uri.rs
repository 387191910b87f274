//! Just enough URL/DSN parsing for the rules: scheme, credentials, host, port, path and query.
//!
//! Kratos DSNs are not always valid URLs (`mysql://u:p@tcp(host:3306)/db`), and passwords may
//! contain `/` or `@`, so this splits on the *last* `@` of the authority rather than using a
//! strict URL parser. Also owns masking credentials for display, and the one https upgrade
//! of a plain-http URL that the fixes share ([`https_form`]).

use std::net::IpAddr;

use super::credential::is_env_reference;

/// The parts of `scheme://user:password@host:port/path?query`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uri<'a> {
    /// The scheme as written (compare with [`Uri::scheme_is`]).
    pub scheme: &'a str,
    /// The user, if any.
    pub user: Option<&'a str>,
    /// The password, if any (may be empty: `user:@host`).
    pub password: Option<&'a str>,
    /// The host (without brackets for IPv6).
    pub host: &'a str,
    /// The port, if written.
    pub port: Option<&'a str>,
    /// The path, starting with `/` (or empty).
    pub path: &'a str,
    /// The query without `?`.
    pub query: Option<&'a str>,
}

impl<'a> Uri<'a> {
    /// Parses an absolute URL or DSN; `None` when there is no `scheme://`.
    #[must_use]
    pub fn parse(text: &'a str) -> Option<Self> {
        let (scheme, rest) = text.trim().split_once("://")?;
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return None;
        }
        let rest = rest.split('#').next().unwrap_or(rest);
        let (before_query, query) = match rest.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (rest, None),
        };
        let (userinfo, after_at) = match before_query.rfind('@') {
            Some(at) => (Some(&before_query[..at]), &before_query[at + 1..]),
            None => (None, before_query),
        };
        let (authority, path) = match after_at.find('/') {
            Some(slash) => (&after_at[..slash], &after_at[slash..]),
            None => (after_at, ""),
        };
        let (user, password) = match userinfo {
            Some(info) => match info.split_once(':') {
                Some((u, p)) => (Some(u), Some(p)),
                None => (Some(info), None),
            },
            None => (None, None),
        };
        let (host, port) = split_host_port(authority);
        Some(Self {
            scheme,
            user,
            password,
            host,
            port,
            path,
            query,
        })
    }

    /// Case-insensitive scheme comparison.
    #[must_use]
    pub fn scheme_is(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }

    /// The first value of a query parameter (`?sslmode=disable`), matched case-insensitively.
    #[must_use]
    pub fn query_param(&self, key: &str) -> Option<&'a str> {
        self.query?.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            k.eq_ignore_ascii_case(key).then_some(v)
        })
    }
}

fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    if let Some((host, rest)) = authority.strip_prefix('[').and_then(|i| i.split_once(']')) {
        return (host, rest.strip_prefix(':'));
    }
    // MySQL's `tcp(host:port)` form.
    if let Some(inner) = authority
        .strip_prefix("tcp(")
        .and_then(|s| s.strip_suffix(')'))
    {
        return split_host_port(inner);
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => (host, Some(port)),
        _ => (authority, None),
    }
}

/// True when `text` starts with `http://` (any case).
#[must_use]
pub fn is_plain_http(text: &str) -> bool {
    text.trim()
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("http://"))
}

/// True for loopback hosts: `localhost`, `127.0.0.0/8`, `::1`.
#[must_use]
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.to_ascii_lowercase().ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// True for loopback and private-network addresses (RFC 1918, IPv6 unique-local) and unix
/// sockets; false for `0.0.0.0`, `::`, public addresses and host names.
#[must_use]
pub fn is_internal_listen_host(host: &str) -> bool {
    if host.starts_with("unix:") || is_loopback_host(host) {
        return true;
    }
    match host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        Ok(IpAddr::V4(v4)) => v4.is_private() || v4.is_link_local(),
        Ok(IpAddr::V6(v6)) => (v6.segments()[0] & 0xfe00) == 0xfc00,
        Err(_) => false,
    }
}

/// Which plain-http URLs [`https_form`] switches to https itself; the others need the operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpsPolicy {
    /// An address users reach (the public base URL, UI URLs, CORS origins): only a public DNS
    /// name on the default port, without credentials. A loopback, internal or IP host is not
    /// the address users reach, and an explicit port names a listener (often Kratos's own
    /// plain-http one) that says nothing about where TLS is served. A CORS `*.` pattern is
    /// judged by the name under the wildcard.
    UserFacing,
    /// A service Kratos calls out to (a web hook, an OIDC provider, an HTTP courier channel,
    /// Hydra's admin API): only the scheme changes, so the same service on the same port is
    /// asked to speak TLS; internal names and credentials stay. A loopback service runs next
    /// to Kratos and never crosses the network, so whether and where it serves TLS is a
    /// deployment decision; an unexpanded `${VAR}` is not the URL yet.
    Service,
}

/// The `https://` form of a plain-http URL under `policy`: the scheme becomes `https` and an
/// explicit `:80`, the plain-http port, is dropped; the rest is kept as written. `Err` says why
/// the operator must choose the URL instead (certificates rarely name an IP address).
pub fn https_form(url: &str, policy: HttpsPolicy) -> Result<String, &'static str> {
    use HttpsPolicy::{Service, UserFacing};
    let text = url.trim();
    let uri = Uri::parse(text).ok_or("it is not an absolute URL")?;
    if !uri.scheme_is("http") {
        return Err("it is not a plain-http URL");
    }
    match policy {
        UserFacing if uri.user.is_some() => return Err("it carries credentials"),
        Service if is_env_reference(text) => return Err("it is an unexpanded `${VAR}` reference"),
        Service if uri.host.is_empty() => return Err("it has no host"),
        _ => {}
    }
    let host = match policy {
        UserFacing => uri.host.trim_start_matches("*."),
        Service => uri.host,
    };
    if is_loopback_host(host) {
        return Err(match policy {
            UserFacing => "its host is loopback, not the address users reach",
            Service => {
                "its host is loopback (the service runs next to Kratos and the traffic never \
                 leaves the host; whether and where it serves TLS is a deployment decision)"
            }
        });
    }
    // A user-facing host is also an IP inside stray brackets (`[2001:db8::1` with no `]`,
    // which the parser leaves on the host); a service host is judged as parsed.
    let ip = match policy {
        UserFacing => host.trim_start_matches('[').trim_end_matches(']'),
        Service => host,
    };
    if ip.parse::<IpAddr>().is_ok() {
        return Err(match policy {
            UserFacing => "its host is an IP address, which rarely has a certificate",
            Service => "its host is an IP address, which certificates rarely name",
        });
    }
    if policy == UserFacing && !host.contains('.') {
        return Err("its host is an internal name, not a public DNS name");
    }
    if policy == UserFacing && uri.port.is_some_and(|p| p != "80") {
        return Err("it names an explicit port, which says nothing about where TLS is served");
    }
    let rest = &text[uri.scheme.len() + "://".len()..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest[..end].strip_suffix(":80").unwrap_or(&rest[..end]);
    Ok(format!("https://{authority}{}", &rest[end..]))
}

/// The text with any `user:password@` password replaced by `****` (for display).
#[must_use]
pub fn mask_credentials(text: &str) -> String {
    let Some(uri) = Uri::parse(text) else {
        return text.to_owned();
    };
    match uri.password {
        Some(p) if !p.is_empty() => {
            let user = uri.user.unwrap_or_default();
            let needle = format!("{user}:{p}@");
            text.replacen(&needle, &format!("{user}:****@"), 1)
        }
        _ => text.to_owned(),
    }
}

/// Go's `strconv.ParseBool` truth values (Kratos parses `skip_ssl_verify` and
/// `disable_starttls` with it and ignores errors, so anything else is false).
#[must_use]
pub fn go_true(value: &str) -> bool {
    matches!(value, "1" | "t" | "T" | "TRUE" | "true" | "True")
}

/// Percent-decodes `%XX` (and `+` as space when `query` is set), as Go's `net/url` does.
#[must_use]
pub fn percent_decode(text: &str, query: bool) -> String {
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
#[must_use]
pub fn go_query(uri: &Uri<'_>, key: &str) -> Option<String> {
    uri.query?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(k, true) == key).then(|| percent_decode(v, true))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_dsn() {
        let u = Uri::parse("postgres://kratos:ChangeMe!@postgres:5432/kratos?sslmode=prefer&x=1")
            .expect("parses");
        assert_eq!(u.user, Some("kratos"));
        assert_eq!(u.password, Some("ChangeMe!"));
        assert_eq!(u.host, "postgres");
        assert_eq!(u.port, Some("5432"));
        assert_eq!(u.path, "/kratos");
        assert_eq!(u.query_param("sslmode"), Some("prefer"));
        assert_eq!(u.query_param("missing"), None);
    }

    #[test]
    fn mysql_dsn_and_odd_passwords() {
        let u = Uri::parse("mysql://root:secret@tcp(mysqld:3306)/mysql?parseTime=true")
            .expect("parses");
        assert_eq!(
            (u.user, u.password, u.host),
            (Some("root"), Some("secret"), "mysqld")
        );
        let u = Uri::parse("postgres://u:p/a@ss@db/k").expect("parses");
        assert_eq!((u.password, u.host, u.path), (Some("p/a@ss"), "db", "/k"));
        let u = Uri::parse("cockroach://root@crdb:26257/defaultdb").expect("parses");
        assert_eq!((u.user, u.password), (Some("root"), None));
        assert!(Uri::parse("memory").is_none());
    }

    #[test]
    fn hosts() {
        assert!(is_internal_listen_host("127.0.0.1"));
        assert!(is_internal_listen_host("10.1.2.3"));
        assert!(is_internal_listen_host("::1"));
        assert!(is_internal_listen_host("unix:/run/kratos.sock"));
        assert!(!is_internal_listen_host("0.0.0.0"));
        assert!(!is_internal_listen_host("::"));
        assert!(!is_internal_listen_host("8.8.8.8"));
        assert!(!is_internal_listen_host("kratos.example.com"));
        assert!(is_loopback_host("app.localhost"));
    }

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
    fn masking() {
        assert_eq!(
            mask_credentials("smtps://test:test@mailslurper:1025/?skip_ssl_verify=true"),
            "smtps://test:****@mailslurper:1025/?skip_ssl_verify=true"
        );
        assert_eq!(
            mask_credentials("https://example.com/"),
            "https://example.com/"
        );
        assert!(is_plain_http("HTTP://x"));
    }

    #[test]
    fn user_facing_https_needs_a_public_name_on_the_default_port() {
        let up = |url| https_form(url, HttpsPolicy::UserFacing);
        assert_eq!(
            up(" HTTP://auth.example.com:80/login?a=b#c").as_deref(),
            Ok("https://auth.example.com/login?a=b#c")
        );
        assert_eq!(
            up("http://app.example.com").as_deref(),
            Ok("https://app.example.com")
        );
        // A CORS pattern is judged by the name under the wildcard, and kept.
        assert_eq!(
            up("http://*.example.com").as_deref(),
            Ok("https://*.example.com")
        );
        assert_eq!(
            up("http://*.localhost"),
            Err("its host is loopback, not the address users reach")
        );
        assert_eq!(
            up("http://kratos:4433/"),
            Err("its host is an internal name, not a public DNS name")
        );
        assert_eq!(
            up("http://auth.example.com:4433/"),
            Err("it names an explicit port, which says nothing about where TLS is served")
        );
        assert_eq!(
            up("http://u:p@auth.example.com/"),
            Err("it carries credentials")
        );
        for url in [
            "http://203.0.113.10/",
            "http://[2001:db8::1]/",
            "http://[2001:db8::1/",
        ] {
            assert_eq!(
                up(url),
                Err("its host is an IP address, which rarely has a certificate"),
                "{url}"
            );
        }
        assert_eq!(
            up("https://auth.example.com/"),
            Err("it is not a plain-http URL")
        );
        assert_eq!(up("/relative"), Err("it is not an absolute URL"));
    }

    #[test]
    fn service_https_keeps_the_service_and_its_port() {
        let up = |url| https_form(url, HttpsPolicy::Service);
        assert_eq!(
            up("http://hydra:4445/").as_deref(),
            Ok("https://hydra:4445/")
        );
        assert_eq!(
            up("HTTP://hooks.example.com:80?x=1").as_deref(),
            Ok("https://hooks.example.com?x=1")
        );
        assert_eq!(
            up("http://u:p%40ss@hooks.internal/x").as_deref(),
            Ok("https://u:p%40ss@hooks.internal/x")
        );
        assert!(
            up("http://localhost:4444/").is_err_and(|e| e.starts_with("its host is loopback ("))
        );
        assert!(up("http://[::1]:4444/").is_err_and(|e| e.starts_with("its host is loopback (")));
        assert_eq!(
            up("http://10.0.0.4/hook"),
            Err("its host is an IP address, which certificates rarely name")
        );
        assert_eq!(
            up("http://${HOOK_HOST}/x"),
            Err("it is an unexpanded `${VAR}` reference")
        );
        assert_eq!(up("http:///x"), Err("it has no host"));
        assert_eq!(
            up("https://hooks.example.com/"),
            Err("it is not a plain-http URL")
        );
    }
}
