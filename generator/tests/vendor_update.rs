//! `sdkgen vendor --update`: on a temp copy of a provider folder, never a real one. The new
//! spec is compared with the pinned one, the pin and the crate version move by the verdict,
//! a dated changelog entry is written, `--dry-run` changes nothing, and a spec patch that no
//! longer applies stops the update with its reason.

// The crate denies these for generator code; a test fails by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use sdkgen::load::sha256_hex;
use sdkgen::vendor::{UpdateError, UpdateRequest, update_provider};

fn fixture(case: &str, side: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/diff")
        .join(case)
        .join(format!("{side}.yaml"))
}

/// `<tmp>/specs/pets` pinning the old side of a fixture pair, and `<tmp>/generated/pets`.
fn provider(name: &str, case: &str, extra: &str) -> (PathBuf, PathBuf, String) {
    let root = std::env::temp_dir().join(format!("sdkgen-update-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join("specs/pets");
    std::fs::create_dir_all(&dir).unwrap();
    let old = std::fs::read(fixture(case, "old")).unwrap();
    std::fs::write(dir.join("openapi.yaml"), &old).unwrap();
    let sha = sha256_hex(&old);
    let toml = format!(
        "# The pets API.\n[crate]\nname = \"pets\"\nversion = \"0.3.1\" # released\n\n\
         [source]\nspec = \"openapi.yaml\"\n\n# Pinned upstream.\n[[source.files]]\n\
         path = \"openapi.yaml\"\nsha256 = \"{sha}\"\n{extra}"
    );
    std::fs::write(dir.join("sdkgen.toml"), &toml).unwrap();
    (root, dir, toml)
}

fn request(root: &Path, dir: &Path, case: &str, dry_run: bool) -> UpdateRequest {
    UpdateRequest {
        provider_dir: dir.to_path_buf(),
        crate_dir: root.join("generated/pets"),
        from: Some(fixture(case, "new").display().to_string()),
        file: None,
        dry_run,
        date: "2025-01-31".to_owned(),
    }
}

#[test]
fn a_breaking_update_moves_the_pin_bumps_the_version_and_writes_the_changelog() {
    let case = "request-field-required-added";
    let (root, dir, before) = provider("breaking", case, "");
    let outcome = update_provider(&request(&root, &dir, case, false)).unwrap();
    let new_bytes = std::fs::read(fixture(case, "new")).unwrap();
    let new_sha = sha256_hex(&new_bytes);
    assert_eq!(outcome.old_version, "0.3.1");
    assert_eq!(outcome.new_version, "0.4.0");
    assert_eq!(std::fs::read(dir.join("openapi.yaml")).unwrap(), new_bytes);
    let toml = std::fs::read_to_string(dir.join("sdkgen.toml")).unwrap();
    let expected = before
        .replace(&outcome.old_sha256, &new_sha)
        .replace("\"0.3.1\"", "\"0.4.0\"");
    assert_eq!(
        toml, expected,
        "only the pin and the version change; comments stay"
    );
    let changelog = std::fs::read_to_string(root.join("generated/pets/CHANGELOG.md")).unwrap();
    assert!(
        changelog.starts_with("# Changelog\n\n## 0.4.0 — 2025-01-31\n"),
        "{changelog}"
    );
    assert!(changelog.contains("\n### Breaking\n"), "{changelog}");
    assert!(
        changelog.contains("`types::NewPet::species`"),
        "{changelog}"
    );
    assert!(!changelog.contains("### Added"), "{changelog}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn an_additive_update_is_a_minor_bump_listed_under_added() {
    let case = "operation-added";
    let (root, dir, _) = provider("minor", case, "");
    let outcome = update_provider(&request(&root, &dir, case, false)).unwrap();
    assert_eq!(outcome.new_version, "0.3.2");
    let changelog = std::fs::read_to_string(root.join("generated/pets/CHANGELOG.md")).unwrap();
    assert!(changelog.contains("\n### Added\n"), "{changelog}");
    assert!(changelog.contains("`client.pets().adopt()`"), "{changelog}");
    assert!(!changelog.contains("### Breaking"), "{changelog}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_dry_run_reports_the_diff_and_changes_nothing() {
    let case = "operation-removed";
    let (root, dir, before) = provider("dry", case, "");
    let old = std::fs::read(dir.join("openapi.yaml")).unwrap();
    let outcome = update_provider(&request(&root, &dir, case, true)).unwrap();
    assert_eq!(outcome.new_version, "0.4.0");
    assert_eq!(outcome.diff.as_ref().map(|d| d.breaking), Some(1));
    assert!(outcome.written.is_empty());
    assert_eq!(
        std::fs::read_to_string(dir.join("sdkgen.toml")).unwrap(),
        before
    );
    assert_eq!(std::fs::read(dir.join("openapi.yaml")).unwrap(), old);
    assert!(!root.join("generated/pets/CHANGELOG.md").exists());
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_spec_patch_that_no_longer_applies_stops_the_update_with_its_reason() {
    let case = "enum-variant-removed";
    let patch = "\n[[patches]]\nwhy = \"sold pets are listed as available upstream\"\n\
                 ops = [{ op = \"test\", path = \"/components/schemas/PetStatus/enum/1\", value = \"sold\" }]\n";
    let (root, dir, before) = provider("patch", case, patch);
    let err = update_provider(&request(&root, &dir, case, false)).unwrap_err();
    assert!(matches!(err, UpdateError::New { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("sold pets are listed as available upstream"),
        "{text}"
    );
    assert!(text.contains("does not apply"), "{text}");
    assert!(text.contains("nothing was changed"), "{text}");
    assert_eq!(
        std::fs::read_to_string(dir.join("sdkgen.toml")).unwrap(),
        before
    );
    assert!(!root.join("generated/pets/CHANGELOG.md").exists());
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn the_pinned_spec_again_is_up_to_date() {
    let case = "unchanged";
    let (root, dir, before) = provider("same", case, "");
    let mut req = request(&root, &dir, case, false);
    req.from = Some(fixture(case, "old").display().to_string());
    let outcome = update_provider(&req).unwrap();
    assert!(outcome.diff.is_none());
    assert_eq!(outcome.new_version, "0.3.1");
    assert_eq!(
        std::fs::read_to_string(dir.join("sdkgen.toml")).unwrap(),
        before
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn an_update_keeps_every_type_name_the_new_spec_would_move() {
    // A query enum shared by two calls is named by its values, so a value added upstream
    // would rename it from `OpenClosed` to `OpenClosedAll`.
    let case = "shared-enum-gains-a-value";
    let (root, dir, _) = provider("pins", case, "");
    let outcome = update_provider(&request(&root, &dir, case, false)).unwrap();
    assert_eq!(
        outcome.pinned.into_iter().collect::<Vec<_>>(),
        [("OpenClosedAll".to_owned(), "OpenClosed".to_owned())]
    );
    // With the name kept, the added value is all that changed: a minor release.
    let diff = outcome.diff.unwrap();
    assert_eq!(diff.renames, 0, "{:#?}", diff.changes);
    assert_eq!(outcome.new_version, "0.3.2");
    let toml = std::fs::read_to_string(dir.join("sdkgen.toml")).unwrap();
    assert!(
        toml.ends_with("[naming.types]\n\"OpenClosedAll\" = \"OpenClosed\"\n"),
        "{toml}"
    );
    let changelog = std::fs::read_to_string(root.join("generated/pets/CHANGELOG.md")).unwrap();
    assert!(changelog.contains("### Names kept"), "{changelog}");
    // The kept name is what the crate now generates.
    let generated = sdkgen::build::load_provider(&dir).unwrap();
    let names: Vec<&str> = generated.parts[0]
        .generated
        .api
        .types
        .values()
        .map(|d| d.name.as_str())
        .collect();
    assert!(
        names.contains(&"OpenClosed") && !names.contains(&"OpenClosedAll"),
        "{names:?}"
    );
    let _ = std::fs::remove_dir_all(root);
}
