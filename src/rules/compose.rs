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
