//! Flow bypass through identity schemas: where schemas are loaded
//! from, schemas that cannot be read, and what their traits allow. Traits are written by the
//! identity owner at registration and in the settings profile flow, so anything the
//! application trusts must not live there; every identifier needs a shape, every address a
//! `via`. Findings inside a schema carry the path in the schema
//! (`properties.traits.properties.role`).

use super::support::method_enabled;
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::IdentitySchema;
use crate::config::node::{Node, Value};
use crate::config::schema::SchemaLocation;

const SCHEMA_DOC: &str = "https://www.ory.sh/docs/kratos/manage-identities/identity-schema";
const CUSTOMIZE_DOC: &str =
    "https://www.ory.sh/docs/kratos/manage-identities/customize-identity-schema";
const METADATA_DOC: &str =
    "https://www.ory.sh/docs/kratos/manage-identities/managing-users-identities-metadata";
const PRACTICES_DOC: &str = "https://www.ory.sh/docs/kratos/manage-identities/best-practices";

/// The key of Kratos's extension inside a trait (contains dots: look it up with `child`).
const EXTENSION: &str = "ory.sh/kratos";
/// Where the traits object sits in an identity schema.
const TRAITS: &str = "properties.traits";

/// One property below `properties.traits`, or the `items` schema of an array trait.
struct Trait<'a> {
    /// Path inside the schema.
    path: String,
    /// The property name (for `items`, the array's name).
    name: &'a str,
    /// The property's schema.
    node: &'a Node,
    /// True for the `items` schema of an array.
    items: bool,
}

impl Trait<'_> {
    /// A value inside this trait's `ory.sh/kratos` extension (`credentials.password.identifier`).
    fn extension(&self, path: &str) -> Option<&Node> {
        self.node.child(EXTENSION)?.get(path)
    }

    fn flag(&self, path: &str) -> bool {
        self.extension(path).and_then(Node::as_bool) == Some(true)
    }

    fn has_type(&self, name: &str) -> bool {
        match self.node.child("type").map(|t| &t.value) {
            Some(Value::Str(t)) => t == name,
            Some(Value::Seq(items)) => items.iter().any(|t| t.as_str() == Some(name)),
            _ => false,
        }
    }

    fn has(&self, keyword: &str) -> bool {
        self.node.child(keyword).is_some()
    }

    fn format(&self) -> Option<&str> {
        self.node.child("format").and_then(Node::as_str)
    }
}

/// Every property below `properties.traits.properties`, depth first, including nested objects
/// and array items.
fn traits(root: &Node) -> Vec<Trait<'_>> {
    let mut out = Vec::new();
    if let Some(props) = root.get(TRAITS).and_then(|t| t.child("properties")) {
        for entry in props.entries() {
            collect(
                &entry.node,
                format!("{TRAITS}.properties.{}", entry.key),
                &entry.key,
                false,
                &mut out,
            );
        }
    }
    out
}

fn collect<'a>(node: &'a Node, path: String, name: &'a str, items: bool, out: &mut Vec<Trait<'a>>) {
    if let Some(props) = node.child("properties") {
        for entry in props.entries() {
            collect(
                &entry.node,
                format!("{path}.properties.{}", entry.key),
                &entry.key,
                false,
                out,
            );
        }
    }
    if let Some(item) = node.child("items").filter(|i| !i.entries().is_empty()) {
        collect(item, format!("{path}.items"), name, true, out);
    }
    out.push(Trait {
        path,
        name,
        node,
        items,
    });
}

/// The schemas that were read and look like identity schemas.
fn readable<'a>(cx: &Context<'a>) -> impl Iterator<Item = (&'a IdentitySchema, &'a Node)> {
    cx.schemas()
        .iter()
        .filter_map(|s| Some((s, s.root.as_ref()?)))
        .filter(|(_, root)| root.get(TRAITS).is_some())
}

/// KH150: an identity schema loaded over the network.
pub struct IdentitySchemaRemote;

static IDENTITY_SCHEMA_REMOTE: RuleMeta = RuleMeta {
    id: "KH150",
    name: "identity-schema-remote",
    threat: Threat::FlowBypass,
    severity: Severity::Medium,
    title: "An identity schema is fetched over the network",
    rationale: "Kratos loads `http(s)://` identity schemas from that host \
        instead of from the deployment. Whoever controls the host, its DNS or, with `http://`, \
        the network path can change which traits are identifiers, which addresses get verified \
        and what values are accepted, e.g. drop `format` or `verification.via`; when the host is \
        down Kratos cannot validate identities or refuses to start.",
    breaks: "Nothing if the embedded copy is the one currently served; later schema changes are \
        deployed with the config instead of on the remote host.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "ship the schema with the config and reference it as `file://…` (or embed it as \
            `base64://…`)",
    },
    references: &[
        CUSTOMIZE_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/schema/loader.go#L7-L9",
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L415-L419",
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L484-L500",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for IdentitySchemaRemote {
    fn meta(&self) -> &'static RuleMeta {
        &IDENTITY_SCHEMA_REMOTE
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for schema in cx.schemas() {
            if schema.location != SchemaLocation::Remote {
                continue;
            }
            let plain = cx
                .str(&schema.url_path)
                .is_some_and(crate::kratos::uri::is_plain_http);
            let how = if plain {
                "over plain HTTP, so anyone on the network path can swap it"
            } else {
                "from a remote host, so that host decides what identities may contain"
            };
            out.at(
                &schema.url_path,
                format!(
                    "`{}` loads identity schema `{}` {how}",
                    schema.url_path, schema.id
                ),
            );
        }
    }
}

/// KH151: an identity schema that cannot be read.
pub struct IdentitySchemaUnreadable;

static IDENTITY_SCHEMA_UNREADABLE: RuleMeta = RuleMeta {
    id: "KH151",
    name: "identity-schema-unreadable",
    threat: Threat::FlowBypass,
    severity: Severity::Low,
    title: "An identity schema could not be audited",
    rationale: "The identity-schema rules need the schema's contents. A `file://` path that does \
        not exist here (often an absolute path inside a container, such as \
        `/etc/config/kratos/identity.schema.json`), a file that is not JSON, a `base64://` value \
        that does not decode, a schema without `properties.traits`, or a scheme Kratos cannot \
        load means its traits were not checked; Kratos itself refuses to start on the last \
        three.",
    breaks: "Nothing: this only reports what was not audited.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "reference the schema as `file://` (relative to the config file) or \
            `base64://`, and audit it where the file exists",
    },
    references: &[
        SCHEMA_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/schema/loader.go#L7-L9",
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L484-L500",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/identity_meta.schema.json#L10-L17",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for IdentitySchemaUnreadable {
    fn meta(&self) -> &'static RuleMeta {
        &IDENTITY_SCHEMA_UNREADABLE
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for schema in cx.schemas() {
            let path = &schema.url_path;
            let id = &schema.id;
            match (&schema.location, &schema.problem, &schema.root) {
                (SchemaLocation::Remote, _, _) => {}
                (SchemaLocation::Unsupported, _, _) => {
                    out.at(
                        path,
                        format!(
                            "`{path}` uses a scheme Kratos cannot load (only `file://`, \
                             `base64://` and `http(s)://`), so identity schema `{id}` was not \
                             audited"
                        ),
                    );
                }
                (_, Some(problem), _) => {
                    let problem = problem.split_whitespace().collect::<Vec<_>>().join(" ");
                    out.at(
                        path,
                        format!("identity schema `{id}` at `{path}` was not audited: {problem}"),
                    )
                    .no_fix();
                }
                (_, None, Some(root)) if root.get(TRAITS).is_none() => {
                    out.at(
                        path,
                        format!(
                            "identity schema `{id}` at `{path}` has no `properties.traits`, so \
                             Kratos rejects it and it was not audited"
                        ),
                    )
                    .no_fix();
                }
                _ => {}
            }
        }
    }
}

/// Whole property names (lower-cased, without separators) that hold authorization data.
const AUTHZ_NAMES: &str = "group groups usergroup usergroups scope scopes staff isstaff \
    moderator ismoderator accesslevel clearance";

/// Whole property names of account-state flags an application acts on.
const STATE_NAMES: &str = "passwordreset mustchangepassword forcepasswordchange \
    passwordchangerequired verified isverified emailverified phoneverified approved isapproved \
    banned isbanned blocked isblocked locked islocked suspended issuspended";

/// Name parts (split at `_`, `-` and camel case) that mark authorization data on their own.
const AUTHZ_WORDS: &str = "role roles admin admins administrator superuser superadmin \
    permission permissions privilege privileges entitlement entitlements acl acls";

/// Name parts that, followed by an id part, tie the user to a tenant.
const TENANT_WORDS: &str =
    "tenant org organization organisation facility site company team department workspace";

/// True when `word` is one of the space-separated words of `list`.
fn listed(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|w| w == word)
}

/// The lower-case parts of a property name: `isAdmin` → `is`, `admin`; `facility_id` →
/// `facility`, `id`.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// What kind of trusted data a trait name suggests, if any.
fn authorization_kind(name: &str) -> Option<&'static str> {
    let parts = words(name);
    let joined: String = parts.concat();
    if parts.iter().any(|w| listed(AUTHZ_WORDS, w)) || listed(AUTHZ_NAMES, &joined) {
        return Some("authorization data");
    }
    if listed(STATE_NAMES, &joined) {
        return Some("an account-state flag");
    }
    let tenant = parts.iter().any(|w| listed(TENANT_WORDS, w));
    let id = parts
        .iter()
        .any(|w| matches!(w.as_str(), "id" | "ids" | "uuid"));
    (tenant && id).then_some("a tenant assignment")
}

/// KH152: authorization data kept in user-editable traits.
pub struct AuthorizationInTraits;

static AUTHORIZATION_IN_TRAITS: RuleMeta = RuleMeta {
    id: "KH152",
    name: "authorization-data-in-traits",
    threat: Threat::FlowBypass,
    severity: Severity::High,
    title: "Authorization data is stored in identity traits",
    rationale: "Traits are written by the identity owner: at registration and through the \
        settings flow's profile method, and Kratos has no read-only traits. A trait such as \
        `role`, `is_admin`, `permissions`, a tenant id or a `password_reset` flag that the \
        application trusts is therefore chosen by the user: they sign up or update their \
        profile with `role: admin` or another tenant's id and escalate privileges. Such data \
        belongs in `metadata_admin` or `metadata_public`, which only the admin API can write. \
        Reported as low when both registration and the profile method are disabled.",
    breaks: "The application must read the value from `metadata_public`/`metadata_admin` (or its \
        own store) and existing values must be migrated through the admin API.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "move the field out of `traits` into `metadata_admin` (or `metadata_public`) \
            and set it only through the admin API",
    },
    references: &[
        METADATA_DOC,
        PRACTICES_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/identity/identity.go#L100-L105",
        "https://github.com/ory/kratos/blob/v1.3.1/identity/identity.go#L123-L128",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/strategy/profile/strategy.go#L171-L177",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for AuthorizationInTraits {
    fn meta(&self) -> &'static RuleMeta {
        &AUTHORIZATION_IN_TRAITS
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let registration = cx.bool("selfservice.flows.registration.enabled") != Some(false);
        let writable = registration || method_enabled(cx, "profile");
        for (schema, root) in readable(cx) {
            for t in traits(root).iter().filter(|t| !t.items) {
                let Some(kind) = authorization_kind(t.name) else {
                    continue;
                };
                let finding = out.in_schema(
                    root,
                    &t.path,
                    format!(
                        "trait `{}` of identity schema `{}` looks like {kind}, which users can \
                         set themselves",
                        t.path, schema.id
                    ),
                );
                if !writable {
                    finding.severity(Severity::Low);
                }
            }
        }
    }
}

/// KH153: traits objects that accept undeclared keys.
pub struct TraitsAllowAdditional;

static TRAITS_ALLOW_ADDITIONAL: RuleMeta = RuleMeta {
    id: "KH153",
    name: "traits-allow-additional-properties",
    threat: Threat::FlowBypass,
    severity: Severity::Low,
    title: "Identity traits accept undeclared properties",
    rationale: "JSON Schema allows any extra key unless `additionalProperties: false` is set. A \
        user can then store keys the schema never declared, through the registration and \
        settings APIs: arbitrary data in every identity, and keys such as `role` that an \
        application reading `traits` might trust even though the schema does not define them.",
    breaks: "Identities that already hold undeclared keys fail validation on their next update \
        until the keys are removed through the admin API.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "add `\"additionalProperties\": false` to `properties.traits` and to every \
            nested object trait",
    },
    references: &[
        CUSTOMIZE_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/identity/identity.go#L100-L105",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/strategy/profile/strategy.go#L177",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for TraitsAllowAdditional {
    fn meta(&self) -> &'static RuleMeta {
        &TRAITS_ALLOW_ADDITIONAL
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (schema, root) in readable(cx) {
            let mut objects: Vec<(String, &Node)> = Vec::new();
            if let Some(node) = root.get(TRAITS) {
                objects.push((TRAITS.to_owned(), node));
            }
            for t in traits(root) {
                if t.has("properties") {
                    objects.push((t.path, t.node));
                }
            }
            objects.sort_by(|a, b| a.0.cmp(&b.0));
            for (path, node) in objects {
                match node.child("additionalProperties") {
                    Some(v) if v.as_bool() == Some(false) => {}
                    Some(_) => {
                        let at = format!("{path}.additionalProperties");
                        out.in_schema(
                            root,
                            &at,
                            format!(
                                "`{at}` of identity schema `{}` is not false, so users can add \
                                 undeclared keys",
                                schema.id
                            ),
                        );
                    }
                    None => {
                        out.in_schema(
                            root,
                            &path,
                            format!(
                                "`{path}` of identity schema `{}` has no `additionalProperties: \
                                 false`, so users can add undeclared keys",
                                schema.id
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// Formats whose validator bounds the length: `email` (254 characters, jsonschema's check) and
/// fixed-shape formats. `tel` is not here: Kratos's own length limit for it is unverified.
const BOUNDED_FORMATS: &str = "email date time date-time uuid ipv4 ipv6 hostname";

/// KH154: string traits without a length limit.
pub struct TraitWithoutMaxLength;

static TRAIT_WITHOUT_MAX_LENGTH: RuleMeta = RuleMeta {
    id: "KH154",
    name: "trait-without-max-length",
    threat: Threat::FlowBypass,
    severity: Severity::Low,
    title: "A string trait has no `maxLength`",
    rationale: "Kratos stores whatever passes the schema. A string trait without `maxLength`, \
        `enum` or a length-bounding `format` (`email`, dates) accepts values up to the \
        request body limit of several megabytes: one registration per bot fills the database, \
        and every session check (`/sessions/whoami`) and UI render then ships the oversized \
        identity.",
    breaks: "Users whose stored value is longer than the new limit fail validation on their \
        next profile update; pick a limit above real values.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "add a `maxLength` to every string trait (e.g. 100 for names, 320 for \
            free-form identifiers)",
    },
    references: &[
        CUSTOMIZE_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/cmd/daemon/serve.go#L119",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for TraitWithoutMaxLength {
    fn meta(&self) -> &'static RuleMeta {
        &TRAIT_WITHOUT_MAX_LENGTH
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (schema, root) in readable(cx) {
            for t in traits(root) {
                let bounded = t.has("maxLength")
                    || t.has("enum")
                    || t.has("const")
                    || t.format().is_some_and(|f| listed(BOUNDED_FORMATS, f));
                if t.has_type("string") && !bounded {
                    out.in_schema(
                        root,
                        &t.path,
                        format!(
                            "string trait `{}` of identity schema `{}` has no `maxLength`",
                            t.path, schema.id
                        ),
                    );
                }
            }
        }
    }
}

/// KH155: a login identifier that accepts any string.
pub struct IdentifierWithoutFormat;

static IDENTIFIER_WITHOUT_FORMAT: RuleMeta = RuleMeta {
    id: "KH155",
    name: "identifier-without-format",
    threat: Threat::FlowBypass,
    severity: Severity::Medium,
    title: "A login identifier has neither `format` nor `pattern`",
    rationale: "A trait marked as password or WebAuthn identifier without `format`, `pattern` or \
        a verification/recovery `via` (which make Kratos check the address format) accepts any \
        Unicode string. Attackers register look-alike identifiers (Cyrillic `а` for `a`, \
        zero-width or trailing spaces, an e-mail-like string for an address they do not own) to \
        impersonate other users in every place that displays the identifier, and there is no \
        address to verify.",
    breaks: "Identities whose stored identifier does not match the new `format`/`pattern` fail \
        validation on their next update and need cleaning up through the admin API.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "give the identifier `\"format\": \"email\"` (or `tel`), or an anchored \
            `pattern` such as `^[a-z0-9._-]{3,32}$` for user names",
    },
    references: &[
        CUSTOMIZE_DOC,
        PRACTICES_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/identity/extension_credentials.go#L58-L64",
        "https://github.com/ory/kratos/blob/v1.3.1/identity/extension_verification.go#L57-L73",
        "https://github.com/ory/kratos/blob/v1.3.1/identity/extension_recovery.go#L30-L34",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for IdentifierWithoutFormat {
    fn meta(&self) -> &'static RuleMeta {
        &IDENTIFIER_WITHOUT_FORMAT
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (schema, root) in readable(cx) {
            for t in traits(root) {
                let identifier = t.flag("credentials.password.identifier")
                    || t.flag("credentials.webauthn.identifier");
                // Kratos checks the address format itself for these (`identity/extension_*.go`).
                let checked_by_kratos = t.extension("verification.via").is_some()
                    || t.extension("recovery.via").is_some()
                    || t.flag("credentials.code.identifier");
                let shaped = t.format().is_some_and(|f| f != "no-validate")
                    || t.has("pattern")
                    || t.has("enum")
                    || t.has("const");
                if identifier && !checked_by_kratos && !shaped {
                    out.in_schema(
                        root,
                        &t.path,
                        format!(
                            "login identifier `{}` of identity schema `{}` has no `format` or \
                             `pattern`, so any string (including look-alikes) is accepted",
                            t.path, schema.id
                        ),
                    );
                }
            }
        }
    }
}

/// KH156: no trait that Kratos can verify or recover through.
pub struct NoVerifiableAddress;

static NO_VERIFIABLE_ADDRESS: RuleMeta = RuleMeta {
    id: "KH156",
    name: "no-verifiable-address",
    threat: Threat::FlowBypass,
    severity: Severity::Medium,
    title: "The identity schema has no verifiable or recoverable address",
    rationale: "Kratos only verifies and recovers through traits marked with \
        `ory.sh/kratos.verification.via` and `ory.sh/kratos.recovery.via`. Without one, \
        verification and `require_verified_address` can never apply, and a user who loses a \
        password can only be reset by an operator by hand, an invitation to social \
        engineering. A missing `recovery.via` alone, while the recovery flow is enabled, is \
        reported as low.",
    breaks: "Existing identities get an unverified address on their next update; users must then \
        verify it.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "add an e-mail trait with `\"format\": \"email\"` and `\"ory.sh/kratos\": \
            {\"verification\": {\"via\": \"email\"}, \"recovery\": {\"via\": \"email\"}}`",
    },
    references: &[
        SCHEMA_DOC,
        CUSTOMIZE_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/identity_extension.schema.json#L66-L85",
        "https://github.com/ory/kratos/blob/v1.3.1/identity/extension_verification.go#L44-L46",
        "https://github.com/ory/kratos/blob/v1.3.1/identity/extension_recovery.go#L30-L56",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for NoVerifiableAddress {
    fn meta(&self) -> &'static RuleMeta {
        &NO_VERIFIABLE_ADDRESS
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let recovery_enabled = cx.bool("selfservice.flows.recovery.enabled") == Some(true);
        for (schema, root) in readable(cx) {
            let all = traits(root);
            let verifiable = all
                .iter()
                .any(|t| t.extension("verification.via").is_some());
            let recoverable = all.iter().any(|t| t.extension("recovery.via").is_some());
            if !verifiable {
                let also = if recoverable {
                    ""
                } else {
                    " or `recovery.via`"
                };
                out.in_schema(
                    root,
                    TRAITS,
                    format!(
                        "no trait in `{TRAITS}` of identity schema `{}` has \
                         `ory.sh/kratos.verification.via`{also}, so no address can be verified",
                        schema.id
                    ),
                );
            } else if !recoverable && recovery_enabled {
                out.in_schema(
                    root,
                    TRAITS,
                    format!(
                        "no trait in `{TRAITS}` of identity schema `{}` has \
                         `ory.sh/kratos.recovery.via`, so the enabled recovery flow reaches \
                         nobody",
                        schema.id
                    ),
                )
                .severity(Severity::Low);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_snake_kebab_and_camel_case() {
        assert_eq!(words("facility_id"), ["facility", "id"]);
        assert_eq!(words("isAdmin"), ["is", "admin"]);
        assert_eq!(words("access-level"), ["access", "level"]);
        assert_eq!(words("URL"), ["url"]);
    }

    #[test]
    fn authorization_names() {
        assert_eq!(authorization_kind("role"), Some("authorization data"));
        assert_eq!(authorization_kind("isAdmin"), Some("authorization data"));
        assert_eq!(authorization_kind("tenant_id"), Some("a tenant assignment"));
        assert_eq!(
            authorization_kind("password_reset"),
            Some("an account-state flag")
        );
        for benign in [
            "email",
            "username",
            "organization",
            "group_name",
            "admiral",
            "userid",
        ] {
            assert_eq!(authorization_kind(benign), None, "{benign}");
        }
    }
}
