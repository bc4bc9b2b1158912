//! Load phase: bytes → one OpenAPI 3.0-shaped JSON document.
//!
//! Every input version is brought onto a single model here so that lowering sees one shape:
//! Swagger 2.0 is converted ([`swagger2`]), 3.1 is normalized ([`v31`]), and `$ref`s to files beside
//! the spec are bundled into `components` ([`external`]). Lowering then deserializes one item at a
//! time into `openapiv3` types, so one malformed schema degrades one type and never the spec.

mod external;
mod swagger2;
mod v31;

use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::config::{SpecFixes, SpecPatch};
use crate::diagnostics::{DiagnosticKind, Diagnostics};

/// The version a document was written in, before normalization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceVersion {
    /// `swagger: "2.0"`.
    Swagger2,
    /// `openapi: 3.0.x`.
    V30,
    /// `openapi: 3.1.x` (and 3.2, read as 3.1).
    V31,
}

/// A loaded document in OpenAPI 3.0 shape.
#[derive(Debug, Clone)]
pub struct Document {
    /// The normalized document.
    pub root: Value,
    /// The version the author wrote.
    pub source_version: SourceVersion,
    /// The sha256 of the input bytes, recorded in every generated file.
    pub sha256: String,
    /// 3.1 `webhooks`, kept aside: they describe requests the API sends, not calls a client makes.
    pub webhooks: Option<Value>,
}

/// Adds the `webhooks` of `extra` to `doc`, and the component schemas of `extra` that `doc`
/// lacks: a webhooks-only description (GitHub's) refers to the same schemas as the API's.
/// Where both have a schema, the main spec's is kept, so the API's types do not change.
pub fn graft_webhooks(doc: &mut Document, extra: Document) {
    let Some(Value::Object(added)) = extra.webhooks else {
        return;
    };
    if let Some(Value::Object(schemas)) = extra.root.pointer("/components/schemas").cloned()
        && let Value::Object(root) = &mut doc.root
    {
        let components = root
            .entry("components")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Value::Object(components) = components {
            let target = components
                .entry("schemas")
                .or_insert_with(|| Value::Object(Default::default()));
            if let Value::Object(target) = target {
                for (name, schema) in schemas {
                    target.entry(name).or_insert(schema);
                }
            }
        }
    }
    let webhooks = doc
        .webhooks
        .get_or_insert_with(|| Value::Object(Default::default()));
    if let Value::Object(webhooks) = webhooks {
        for (name, item) in added {
            webhooks.entry(name).or_insert(item);
        }
    }
}

/// Reads and normalizes the spec at `path`; relative `$ref`s resolve beside it.
pub fn load_path(path: &Path, diags: &mut Diagnostics) -> Option<Document> {
    load_path_fixed(path, &SpecFixes::default(), diags)
}

/// Like [`load_path`], with the config's fixes for this file applied to the spec as written.
pub fn load_path_fixed(
    path: &Path,
    fixes: &SpecFixes<'_>,
    diags: &mut Diagnostics,
) -> Option<Document> {
    match std::fs::read(path) {
        Ok(bytes) => load_bytes_fixed(&bytes, path.parent(), fixes, diags),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            diags.error(
                DiagnosticKind::MissingFile,
                path.display().to_string(),
                "the spec file does not exist",
            );
            None
        }
        Err(err) => {
            diags.error(
                DiagnosticKind::Io,
                path.display().to_string(),
                format!("cannot read the spec: {err}"),
            );
            None
        }
    }
}

/// Reads and normalizes a spec from memory.
pub fn load_bytes(
    bytes: &[u8],
    base_dir: Option<&Path>,
    diags: &mut Diagnostics,
) -> Option<Document> {
    load_bytes_fixed(bytes, base_dir, &SpecFixes::default(), diags)
}

/// Reads a spec from memory, applies the config's fixes to it as written, then normalizes it.
pub fn load_bytes_fixed(
    bytes: &[u8],
    base_dir: Option<&Path>,
    fixes: &SpecFixes<'_>,
    diags: &mut Diagnostics,
) -> Option<Document> {
    let sha256 = sha256_hex(bytes);
    let mut value = parse_bytes(bytes, "#", diags)?;
    // Fixes address the document the provider published, so they run before conversion.
    for patch in &fixes.patches {
        apply_patch(&mut value, patch, diags)?;
    }
    if !fixes.dropped_parameters.is_empty() {
        drop_parameters(&mut value, &fixes.dropped_parameters);
    }
    let Value::Object(_) = value else {
        diags.error(
            DiagnosticKind::InvalidStructure,
            "#",
            "the document's root is not an object",
        );
        return None;
    };
    let source_version = detect_version(&value, diags)?;
    let value = external::bundle(value, base_dir, diags);
    let (root, webhooks) = match source_version {
        SourceVersion::Swagger2 => (swagger2::convert(value, diags), None),
        SourceVersion::V30 => (value, None),
        SourceVersion::V31 => v31::normalize(value, diags),
    };
    Some(Document {
        root,
        source_version,
        sha256,
        webhooks,
    })
}

/// The spec as its provider published it with the config's fixes applied and external files
/// bundled in, but not normalized: what an independent tool such as a mock server should read.
pub fn load_raw_fixed(
    path: &Path,
    fixes: &SpecFixes<'_>,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            diags.error(
                DiagnosticKind::Parse,
                path.display().to_string(),
                format!("cannot read the spec: {err}"),
            );
            return None;
        }
    };
    let mut value = parse_bytes(&bytes, "#", diags)?;
    for patch in &fixes.patches {
        apply_patch(&mut value, patch, diags)?;
    }
    if !fixes.dropped_parameters.is_empty() {
        drop_parameters(&mut value, &fixes.dropped_parameters);
    }
    Some(external::bundle(value, path.parent(), diags))
}

/// Applies one config patch; a failure is an error, since the spec no longer looks the way the
/// patch's author saw it and the fix may now be wrong.
fn apply_patch(value: &mut Value, patch: &SpecPatch, diags: &mut Diagnostics) -> Option<()> {
    match json_patch::patch(value, &patch.ops) {
        Ok(()) => Some(()),
        Err(err) => {
            diags.error_with_hint(
                DiagnosticKind::Config,
                format!("#{}", err.path),
                format!("the spec patch \"{}\" does not apply: {}", patch.why, err.kind),
                "the upstream spec changed: check whether the bug is fixed, then update or remove the patch in sdkgen.toml",
            );
            None
        }
    }
}

/// Removes the named inline parameters from every path item and operation.
fn drop_parameters(doc: &mut Value, names: &[&str]) {
    // Shared parameters (`#/parameters/…` in 2.0, `#/components/parameters/…` in 3.x) are
    // dropped where they are referenced; the definitions stay, unused.
    let mut dropped_refs = Vec::new();
    for (base, shared) in [
        ("#/parameters/", doc.get("parameters")),
        (
            "#/components/parameters/",
            doc.get("components").and_then(|c| c.get("parameters")),
        ),
    ] {
        for (key, param) in shared.and_then(Value::as_object).into_iter().flatten() {
            if param
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| names.contains(&n))
            {
                dropped_refs.push(format!("{base}{key}"));
            }
        }
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let keep = |p: &Value| {
        let by_name = p
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| names.contains(&n));
        let by_ref = p
            .get("$ref")
            .and_then(Value::as_str)
            .is_some_and(|r| dropped_refs.iter().any(|d| d == r));
        !by_name && !by_ref
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (key, node) in item.iter_mut() {
            let list = if key == "parameters" {
                Some(node)
            } else {
                node.get_mut("parameters")
            };
            if let Some(Value::Array(params)) = list {
                params.retain(keep);
            }
        }
    }
}

/// The lowercase hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Parses JSON or YAML into a JSON value; `origin` names the file in diagnostics.
pub(crate) fn parse_bytes(bytes: &[u8], origin: &str, diags: &mut Diagnostics) -> Option<Value> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        diags.error(DiagnosticKind::Parse, origin, "the file is not valid UTF-8");
        return None;
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        diags.error(DiagnosticKind::EmptyFile, origin, "the file is empty");
        return None;
    }
    if text.trim_start().starts_with('{') {
        match serde_json::from_str::<Value>(text) {
            Ok(value) => return Some(value),
            // Some specs are YAML documents that happen to start with a flow mapping; try YAML too.
            Err(json_err) => {
                return parse_yaml(text)
                    .map_err(|_| json_err.to_string())
                    .map_or_else(
                        |msg| {
                            diags.error(
                                DiagnosticKind::Parse,
                                origin,
                                format!("invalid JSON: {msg}"),
                            );
                            None
                        },
                        Some,
                    );
            }
        }
    }
    match parse_yaml(text) {
        Ok(value) => Some(value),
        Err(msg) => {
            diags.error(
                DiagnosticKind::Parse,
                origin,
                format!("invalid YAML: {msg}"),
            );
            None
        }
    }
}

fn parse_yaml(text: &str) -> Result<Value, String> {
    let yaml: serde_yaml_ng::Value = match serde_yaml_ng::from_str(text) {
        Ok(v) => v,
        // Integers beyond 64 bits (`minimum: -9223372036854776000`) are valid YAML that the
        // parser rejects; read them as floats, which is what they mean in a schema.
        Err(first) => {
            let widened = widen_huge_integers(text);
            match serde_yaml_ng::from_str(&widened) {
                Ok(v) => v,
                // A whitespace-only line that holds a tab inside a block scalar (`description: |`)
                // is rejected as tab indentation; such a line is blank, so read it as one.
                Err(_) => match blank_whitespace_lines(&widened) {
                    Some(blanked) => {
                        serde_yaml_ng::from_str(&blanked).map_err(|_| first.to_string())?
                    }
                    None => return Err(first.to_string()),
                },
            }
        }
    };
    let mut yaml = yaml;
    // Merge keys (`<<: *base`) are a YAML 1.1 feature that real specs use; resolve them before conversion.
    yaml.apply_merge().map_err(|e| e.to_string())?;
    Ok(yaml_to_json(yaml))
}

/// Empties lines made only of spaces and tabs that contain a tab; `None` when there are none.
fn blank_whitespace_lines(text: &str) -> Option<String> {
    let is_tabbed_blank =
        |line: &str| line.contains('\t') && line.trim_matches([' ', '\t', '\r', '\n']).is_empty();
    if !text.split_inclusive('\n').any(is_tabbed_blank) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if is_tabbed_blank(line) {
            if line.ends_with('\n') {
                out.push('\n');
            }
        } else {
            out.push_str(line);
        }
    }
    Some(out)
}

/// Appends `.0` to unquoted integer literals of 19 or more digits.
fn widen_huge_integers(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        let bytes = line.as_bytes();
        let mut i = 0;
        let mut in_quote: Option<u8> = None;
        while i < bytes.len() {
            let b = bytes[i];
            match in_quote {
                Some(q) if b == q => in_quote = None,
                Some(_) => {}
                None if b == b'"' || b == b'\'' => in_quote = Some(b),
                None if b == b'#' && (i == 0 || bytes[i - 1] == b' ') => {
                    out.push_str(&line[i..]);
                    i = bytes.len();
                    continue;
                }
                None if b.is_ascii_digit()
                    || ((b == b'-' || b == b'+')
                        && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
                {
                    let boundary_before =
                        i == 0 || matches!(bytes[i - 1], b' ' | b':' | b',' | b'[' | b'{' | b'\t');
                    let start = i;
                    let mut end = i + 1;
                    while end < bytes.len() && bytes[end].is_ascii_digit() {
                        end += 1;
                    }
                    let boundary_after = end == bytes.len()
                        || matches!(
                            bytes[end],
                            b' ' | b',' | b']' | b'}' | b'\n' | b'\r' | b'\t'
                        );
                    let digits = end - start - usize::from(!b.is_ascii_digit());
                    out.push_str(&line[start..end]);
                    if boundary_before && boundary_after && digits >= 19 {
                        out.push_str(".0");
                    }
                    i = end;
                    continue;
                }
                None => {}
            }
            let ch_len = line[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&line[i..i + ch_len]);
            i += ch_len;
        }
    }
    out
}

/// Converts YAML to JSON. Non-string keys (`200:` in `responses`) become their text, as the
/// OpenAPI specification means them.
fn yaml_to_json(yaml: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                out.insert(yaml_key_text(k), yaml_to_json(v));
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

fn yaml_key_text(key: serde_yaml_ng::Value) -> String {
    use serde_yaml_ng::Value as Y;
    match key {
        Y::String(s) => s,
        Y::Bool(b) => b.to_string(),
        Y::Number(n) => n.to_string(),
        Y::Null => "null".to_owned(),
        other => serde_yaml_ng::to_string(&other)
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}

fn detect_version(doc: &Value, diags: &mut Diagnostics) -> Option<SourceVersion> {
    if let Some(swagger) = doc.get("swagger") {
        let text = version_text(swagger);
        if text.starts_with("2.") || text == "2" {
            return Some(SourceVersion::Swagger2);
        }
        diags.error(
            DiagnosticKind::UnsupportedVersion,
            "#/swagger",
            format!("unsupported swagger version `{text}`"),
        );
        return None;
    }
    let Some(openapi) = doc.get("openapi") else {
        diags.error(
            DiagnosticKind::UnsupportedVersion,
            "#",
            "the document has neither `openapi` nor `swagger`",
        );
        return None;
    };
    let text = version_text(openapi);
    if text.starts_with("3.0") {
        Some(SourceVersion::V30)
    } else if text.starts_with("3.1") {
        Some(SourceVersion::V31)
    } else if text.starts_with("3.") {
        diags.warn(
            DiagnosticKind::UnsupportedVersion,
            "#/openapi",
            format!("`openapi: {text}` is newer than 3.1; reading it as 3.1"),
        );
        Some(SourceVersion::V31)
    } else {
        diags.error(
            DiagnosticKind::UnsupportedVersion,
            "#/openapi",
            format!("unsupported openapi version `{text}`"),
        );
        None
    }
}

fn version_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}
