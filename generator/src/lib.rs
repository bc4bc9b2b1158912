//! sdkgen turns OpenAPI documents (Swagger 2.0, OpenAPI 3.0 and 3.1) into typed Rust client
//! crates built on `sdkgen-runtime`.
//!
//! The pipeline is load ([`load`]) → lower into an IR ([`lower`], [`ir`]) → emit ([`emit`]).
//! Problems never panic: each becomes a located [`diagnostics::Diagnostic`], and an unsupported
//! construct degrades one type or operation, never the whole spec.
//!
//! Build scripts call [`build::generate_into_out_dir`]; the `sdkgen` binary writes standalone crates.

pub mod build;
pub mod config;
pub mod contract;
pub mod corpus;
pub mod diagnostics;
pub mod diff;
pub mod emit;
pub mod examples;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod report;
pub mod standalone;
pub mod vendor;

use std::path::Path;

use config::Config;
use diagnostics::{DiagnosticKind, Diagnostics};

/// A spec, loaded, lowered and ready to emit, with every diagnostic found on the way.
#[derive(Debug)]
pub struct Generated {
    /// The IR.
    pub api: ir::Api,
    /// The configuration used.
    pub config: Config,
    /// Warnings (and errors, if `api` is partial).
    pub diagnostics: Diagnostics,
}

/// Loads and lowers a spec file with an optional config file.
pub fn analyze(spec: &Path, config: Option<&Path>) -> Result<Generated, Diagnostics> {
    let mut diags = Diagnostics::new();
    let config = match config {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => match Config::parse(&text, &path.display().to_string(), &mut diags) {
                Some(c) => c,
                None => return Err(diags),
            },
            Err(err) => {
                diags.error(
                    DiagnosticKind::Config,
                    path.display().to_string(),
                    format!("cannot read: {err}"),
                );
                return Err(diags);
            }
        },
        None => Config::default(),
    };
    config.check_patches(&[spec], &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    let fixes = config.fixes_for(spec);
    let Some(doc) = load::load_path_fixed(spec, &fixes, &mut diags) else {
        return Err(diags);
    };
    analyze_document(&doc, config, diags)
}

/// Lowers an already loaded document.
pub fn analyze_document(
    doc: &load::Document,
    config: Config,
    mut diags: Diagnostics,
) -> Result<Generated, Diagnostics> {
    if diags.has_errors() {
        return Err(diags);
    }
    let api = lower::lower(doc, &config, &mut diags);
    Ok(Generated {
        api,
        config,
        diagnostics: diags,
    })
}
