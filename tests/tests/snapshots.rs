//! One snapshot per feature fixture: the generated crate's files and the diagnostics, so both
//! improvements and regressions show up as reviewable diffs. The same fixtures are compiled
//! under `#![deny(warnings)]` by this package's build script.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sdkgen::emit::RuntimeDependency;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn fixture_specs() -> Vec<(String, PathBuf)> {
    let mut specs: Vec<(String, PathBuf)> = std::fs::read_dir(fixtures_dir())
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "json")
            )
        })
        .filter_map(|p| {
            let stem = p.file_stem()?.to_str()?.to_owned();
            (!stem.starts_with("external-refs-")).then_some((stem, p))
        })
        .collect();
    specs.sort();
    specs
}

/// The whole generated crate as one text: diagnostics first, then every file.
fn render(spec: &Path) -> String {
    let generated = match sdkgen::analyze(spec, None) {
        Ok(g) => g,
        Err(diags) => return diags.iter().map(|d| format!("{d}\n")).collect(),
    };
    let runtime = RuntimeDependency::Version("0.1".to_owned());
    let mut out = String::new();
    for d in generated.diagnostics.iter() {
        out.push_str(&format!("{d}\n"));
    }
    match sdkgen::standalone::render_crate(&generated, &runtime) {
        Ok(files) => {
            for (path, text) in &files.files {
                out.push_str(&format!("\n==== {path} ====\n{text}"));
            }
        }
        Err(err) => out.push_str(&format!("emit error: {err}\n")),
    }
    out
}

#[test]
fn every_fixture_matches_its_snapshot() {
    let specs = fixture_specs();
    assert!(
        specs.len() >= 20,
        "expected the feature fixtures, found {}",
        specs.len()
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (name, path) in &specs {
            insta::assert_snapshot!(name.as_str(), render(path));
        }
    });
}

#[test]
fn no_snapshot_is_left_without_a_fixture() {
    let expected: BTreeSet<String> = fixture_specs()
        .into_iter()
        .map(|(name, _)| format!("{name}.snap"))
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let found: BTreeSet<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.file_name().to_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let stale: Vec<&String> = found
        .iter()
        .filter(|f| {
            f.ends_with(".snap")
                && !f.starts_with("surface-")
                && !f.starts_with("examples-")
                && !expected.contains(*f)
        })
        .collect();
    assert!(
        stale.is_empty(),
        "snapshots without a fixture (delete them): {stale:?}"
    );
}

#[test]
fn generating_a_fixture_twice_gives_identical_bytes() {
    for (name, path) in fixture_specs() {
        assert_eq!(render(&path), render(&path), "{name} is not deterministic");
    }
}

#[test]
fn the_demo_spec_generates_identically_twice() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/demo/openapi.yaml");
    let first = render(&demo);
    assert!(
        first.contains("pub struct Client"),
        "demo did not generate a client"
    );
    assert_eq!(first, render(&demo));
}
