//! `sdkgen vendor`: materializes each provider's upstream spec files into `specs/<provider>/`.
//!
//! Upstream specs are not redistributed in this repository. Each provider's `sdkgen.toml` pins
//! every file by sha256; vendoring copies the file from a mirror folder (the
//! `SDKGEN_SPEC_MIRROR` environment variable, or `../shared/specs` beside the repository) or
//! downloads it from the pinned URL with `curl`, and refuses any file whose sha256 differs.
//! Build scripts use [`resolve_source`] to read a vendored file, or the mirror's copy when the
//! file has not been vendored, so a fresh clone builds without a manual step.

use std::path::{Path, PathBuf};

use crate::config::{Config, SourceFile};
use crate::load::sha256_hex;

/// The environment variable naming a mirror folder of upstream specs.
pub const MIRROR_ENV: &str = "SDKGEN_SPEC_MIRROR";

/// What can go wrong while vendoring or resolving a pinned file.
#[derive(Debug, thiserror::Error)]
pub enum VendorError {
    /// The file's bytes do not match the pin.
    #[error(
        "sha256 mismatch for {path}: expected {expected}, found {found}. The file differs from the pinned \
         version: review the upstream change, then update `sha256` in sdkgen.toml, or restore the file \
         and run `cargo run -p sdkgen -- vendor`"
    )]
    Mismatch {
        /// The file checked.
        path: String,
        /// The pinned sha256.
        expected: String,
        /// The actual sha256.
        found: String,
    },
    /// No copy could be found or downloaded.
    #[error(
        "{path} is not vendored, no mirror has it and it could not be downloaded ({reason}). Run \
         `cargo run -p sdkgen -- vendor` with network access, or set {MIRROR_ENV} to a folder holding `{mirror}`"
    )]
    Missing {
        /// The vendored path that is missing.
        path: String,
        /// The path looked up in a mirror.
        mirror: String,
        /// Why the download failed.
        reason: String,
    },
    /// Reading or writing failed.
    #[error("{0}")]
    Io(String),
}

/// The mirror folder: `SDKGEN_SPEC_MIRROR`, or `<workspace>/../shared/specs` when it exists.
pub fn mirror_dir(provider_dir: &Path) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(MIRROR_ENV) {
        return Some(PathBuf::from(dir));
    }
    // specs/<provider> → the workspace is two levels up, and the mirror sits beside it.
    let candidate = provider_dir.join("../../../shared/specs");
    candidate.is_dir().then_some(candidate)
}

fn check(path: &Path, expected: &str) -> Result<Option<PathBuf>, VendorError> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let found = sha256_hex(&bytes);
            if found.eq_ignore_ascii_case(expected) {
                Ok(Some(path.to_path_buf()))
            } else {
                Err(VendorError::Mismatch {
                    path: path.display().to_string(),
                    expected: expected.to_owned(),
                    found,
                })
            }
        }
        Err(_) => Ok(None),
    }
}

fn mirror_path(file: &SourceFile) -> &str {
    file.mirror.as_deref().unwrap_or(&file.path)
}

/// The path to read a pinned file from: the vendored copy, else the mirror's, each checked.
pub fn resolve_source(provider_dir: &Path, file: &SourceFile) -> Result<PathBuf, VendorError> {
    if let Some(path) = check(&provider_dir.join(&file.path), &file.sha256)? {
        return Ok(path);
    }
    if let Some(mirror) = mirror_dir(provider_dir) {
        if let Some(path) = check(&mirror.join(mirror_path(file)), &file.sha256)? {
            return Ok(path);
        }
    }
    Err(VendorError::Missing {
        path: provider_dir.join(&file.path).display().to_string(),
        mirror: mirror_path(file).to_owned(),
        reason: "not vendored yet".to_owned(),
    })
}

/// What vendoring did with one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Already there with the pinned sha256.
    UpToDate(String),
    /// Copied from the mirror.
    Copied(String),
    /// Downloaded from the pinned URL.
    Downloaded(String),
}

/// Vendors every pinned file of one provider folder.
pub fn vendor_provider(provider_dir: &Path, config: &Config) -> Result<Vec<Outcome>, VendorError> {
    let mut outcomes = Vec::new();
    for file in &config.source.files {
        let target = provider_dir.join(&file.path);
        let shown = target.display().to_string();
        if check(&target, &file.sha256)?.is_some() {
            outcomes.push(Outcome::UpToDate(shown));
            continue;
        }
        if let Some(mirror) = mirror_dir(provider_dir) {
            let source = mirror.join(mirror_path(file));
            if check(&source, &file.sha256)?.is_some() {
                copy(&source, &target)?;
                outcomes.push(Outcome::Copied(shown));
                continue;
            }
        }
        let Some(url) = &file.url else {
            return Err(VendorError::Missing {
                path: shown,
                mirror: mirror_path(file).to_owned(),
                reason: "no URL is pinned".to_owned(),
            });
        };
        download(url, &target).map_err(|reason| VendorError::Missing {
            path: shown.clone(),
            mirror: mirror_path(file).to_owned(),
            reason,
        })?;
        if let Err(err) = check(&target, &file.sha256) {
            // Never leave an unverified download where builds would read it.
            let _ = std::fs::remove_file(&target);
            return Err(err);
        }
        outcomes.push(Outcome::Downloaded(shown));
    }
    Ok(outcomes)
}

fn copy(source: &Path, target: &Path) -> Result<(), VendorError> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| VendorError::Io(format!("{}: {e}", parent.display())))?;
    }
    std::fs::copy(source, target)
        .map_err(|e| VendorError::Io(format!("{}: {e}", target.display())))?;
    Ok(())
}

fn download(url: &str, target: &Path) -> Result<(), String> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    let status = std::process::Command::new("curl")
        .args([
            "--fail",
            "--location",
            "--silent",
            "--show-error",
            "--output",
        ])
        .arg(target)
        .arg(url)
        .status()
        .map_err(|e| format!("cannot run curl: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("curl exited with {status}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, sha: &str) -> SourceFile {
        SourceFile {
            path: path.to_owned(),
            mirror: None,
            url: None,
            sha256: sha.to_owned(),
            module: None,
        }
    }

    #[test]
    fn a_vendored_file_with_the_pinned_hash_resolves_and_another_hash_is_refused() {
        let dir = std::env::temp_dir().join(format!("sdkgen-vendor-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join("spec.yaml"), b"openapi: 3.0.0\n");
        let sha = sha256_hex(b"openapi: 3.0.0\n");
        assert!(resolve_source(&dir, &file("spec.yaml", &sha)).is_ok());
        let wrong = "0".repeat(64);
        assert!(matches!(
            resolve_source(&dir, &file("spec.yaml", &wrong)),
            Err(VendorError::Mismatch { .. })
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
