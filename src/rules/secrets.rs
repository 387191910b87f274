//! Service compromise through Kratos's own secrets: missing lists, published placeholders, short or patterned values, wrong cipher length,
//! reuse, secrets kept inline, and `${VAR}` literals that Kratos never expands.

use super::rotation;
use super::support::{SECRET_KEYS, has_secret, secret_items};
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::node::FileId;
use crate::finding::Finding;
use crate::fix::{FixEnv, FixResult};
use crate::kratos::credential::{describe, is_env_reference, is_placeholder, low_variety};

const ROTATION_DOC: &str = "https://www.ory.sh/docs/kratos/guides/secret-key-rotation";
const PRODUCTION_DOC: &str = "https://www.ory.sh/docs/kratos/guides/production";

/// What each secret list protects, for messages.
fn purpose(key: &str) -> &'static str {
    match key {
        "cookie" => "session, CSRF and continuity cookies and stored one-time codes",
        "cipher" => "the OIDC tokens Kratos stores encrypted",
        "pagination" => "pagination tokens",
        _ => "everything without a dedicated secret",
    }
}

/// True when `ciphers.algorithm` encrypts, so `secrets.cipher` keys hold stored OIDC tokens.
fn cipher_in_use(cx: &Context<'_>) -> bool {
    matches!(
        cx.str("ciphers.algorithm"),
        Some("aes" | "xchacha20-poly1305")
    )
}

/// What removing a cipher key breaks while an encrypting algorithm is selected.
const CIPHER_KEY_BREAKS: &str = "OIDC tokens stored with the removed key can no longer be \
    decrypted: the admin API returns them empty (`include_credential=oidc`) until each user \
    signs in with the provider again. Sessions are not affected.";

/// Grades a fix that replaces the entry at `path` of list `key`: safe, except a cipher key in
/// use, whose removal loses the OIDC tokens it encrypted.
fn grade_replacement(cx: &Context<'_>, key: &str, finding: &mut crate::finding::Finding) {
    if key != "cipher" {
        return;
    }
    if cipher_in_use(cx) {
        finding.applicability(Applicability::Unsafe, Some(CIPHER_KEY_BREAKS));
    } else {
        finding.applicability(
            Applicability::Safe,
            Some("Nothing: with `noop` no token is encrypted with it yet."),
        );
    }
}

/// A secret value that another rule of this file already explains better.
fn judged_elsewhere(value: &str) -> bool {
    is_env_reference(value) || is_placeholder(value)
}

/// KH201: no `secrets.default`.
pub struct SecretDefaultMissing;

static SECRET_DEFAULT_MISSING: RuleMeta = RuleMeta {
    id: "KH201",
    name: "default-secret-missing",
    threat: Threat::ServiceCompromise,
    severity: Severity::High,
    title: "`secrets.default` is not set",
    rationale: "Without `secrets.default` Kratos generates a random secret at every process \
        start. Everything signed with it, and with the cookie \
        secrets when `secrets.cookie` is also empty, stops verifying after a restart and differs \
        between replicas: users are signed out at random and flows fail. Operators then reach for \
        copy-pasted example secrets, which is worse.",
    breaks: "Nothing that works today: the current secret already changes at every restart.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "generate a random 32-character secret into `secrets.default`",
    },
    references: &[
        PRODUCTION_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L829-L844",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for SecretDefaultMissing {
    fn meta(&self) -> &'static RuleMeta {
        &SECRET_DEFAULT_MISSING
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, env: &mut FixEnv<'_>) -> FixResult {
        rotation::fix_for(cx, finding, env)
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if has_secret(cx, "default") {
            return;
        }
        let message = if has_secret(cx, "cookie") {
            "`secrets.default` is not set: Kratos generates a random one at every start"
        } else {
            "neither `secrets.default` nor `secrets.cookie` is set: Kratos signs cookies with a \
             random secret per process, so every restart signs everyone out and replicas reject \
             each other's cookies"
        };
        out.missing("secrets.default", message);
    }
}

/// KH202: no `secrets.cookie`.
pub struct SecretCookieMissing;

static SECRET_COOKIE_MISSING: RuleMeta = RuleMeta {
    id: "KH202",
    name: "cookie-secret-missing",
    threat: Threat::ServiceCompromise,
    severity: Severity::Medium,
    title: "`secrets.cookie` is not set",
    rationale: "Session, CSRF and continuity cookies and the HMACs of stored recovery, \
        verification and login codes are keyed with `secrets.cookie`, which falls back to \
        `secrets.default`. A dedicated cookie secret can \
        be rotated after a suspected leak without touching anything else; without either, the key \
        is random per process.",
    breaks: "Nothing if the current `secrets.default` values are kept after the new cookie secret, \
        so existing cookies still verify.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "generate `secrets.cookie` (new secret first, then the current `secrets.default` \
            values so existing sessions stay valid)",
    },
    references: &[
        ROTATION_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L846-L858",
        "https://github.com/ory/kratos/blob/v1.3.1/persistence/sql/persister_hmac.go#L15-L17",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for SecretCookieMissing {
    fn meta(&self) -> &'static RuleMeta {
        &SECRET_COOKIE_MISSING
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, env: &mut FixEnv<'_>) -> FixResult {
        rotation::fix_for(cx, finding, env)
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if has_secret(cx, "cookie") {
            return;
        }
        if has_secret(cx, "default") {
            out.missing(
                "secrets.cookie",
                "`secrets.cookie` is not set: cookies are keyed with `secrets.default`, which \
                 cannot then be rotated on its own",
            )
            .severity(Severity::Low);
        } else {
            out.missing(
                "secrets.cookie",
                "`secrets.cookie` is not set and has no `secrets.default` to fall back to: cookie \
                 keys are random per process",
            );
        }
    }
}

/// KH203: no `secrets.cipher`.
pub struct SecretCipherMissing;

static SECRET_CIPHER_MISSING: RuleMeta = RuleMeta {
    id: "KH203",
    name: "cipher-secret-missing",
    threat: Threat::ServiceCompromise,
    severity: Severity::High,
    title: "`secrets.cipher` is not set",
    rationale: "The OIDC access, refresh and ID tokens Kratos stores per identity are encrypted with \
        `secrets.cipher`. Without it the only working algorithm is `noop`, which \
        stores them hex-encoded: a database dump or SQL injection hands out live tokens for the \
        users' social accounts. With `aes` or `xchacha20-poly1305` selected and no cipher secret, \
        the config is invalid.",
    breaks: "Nothing: the secret is only used once an encrypting algorithm is selected.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "generate a random secret of exactly 32 characters into `secrets.cipher`",
    },
    references: &[
        "https://www.ory.sh/docs/kratos/reference/configuration",
        "https://github.com/ory/kratos/blob/v1.3.1/cipher/chacha20.go#L28-L45",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L3070-L3096",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for SecretCipherMissing {
    fn meta(&self) -> &'static RuleMeta {
        &SECRET_CIPHER_MISSING
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, env: &mut FixEnv<'_>) -> FixResult {
        rotation::fix_for(cx, finding, env)
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if has_secret(cx, "cipher") {
            return;
        }
        let algorithm = cx.str("ciphers.algorithm").unwrap_or("noop");
        if algorithm == "noop" {
            out.missing(
                "secrets.cipher",
                "`secrets.cipher` is not set, so stored OIDC tokens cannot be encrypted",
            )
            .severity(Severity::Medium);
        } else {
            out.missing(
                "secrets.cipher",
                format!(
                    "`ciphers.algorithm` is '{algorithm}' but `secrets.cipher` is not set: Kratos \
                     refuses this config"
                ),
            );
        }
    }
}

/// KH204: no `secrets.pagination` (v26).
pub struct SecretPaginationMissing;

static SECRET_PAGINATION_MISSING: RuleMeta = RuleMeta {
    id: "KH204",
    name: "pagination-secret-missing",
    threat: Threat::ServiceCompromise,
    severity: Severity::Low,
    title: "`secrets.pagination` is not set (v26)",
    rationale: "Kratos v26 encrypts the page tokens of the admin API's courier message list with \
        `secrets.pagination`; unset, it uses a fixed all-zero key that anyone can read and forge \
        tokens with. A page token only holds a position in that list, so this is obfuscation \
        rather than a security boundary, but the production guide lists the key with the other \
        secrets and a forged token lets a caller of the admin API steer the listing.",
    breaks: "Nothing: page tokens made with the built-in key keep working, as Kratos always \
        tries it last.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "generate a random 32-character secret into `secrets.pagination`",
    },
    references: &[
        PRODUCTION_DOC,
        "https://github.com/ory/kratos/blob/v26.2.0/courier/handler.go#L117",
        "https://github.com/ory/kratos/blob/v26.2.0/oryx/pagination/keysetpagination_v2/page_token.go#L18",
        "https://github.com/ory/kratos/blob/v26.2.0/oryx/pagination/keysetpagination_v2/page_token.go#L54-L61",
        "https://github.com/ory/kratos/blob/v26.2.0/oryx/pagination/keysetpagination_v2/request_params.go#L115-L123",
    ],
    versions: Versions::V26Only,
    production_only: false,
};

impl Rule for SecretPaginationMissing {
    fn meta(&self) -> &'static RuleMeta {
        &SECRET_PAGINATION_MISSING
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, env: &mut FixEnv<'_>) -> FixResult {
        rotation::fix_for(cx, finding, env)
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !has_secret(cx, "pagination") {
            out.missing(
                "secrets.pagination",
                "`secrets.pagination` is not set, so the courier message list's page tokens use \
                 a fixed, public key",
            );
        }
    }
}

/// KH205: a published placeholder secret.
pub struct SecretPlaceholder;

static SECRET_PLACEHOLDER: RuleMeta = RuleMeta {
    id: "KH205",
    name: "secret-placeholder",
    threat: Threat::ServiceCompromise,
    severity: Severity::Critical,
    title: "A Kratos secret is a published example value",
    rationale: "Quickstart and documentation secrets such as the ones containing CHANGE-ME, \
        INSECURE or NOT-SECURE are public. With the cookie secret an attacker forges session and \
        CSRF cookies and recomputes stored code HMACs; with the cipher secret they decrypt stored \
        OIDC tokens. Keeping such a value anywhere in the list keeps it valid for verification.",
    breaks: "Sessions signed with the placeholder end: users sign in again once.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "replace it with a generated secret; the placeholder is removed, not kept for rotation",
    },
    references: &[
        ROTATION_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/contrib/quickstart/kratos/email-password/kratos.yml#L77-L81",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for SecretPlaceholder {
    fn meta(&self) -> &'static RuleMeta {
        &SECRET_PLACEHOLDER
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, env: &mut FixEnv<'_>) -> FixResult {
        rotation::fix_for(cx, finding, env)
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for key in SECRET_KEYS {
            for (path, value) in secret_items(cx, key) {
                if is_placeholder(value) && !is_env_reference(value) {
                    let finding = out.at(
                        &path,
                        format!(
                            "`{path}` is a published example value ({}): anyone can forge or read \
                             {}",
                            describe(value),
                            purpose(key)
                        ),
                    );
                    grade_replacement(cx, key, finding);
                }
            }
        }
    }
}

/// KH206: a signing secret shorter than 32 characters.
pub struct SecretTooShort;

static SECRET_TOO_SHORT: RuleMeta = RuleMeta {
    id: "KH206",
    name: "secret-too-short",
    threat: Threat::ServiceCompromise,
    severity: Severity::High,
    title: "A Kratos secret is shorter than 32 characters",
    rationale: "Ory asks for high-entropy secrets (at least 256 bits) for `secrets.default`, \
        `secrets.cookie` and `secrets.pagination`; the schema refuses fewer than 16 characters. A \
        short secret used as an HMAC key can be brute-forced offline from a single signed cookie.",
    breaks: "Sessions signed with the short secret end: users sign in again once.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "replace it with a generated 32-character secret; the short one is removed",
    },
    references: &[
        ROTATION_DOC,
        PRODUCTION_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2637-L2656",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for SecretTooShort {
    fn meta(&self) -> &'static RuleMeta {
        &SECRET_TOO_SHORT
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, env: &mut FixEnv<'_>) -> FixResult {
        rotation::fix_for(cx, finding, env)
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for key in ["default", "cookie", "pagination"] {
            for (path, value) in secret_items(cx, key) {
                let len = value.chars().count();
                if len < 32 && !judged_elsewhere(value) {
                    let note = if len < 16 {
                        "; Kratos refuses secrets under 16 characters"
                    } else {
                        ""
                    };
                    out.at(
                        &path,
                        format!("`{path}` is {len} characters, below 32{note}"),
                    );
                }
            }
        }
    }
}

/// KH207: a secret whose characters show a pattern.
pub struct SecretLowVariety;

static SECRET_LOW_VARIETY: RuleMeta = RuleMeta {
    id: "KH207",
    name: "secret-low-variety",
    threat: Threat::ServiceCompromise,
    severity: Severity::High,
    title: "A Kratos secret has too little variety to be random",
    rationale: "A long secret made of a few repeated characters, a keyboard run or words is far \
        easier to guess than its length suggests: password crackers try exactly these patterns \
        first. Secrets must come from a CSPRNG.",
    breaks: "Sessions signed with it end: users sign in again once.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "replace it with a generated random secret; the patterned one is removed",
    },
    references: &[
        ROTATION_DOC,
        PRODUCTION_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2637-L2670",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for SecretLowVariety {
    fn meta(&self) -> &'static RuleMeta {
        &SECRET_LOW_VARIETY
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, env: &mut FixEnv<'_>) -> FixResult {
        rotation::fix_for(cx, finding, env)
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for key in SECRET_KEYS {
            for (path, value) in secret_items(cx, key) {
                if value.chars().count() >= 32 && !judged_elsewhere(value) && low_variety(value) {
                    let finding = out.at(
                        &path,
                        format!(
                            "`{path}` ({}) follows a guessable pattern, not random characters",
                            describe(value)
                        ),
                    );
                    grade_replacement(cx, key, finding);
                }
            }
        }
    }
}

/// KH208: a cipher secret that is not exactly 32 ASCII characters.
pub struct CipherSecretWrongLength;

static CIPHER_SECRET_WRONG_LENGTH: RuleMeta = RuleMeta {
    id: "KH208",
    name: "cipher-secret-wrong-length",
    threat: Threat::ServiceCompromise,
    severity: Severity::High,
    title: "A `secrets.cipher` entry is not exactly 32 ASCII characters",
    rationale: "Cipher secrets are used directly as 256-bit keys: the config schema requires \
        every `secrets.cipher` entry to be exactly 32 characters (minLength = maxLength = 32), so \
        Kratos refuses to start with any other entry, and its code keeps only entries whose byte \
        length is 32. The production guide's `openssl rand -base64 32` gives 44 characters, which \
        does not fit.",
    breaks: "Nothing that works today: the entry is not usable as it is.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "replace it with a generated secret of exactly 32 ASCII characters",
    },
    references: &[
        "https://www.ory.sh/docs/kratos/reference/configuration",
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L865-L882",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for CipherSecretWrongLength {
    fn meta(&self) -> &'static RuleMeta {
        &CIPHER_SECRET_WRONG_LENGTH
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, env: &mut FixEnv<'_>) -> FixResult {
        rotation::fix_for(cx, finding, env)
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (path, value) in secret_items(cx, "cipher") {
            if is_env_reference(value) {
                continue;
            }
            let chars = value.chars().count();
            if !value.is_ascii() {
                out.at(
                    &path,
                    format!(
                        "`{path}` has non-ASCII characters: it is {} bytes, not 32",
                        value.len()
                    ),
                );
            } else if chars != 32 {
                out.at(
                    &path,
                    format!("`{path}` is {chars} characters; cipher secrets must be exactly 32"),
                );
            }
        }
    }
}

/// KH212: a continuity cookie key pair whose block key is not an AES key.
pub struct ContinuityKeyPairInvalid;

static CONTINUITY_KEY_PAIR_INVALID: RuleMeta = RuleMeta {
    id: "KH212",
    name: "cookie-secret-pair-not-aes-key",
    threat: Threat::ServiceCompromise,
    severity: Severity::High,
    title: "An odd-index entry of the cookie secrets is not a 16, 24 or 32-byte AES key",
    rationale: "Kratos hands `secrets.cookie` (or `secrets.default` when `cookie` is unset) to \
        its continuity cookie store as it stands, and gorilla/securecookie reads that list as \
        key pairs (hash key, block key, hash key, block key…): each entry at index 1, 3, 5… is \
        used as an AES key and must be exactly 16, 24 or 32 bytes. If it is not, that pair \
        cannot encode, and with no working pair every continuity cookie fails: social (OIDC) \
        sign-in and privileged settings re-authentication stop working. Session cookies are \
        not affected (they pair each secret with its own SHA-256). A rotation such as \
        `[new-43-chars, old-secret]` causes exactly this.",
    breaks: "Nothing that works today: the pair could not encode continuity cookies. Sessions \
        stay valid (no secret is removed).",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "insert a generated 32-character entry before each entry that sits at an odd \
            index, so every block key is a valid AES key; no secret is removed",
    },
    references: &[
        "https://github.com/ory/kratos/blob/v1.3.1/driver/registry_default.go#L553-L559",
        "https://github.com/ory/kratos/blob/v26.2.0/driver/registry_default.go#L548-L554",
        "https://github.com/gorilla/securecookie/blob/main/securecookie.go",
        "https://github.com/ory/kratos/pull/4532",
        ROTATION_DOC,
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for ContinuityKeyPairInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &CONTINUITY_KEY_PAIR_INVALID
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, env: &mut FixEnv<'_>) -> FixResult {
        rotation::fix_for(cx, finding, env)
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        // The effective list: `cookie`, else `default` (Kratos's SecretsSession fallback).
        let key = if has_secret(cx, "cookie") {
            "cookie"
        } else {
            "default"
        };
        let items = secret_items(cx, key);
        let stands_in = if key == "default" {
            " (it stands in for the unset `secrets.cookie`)"
        } else {
            ""
        };
        for (index, (path, value)) in items.iter().enumerate() {
            if index % 2 == 1 && !rotation::is_aes_key(value) {
                out.at(
                    path,
                    format!(
                        "`{path}` is {} bytes but is read as the AES block key of a continuity \
                         cookie key pair{stands_in}; it must be 16, 24 or 32 bytes, or that pair \
                         cannot encode the cookies of OIDC sign-in and settings re-authentication",
                        value.len()
                    ),
                );
            }
        }
    }
}

/// KH209: the same secret in two places.
pub struct SecretReused;

static SECRET_REUSED: RuleMeta = RuleMeta {
    id: "KH209",
    name: "secret-reused",
    threat: Threat::ServiceCompromise,
    severity: Severity::Medium,
    title: "The same secret is used twice",
    rationale: "A duplicate inside one list violates the schema's `uniqueItems`; the same value in \
        two lists means one leak (for example a cipher key in a log) compromises both purposes, \
        and rotating one silently keeps the other. (`secrets.cookie` repeating `secrets.default` \
        is not reported: cookies fall back to the default secrets anyway.)",
    breaks: "Whatever the replaced copy protected must be re-issued.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "remove the duplicate entry, or give the second list its own generated secret",
    },
    references: &[
        "https://www.ory.sh/docs/kratos/guides/secret-key-rotation",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2637-L2670",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for SecretReused {
    fn meta(&self) -> &'static RuleMeta {
        &SECRET_REUSED
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, env: &mut FixEnv<'_>) -> FixResult {
        rotation::fix_for(cx, finding, env)
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let mut seen: Vec<(&str, String, &str)> = Vec::new();
        for key in SECRET_KEYS {
            for (path, value) in secret_items(cx, key) {
                if is_env_reference(value) {
                    continue;
                }
                let clash = seen
                    .iter()
                    .find(|(k, _, v)| *v == value && !shares_purpose(k, key));
                if let Some((_, first, _)) = clash {
                    let message = format!("`{path}` repeats the secret at `{first}`");
                    out.at(&path, message);
                }
                seen.push((key, path, value));
            }
        }
    }
}

/// `secrets.cookie` falls back to `secrets.default` in Kratos, so carrying default values in
/// the cookie list (the documented way to split them without signing everyone out) is not
/// reuse; a repeat inside one list is.
fn shares_purpose(a: &str, b: &str) -> bool {
    a != b && matches!((a, b), ("default", "cookie") | ("cookie", "default"))
}

/// KH210: secrets written inline in a config file.
pub struct SecretInline;

static SECRET_INLINE: RuleMeta = RuleMeta {
    id: "KH210",
    name: "secret-inline",
    threat: Threat::ServiceCompromise,
    severity: Severity::Medium,
    title: "Kratos secrets are written inline in the config file",
    rationale: "Config files are committed, copied into images and attached to tickets; secrets in \
        them leak with the file (corpus 09, 13 and 14 committed theirs to git). Kept in environment \
        variables (`SECRETS_COOKIE`, …) from a secret store they can be rotated without a commit. \
        Remove them from the file rather than overriding them: env arrays merge element-wise into \
        file arrays, so an old entry at index 1 would stay valid.",
    breaks: "Kratos needs the environment variables set before the next start.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "move the values to SECRETS_* environment variables or a secret store and delete \
            them from the file",
    },
    references: &[
        "https://www.ory.sh/docs/kratos/configuring",
        "https://github.com/ory/x/blob/v0.0.660/configx/koanf_env.go#L94-L171",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for SecretInline {
    fn meta(&self) -> &'static RuleMeta {
        &SECRET_INLINE
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        // One finding per file: the risk is the file carrying secrets, which one more key in
        // it does not change (so a fix generating a secret into a file that already holds
        // some adds no finding, and one that would start a file holding them is refused).
        let mut by_file: Vec<(FileId, Vec<(&str, usize)>)> = Vec::new();
        for key in SECRET_KEYS {
            let count = secret_items(cx, key)
                .into_iter()
                .filter(|(_, v)| !is_env_reference(v))
                .count();
            let path = format!("secrets.{key}");
            // Values set by an env file are where they belong.
            let Some(node) = cx.get(&path).filter(|n| cx.deployment.in_config_file(n)) else {
                continue;
            };
            if count == 0 {
                continue;
            }
            match by_file.iter_mut().find(|(f, _)| *f == node.pos.file) {
                Some((_, keys)) => keys.push((key, count)),
                None => by_file.push((node.pos.file, vec![(key, count)])),
            }
        }
        for (file, keys) in by_file {
            let shown = cx.deployment.source(file).display.clone();
            let paths: Vec<String> = keys.iter().map(|(k, _)| format!("`secrets.{k}`")).collect();
            let variables: Vec<String> = keys
                .iter()
                .map(|(k, _)| format!("SECRETS_{}", k.to_ascii_uppercase()))
                .collect();
            let total: usize = keys.iter().map(|(_, n)| n).sum();
            // Reported at the first inline key, under the path of the whole `secrets` block.
            let finding = out.at(
                &format!("secrets.{}", keys[0].0),
                format!(
                    "{} {} {total} secret{} inline in {shown}; set {} from a secret store \
                     instead",
                    paths.join(", "),
                    if keys.len() == 1 { "holds" } else { "hold" },
                    if total == 1 { "" } else { "s" },
                    variables.join(", ")
                ),
            );
            "secrets".clone_into(&mut finding.path);
            if cx.deployment.chart.helm {
                finding.fix_summary(
                    "move the values into a Secret you manage (`secret.enabled: false`, \
                     `secret.nameOverride`, keys `secretsDefault`, `secretsCookie`, \
                     `secretsCipher`) and delete them from the values file",
                );
            }
        }
    }
}

/// KH211: `${VAR}` written in the config, which Kratos takes literally.
pub struct EnvReferenceLiteral;

static ENV_REFERENCE_LITERAL: RuleMeta = RuleMeta {
    id: "KH211",
    name: "env-reference-not-expanded",
    threat: Threat::ServiceCompromise,
    severity: Severity::High,
    title: "A value contains `${VAR}`, which Kratos does not expand",
    rationale: "Kratos reads config files as they are, without expanding variables: `${VAR}` is the \
        literal text, not the variable. A client secret, API key or password written this way is a \
        public, guessable string, and URLs written this way point nowhere. Kratos maps every key to \
        its own environment variable instead (`SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS_0_CLIENT_SECRET`).",
    breaks: "Nothing that works today: the literal value is not what was meant.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "delete the key and set Kratos's environment variable for it, or render the file \
            with envsubst before Kratos starts",
    },
    references: &[
        "https://www.ory.sh/docs/kratos/configuring",
        "https://github.com/ory/x/blob/v0.0.660/configx/koanf_file.go#L57-L88",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for EnvReferenceLiteral {
    fn meta(&self) -> &'static RuleMeta {
        &ENV_REFERENCE_LITERAL
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        // A template (`--template`) is rendered before Kratos reads it.
        if cx.deployment.template {
            return;
        }
        for (path, _) in cx.root.find_strings(&is_env_reference) {
            let variable = path.to_ascii_uppercase().replace('.', "_");
            out.at(
                &path,
                format!(
                    "`{path}` holds a `${{…}}` reference that Kratos uses literally; set \
                     {variable} in Kratos's environment instead"
                ),
            );
        }
    }
}
