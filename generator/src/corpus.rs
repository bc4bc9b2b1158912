//! `sdkgen corpus`: generate (and optionally compile) every spec of some folders and write a
//! markdown report.
//!
//! Each spec is generated in a child process (this same executable, in a hidden worker mode) with
//! a timeout, so a spec that hangs or crashes the generator is recorded as such and never takes
//! the harness down. With `--compile`, the generated crates are type-checked in batches: they
//! become the members of one temporary cargo workspace with one shared target directory, so the
//! runtime and its dependencies are built once. `cargo check` is enough to prove that a crate
//! compiles (it runs every analysis but code generation). Errors are attributed to crates by
//! manifest path; members of a failed batch that no diagnostic names are re-checked alone.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diagnostics::{DiagnosticKind, Severity};
use crate::emit::RuntimeDependency;
use crate::ir::{Api, Operation, ResponseBody, SuccessResponse, TypeRef};

/// The line prefix a worker prints before its JSON summary.
const SUMMARY_PREFIX: &str = "SDKGEN-CORPUS-SUMMARY ";

/// Diagnostic kinds that mean a type fell back to `serde_json::Value` although the schema was
/// not free-form.
const DEGRADING_KINDS: [DiagnosticKind; 4] = [
    DiagnosticKind::InvalidSchema,
    DiagnosticKind::UnsupportedSchema,
    DiagnosticKind::UnresolvedRef,
    DiagnosticKind::RefCycle,
];

/// The arguments of `sdkgen corpus`.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct CorpusArgs {
    /// Folders of specs; every `*.yaml`, `*.yml` and `*.json` file in them is one spec.
    #[cfg_attr(feature = "cli", arg(required_unless_present = "worker_spec"))]
    pub dirs: Vec<PathBuf>,
    /// Where to write the markdown report.
    #[cfg_attr(feature = "cli", arg(long, default_value = "corpus-report.md"))]
    pub out: PathBuf,
    /// Also type-check every generated crate with `cargo check`.
    #[cfg_attr(feature = "cli", arg(long))]
    pub compile: bool,
    /// Specs generated at once, and cargo's `-j`.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 2))]
    pub jobs: usize,
    /// Seconds one spec may take to generate before it counts as a hang.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 60))]
    pub timeout_secs: u64,
    /// Seconds one `cargo check` batch may take.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 3600))]
    pub compile_timeout_secs: u64,
    /// Crates per `cargo check` batch.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 50))]
    pub batch_size: usize,
    /// Only the first N specs (after sorting and filtering).
    #[cfg_attr(feature = "cli", arg(long))]
    pub limit: Option<usize>,
    /// Only specs whose file name contains this text.
    #[cfg_attr(feature = "cli", arg(long))]
    pub filter: Option<String>,
    /// Only the specs whose file names are listed in this file (one a line, `#` comments).
    #[cfg_attr(feature = "cli", arg(long))]
    pub subset: Option<PathBuf>,
    /// Exit non-zero when a spec crashes or hangs the generator, or (with `--compile`) a crate
    /// does not compile or raises a rustc warning.
    #[cfg_attr(feature = "cli", arg(long))]
    pub strict: bool,
    /// Scratch folder for generated crates, logs and the shared target directory
    /// (default: `target/corpus` of this workspace).
    #[cfg_attr(feature = "cli", arg(long))]
    pub work_dir: Option<PathBuf>,
    /// The runtime the generated crates depend on (default: this workspace's).
    #[cfg_attr(feature = "cli", arg(long))]
    pub runtime_path: Option<String>,
    #[doc(hidden)]
    #[cfg_attr(feature = "cli", arg(long, hide = true))]
    pub worker_spec: Option<PathBuf>,
    #[doc(hidden)]
    #[cfg_attr(feature = "cli", arg(long, hide = true))]
    pub worker_out: Option<PathBuf>,
    #[doc(hidden)]
    #[cfg_attr(feature = "cli", arg(long, hide = true))]
    pub worker_name: Option<String>,
}

/// What a worker reports about one spec.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GenSummary {
    /// The crate was written.
    pub generated: bool,
    /// The first error, when it was not.
    pub error: Option<String>,
    /// The kind of that error, for grouping.
    pub error_kind: Option<String>,
    /// Operations generated.
    pub operations: usize,
    /// Operations whose types are all typed.
    pub typed: usize,
    /// Operations with a part degraded to `serde_json::Value`.
    pub degraded: usize,
    /// Operations that could not be generated at all.
    pub skipped: usize,
    /// Named types.
    pub types: usize,
    /// Generator warnings by kind.
    pub warnings: BTreeMap<String, usize>,
    /// Lines of generated Rust.
    pub lines: usize,
}

/// How one spec fared.
#[derive(Debug, Clone)]
struct SpecResult {
    folder: String,
    path: PathBuf,
    name: String,
    outcome: GenOutcome,
    seconds: f64,
    compile: Option<CompileResult>,
}

#[derive(Debug, Clone)]
enum GenOutcome {
    /// The worker ran to the end (the spec may still have had errors).
    Finished(GenSummary),
    /// The worker exited without a summary: a panic, an abort or a stack overflow.
    Crashed(String),
    /// The worker was killed after the timeout.
    TimedOut,
}

#[derive(Debug, Clone, Default)]
struct CompileResult {
    ok: bool,
    /// First error, `E0412: cannot find type ...`.
    first_error: Option<String>,
    /// Errors by normalized reason.
    error_count: usize,
    /// Warnings by lint or code.
    warnings: BTreeMap<String, usize>,
}

/// Runs `sdkgen corpus`.
pub fn run(args: &CorpusArgs) -> ExitCode {
    if let Some(spec) = &args.worker_spec {
        return worker(args, spec);
    }
    match run_corpus(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run_corpus(args: &CorpusArgs) -> std::io::Result<ExitCode> {
    let started = Instant::now();
    let specs = collect_specs(args)?;
    if specs.is_empty() {
        eprintln!("error: no spec files found");
        return Ok(ExitCode::FAILURE);
    }
    let work = args.work_dir.clone().unwrap_or_else(default_work_dir);
    let crates_dir = work.join("crates");
    let logs_dir = work.join("logs");
    if crates_dir.exists() {
        std::fs::remove_dir_all(&crates_dir)?;
    }
    std::fs::create_dir_all(&crates_dir)?;
    std::fs::create_dir_all(&logs_dir)?;
    let runtime = args
        .runtime_path
        .clone()
        .unwrap_or_else(crate::standalone::default_runtime_path);
    let exe = std::env::current_exe()?;

    eprintln!(
        "corpus: generating {} specs with {} jobs",
        specs.len(),
        args.jobs
    );
    let results = generate_all(args, &specs, &exe, &crates_dir, &logs_dir, &runtime);
    let gen_seconds = started.elapsed().as_secs_f64();
    let mut results = results;
    let mut compile_seconds = None;
    if args.compile {
        let compile_started = Instant::now();
        compile_all(args, &mut results, &work, &runtime)?;
        compile_seconds = Some(compile_started.elapsed().as_secs_f64());
    }
    let report = render_report(args, &results, gen_seconds, compile_seconds);
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&args.out, report)?;

    let crashed = results
        .iter()
        .filter(|r| !matches!(r.outcome, GenOutcome::Finished(_)))
        .count();
    let generated = results
        .iter()
        .filter(|r| matches!(&r.outcome, GenOutcome::Finished(s) if s.generated))
        .count();
    let compile_failed = results
        .iter()
        .filter(|r| r.compile.as_ref().is_some_and(|c| !c.ok))
        .count();
    eprintln!(
        "corpus: {} specs, {generated} generated, {crashed} crashed or hung, {compile_failed} failed to compile; report in {} ({:.0} s)",
        results.len(),
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    let warned = results
        .iter()
        .filter(|r| r.compile.as_ref().is_some_and(|c| !c.warnings.is_empty()))
        .count();
    if args.strict && (crashed > 0 || compile_failed > 0 || warned > 0) {
        for r in &results {
            if let Some(c) = r.compile.as_ref().filter(|c| !c.warnings.is_empty()) {
                let lints: Vec<String> = c
                    .warnings
                    .iter()
                    .map(|(k, n)| format!("{n}× {k}"))
                    .collect();
                eprintln!(
                    "  rustc warnings: {} ({})",
                    r.path.display(),
                    lints.join(", ")
                );
            }
        }
        for r in &results {
            match &r.outcome {
                GenOutcome::Crashed(msg) => eprintln!("  crashed: {} ({msg})", r.path.display()),
                GenOutcome::TimedOut => eprintln!("  hung: {}", r.path.display()),
                GenOutcome::Finished(_) => {}
            }
            if let Some(c) = r.compile.as_ref().filter(|c| !c.ok) {
                eprintln!(
                    "  does not compile: {} ({})",
                    r.path.display(),
                    c.first_error.as_deref().unwrap_or("no diagnostic")
                );
            }
        }
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn default_work_dir() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).join("target").join("corpus")
}

/// Every spec file of the folders, sorted per folder, filtered and limited.
fn collect_specs(args: &CorpusArgs) -> std::io::Result<Vec<(String, PathBuf)>> {
    let subset = match &args.subset {
        Some(path) => Some(
            std::fs::read_to_string(path)?
                .lines()
                .map(|l| l.split('#').next().unwrap_or("").trim().to_owned())
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>(),
        ),
        None => None,
    };
    let mut specs = Vec::new();
    for dir in &args.dirs {
        let folder = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| dir.display().to_string());
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            let is_spec = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"));
            if path.is_file() && is_spec {
                files.push(path);
            }
        }
        files.sort();
        for path in files {
            let file_name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if let Some(filter) = &args.filter {
                if !file_name.contains(filter.as_str()) {
                    continue;
                }
            }
            if let Some(subset) = &subset {
                if !subset.contains(&file_name) {
                    continue;
                }
            }
            specs.push((folder.clone(), path));
        }
    }
    if let Some(limit) = args.limit {
        specs.truncate(limit);
    }
    Ok(specs)
}

/// A package name for the `index`th spec: unique, a valid crate name, recognisable.
fn crate_name(index: usize, path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut slug = String::new();
    for ch in stem.chars() {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch);
        } else if !slug.ends_with('_') {
            slug.push('_');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = slug.trim_matches('_');
    format!("c{index:03}_{slug}")
}

fn generate_all(
    args: &CorpusArgs,
    specs: &[(String, PathBuf)],
    exe: &Path,
    crates_dir: &Path,
    logs_dir: &Path,
    runtime: &str,
) -> Vec<SpecResult> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<SpecResult>> = Mutex::new(Vec::with_capacity(specs.len()));
    let timeout = Duration::from_secs(args.timeout_secs);
    std::thread::scope(|scope| {
        for _ in 0..args.jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some((folder, path)) = specs.get(index) else {
                        break;
                    };
                    let name = crate_name(index, path);
                    let started = Instant::now();
                    let outcome = generate_one(
                        exe,
                        path,
                        &crates_dir.join(&name),
                        logs_dir,
                        &name,
                        runtime,
                        timeout,
                    );
                    let seconds = started.elapsed().as_secs_f64();
                    let status = match &outcome {
                        GenOutcome::Finished(s) if s.generated => "ok",
                        GenOutcome::Finished(_) => "error",
                        GenOutcome::Crashed(_) => "CRASHED",
                        GenOutcome::TimedOut => "HUNG",
                    };
                    eprintln!(
                        "  [{}/{}] {status:<7} {seconds:>6.1}s {}",
                        index + 1,
                        specs.len(),
                        path.display()
                    );
                    let result = SpecResult {
                        folder: folder.clone(),
                        path: path.clone(),
                        name,
                        outcome,
                        seconds,
                        compile: None,
                    };
                    if let Ok(mut all) = results.lock() {
                        all.push(result);
                    }
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by(|a, b| a.name.cmp(&b.name));
    results
}

/// Generates one spec in a child process, with a timeout.
fn generate_one(
    exe: &Path,
    spec: &Path,
    out: &Path,
    logs_dir: &Path,
    name: &str,
    runtime: &str,
    timeout: Duration,
) -> GenOutcome {
    let stdout_path = logs_dir.join(format!("{name}.out"));
    let stderr_path = logs_dir.join(format!("{name}.err"));
    let (Ok(stdout), Ok(stderr)) = (
        std::fs::File::create(&stdout_path),
        std::fs::File::create(&stderr_path),
    ) else {
        return GenOutcome::Crashed("cannot create the worker's log files".to_owned());
    };
    let child = Command::new(exe)
        .arg("corpus")
        .arg("--worker-spec")
        .arg(spec)
        .arg("--worker-out")
        .arg(out)
        .arg("--worker-name")
        .arg(name)
        .arg("--runtime-path")
        .arg(runtime)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(err) => return GenOutcome::Crashed(format!("cannot start the worker: {err}")),
    };
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return GenOutcome::TimedOut;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(err) => return GenOutcome::Crashed(format!("cannot wait for the worker: {err}")),
        }
    };
    let stdout = std::fs::read_to_string(&stdout_path).unwrap_or_default();
    let summary = stdout
        .lines()
        .find_map(|l| l.strip_prefix(SUMMARY_PREFIX))
        .and_then(|json| serde_json::from_str::<GenSummary>(json).ok());
    match summary {
        Some(summary) if status.success() => GenOutcome::Finished(summary),
        _ => {
            let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
            GenOutcome::Crashed(crash_reason(&stderr, status))
        }
    }
}

/// The panic message (or the signal) of a crashed worker, on one line.
fn crash_reason(stderr: &str, status: std::process::ExitStatus) -> String {
    let mut lines = stderr.lines();
    while let Some(line) = lines.next() {
        if line.contains("panicked at") {
            let message = lines.next().unwrap_or("").trim();
            let location = line
                .split("panicked at ")
                .nth(1)
                .unwrap_or("")
                .trim_end_matches(':');
            return format!("panic at {location}: {message}");
        }
        if line.contains("has overflowed its stack") {
            return "stack overflow".to_owned();
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("killed by signal {signal}");
        }
    }
    format!("exited with {status} without a summary")
}

/// Worker mode: generate one spec and print a summary line.
fn worker(args: &CorpusArgs, spec: &Path) -> ExitCode {
    let summary = generate_summary(args, spec);
    match serde_json::to_string(&summary) {
        Ok(json) => {
            println!("{SUMMARY_PREFIX}{json}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: cannot serialize the summary: {err}");
            ExitCode::FAILURE
        }
    }
}

fn generate_summary(args: &CorpusArgs, spec: &Path) -> GenSummary {
    let mut summary = GenSummary::default();
    let mut generated = match crate::analyze(spec, None) {
        Ok(g) => g,
        Err(diags) => {
            let first = diags.iter().find(|d| d.severity == Severity::Error);
            summary.error = first.map(|d| format!("{}: {}", d.kind.name(), d.message));
            summary.error_kind = first.map(|d| d.kind.name().to_owned());
            return summary;
        }
    };
    for d in generated.diagnostics.iter() {
        if d.severity == Severity::Warning {
            *summary
                .warnings
                .entry(d.kind.name().to_owned())
                .or_insert(0) += 1;
        }
    }
    let (typed, degraded) = count_degraded(&generated.api, &generated.diagnostics);
    summary.operations = generated.api.operations.len();
    summary.typed = typed;
    summary.degraded = degraded;
    summary.skipped = generated
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagnosticKind::SkippedOperation)
        .count();
    summary.types = generated.api.types.len();
    if let Some(name) = &args.worker_name {
        generated.config.crate_.name = name.clone();
    }
    let runtime = RuntimeDependency::Path(
        args.runtime_path
            .clone()
            .unwrap_or_else(crate::standalone::default_runtime_path),
    );
    let mut files = match crate::standalone::render_crate(&generated, &runtime) {
        Ok(files) => files,
        Err(err) => {
            summary.error = Some(format!("emit: {err}"));
            summary.error_kind = Some("emit".to_owned());
            return summary;
        }
    };
    if let Some(manifest) = files.files.get_mut("Cargo.toml") {
        *manifest = strip_workspace_table(manifest);
    }
    summary.lines = files.files.values().map(|text| text.lines().count()).sum();
    if let Some(out) = &args.worker_out {
        if let Err(err) = crate::build::write_files(out, &files) {
            summary.error = Some(format!("cannot write {}: {err}", out.display()));
            summary.error_kind = Some("io".to_owned());
            return summary;
        }
    }
    summary.generated = true;
    summary
}

/// Removes the `[workspace]` table (and the comment just above it) so that the crate can be a
/// member of the corpus workspace.
pub fn strip_workspace_table(manifest: &str) -> String {
    let lines: Vec<&str> = manifest.lines().collect();
    let mut keep = vec![true; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == "[workspace]" {
            let mut j = i;
            while j > 0 && lines[j - 1].trim_start().starts_with('#') {
                j -= 1;
                keep[j] = false;
            }
            keep[i] = false;
            i += 1;
            while i < lines.len() && !lines[i].trim_start().starts_with('[') {
                keep[i] = false;
                i += 1;
            }
            continue;
        }
        i += 1;
    }
    let mut out = String::with_capacity(manifest.len());
    for (line, keep) in lines.iter().zip(keep) {
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Counts operations that are fully typed and those with a degraded part.
///
/// An operation is degraded when the lowering recorded a degraded part for it
/// ([`Operation::degraded`]), when a warning of a degrading kind (see [`DEGRADING_KINDS`]) is
/// located inside the operation, or when a parameter, body or response names a type whose own
/// schema had such a warning at its root.
pub fn count_degraded(api: &Api, diags: &crate::diagnostics::Diagnostics) -> (usize, usize) {
    let degraded = degraded_operations(api, diags).len();
    (api.operations.len() - degraded, degraded)
}

/// The degraded operations by operationId, each with the reasons: the warnings that degraded it.
pub fn degraded_operations(
    api: &Api,
    diags: &crate::diagnostics::Diagnostics,
) -> std::collections::BTreeMap<String, Vec<String>> {
    let degrading: Vec<&crate::diagnostics::Diagnostic> = diags
        .iter()
        .filter(|d| d.severity == Severity::Warning && DEGRADING_KINDS.contains(&d.kind))
        .collect();
    let under = |ptr: &str, base: &str| {
        ptr == base
            || ptr
                .strip_prefix(base)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    let mut out = std::collections::BTreeMap::new();
    for op in &api.operations {
        let mut reasons: Vec<String> = op.degraded.clone();
        for d in &degrading {
            let in_op = under(&d.pointer, &op.pointer);
            let in_type = op_type_refs(op).into_iter().any(|t| {
                named_root(t).is_some_and(|id| {
                    api.types
                        .get(id)
                        .is_some_and(|def| def.pointer == d.pointer)
                })
            });
            if in_op || in_type {
                reasons.push(format!("{}: {} at {}", d.kind.name(), d.message, d.pointer));
            }
        }
        if !reasons.is_empty() {
            out.insert(op.operation_id.clone(), reasons);
        }
    }
    out
}

fn op_type_refs(op: &Operation) -> Vec<&TypeRef> {
    let mut refs: Vec<&TypeRef> = op.params.iter().map(|p| &p.ty).collect();
    if let Some(body) = &op.body {
        refs.push(&body.ty);
    }
    let mut bodies: Vec<&ResponseBody> = op.responses.errors.iter().map(|c| &c.body).collect();
    match &op.responses.success {
        SuccessResponse::Single(body) => bodies.push(body),
        SuccessResponse::Enum { cases, .. } => bodies.extend(cases.iter().map(|c| &c.body)),
    }
    for body in bodies {
        if let ResponseBody::Json(t) | ResponseBody::EventStream(t) = body {
            refs.push(t);
        }
    }
    refs
}

/// The named type at the root of a type, through containers.
fn named_root(t: &TypeRef) -> Option<&crate::ir::TypeId> {
    match t {
        TypeRef::Named(id) | TypeRef::Boxed(id) => Some(id),
        TypeRef::Array(inner)
        | TypeRef::Map(inner)
        | TypeRef::Nullable(inner)
        | TypeRef::Expandable(inner) => named_root(inner),
        _ => None,
    }
}

/// Type-checks the generated crates in batches.
fn compile_all(
    args: &CorpusArgs,
    results: &mut [SpecResult],
    work: &Path,
    runtime: &str,
) -> std::io::Result<()> {
    let lock = Path::new(runtime).parent().map(|p| p.join("Cargo.lock"));
    if let Some(lock) = lock.filter(|l| l.exists()) {
        if !work.join("Cargo.lock").exists() {
            std::fs::copy(lock, work.join("Cargo.lock"))?;
        }
    }
    let members: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| matches!(&r.outcome, GenOutcome::Finished(s) if s.generated))
        .map(|(i, _)| i)
        .collect();
    let batches: Vec<&[usize]> = members.chunks(args.batch_size.max(1)).collect();
    for (n, batch) in batches.iter().enumerate() {
        let names: Vec<String> = batch.iter().map(|&i| results[i].name.clone()).collect();
        eprintln!(
            "corpus: cargo check, batch {}/{} ({} crates)",
            n + 1,
            batches.len(),
            names.len()
        );
        let outcome = check_batch(args, work, &names)?;
        let mut unattributed = Vec::new();
        for &i in batch.iter() {
            match outcome.crates.get(&results[i].name) {
                Some(c) if c.ok || c.error_count > 0 => results[i].compile = Some(c.clone()),
                _ if outcome.success => {
                    results[i].compile = Some(
                        outcome
                            .crates
                            .get(&results[i].name)
                            .cloned()
                            .map(|c| CompileResult { ok: true, ..c })
                            .unwrap_or(CompileResult {
                                ok: true,
                                ..CompileResult::default()
                            }),
                    );
                }
                _ => unattributed.push(i),
            }
        }
        for i in unattributed {
            let name = results[i].name.clone();
            eprintln!("corpus: re-checking {name} alone");
            let single = check_batch(args, work, std::slice::from_ref(&name))?;
            let mut result = single.crates.get(&name).cloned().unwrap_or_default();
            result.ok = single.success && result.error_count == 0;
            if !result.ok && result.first_error.is_none() {
                result.first_error = Some(single.failure.clone().unwrap_or_else(|| {
                    "cargo failed without a diagnostic for this crate".to_owned()
                }));
            }
            results[i].compile = Some(result);
        }
    }
    Ok(())
}

struct BatchOutcome {
    success: bool,
    crates: BTreeMap<String, CompileResult>,
    failure: Option<String>,
}

/// Runs `cargo check` on a workspace made of `names`.
fn check_batch(args: &CorpusArgs, work: &Path, names: &[String]) -> std::io::Result<BatchOutcome> {
    let mut manifest = String::from(
        "# Written by `sdkgen corpus`: a scratch workspace of generated crates.\n\
         [workspace]\nresolver = \"3\"\nmembers = [\n",
    );
    for name in names {
        let _ = writeln!(manifest, "    \"crates/{name}\",");
    }
    manifest.push_str("]\n\n[profile.dev]\ndebug = 0\nincremental = false\n");
    std::fs::write(work.join("Cargo.toml"), manifest)?;
    let stderr_path = work.join("logs").join("cargo-check.err");
    let stderr = std::fs::File::create(&stderr_path)?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut child = Command::new(cargo)
        .args([
            "check",
            "--workspace",
            "--keep-going",
            "--message-format=json",
        ])
        .arg("-j")
        .arg(args.jobs.max(1).to_string())
        .env("CARGO_TARGET_DIR", work.join("target"))
        .env_remove("RUSTFLAGS")
        .current_dir(work)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()?;
    let stdout = child.stdout.take();
    let deadline = Duration::from_secs(args.compile_timeout_secs);
    let started = Instant::now();
    let reader = std::thread::spawn(move || {
        let mut crates: BTreeMap<String, CompileResult> = BTreeMap::new();
        let mut success = false;
        if let Some(stdout) = stdout {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Ok(msg) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                read_cargo_message(&msg, &mut crates, &mut success);
            }
        }
        (crates, success)
    });
    let mut timed_out = false;
    let status = loop {
        match child.try_wait()? {
            Some(status) => break Some(status),
            None if started.elapsed() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                timed_out = true;
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(200)),
        }
    };
    let (crates, finished_ok) = reader.join().unwrap_or_default();
    let success = !timed_out && finished_ok && status.is_some_and(|s| s.success());
    let failure = if timed_out {
        Some(format!(
            "cargo check timed out after {} s",
            args.compile_timeout_secs
        ))
    } else if success {
        None
    } else {
        let text = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        text.lines()
            .find(|l| l.starts_with("error"))
            .map(|l| format!("cargo: {}", l.trim()))
    };
    Ok(BatchOutcome {
        success,
        crates,
        failure,
    })
}

/// Folds one `--message-format=json` line into the per-crate results.
fn read_cargo_message(
    msg: &Value,
    crates: &mut BTreeMap<String, CompileResult>,
    success: &mut bool,
) {
    let crate_of = |msg: &Value| {
        msg.get("manifest_path")
            .and_then(Value::as_str)
            .map(Path::new)
            .and_then(Path::parent)
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
    };
    match msg.get("reason").and_then(Value::as_str) {
        Some("compiler-artifact") => {
            if let Some(name) = crate_of(msg) {
                crates.entry(name).or_default().ok = true;
            }
        }
        Some("compiler-message") => {
            let Some(name) = crate_of(msg) else { return };
            let Some(diag) = msg.get("message") else {
                return;
            };
            let level = diag.get("level").and_then(Value::as_str).unwrap_or("");
            let text = diag.get("message").and_then(Value::as_str).unwrap_or("");
            let code = diag
                .pointer("/code/code")
                .and_then(Value::as_str)
                .unwrap_or("");
            let no_spans = diag
                .get("spans")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty);
            if no_spans
                && (text.starts_with("aborting due to")
                    || text.ends_with("warnings emitted")
                    || text.ends_with("warning emitted"))
            {
                return;
            }
            let entry = crates.entry(name).or_default();
            match level {
                "error" | "error: internal compiler error" => {
                    entry.error_count += 1;
                    entry.ok = false;
                    if entry.first_error.is_none() {
                        let text = text.lines().next().unwrap_or("");
                        entry.first_error = Some(if code.is_empty() {
                            text.to_owned()
                        } else {
                            format!("{code}: {text}")
                        });
                    }
                }
                "warning" => {
                    let kind = if code.is_empty() {
                        normalize(text)
                    } else {
                        code.to_owned()
                    };
                    *entry.warnings.entry(kind).or_insert(0) += 1;
                }
                _ => {}
            }
        }
        Some("build-finished") => {
            *success = msg.get("success").and_then(Value::as_bool).unwrap_or(false);
        }
        _ => {}
    }
}

/// Replaces the specific parts of a message (backticked names, numbers) so that messages group.
fn normalize(message: &str) -> String {
    let mut out = String::new();
    let mut in_tick = false;
    for ch in message.lines().next().unwrap_or("").chars() {
        if ch == '`' {
            if in_tick {
                out.push_str("…`");
            } else {
                out.push('`');
            }
            in_tick = !in_tick;
        } else if !in_tick {
            if ch.is_ascii_digit() {
                if !out.ends_with('N') {
                    out.push('N');
                }
            } else {
                out.push(ch);
            }
        }
    }
    if out.chars().count() > 120 {
        out = out.chars().take(117).collect::<String>() + "...";
    }
    out
}

/// Escapes text for a markdown table cell.
fn cell(text: &str) -> String {
    let one_line = text.lines().next().unwrap_or("");
    let mut s: String = one_line.chars().take(160).collect();
    if one_line.chars().count() > 160 {
        s.push('…');
    }
    s.replace('|', "\\|")
}

fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        "–".to_owned()
    } else {
        format!("{:.1}%", 100.0 * n as f64 / d as f64)
    }
}

#[derive(Default)]
struct Totals {
    specs: usize,
    generated: usize,
    crashed: usize,
    compiled: usize,
    compile_attempted: usize,
    operations: usize,
    typed: usize,
    degraded: usize,
    skipped: usize,
}

impl Totals {
    fn add(&mut self, r: &SpecResult) {
        self.specs += 1;
        match &r.outcome {
            GenOutcome::Finished(s) => {
                if s.generated {
                    self.generated += 1;
                }
                self.operations += s.operations;
                self.typed += s.typed;
                self.degraded += s.degraded;
                self.skipped += s.skipped;
            }
            GenOutcome::Crashed(_) | GenOutcome::TimedOut => self.crashed += 1,
        }
        if let Some(c) = &r.compile {
            self.compile_attempted += 1;
            if c.ok {
                self.compiled += 1;
            }
        }
    }

    fn row(&self, label: &str, compiled: bool) -> String {
        let all_ops = self.operations + self.skipped;
        let compile = if compiled {
            format!(
                "{}/{} ({})",
                self.compiled,
                self.specs,
                pct(self.compiled, self.specs)
            )
        } else {
            "not run".to_owned()
        };
        format!(
            "| {label} | {} | {}/{} ({}) | {} | {} | {compile} | {} | {}/{} ({}) | {} | {} |\n",
            self.specs,
            self.generated,
            self.specs,
            pct(self.generated, self.specs),
            self.crashed,
            self.specs - self.generated - self.crashed,
            all_ops,
            self.typed,
            all_ops,
            pct(self.typed, all_ops),
            self.degraded,
            self.skipped,
        )
    }
}

/// The reason a spec failed, for grouping, if it did.
fn failure_reason(r: &SpecResult) -> Option<String> {
    match &r.outcome {
        GenOutcome::Crashed(msg) => Some(format!("generator crash: {}", normalize(msg))),
        GenOutcome::TimedOut => Some("generator hang (timeout)".to_owned()),
        GenOutcome::Finished(s) if !s.generated => Some(format!(
            "generate error: {}",
            s.error.as_deref().map(normalize).unwrap_or_default()
        )),
        GenOutcome::Finished(_) => r.compile.as_ref().filter(|c| !c.ok).map(|c| {
            format!(
                "compile error: {}",
                c.first_error.as_deref().map(normalize).unwrap_or_default()
            )
        }),
    }
}

/// The first diagnostic worth showing for a spec.
fn first_diagnostic(r: &SpecResult) -> String {
    match &r.outcome {
        GenOutcome::Crashed(msg) => format!("crash: {msg}"),
        GenOutcome::TimedOut => "hang: killed after the timeout".to_owned(),
        GenOutcome::Finished(s) => {
            if let Some(err) = &s.error {
                return err.clone();
            }
            if let Some(err) = r.compile.as_ref().and_then(|c| c.first_error.clone()) {
                return format!("rustc: {err}");
            }
            let top = |m: &BTreeMap<String, usize>| {
                m.iter()
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                    .map(|(k, n)| format!("{n}× {k}"))
            };
            if let Some(w) = top(&s.warnings) {
                return format!("warning: {w}");
            }
            if let Some(w) = r.compile.as_ref().and_then(|c| top(&c.warnings)) {
                return format!("rustc warning: {w}");
            }
            String::new()
        }
    }
}

fn render_report(
    args: &CorpusArgs,
    results: &[SpecResult],
    gen_seconds: f64,
    compile_seconds: Option<f64>,
) -> String {
    let mut out = String::new();
    let command: Vec<String> = std::env::args().collect();
    let _ = writeln!(out, "# sdkgen corpus report\n");
    let _ = writeln!(out, "- Command: `{}`", command.join(" "));
    let _ = writeln!(out, "- Date: {} (UTC)", today());
    let _ = writeln!(
        out,
        "- Generation: every spec in a child process, timeout {} s, {} jobs: {gen_seconds:.0} s.",
        args.timeout_secs, args.jobs
    );
    match compile_seconds {
        Some(s) => {
            let _ = writeln!(
                out,
                "- Compilation: `cargo check` (every analysis but code generation: enough to prove that a crate compiles), in workspaces of {} crates sharing one target directory: {s:.0} s.",
                args.batch_size
            );
        }
        None => {
            let _ = writeln!(out, "- Compilation: not run (pass `--compile`).");
        }
    }
    let _ = writeln!(
        out,
        "- Operations: *typed* + *degraded* are the operations generated; *skipped* ones could not be \
         generated at all (`skipped-operation`). An operation is *degraded* when a parameter, body or \
         response fell back to `serde_json::Value` although its schema was not free-form: the IR \
         recorded a degraded part for it, or an `invalid-schema`, `unsupported-schema`, \
         `unresolved-ref` or `ref-cycle` warning is located inside the operation or at the root of a \
         type it names directly. Typed % is typed / (generated + skipped).\n"
    );

    let _ = writeln!(out, "## Totals\n");
    let _ = writeln!(
        out,
        "| folder | specs | generated | crashed or hung | generate errors | compiled | operations | typed | degraded | skipped |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut by_folder: BTreeMap<&str, Totals> = BTreeMap::new();
    let mut all = Totals::default();
    for r in results {
        by_folder.entry(&r.folder).or_default().add(r);
        all.add(r);
    }
    for (folder, totals) in &by_folder {
        out.push_str(&totals.row(folder, args.compile));
    }
    if by_folder.len() > 1 {
        out.push_str(&all.row("**all**", args.compile));
    }

    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for r in results {
        if let Some(reason) = failure_reason(r) {
            *reasons.entry(reason).or_insert(0) += 1;
        }
    }
    let _ = writeln!(out, "\n## Most common failure reasons\n");
    if reasons.is_empty() {
        let _ = writeln!(out, "None.");
    } else {
        let _ = writeln!(out, "| count | reason |\n|---:|---|");
        let mut reasons: Vec<_> = reasons.into_iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (reason, n) in reasons.iter().take(20) {
            let _ = writeln!(out, "| {n} | {} |", cell(reason));
        }
    }

    let mut warnings: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut rustc_warnings: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for r in results {
        if let GenOutcome::Finished(s) = &r.outcome {
            for (kind, n) in &s.warnings {
                let e = warnings.entry(kind).or_default();
                e.0 += n;
                e.1 += 1;
            }
        }
        if let Some(c) = &r.compile {
            for (kind, n) in &c.warnings {
                let e = rustc_warnings.entry(kind).or_default();
                e.0 += n;
                e.1 += 1;
            }
        }
    }
    for (title, table) in [
        ("Generator warnings by kind", &warnings),
        ("Rustc warnings in generated crates", &rustc_warnings),
    ] {
        if table.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n## {title}\n\n| kind | warnings | specs |\n|---|---:|---:|"
        );
        let mut rows: Vec<_> = table.iter().collect();
        rows.sort_by(|a, b| (b.1).0.cmp(&(a.1).0).then(a.0.cmp(b.0)));
        for (kind, (n, specs)) in rows {
            let _ = writeln!(out, "| {} | {n} | {specs} |", cell(kind));
        }
    }

    let _ = writeln!(out, "\n## Specs\n");
    let _ = writeln!(
        out,
        "| spec | generated | compiled | typed | degraded | skipped | lines | seconds | first diagnostic |\n|---|---|---|---:|---:|---:|---:|---:|---|"
    );
    for r in results {
        let file = r
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (generated, typed, degraded, skipped, lines) = match &r.outcome {
            GenOutcome::Finished(s) => (
                if s.generated { "yes" } else { "error" },
                s.typed,
                s.degraded,
                s.skipped,
                s.lines,
            ),
            GenOutcome::Crashed(_) => ("CRASH", 0, 0, 0, 0),
            GenOutcome::TimedOut => ("HANG", 0, 0, 0, 0),
        };
        let compiled = match &r.compile {
            Some(c) if c.ok => "yes",
            Some(_) => "NO",
            None => "–",
        };
        let _ = writeln!(
            out,
            "| {}/{} | {generated} | {compiled} | {typed} | {degraded} | {skipped} | {lines} | {:.1} | {} |",
            cell(&r.folder),
            cell(&file),
            r.seconds,
            cell(&first_diagnostic(r))
        );
    }
    out
}

/// Today's date in UTC, `YYYY-MM-DD`.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_table_and_its_comment_are_stripped() {
        let manifest = "[package]\nname = \"x\"\n\n[dependencies]\nserde = \"1\"\n\n# Its own workspace.\n[workspace]\n";
        assert_eq!(
            strip_workspace_table(manifest),
            "[package]\nname = \"x\"\n\n[dependencies]\nserde = \"1\"\n\n"
        );
    }

    #[test]
    fn crate_names_are_unique_valid_identifiers() {
        let name = crate_name(7, Path::new("/x/amazonaws.com__chime-sdk__2021-05-15.yaml"));
        assert_eq!(name, "c007_amazonaws_com_chime_sdk_2021_05_15");
    }

    #[test]
    fn messages_group_without_their_specific_names() {
        assert_eq!(
            normalize("cannot find type `Foo` in module `types::bar` (2 times)"),
            "cannot find type `…` in module `…` (N times)"
        );
    }
}
