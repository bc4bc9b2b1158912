//! Every real spec in the shared corpus loads, and `openapiv3` reads at least 95% of the results.
//!
//! The corpus lives beside the workspace (`<workspace>/../shared/specs`); without it the test
//! says so and passes.

use std::path::{Path, PathBuf};

use sdkgen::diagnostics::Diagnostics;
use serde_json::Value;

const FOLDERS: [&str; 5] = [
    "corpus/swagger2",
    "corpus/train",
    "slack",
    "openai",
    "sendgrid",
];

fn specs_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs")
}

fn spec_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for folder in FOLDERS {
        let Ok(entries) = std::fs::read_dir(root.join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_spec = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "json" | "yaml" | "yml"));
            if path.is_file() && is_spec {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The first item `openapiv3` rejects, located by path or component, with its error.
fn first_error(root: &Value) -> Option<String> {
    let err = serde_json::from_value::<openapiv3::OpenAPI>(root.clone()).err()?;
    if let Some(paths) = root.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            if let Err(e) =
                serde_json::from_value::<openapiv3::ReferenceOr<openapiv3::PathItem>>(item.clone())
            {
                return Some(format!("paths.{path}: {e}"));
            }
        }
    }
    if let Some(schemas) = root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            if let Err(e) =
                serde_json::from_value::<openapiv3::ReferenceOr<openapiv3::Schema>>(schema.clone())
            {
                return Some(format!("components.schemas.{name}: {e}"));
            }
        }
    }
    Some(err.to_string())
}

#[test]
fn corpus_specs_load_into_the_openapiv3_model() {
    let root = specs_root();
    if !root.is_dir() {
        eprintln!("skipping: the spec corpus at {} is missing", root.display());
        return;
    }
    let files = spec_files(&root);
    assert!(!files.is_empty(), "no specs found under {}", root.display());
    let mut failures = Vec::new();
    for path in &files {
        let name = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        let mut diags = Diagnostics::new();
        match sdkgen::load::load_path(path, &mut diags) {
            None => {
                let first = diags
                    .iter()
                    .next()
                    .map(|d| d.message.clone())
                    .unwrap_or_default();
                failures.push(format!("{name}: not loaded: {first}"));
            }
            Some(doc) => {
                if let Some(error) = first_error(&doc.root) {
                    failures.push(format!("{name}: {error}"));
                }
            }
        }
    }
    for failure in &failures {
        eprintln!("not accepted: {failure}");
    }
    let accepted = files.len() - failures.len();
    eprintln!("openapiv3 accepted {accepted} of {} specs", files.len());
    assert!(
        accepted * 100 >= files.len() * 95,
        "only {accepted} of {} specs were accepted",
        files.len()
    );
}
