//! The provider crates under `generated/` stay in step with their specs: each `Cargo.toml`
//! carries exactly the `[features]` table the spec's operation groups call for.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Providers whose crate is generated from a pinned upstream spec.
const PROVIDERS: &[&str] = &["github", "openai", "sendgrid", "slack", "stripe", "twilio"];

#[test]
fn every_provider_crate_declares_the_features_of_its_spec() {
    for provider in PROVIDERS {
        let dir = workspace().join("specs").join(provider);
        let loaded = match sdkgen::build::load_provider(&dir) {
            Ok(p) => p,
            Err(diags) => {
                // Without the mirror or a vendored copy the spec cannot be read; say so loudly.
                let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
                panic!("{provider}: {}", text.join("\n"));
            }
        };
        let expected = sdkgen::build::features_table(&loaded);
        let manifest_path = workspace()
            .join("generated")
            .join(provider)
            .join("Cargo.toml");
        let manifest = std::fs::read_to_string(&manifest_path).unwrap_or_default();
        let actual = manifest
            .split_once("[features]\n")
            .map(|(_, rest)| format!("[features]\n{rest}"));
        assert_eq!(
            actual.as_deref(),
            Some(expected.as_str()),
            "{} is stale: replace its [features] table with the output of `cargo run -p sdkgen -- features specs/{provider}`",
            manifest_path.display()
        );
    }
}

#[test]
fn a_provider_config_with_a_wrong_sha256_is_refused_with_advice() {
    let dir = std::env::temp_dir().join(format!("sdkgen-pin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("openapi.yaml"),
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("sdkgen.toml"),
        format!(
            "[[source.files]]\npath = \"openapi.yaml\"\nsha256 = \"{}\"\n",
            "0".repeat(64)
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let err = match sdkgen::build::load_provider(&dir) {
        Ok(_) => panic!("a wrong pin was accepted"),
        Err(diags) => diags
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    };
    let _ = std::fs::remove_dir_all(&dir);
    assert!(err.contains("sha256 mismatch"), "{err}");
    assert!(
        err.contains("sdkgen -- vendor") || err.contains("sha256"),
        "{err}"
    );
}

/// One surface snapshot per provider: sorted method signatures and type names, no upstream
/// prose, so a spec update shows as a reviewable diff of the API.
#[test]
fn every_provider_surface_matches_its_snapshot() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for provider in PROVIDERS {
            let dir = workspace().join("specs").join(provider);
            let loaded = sdkgen::build::load_provider(&dir)
                .unwrap_or_else(|d| panic!("{provider}: {} diagnostics", d.len()));
            let mut surface = String::new();
            for part in &loaded.parts {
                if let Some(m) = &part.module {
                    surface.push_str(&format!("# {m}\n"));
                }
                surface.push_str(&sdkgen::report::surface(&part.generated.api));
            }
            insta::assert_snapshot!(format!("surface-{provider}"), surface);
            // The spec's own response examples against the types: what was loosened to read
            // them, and the conflicts left as the schema says, so a spec update that adds one
            // shows up for review.
            insta::assert_snapshot!(
                format!("examples-{provider}"),
                sdkgen::report::examples_summary(&loaded)
            );
        }
    });
}

#[test]
fn every_provider_operation_is_typed() {
    for provider in PROVIDERS {
        let dir = workspace().join("specs").join(provider);
        let loaded = sdkgen::build::load_provider(&dir)
            .unwrap_or_else(|d| panic!("{provider}: {} diagnostics", d.len()));
        let report = sdkgen::report::provider_report(&loaded);
        let total = report.lines().last().unwrap_or_default().to_owned();
        assert!(total.contains(" 0 skipped"), "{provider}: {report}");
        assert!(
            total.contains("(100.0%)") || total.contains("(99."),
            "{provider}: {report}"
        );
    }
}
