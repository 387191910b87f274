//! Shared walks over the Kratos config used by several rule files: secret lists, self-service
//! methods, hook lists and web hooks. Each encodes a piece of Kratos behaviour once.

use crate::config::node::{Node, join};
use crate::kratos::uri::{Uri, is_loopback_host};
use crate::rules::{Context, Severity};

/// Self-service methods and whether Kratos enables them when the key is absent
/// (the schema defaults `code` and `password` to true; the others default false).
pub const METHODS: &[(&str, bool)] = &[
    ("password", true),
    ("code", true),
    ("totp", false),
    ("lookup_secret", false),
    ("webauthn", false),
    ("passkey", false),
    ("oidc", false),
    ("link", false),
    ("profile", true),
];

/// The secret lists Kratos reads (`pagination` exists in the calendar releases only).
pub const SECRET_KEYS: &[&str] = &["default", "cookie", "cipher", "pagination"];

/// Every string item of `secrets.<key>` with its path.
pub fn secret_items<'a>(cx: &Context<'a>, key: &str) -> Vec<(String, &'a str)> {
    let path = join("secrets", key);
    match cx.get(&path) {
        Some(node) if !node.items().is_empty() => node
            .items()
            .iter()
            .enumerate()
            .filter_map(|(i, n)| Some((join(&path, &i.to_string()), n.as_str()?)))
            .collect(),
        // A single string where a list is expected still reaches Kratos via casting.
        Some(node) => node.as_str().map(|s| vec![(path, s)]).unwrap_or_default(),
        None => Vec::new(),
    }
}

/// True when `secrets.<key>` holds at least one value.
pub fn has_secret(cx: &Context<'_>, key: &str) -> bool {
    !secret_items(cx, key).is_empty()
}

/// True when a self-service method is enabled (explicitly, or by its default).
pub fn method_enabled(cx: &Context<'_>, method: &str) -> bool {
    let default = METHODS
        .iter()
        .find(|(m, _)| *m == method)
        .is_some_and(|(_, d)| *d);
    cx.bool(&format!("selfservice.methods.{method}.enabled"))
        .unwrap_or(default)
}

/// True when a second factor is available: TOTP, lookup secrets, `WebAuthn` as a second factor,
/// or the code method with `mfa_enabled`.
pub fn second_factor_enabled(cx: &Context<'_>) -> bool {
    method_enabled(cx, "totp")
        || method_enabled(cx, "lookup_secret")
        || (method_enabled(cx, "webauthn")
            && cx.bool("selfservice.methods.webauthn.config.passwordless") != Some(true))
        || (method_enabled(cx, "code")
            && cx.bool("selfservice.methods.code.mfa_enabled") == Some(true))
}

/// The names of hooks in a hook list node (`- hook: session`).
pub fn hook_names(list: &Node) -> impl Iterator<Item = &str> {
    list.items()
        .iter()
        .filter_map(|h| h.get("hook").and_then(Node::as_str))
}

/// Every hook list under `selfservice.flows`: `(path of the list, list node)`, covering
/// `<flow>.before.hooks`, `<flow>.after.hooks` and `<flow>.after.<method>.hooks`.
pub fn hook_lists<'c, 'a>(cx: &'c Context<'a>) -> &'c [(String, &'a Node)] {
    cx.hook_lists()
}

/// What [`hook_lists`] returns, computed (once per context, through it).
pub(super) fn collect_hook_lists<'a>(cx: &Context<'a>) -> Vec<(String, &'a Node)> {
    let mut lists = Vec::new();
    let Some(flows) = cx.get("selfservice.flows") else {
        return lists;
    };
    for flow in flows.entries() {
        for phase in ["before", "after"] {
            let Some(phase_node) = flow.node.get(phase) else {
                continue;
            };
            let base = format!("selfservice.flows.{}.{phase}", flow.key);
            for entry in phase_node.entries() {
                if entry.key == "hooks" {
                    lists.push((join(&base, "hooks"), &entry.node));
                } else if let Some(hooks) = entry.node.get("hooks") {
                    lists.push((format!("{base}.{}.hooks", entry.key), hooks));
                }
            }
        }
    }
    lists
}

/// Every `web_hook` configuration: `(path of its config, config node)`, from all flow hook
/// lists plus the password `migrate_hook`.
pub fn web_hooks<'c, 'a>(cx: &'c Context<'a>) -> &'c [(String, &'a Node)] {
    cx.web_hooks()
}

/// What [`web_hooks`] returns, computed (once per context, through it).
pub(super) fn collect_web_hooks<'a>(cx: &Context<'a>) -> Vec<(String, &'a Node)> {
    let mut hooks = Vec::new();
    for (path, list) in hook_lists(cx) {
        for (i, hook) in list.items().iter().enumerate() {
            if hook.get("hook").and_then(Node::as_str) == Some("web_hook")
                && let Some(config) = hook.get("config")
            {
                hooks.push((format!("{path}.{i}.config"), config));
            }
        }
    }
    let migrate = "selfservice.methods.password.config.migrate_hook";
    if cx.bool(&join(migrate, "enabled")) == Some(true)
        && let Some(config) = cx.get(&join(migrate, "config"))
    {
        hooks.push((join(migrate, "config"), config));
    }
    hooks
}

/// The severity of a plain-http (or cleartext) hop: `default`, or Low when it never leaves
/// the host (loopback).
pub fn cleartext_severity(url: &str, default: Severity) -> Severity {
    match Uri::parse(url) {
        Some(uri) if is_loopback_host(uri.host) => Severity::Low,
        _ => default,
    }
}

/// True when static `headers` already carry a credential (`Authorization`, `X-API-Key`, …).
pub fn has_auth_header(config: &Node) -> bool {
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
pub fn file_of(cx: &Context<'_>, node: &Node) -> String {
    cx.deployment.source(node.pos.file).display.clone()
}

/// True when `serve.public.base_url` is plain http on a host that is not loopback: browsers
/// drop `Secure` cookies there (they keep them on `http://localhost`), so every fix that makes
/// Kratos's cookies `Secure` breaks its forms until it is served over https.
pub fn public_url_plain_http(cx: &Context<'_>) -> bool {
    cx.str("serve.public.base_url")
        .and_then(|u| crate::kratos::uri::Uri::parse(u.trim()))
        .is_some_and(|uri| uri.scheme_is("http") && !crate::kratos::uri::is_loopback_host(uri.host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Deployment;
    use crate::rules::Profile;

    fn deployment(text: &str) -> Deployment {
        Deployment::from_texts(vec![("k.yml".into(), "k.yml".into(), text.into())]).expect("loads")
    }

    #[test]
    fn hook_lists_cover_flow_and_method_level() {
        let d = deployment(
            "selfservice:\n  flows:\n    login:\n      after:\n        hooks: [{hook: web_hook, config: {url: 'http://x'}}]\n        password:\n          hooks: [{hook: require_verified_address}]\n",
        );
        let cx = Context::new(&d, Profile::Production, None);
        let paths: Vec<String> = hook_lists(&cx).iter().map(|(p, _)| p.clone()).collect();
        assert_eq!(
            paths,
            [
                "selfservice.flows.login.after.hooks",
                "selfservice.flows.login.after.password.hooks"
            ]
        );
        let hooks = web_hooks(&cx);
        assert_eq!(hooks[0].0, "selfservice.flows.login.after.hooks.0.config");
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
    fn method_defaults_and_second_factor() {
        let d = deployment("selfservice:\n  methods:\n    totp:\n      enabled: true\n");
        let cx = Context::new(&d, Profile::Production, None);
        assert!(method_enabled(&cx, "password"));
        assert!(!method_enabled(&cx, "webauthn"));
        assert!(second_factor_enabled(&cx));
    }
}
