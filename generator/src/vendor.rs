//! `sdkgen vendor`: materializes each provider's upstream spec files into `specs/<provider>/`.
//!
//! Upstream specs are not redistributed in this repository. Each provider's `sdkgen.toml` pins
//! every file by sha256; vendoring copies the file from a mirror folder (the
//! `SDKGEN_SPEC_MIRROR` environment variable, or `../shared/specs` beside the repository) or
//! downloads it from the pinned URL with `curl`, and refuses any file whose sha256 differs.
//! Build scripts use [`resolve_source`] to read a vendored file, or the mirror's copy when the
//! file has not been vendored, so a fresh clone builds without a manual step.

use std::collections::{BTreeMap, BTreeSet};
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

/// What `sdkgen vendor --update` is asked to do.
#[derive(Debug, Clone)]
pub struct UpdateRequest {
    /// The provider folder (`specs/<provider>`).
    pub provider_dir: PathBuf,
    /// The provider crate's folder, where `CHANGELOG.md` lives (`generated/<provider>`).
    pub crate_dir: PathBuf,
    /// The new spec: a path or an `http(s)://` URL; the pinned URL when absent.
    pub from: Option<String>,
    /// Which pinned file to update, for providers with several (by `path`).
    pub file: Option<String>,
    /// Change nothing; only report.
    pub dry_run: bool,
    /// The changelog entry's date (`YYYY-MM-DD`).
    pub date: String,
}

/// What an update found (and, unless it was a dry run, wrote).
#[derive(Debug)]
pub struct UpdateOutcome {
    /// The pinned file updated.
    pub file: String,
    /// The old and new sha256.
    pub old_sha256: String,
    /// The new spec's sha256.
    pub new_sha256: String,
    /// The crate version before.
    pub old_version: String,
    /// The crate version the verdict calls for.
    pub new_version: String,
    /// The comparison; `None` when the new spec is the pinned one.
    pub diff: Option<crate::diff::Diff>,
    /// The changelog entry written (or that would be).
    pub changelog_entry: String,
    /// The files written (empty for a dry run or when up to date).
    pub written: Vec<PathBuf>,
    /// Type names the update would have moved, pinned to their old names in
    /// `[naming.types]`: the new spec's name → the kept one.
    pub pinned: BTreeMap<String, String>,
}

/// Why an update stopped; nothing is written when it does.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// `sdkgen.toml` is missing or invalid, or names no such file.
    #[error("{path}: {reason}")]
    Config {
        /// The config file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The new spec could not be read or downloaded.
    #[error("cannot fetch the new spec from {from}: {reason}")]
    Fetch {
        /// The path or URL.
        from: String,
        /// Why.
        reason: String,
    },
    /// The currently pinned spec does not generate.
    #[error("the pinned spec of {provider} does not generate:\n{errors}")]
    Old {
        /// The provider folder.
        provider: String,
        /// The errors.
        errors: String,
    },
    /// The new spec does not generate with this `sdkgen.toml`; a spec patch that no longer
    /// applies is one of these errors, with its reason.
    #[error(
        "the new spec from {from} does not generate with {config}; nothing was changed:\n{errors}"
    )]
    New {
        /// The path or URL.
        from: String,
        /// The config file.
        config: String,
        /// The errors, each with its reason.
        errors: String,
    },
    /// The two specs could not be compared.
    #[error(transparent)]
    Diff(#[from] crate::diff::DiffError),
    /// Reading or writing failed.
    #[error("{0}")]
    Io(String),
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> UpdateError + '_ {
    move |e| UpdateError::Io(format!("{}: {e}", path.display()))
}

fn error_lines(diags: &crate::diagnostics::Diagnostics) -> String {
    diags
        .iter()
        .filter(|d| d.severity == crate::diagnostics::Severity::Error)
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Fetches a new spec, compares it with the pinned one as generated Rust API, and (unless
/// `dry_run`) vendors it, updates the pin and the crate version in `sdkgen.toml`, and prepends
/// a dated entry to the crate's `CHANGELOG.md`.
pub fn update_provider(req: &UpdateRequest) -> Result<UpdateOutcome, UpdateError> {
    let config_path = req.provider_dir.join("sdkgen.toml");
    let config_text = std::fs::read_to_string(&config_path).map_err(|e| UpdateError::Config {
        path: config_path.display().to_string(),
        reason: format!("cannot read: {e}"),
    })?;
    let mut diags = crate::diagnostics::Diagnostics::new();
    let config = Config::parse(&config_text, &config_path.display().to_string(), &mut diags)
        .ok_or_else(|| UpdateError::Config {
            path: config_path.display().to_string(),
            reason: error_lines(&diags),
        })?;
    let file = pick_file(&config, req.file.as_deref()).map_err(|reason| UpdateError::Config {
        path: config_path.display().to_string(),
        reason,
    })?;
    let from = req
        .from
        .clone()
        .or_else(|| file.url.clone())
        .ok_or_else(|| UpdateError::Fetch {
            from: "(nothing)".to_owned(),
            reason: format!("no --from was given and `{}` pins no URL", file.path),
        })?;
    let bytes = fetch_update(&from)?;
    let new_sha = sha256_hex(&bytes);
    let old_version = config.crate_.version.clone();
    let mut outcome = UpdateOutcome {
        file: file.path.clone(),
        old_sha256: file.sha256.clone(),
        new_sha256: new_sha.clone(),
        old_version: old_version.clone(),
        new_version: old_version.clone(),
        diff: None,
        changelog_entry: String::new(),
        written: Vec::new(),
        pinned: BTreeMap::new(),
    };
    if new_sha.eq_ignore_ascii_case(&file.sha256) {
        return Ok(outcome);
    }
    let old = crate::build::load_provider(&req.provider_dir).map_err(|d| UpdateError::Old {
        provider: req.provider_dir.display().to_string(),
        errors: error_lines(&d),
    })?;
    // The new spec is read as a build would read it: from a staging copy of the provider
    // folder with the new pin, so every patch and rule of sdkgen.toml applies to it.
    let mut new_text = replace_once(
        &config_text,
        &format!("\"{}\"", file.sha256),
        &format!("\"{new_sha}\""),
    );
    if let (Some(url), true) = (&file.url, is_url(&from)) {
        new_text = replace_once(&new_text, &format!("\"{url}\""), &format!("\"{from}\""));
    }
    let staging = std::env::temp_dir().join(format!(
        "sdkgen-update-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    // The new spec is generated from the staging folder, as a build would read it.
    let load_new = |text: &str| {
        let loaded =
            stage(&staging, &req.provider_dir, &config, file, &bytes, text).and_then(|()| {
                crate::build::load_provider(&staging).map_err(|d| UpdateError::New {
                    from: from.clone(),
                    config: config_path.display().to_string(),
                    errors: error_lines(&d).replace(
                        &staging.display().to_string(),
                        &req.provider_dir.display().to_string(),
                    ),
                })
            });
        let _ = std::fs::remove_dir_all(&staging);
        loaded
    };
    let new = load_new(&new_text)?;
    let mut diff =
        crate::diff::diff_providers(&old, &new, &req.provider_dir.display().to_string(), &from)?;
    // Names do not move: each type the new spec would rename is pinned to its old name, and
    // the diff (so the verdict and the changelog) is of the crate with the pins.
    let pins = rename_pins(&diff);
    if !pins.is_empty() {
        new_text = add_type_pins(&new_text, &pins);
        let pinned = load_new(&new_text)?;
        diff = crate::diff::diff_providers(
            &old,
            &pinned,
            &req.provider_dir.display().to_string(),
            &from,
        )?;
        outcome.pinned = pins;
    }
    let new_version = diff
        .verdict
        .bump(&old_version)
        .ok_or_else(|| UpdateError::Config {
            path: config_path.display().to_string(),
            reason: format!("[crate] version `{old_version}` is not MAJOR.MINOR.PATCH"),
        })?;
    new_text = set_crate_version(&new_text, &new_version);
    outcome.new_version = new_version;
    outcome.changelog_entry = changelog_entry(&outcome, &diff, &req.date);
    outcome.diff = Some(diff);
    if req.dry_run {
        return Ok(outcome);
    }
    let spec_path = req.provider_dir.join(&file.path);
    std::fs::write(&spec_path, &bytes).map_err(io_err(&spec_path))?;
    std::fs::write(&config_path, &new_text).map_err(io_err(&config_path))?;
    let changelog = req.crate_dir.join("CHANGELOG.md");
    let before = std::fs::read_to_string(&changelog).unwrap_or_default();
    std::fs::create_dir_all(&req.crate_dir).map_err(io_err(&req.crate_dir))?;
    std::fs::write(&changelog, prepend_entry(&before, &outcome.changelog_entry))
        .map_err(io_err(&changelog))?;
    outcome.written = vec![spec_path, config_path, changelog];
    Ok(outcome)
}

fn pick_file<'c>(config: &'c Config, wanted: Option<&str>) -> Result<&'c SourceFile, String> {
    let files = &config.source.files;
    match wanted {
        Some(w) => files
            .iter()
            .find(|f| f.path == w)
            .ok_or_else(|| format!("no [[source.files]] has path `{w}`")),
        // The main spec, when files that only add webhooks are pinned beside it.
        None if files.iter().filter(|f| !f.webhooks).count() == 1 => files
            .iter()
            .find(|f| !f.webhooks)
            .ok_or_else(|| "no [[source.files]] is pinned".to_owned()),
        None => match files.as_slice() {
            [one] => Ok(one),
            [] => Err("no [[source.files]] is pinned".to_owned()),
            many => Err(format!(
                "several files are pinned; name one with --file ({})",
                many.iter()
                    .map(|f| f.path.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        },
    }
}

fn is_url(from: &str) -> bool {
    from.starts_with("https://") || from.starts_with("http://")
}

fn fetch_update(from: &str) -> Result<Vec<u8>, UpdateError> {
    let fail = |reason: String| UpdateError::Fetch {
        from: from.to_owned(),
        reason,
    };
    if !is_url(from) {
        return std::fs::read(from).map_err(|e| fail(e.to_string()));
    }
    let target = std::env::temp_dir().join(format!("sdkgen-fetch-{}", std::process::id()));
    download(from, &target).map_err(fail)?;
    let bytes = std::fs::read(&target).map_err(|e| fail(e.to_string()));
    let _ = std::fs::remove_file(&target);
    bytes
}

/// A staging copy of the provider folder: the config with the new pin, the new spec, and every
/// other pinned file as the build reads it.
fn stage(
    staging: &Path,
    provider_dir: &Path,
    config: &Config,
    updated: &SourceFile,
    bytes: &[u8],
    config_text: &str,
) -> Result<(), UpdateError> {
    std::fs::create_dir_all(staging).map_err(io_err(staging))?;
    for f in &config.source.files {
        let target = staging.join(&f.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        if f.path == updated.path {
            std::fs::write(&target, bytes).map_err(io_err(&target))?;
        } else {
            let source =
                resolve_source(provider_dir, f).map_err(|e| UpdateError::Io(e.to_string()))?;
            copy(&source, &target).map_err(|e| UpdateError::Io(e.to_string()))?;
        }
    }
    let toml = staging.join("sdkgen.toml");
    std::fs::write(&toml, config_text).map_err(io_err(&toml))
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    text.replacen(from, to, 1)
}

/// The type names an update would move, as `[naming.types]` pins: the name the rules give the
/// newer spec → the name the older crate had.
pub fn rename_pins(diff: &crate::diff::Diff) -> BTreeMap<String, String> {
    let bare = |path: &str| path.rsplit("::").next().unwrap_or(path).to_owned();
    diff.changes
        .iter()
        .filter(|e| e.item == crate::diff::Item::Type && e.change == crate::diff::Change::Renamed)
        .filter_map(|e| Some((bare(&e.rust_path), bare(e.old_rust_path.as_deref()?))))
        .collect()
}

/// Adds pins to `[naming.types]` (creating the table at the end if there is none), editing
/// only those lines. An earlier pin that kept the same name goes: the type it named was
/// renamed again, and the new pin keeps the name instead.
pub fn add_type_pins(text: &str, pins: &BTreeMap<String, String>) -> String {
    if pins.is_empty() {
        return text.to_owned();
    }
    let kept: BTreeSet<&str> = pins.values().map(String::as_str).collect();
    let lines: Vec<String> = pins
        .iter()
        .map(|(now, old)| format!("{} = {}", toml_key(now), toml_key(old)))
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut in_table = false;
    let mut found = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_table = trimmed == "[naming.types]";
            if in_table {
                found = true;
                out.push(line.to_owned());
                out.extend(lines.iter().cloned());
                continue;
            }
        }
        let superseded = in_table
            && trimmed
                .split_once('=')
                .is_some_and(|(_, v)| kept.contains(v.trim().trim_matches('"')));
        if !superseded {
            out.push(line.to_owned());
        }
    }
    if !found {
        if out.last().is_some_and(|l| !l.trim().is_empty()) {
            out.push(String::new());
        }
        out.push(
            "# Type names kept across spec updates (written by `sdkgen vendor --update`): the name"
                .to_owned(),
        );
        out.push(
            "# the newer spec would give → the name users depend on. Delete a line to take the new name."
                .to_owned(),
        );
        out.push("[naming.types]".to_owned());
        out.extend(lines);
    }
    let mut joined = out.join("\n");
    joined.push('\n');
    joined
}

fn toml_key(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Sets `version` in the `[crate]` table, editing that one line so comments and layout stay.
pub fn set_crate_version(text: &str, version: &str) -> String {
    let mut out = Vec::new();
    let mut in_crate = false;
    let mut done = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            if in_crate && !done {
                out.push(format!("version = \"{version}\""));
                done = true;
            }
            in_crate = trimmed.starts_with("[crate]");
        }
        let key = trimmed.split('=').next().map(str::trim);
        if in_crate && !done && key == Some("version") {
            let comment = line
                .find('#')
                .map(|i| &line[i..])
                .filter(|c| !c.contains('"'));
            let mut l = format!("version = \"{version}\"");
            if let Some(c) = comment {
                l = format!("{l} {c}");
            }
            out.push(l);
            done = true;
            continue;
        }
        out.push(line.to_owned());
    }
    if !done {
        if in_crate {
            out.push(format!("version = \"{version}\""));
        } else {
            out.insert(0, format!("[crate]\nversion = \"{version}\"\n"));
        }
    }
    let mut joined = out.join("\n");
    if text.ends_with('\n') {
        joined.push('\n');
    }
    joined
}

fn changelog_entry(o: &UpdateOutcome, diff: &crate::diff::Diff, date: &str) -> String {
    use crate::diff::{Change, Class};
    let short = |s: &str| s.chars().take(12).collect::<String>();
    let mut out = format!(
        "## {} — {date}\n\n`{}` sha256 {} → {}: **{}** ({} breaking, {} compatible changes; operations {} → {}).\n",
        o.new_version,
        o.file,
        short(&o.old_sha256),
        short(&o.new_sha256),
        diff.verdict.label(),
        diff.breaking,
        diff.compatible,
        diff.old.operations,
        diff.new.operations,
    );
    // Breaking, then additions, then every other compatible change.
    let section = |e: &crate::diff::Entry| match (e.class, e.change) {
        (Class::Breaking, _) => 0,
        (Class::Compatible, Change::Added) => 1,
        (Class::Compatible, _) => 2,
    };
    for (i, title) in ["Breaking", "Added", "Changed"].into_iter().enumerate() {
        let lines: Vec<String> = diff
            .changes
            .iter()
            .filter(|e| section(e) == i)
            .map(crate::diff::entry_line)
            .collect();
        if lines.is_empty() {
            continue;
        }
        out.push_str(&format!("\n### {title}\n\n"));
        for l in lines {
            out.push_str(&format!("- {l}\n"));
        }
    }
    if !o.pinned.is_empty() {
        out.push_str("\n### Names kept\n\n");
        for (now, kept) in &o.pinned {
            out.push_str(&format!(
                "- `{kept}` keeps its name; the new spec would call it `{now}` (`[naming.types]`)\n"
            ));
        }
    }
    out
}

/// The changelog with `entry` first, below the `# ` title (which is added when missing).
pub fn prepend_entry(changelog: &str, entry: &str) -> String {
    let rest = changelog.trim_start();
    let (title, body) = match rest.strip_prefix("# ") {
        Some(_) => match rest.split_once('\n') {
            Some((t, b)) => (t.to_owned(), b.trim_start().to_owned()),
            None => (rest.to_owned(), String::new()),
        },
        None => ("# Changelog".to_owned(), rest.to_owned()),
    };
    let mut out = format!("{title}\n\n{entry}");
    if !body.is_empty() {
        out.push('\n');
        out.push_str(&body);
    }
    out
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
            webhooks: false,
        }
    }

    #[test]
    fn the_crate_version_line_is_edited_in_place() {
        let text = "# a comment\n[crate]\nname = \"x\"\nversion = \"0.1.0\" # pinned\n\n[source]\nspec = \"a\"\n";
        assert_eq!(
            set_crate_version(text, "0.2.0"),
            "# a comment\n[crate]\nname = \"x\"\nversion = \"0.2.0\" # pinned\n\n[source]\nspec = \"a\"\n"
        );
        assert_eq!(
            set_crate_version("[crate]\nname = \"x\"\n[source]\n", "0.1.1"),
            "[crate]\nname = \"x\"\nversion = \"0.1.1\"\n[source]\n"
        );
    }

    #[test]
    fn a_changelog_entry_goes_first_under_the_title() {
        assert_eq!(prepend_entry("", "## 1\n"), "# Changelog\n\n## 1\n");
        assert_eq!(
            prepend_entry("# Changelog\n\n## 1\n", "## 2\n"),
            "# Changelog\n\n## 2\n\n## 1\n"
        );
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
