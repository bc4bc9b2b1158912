//! What several generator tests share.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Every feature fixture spec that generates on its own (the external-ref parts are read
/// through the spec that refers to them), sorted, then the demo's.
pub fn fixture_specs_and_demo() -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .filter(|p| {
            !p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("external-refs-")
        })
        .collect();
    specs.sort();
    specs.push(root().join("specs/demo/openapi.yaml"));
    specs
}
