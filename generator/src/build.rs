//! Generation from a build script: the default way `generated/<provider>/` crates are built.
//!
//! A provider folder holds `sdkgen.toml` and, once vendored, its spec files. A crate is built
//! from one spec, or from several specs that each become a module with its own `Client` (Twilio's
//! API, Messaging and Verify products, for example).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostics::{DiagnosticKind, Diagnostics, Severity};
use crate::emit::Placement;
use crate::vendor::{Resolved, Sources};

/// What went wrong in a build script.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The spec or config has errors.
    #[error("the spec could not be generated:\n{0}")]
    Spec(String),
    /// Writing the output failed.
    #[error("cannot write generated code: {0}")]
    Io(#[from] std::io::Error),
    /// An internal emitter error.
    #[error(transparent)]
    Emit(#[from] crate::emit::EmitError),
    /// `OUT_DIR` is not set: not running in a build script.
    #[error("OUT_DIR is not set; call this from a build script")]
    NoOutDir,
}

/// One spec of a provider, lowered, with the module it goes into (if the crate has several).
#[derive(Debug)]
pub struct Part {
    /// The module, for crates built from several specs.
    pub module: Option<String>,
    /// The spec file read.
    pub spec: PathBuf,
    /// The lowered spec.
    pub generated: crate::Generated,
}

/// A provider folder, loaded.
#[derive(Debug)]
pub struct Provider {
    /// Its configuration.
    pub config: Config,
    /// One part per spec.
    pub parts: Vec<Part>,
    /// The pinned URLs this load downloaded (a build script's, with no vendored or mirrored copy).
    pub downloaded: Vec<String>,
}

/// Reads `<dir>/sdkgen.toml` (optional).
pub fn read_config(dir: &Path, diags: &mut Diagnostics) -> Option<Config> {
    let config_path = dir.join("sdkgen.toml");
    if !config_path.exists() {
        return Some(Config::default());
    }
    match std::fs::read_to_string(&config_path) {
        Ok(text) => Config::parse(&text, &config_path.display().to_string(), diags),
        Err(err) => {
            diags.error(
                DiagnosticKind::Config,
                config_path.display().to_string(),
                format!("cannot read: {err}"),
            );
            None
        }
    }
}

/// The spec files of a provider and their modules: pinned files with a `module`, else the
/// `[source] spec` file (pinned or not), else `openapi.{yaml,yml,json}`.
fn spec_files(
    dir: &Path,
    config: &Config,
    sources: &Sources,
    downloaded: &mut Vec<String>,
    diags: &mut Diagnostics,
) -> Vec<(Option<String>, PathBuf)> {
    let mut resolve = |file: &crate::config::SourceFile, diags: &mut Diagnostics| {
        resolve_pinned(dir, file, sources, downloaded, diags)
    };
    let with_modules: Vec<_> = config
        .source
        .files
        .iter()
        .filter(|f| f.module.is_some() && !f.webhooks)
        .collect();
    if !with_modules.is_empty() {
        return with_modules
            .into_iter()
            .filter_map(|f| Some((f.module.clone(), resolve(f, diags)?)))
            .collect();
    }
    if let Some(spec) = &config.source.spec {
        if let Some(file) = config.source.files.iter().find(|f| &f.path == spec) {
            return resolve(file, diags)
                .map(|p| (None, p))
                .into_iter()
                .collect();
        }
        return vec![(None, dir.join(spec))];
    }
    if let Some(file) = config.source.files.iter().find(|f| !f.webhooks) {
        return resolve(file, diags)
            .map(|p| (None, p))
            .into_iter()
            .collect();
    }
    let found = ["openapi.yaml", "openapi.yml", "openapi.json"]
        .into_iter()
        .map(|n| dir.join(n))
        .find(|p| p.exists());
    vec![(None, found.unwrap_or_else(|| dir.join("openapi.yaml")))]
}

/// The path of a pinned file: in the folder, the mirror, or downloaded.
fn resolve_pinned(
    dir: &Path,
    file: &crate::config::SourceFile,
    sources: &Sources,
    downloaded: &mut Vec<String>,
    diags: &mut Diagnostics,
) -> Option<PathBuf> {
    match crate::vendor::resolve(dir, file, sources) {
        Ok(resolved) => {
            if let Resolved::Downloaded {
                url, fresh: true, ..
            } = &resolved
            {
                downloaded.push(url.clone());
            }
            Some(resolved.path().to_path_buf())
        }
        Err(err) => {
            // The message names the file; the diagnostic points at the pin.
            let config = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
            diags.error_with_hint(
                err.kind(),
                format!(
                    "{} [[source.files]] {}",
                    config.join("sdkgen.toml").display(),
                    file.path
                ),
                err.to_string(),
                err.hint(),
            );
            None
        }
    }
}

/// Adds the `webhooks` of every file pinned with `webhooks = true` to the main spec, with the
/// component schemas they need that the main spec lacks.
fn graft_webhooks(
    doc: &mut crate::load::Document,
    dir: &Path,
    config: &Config,
    sources: &Sources,
    downloaded: &mut Vec<String>,
    diags: &mut Diagnostics,
) {
    for file in config.source.files.iter().filter(|f| f.webhooks) {
        let Some(path) = resolve_pinned(dir, file, sources, downloaded, diags) else {
            continue;
        };
        let Some(extra) = crate::load::load_path(&path, diags) else {
            continue;
        };
        crate::load::graft_webhooks(doc, extra);
    }
}

/// Loads and lowers every spec of a provider folder, reading pinned files from the folder, the
/// mirror, or a download into the spec cache ([`Sources::cached`]).
pub fn load_provider(dir: &Path) -> Result<Provider, Diagnostics> {
    load_provider_from(dir, &Sources::cached(dir))
}

/// Loads and lowers every spec of a provider folder, looking for pinned files in `sources`.
pub fn load_provider_from(dir: &Path, sources: &Sources) -> Result<Provider, Diagnostics> {
    let mut diags = Diagnostics::new();
    if !dir.is_dir() {
        let (kind, message) = if dir.exists() {
            (DiagnosticKind::Config, "is not a provider folder")
        } else {
            (DiagnosticKind::MissingFile, "does not exist")
        };
        diags.error_with_hint(
            kind,
            dir.display().to_string(),
            format!("{} {message}", dir.display()),
            "give the folder that holds sdkgen.toml (such as specs/stripe), or a provider name",
        );
        return Err(diags);
    }
    let Some(config) = read_config(dir, &mut diags) else {
        return Err(diags);
    };
    let mut downloaded = Vec::new();
    let files = spec_files(dir, &config, sources, &mut downloaded, &mut diags);
    let paths: Vec<&Path> = files.iter().map(|(_, p)| p.as_path()).collect();
    config.check_patches(&paths, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    let mut parts = Vec::new();
    for (module, spec) in files {
        let mut part_diags = Diagnostics::new();
        let fixes = config.fixes_for(&spec);
        let Some(mut doc) = crate::load::load_path_fixed(&spec, &fixes, &mut part_diags) else {
            diags.extend(part_diags);
            return Err(diags);
        };
        if module.is_none() {
            graft_webhooks(
                &mut doc,
                dir,
                &config,
                sources,
                &mut downloaded,
                &mut part_diags,
            );
        }
        // Pagination rules may name the spec modules they apply to.
        let mut part_config = config.clone();
        let applies = |rule: &crate::config::PaginationRule| {
            rule.modules.is_empty() || module.as_ref().is_some_and(|m| rule.modules.contains(m))
        };
        part_config.pagination.retain(applies);
        part_config.pagination_rules.retain(applies);
        match crate::analyze_document(&doc, part_config, part_diags) {
            Ok(generated) => parts.push(Part {
                module,
                spec,
                generated,
            }),
            Err(d) => {
                diags.extend(d);
                return Err(diags);
            }
        }
    }
    Ok(Provider {
        config,
        parts,
        downloaded,
    })
}

/// What `sdkgen report` and `sdkgen features` are given: a provider name (`stripe`, looked up
/// under `specs/`), a provider folder (`specs/stripe`), or a spec file (read with the
/// `sdkgen.toml` beside it, if any).
pub fn load_any(target: &Path) -> Result<Provider, Diagnostics> {
    if target.is_file() {
        let beside = target
            .parent()
            .map(|p| p.join("sdkgen.toml"))
            .filter(|p| p.is_file() && p.as_path() != target);
        let generated = crate::analyze(target, beside.as_deref())?;
        return Ok(Provider {
            config: generated.config.clone(),
            parts: vec![Part {
                module: None,
                spec: target.to_path_buf(),
                generated,
            }],
            downloaded: Vec::new(),
        });
    }
    if target.is_dir() {
        return load_provider(target);
    }
    let named = Path::new("specs").join(target);
    if target.components().count() == 1 && named.is_dir() {
        return load_provider(&named);
    }
    let mut diags = Diagnostics::new();
    diags.error_with_hint(
        DiagnosticKind::MissingFile,
        target.display().to_string(),
        format!(
            "there is no spec file, provider folder or provider named `{}`",
            target.display()
        ),
        "give a spec file (openapi.yaml), a folder holding sdkgen.toml (specs/stripe), or the name of a folder under specs/",
    );
    Err(diags)
}

fn placement(module: Option<&str>) -> Placement {
    match module {
        Some(m) => Placement {
            root_module: format!("crate::{m}"),
            out_subdir: m.to_owned(),
            feature_prefix: Some(m.to_owned()),
            features_applied: false,
        },
        None => Placement::default(),
    }
}

/// The `[features]` table a provider crate's `Cargo.toml` must carry.
pub fn features_table(provider: &Provider) -> String {
    let mut groups = BTreeSet::new();
    for part in &provider.parts {
        for group in part.generated.api.groups() {
            groups.insert(crate::emit::feature_name(part.module.as_deref(), &group));
        }
    }
    render_features_table(&groups)
}

/// The `[features]` table for these operation groups: `full`, the `serialize` and `deserialize`
/// features that add the serde impls a type's usage does not need, and one feature per group.
pub(crate) fn render_features_table(groups: &BTreeSet<String>) -> String {
    let all: Vec<String> = ["serialize", "deserialize"]
        .into_iter()
        .map(str::to_owned)
        .chain(groups.iter().cloned())
        .map(|f| format!("\"{f}\""))
        .collect();
    let mut out = String::from("[features]\n");
    let _ = writeln!(out, "full = [{}]", all.join(", "));
    let _ = writeln!(
        out,
        "# Serialize on types only responses use, Deserialize on types only requests use."
    );
    let _ = writeln!(out, "serialize = []");
    let _ = writeln!(out, "deserialize = []");
    for f in groups {
        let _ = writeln!(out, "{f} = []");
    }
    out
}

/// Generates the spec folder `dir` (an `sdkgen.toml` and its spec) into `OUT_DIR` (root file
/// `sdkgen.rs`) and tells Cargo to rerun when anything in `dir` changes. For a crate of your
/// own: the spec's warnings are summed up in one `cargo:warning` line, since you can act on
/// them (`sdkgen report DIR` lists each).
///
/// A pinned file (`[[source.files]]`) that is neither in `dir` nor in the mirror folder
/// (`SDKGEN_SPEC_MIRROR`) is downloaded from its URL into `OUT_DIR`, checked against its
/// sha256, and the build says so; `SDKGEN_OFFLINE=1` forbids the download.
pub fn generate_into_out_dir(dir: impl AsRef<Path>) -> Result<(), BuildError> {
    generate(dir.as_ref(), true)
}

/// Like [`generate_into_out_dir`], for the provider crates this project publishes: their spec
/// warnings are the provider's, which a user of the crate cannot act on, so the build stays
/// quiet unless it downloads a spec or fails.
pub fn generate_provider_into_out_dir(dir: impl AsRef<Path>) -> Result<(), BuildError> {
    generate(dir.as_ref(), false)
}

/// The spec folder of a provider crate: `specs/<name>` of this repository (a path or git
/// dependency, where it sits two levels above the crate), else the crate's own `spec/` folder,
/// which `sdkgen vendor NAME --package-into` fills before `cargo package`.
pub fn provider_dir(manifest_dir: impl AsRef<Path>, name: &str) -> PathBuf {
    let manifest_dir = manifest_dir.as_ref();
    let repository = manifest_dir.join("../../specs").join(name);
    if repository.join("sdkgen.toml").is_file() {
        repository.canonicalize().unwrap_or(repository)
    } else {
        manifest_dir.join("spec")
    }
}

fn generate(dir: &Path, report_warnings: bool) -> Result<(), BuildError> {
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-env-changed={}", crate::vendor::MIRROR_ENV);
    println!("cargo:rerun-if-env-changed={}", crate::vendor::OFFLINE_ENV);
    let out_dir = std::env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .ok_or(BuildError::NoOutDir)?;
    let sources = Sources::for_build(dir, &out_dir);
    let provider =
        load_provider_from(dir, &sources).map_err(|d| BuildError::Spec(render_errors(&d)))?;
    for warning in build_warnings(dir, &provider, report_warnings) {
        println!("cargo:warning={warning}");
    }
    // Cargo tells a build script which features are on (`CARGO_FEATURE_<NAME>`), and runs it
    // again, into a fresh `OUT_DIR`, whenever the set changes.
    let features: BTreeSet<String> = std::env::vars_os()
        .filter_map(|(k, _)| {
            k.into_string()
                .ok()?
                .strip_prefix("CARGO_FEATURE_")
                .map(str::to_owned)
        })
        .collect();
    let enabled = |feature: &str| features.contains(&feature.to_uppercase().replace('-', "_"));
    let mut root = String::new();
    for part in &provider.parts {
        println!("cargo:rerun-if-changed={}", part.spec.display());
        let mut placement = placement(part.module.as_deref());
        // A crate without per-group features compiles everything.
        let api = if provider.config.crate_.features {
            placement.features_applied = true;
            only_enabled(&part.generated.api, part.module.as_deref(), &enabled)
        } else {
            part.generated.api.clone()
        };
        let files = crate::emit::render_included(&api, &provider.config, &placement)?;
        write_files(&out_dir, &files)?;
        if let Some(m) = &part.module {
            let _ = writeln!(
                root,
                "#[doc = \" The `{m}` API.\"]\npub mod {m} {{ include!(concat!(env!(\"OUT_DIR\"), \"/{m}/sdkgen.rs\")); }}"
            );
        }
    }
    if provider.parts.iter().any(|p| p.module.is_some()) {
        write_files(
            &out_dir,
            &crate::emit::Files {
                files: std::iter::once(("sdkgen.rs".to_owned(), root)).collect(),
            },
        )?;
    }
    Ok(())
}

/// The `cargo:warning` lines of a build: each download, which the user should know about, and
/// for a crate of their own (`report_warnings`) one summary of the spec's warnings per spec.
/// A provider crate's spec warnings are not the user's to act on, so they stay out.
pub fn build_warnings(dir: &Path, provider: &Provider, report_warnings: bool) -> Vec<String> {
    let mut lines: Vec<String> = provider
        .downloaded
        .iter()
        .map(|url| {
            format!(
                "downloaded {url} (no vendored or mirrored copy; its sha256 matches the pin). Set {}=1 to forbid downloads",
                crate::vendor::OFFLINE_ENV
            )
        })
        .collect();
    if report_warnings {
        for part in &provider.parts {
            let summary = summarize(&part.generated.diagnostics);
            if summary.is_empty() {
                continue;
            }
            let file = part
                .spec
                .file_name()
                .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
            lines.push(format!(
                "{file}: {summary} (`sdkgen report {}` shows each)",
                dir.display()
            ));
        }
    }
    lines
}

/// The part of an API that the enabled features compile: the operations of enabled groups and
/// the types they reach. Everything else would be emitted under a `#[cfg]` that is off, so
/// leaving it out changes nothing that compiles, but it spares generating, formatting and
/// parsing code that is thrown away: for a one-feature build of a large provider that is most of
/// the crate (GitHub's shared types alone are over 300,000 lines).
pub fn only_enabled(
    api: &crate::ir::Api,
    prefix: Option<&str>,
    enabled: &dyn Fn(&str) -> bool,
) -> crate::ir::Api {
    let mut api = api.clone();
    if enabled("full") {
        return api;
    }
    let on = |group: &String| enabled(&crate::emit::feature_name(prefix, group));
    api.operations.retain(|op| on(&op.module));
    if !on(&crate::ir::WEBHOOKS_GROUP.to_owned()) {
        api.webhooks = None;
    }
    // A type no operation reaches is gated by `full`, like the emitted `#[cfg]`, so it goes too.
    api.types.retain(|_, def| def.users.iter().any(on));
    api
}

/// Writes files, skipping those whose contents are unchanged so that mtimes stay put.
pub fn write_files(root: &Path, files: &crate::emit::Files) -> std::io::Result<()> {
    for (path, text) in &files.files {
        let target = root.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if std::fs::read_to_string(&target).is_ok_and(|old| old == *text) {
            continue;
        }
        std::fs::write(&target, text)?;
    }
    Ok(())
}

fn render_errors(d: &Diagnostics) -> String {
    d.iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// One line: warning counts by kind.
pub fn summarize(d: &Diagnostics) -> String {
    let parts: Vec<String> = d
        .counts()
        .into_iter()
        .filter(|((s, _), _)| *s == Severity::Warning)
        .map(|((_, kind), n)| format!("{n} {}", kind.name()))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("sdkgen warnings: {}", parts.join(", "))
    }
}
