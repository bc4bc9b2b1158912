//! Generation from a build script: the default way `generated/<provider>/` crates are built.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostics::{DiagnosticKind, Diagnostics, Severity};

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

/// Finds the spec file of a provider folder: `[source] spec` in its `sdkgen.toml`, or the first
/// `openapi.{yaml,yml,json}` there.
pub fn spec_path(dir: &Path, config: &Config) -> PathBuf {
    if let Some(spec) = &config.source.spec {
        return dir.join(spec);
    }
    for name in ["openapi.yaml", "openapi.yml", "openapi.json"] {
        let candidate = dir.join(name);
        if candidate.exists() {
            return candidate;
        }
    }
    dir.join("openapi.yaml")
}

/// Reads `<dir>/sdkgen.toml` (optional) and the spec it names.
pub fn load_provider(dir: &Path) -> Result<crate::Generated, Diagnostics> {
    let mut diags = Diagnostics::new();
    let config_path = dir.join("sdkgen.toml");
    let config = if config_path.exists() {
        match std::fs::read_to_string(&config_path) {
            Ok(text) => Config::parse(&text, &config_path.display().to_string(), &mut diags)
                .ok_or_else(|| diags.clone())?,
            Err(err) => {
                diags.error(
                    DiagnosticKind::Config,
                    config_path.display().to_string(),
                    format!("cannot read: {err}"),
                );
                return Err(diags);
            }
        }
    } else {
        Config::default()
    };
    let spec = spec_path(dir, &config);
    if !spec.exists() {
        diags.error(
            DiagnosticKind::Parse,
            spec.display().to_string(),
            "the spec is not here; upstream specs are vendored, not committed: run `cargo run -p sdkgen -- vendor`",
        );
        return Err(diags);
    }
    let Some(doc) = crate::load::load_path(&spec, &mut diags) else {
        return Err(diags);
    };
    crate::analyze_document(&doc, config, diags)
}

/// Generates the provider in `dir` into `OUT_DIR` (root file `sdkgen.rs`) and tells Cargo to
/// rerun when anything in `dir` changes.
pub fn generate_into_out_dir(dir: impl AsRef<Path>) -> Result<(), BuildError> {
    let dir = dir.as_ref();
    println!("cargo:rerun-if-changed={}", dir.display());
    let out_dir = std::env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .ok_or(BuildError::NoOutDir)?;
    let generated = load_provider(dir).map_err(|d| BuildError::Spec(render_errors(&d)))?;
    let summary = summarize(&generated.diagnostics);
    if !summary.is_empty() {
        println!("cargo:warning={summary}");
    }
    let files = crate::emit::render_included(
        &generated.api,
        &generated.config,
        &crate::emit::Placement::default(),
    )?;
    write_files(&out_dir, &files)?;
    Ok(())
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
