//! Flow bypass through self-service hooks: sessions issued at sign-up before the address is
//! verified, `require_verified_address` placed where Kratos ignores it (or, on v1.x, relied on
//! for methods it never checks), gate web hooks whose answer is ignored, and the deprecated
//! `can_interrupt`.
//!
//! Login and registration resolve hooks per method: a non-empty `after.<method>.hooks` list
//! replaces `after.hooks` for that method (`PostLoginHooks` in
//! `driver/registry_default_login.go`). On v1.x `require_verified_address` returns at once for
//! any login that is not a password login (`selfservice/hook/address_verifier.go` L30); v26
//! checks every method unless `feature_flags.legacy_require_verified_login_error` is on.

use serde_json::{Value, json};

use super::flows::verification_ops;
use super::support::{hook_lists, hook_names, method_enabled, web_hooks};
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::KratosVersion;
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

/// True when `require_verified_address` stops an unverified login with `method` in this
/// release: v1.x checks password logins only, v26 every method unless the legacy flag is on.
fn hook_guards(cx: &Context<'_>, method: &str) -> bool {
    method == "password"
        || (cx.version == KratosVersion::V26
            && cx.bool("feature_flags.legacy_require_verified_login_error") != Some(true))
}

/// What keeps an unverified address out of a login with `method` when the hook does not
/// (the code method is left out: signing in with a code proves the address).
fn protected_instead(method: &str) -> Option<&'static str> {
    match method {
        "oidc" => Some(
            "only addresses the provider's claims mapper lists under `verified_addresses` count \
             as verified; list them only when the provider reports `email_verified`",
        ),
        "passkey" | "webauthn" => Some(
            "nothing in Kratos v1.x: have the application check \
             `verifiable_addresses[].verified`, or move to v26, where the hook checks every method",
        ),
        _ => None,
    }
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
/// that does not run it yet and that it really checks (password only on v1.x): the method's own list when it has one (that list replaces the
/// flow-level one), else the flow-level `login.after.hooks` once. Never creates a method list,
/// which would stop the flow-level hooks from running for that method.
fn guard_ops(cx: &Context<'_>) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut global = false;
    for method in first_factor_methods(cx) {
        if !hook_guards(cx, method) {
            continue;
        }
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

/// `session` hooks that run after some enabled sign-up method: the hook's path and the
/// methods whose sign-ups it serves.
fn session_hooks(cx: &Context<'_>) -> Vec<(String, Vec<&'static str>)> {
    let methods = first_factor_methods(cx);
    let mut found = Vec::new();
    let mut push_sessions = |list_path: &str, list: &Node, served: &[&'static str]| {
        for (i, hook) in list.items().iter().enumerate() {
            if hook.get("hook").and_then(Node::as_str) == Some("session") {
                found.push((format!("{list_path}.{i}"), served.to_vec()));
            }
        }
    };
    for method in &methods {
        if let Some(list) = method_hooks(cx, REGISTRATION_AFTER, method) {
            push_sessions(
                &format!("{REGISTRATION_AFTER}.{method}.hooks"),
                list,
                &[method],
            );
        }
    }
    let global_methods: Vec<&'static str> = methods
        .iter()
        .copied()
        .filter(|m| method_hooks(cx, REGISTRATION_AFTER, m).is_none())
        .collect();
    let global = format!("{REGISTRATION_AFTER}.hooks");
    if let Some(list) = cx.get(&global).filter(|_| !global_methods.is_empty()) {
        push_sessions(&global, list, &global_methods);
    }
    found
}

/// The `session` hooks whose removal makes a difference: those serving a sign-up method that
/// `require_verified_address` checks at the next login.
fn removable_sessions(cx: &Context<'_>) -> Vec<String> {
    session_hooks(cx)
        .into_iter()
        .filter(|(_, served)| served.iter().any(|m| hook_guards(cx, m)))
        .map(|(path, _)| path)
        .collect()
}

/// KH110: a session issued at sign-up before the address is verified.
pub struct SessionBeforeVerification;

static SESSION_BEFORE_VERIFICATION: RuleMeta = RuleMeta {
    id: "KH110",
    name: "session-hook-before-verification",
    threat: Threat::FlowBypass,
    severity: Severity::High,
    title: "Registration signs users in before their address is verified",
    rationale: "The `session` hook gives a new user a full session the moment the form is \
        submitted, before any verification. With verification disabled nobody ever proves they \
        own the address they typed, so an attacker registers with someone else's e-mail and the \
        app trusts it (invites, domain-based access, account linking, password recovery to the \
        real owner later). With verification enabled the account still works unverified for \
        `session.lifespan`, and for ever when the login methods do not run \
        `require_verified_address` (method-level login hooks replace `login.after.hooks`; on \
        v1.x the hook checks password logins only).",
    breaks: "New users are no longer signed in after registering: they verify their address, \
        then sign in; users with unverified addresses are stopped at password login (every \
        login on v26) until they verify.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "enable `selfservice.flows.verification`, add `require_verified_address` to the \
            login hooks that run for each method it checks, and remove the `session` hook",
    },
    references: &[
        VERIFICATION_DOC,
        HOOKS_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/hook/session_issuer.go#L55-L85",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/hook/address_verifier.go#L30",
        "https://github.com/ory/kratos/blob/v26.2.0/selfservice/hook/require_verified_address.go#L63-L68",
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
        if cx.bool("selfservice.flows.verification.enabled") != Some(true) {
            for (path, _) in hooks {
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
                hook_guards(cx, m)
                    && !has_hook(
                        effective_hooks(cx, LOGIN_AFTER, m),
                        "require_verified_address",
                    )
            })
            .collect();
        let names = unguarded.join(", ");
        for (path, served) in hooks {
            // A sign-up whose later logins the hook never checks (OIDC, passkey on v1.x) gains
            // nothing from removing the session: KH111 says what protects those instead.
            if !served.iter().any(|m| hook_guards(cx, m)) {
                continue;
            }
            if unguarded.is_empty() {
                out.at(
                    &path,
                    format!(
                        "`{path}` signs new users in before they verify; the unverified session \
                         lasts `session.lifespan`, as `require_verified_address` checks only \
                         later logins"
                    ),
                )
                .severity(Severity::Low)
                .fix_summary(format!("remove `{path}`: new users verify, then sign in"));
                continue;
            }
            out.at(
                &path,
                format!(
                    "`{path}` signs new users in before verification, and login with {names} does \
                     not run `require_verified_address`, so unverified accounts keep full access"
                ),
            )
            .severity(Severity::Medium)
            .fix_summary(format!(
                "add `- hook: require_verified_address` to the login hooks for {names} and \
                 remove `{path}`"
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
                         that run for each sign-in method, and remove the registration \
                         `session` hook"
                    )));
                }
            }
        };
        ops.extend(guard_ops(cx));
        // Later items first, so removing one does not shift the index of the next.
        let mut sessions = removable_sessions(cx);
        sessions.sort_by(|a, b| b.cmp(a));
        ops.extend(sessions.iter().map(|path| remove(path)));
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
    title: "`require_verified_address` does not check every sign-in method",
    rationale: "Kratos runs `login.after.hooks` only for methods that have no hooks of their own. \
        As soon as, say, `login.after.password.hooks` holds a web hook, the flow-level \
        `require_verified_address` no longer runs for password logins and accounts with \
        unverified (possibly someone else's) addresses sign in although the config looks \
        enforced. On v1.x the hook also returns at once for every login that is not a password \
        login: OIDC, passkey and passwordless WebAuthn accounts sign in unverified wherever \
        the hook is listed.",
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
        "https://github.com/ory/kratos/blob/v1.3.1/driver/registry_default_login.go#L30-L47",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/hook/address_verifier.go#L28-L32",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for VerifiedAddressHookIgnored {
    fn meta(&self) -> &'static RuleMeta {
        &VERIFIED_ADDRESS_HOOK_IGNORED
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        shadowed_hooks(cx, out);
        // What a method's logins skip is true whatever the verification flow says, so the
        // note does not appear only once a fix enables verification; it matters (and is
        // graded so) when verification is on, i.e. the operator relies on verified addresses.
        let relied_on = cx.bool("selfservice.flows.verification.enabled") == Some(true);
        for method in first_factor_methods(cx) {
            if hook_guards(cx, method) {
                continue;
            }
            let Some(instead) = protected_instead(method) else {
                continue;
            };
            let path = format!("selfservice.methods.{method}.enabled");
            let finding = out
                .at(
                    &path,
                    format!(
                        "{method} logins are never checked for a verified address: \
                         `require_verified_address` checks password logins only on this release"
                    ),
                )
                .fix_summary(format!("{method}: {instead}"))
                .applicability(Applicability::Manual, None);
            // The provider's mapper, which the tool does not read, decides for OIDC.
            finding.severity(if method == "oidc" || !relied_on {
                Severity::Info
            } else {
                Severity::Medium
            });
        }
    }
    fn fix(&self, cx: &Context<'_>, _finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        let ops = shadowed(cx).into_iter().map(guard_method).collect();
        Ok(FixPlan::Ops(ops))
    }
}

/// Enabled methods the hook checks whose own login list (replacing the flow-level one) lacks it.
fn shadowed(cx: &Context<'_>) -> Vec<&'static str> {
    first_factor_methods(cx)
        .into_iter()
        .filter(|m| {
            hook_guards(cx, m)
                && method_hooks(cx, LOGIN_AFTER, m)
                    .is_some_and(|own| !has_hook(Some(own), "require_verified_address"))
        })
        .collect()
}

/// Reports each flow-level `require_verified_address` that method-level lists replace.
fn shadowed_hooks(cx: &Context<'_>, out: &mut Sink<'_>) {
    let global = format!("{LOGIN_AFTER}.hooks");
    let Some(list) = cx.get(&global) else {
        return;
    };
    let shadowed = shadowed(cx);
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
        logs failures. Hooks in `before` lists and after login or registration are where checks \
        such as blocked-account, fraud or invite checks live; ignored, they can neither stop the \
        flow nor fail closed when the service is down or overloaded by an attacker. Without \
        `ignore`, any answer with status 400 or above aborts the flow (502); `response.parse` \
        is needed only to show the hook's own messages or let it change the identity.",
    breaks: "Nothing, unless the hook is a check: then its failures and refusals start blocking \
        the flow, and its latency adds to every request.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "for hooks that must be able to refuse the flow, remove `response.ignore` (a \
            status of 400 or above then aborts the flow); leave pure notifications as they are",
    },
    references: &[
        "https://www.ory.sh/docs/kratos/hooks/configure-hooks#web-hooks",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/hook/web_hook.go#L397-L410",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/hook/web_hook.go#L419-L425",
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
                         run time, failing every flow that reaches this hook (remove one of them)"
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
    rationale: "`can_interrupt` is deprecated in favour of `response.parse`, but the two are not \
        the same. Any answer with status 400 or above aborts the flow whichever is set; either \
        key makes Kratos read that error body so the user sees the hook's messages. Only \
        `response.parse` also decodes a 200 answer as JSON, applies the `identity` it carries, \
        and fails the flow when the body is empty or not JSON. A reader who knows only the \
        current key misjudges what the hook does, and a release that drops the old key shows \
        the hook's refusals as a bare 502.",
    breaks: "A hook that answers 200 with an empty or non-JSON body starts failing every flow \
        that reaches it (answer 204, or `{}`, first); a 200 body with an `identity` starts \
        changing the identity.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "replace `can_interrupt: true` with `response.parse: true` once the hook \
            answers 200 with JSON (or 204); remove `can_interrupt: false`, the default",
    },
    references: &[
        HOOKS_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/hook/web_hook.go#L397-L414",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/hook/web_hook.go#L460-L471",
    ],
    versions: Versions::All,
    production_only: false,
};

/// Why dropping a `can_interrupt` that changes nothing is safe.
const NOTHING_CHANGES: &str = "Nothing: the key has no effect here.";

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
            match entry.node.as_bool() {
                Some(true) if parse => {
                    out.at(
                        &path,
                        format!(
                            "`{path}` repeats what `response.parse: true` already does for \
                             error answers"
                        ),
                    )
                    .fix_summary("remove `can_interrupt`")
                    .applicability(Applicability::Safe, Some(NOTHING_CHANGES));
                }
                Some(true) => {
                    out.at(
                        &path,
                        format!(
                            "`{path}` uses the deprecated key; its replacement \
                             `response.parse: true` also requires a JSON body on a 200 answer"
                        ),
                    )
                    .fix_summary(
                        "replace `can_interrupt: true` with `response.parse: true` once the hook \
                         answers 200 with JSON or 204",
                    );
                }
                _ => {
                    out.at(
                        &path,
                        format!("`{path}` sets the deprecated key to its default"),
                    )
                    .fix_summary("remove `can_interrupt`")
                    .applicability(Applicability::Safe, Some(NOTHING_CHANGES));
                }
            }
        }
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        let Some(config_path) = finding.path.strip_suffix(".can_interrupt") else {
            return Ok(FixPlan::Manual("not a `can_interrupt` key".to_owned()));
        };
        let parse_path = format!("{config_path}.response.parse");
        let mut ops = vec![remove(&finding.path)];
        // Only a true key without `response.parse` is moved: that is the unsafe case.
        if cx.bool(&finding.path) == Some(true) && cx.bool(&parse_path) != Some(true) {
            ops.push(set(&parse_path, Value::Bool(true)));
        }
        Ok(FixPlan::Ops(ops))
    }
}
