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

/// The environment variable that, set to anything but `0` or an empty value, forbids a build
/// script to download a pinned spec file (for offline and hermetic builds).
pub const OFFLINE_ENV: &str = "SDKGEN_OFFLINE";

/// What can go wrong while vendoring or resolving a pinned file.
#[derive(Debug, thiserror::Error)]
pub enum VendorError {
    /// The file's bytes do not match the pin.
    #[error(
        "sha256 mismatch for {path}: expected {expected}, found {found}. The file differs from the pinned \
         version: review the upstream change, then update `sha256` in sdkgen.toml, or restore the file \
         and run `sdkgen vendor`"
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
    #[error("{path} is not vendored, no mirror holds `{mirror}`, and {attempt}")]
    Missing {
        /// The vendored path that is missing.
        path: String,
        /// The path looked up in a mirror.
        mirror: String,
        /// What was done about downloading it.
        attempt: Attempt,
    },
    /// Reading or writing failed.
    #[error("{0}")]
    Io(String),
}

impl VendorError {
    /// The diagnostic kind this error is reported as.
    pub fn kind(&self) -> crate::diagnostics::DiagnosticKind {
        use crate::diagnostics::DiagnosticKind;
        match self {
            Self::Mismatch { .. } => DiagnosticKind::PinMismatch,
            Self::Missing { .. } => DiagnosticKind::Unvendored,
            Self::Io(_) => DiagnosticKind::Io,
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> String {
        match self {
            Self::Missing {
                mirror, attempt, ..
            } => {
                let fix = match attempt {
                    Attempt::Offline => {
                        format!("unset {OFFLINE_ENV} to let the build download it, or ")
                    }
                    Attempt::Failed { .. } => {
                        "check the network (and that curl is installed), or ".to_owned()
                    }
                    Attempt::NoUrl | Attempt::NotTried => String::new(),
                };
                format!(
                    "{fix}run `sdkgen vendor` with network access, or set {MIRROR_ENV} to a folder holding `{mirror}`"
                )
            }
            other => other.kind().default_hint().to_owned(),
        }
    }
}

/// What was done about downloading a file that no folder has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Only build scripts and `sdkgen vendor` download.
    NotTried,
    /// The offline variable forbids downloading.
    Offline,
    /// `sdkgen.toml` pins no URL for the file.
    NoUrl,
    /// The download failed, or its sha256 differs from the pin.
    Failed {
        /// The pinned URL.
        url: String,
        /// Why.
        reason: String,
    },
}

impl std::fmt::Display for Attempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotTried => write!(f, "this command does not download it"),
            Self::Offline => write!(f, "{OFFLINE_ENV} forbids downloading it"),
            Self::NoUrl => write!(f, "sdkgen.toml pins no `url` to download it from"),
            Self::Failed { url, reason } => write!(f, "downloading {url} failed: {reason}"),
        }
    }
}

/// Where pinned files are looked for besides the provider folder, and whether a missing one
/// may be downloaded.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// A mirror folder of upstream specs.
    pub mirror: Option<PathBuf>,
    /// Where to download a file that no folder has (a build script's `OUT_DIR`).
    pub download: Download,
}

/// Whether, and where, a missing pinned file is downloaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Download {
    /// Not by this caller (the CLI's `report` and `features`: `vendor` downloads).
    #[default]
    NotTried,
    /// Forbidden by [`OFFLINE_ENV`].
    Offline,
    /// Into this folder, which is never the source folder: cargo's git checkouts and registry
    /// sources are not ours to write into.
    Into(PathBuf),
}

impl Sources {
    /// The mirror from the environment or beside the workspace, without downloading.
    pub fn local(provider_dir: &Path) -> Self {
        Self {
            mirror: mirror_dir(provider_dir),
            download: Download::NotTried,
        }
    }

    /// What the command line and tests use: the mirror, and downloads (unless [`OFFLINE_ENV`]
    /// is set) into a cache in the temporary folder, where each file sits under its sha256
    /// and is checked on every read, so a fresh clone with network access and no mirror
    /// works.
    pub fn cached(provider_dir: &Path) -> Self {
        Self::for_build(
            provider_dir,
            &std::env::temp_dir().join("sdkgen-spec-cache"),
        )
    }

    /// What a build script uses: the mirror, and downloads into `out_dir` unless
    /// [`OFFLINE_ENV`] is set.
    pub fn for_build(provider_dir: &Path, out_dir: &Path) -> Self {
        let offline = std::env::var_os(OFFLINE_ENV).is_some_and(|v| !v.is_empty() && v != "0");
        Self {
            mirror: mirror_dir(provider_dir),
            download: if offline {
                Download::Offline
            } else {
                Download::Into(out_dir.join("sdkgen-specs"))
            },
        }
    }
}

/// Where a pinned file was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A vendored, packaged or mirrored copy.
    Local(PathBuf),
    /// Downloaded from the pinned URL (or found from an earlier download) into the build's folder.
    Downloaded {
        /// The file.
        path: PathBuf,
        /// Where it came from.
        url: String,
        /// False when an earlier build's download was reused.
        fresh: bool,
    },
}

impl Resolved {
    /// The file to read.
    pub fn path(&self) -> &Path {
        match self {
            Self::Local(path) | Self::Downloaded { path, .. } => path,
        }
    }
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

/// The path to read a pinned file from: the vendored copy, else the mirror's, each checked;
/// never downloads.
pub fn resolve_source(provider_dir: &Path, file: &SourceFile) -> Result<PathBuf, VendorError> {
    resolve(provider_dir, file, &Sources::local(provider_dir)).map(|r| r.path().to_path_buf())
}

/// The path to read a pinned file from: the vendored (or packaged) copy, else the mirror's,
/// else a download of the pinned URL when `sources` allows it. Every copy is checked against
/// the pinned sha256, and a download that does not match is deleted.
pub fn resolve(
    provider_dir: &Path,
    file: &SourceFile,
    sources: &Sources,
) -> Result<Resolved, VendorError> {
    if let Some(path) = check(&provider_dir.join(&file.path), &file.sha256)? {
        return Ok(Resolved::Local(path));
    }
    if let Some(mirror) = &sources.mirror {
        if let Some(path) = check(&mirror.join(mirror_path(file)), &file.sha256)? {
            return Ok(Resolved::Local(path));
        }
    }
    let shown_dir = provider_dir
        .canonicalize()
        .unwrap_or_else(|_| provider_dir.to_path_buf());
    let missing = |attempt| VendorError::Missing {
        path: shown_dir.join(&file.path).display().to_string(),
        mirror: mirror_path(file).to_owned(),
        attempt,
    };
    let dir = match &sources.download {
        Download::NotTried => return Err(missing(Attempt::NotTried)),
        Download::Offline => return Err(missing(Attempt::Offline)),
        Download::Into(dir) => dir,
    };
    let Some(url) = &file.url else {
        return Err(missing(Attempt::NoUrl));
    };
    // Under its pin, so that two specs with one file name never share a download.
    let target = dir.join(&file.sha256).join(&file.path);
    // A download is only ever kept once it matched, so one that matches now is reused.
    if let Ok(Some(path)) = check(&target, &file.sha256) {
        return Ok(Resolved::Downloaded {
            path,
            url: url.clone(),
            fresh: false,
        });
    }
    let failed = |reason: String| {
        missing(Attempt::Failed {
            url: url.clone(),
            reason,
        })
    };
    download(url, &target).map_err(failed)?;
    match check(&target, &file.sha256) {
        Ok(Some(path)) => Ok(Resolved::Downloaded {
            path,
            url: url.clone(),
            fresh: true,
        }),
        Ok(None) => Err(failed("the downloaded file cannot be read".to_owned())),
        Err(err) => {
            let _ = std::fs::remove_file(&target);
            Err(err)
        }
    }
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
    vendor_into(provider_dir, config, provider_dir)
}

/// Writes a provider's `sdkgen.toml` and every pinned file, checked, into `target`: a provider
/// crate's `spec/` folder just before `cargo package`, so that the package carries the specs
/// it is built from and a registry user needs no mirror and no network. The files come from
/// the vendored copy, the mirror or the pinned URL, in that order.
pub fn stage_package(
    provider_dir: &Path,
    config: &Config,
    target: &Path,
) -> Result<Vec<Outcome>, VendorError> {
    copy(
        &provider_dir.join("sdkgen.toml"),
        &target.join("sdkgen.toml"),
    )?;
    vendor_into(provider_dir, config, target)
}

fn vendor_into(
    provider_dir: &Path,
    config: &Config,
    target_dir: &Path,
) -> Result<Vec<Outcome>, VendorError> {
    let mut outcomes = Vec::new();
    for file in &config.source.files {
        let target = target_dir.join(&file.path);
        let shown = target.display().to_string();
        if check(&target, &file.sha256)?.is_some() {
            outcomes.push(Outcome::UpToDate(shown));
            continue;
        }
        let vendored = provider_dir.join(&file.path);
        let mirrored = mirror_dir(provider_dir).map(|m| m.join(mirror_path(file)));
        let mut copied = false;
        for source in std::iter::once(vendored).chain(mirrored) {
            if source != target && check(&source, &file.sha256)?.is_some() {
                copy(&source, &target)?;
                copied = true;
                break;
            }
        }
        if copied {
            outcomes.push(Outcome::Copied(shown));
            continue;
        }
        let Some(url) = &file.url else {
            return Err(VendorError::Missing {
                path: shown,
                mirror: mirror_path(file).to_owned(),
                attempt: Attempt::NoUrl,
            });
        };
        download(url, &target).map_err(|reason| VendorError::Missing {
            path: shown.clone(),
            mirror: mirror_path(file).to_owned(),
            attempt: Attempt::Failed {
                url: url.clone(),
                reason,
            },
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

/// Downloads `url` into `target` through a temporary file renamed into place, so that a
/// reader (another test thread, another build) never sees half a file.
fn download(url: &str, target: &Path) -> Result<(), String> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let partial = target.with_extension(format!("part-{}-{nanos}", std::process::id()));
    fetch(url, &partial)?;
    std::fs::rename(&partial, target).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        format!("cannot move the download into {}: {e}", target.display())
    })
}

fn fetch(url: &str, target: &Path) -> Result<(), String> {
    let output = std::process::Command::new("curl")
        .args([
            "--fail",
            "--location",
            "--silent",
            "--show-error",
            "--output",
        ])
        .arg(target)
        .arg(url)
        .output()
        .map_err(|e| format!("cannot run curl: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        let _ = std::fs::remove_file(target);
        let said = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        Err(if said.is_empty() {
            format!("curl exited with {}", output.status)
        } else {
            said
        })
    }
}

#[cfg(test)]
// A test fails by panicking.
#[allow(clippy::panic)]
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

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sdkgen-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::create_dir_all(&dir);
        dir
    }

    #[test]
    fn a_file_no_folder_has_is_downloaded_into_the_build_folder_and_checked() {
        let root = scratch("download");
        let upstream = root.join("upstream.yaml");
        let _ = std::fs::write(&upstream, b"openapi: 3.0.0\n");
        let provider = root.join("provider");
        let out = root.join("out");
        let mut pinned = file("spec.yaml", &sha256_hex(b"openapi: 3.0.0\n"));
        pinned.url = Some(format!("file://{}", upstream.display()));
        let sources = Sources {
            mirror: Some(root.join("empty-mirror")),
            download: Download::Into(out.clone()),
        };
        let first = resolve(&provider, &pinned, &sources);
        let Ok(Resolved::Downloaded { path, fresh, .. }) = first else {
            panic!("expected a download, got {first:?}");
        };
        assert!(fresh);
        assert!(path.starts_with(&out), "{}", path.display());
        // The provider folder (a read-only checkout, for cargo) was not written to.
        assert!(!provider.exists());
        // The next build reuses the checked download.
        let again = resolve(&provider, &pinned, &sources);
        assert!(
            matches!(again, Ok(Resolved::Downloaded { fresh: false, .. })),
            "{again:?}"
        );

        // A download whose bytes differ from the pin is refused and deleted.
        let mut wrong = pinned.clone();
        wrong.path = "other.yaml".to_owned();
        wrong.sha256 = "0".repeat(64);
        let refused = resolve(&provider, &wrong, &sources);
        assert!(
            matches!(refused, Err(VendorError::Mismatch { .. })),
            "{refused:?}"
        );
        assert!(!out.join("other.yaml").exists());
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn offline_builds_and_failed_downloads_say_what_happened_and_what_to_do() {
        let root = scratch("offline");
        let mut pinned = file("spec.yaml", &"0".repeat(64));
        pinned.url = Some(format!("file://{}/absent.yaml", root.display()));
        let offline = Sources {
            mirror: None,
            download: Download::Offline,
        };
        let Err(err) = resolve(&root, &pinned, &offline) else {
            panic!("an offline build cannot find the file");
        };
        assert_eq!(err.kind(), crate::diagnostics::DiagnosticKind::Unvendored);
        assert!(err.to_string().contains("SDKGEN_OFFLINE forbids"), "{err}");
        assert!(
            err.hint().contains("unset SDKGEN_OFFLINE"),
            "{}",
            err.hint()
        );

        let online = Sources {
            mirror: None,
            download: Download::Into(root.join("out")),
        };
        let Err(err) = resolve(&root, &pinned, &online) else {
            panic!("the pinned URL does not exist");
        };
        let text = err.to_string();
        assert!(
            text.contains("downloading file://") && text.contains("failed"),
            "{text}"
        );
        assert!(!text.contains("tabs"), "{text}");

        pinned.url = None;
        let Err(err) = resolve(&root, &pinned, &online) else {
            panic!("nothing to download from");
        };
        assert!(err.to_string().contains("pins no `url`"), "{err}");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn staging_a_package_copies_the_config_and_the_checked_pinned_files() {
        let root = scratch("stage");
        let provider = root.join("specs/acme");
        let _ = std::fs::create_dir_all(&provider);
        let sha = sha256_hex(b"openapi: 3.0.0\n");
        let toml = format!("[[source.files]]\npath = \"spec.yaml\"\nsha256 = \"{sha}\"\n");
        let _ = std::fs::write(provider.join("sdkgen.toml"), &toml);
        let _ = std::fs::write(provider.join("spec.yaml"), b"openapi: 3.0.0\n");
        let mut diags = crate::diagnostics::Diagnostics::new();
        let config = Config::parse(&toml, "sdkgen.toml", &mut diags).unwrap_or_default();
        let target = root.join("crate/spec");
        let outcomes = stage_package(&provider, &config, &target);
        assert!(
            matches!(outcomes.as_deref(), Ok([Outcome::Copied(_)])),
            "{outcomes:?}"
        );
        assert_eq!(
            std::fs::read_to_string(target.join("sdkgen.toml")).ok(),
            Some(toml)
        );
        assert!(check(&target.join("spec.yaml"), &sha).is_ok_and(|p| p.is_some()));
        let _ = std::fs::remove_dir_all(&root);
    }
}
