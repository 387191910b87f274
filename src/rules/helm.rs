//! What the Ory Helm chart does to a deployment that a config file alone would not show: the
//! Secret it regenerates on every upgrade (ory/k8s `helm/charts/kratos`, read at v0.62.0).

use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};

const CHART_SECRETS: &str =
    "https://github.com/ory/k8s/blob/v0.62.0/helm/charts/kratos/templates/secrets.yaml#L14-L21";
const CHART_ANNOTATIONS: &str =
    "https://github.com/ory/k8s/blob/v0.62.0/helm/charts/kratos/values.yaml#L97-L112";

/// KH213: secrets the chart generates anew at every `helm upgrade`.
pub struct HelmSecretsRegenerated;

static HELM_SECRETS_REGENERATED: RuleMeta = RuleMeta {
    id: "KH213",
    name: "helm-secrets-regenerated",
    threat: Threat::ServiceCompromise,
    severity: Severity::High,
    title: "The Helm chart generates Kratos's secrets anew at every upgrade",
    rationale: "The chart fills each empty `kratos.config.secrets` list with 32 random \
        characters and never looks up the Secret it made before. With its default annotations \
        that Secret is a `pre-install, pre-upgrade` hook deleted before each run, so every \
        `helm upgrade` (a version bump, a changed value) replaces the cookie, default and cipher \
        secrets: everyone is signed out, flows in progress fail, and OIDC tokens stored with the \
        old cipher key can no longer be decrypted. Without hook annotations the Secret is a \
        release resource, rendered anew on every upgrade just the same.",
    breaks: "Nothing: each option keeps today's secrets from the next upgrade on (one more \
        sign-out if the secrets are set to new values).",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "keep the secrets out of the chart's generator: `secret.enabled: false` with a \
            Secret you create (`secret.nameOverride`, keys `secretsDefault`, `secretsCookie`, \
            `secretsCipher`, `dsn`), or set `secret.secretAnnotations` `helm.sh/hook: \
            pre-install` (no `pre-upgrade`) so the Secret made at install is kept",
    },
    references: &[
        CHART_SECRETS,
        CHART_ANNOTATIONS,
        "https://github.com/ory/kratos/blob/v1.3.1/identity/identity.go#L466-L476",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for HelmSecretsRegenerated {
    fn meta(&self) -> &'static RuleMeta {
        &HELM_SECRETS_REGENERATED
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for name in &cx.deployment.chart.regenerated {
            let path = format!("secrets.{name}");
            out.at(
                &path,
                format!(
                    "`{}.secrets.{name}` is empty, so the chart generates it anew at every \
                     `helm upgrade`{}",
                    cx.deployment.chart.config_path,
                    match *name {
                        "cipher" => ": stored OIDC tokens become undecryptable",
                        _ => ": every upgrade signs everyone out",
                    }
                ),
            );
        }
    }
}
