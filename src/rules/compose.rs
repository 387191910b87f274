//! Rules that only exist for a docker compose deployment: what the compose file itself
//! exposes.

use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};

/// KH236: the admin API's port published on every host interface.
pub struct AdminPortPublished;

static ADMIN_PORT_PUBLISHED: RuleMeta = RuleMeta {
    id: "KH236",
    name: "admin-port-published",
    threat: Threat::ServiceCompromise,
    severity: Severity::Critical,
    title: "The compose file publishes the admin API's port on every host interface",
    rationale: "A `ports:` entry without a host address (`\"4434:4434\"`, or `4434` alone, which \
        picks a random host port) makes docker listen on every interface of the host and \
        forward to the admin API, which has no authentication: anyone who reaches the host \
        lists, edits and deletes identities and issues recovery links for any account. Docker \
        also inserts its own firewall rules ahead of the host's, so a host firewall does not \
        stop it. Other containers on the compose network reach the admin API without any \
        published port.",
    breaks: "Clients on other hosts that called the admin API through the published port lose \
        access; give them a private network or an authenticating gateway.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "remove the entry (containers on the compose network need none), or publish \
            it on loopback only: `\"127.0.0.1:4434:4434\"`",
    },
    references: &[
        "https://docs.docker.com/reference/compose-file/services/#ports",
        "https://docs.docker.com/engine/network/packet-filtering-firewalls/",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2368-L2376",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for AdminPortPublished {
    fn meta(&self) -> &'static RuleMeta {
        &ADMIN_PORT_PUBLISHED
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(compose) = &cx.deployment.compose else {
            return;
        };
        let port = cx
            .get("serve.admin.port")
            .and_then(crate::config::node::Node::as_i64)
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(4434);
        let service = &compose.service;
        for (i, entry) in service.ports.iter().enumerate() {
            if entry.publishes(port) && entry.on_all_interfaces() {
                let path = format!("services.{}.ports.{i}", service.name);
                out.placed(
                    &path,
                    entry.pos,
                    format!(
                        "`{}` publishes the admin API (port {port}) of service `{}` on every \
                         interface of the host",
                        entry.written, service.name
                    ),
                );
            }
        }
    }
}

/// KH237: secrets written as literals in the compose file's `environment:`.
pub struct ComposeSecretsInline;

static COMPOSE_SECRETS_INLINE: RuleMeta = RuleMeta {
    id: "KH237",
    name: "compose-secrets-inline",
    threat: Threat::ServiceCompromise,
    severity: Severity::Medium,
    title: "Secrets are written in the compose file's environment",
    rationale: "An `environment:` entry is text in the compose file, which is committed, copied \
        and shared like any config file: `SECRETS_*`, a DSN or SMTP URI with its password, or \
        OIDC client secrets written there leak with it. `docker inspect` and `docker compose \
        config` print them too. An `env_file:` kept out of version control (or a secret store \
        that writes it) keeps them out of the file.",
    breaks: "The env file must exist wherever the project is started.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "move these entries to an `env_file:` kept out of version control (or filled \
            from a secret store) and delete them from `environment:`",
    },
    references: &[
        "https://docs.docker.com/reference/compose-file/services/#env_file",
        "https://docs.docker.com/compose/how-tos/environment-variables/best-practices/",
        "https://github.com/ory/x/blob/v0.0.660/configx/koanf_env.go#L94-L171",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for ComposeSecretsInline {
    fn meta(&self) -> &'static RuleMeta {
        &COMPOSE_SECRETS_INLINE
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(compose) = &cx.deployment.compose else {
            return;
        };
        let service = &compose.service;
        let mut names = Vec::new();
        let mut first = None;
        for (var, value, pos) in &service.environment {
            let Some((path, _)) = crate::config::env::resolve(var) else {
                continue;
            };
            if service.from_secret.contains(var) {
                continue;
            }
            let secret = crate::mask::held(&path, value).is_some()
                || (path.contains("oidc.config.providers") && value.contains("client_secret"));
            if secret && !crate::kratos::credential::is_env_reference(value) {
                names.push(format!("`{var}`"));
                first.get_or_insert(*pos);
            }
        }
        if let Some(pos) = first {
            let finding = out.placed(
                &format!("services.{}.environment", service.name),
                pos,
                format!(
                    "{} of service `{}` {} written in {}: the secret leaks with the file",
                    names.join(", "),
                    service.name,
                    if names.len() == 1 { "is" } else { "are" },
                    service.display
                ),
            );
            if compose.kubernetes {
                finding.fix_summary(
                    "move the values into a Secret and refer to them with \
                     `valueFrom.secretKeyRef` (or `envFrom.secretRef`); delete the literals",
                );
            }
        }
    }
}

/// KH238: the Kratos image is not pinned to a release.
pub struct ImageNotPinned;

static IMAGE_NOT_PINNED: RuleMeta = RuleMeta {
    id: "KH238",
    name: "image-not-pinned",
    threat: Threat::ServiceCompromise,
    severity: Severity::Info,
    title: "The Kratos image is not pinned to a release",
    rationale: "`oryd/kratos` without a tag, or with `latest`, changes release whenever the \
        image is pulled again, and releases change security behaviour (from v26 \
        `require_verified_address` guards every login method, not only passwords), so a config \
        audited for one release runs under another. A version tag (or a digest) makes the \
        release an explicit, reviewed change.",
    breaks: "Nothing: the same release keeps running until the tag is changed on purpose.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "pin the image to the release the config is written for (`oryd/kratos:v1.3.1`, \
            or a digest)",
    },
    references: &[
        "https://hub.docker.com/r/oryd/kratos/tags",
        "https://github.com/ory/kratos/blob/v26.2.0/selfservice/hook/require_verified_address.go#L63-L68",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for ImageNotPinned {
    fn meta(&self) -> &'static RuleMeta {
        &IMAGE_NOT_PINNED
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(compose) = &cx.deployment.compose else {
            return;
        };
        let service = &compose.service;
        let Some((image, pos)) = &service.image else {
            return;
        };
        if image.contains('@') {
            return;
        }
        let tag = image
            .rsplit_once(':')
            .filter(|(_, tag)| !tag.contains('/'))
            .map(|(_, tag)| tag);
        if tag.is_none_or(|t| t == "latest") {
            out.placed(
                &format!("services.{}.image", service.name),
                *pos,
                format!(
                    "service `{}` runs `{image}`, which is whatever release was pulled last",
                    service.name
                ),
            );
        }
    }
}
