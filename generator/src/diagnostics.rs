//! Located, actionable problems found while reading a spec.
//!
//! Every phase pushes into one [`Diagnostics`] sink instead of returning at the first problem, so a
//! user sees all of a spec's problems in one run. Each diagnostic carries a JSON Pointer into the
//! document, a message and a hint that says what to do about it.

use std::collections::BTreeMap;
use std::fmt;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Generation continued; one item was degraded or a guess was made.
    Warning,
    /// The spec (or a required input) could not be used at all.
    Error,
}

/// What went wrong, as data, so that reports can group and count problems by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DiagnosticKind {
    /// The bytes are not JSON or YAML.
    Parse,
    /// The spec (or a file it names) does not exist.
    MissingFile,
    /// The file exists and holds nothing (or only whitespace).
    EmptyFile,
    /// Reading or writing a file failed for another reason than its absence.
    Io,
    /// A pinned upstream spec is not vendored, no mirror has it, and it was not downloaded.
    Unvendored,
    /// A pinned upstream spec differs from its sha256 in `sdkgen.toml`.
    PinMismatch,
    /// The `openapi`/`swagger` version is missing or not one we read.
    UnsupportedVersion,
    /// A document section does not have the shape the OpenAPI specification gives it.
    InvalidStructure,
    /// A `$ref` points at nothing.
    UnresolvedRef,
    /// A `$ref` refers to itself through other refs with no schema in between.
    RefCycle,
    /// A `$ref` to another file could not be read.
    ExternalRef,
    /// A schema could not be read; its type falls back to `serde_json::Value`.
    InvalidSchema,
    /// A valid construct that the generator does not model yet; it falls back to a looser type.
    UnsupportedSchema,
    /// Two operations share an `operationId`; the later one is renamed.
    DuplicateOperationId,
    /// A path template and its parameters disagree.
    PathParameter,
    /// A parameter could not be used as written.
    InvalidParameter,
    /// A request or response media type that is not modelled; the body is sent or read as bytes.
    UnsupportedMediaType,
    /// An operation could not be generated at all.
    SkippedOperation,
    /// A Swagger 2.0 construct was converted with a guess.
    Swagger2Conversion,
    /// A 3.1 construct was approximated when mapping onto the 3.0 model.
    Openapi31Conversion,
    /// The `sdkgen.toml` configuration has a problem.
    Config,
    /// An identifier had to be changed to be legal or unique.
    Naming,
    /// A response example contradicts its schema; the property is read as the example shows.
    ExampleConflict,
    /// A webhook could not be typed, or the events cannot be told apart.
    Webhook,
}

impl DiagnosticKind {
    /// A short stable name used in grouped reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Parse => "parse",
            Self::MissingFile => "missing-file",
            Self::EmptyFile => "empty-file",
            Self::Io => "io",
            Self::Unvendored => "unvendored-spec",
            Self::PinMismatch => "pin-mismatch",
            Self::UnsupportedVersion => "unsupported-version",
            Self::InvalidStructure => "invalid-structure",
            Self::UnresolvedRef => "unresolved-ref",
            Self::RefCycle => "ref-cycle",
            Self::ExternalRef => "external-ref",
            Self::InvalidSchema => "invalid-schema",
            Self::UnsupportedSchema => "unsupported-schema",
            Self::DuplicateOperationId => "duplicate-operation-id",
            Self::PathParameter => "path-parameter",
            Self::InvalidParameter => "invalid-parameter",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::SkippedOperation => "skipped-operation",
            Self::Swagger2Conversion => "swagger2-conversion",
            Self::Openapi31Conversion => "openapi31-conversion",
            Self::Config => "config",
            Self::Naming => "naming",
            Self::ExampleConflict => "example-conflict",
            Self::Webhook => "webhook",
        }
    }

    /// The default advice for this kind of problem.
    pub fn default_hint(self) -> &'static str {
        match self {
            Self::Parse => {
                "check that the file is UTF-8 JSON or YAML (no tabs for indentation, no duplicate keys)"
            }
            Self::MissingFile => {
                "check the path; relative paths start at the current folder (or, in sdkgen.toml, at its folder)"
            }
            Self::EmptyFile => {
                "the file has no content: was a download or a copy interrupted? Restore the spec"
            }
            Self::Io => "check the file's permissions and the disk",
            Self::Unvendored => {
                "run `sdkgen vendor` with network access, set SDKGEN_SPEC_MIRROR to a mirror folder, or let the build download it (unset SDKGEN_OFFLINE)"
            }
            Self::PinMismatch => {
                "review the upstream change, then update `sha256` in sdkgen.toml, or restore the pinned file"
            }
            Self::UnsupportedVersion => {
                "sdkgen reads `swagger: 2.0` and `openapi: 3.0.x`/`3.1.x` documents"
            }
            Self::InvalidStructure => {
                "compare this section with the OpenAPI specification, or patch it in sdkgen.toml"
            }
            Self::UnresolvedRef => "fix the `$ref` target, or add the missing component",
            Self::RefCycle => "a `$ref` chain must reach a schema; break the cycle",
            Self::ExternalRef => "the referenced file must sit beside the spec and be JSON or YAML",
            Self::InvalidSchema => {
                "the type falls back to `serde_json::Value`; fix the schema to get a typed field"
            }
            Self::UnsupportedSchema => {
                "the type falls back to a looser Rust type; the rest of the spec is unaffected"
            }
            Self::DuplicateOperationId => "give each operation a unique `operationId`",
            Self::PathParameter => {
                "declare every `{name}` of the path template as an `in: path` parameter"
            }
            Self::InvalidParameter => "check the parameter's `in`, `name` and `schema`",
            Self::UnsupportedMediaType => "the body is sent or returned as raw bytes",
            Self::SkippedOperation => "fix the operation so that it can be generated",
            Self::Swagger2Conversion => "convert the document to OpenAPI 3 for exact control",
            Self::Openapi31Conversion => {
                "the 3.1 construct was approximated; check the generated type"
            }
            Self::Config => "fix sdkgen.toml",
            Self::Naming => "rename the item in the spec for a nicer identifier",
            Self::ExampleConflict => {
                "the spec's own example leaves the property out or null; if the schema is right, fix the example upstream"
            }
            Self::Webhook => {
                "say how deliveries name their event in sdkgen.toml's [webhooks] (tag_field, event_header, envelope), or map the event's payload in [webhooks.payloads]"
            }
        }
    }
}

/// One located problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// What kind of problem it is.
    pub kind: DiagnosticKind,
    /// A JSON Pointer into the spec (`#/paths/~1users/get`), or the file for parse errors.
    pub pointer: String,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{level}[{}]: {} at {}\n  hint: {}",
            self.kind.name(),
            self.message,
            self.pointer,
            self.hint
        )
    }
}

/// The sink every phase writes its problems into.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error with the kind's default hint.
    pub fn error(
        &mut self,
        kind: DiagnosticKind,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.push(Severity::Error, kind, pointer.into(), message.into(), None);
    }

    /// Records an error with its own hint.
    pub fn error_with_hint(
        &mut self,
        kind: DiagnosticKind,
        pointer: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(
            Severity::Error,
            kind,
            pointer.into(),
            message.into(),
            Some(hint.into()),
        );
    }

    /// Records a warning with the kind's default hint.
    pub fn warn(
        &mut self,
        kind: DiagnosticKind,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.push(
            Severity::Warning,
            kind,
            pointer.into(),
            message.into(),
            None,
        );
    }

    /// Records a warning with its own hint.
    pub fn warn_with_hint(
        &mut self,
        kind: DiagnosticKind,
        pointer: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(
            Severity::Warning,
            kind,
            pointer.into(),
            message.into(),
            Some(hint.into()),
        );
    }

    fn push(
        &mut self,
        severity: Severity,
        kind: DiagnosticKind,
        pointer: String,
        message: String,
        hint: Option<String>,
    ) {
        let hint = hint.unwrap_or_else(|| kind.default_hint().to_owned());
        self.items.push(Diagnostic {
            severity,
            kind,
            pointer,
            message,
            hint,
        });
    }

    /// Moves every diagnostic of `other` into this sink.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// True when any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Every diagnostic, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// How many diagnostics there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Counts per (severity, kind), sorted, for grouped summaries.
    pub fn counts(&self) -> BTreeMap<(Severity, DiagnosticKind), usize> {
        let mut counts = BTreeMap::new();
        for d in &self.items {
            *counts.entry((d.severity, d.kind)).or_insert(0) += 1;
        }
        counts
    }
}

/// Builds JSON Pointers, escaping `~` and `/` as RFC 6901 requires.
pub fn pointer(base: &str, segment: &str) -> String {
    let escaped = segment.replace('~', "~0").replace('/', "~1");
    format!("{base}/{escaped}")
}
