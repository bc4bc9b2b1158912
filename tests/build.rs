//! Generates every feature fixture (and the OpenAPI example specs beside the repository, when
//! present) into `OUT_DIR`, so that `src/lib.rs` compiles all of them under `#![deny(warnings)]`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sdkgen::emit::Placement;

fn main() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    let mut specs: Vec<(String, PathBuf)> = Vec::new();
    let fixtures = manifest.join("fixtures");
    println!("cargo:rerun-if-changed={}", fixtures.display());
    for path in sorted_files(&fixtures) {
        if let Some(name) = fixture_name(&path) {
            specs.push((name, path));
        }
    }
    // The OpenAPI example specs are upstream files read from the mirror beside the repository;
    // they are compiled here but never copied into it.
    let examples = manifest.join("../../shared/specs/oai-examples");
    if examples.exists() {
        println!("cargo:rerun-if-changed={}", examples.display());
        for version in ["v3.0", "v3.1", "v3.2"] {
            for path in sorted_files(&examples.join(version)) {
                let stem = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default();
                specs.push((
                    format!("oai_{}_{}", version.replace('.', "_"), module(stem)),
                    path,
                ));
            }
        }
    }
    let mut root = String::new();
    for (name, path) in &specs {
        let generated = match sdkgen::analyze(path, None) {
            Ok(g) => g,
            Err(diags) => {
                let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
                println!(
                    "cargo:warning={} does not generate: {}",
                    path.display(),
                    text.join("; ")
                );
                std::process::exit(1);
            }
        };
        let placement = Placement {
            root_module: format!("crate::fixtures::{name}"),
            out_subdir: format!("fixtures/{name}"),
            feature_prefix: None,
            features_applied: false,
        };
        let files =
            match sdkgen::emit::render_included(&generated.api, &generated.config, &placement) {
                Ok(f) => f,
                Err(err) => {
                    println!("cargo:warning={}: {err}", path.display());
                    std::process::exit(1);
                }
            };
        if let Err(err) = sdkgen::build::write_files(&out_dir, &files) {
            println!("cargo:warning=cannot write {}: {err}", out_dir.display());
            std::process::exit(1);
        }
        let _ = writeln!(
            root,
            "pub mod {name} {{ include!(concat!(env!(\"OUT_DIR\"), \"/fixtures/{name}/sdkgen.rs\")); }}"
        );
    }
    if let Err(err) = std::fs::write(out_dir.join("fixtures.rs"), root) {
        println!("cargo:warning=cannot write fixtures.rs: {err}");
        std::process::exit(1);
    }
}

fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| {
        matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        )
    });
    files.sort();
    files
}

/// Fixture files that are only the target of another fixture's `$ref` are not specs themselves.
fn fixture_name(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    if stem.starts_with("external-refs-") {
        return None;
    }
    Some(module(stem))
}

fn module(stem: &str) -> String {
    stem.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}
