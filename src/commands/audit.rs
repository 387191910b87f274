//! `kratos-harden audit`: find deployments, load them (in parallel), run the catalog, apply
//! the ignore file, print the chosen format and pick the exit code.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::{EXIT_ERROR, print, use_color};
use crate::cli::{AuditArgs, Layers};
use crate::config::{ConfigError, Deployment};
use crate::report::{self, Audited, Format, Report};
use crate::rules::{self, Context};
use crate::{demo, ignore};

/// One deployment from its files (config files, or Helm values files when `helm`), with env
/// files and, when given, the process environment layered over it in that order.
pub(super) fn load_layered(
    files: Vec<(PathBuf, String)>,
    helm: bool,
    env_files: &[PathBuf],
    environment: Option<&[(String, String)]>,
) -> Result<Deployment, ConfigError> {
    let mut deployment = if helm {
        Deployment::load_helm_values(files)?
    } else {
        Deployment::load_named(files)?
    };
    for env_file in env_files {
        deployment.add_env_file(env_file)?;
    }
    if let Some(vars) = environment {
        deployment.add_environment(vars);
    }
    Ok(deployment)
}

/// One deployment for `apply` and the wizard: the config files `paths`, or the Helm values
/// files of `layers` instead, with its env files and process environment layered over.
pub(super) fn load_with(paths: &[PathBuf], layers: &Layers) -> Result<Deployment, ConfigError> {
    let helm = !layers.helm_values.is_empty();
    let files = named(if helm { &layers.helm_values } else { paths });
    let environment = layers.use_env.then(process_environment);
    load_layered(files, helm, &layers.env_file, environment.as_deref())
}

/// Paths with the names they are shown under.
pub(super) fn named(paths: &[PathBuf]) -> Vec<(PathBuf, String)> {
    paths
        .iter()
        .map(|p| (p.clone(), p.display().to_string()))
        .collect()
}

/// The process environment as UTF-8 pairs. `vars_os`: a variable that is not UTF-8 (never a
/// Kratos one) must not abort the audit.
pub(super) fn process_environment() -> Vec<(String, String)> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

/// Config file names searched for in folders.
const CONFIG_NAMES: &[&str] = &["kratos.yml", "kratos.yaml", "kratos.json"];

/// Runs the audit and returns the exit code.
pub fn run(args: &AuditArgs) -> anyhow::Result<u8> {
    let ignore_entries = match &args.ignore_file {
        Some(path) => ignore::load_file(path)?,
        None => Vec::new(),
    };
    // Kept alive until the audit is done: the demo files live in it.
    let mut demo_dir = None;
    let jobs: Vec<Vec<(PathBuf, String)>> = if args.demo {
        let dir = tempfile::tempdir().context("creating a folder for the demo config")?;
        let config = demo::materialize(dir.path()).context("writing the demo config")?;
        demo_dir = Some(dir);
        vec![vec![(config, "demo/kratos.yml".to_owned())]]
    } else if !args.layers.helm_values.is_empty() {
        vec![named(&args.layers.helm_values)]
    } else if !args.config.is_empty() {
        vec![named(&args.config)]
    } else if args.paths.is_empty() {
        vec![vec![(PathBuf::from("kratos.yml"), "kratos.yml".to_owned())]]
    } else {
        discover(&args.paths)?
            .into_iter()
            .map(|p| vec![(p.clone(), p.display().to_string())])
            .collect()
    };

    let environment = if args.layers.use_env {
        process_environment()
    } else {
        Vec::new()
    };
    let loaded = load_parallel(jobs, |files| {
        let deployment = load_layered(
            files,
            !args.layers.helm_values.is_empty(),
            &args.layers.env_file,
            args.layers.use_env.then_some(environment.as_slice()),
        )?;
        let cx = Context::new(&deployment, args.profile, args.kratos_version);
        let findings = rules::check_all(&cx);
        let caveat = deployment.looks_like_helm_values().then(|| {
            format!(
                "{} looks like the Ory Helm chart's values file: its Kratos config is under \
                 `kratos.config`; the findings below judge the file as if it were a Kratos \
                 config. Audit it with `--helm-values` instead",
                deployment.sources[0].display
            )
        });
        Ok(Audited {
            version: cx.version,
            findings,
            caveat,
            hidden: deployment.hidden,
            sources: deployment.sources,
        })
    });
    drop(demo_dir);

    let mut errors = 0;
    let mut deployments = Vec::with_capacity(loaded.len());
    for result in loaded {
        match result {
            Ok(audited) => deployments.push(audited),
            Err(err) => {
                errors += 1;
                eprintln!("error: {err}");
            }
        }
    }
    let mut warnings: Vec<String> = deployments
        .iter()
        .filter_map(|d| d.caveat.clone())
        .collect();
    warnings.extend(ignore::apply(
        &ignore_entries,
        deployments.iter_mut().flat_map(|d| d.findings.iter_mut()),
        ignore::today(),
    ));
    let report = Report {
        deployments,
        warnings,
        profile: args.profile,
        fail_on: args.fail_on.threshold(),
    };
    let text = match args.format {
        Format::Text => report::text::render(&report, use_color(args.color)),
        Format::Json => report::json::render(&report),
        Format::Sarif => report::sarif::render(&report),
    };
    if errors == 0 || !report.deployments.is_empty() {
        print(&text)?;
    }
    Ok(if errors > 0 {
        EXIT_ERROR
    } else {
        u8::from(report.failed())
    })
}

/// Files stay as given; folders are searched recursively for `kratos.{yml,yaml,json}` (not
/// following symlinked folders, skipping `.git` and `node_modules`). The result is sorted.
fn discover(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            let before = found.len();
            walk(path, &mut found)?;
            if found.len() == before {
                anyhow::bail!(
                    "{}: no kratos.yml, kratos.yaml or kratos.json below this folder; name the \
                     config file instead",
                    path.display()
                );
            }
        } else {
            found.push(path.clone());
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot list the folder", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("{}: cannot list the folder", dir.display()))?;
        let kind = entry.file_type()?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if kind.is_dir() {
            if name != ".git" && name != "node_modules" {
                walk(&entry.path(), found)?;
            }
        } else if CONFIG_NAMES.contains(&name.as_ref()) {
            found.push(entry.path());
        }
    }
    Ok(())
}

/// Runs `work` over `jobs` on all cores, keeping the input order in the output.
fn load_parallel<F>(jobs: Vec<Vec<(PathBuf, String)>>, work: F) -> Vec<Result<Audited, ConfigError>>
where
    F: Fn(Vec<(PathBuf, String)>) -> Result<Audited, ConfigError> + Sync,
{
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(jobs.len());
    if threads <= 1 {
        return jobs.into_iter().map(&work).collect();
    }
    let chunk = jobs.len().div_ceil(threads);
    let mut chunks: Vec<Vec<Vec<(PathBuf, String)>>> = Vec::new();
    let mut jobs = jobs.into_iter().peekable();
    while jobs.peek().is_some() {
        chunks.push(jobs.by_ref().take(chunk).collect());
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let names: Vec<String> = chunk.iter().flatten().map(|(_, n)| n.clone()).collect();
                (
                    names,
                    scope.spawn(|| chunk.into_iter().map(&work).collect::<Vec<_>>()),
                )
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(names, handle)| {
                handle.join().unwrap_or_else(|_| {
                    vec![Err(ConfigError::Internal {
                        files: names.join(", "),
                    })]
                })
            })
            .collect()
    })
}
