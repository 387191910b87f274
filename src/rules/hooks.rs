//! Flow bypass through self-service hooks (kratos-hardening.md §0.7, §1.8, §2): sessions issued
//! at sign-up before the address is verified, `require_verified_address` placed where Kratos
//! ignores it, gate web hooks whose answer is ignored, and the deprecated `can_interrupt`.
//!
//! Login and registration resolve hooks per method: a non-empty `after.<method>.hooks` list
//! replaces `after.hooks` for that method (`K:driver/registry_default_login.go#PostLoginHooks`,
//! `K:driver/registry_default_registration.go`).

use serde_json::{Value, json};

use super::flows::verification_ops;
use super::support::{hook_lists, hook_names, method_enabled, web_hooks};
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::node::Node;
use crate::finding::Finding;
use crate::fix::{FixEnv, FixPlan, FixResult, prepend, remove, set};
use crate::patch::Op;

const HOOKS_DOC: &str = "https://www.ory.sh/docs/kratos/hooks/configure-hooks";
const VERIFICATION_DOC: &str =
    "https://www.ory.sh/docs/kratos/self-service/flows/verify-email-account-activation";
const LOGIN_AFTER: &str = "selfservice.flows.login.after";
const REGISTRATION_AFTER: &str = "selfservice.flows.registration.after";

/// Methods a user can sign up and sign in with, as Kratos enables them: `WebAuthn` only when
/// passwordless, the code method only with `passwordless_enabled`.
fn first_factor_methods(cx: &Context<'_>) -> Vec<&'static str> {
    let mut methods = Vec::new();
    for method in ["password", "oidc", "passkey"] {
        if method_enabled(cx, method) {
            methods.push(method);
        }
    }
    if method_enabled(cx, "webauthn")
        && cx.bool("selfservice.methods.webauthn.config.passwordless") == Some(true)
    {
        methods.push("webauthn");
    }
    if method_enabled(cx, "code")
        && cx.bool("selfservice.methods.code.passwordless_enabled") == Some(true)
    {
        methods.push("code");
    }
    methods
}

/// The method's own hook list under `after`, if it has at least one hook (an empty list falls
/// back to the flow-level hooks).
fn method_hooks<'a>(cx: &Context<'a>, after: &str, method: &str) -> Option<&'a Node> {
    cx.get(&format!("{after}.{method}.hooks"))
        .filter(|list| !list.items().is_empty())
}

/// The hooks Kratos really runs after `method`: its own list, else the flow-level list.
fn effective_hooks<'a>(cx: &Context<'a>, after: &str, method: &str) -> Option<&'a Node> {
    method_hooks(cx, after, method).or_else(|| cx.get(&format!("{after}.hooks")))
}

fn has_hook(list: Option<&Node>, name: &str) -> bool {
    list.is_some_and(|l| hook_names(l).any(|h| h == name))
}

/// The hook item `- hook: require_verified_address`.
fn require_verified_address() -> Value {
    json!({"hook": "require_verified_address"})
}

/// Adds `require_verified_address` first in the hook list at `path` (created when missing),
/// so nothing else runs for a login it refuses. Shared by KH110 and KH111 so both produce the
/// same operation.
fn add_verified_address(path: &str) -> Op {
    prepend(path, require_verified_address())
}

/// The method's own login hook list gets the hook.
fn guard_method(method: &str) -> Op {
    add_verified_address(&format!("{LOGIN_AFTER}.{method}.hooks"))
}

/// Adds `require_verified_address` where it takes effect for every enabled sign-in method
/// that does not run it yet: the method's own list when it has one (that list replaces the
/// flow-level one), else the flow-level `login.after.hooks` once. Never creates a method list,
/// which would stop the flow-level hooks from running for that method.
fn guard_ops(cx: &Context<'_>) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut global = false;
    for method in first_factor_methods(cx) {
        if has_hook(
            effective_hooks(cx, LOGIN_AFTER, method),
            "require_verified_address",
        ) {
            continue;
        }
        if method_hooks(cx, LOGIN_AFTER, method).is_some() {
            ops.push(guard_method(method));
        } else {
            global = true;
        }
    }
    if global {
        ops.push(add_verified_address(&format!("{LOGIN_AFTER}.hooks")));
    }
    ops
}

/// Paths of `session` hooks that run after some enabled sign-up method.
fn session_hooks(cx: &Context<'_>) -> Vec<String> {
    let methods = first_factor_methods(cx);
    let mut found = Vec::new();
    let mut push_sessions = |list_path: &str, list: &Node| {
        for (i, hook) in list.items().iter().enumerate() {
            if hook.get("hook").and_then(Node::as_str) == Some("session") {
                found.push(format!("{list_path}.{i}"));
            }
        }
    };
    for method in &methods {
        if let Some(list) = method_hooks(cx, REGISTRATION_AFTER, method) {
            push_sessions(&format!("{REGISTRATION_AFTER}.{method}.hooks"), list);
        }
    }
    let uses_global = methods
        .iter()
        .any(|m| method_hooks(cx, REGISTRATION_AFTER, m).is_none());
    let global = format!("{REGISTRATION_AFTER}.hooks");
    if let Some(list) = cx.get(&global).filter(|_| uses_global) {
        push_sessions(&global, list);
    }
    found
}

/// KH110: a session issued at sign-up before the address is verified.
pub struct SessionBeforeVerification;

static SESSION_BEFORE_VERIFICATION: RuleMeta = RuleMeta {
    id: "KH110",
    name: "session-hook-before-verification",
    threat: Threat::FlowBypass,
    severity: Severity::High,
    title: "Registration signs users in before their address is verified",
    rationale: "The `session` hook logs a new user in the moment the form is submitted. With \
        verification disabled nobody ever proves they own the address they typed, so an \
        attacker registers with someone else's e-mail and the app trusts it (invites, \
        domain-based access, account linking, password recovery to the real owner later). With \
        verification enabled but no `require_verified_address` on the login methods, the \
        unverified account keeps signing in forever; note that method-level login hooks replace \
        `login.after.hooks`, so the hook must be in each method's own list.",
    breaks: "Users with unverified addresses are stopped at login until they verify; without \
        the `session` hook new users must sign in after registering.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "enable `selfservice.flows.verification` and add `require_verified_address` to \
            each login method's `after.<method>.hooks` (or drop the `session` hook)",
    },
    references: &[
        VERIFICATION_DOC,
        HOOKS_DOC,
        "https://github.com/ory/kratos/issues/1328",
        "kratos-hardening.md §0.7, §1.8",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for SessionBeforeVerification {
    fn meta(&self) -> &'static RuleMeta {
        &SESSION_BEFORE_VERIFICATION
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.bool("selfservice.flows.registration.enabled") == Some(false) {
            return;
        }
        let hooks = session_hooks(cx);
        if hooks.is_empty() {
            return;
        }
        if cx.bool("selfservice.flows.verification.enabled") != Some(true) {
            for path in hooks {
                out.at(
                    &path,
                    format!(
                        "`{path}` signs new users in while `selfservice.flows.verification.enabled` \
                         is off, so nobody ever proves they own the address they registered"
                    ),
                );
            }
            return;
        }
        let unguarded: Vec<&str> = first_factor_methods(cx)
            .into_iter()
            .filter(|m| {
                !has_hook(
                    effective_hooks(cx, LOGIN_AFTER, m),
                    "require_verified_address",
                )
            })
            .collect();
        if unguarded.is_empty() {
            return;
        }
        let names = unguarded.join(", ");
        for path in hooks {
            out.at(
                &path,
                format!(
                    "`{path}` signs new users in before verification, and login with {names} does \
                     not run `require_verified_address`, so unverified accounts keep full access"
                ),
            )
            .severity(Severity::Medium)
            .fix_summary(format!(
                "add `- hook: require_verified_address` to `{LOGIN_AFTER}.<method>.hooks` for \
                 {names}"
            ));
        }
    }
    fn fix(&self, cx: &Context<'_>, _finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        // Every finding of this rule gets the same operations, applied once.
        let mut ops = if cx.bool("selfservice.flows.verification.enabled") == Some(true) {
            Vec::new()
        } else {
            match verification_ops(cx) {
                Ok(ops) => ops,
                Err(why) => {
                    return Ok(FixPlan::Manual(format!(
                        "{why}; then add `- hook: require_verified_address` to the login hooks \
                         that run for each sign-in method"
                    )));
                }
            }
        };
        ops.extend(guard_ops(cx));
        Ok(FixPlan::Ops(ops))
    }
}

/// KH111: `require_verified_address` on the flow level, shadowed by method-level hooks.
pub struct VerifiedAddressHookIgnored;

static VERIFIED_ADDRESS_HOOK_IGNORED: RuleMeta = RuleMeta {
    id: "KH111",
    name: "verified-address-hook-ignored",
    threat: Threat::FlowBypass,
    severity: Severity::High,
    title: "`require_verified_address` in `login.after.hooks` is ignored for some methods",
    rationale: "Kratos runs `login.after.hooks` only for methods that have no hooks of their own \
        (K:driver/registry_default_login.go#PostLoginHooks). As soon as, say, \
        `login.after.password.hooks` holds a web hook, the flow-level \
        `require_verified_address` no longer runs for password logins and accounts with \
        unverified (possibly someone else's) addresses sign in although the config looks \
        enforced.",
    breaks: "Users with unverified addresses are stopped at login with those methods, as the \
        config already intended.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "add `- hook: require_verified_address` to each method-level \
            `login.after.<method>.hooks` list",
    },
    references: &[
        HOOKS_DOC,
        VERIFICATION_DOC,
        "kratos-hardening.md §0.7, §1.8",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for VerifiedAddressHookIgnored {
    fn meta(&self) -> &'static RuleMeta {
        &VERIFIED_ADDRESS_HOOK_IGNORED
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let global = format!("{LOGIN_AFTER}.hooks");
        let Some(list) = cx.get(&global) else {
            return;
        };
        let shadowed: Vec<&str> = first_factor_methods(cx)
            .into_iter()
            .filter(|m| {
                method_hooks(cx, LOGIN_AFTER, m)
                    .is_some_and(|own| !has_hook(Some(own), "require_verified_address"))
            })
            .collect();
        if shadowed.is_empty() {
            return;
        }
        let names = shadowed.join(", ");
        let lists = shadowed
            .iter()
            .map(|m| format!("`{LOGIN_AFTER}.{m}.hooks`"))
            .collect::<Vec<_>>()
            .join(", ");
        for (i, hook) in list.items().iter().enumerate() {
            if hook.get("hook").and_then(Node::as_str) != Some("require_verified_address") {
                continue;
            }
            let path = format!("{global}.{i}");
            out.at(
                &path,
                format!(
                    "`{path}` is ignored for {names} logins, because a method's own hook list \
                     ({lists}) replaces `{global}`"
                ),
            )
            .fix_summary(format!("add `- hook: require_verified_address` to {lists}"));
        }
    }
    fn fix(&self, cx: &Context<'_>, _finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        let ops = first_factor_methods(cx)
            .into_iter()
            .filter(|m| {
                method_hooks(cx, LOGIN_AFTER, m)
                    .is_some_and(|own| !has_hook(Some(own), "require_verified_address"))
            })
            .map(guard_method)
            .collect();
        Ok(FixPlan::Ops(ops))
    }
}

/// True for hook lists whose web hooks act as gates: every `before` list and the login and
/// registration `after` lists.
fn is_gate_list(path: &str) -> bool {
    path.contains(".before.")
        || path.starts_with(LOGIN_AFTER)
        || path.starts_with(REGISTRATION_AFTER)
}

/// KH112: a gate web hook with `response.ignore: true`.
pub struct HookResponseIgnored;

static HOOK_RESPONSE_IGNORED: RuleMeta = RuleMeta {
    id: "KH112",
    name: "security-hook-response-ignored",
    threat: Threat::FlowBypass,
    severity: Severity::Low,
    title: "A web hook before a flow or after login/registration ignores its response",
    rationale: "With `response.ignore: true` Kratos fires the web hook in the background and only \
        logs failures (K:selfservice/hook/web_hook.go). Hooks in `before` lists and after login \
        or registration are where checks such as blocked-account, fraud or invite checks live; \
        ignored, they can neither stop the flow nor fail closed when the service is down or \
        overloaded by an attacker.",
    breaks: "Nothing, unless the hook is a check: then its failures and refusals start blocking \
        the flow, and its latency adds to every request.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "for hooks that must be able to refuse the flow, remove `response.ignore` and \
            set `response.parse: true`; leave pure notifications as they are",
    },
    references: &[
        "https://www.ory.sh/docs/kratos/hooks/configure-hooks#web-hooks",
        "kratos-hardening.md §2",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for HookResponseIgnored {
    fn meta(&self) -> &'static RuleMeta {
        &HOOK_RESPONSE_IGNORED
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (list_path, list) in hook_lists(cx) {
            if !is_gate_list(list_path) {
                continue;
            }
            for (i, hook) in list.items().iter().enumerate() {
                if hook.get("hook").and_then(Node::as_str) != Some("web_hook")
                    || hook.get("config.response.ignore").and_then(Node::as_bool) != Some(true)
                {
                    continue;
                }
                let path = format!("{list_path}.{i}.config.response.ignore");
                let parses = ["config.response.parse", "config.can_interrupt"]
                    .iter()
                    .any(|k| hook.get(k).and_then(Node::as_bool) == Some(true));
                let message = if parses {
                    format!(
                        "`{path}` is combined with parsing the response, which Kratos refuses at \
                         run time, failing every flow that reaches this hook"
                    )
                } else {
                    format!(
                        "`{path}` runs this web hook in the background, so its failures and \
                         answers can never stop the flow"
                    )
                };
                out.at(&path, message);
            }
        }
    }
}

/// KH113: the deprecated `can_interrupt`.
pub struct HookCanInterruptLegacy;

static HOOK_CAN_INTERRUPT_LEGACY: RuleMeta = RuleMeta {
    id: "KH113",
    name: "web-hook-can-interrupt-legacy",
    threat: Threat::FlowBypass,
    severity: Severity::Low,
    title: "A web hook uses the deprecated `can_interrupt`",
    rationale: "`can_interrupt` is deprecated in favour of `response.parse`; Kratos still reads \
        both and treats them identically (K:selfservice/hook/web_hook.go), but a reader who \
        only knows the current key misjudges which hooks can abort a flow, and a future release \
        may drop the old key, silently turning gate hooks into notifications.",
    breaks: "Nothing: `response.parse: true` has the same effect.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "replace `can_interrupt: true` with `response.parse: true` (remove \
            `can_interrupt: false`, the default)",
    },
    references: &[HOOKS_DOC, "kratos-hardening.md §2"],
    versions: Versions::All,
    production_only: false,
};

impl Rule for HookCanInterruptLegacy {
    fn meta(&self) -> &'static RuleMeta {
        &HOOK_CAN_INTERRUPT_LEGACY
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (config_path, config) in web_hooks(cx) {
            let Some(entry) = config.entry("can_interrupt") else {
                continue;
            };
            let path = format!("{config_path}.can_interrupt");
            let parse = config.get("response.parse").and_then(Node::as_bool) == Some(true);
            let (message, fix) = match entry.node.as_bool() {
                Some(true) if parse => (
                    format!("`{path}` repeats `response.parse: true` with the deprecated key"),
                    "remove `can_interrupt`; `response.parse: true` already does the same",
                ),
                Some(true) => (
                    format!(
                        "`{path}` uses the deprecated key for what `response.parse: true` now \
                         expresses"
                    ),
                    "replace `can_interrupt: true` with `response.parse: true`",
                ),
                _ => (
                    format!("`{path}` sets the deprecated key to its default"),
                    "remove `can_interrupt`",
                ),
            };
            out.at(&path, message).fix_summary(fix);
        }
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        let Some(config_path) = finding.path.strip_suffix(".can_interrupt") else {
            return Ok(FixPlan::Manual("not a `can_interrupt` key".to_owned()));
        };
        let parse_path = format!("{config_path}.response.parse");
        let mut ops = vec![remove(&finding.path)];
        // Kratos parses the response when either key is true: carry a true over.
        if cx.bool(&finding.path) == Some(true) && cx.bool(&parse_path) != Some(true) {
            ops.push(set(&parse_path, Value::Bool(true)));
        }
        Ok(FixPlan::Ops(ops))
    }
}
