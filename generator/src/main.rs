//! The `sdkgen` command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sdkgen::diagnostics::{Diagnostics, Severity};
use sdkgen::emit::RuntimeDependency;

/// Generates typed Rust client crates from OpenAPI documents.
#[derive(Parser)]
#[command(name = "sdkgen", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Writes a standalone client crate for a spec.
    Generate {
        /// The OpenAPI (2.0, 3.0 or 3.1) document, JSON or YAML. Defaults to the embedded demo API.
        #[arg(long)]
        spec: Option<PathBuf>,
        /// An sdkgen.toml with provider behaviour; defaults to the one beside the spec, if any.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Where to write the crate. A folder an earlier `generate` wrote is replaced (files it no
        /// longer needs are deleted); any other non-empty folder is refused.
        #[arg(long)]
        out: PathBuf,
        /// The crate name (default: `[crate] name` from sdkgen.toml, else the spec's title).
        #[arg(long)]
        name: Option<String>,
        /// Depend on the runtime at this path (default: the runtime of the workspace that built
        /// sdkgen, or, for an installed sdkgen, the runtime release of its version).
        #[arg(long, conflicts_with = "runtime_version")]
        runtime_path: Option<String>,
        /// Depend on this version requirement of `sdkgen-runtime` from the registry.
        #[arg(long)]
        runtime_version: Option<String>,
        /// Print every warning, not just the counts.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Generates (and with `--compile`, type-checks) every spec of some folders; writes a report.
    Corpus(sdkgen::corpus::CorpusArgs),
    /// Copies each provider's pinned spec files into specs/<provider>/, checking every sha256.
    Vendor {
        /// Providers to vendor (folder names under --specs-dir); all when none are given.
        providers: Vec<String>,
        /// The folder holding one folder per provider.
        #[arg(long, default_value = "specs")]
        specs_dir: PathBuf,
        /// Write one provider's sdkgen.toml and pinned files into this folder instead (a provider
        /// crate's `spec/` folder, before `cargo package`).
        #[arg(long)]
        package_into: Option<PathBuf>,
        /// Fetch a new spec for one provider: print the diff, update the sha256 pin, bump the
        /// crate version by the verdict and write a dated CHANGELOG.md entry.
        #[arg(long)]
        update: bool,
        /// With --update: the new spec's path or URL (default: the pinned URL).
        #[arg(long, requires = "update")]
        from: Option<String>,
        /// With --update: which pinned file, for providers with several.
        #[arg(long, requires = "update")]
        file: Option<String>,
        /// With --update: report only; change no file.
        #[arg(long, requires = "update")]
        dry_run: bool,
        /// With --update: the crate folder holding CHANGELOG.md (default:
        /// <specs-dir>/../generated/<provider>).
        #[arg(long, requires = "update")]
        crate_dir: Option<PathBuf>,
    },
    /// Prints a provider's coverage: operations typed, degraded (and why) and skipped.
    Report {
        /// A provider name (stripe), a provider folder (specs/stripe) or a spec file.
        provider: PathBuf,
        /// Print the API surface (method signatures and type names) instead.
        #[arg(long)]
        surface: bool,
    },
    /// Contract tests: calls every operation of a provider through its generated client against
    /// Prism serving the spec, and writes a Markdown report (see CONTRACT.md).
    Contract {
        /// The provider folder, such as specs/demo, or a provider name.
        provider: PathBuf,
        /// The command that runs Prism; default: $SDKGEN_PRISM, else `prism`.
        #[arg(long)]
        prism: Option<String>,
        /// Dynamic-mode runs, each with its own seed.
        #[arg(long, default_value_t = 5)]
        seeds: u32,
        /// Where to write the report (printed when absent).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The scratch folder for generated crates and the build.
        #[arg(long, default_value = "target/contract")]
        work_dir: PathBuf,
    },
    /// Compares two versions of a spec as generated Rust API, with a semver verdict.
    Diff(DiffArgs),
    /// Prints the `[features]` table a provider crate's Cargo.toml must carry.
    Features {
        /// A provider name (stripe), a provider folder (specs/stripe) or a spec file.
        dir: PathBuf,
    },
}

/// `sdkgen diff OLD NEW`.
#[derive(clap::Args)]
struct DiffArgs {
    /// The older spec file, or a provider folder (or a name under specs/).
    old: PathBuf,
    /// The newer spec file, or a provider folder (or a name under specs/).
    new: PathBuf,
    /// The sdkgen.toml for both spec files (default: the one beside each spec, if any).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The sdkgen.toml for the older spec file.
    #[arg(long)]
    old_config: Option<PathBuf>,
    /// The sdkgen.toml for the newer spec file.
    #[arg(long)]
    new_config: Option<PathBuf>,
    /// `markdown` (grouped by resource, counts first) or `json` (schema in the README).
    #[arg(long, value_enum, default_value = "markdown")]
    format: DiffFormat,
    /// Exit with status 2 when the diff has a change of this class (`breaking`), for CI.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DiffFormat {
    Markdown,
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FailOn {
    /// Any breaking change (a major verdict).
    Breaking,
    /// Any change at all.
    Any,
}

const DEMO_SPEC: &str = include_str!("../demo/openapi.yaml");
const DEMO_COMMON: &str = include_str!("../demo/common.yaml");
const DEMO_CONFIG: &str = include_str!("../demo/sdkgen.toml");

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Generate {
            spec,
            config,
            out,
            name,
            runtime_path,
            runtime_version,
            verbose,
        } => generate(
            spec,
            config,
            &out,
            name.as_deref(),
            runtime_path,
            runtime_version,
            verbose,
        ),
        Command::Corpus(args) => sdkgen::corpus::run(&args),
        Command::Vendor {
            providers,
            specs_dir,
            package_into,
            update,
            from,
            file,
            dry_run,
            crate_dir,
        } => {
            if update {
                vendor_update(&providers, &specs_dir, from, file, dry_run, crate_dir)
            } else {
                vendor(&providers, &specs_dir, package_into.as_deref())
            }
        }
        Command::Report { provider, surface } => match sdkgen::build::load_any(&provider) {
            Ok(p) => {
                say_downloads(&p);
                if surface {
                    for part in &p.parts {
                        if let Some(m) = &part.module {
                            println!("# {m}");
                        }
                        print!("{}", sdkgen::report::surface(&part.generated.api));
                    }
                } else {
                    print!("{}", sdkgen::report::provider_report(&p));
                }
                ExitCode::SUCCESS
            }
            Err(diags) => {
                report(&diags, true);
                ExitCode::FAILURE
            }
        },
        Command::Contract {
            provider,
            prism,
            seeds,
            out,
            work_dir,
        } => contract(provider, prism, seeds, out, work_dir),
        Command::Diff(args) => diff(&args),
        Command::Features { dir } => match sdkgen::build::load_any(&dir) {
            Ok(provider) => {
                say_downloads(&provider);
                print!("{}", sdkgen::build::features_table(&provider));
                ExitCode::SUCCESS
            }
            Err(diags) => {
                report(&diags, true);
                ExitCode::FAILURE
            }
        },
    }
}

fn say_downloads(provider: &sdkgen::build::Provider) {
    for url in &provider.downloaded {
        eprintln!(
            "downloaded {url} into the spec cache (its sha256 matches the pin; `sdkgen vendor` keeps a copy in specs/)"
        );
    }
}

fn contract(
    provider: PathBuf,
    prism: Option<String>,
    seeds: u32,
    out: Option<PathBuf>,
    work_dir: PathBuf,
) -> ExitCode {
    let provider_dir = if provider.exists() {
        provider
    } else {
        Path::new("specs").join(&provider)
    };
    let name = provider_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prism = prism
        .or_else(|| std::env::var("SDKGEN_PRISM").ok())
        .unwrap_or_else(|| "prism".to_owned());
    let absolute = |p: PathBuf| std::path::absolute(&p).unwrap_or(p);
    let options = sdkgen::contract::ContractOptions {
        provider_dir,
        prism: prism.split_whitespace().map(str::to_owned).collect(),
        seeds,
        target_dir: absolute(work_dir.join("target")),
        work_dir: absolute(work_dir.join(&name)),
        runtime_dir: absolute(Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime")),
    };
    match sdkgen::contract::run(&options) {
        Ok(report) => {
            match out {
                Some(path) => {
                    if let Err(err) = std::fs::write(&path, &report.markdown) {
                        eprintln!("error: cannot write {}: {err}", path.display());
                        return ExitCode::FAILURE;
                    }
                    eprintln!("contract: report in {}", path.display());
                }
                None => print!("{}", report.markdown),
            }
            if report.client_failures == 0 {
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "contract: {} calls failed through the client (see the report)",
                    report.client_failures
                );
                ExitCode::FAILURE
            }
        }
        Err(err) => {
            eprintln!("error[contract]: {err}");
            ExitCode::FAILURE
        }
    }
}

fn diff(args: &DiffArgs) -> ExitCode {
    let old_config = args.old_config.as_deref().or(args.config.as_deref());
    let new_config = args.new_config.as_deref().or(args.config.as_deref());
    let loaded = sdkgen::diff::load_side(&args.old, old_config).and_then(|old| {
        let new = sdkgen::diff::load_side(&args.new, new_config)?;
        sdkgen::diff::diff_providers(
            &old,
            &new,
            &args.old.display().to_string(),
            &args.new.display().to_string(),
        )
    });
    let diff = match loaded {
        Ok(d) => d,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    match args.format {
        DiffFormat::Markdown => print!("{}", diff.markdown()),
        DiffFormat::Json => println!("{}", diff.json()),
    }
    let fail = match args.fail_on {
        Some(FailOn::Breaking) => diff.breaking > 0,
        Some(FailOn::Any) => !diff.changes.is_empty(),
        None => false,
    };
    if fail {
        eprintln!(
            "sdkgen diff: {} breaking and {} compatible changes (--fail-on)",
            diff.breaking, diff.compatible
        );
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn vendor_update(
    providers: &[String],
    specs_dir: &Path,
    from: Option<String>,
    file: Option<String>,
    dry_run: bool,
    crate_dir: Option<PathBuf>,
) -> ExitCode {
    let [provider] = providers else {
        eprintln!("error: --update takes exactly one provider");
        return ExitCode::FAILURE;
    };
    let as_path = Path::new(provider);
    let provider_dir = if as_path.join("sdkgen.toml").is_file() {
        as_path.to_path_buf()
    } else {
        specs_dir.join(provider)
    };
    let name = provider_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let crate_dir = crate_dir.unwrap_or_else(|| provider_dir.join("../../generated").join(&name));
    let request = sdkgen::vendor::UpdateRequest {
        provider_dir,
        crate_dir,
        from,
        file,
        dry_run,
        date: chrono::Utc::now().format("%Y-%m-%d").to_string(),
    };
    match sdkgen::vendor::update_provider(&request) {
        Ok(outcome) => {
            let Some(diff) = &outcome.diff else {
                println!(
                    "up to date: {} already has sha256 {}",
                    outcome.file, outcome.new_sha256
                );
                return ExitCode::SUCCESS;
            };
            print!("{}", diff.markdown());
            println!();
            println!(
                "{} sha256 {} → {}; version {} → {} ({})",
                outcome.file,
                outcome.old_sha256,
                outcome.new_sha256,
                outcome.old_version,
                outcome.new_version,
                diff.verdict.label()
            );
            for (now, kept) in &outcome.pinned {
                println!(
                    "kept the name {kept} (the new spec would call it {now}) in [naming.types]"
                );
            }
            if dry_run {
                println!("dry run: nothing was changed");
            }
            for path in &outcome.written {
                println!("wrote {}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn vendor(providers: &[String], specs_dir: &Path, package_into: Option<&Path>) -> ExitCode {
    if package_into.is_some() && providers.len() != 1 {
        eprintln!("error: --package-into takes exactly one provider");
        return ExitCode::FAILURE;
    }
    let mut dirs: Vec<PathBuf> = match std::fs::read_dir(specs_dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("sdkgen.toml").exists())
            .collect(),
        Err(err) => {
            eprintln!("error: cannot read {}: {err}", specs_dir.display());
            return ExitCode::FAILURE;
        }
    };
    dirs.sort();
    if !providers.is_empty() {
        dirs.retain(|d| {
            d.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| providers.iter().any(|p| p == n))
        });
        if dirs.len() != providers.len() {
            eprintln!(
                "error: unknown provider among {providers:?}; each needs specs/<name>/sdkgen.toml"
            );
            return ExitCode::FAILURE;
        }
    }
    let mut failed = false;
    for dir in dirs {
        let mut diags = Diagnostics::new();
        let Some(config) = sdkgen::build::read_config(&dir, &mut diags) else {
            report(&diags, true);
            failed = true;
            continue;
        };
        let outcomes = match package_into {
            Some(target) => sdkgen::vendor::stage_package(&dir, &config, target),
            None => sdkgen::vendor::vendor_provider(&dir, &config),
        };
        match outcomes {
            Ok(outcomes) => {
                for o in outcomes {
                    match o {
                        sdkgen::vendor::Outcome::UpToDate(p) => println!("up to date  {p}"),
                        sdkgen::vendor::Outcome::Copied(p) => println!("copied      {p}"),
                        sdkgen::vendor::Outcome::Downloaded(p) => println!("downloaded  {p}"),
                    }
                }
            }
            Err(err) => {
                eprintln!("error: {err}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn generate(
    spec: Option<PathBuf>,
    config: Option<PathBuf>,
    out: &Path,
    name: Option<&str>,
    runtime_path: Option<String>,
    runtime_version: Option<String>,
    verbose: bool,
) -> ExitCode {
    // The embedded demo is read from a scratch folder (its `$ref`s need the files beside each
    // other), and its files are written into `<out>/spec/`, so the crate carries its input.
    let demo = spec.is_none();
    let scratch = std::env::temp_dir().join(format!("sdkgen-demo-{}", std::process::id()));
    let (spec, config) = match spec {
        Some(spec) => {
            let beside = spec
                .parent()
                .map(|p| p.join("sdkgen.toml"))
                .filter(|p| p.exists());
            (spec, config.or(beside))
        }
        None => match write_demo(&scratch) {
            Ok(paths) => paths,
            Err(err) => {
                eprintln!(
                    "error: cannot write the demo spec into {}: {err}",
                    scratch.display()
                );
                return ExitCode::FAILURE;
            }
        },
    };
    let analyzed = sdkgen::analyze(&spec, config.as_deref());
    if demo {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    let mut generated = match analyzed {
        Ok(g) => g,
        Err(diags) => {
            report(&diags, true);
            return ExitCode::FAILURE;
        }
    };
    report(&generated.diagnostics, verbose);
    // The first line counts; each further line is one detection and its evidence.
    let pagination = sdkgen::report::pagination_lines(&generated.api);
    if pagination.len() > 1 {
        if verbose {
            for line in &pagination {
                eprintln!("{line}");
            }
        } else {
            eprintln!(
                "{} (-v or `sdkgen report SPEC` shows the evidence for each detection)",
                pagination[0]
            );
        }
    }
    match sdkgen::standalone::crate_name(&generated, name) {
        Ok(name) => generated.config.crate_.name = name,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    }
    let runtime = match (runtime_version, runtime_path) {
        (Some(v), _) => RuntimeDependency::Version(v),
        (None, Some(path)) => RuntimeDependency::Path(path),
        (None, None) => sdkgen::standalone::default_runtime(),
    };
    let mut files = match sdkgen::standalone::render_crate(&generated, &runtime) {
        Ok(f) => f,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    if demo {
        for (file, text) in DEMO_FILES {
            files.files.insert(format!("spec/{file}"), text.to_owned());
        }
    }
    if let Err(err) = sdkgen::standalone::write_crate(out, &files) {
        eprintln!("error: {err}");
        return ExitCode::FAILURE;
    }
    println!(
        "wrote {} into {} ({} operations, {} types, {} files)",
        generated.config.crate_.name,
        out.display(),
        generated.api.operations.len(),
        generated.api.types.len(),
        files.files.len()
    );
    ExitCode::SUCCESS
}

const DEMO_FILES: [(&str, &str); 3] = [
    ("openapi.yaml", DEMO_SPEC),
    ("common.yaml", DEMO_COMMON),
    ("sdkgen.toml", DEMO_CONFIG),
];

/// Writes the embedded demo spec into `dir`, to be read from there.
fn write_demo(dir: &Path) -> std::io::Result<(PathBuf, Option<PathBuf>)> {
    std::fs::create_dir_all(dir)?;
    for (file, text) in DEMO_FILES {
        std::fs::write(dir.join(file), text)?;
    }
    Ok((dir.join("openapi.yaml"), Some(dir.join("sdkgen.toml"))))
}

fn report(diags: &Diagnostics, verbose: bool) {
    for d in diags.iter() {
        if verbose || d.severity == Severity::Error {
            eprintln!("{d}");
        }
    }
    let counts = diags.counts();
    if counts.is_empty() {
        return;
    }
    eprintln!("diagnostics by kind:");
    let mut hidden_warnings = false;
    for ((severity, kind), n) in counts {
        let level = if severity == Severity::Error {
            "error"
        } else {
            hidden_warnings = !verbose;
            "warning"
        };
        eprintln!("  {n:>5} {level} {}", kind.name());
    }
    if hidden_warnings {
        eprintln!("run again with -v to see each warning and where it is (a JSON Pointer)");
    }
}
