//! Service compromise through weak stored-data crypto: the `noop` cipher for stored OIDC tokens, an `argon2` block that the schema default `bcrypt`
//! silently ignores, a low bcrypt cost and weak Argon2id parameters.
//!
//! Byte sizes (`hashers.argon2.memory`) are read the way Kratos reads them (go-bytesize): binary
//! units, `1KB` = 1024 bytes, `128MB` = 128 MiB.

use serde_json::Value;

use super::rotation;
use super::support::{method_enabled, secret_items};
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::node::Node;
use crate::finding::Finding;
use crate::fix::{FixEnv, FixPlan, FixResult, set};
use crate::patch::Op;

const CONFIG_DOC: &str = "https://www.ory.sh/docs/kratos/reference/configuration";
const CALIBRATE_DOC: &str = "https://www.ory.sh/docs/kratos/cli/kratos-hashers-argon2-calibrate";

/// Bcrypt cost Kratos enforces outside dev mode (`HasherBcrypt` in `driver/config/config.go`).
const BCRYPT_MIN_COST: i64 = 12;
/// Kratos's Argon2 memory default, in KiB (128MB).
const ARGON2_DEFAULT_KIB: u64 = 128 * 1024;
/// OWASP's Argon2id floor (19 MiB with two iterations), in KiB.
const OWASP_MIN_KIB: u64 = 19 * 1024;
/// OWASP's Argon2id floor for a single iteration (46 MiB), in KiB.
const OWASP_ONE_PASS_KIB: u64 = 46 * 1024;

/// The password hasher Kratos really uses: the schema default `bcrypt` wins over the Go
/// fallback `argon2` (the schema defaults are Kratos's lowest config layer).
fn hasher<'a>(cx: &Context<'a>) -> &'a str {
    cx.str("hashers.algorithm").unwrap_or("bcrypt")
}

/// Parses a go-bytesize string (`128MB`, `1KB`, `1 GB`) into KiB; `None` when unreadable.
fn memory_kib(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let number: u64 = text[..digits].parse().ok()?;
    let shift = match text[digits..].trim().to_ascii_uppercase().as_str() {
        "B" => return Some(number / 1024),
        "KB" => 0,
        "MB" => 10,
        "GB" => 20,
        "TB" => 30,
        "PB" => 40,
        "EB" => 50,
        _ => return None,
    };
    number.checked_mul(1 << shift)
}

/// KiB written back for messages (`1 KiB`, `64 MiB`).
fn show_kib(kib: u64) -> String {
    if kib >= 1024 && kib.is_multiple_of(1024) {
        format!("{} MiB", kib / 1024)
    } else {
        format!("{kib} KiB")
    }
}

/// True when the Argon2 memory setting would be reported by KH223 (too little for the number
/// of iterations). An unreadable size is left to Kratos's schema validation, as in the check.
fn argon2_memory_weak(cx: &Context<'_>) -> bool {
    let iterations = cx
        .get("hashers.argon2.iterations")
        .and_then(Node::as_i64)
        .unwrap_or(1);
    cx.str("hashers.argon2.memory")
        .and_then(memory_kib)
        .is_some_and(|kib| kib < OWASP_MIN_KIB || (iterations < 2 && kib < ARGON2_DEFAULT_KIB))
}

/// The operations that raise every Argon2 parameter KH223 reports to its recommended value:
/// `memory: 128MB` (enough for any iteration count), `key_length: 32`, `salt_length: 16`.
/// KH221 and KH223 share them, so a run that fixes both writes each key once.
fn argon2_param_ops(cx: &Context<'_>) -> Vec<Op> {
    let mut ops = Vec::new();
    if argon2_memory_weak(cx) {
        ops.push(set("hashers.argon2.memory", Value::from("128MB")));
    }
    for (key, floor) in [("key_length", 32), ("salt_length", 16)] {
        let path = format!("hashers.argon2.{key}");
        if cx
            .get(&path)
            .and_then(Node::as_i64)
            .is_some_and(|v| v < floor)
        {
            ops.push(set(&path, Value::from(floor)));
        }
    }
    ops
}

/// KH220: stored OIDC tokens are not encrypted.
pub struct CipherNoop;

static CIPHER_NOOP: RuleMeta = RuleMeta {
    id: "KH220",
    name: "cipher-algorithm-noop",
    threat: Threat::ServiceCompromise,
    severity: Severity::High,
    title: "`ciphers.algorithm` is `noop`: stored OIDC tokens are not encrypted",
    rationale: "Kratos stores the access, refresh and ID tokens of every social sign-in with the \
        algorithm in `ciphers.algorithm`, whose default is `noop`: hex encoding, no encryption. \
        Anyone who reads the database (a dump, a backup, an SQL injection elsewhere) decodes live \
        tokens and calls the users' Google, GitHub or other provider accounts with them. The \
        same cipher protects the OIDC `state` parameter, which carries the flow id, the \
        provider and the PKCE verifier: under `noop` it travels readable in the authorization \
        URL, so PKCE protects nothing. With OIDC disabled nothing is stored yet, but enabling \
        it later starts storing tokens in clear.",
    breaks: "Tokens stored so far are hex, which the new cipher cannot decrypt: the admin API \
        returns them empty until each user next signs in with the provider, and social \
        sign-ins in progress during the switch must start again. Kratos refuses to start \
        without a valid `secrets.cipher`.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set `ciphers.algorithm: xchacha20-poly1305` and generate a 32-character \
            `secrets.cipher`",
    },
    references: &[
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2749-L2758",
        "https://github.com/ory/kratos/blob/v1.3.1/cipher/noop.go#L19-L27",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/strategy/oidc/state.go#L40-L53",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/strategy/oidc/strategy.go#L826-L842",
        "https://github.com/ory/kratos/blob/v1.3.1/identity/identity.go#L466-L476",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for CipherNoop {
    fn meta(&self) -> &'static RuleMeta {
        &CIPHER_NOOP
    }
    fn fix(&self, cx: &Context<'_>, _finding: &Finding, env: &mut FixEnv<'_>) -> FixResult {
        let mut ops = vec![set("ciphers.algorithm", Value::from("xchacha20-poly1305"))];
        // Kratos refuses an encrypting algorithm without a usable cipher secret. The list comes
        // from the secret rules' own computation (memoised), so both fixes write the same one.
        let usable = secret_items(cx, "cipher")
            .iter()
            .any(|(_, v)| rotation::acceptable("cipher", v));
        if !usable && let Some(list) = rotation::fixed_list(cx, "cipher", env)? {
            ops.push(set("secrets.cipher", list));
        }
        Ok(FixPlan::Ops(ops))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let explicit = cx.str("ciphers.algorithm");
        if explicit.is_some_and(|a| a != "noop") {
            return;
        }
        let how = if explicit.is_some() {
            "is `noop`"
        } else {
            "is not set and defaults to `noop`"
        };
        if method_enabled(cx, "oidc") {
            out.at(
                "ciphers.algorithm",
                format!(
                    "`ciphers.algorithm` {how}, so the OIDC tokens Kratos stores are only \
                     hex-encoded"
                ),
            );
        } else {
            out.at(
                "ciphers.algorithm",
                format!(
                    "`ciphers.algorithm` {how}: no OIDC tokens are stored while OIDC is off, but \
                     enabling it would store them unencrypted"
                ),
            )
            .severity(Severity::Low);
        }
    }
}

/// KH221: an `argon2` block while Kratos hashes with bcrypt.
pub struct Argon2ParamsIgnored;

static ARGON2_PARAMS_IGNORED: RuleMeta = RuleMeta {
    id: "KH221",
    name: "argon2-settings-ignored",
    threat: Threat::ServiceCompromise,
    severity: Severity::Medium,
    title: "`hashers.argon2` is configured but Kratos hashes passwords with bcrypt",
    rationale: "The schema default `hashers.algorithm: bcrypt` is loaded as the lowest config \
        layer and wins over the Go fallback `argon2`, so a \
        config that only tunes `hashers.argon2.*` keeps hashing with bcrypt. The operator \
        believes passwords are protected by the memory-hard parameters they calibrated; in fact \
        the GPU-friendly bcrypt is used, and the argon2 block gives false assurance in reviews.",
    breaks: "Existing bcrypt hashes keep verifying: Kratos compares any supported hash format and \
        re-hashes a password with the configured hasher after its next successful login. \
        Argon2 uses the \
        configured memory per login (128MB by default), so login bursts need that memory: \
        calibrate first.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set `hashers.algorithm: argon2` (or delete `hashers.argon2` if bcrypt is \
            intended)",
    },
    references: &[
        CONFIG_DOC,
        CALIBRATE_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2674-L2681",
        "https://github.com/ory/x/blob/v0.0.660/configx/koanf_schema_defaults.go#L20-L40",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/strategy/password/login.go#L108-L117",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for Argon2ParamsIgnored {
    fn meta(&self) -> &'static RuleMeta {
        &ARGON2_PARAMS_IGNORED
    }
    fn fix(&self, cx: &Context<'_>, _finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        if let Some(other) = cx.str("hashers.algorithm") {
            return Ok(FixPlan::Manual(format!(
                "`hashers.algorithm` is explicitly '{other}', so which hasher is intended is the \
                 operator's call: delete `hashers.argon2` if {other} is meant, or set \
                 `hashers.algorithm: argon2` after sizing memory for concurrent logins"
            )));
        }
        // Selecting argon2 puts the written parameters in force: raise the weak ones with it.
        let mut ops = vec![set("hashers.algorithm", Value::from("argon2"))];
        ops.extend(argon2_param_ops(cx));
        Ok(FixPlan::Ops(ops))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.get("hashers.argon2").is_none_or(Node::is_null) {
            return;
        }
        match cx.str("hashers.algorithm") {
            None => {
                out.missing(
                    "hashers.algorithm",
                    "`hashers.argon2` is configured but `hashers.algorithm` is not set: the schema \
                     default bcrypt is used and the argon2 settings are ignored",
                );
            }
            Some("argon2") => {}
            Some(other) => {
                out.at(
                    "hashers.algorithm",
                    format!(
                        "`hashers.algorithm` is '{other}', so the settings in `hashers.argon2` \
                         are ignored"
                    ),
                )
                .severity(Severity::Low);
            }
        }
    }
}

/// KH222: bcrypt cost below 12.
pub struct BcryptCostLow;

static BCRYPT_COST_LOW: RuleMeta = RuleMeta {
    id: "KH222",
    name: "bcrypt-cost-low",
    threat: Threat::ServiceCompromise,
    severity: Severity::Medium,
    title: "`hashers.bcrypt.cost` is below 12",
    rationale: "Each bcrypt cost step halves the work of cracking a leaked hash. Outside dev mode \
        Kratos raises any cost below 12 to 12, so the \
        setting is misleading rather than effective; with `dev: true` it is used as written, and \
        cost 4 or 8 makes offline cracking of a database dump 256 or 16 times cheaper.",
    breaks: "Nothing functional: a login costs about as much CPU as Kratos already spends outside \
        dev mode. The higher cost protects new and changed passwords only: Kratos re-hashes at login \
        when the algorithm changes, never after a cost change, so existing hashes keep the old \
        cost until the user changes the password.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "set `hashers.bcrypt.cost: 12`",
    },
    references: &[
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L560-L567",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/strategy/password/login.go#L108-L117",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for BcryptCostLow {
    fn meta(&self) -> &'static RuleMeta {
        &BCRYPT_COST_LOW
    }
    fn fix(&self, _cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(FixPlan::Ops(vec![set(
            &finding.path,
            Value::from(BCRYPT_MIN_COST),
        )]))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if hasher(cx) != "bcrypt" {
            return;
        }
        let Some(cost) = cx.get("hashers.bcrypt.cost").and_then(Node::as_i64) else {
            return;
        };
        if cost >= BCRYPT_MIN_COST {
            return;
        }
        let path = "hashers.bcrypt.cost";
        if cx.dev_mode() {
            out.at(
                path,
                format!("`{path}` is {cost} and `dev: true` makes Kratos use it: below 12"),
            );
        } else {
            out.at(
                path,
                format!(
                    "`{path}` is {cost}; Kratos silently uses 12 outside dev mode, so the setting \
                     is misleading"
                ),
            )
            .severity(Severity::Low);
        }
    }
}

/// KH223: Argon2id parameters below the recommended floor.
pub struct Argon2Weak;

static ARGON2_WEAK: RuleMeta = RuleMeta {
    id: "KH223",
    name: "argon2-parameters-weak",
    threat: Threat::ServiceCompromise,
    severity: Severity::High,
    title: "Argon2id parameters are weaker than recommended",
    rationale: "Argon2id resists GPU cracking through memory: OWASP's minimum is 19 MiB with two \
        iterations (46 MiB with one). Kratos's default is 128MB with one iteration. A value like \
        the e2e profile's `1KB` removes that protection: leaked hashes are cracked on GPUs at \
        close to fast-hash speed. A `key_length` below 32 bytes shortens the stored hash; a \
        `salt_length` below 16 is refused by the schema.",
    breaks: "Each login then uses the configured memory (128MB by default): size the container \
        and `hashers.argon2.dedicated_memory` for concurrent logins. Only new and changed \
        passwords get the stronger parameters: Kratos re-hashes at login when the algorithm \
        changes, never after a parameter change.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set `hashers.argon2.memory: 128MB` with `iterations` 1 or more (or at least \
            19MB with `iterations: 2`), `key_length: 32`, `salt_length: 16`",
    },
    references: &[
        CONFIG_DOC,
        CALIBRATE_DOC,
        "https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2682-L2730",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/strategy/password/login.go#L108-L117",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for Argon2Weak {
    fn meta(&self) -> &'static RuleMeta {
        &ARGON2_WEAK
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        // Only this finding's key; the values are the ones KH221's fix writes too.
        let ops: Vec<Op> = argon2_param_ops(cx)
            .into_iter()
            .filter(|op| op.path() == finding.path)
            .collect();
        if ops.is_empty() {
            return Ok(FixPlan::Manual(format!(
                "`{}` has no automatic fix; set it as the catalog recommends",
                finding.path
            )));
        }
        Ok(FixPlan::Ops(ops))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        // Parameters written under a hasher that is not in force are still judged, at low
        // severity: selecting argon2 (the fix of KH221) would put them in force as they are.
        let dormant = hasher(cx) != "argon2";
        if dormant && cx.get("hashers.argon2").is_none() {
            return;
        }
        let before = out.len();
        let iterations = cx
            .get("hashers.argon2.iterations")
            .and_then(Node::as_i64)
            .unwrap_or(1);
        let written = cx.str("hashers.argon2.memory");
        let memory = match written {
            Some(text) => memory_kib(text),
            None => Some(ARGON2_DEFAULT_KIB),
        };
        if let (Some(kib), Some(text)) = (memory, written) {
            let path = "hashers.argon2.memory";
            if kib < OWASP_MIN_KIB || (iterations < 2 && kib < OWASP_ONE_PASS_KIB) {
                out.at(
                    path,
                    format!(
                        "`{path}` is {text} ({}) with {iterations} iteration(s), below OWASP's \
                         Argon2id minimum",
                        show_kib(kib)
                    ),
                );
            } else if iterations < 2 && kib < ARGON2_DEFAULT_KIB {
                out.at(
                    path,
                    format!(
                        "`{path}` is {text} with a single iteration, below the 128MB default \
                         recommended for one pass"
                    ),
                )
                .severity(Severity::Low);
            }
        }
        let key = "hashers.argon2.key_length";
        if let Some(len) = cx.get(key).and_then(Node::as_i64).filter(|l| *l < 32) {
            out.at(key, format!("`{key}` is {len} bytes, below the default 32"))
                .severity(Severity::Low)
                .fix_summary("set `hashers.argon2.key_length: 32`");
        }
        let salt = "hashers.argon2.salt_length";
        if let Some(len) = cx.get(salt).and_then(Node::as_i64).filter(|l| *l < 16) {
            out.at(
                salt,
                format!("`{salt}` is {len} bytes, below 16; Kratos's schema refuses it"),
            )
            .severity(Severity::Medium)
            .fix_summary("set `hashers.argon2.salt_length: 16`");
        }
        if dormant {
            for finding in out.since(before) {
                finding.severity = Severity::Low;
                finding.message.push_str(
                    " (not in force yet: `hashers.algorithm` is not argon2, but would be after \
                     switching)",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Deployment;
    use crate::fix::SecretsTo;
    use crate::rules::{Profile, check_all};
    use crate::secret::OsSecrets;

    /// The operations of `id`'s fix for its first finding, and of the other rules' fixes for
    /// the same config in the same run.
    fn plans(config: &str, ids: &[&str]) -> Vec<Vec<Op>> {
        let d = Deployment::from_texts(vec![("k.yml".into(), "k.yml".into(), config.into())])
            .expect("loads");
        let cx = Context::new(&d, Profile::Production, None);
        let findings = check_all(&cx);
        let mut rng = OsSecrets;
        let mut env = FixEnv::new(&mut rng, SecretsTo::Inline);
        ids.iter()
            .map(|id| {
                let finding = findings
                    .iter()
                    .find(|f| f.rule.id == *id)
                    .expect("the rule fires");
                let rule = crate::rules::RULES
                    .iter()
                    .find(|r| r.meta().id == *id)
                    .expect("rule");
                match rule.fix(&cx, finding, &mut env).expect("rng") {
                    FixPlan::Ops(ops) => ops,
                    FixPlan::Manual(_) => Vec::new(),
                }
            })
            .collect()
    }

    /// The list an `Op::Set` writes.
    fn set_list(op: &Op) -> &Vec<Value> {
        match op {
            Op::Set { value, .. } => value.as_array(),
            _ => None,
        }
        .expect("sets a list")
    }

    #[test]
    fn cipher_fix_generates_the_same_secret_list_as_the_secret_rules() {
        let config = "selfservice:\n  methods:\n    oidc:\n      enabled: true\n";
        let plans = plans(config, &["KH220", "KH203"]);
        let (noop, missing) = (&plans[0], &plans[1]);
        assert_eq!(
            noop[0],
            set("ciphers.algorithm", Value::from("xchacha20-poly1305"))
        );
        assert_eq!(noop[1].path(), "secrets.cipher");
        let list = set_list(&noop[1]);
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].as_str().map(str::len), Some(32));
        assert_eq!(
            missing,
            &vec![noop[1].clone()],
            "one list for both findings"
        );
    }

    #[test]
    fn cipher_fix_replaces_a_placeholder_only_list() {
        let config = "secrets:\n  cipher: [32-LONG-SECRET-NOT-SECURE-AT-ALL]\n";
        let ops = &plans(config, &["KH220"])[0];
        assert_eq!(ops.len(), 2);
        let list = set_list(&ops[1]);
        assert_eq!(list.len(), 1, "the placeholder is not kept");
        assert!(rotation::acceptable(
            "cipher",
            list[0].as_str().expect("string")
        ));
    }

    #[test]
    fn selecting_argon2_raises_weak_parameters_with_it() {
        let config = "hashers:\n  argon2:\n    memory: 1KB\n    salt_length: 8\n";
        let ops = &plans(config, &["KH221"])[0];
        assert_eq!(
            ops,
            &vec![
                set("hashers.algorithm", Value::from("argon2")),
                set("hashers.argon2.memory", Value::from("128MB")),
                set("hashers.argon2.salt_length", Value::from(16)),
            ]
        );
    }

    #[test]
    fn byte_sizes_are_binary() {
        assert_eq!(memory_kib("1KB"), Some(1));
        assert_eq!(memory_kib("128MB"), Some(128 * 1024));
        assert_eq!(memory_kib("1GB"), Some(1024 * 1024));
        assert_eq!(memory_kib("2048B"), Some(2));
        assert_eq!(memory_kib("19 mb"), Some(19 * 1024));
        assert_eq!(memory_kib("lots"), None);
        assert_eq!(memory_kib("12XB"), None);
    }

    #[test]
    fn kib_display() {
        assert_eq!(show_kib(1), "1 KiB");
        assert_eq!(show_kib(64 * 1024), "64 MiB");
    }
}
