//! The key table: per config path, what kratos-harden knows about the key, in one place.
//!
//! Owns, for each path a rule reads or a fix writes: the type Kratos casts an environment
//! variable to (kratos-hardening.md §5), whether the value is a secret (the masker hides it),
//! how the wizard's edit box (and the `apply --answers` replay) lets it be typed, and the
//! constraint Kratos's config JSON Schema puts on it beyond its type. The env mapping
//! (`env::paths`), the masker (`mask`) and the edit checks (`review::edit`) read this table
//! and keep no list of their own.
//!
//! Paths are dotted; `*` stands for one list index. `{flow}`, `{method}` and `{hooks}` are
//! written once and stand for every self-service flow, every method, and every hook list of a
//! flow (`before.hooks`, `after.hooks`, `after.<method>.hooks`). The lines are ours, typed by
//! hand from the schema (never copied from it); a lib test checks the constraints against the
//! v1.3.1 schema in `../shared/kratos`. A variable that names no path here is ignored, and
//! the README says so.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

/// How Kratos casts a variable's text (by the schema type of its path).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    /// A string (URLs, durations, byte sizes, enums).
    Str,
    /// A boolean (Go's `strconv.ParseBool` spellings).
    Bool,
    /// An integer.
    Int,
    /// An array of strings: a JSON array, else CSV.
    List,
    /// An object or an array of objects, given as JSON.
    Json,
}

/// What an editable value is, which decides how typed text is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditKind {
    /// A Go duration (`15m`, `1h`).
    Duration,
    /// `true` or `false`.
    Bool,
    /// A whole number.
    Integer,
    /// An absolute `http(s)://` URL.
    Url,
    /// URLs separated by commas or spaces.
    UrlList,
    /// Free text (non-empty).
    Text,
    /// The first secret of `secrets.<key>` (`cipher` = exactly 32 ASCII characters).
    Secret(SecretList),
}

/// Which secret list a secret edit is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretList {
    /// `secrets.cipher`.
    Cipher,
    /// `secrets.default`, `cookie` or `pagination`.
    Signing,
}

/// What Kratos's config schema accepts for a key beyond the value's type (for a list, for
/// each of its items, as the schema's `items` says). Outside it Kratos refuses to start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// One of these strings (`enum`).
    OneOf(&'static [&'static str]),
    /// A whole number in this range (`minimum`, `maximum`; `i64::MAX` when unbounded).
    Between(i64, i64),
    /// A byte size such as `128MB` (`pattern: ^[0-9]+(B|KB|MB|GB|TB|PB|EB)`).
    ByteSize,
    /// A duration of one number and one unit (`pattern: ^[0-9]+(ns|us|ms|s|m|h)$`).
    OneUnit,
    /// A URI starting with one of these (`pattern: ^smtps?:\/\/.*`).
    Prefix(&'static [&'static str]),
    /// A string of this many characters (`minLength`, `maxLength`; `usize::MAX` when
    /// unbounded).
    Length(usize, usize),
}

/// One line of the table.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    /// The path, placeholders and `*` included.
    pub pattern: &'static str,
    /// How a variable setting it is cast.
    pub env: Type,
    /// The masker hides the value.
    pub secret: bool,
    /// How the edit box lets it be typed; `None`: a proposal setting it is not editable.
    pub edit: Option<EditKind>,
    /// Kratos's constraint, if its schema states one.
    pub bound: Option<Bound>,
}

const fn key(pattern: &'static str, env: Type, edit: Option<EditKind>) -> Key {
    Key {
        pattern,
        env,
        secret: false,
        edit,
        bound: None,
    }
}

/// A string typed as free text.
const fn text(pattern: &'static str) -> Key {
    key(pattern, Type::Str, Some(EditKind::Text))
}
/// A Go duration.
const fn dur(pattern: &'static str) -> Key {
    key(pattern, Type::Str, Some(EditKind::Duration))
}
/// An http(s) URL.
const fn url(pattern: &'static str) -> Key {
    key(pattern, Type::Str, Some(EditKind::Url))
}
/// A boolean.
const fn flag(pattern: &'static str) -> Key {
    key(pattern, Type::Bool, Some(EditKind::Bool))
}
/// An integer.
const fn int(pattern: &'static str) -> Key {
    key(pattern, Type::Int, Some(EditKind::Integer))
}
/// A list of strings that are not URLs (methods, headers, scopes).
const fn list(pattern: &'static str) -> Key {
    key(pattern, Type::List, None)
}
/// A list of URLs.
const fn urls(pattern: &'static str) -> Key {
    key(pattern, Type::List, Some(EditKind::UrlList))
}
/// A secret list: masked, and its new first secret typed as `which` requires.
const fn secrets(pattern: &'static str, which: SecretList, items: Bound) -> Key {
    list(pattern)
        .secret()
        .edit(EditKind::Secret(which))
        .bound(items)
}
/// An object or a list of objects.
const fn json(pattern: &'static str) -> Key {
    key(pattern, Type::Json, None)
}

impl Key {
    /// A secret: masked, and never typed in the edit box, where it would be shown and kept
    /// in an answers file (a secret list sets its own edit kind after this).
    const fn secret(mut self) -> Self {
        self.secret = true;
        self.edit = None;
        self
    }
    const fn edit(mut self, kind: EditKind) -> Self {
        self.edit = Some(kind);
        self
    }
    const fn bound(mut self, bound: Bound) -> Self {
        self.bound = Some(bound);
        self
    }
}

use Bound::{Between, ByteSize, Length, OneOf, OneUnit, Prefix};

const AAL: Bound = OneOf(&["aal1", "highest_available"]);
const SAME_SITE: Bound = OneOf(&["Strict", "Lax", "None"]);
const VIA: Bound = OneOf(&["link", "code"]);
const AT_LEAST_ONE: Bound = Between(1, i64::MAX);
const PORT: Bound = Between(1, 65535);

/// The table. Lists get a line for one element (`SECRETS_COOKIE_0`) made from theirs.
static KEYS: &[Key] = &[
    text("dsn"),
    flag("dev"),
    // Items `minLength: 16` (v1.3.1 config.schema.json: `secrets.default`, `secrets.cookie`).
    // Items `minLength: 16`, the cipher's exactly 32 (v1.3.1 config.schema.json `secrets`).
    secrets(
        "secrets.default",
        SecretList::Signing,
        Length(16, usize::MAX),
    ),
    secrets(
        "secrets.cookie",
        SecretList::Signing,
        Length(16, usize::MAX),
    ),
    secrets("secrets.cipher", SecretList::Cipher, Length(32, 32)),
    // v26 only (`v26.2.0/config.schema.json`, items `minLength: 16`).
    secrets(
        "secrets.pagination",
        SecretList::Signing,
        Length(16, usize::MAX),
    ),
    text("ciphers.algorithm").bound(OneOf(&["noop", "aes", "xchacha20-poly1305"])),
    text("hashers.algorithm").bound(OneOf(&["argon2", "bcrypt"])),
    int("hashers.bcrypt.cost").bound(Between(4, 31)),
    text("hashers.argon2.memory").bound(ByteSize),
    int("hashers.argon2.iterations").bound(AT_LEAST_ONE),
    int("hashers.argon2.parallelism").bound(AT_LEAST_ONE),
    int("hashers.argon2.salt_length").bound(Between(16, i64::MAX)),
    int("hashers.argon2.key_length").bound(Between(16, i64::MAX)),
    text("log.level").bound(OneOf(&[
        "trace", "debug", "info", "warning", "error", "fatal", "panic",
    ])),
    text("log.format").bound(OneOf(&["json", "text"])),
    flag("log.leak_sensitive_values"),
    text("log.redaction_text"),
    url("serve.public.base_url"),
    text("serve.public.host"),
    int("serve.public.port").bound(PORT),
    flag("serve.public.cors.enabled"),
    urls("serve.public.cors.allowed_origins").bound(Length(1, usize::MAX)),
    list("serve.public.cors.allowed_methods").bound(OneOf(&[
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ])),
    list("serve.public.cors.allowed_headers"),
    list("serve.public.cors.exposed_headers"),
    flag("serve.public.cors.allow_credentials"),
    flag("serve.public.cors.debug"),
    text("serve.public.tls.cert.path"),
    text("serve.public.tls.key.path"),
    text("serve.public.tls.cert.base64"),
    text("serve.public.tls.key.base64"),
    url("serve.admin.base_url"),
    text("serve.admin.host"),
    int("serve.admin.port").bound(PORT),
    text("serve.admin.tls.cert.path"),
    text("serve.admin.tls.key.path"),
    dur("session.lifespan"),
    dur("session.earliest_possible_extend"),
    text("session.cookie.name"),
    text("session.cookie.domain"),
    text("session.cookie.path"),
    text("session.cookie.same_site").bound(SAME_SITE),
    flag("session.cookie.persistent"),
    text("session.whoami.required_aal").bound(AAL),
    text("cookies.domain"),
    text("cookies.path"),
    text("cookies.same_site").bound(SAME_SITE),
    // A string, not a boolean: v26.2.0/config.schema.json lines 2777-2781 (`"type": "string"`;
    // v1.3.1 has no such key). Kratos's env provider casts by that type, so the variable's
    // text stays a string (KH265 reads either).
    text("cookies.secure"),
    // The same at v26.2.0/config.schema.json lines 2883-2887.
    text("session.cookie.secure"),
    url("selfservice.default_browser_return_url"),
    urls("selfservice.allowed_return_urls"),
    flag("selfservice.methods.password.config.haveibeenpwned_enabled"),
    text("selfservice.methods.password.config.haveibeenpwned_host"),
    flag("selfservice.methods.password.config.ignore_network_errors"),
    int("selfservice.methods.password.config.max_breaches").bound(Between(0, 100)),
    int("selfservice.methods.password.config.min_password_length").bound(Between(6, i64::MAX)),
    flag("selfservice.methods.password.config.identifier_similarity_check_enabled"),
    flag("selfservice.methods.code.passwordless_enabled"),
    flag("selfservice.methods.code.mfa_enabled"),
    dur("selfservice.methods.code.config.lifespan"),
    // v26 only (`v26.2.0/config.schema.json`: 1 to 255).
    int("selfservice.methods.code.config.max_submissions").bound(Between(1, 255)),
    dur("selfservice.methods.link.config.lifespan"),
    url("selfservice.methods.link.config.base_url"),
    flag("selfservice.methods.webauthn.config.passwordless"),
    text("selfservice.methods.webauthn.config.rp.id"),
    urls("selfservice.methods.webauthn.config.rp.origins"),
    text("selfservice.methods.passkey.config.rp.id"),
    urls("selfservice.methods.passkey.config.rp.origins"),
    text("selfservice.methods.totp.config.issuer"),
    json("selfservice.methods.oidc.config.providers"),
    dur("selfservice.flows.settings.privileged_session_max_age"),
    text("selfservice.flows.settings.required_aal").bound(AAL),
    flag("selfservice.flows.registration.enable_legacy_one_step"),
    text("selfservice.flows.recovery.use").bound(VIA),
    text("selfservice.flows.verification.use").bound(VIA),
    url("selfservice.flows.logout.after.default_browser_return_url"),
    text("courier.smtp.connection_uri").bound(Prefix(&["smtp://", "smtps://"])),
    text("courier.smtp.from_address"),
    text("courier.smtp.from_name"),
    text("courier.smtp.client_cert_path"),
    text("courier.smtp.client_key_path"),
    text("courier.delivery_strategy").bound(OneOf(&["smtp", "http"])),
    json("courier.http.request_config"),
    url("courier.http.request_config.url"),
    // A template URI, not only a web URL: `^(http|https|file|base64)://` (v1.3.1
    // config.schema.json line 161), so `file://` and `base64://` are typed as text.
    text("courier.http.request_config.body").bound(Prefix(&[
        "http://",
        "https://",
        "file://",
        "base64://",
    ])),
    text("courier.http.request_config.auth.config.value").secret(),
    text("courier.http.request_config.auth.config.password").secret(),
    json("courier.channels"),
    url("courier.channels.*.request_config.url"),
    flag("courier.sms.enabled"),
    json("courier.sms.request_config"),
    url("courier.sms.request_config.url"),
    flag("clients.http.disallow_private_ip_ranges"),
    urls("clients.http.private_ip_exception_urls"),
    text("identity.default_schema_id"),
    json("identity.schemas"),
    int("database.cleanup.batch_size").bound(AT_LEAST_ONE),
    // One unit only: `^[0-9]+(ns|us|ms|s|m|h)$` (v1.3.1 config.schema.json line 1986).
    dur("database.cleanup.sleep.tables").bound(OneUnit),
    flag("security.account_enumeration.mitigate"),
    url("oauth2_provider.url"),
    flag("feature_flags.use_continue_with_transitions"),
    flag("feature_flags.legacy_require_verified_login_error"),
    flag("selfservice.flows.recovery.notify_unknown_recipients"),
    flag("selfservice.flows.verification.notify_unknown_recipients"),
    json("selfservice.flows"),
    flag("selfservice.methods.password.config.migrate_hook.enabled"),
    json("selfservice.methods.password.config.migrate_hook.config"),
    url("selfservice.methods.password.config.migrate_hook.config.url"),
    text("selfservice.methods.webauthn.config.rp.display_name"),
    url("selfservice.methods.webauthn.config.rp.origin"),
    text("selfservice.methods.passkey.config.rp.display_name"),
    url("selfservice.methods.passkey.config.rp.origin"),
    json("session.whoami.tokenizer.templates"),
    json("courier.templates"),
    json("hashers.argon2"),
    json("oauth2_provider"),
    // `SELFSERVICE_METHODS_<M>_ENABLED` for every method.
    flag("selfservice.methods.{method}.enabled"),
    text("identity.schemas.*.id"),
    text("identity.schemas.*.url"),
    // One OIDC provider.
    text("selfservice.methods.oidc.config.providers.*.id"),
    text("selfservice.methods.oidc.config.providers.*.provider"),
    text("selfservice.methods.oidc.config.providers.*.client_id"),
    text("selfservice.methods.oidc.config.providers.*.client_secret").secret(),
    url("selfservice.methods.oidc.config.providers.*.issuer_url"),
    url("selfservice.methods.oidc.config.providers.*.auth_url"),
    url("selfservice.methods.oidc.config.providers.*.token_url"),
    url("selfservice.methods.oidc.config.providers.*.mapper_url"),
    list("selfservice.methods.oidc.config.providers.*.scope"),
    text("selfservice.methods.oidc.config.providers.*.pkce")
        .bound(OneOf(&["auto", "never", "force"])),
    text("selfservice.methods.oidc.config.providers.*.apple_team_id"),
    text("selfservice.methods.oidc.config.providers.*.apple_private_key_id"),
    text("selfservice.methods.oidc.config.providers.*.apple_private_key").secret(),
    text("selfservice.methods.oidc.config.providers.*.microsoft_tenant"),
    list("selfservice.methods.oidc.config.providers.*.additional_id_token_audiences"),
    text("selfservice.methods.oidc.config.providers.*.claims_source")
        .bound(OneOf(&["id_token", "userinfo"])),
    // Every flow, and its hook lists with their web-hook fields.
    flag("selfservice.flows.{flow}.enabled"),
    url("selfservice.flows.{flow}.ui_url"),
    dur("selfservice.flows.{flow}.lifespan"),
    url("selfservice.flows.{flow}.after.default_browser_return_url"),
    url("selfservice.flows.{flow}.after.{method}.default_browser_return_url"),
    json("{hooks}"),
    json("{hooks}.*"),
    text("{hooks}.*.hook"),
    url("{hooks}.*.config.url"),
    text("{hooks}.*.config.method"),
    flag("{hooks}.*.config.response.ignore"),
    flag("{hooks}.*.config.response.parse"),
    flag("{hooks}.*.config.can_interrupt"),
    text("{hooks}.*.config.auth.type"),
    text("{hooks}.*.config.auth.config.value").secret(),
    text("{hooks}.*.config.auth.config.password").secret(),
    text("{hooks}.*.config.auth.config.user"),
];

/// The flows with a `selfservice.flows.<flow>` block of hooks.
const FLOWS: &[&str] = &[
    "login",
    "registration",
    "settings",
    "recovery",
    "verification",
];
/// The self-service methods.
const METHODS: &[&str] = &[
    "password",
    "oidc",
    "code",
    "totp",
    "webauthn",
    "passkey",
    "lookup_secret",
    "profile",
    "link",
    "saml",
];
/// What `{hooks}` stands for, `{flow}` and `{method}` still to expand.
const HOOK_LISTS: &[&str] = &[
    "selfservice.flows.{flow}.before.hooks",
    "selfservice.flows.{flow}.after.hooks",
    "selfservice.flows.{flow}.after.{method}.hooks",
];

/// Secrets inside values whose inner paths no line can list (free-form JSON: HTTP headers,
/// a courier channel's request config, keys Kratos does not know), by how the path reads:
/// below `secrets.`, ending with one of these, or naming an `authorization` header.
const SECRET_ENDINGS: &[&str] = &[
    "client_secret",
    "apple_private_key",
    "auth.config.value",
    "auth.config.password",
];

/// One expanded line: a path (`*` for indexes, no placeholders) and its key.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The path.
    pub path: String,
    /// What the table says about it.
    pub key: Key,
}

/// The expansions of `pattern`, in table order (flows, then methods).
fn expand(pattern: &str, out: &mut Vec<String>) {
    if let Some(rest) = pattern.strip_prefix("{hooks}") {
        for list in HOOK_LISTS {
            expand(&format!("{list}{rest}"), out);
        }
    } else if pattern.contains("{flow}") {
        for flow in FLOWS {
            expand(&pattern.replacen("{flow}", flow, 1), out);
        }
    } else if pattern.contains("{method}") {
        for method in METHODS {
            expand(&pattern.replacen("{method}", method, 1), out);
        }
    } else {
        out.push(pattern.to_owned());
    }
}

struct Table {
    entries: Vec<Entry>,
    index: HashMap<String, usize>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut entries = Vec::new();
        for key in KEYS {
            let mut paths = Vec::new();
            expand(key.pattern, &mut paths);
            for path in paths {
                if key.env == Type::List {
                    // One element: a string, typed as its list's items are.
                    let edit = match key.edit {
                        Some(EditKind::UrlList) => Some(EditKind::Url),
                        _ if key.secret => None,
                        _ => Some(EditKind::Text),
                    };
                    let element = Key {
                        env: Type::Str,
                        edit,
                        ..*key
                    };
                    entries.push(Entry {
                        path: path.clone(),
                        key: *key,
                    });
                    entries.push(Entry {
                        path: format!("{path}.*"),
                        key: element,
                    });
                } else {
                    entries.push(Entry { path, key: *key });
                }
            }
        }
        let mut index = HashMap::with_capacity(entries.len());
        for (at, entry) in entries.iter().enumerate() {
            index.entry(entry.path.clone()).or_insert(at);
        }
        Table { entries, index }
    })
}

/// Every expanded line, in table order (the env mapping takes the first that matches).
#[must_use]
pub fn all() -> &'static [Entry] {
    &table().entries
}

/// The line for a real path (indexes as numbers), if the table has one.
#[must_use]
pub fn lookup(path: &str) -> Option<&'static Key> {
    let pattern: Vec<&str> = path
        .split('.')
        .map(|s| {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                "*"
            } else {
                s
            }
        })
        .collect();
    let table = table();
    table
        .index
        .get(&pattern.join("."))
        .map(|&at| &table.entries[at].key)
}

/// True when the value at `path` is a secret: its line says so, or (for a path no line
/// lists) it reads like one (see [`SECRET_ENDINGS`]).
#[must_use]
pub fn is_secret(path: &str) -> bool {
    match lookup(path) {
        Some(key) => key.secret,
        None => reads_secret(path),
    }
}

/// The rule for paths without a line; a test checks every line agrees with it.
fn reads_secret(path: &str) -> bool {
    path.starts_with("secrets.")
        || SECRET_ENDINGS.iter().any(|end| path.ends_with(end))
        || path.to_ascii_lowercase().contains("authorization")
}

impl Bound {
    /// `Ok` when Kratos accepts `value` (a string, a number, or a list of strings checked
    /// item by item); otherwise what it accepts, without repeating the value.
    pub fn check(&self, value: &Value) -> Result<(), String> {
        let ok = match value {
            Value::Array(items) => items.iter().all(|item| self.admits(item)),
            other => self.admits(other),
        };
        if ok {
            return Ok(());
        }
        Err(match self {
            OneOf(allowed) => format!("Kratos accepts only {} here", allowed.join(", ")),
            Between(low, i64::MAX) => format!("Kratos accepts {low} or more here"),
            Between(low, high) => format!("Kratos accepts {low} to {high} here"),
            ByteSize => {
                "Kratos accepts a whole number and a unit (B, KB, MB, GB…) here, e.g. 128MB"
                    .to_owned()
            }
            OneUnit => "Kratos accepts a whole number and one unit (ns, us, ms, s, m, h) here, \
                e.g. 1m"
                .to_owned(),
            Prefix(prefixes) => format!(
                "Kratos accepts only a URI starting with {} here",
                prefixes.join(" or ")
            ),
            Length(low, high) if low == high => {
                format!("Kratos accepts exactly {low} characters here")
            }
            Length(low, usize::MAX) => format!("Kratos accepts {low} characters or more here"),
            Length(low, high) => format!("Kratos accepts {low} to {high} characters here"),
        })
    }

    fn admits(&self, value: &Value) -> bool {
        let text = value.as_str().unwrap_or_default();
        match self {
            OneOf(allowed) => allowed.contains(&text),
            Between(low, high) => value.as_i64().is_some_and(|n| (*low..=*high).contains(&n)),
            ByteSize => {
                let unit = text.trim_start_matches(|c: char| c.is_ascii_digit());
                unit.len() < text.len() && ["B", "KB", "MB", "GB", "TB", "PB", "EB"].contains(&unit)
            }
            OneUnit => {
                let unit = text.trim_start_matches(|c: char| c.is_ascii_digit());
                unit.len() < text.len() && ["ns", "us", "ms", "s", "m", "h"].contains(&unit)
            }
            Prefix(prefixes) => prefixes.iter().any(|p| text.starts_with(p)),
            Length(low, high) => (*low..=*high).contains(&text.chars().count()),
        }
    }
}

#[cfg(test)]
#[path = "keys_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "keys_schema_tests.rs"]
mod schema_tests;
