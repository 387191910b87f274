//! `kratos-harden audit`: find deployments, audit them on every core (load through
//! `config::deployment`, catalog, ignore file, render), stream the report in path order as parts
//! arrive, and pick the exit code.

use std::path::PathBuf;

use anyhow::Context as _;

use super::{EXIT_ERROR, use_color};
use crate::cli::{AuditArgs, Format};
use crate::config::ConfigError;
use crate::config::deployment::{self, named, process_environment};
use crate::report::{self, Audited};
use crate::rules::{self, Context};
use crate::{demo, ignore};

mod discover;

use discover::Job;

/// Runs the audit and returns the exit code.
pub fn run(args: &AuditArgs) -> anyhow::Result<u8> {
    let ignore_entries = match &args.ignore_file {
        Some(path) => ignore::load_file(path)?,
        None => Vec::new(),
    };
    // Kept alive until the audit is done: the demo files live in it.
    let (jobs, demo_dir) = jobs(args)?;

    let environment = if args.layers.use_env {
        process_environment()
    } else {
        Vec::new()
    };
    let today = ignore::today();
    let run = report::Run {
        format: args.format.into(),
        profile: args.profile.into(),
        fail_on: args.fail_on.threshold(),
        color: args.format == Format::Text && use_color(args.color),
    };
    let work = |files| audit_one(args, &environment, &ignore_entries, today, run, files);

    // Parts are written as they arrive, in order; nothing is printed when every deployment
    // failed to load, so a broken config gives one error line and no empty report.
    let mut writer = None;
    let mut reader_gone = false;
    let mut failure = None;
    let mut totals = report::Totals::default();
    let mut used = vec![false; ignore_entries.len()];
    let mut caveats = Vec::new();
    let mut errors = 0;
    in_order(jobs, work, |result| {
        let part = match result {
            Ok(part) => part,
            Err(err) => {
                errors += 1;
                eprintln!("error: {err}");
                return true;
            }
        };
        totals.deployments += 1;
        totals.summary.add(&part.summary);
        for (all, one) in used.iter_mut().zip(&part.used) {
            *all |= *one;
        }
        caveats.extend(part.caveat);
        if reader_gone {
            return true;
        }
        let out = writer.get_or_insert_with(|| stdout_writer(run));
        match out.push(&part.text) {
            Ok(()) => true,
            // `audit | head`: stop writing, but finish the audit so the exit code is right.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                reader_gone = true;
                true
            }
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    });
    drop(demo_dir);
    if let Some(e) = failure {
        return Err(e).context("writing the report");
    }
    totals.caveats = caveats;
    totals.warnings = ignore::warnings(&ignore_entries, &used, today);
    if !reader_gone && (errors == 0 || totals.deployments > 0) {
        let out = writer.unwrap_or_else(|| stdout_writer(run));
        match out.finish(&totals) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                return Err(e).context("writing the report");
            }
            _ => {}
        }
    }
    Ok(if errors > 0 {
        EXIT_ERROR
    } else {
        u8::from(totals.summary.failed())
    })
}

/// The deployments a run names, and the folder the demo config lives in (for `--demo`).
type Jobs = Box<dyn Iterator<Item = Result<Job, ConfigError>> + Send>;

fn jobs(args: &AuditArgs) -> anyhow::Result<(Jobs, Option<tempfile::TempDir>)> {
    let one = |job: Job| -> Jobs { Box::new(std::iter::once(Ok(job))) };
    Ok(if args.demo {
        let dir = tempfile::tempdir().context("creating a folder for the demo config")?;
        let config = demo::materialize(dir.path()).context("writing the demo config")?;
        let job = one(Job::files(vec![(config, "demo/kratos.yml".to_owned())]));
        (job, Some(dir))
    } else if let Some(manifest) = &args.layers.manifest {
        (one(Job::files(named(std::slice::from_ref(manifest)))), None)
    } else if let Some(compose) = &args.layers.compose {
        let job = Job {
            files: named(std::slice::from_ref(compose)),
            service: args.layers.service.clone(),
            kind: discover::JobKind::Compose,
        };
        (one(job), None)
    } else if !args.layers.helm_values.is_empty() {
        (one(Job::files(named(&args.layers.helm_values))), None)
    } else if !args.config.is_empty() {
        (one(Job::files(named(&args.config))), None)
    } else if args.paths.is_empty() {
        let default = vec![(PathBuf::from("kratos.yml"), "kratos.yml".to_owned())];
        (one(Job::files(default)), None)
    } else {
        (discover::jobs(&args.paths)?, None)
    })
}

/// Loads, checks and renders one deployment (on a worker thread).
fn audit_one(
    args: &AuditArgs,
    environment: &[(String, String)],
    ignore_entries: &[ignore::Entry],
    today: (i32, u32, u32),
    run: report::Run,
    job: Job,
) -> Result<Part, ConfigError> {
    let mut layers: deployment::Layers<'_> = (&args.layers).into();
    // A compose service, manifest or values file found below a folder: the job's one file.
    let first: Vec<PathBuf> = job.files.iter().take(1).map(|(p, _)| p.clone()).collect();
    match job.kind {
        discover::JobKind::Compose => {
            layers.compose = first.first().map(PathBuf::as_path);
            layers.service = job.service.as_deref();
        }
        discover::JobKind::Manifest => {
            layers.manifest = first.first().map(PathBuf::as_path);
            layers.service = job.service.as_deref();
        }
        discover::JobKind::Helm => layers.helm_values = &first,
        discover::JobKind::Config => {}
    }
    let deployment = deployment::load_files(job.files, layers, environment)?;
    let cx = Context::new(
        &deployment,
        args.profile.into(),
        args.kratos_version.map(Into::into),
    );
    let mut findings = rules::check_all(&cx);
    let mut used = vec![false; ignore_entries.len()];
    ignore::suppress(ignore_entries, findings.iter_mut(), today, &mut used);
    // Each finding's fix says what `apply` would do for it here.
    crate::harden::attach_fixes(&deployment, &cx, &mut findings).map_err(|e| {
        ConfigError::Unusable {
            file: crate::config::label(&deployment.sources),
            message: format!("cannot plan the fixes: {e}"),
        }
    })?;
    let umbrella = deployment.chart.helm && deployment.chart.config_path != "kratos.config";
    let caveat = if umbrella {
        Some(format!(
            "the Kratos config was read at `{}` (an umbrella chart's Kratos subchart); fixes go \
             there",
            deployment.chart.config_path
        ))
    } else {
        None
    };
    let caveat = caveat.or_else(|| {
        deployment.looks_like_helm_values().then(|| {
            format!(
                "{} looks like the Ory Helm chart's values file: its Kratos config is under \
             `kratos.config`; the findings below judge the file as if it were a Kratos \
             config. Audit it with `--helm-values` instead",
                deployment.sources[0].display
            )
        })
    });
    let (refs, strings) = deployment.template_share();
    let caveat = caveat.or_else(|| {
        (!deployment.template && refs >= 5 && refs * 2 >= strings).then(|| {
            format!(
                "{refs} of {strings} string values are `${{…}}` placeholders, which Kratos reads \
                 literally: if the file is rendered (envsubst, Terraform) before Kratos reads \
                 it, audit it with `--template`"
            )
        })
    });
    // Variables Kratos reads differently from their text join the deployment's caveat.
    let caveat = if deployment.env_notes.is_empty() {
        caveat
    } else {
        let notes = deployment.env_notes.join("; ");
        Some(caveat.map_or_else(|| notes.clone(), |c| format!("{c}; {notes}")))
    };
    let audited = Audited {
        version: cx.version,
        findings,
        caveat,
        hidden: deployment.hidden,
        service: deployment.compose.map(|c| c.service.name),
        sources: deployment.sources,
    };
    Ok(Part {
        text: run.deployment(&audited),
        summary: report::summarize(audited.findings.iter(), run.fail_on),
        used,
        caveat: audited.caveat,
    })
}

/// What a worker hands back for one deployment: its part of the report, already rendered,
/// and what the end of the report needs from it.
struct Part {
    text: String,
    summary: report::Summary,
    used: Vec<bool>,
    caveat: Option<String>,
}

fn stdout_writer(
    run: report::Run,
) -> report::Writer<std::io::BufWriter<std::io::StdoutLock<'static>>> {
    report::Writer::new(run, std::io::BufWriter::new(std::io::stdout().lock()))
}

/// Runs `work` over `jobs` on all cores and hands each result to `take` in the jobs' order, as
/// soon as it and every one before it are done; `take` returning false stops the run. Workers
/// pull the next job when they are free (a slow deployment does not hold up a whole share), and
/// the bounded channel keeps them from running far ahead of the writer. A panic in one job
/// becomes an internal error for that job's files.
fn in_order<J, W, T>(jobs: J, work: W, mut take: T)
where
    J: Iterator<Item = Result<Job, ConfigError>> + Send,
    W: Fn(Job) -> Result<Part, ConfigError> + Sync,
    T: FnMut(Result<Part, ConfigError>) -> bool,
{
    let mut jobs = jobs.peekable();
    let Some(first) = jobs.next() else {
        return;
    };
    // One deployment (the usual `-c`): no thread to start.
    if jobs.peek().is_none() {
        take(first.and_then(&work));
        return;
    }
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    // Taking a job may walk a folder: that happens under the lock, by whichever worker is free.
    let queue = std::sync::Mutex::new(std::iter::once(first).chain(jobs).enumerate());
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (sender, receiver) = std::sync::mpsc::sync_channel(threads * 4);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let sender = sender.clone();
            let (queue, stop, work) = (&queue, &stop, &work);
            scope.spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    // A batch per lock and per message: one wake-up of the writer for
                    // several deployments instead of one each.
                    let batch: Vec<_> = match queue.lock() {
                        Ok(mut q) => q.by_ref().take(BATCH).collect(),
                        Err(_) => break,
                    };
                    if batch.is_empty() {
                        break;
                    }
                    let results: Vec<_> = batch
                        .into_iter()
                        .map(|(index, job)| (index, job.and_then(|job| guarded(work, job))))
                        .collect();
                    if sender.send(results).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0;
        for (index, result) in receiver.into_iter().flatten() {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&next) {
                next += 1;
                if !take(result) {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                    return;
                }
            }
        }
    });
}

/// Deployments a worker takes at once.
const BATCH: usize = 16;

/// `work` on `job`; a panic becomes an internal error naming the files.
fn guarded<W>(work: &W, job: Job) -> Result<Part, ConfigError>
where
    W: Fn(Job) -> Result<Part, ConfigError>,
{
    let names = job
        .files
        .iter()
        .map(|(_, n)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(job)))
        .unwrap_or(Err(ConfigError::Internal { files: names }))
}
