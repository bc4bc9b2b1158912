//! `sdkgen generate` as a user outside this repository meets it: the crate is named after
//! `--name` or the spec, it replaces the folder it wrote before without leaving stale files,
//! it never empties a folder it did not write, and `--runtime-version` gives a crate that
//! resolves against a runtime release.

// The crate denies these for generator code; a test fails by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use sdkgen::emit::RuntimeDependency;
use sdkgen::standalone::{MARKER, WriteError, crate_name, render_crate, write_crate};

const SPEC: &str = "openapi: 3.0.0
info: {title: 'Acme Billing API (v2)', version: '1'}
paths:
  /ping:
    get:
      operationId: ping
      responses:
        '200': {description: ok}
";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sdkgen-standalone-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn analyze(dir: &Path, config: Option<&str>) -> sdkgen::Generated {
    std::fs::write(dir.join("openapi.yaml"), SPEC).unwrap();
    let config_path = config.map(|text| {
        let path = dir.join("sdkgen.toml");
        std::fs::write(&path, text).unwrap();
        path
    });
    sdkgen::analyze(&dir.join("openapi.yaml"), config_path.as_deref()).unwrap()
}

#[test]
fn the_crate_is_named_by_the_flag_else_the_config_else_the_spec_title() {
    let dir = scratch("names");
    let bare = analyze(&dir, None);
    assert_eq!(crate_name(&bare, None).unwrap(), "acme-billing-api-v2");
    assert_eq!(crate_name(&bare, Some("billing")).unwrap(), "billing");
    let err = crate_name(&bare, Some("9 lives")).unwrap_err();
    assert!(err.contains("not a valid crate name"), "{err}");
    let configured = analyze(&dir, Some("[crate]\nname = \"acme\"\n"));
    assert_eq!(crate_name(&configured, None).unwrap(), "acme");
    assert_eq!(crate_name(&configured, Some("other")).unwrap(), "other");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn regenerating_replaces_the_folder_without_stale_files_and_keeps_the_build_output() {
    let dir = scratch("replace");
    let mut generated = analyze(&dir, None);
    generated.config.crate_.name = "acme".to_owned();
    let files = render_crate(&generated, &RuntimeDependency::Version("0.1".to_owned())).unwrap();
    let out = dir.join("out");
    write_crate(&out, &files).unwrap();
    assert!(out.join(MARKER).is_file());
    assert!(out.join("src/lib.rs").is_file());
    // What an earlier version wrote and this one does not, and what a build left.
    std::fs::create_dir_all(out.join("src/old_module")).unwrap();
    std::fs::write(out.join("src/old_module/mod.rs"), "// stale").unwrap();
    std::fs::write(out.join("src/stale.rs"), "// stale").unwrap();
    std::fs::create_dir_all(out.join("target/debug")).unwrap();
    std::fs::write(out.join("target/debug/keep"), "").unwrap();
    std::fs::write(out.join("Cargo.lock"), "# kept").unwrap();

    write_crate(&out, &files).unwrap();
    assert!(!out.join("src/stale.rs").exists());
    assert!(!out.join("src/old_module").exists());
    assert!(out.join("target/debug/keep").exists());
    assert!(out.join("Cargo.lock").exists());
    for path in files.files.keys() {
        assert!(out.join(path).is_file(), "{path} was not written");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_non_empty_folder_that_generate_did_not_write_is_refused_and_left_alone() {
    let dir = scratch("foreign");
    let generated = analyze(&dir, None);
    let files = render_crate(&generated, &RuntimeDependency::Version("0.1".to_owned())).unwrap();
    // `dir` holds the spec itself: a user's folder.
    let err = write_crate(&dir, &files).unwrap_err();
    assert!(matches!(err, WriteError::NotOurs(_)), "{err}");
    assert!(err.to_string().contains(MARKER), "{err}");
    assert!(dir.join("openapi.yaml").is_file());
    assert!(!dir.join("Cargo.toml").exists());
    assert!(!dir.join(MARKER).exists());
    // An empty folder is fine.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    write_crate(&empty, &files).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// `cargo generate-lockfile --offline` in `dir`: resolution only, nothing is compiled.
fn resolve(dir: &Path) -> (bool, String) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["generate-lockfile", "--offline"])
        .current_dir(dir)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_crate_made_with_runtime_version_resolves_against_the_runtime_release() {
    let dir = scratch("runtime-version");
    let mut generated = analyze(&dir, None);
    generated.config.crate_.name = "acme".to_owned();
    let runtime = RuntimeDependency::Version(env!("CARGO_PKG_VERSION").to_owned());
    let files = render_crate(&generated, &runtime).unwrap();
    let manifest = &files.files["Cargo.toml"];
    assert!(
        manifest.contains(&format!(
            "sdkgen-runtime = \"{}\"",
            env!("CARGO_PKG_VERSION")
        )),
        "{manifest}"
    );
    assert!(!manifest.contains("path ="), "{manifest}");
    let out = dir.join("out");
    write_crate(&out, &files).unwrap();

    // Until the runtime is on the registry, nothing provides it ...
    let (ok, stderr) = resolve(&out);
    assert!(!ok, "resolved without a runtime release");
    assert!(stderr.contains("sdkgen-runtime"), "{stderr}");

    // ... and with the release in place (here a `[patch]` to this workspace's runtime, as
    // .ci/package-check does with the packaged one), the version requirement matches it.
    let runtime_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime");
    std::fs::create_dir_all(out.join(".cargo")).unwrap();
    std::fs::write(
        out.join(".cargo/config.toml"),
        format!(
            "[patch.crates-io]\nsdkgen-runtime = {{ path = {:?} }}\n",
            runtime_dir.canonicalize().unwrap()
        ),
    )
    .unwrap();
    let (ok, stderr) = resolve(&out);
    assert!(ok, "{stderr}");
    let lock = std::fs::read_to_string(out.join("Cargo.lock")).unwrap();
    assert!(lock.contains("name = \"sdkgen-runtime\""), "{lock}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The crate docs' example is compiled: `cargo test --doc` on a generated crate passes, so a
/// new user's first read of the docs is code that builds.
#[test]
fn the_crate_docs_example_compiles() {
    let dir = scratch("doctest");
    let mut generated = analyze(&dir, None);
    generated.config.crate_.name = "acme-billing".to_owned();
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../runtime")
        .display()
        .to_string();
    let files = render_crate(&generated, &RuntimeDependency::Path(runtime)).unwrap();
    let out = dir.join("crate");
    sdkgen::build::write_files(&out, &files).unwrap();
    let lib = std::fs::read_to_string(out.join("src/lib.rs")).unwrap();
    assert!(lib.contains("acme_billing::Client::builder()"), "{lib}");
    // A target directory of the workspace's own, so that the runtime's dependencies build once.
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/standalone-doctest");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["test", "--doc", "--quiet"])
        .current_dir(&out)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("1 passed"));
}
