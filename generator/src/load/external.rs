//! Bundles `$ref`s to files beside the spec into the document.
//!
//! Every `$ref` whose value names another file (`./common.yaml#/components/schemas/Money`,
//! `money.yaml`, `../shared/x.json#/Foo`) is resolved relative to the directory of the file that
//! contains it. The target is copied into the main document's `components` (or, for a Swagger 2.0
//! document, into `definitions`/`parameters`/`responses`, which conversion moves later) and the
//! `$ref` becomes local. Refs inside a copied node, local to its file or to further files, are
//! bundled the same way, so the result has no file refs left.
//!
//! - The section is the one the target sits in (`.../components/parameters/X` → `parameters`);
//!   otherwise it follows from where the `$ref` is used (an operation's `parameters` list, a
//!   `responses` entry, a `requestBody`, a `headers` entry), and is `schemas` by default.
//! - The name is the pointer's last segment, or the file stem for a whole-file ref. A name that is
//!   taken by a different node gets the file stem as a suffix, then a number: the same inputs
//!   always give the same names. A component entry that is itself a file ref keeps its name.
//! - A `$ref` directly under `paths` is a path item, which has no component section in 3.0; it is
//!   inlined.
//! - Each (file, pointer) is copied once, and names are assigned before a copy's own refs are
//!   followed, so cycles between files terminate. Work is a queue, not recursion.
//! - URLs are not fetched: an `external-ref` warning, and the ref stays (lowering reports it).
//!   Unreadable files and missing targets are warnings at the referring `$ref`, never panics.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::diagnostics::{DiagnosticKind, Diagnostics, pointer};

/// Component sections of an OpenAPI 3 document that may hold a bundled node.
const SECTIONS: [&str; 9] = [
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "links",
    "callbacks",
    "pathItems",
];
/// Keywords whose values are data, not document structure; a `$ref` key inside them is data.
const DATA_KEYWORDS: [&str; 4] = ["example", "enum", "default", "const"];
/// Keys whose children are names chosen by the author, so a child named `example` is structure.
const NAME_MAPS: [&str; 6] = [
    "properties",
    "patternProperties",
    "definitions",
    "schemas",
    "$defs",
    "dependentSchemas",
];

/// Inlines external refs into `components`, rewriting them to local refs.
pub(crate) fn bundle(mut doc: Value, base_dir: Option<&Path>, diags: &mut Diagnostics) -> Value {
    let Some(first) = first_file_ref(&doc, "#") else {
        return doc;
    };
    let Some(base_dir) = base_dir else {
        diags.warn(
            DiagnosticKind::ExternalRef,
            first,
            "the spec refers to other files but was not read from a directory; those refs were left unresolved",
        );
        return doc;
    };
    let swagger2 = doc.get("swagger").is_some();
    let existing = existing_components(&doc, swagger2);
    let mut bundler = Bundler {
        diags,
        swagger2,
        taken: existing
            .iter()
            .map(|(section, entries)| (section.clone(), entries.keys().cloned().collect()))
            .collect(),
        existing,
        files: HashMap::new(),
        names: HashMap::new(),
        queue: VecDeque::new(),
        bundled: Vec::new(),
    };
    let main = Origin {
        dir: base_dir.to_path_buf(),
        file: None,
    };
    bundler.register_component_refs(&doc, &main);
    bundler.rewrite(&mut doc, &main, "#", &mut Vec::new());
    while let Some(job) = bundler.queue.pop_front() {
        let mut node = job.node;
        let origin = Origin {
            dir: job.file.parent().map(Path::to_path_buf).unwrap_or_default(),
            file: Some(job.file),
        };
        let ptr = origin.pointer(&job.fragment);
        let mut segments = fragment_segments(&job.fragment);
        bundler.rewrite(&mut node, &origin, &ptr, &mut segments);
        bundler.bundled.push((job.section, job.name, node));
    }
    let Bundler { bundled, .. } = bundler;
    insert_bundled(&mut doc, bundled, swagger2);
    doc
}

/// Where the node being walked comes from: the main document or another file.
struct Origin {
    /// The directory relative refs resolve against.
    dir: PathBuf,
    /// The file, or `None` for the main document (whose local refs stay as they are).
    file: Option<PathBuf>,
}

impl Origin {
    /// A pointer for diagnostics: `#/a/b` in the main document, `file#/a/b` elsewhere.
    fn pointer(&self, fragment: &str) -> String {
        match &self.file {
            None => format!("#{fragment}"),
            Some(file) => format!("{}#{fragment}", file.display()),
        }
    }
}

/// A copied node whose own refs still have to be bundled.
struct Job {
    file: PathBuf,
    fragment: String,
    section: String,
    name: String,
    node: Value,
}

struct Bundler<'d> {
    diags: &'d mut Diagnostics,
    swagger2: bool,
    /// The main document's own components, to reuse a name when a file holds the same node.
    existing: BTreeMap<String, Map<String, Value>>,
    /// Names in use per section.
    taken: BTreeMap<String, BTreeSet<String>>,
    /// Parsed files by canonical path; `None` when the file could not be read or parsed.
    files: HashMap<PathBuf, Option<Value>>,
    /// (canonical file, fragment) → (section, name) of its bundled copy.
    names: HashMap<(PathBuf, String), (String, String)>,
    queue: VecDeque<Job>,
    bundled: Vec<(String, String, Value)>,
}

/// How a `$ref` value is read.
enum RefTarget {
    /// `#/...`: within the file that contains it.
    Local(String),
    /// `http(s)://...`: not fetched.
    Url,
    /// A relative or absolute file path, and the fragment after `#`.
    File(String, String),
    /// A bare name such as `Pet` (Swagger 2.0 shorthand): left for conversion.
    Shorthand,
}

fn classify(reference: &str) -> RefTarget {
    if let Some(fragment) = reference.strip_prefix('#') {
        return RefTarget::Local(fragment.to_owned());
    }
    if reference.contains("://") {
        return RefTarget::Url;
    }
    let (file, fragment) = match reference.split_once('#') {
        Some((file, fragment)) => (file, fragment),
        None => (reference, ""),
    };
    if !file.contains('/') && !file.contains('.') && !file.contains('\\') {
        return RefTarget::Shorthand;
    }
    RefTarget::File(percent_decode(file), fragment.to_owned())
}

impl Bundler<'_> {
    fn warn(&mut self, ptr: &str, message: impl Into<String>) {
        self.diags.warn(DiagnosticKind::ExternalRef, ptr, message);
    }

    /// Component entries that are themselves file refs keep their own name for the copy.
    fn register_component_refs(&mut self, doc: &Value, main: &Origin) {
        let sections: Vec<(String, &Map<String, Value>)> = if self.swagger2 {
            ["definitions", "parameters", "responses"]
                .iter()
                .filter_map(|s| Some(((*s).to_owned(), doc.get(*s)?.as_object()?)))
                .collect()
        } else {
            let Some(components) = doc.get("components").and_then(Value::as_object) else {
                return;
            };
            SECTIONS
                .iter()
                .filter_map(|s| Some(((*s).to_owned(), components.get(*s)?.as_object()?)))
                .collect()
        };
        for (section, entries) in sections {
            for (name, entry) in entries {
                let Some(RefTarget::File(file, fragment)) =
                    entry.get("$ref").and_then(Value::as_str).map(classify)
                else {
                    continue;
                };
                let ptr = pointer(&self.section_pointer(&section), name);
                let Some((canonical, target)) = self.target(&main.dir.join(&file), &fragment, &ptr)
                else {
                    continue;
                };
                let fragment = normalize_fragment(&fragment);
                let key = (canonical.clone(), fragment.clone());
                if self.names.contains_key(&key) {
                    continue;
                }
                self.names.insert(key, (section.clone(), name.clone()));
                self.queue.push_back(Job {
                    file: canonical,
                    fragment,
                    section: section.clone(),
                    name: name.clone(),
                    node: target,
                });
            }
        }
    }

    /// Rewrites every file ref in `value` (which comes from `origin`) to a local ref.
    fn rewrite(
        &mut self,
        value: &mut Value,
        origin: &Origin,
        ptr: &str,
        segments: &mut Vec<String>,
    ) {
        match value {
            Value::Object(object) => {
                if let Some(reference) = object
                    .get("$ref")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                {
                    let ref_ptr = pointer(ptr, "$ref");
                    if let Some(new_ref) = self.reference(&reference, origin, &ref_ptr, segments) {
                        match new_ref {
                            Rewritten::Ref(new_ref) => {
                                object.insert("$ref".into(), Value::String(new_ref));
                            }
                            Rewritten::Inline(node) => *value = node,
                        }
                    }
                    return;
                }
                let structural_parent = segments
                    .last()
                    .is_some_and(|s| NAME_MAPS.contains(&s.as_str()));
                for (key, child) in object.iter_mut() {
                    if !structural_parent
                        && (DATA_KEYWORDS.contains(&key.as_str()) || key.starts_with("x-"))
                    {
                        continue;
                    }
                    segments.push(key.clone());
                    self.rewrite(child, origin, &pointer(ptr, key), segments);
                    segments.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    let segment = i.to_string();
                    let child_ptr = pointer(ptr, &segment);
                    segments.push(segment);
                    self.rewrite(child, origin, &child_ptr, segments);
                    segments.pop();
                }
            }
            _ => {}
        }
    }

    /// The local form of one `$ref`, or `None` to leave it as written.
    fn reference(
        &mut self,
        reference: &str,
        origin: &Origin,
        ptr: &str,
        segments: &[String],
    ) -> Option<Rewritten> {
        let (path, fragment) = match classify(reference) {
            RefTarget::Local(fragment) => {
                // Local refs of the main document already point into it.
                let file = origin.file.clone()?;
                (file, fragment)
            }
            RefTarget::Url => {
                self.warn(
                    ptr,
                    format!("`{reference}` is a URL; sdkgen does not fetch remote refs"),
                );
                return None;
            }
            RefTarget::Shorthand => return None,
            RefTarget::File(file, fragment) => (origin.dir.join(file), fragment),
        };
        let inline_path_item =
            origin.file.is_none() && segments.len() == 2 && segments[0] == "paths";
        let (canonical, target) = self.target(&path, &fragment, ptr)?;
        let fragment = normalize_fragment(&fragment);
        if inline_path_item {
            // A path item has no 3.0 component section: copy it in place.
            let mut node = target;
            let item_origin = Origin {
                dir: canonical
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default(),
                file: Some(canonical),
            };
            let item_ptr = item_origin.pointer(&fragment);
            let mut item_segments = fragment_segments(&fragment);
            self.rewrite(&mut node, &item_origin, &item_ptr, &mut item_segments);
            return Some(Rewritten::Inline(node));
        }
        let key = (canonical.clone(), fragment.clone());
        if let Some((section, name)) = self.names.get(&key) {
            return Some(Rewritten::Ref(self.local_ref(section, name)));
        }
        let section = self.section(&fragment, segments);
        let stem = canonical
            .file_stem()
            .and_then(|s| s.to_str())
            .map(sanitize)
            .unwrap_or_else(|| "external".into());
        let base = fragment_segments(&fragment)
            .last()
            .map(|s| sanitize(s))
            .unwrap_or_else(|| stem.clone());
        // The main document may already hold this very node (a file that refers back to it).
        if self
            .existing
            .get(&section)
            .and_then(|entries| entries.get(&base))
            == Some(&target)
        {
            self.names.insert(key, (section.clone(), base.clone()));
            return Some(Rewritten::Ref(self.local_ref(&section, &base)));
        }
        let name = self.free_name(&section, &base, &stem);
        self.names.insert(key, (section.clone(), name.clone()));
        self.queue.push_back(Job {
            file: canonical,
            fragment,
            section: section.clone(),
            name: name.clone(),
            node: target,
        });
        Some(Rewritten::Ref(self.local_ref(&section, &name)))
    }

    /// Reads the file and finds the fragment in it.
    fn target(&mut self, path: &Path, fragment: &str, ptr: &str) -> Option<(PathBuf, Value)> {
        let canonical = match std::fs::canonicalize(path) {
            Ok(canonical) => canonical,
            Err(err) => {
                self.warn(ptr, format!("cannot read `{}`: {err}", path.display()));
                return None;
            }
        };
        if !self.files.contains_key(&canonical) {
            let parsed = self.read(&canonical, ptr);
            self.files.insert(canonical.clone(), parsed);
        }
        let root = self.files.get(&canonical).and_then(Option::as_ref)?;
        let fragment = normalize_fragment(fragment);
        match root.pointer(&fragment) {
            Some(target) => Some((canonical, target.clone())),
            None => {
                let message = format!("`{}` has nothing at `#{fragment}`", canonical.display());
                self.warn(ptr, message);
                None
            }
        }
    }

    fn read(&mut self, path: &Path, ptr: &str) -> Option<Value> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(err) => {
                self.warn(ptr, format!("cannot read `{}`: {err}", path.display()));
                return None;
            }
        };
        // A broken referenced file degrades the items that use it, so its parse errors are warnings here.
        let mut file_diags = Diagnostics::new();
        let parsed = super::parse_bytes(&bytes, &path.display().to_string(), &mut file_diags);
        for d in file_diags.iter() {
            let message = format!("`{}`: {}", path.display(), d.message);
            self.warn(ptr, message);
        }
        parsed
    }

    /// The section a bundled node goes into.
    fn section(&self, fragment: &str, segments: &[String]) -> String {
        let target = fragment_segments(fragment);
        let from_target = match target.as_slice() {
            [components, section, _]
                if components == "components" && SECTIONS.contains(&section.as_str()) =>
            {
                Some(section.as_str())
            }
            [section, _] if section == "definitions" => Some("schemas"),
            [section, _] if section == "parameters" || section == "responses" => {
                Some(section.as_str())
            }
            _ => None,
        };
        let section = from_target.unwrap_or_else(|| section_for_position(segments));
        if self.swagger2 {
            match section {
                "parameters" | "responses" => section.to_owned(),
                _ => "definitions".to_owned(),
            }
        } else {
            section.to_owned()
        }
    }

    fn free_name(&mut self, section: &str, base: &str, stem: &str) -> String {
        let taken = self.taken.entry(section.to_owned()).or_default();
        let mut name = base.to_owned();
        if taken.contains(&name) {
            name = if base == stem {
                base.to_owned()
            } else {
                format!("{base}_{stem}")
            };
            let mut n = 2;
            let first = name.clone();
            while taken.contains(&name) {
                name = format!("{first}_{n}");
                n += 1;
            }
        }
        taken.insert(name.clone());
        name
    }

    fn section_pointer(&self, section: &str) -> String {
        if self.swagger2 {
            format!("#/{section}")
        } else {
            pointer("#/components", section)
        }
    }

    fn local_ref(&self, section: &str, name: &str) -> String {
        pointer(&self.section_pointer(section), name)
    }
}

enum Rewritten {
    Ref(String),
    Inline(Value),
}

/// The section implied by where a `$ref` is used, for targets outside any section.
fn section_for_position(segments: &[String]) -> &'static str {
    let n = segments.len();
    let at = |back: usize| {
        n.checked_sub(back)
            .and_then(|i| segments.get(i))
            .map(String::as_str)
    };
    let (last, parent, grandparent) = (at(1), at(2), at(3));
    let in_schema = grandparent == Some("properties") || parent == Some("properties");
    if in_schema {
        return "schemas";
    }
    match (parent, last) {
        (Some("parameters"), Some(index)) if index.parse::<usize>().is_ok() => "parameters",
        (Some("responses"), _) => "responses",
        (_, Some("requestBody")) => "requestBodies",
        (Some("headers"), _) => "headers",
        (Some("examples"), _) => "examples",
        _ => "schemas",
    }
}

/// The first file `$ref` in the document, for the "no base directory" warning.
fn first_file_ref(value: &Value, ptr: &str) -> Option<String> {
    match value {
        Value::Object(object) => {
            if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
                if let RefTarget::File(..) = classify(reference) {
                    return Some(pointer(ptr, "$ref"));
                }
            }
            object
                .iter()
                .find_map(|(key, child)| first_file_ref(child, &pointer(ptr, key)))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, child)| first_file_ref(child, &pointer(ptr, &i.to_string()))),
        _ => None,
    }
}

fn existing_components(doc: &Value, swagger2: bool) -> BTreeMap<String, Map<String, Value>> {
    let mut out = BTreeMap::new();
    let holder = if swagger2 {
        Some(doc)
    } else {
        doc.get("components")
    };
    let Some(Value::Object(holder)) = holder else {
        return out;
    };
    for (section, entries) in holder {
        if let Value::Object(entries) = entries {
            out.insert(section.clone(), entries.clone());
        }
    }
    out
}

fn insert_bundled(doc: &mut Value, bundled: Vec<(String, String, Value)>, swagger2: bool) {
    let Value::Object(root) = doc else {
        return;
    };
    let holder = if swagger2 {
        root
    } else {
        let components = root
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()));
        match components {
            Value::Object(components) => components,
            _ => return,
        }
    };
    for (section, name, node) in bundled {
        let entries = holder
            .entry(section)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(entries) = entries {
            entries.insert(name, node);
        }
    }
}

/// A fragment as a JSON Pointer: percent-decoded, `""` for the whole file, else starting with `/`.
fn normalize_fragment(fragment: &str) -> String {
    let decoded = percent_decode(fragment);
    let trimmed = decoded.trim_end_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else if trimmed.starts_with('/') {
        trimmed.to_owned()
    } else {
        format!("/{trimmed}")
    }
}

fn fragment_segments(fragment: &str) -> Vec<String> {
    normalize_fragment(fragment)
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// A component name from a pointer segment or file stem: characters OpenAPI allows in names.
fn sanitize(text: &str) -> String {
    let name: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "external".to_owned()
    } else {
        name
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes.get(i),
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (Some(b'%'), Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (Some(b), _, _) => {
                out.push(*b);
                i += 1;
            }
            (None, _, _) => break,
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use serde_json::{Value, json};

    use super::bundle;
    use crate::diagnostics::{DiagnosticKind, Diagnostics};

    /// A fresh directory holding `files` (relative path → contents).
    fn fixture(test: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("sdkgen-external-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, contents) in files {
            let path = dir.join(path);
            let created = path.parent().map_or(Ok(()), std::fs::create_dir_all);
            assert!(created.is_ok(), "{created:?}");
            let written = std::fs::write(&path, contents);
            assert!(written.is_ok(), "{written:?}");
        }
        dir
    }

    fn doc(schemas: Value, paths: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "info": { "title": "T", "version": "1" },
            "paths": paths,
            "components": { "schemas": schemas }
        })
    }

    fn run(doc: Value, dir: &Path) -> (Value, Diagnostics) {
        let mut diags = Diagnostics::new();
        let out = bundle(doc, Some(dir), &mut diags);
        (out, diags)
    }

    #[test]
    fn pointer_refs_are_copied_into_components() {
        let dir = fixture(
            "pointer",
            &[(
                "common.yaml",
                "components:\n  schemas:\n    Money:\n      type: object\n      properties:\n        currency:\n          $ref: '#/components/schemas/Currency'\n    Currency:\n      type: string\n",
            )],
        );
        let input = doc(
            json!({ "Order": { "properties": { "total": { "$ref": "./common.yaml#/components/schemas/Money" } } } }),
            json!({}),
        );
        let (out, diags) = run(input, &dir);
        let schemas = &out["components"]["schemas"];
        assert_eq!(
            schemas["Order"]["properties"]["total"]["$ref"],
            "#/components/schemas/Money"
        );
        assert_eq!(
            schemas["Money"]["properties"]["currency"]["$ref"],
            "#/components/schemas/Currency"
        );
        assert_eq!(schemas["Currency"], json!({ "type": "string" }));
        assert!(diags.is_empty());
    }

    #[test]
    fn whole_file_refs_are_named_after_the_file_and_resolve_beside_it() {
        let dir = fixture(
            "whole",
            &[
                (
                    "specs/types/money.yaml",
                    "type: object\nproperties:\n  unit:\n    $ref: '../../shared/unit.json#/Unit'\n",
                ),
                ("shared/unit.json", "{\"Unit\": {\"type\": \"string\"}}"),
            ],
        );
        let input = doc(
            json!({ "Order": { "properties": { "m": { "$ref": "types/money.yaml" } } } }),
            json!({}),
        );
        let (out, diags) = run(input, &dir.join("specs"));
        let schemas = &out["components"]["schemas"];
        assert_eq!(
            schemas["Order"]["properties"]["m"]["$ref"],
            "#/components/schemas/money"
        );
        assert_eq!(
            schemas["money"]["properties"]["unit"]["$ref"],
            "#/components/schemas/Unit"
        );
        assert_eq!(schemas["Unit"], json!({ "type": "string" }));
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn name_collisions_get_the_file_stem_then_a_number() {
        let dir = fixture(
            "collide",
            &[
                ("a.yaml", "Error:\n  type: string\n"),
                ("b.yaml", "Error:\n  type: integer\n"),
            ],
        );
        let input = doc(
            json!({
                "Error": { "type": "boolean" },
                "Uses": { "properties": {
                    "a": { "$ref": "a.yaml#/Error" },
                    "b": { "$ref": "b.yaml#/Error" },
                    "again": { "$ref": "a.yaml#/Error" }
                } }
            }),
            json!({}),
        );
        let (out, _) = run(input, &dir);
        let schemas = &out["components"]["schemas"];
        let props = &schemas["Uses"]["properties"];
        assert_eq!(props["a"]["$ref"], "#/components/schemas/Error_a");
        assert_eq!(props["b"]["$ref"], "#/components/schemas/Error_b");
        assert_eq!(props["again"]["$ref"], "#/components/schemas/Error_a");
        assert_eq!(schemas["Error"], json!({ "type": "boolean" }));
        assert_eq!(schemas["Error_b"], json!({ "type": "integer" }));
    }

    #[test]
    fn cycles_between_files_terminate() {
        let dir = fixture(
            "cycle",
            &[
                (
                    "a.yaml",
                    "A:\n  properties:\n    b:\n      $ref: 'b.yaml#/B'\n",
                ),
                (
                    "b.yaml",
                    "B:\n  properties:\n    a:\n      $ref: 'a.yaml#/A'\n",
                ),
            ],
        );
        let input = doc(json!({ "Root": { "$ref": "a.yaml#/A" } }), json!({}));
        let (out, _) = run(input, &dir);
        let schemas = &out["components"]["schemas"];
        // A component that is itself a file ref keeps its name.
        assert_eq!(
            schemas["Root"]["properties"]["b"]["$ref"],
            "#/components/schemas/B"
        );
        assert_eq!(
            schemas["B"]["properties"]["a"]["$ref"],
            "#/components/schemas/Root"
        );
    }

    #[test]
    fn refs_go_to_the_section_their_position_implies() {
        let dir = fixture(
            "sections",
            &[
                (
                    "limit.yaml",
                    "name: limit\nin: query\nschema:\n  type: integer\n",
                ),
                ("notfound.yaml", "description: missing\n"),
                (
                    "common.yaml",
                    "components:\n  requestBodies:\n    Body:\n      content: {}\n",
                ),
                (
                    "paths/pets.yaml",
                    "get:\n  responses:\n    '404':\n      $ref: '../notfound.yaml'\n",
                ),
            ],
        );
        let input = doc(
            json!({}),
            json!({
                "/pets": { "$ref": "paths/pets.yaml" },
                "/a": { "post": {
                    "parameters": [{ "$ref": "limit.yaml" }],
                    "requestBody": { "$ref": "common.yaml#/components/requestBodies/Body" },
                    "responses": { "404": { "$ref": "notfound.yaml" } }
                } }
            }),
        );
        let (out, diags) = run(input, &dir);
        let op = &out["paths"]["/a"]["post"];
        assert_eq!(op["parameters"][0]["$ref"], "#/components/parameters/limit");
        assert_eq!(op["requestBody"]["$ref"], "#/components/requestBodies/Body");
        assert_eq!(
            op["responses"]["404"]["$ref"],
            "#/components/responses/notfound"
        );
        assert_eq!(
            out["paths"]["/pets"]["get"]["responses"]["404"]["$ref"],
            "#/components/responses/notfound"
        );
        assert_eq!(out["components"]["parameters"]["limit"]["in"], "query");
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn swagger2_documents_bundle_into_definitions() {
        let dir = fixture(
            "swagger2",
            &[(
                "pet.json",
                "{\"definitions\": {\"Pet\": {\"type\": \"object\"}}}",
            )],
        );
        let input = json!({
            "swagger": "2.0",
            "info": { "title": "T", "version": "1" },
            "paths": {},
            "definitions": { "Owner": { "properties": { "pet": { "$ref": "pet.json#/definitions/Pet" } } } }
        });
        let (out, _) = run(input, &dir);
        assert_eq!(
            out["definitions"]["Owner"]["properties"]["pet"]["$ref"],
            "#/definitions/Pet"
        );
        assert_eq!(out["definitions"]["Pet"]["type"], "object");
    }

    #[test]
    fn urls_missing_files_and_missing_targets_are_warnings() {
        let dir = fixture(
            "missing",
            &[("a.yaml", "A:\n  type: string\n"), ("bad.yaml", "a: [\n")],
        );
        let input = doc(
            json!({ "S": { "properties": {
                "url": { "$ref": "https://example.com/x.yaml#/X" },
                "file": { "$ref": "nope.yaml#/X" },
                "target": { "$ref": "a.yaml#/Nope" },
                "broken": { "$ref": "bad.yaml#/X" }
            } } }),
            json!({}),
        );
        let (out, diags) = run(input, &dir);
        let props = &out["components"]["schemas"]["S"]["properties"];
        assert_eq!(props["url"]["$ref"], "https://example.com/x.yaml#/X");
        assert_eq!(props["file"]["$ref"], "nope.yaml#/X");
        assert_eq!(diags.len(), 4);
        assert!(
            diags
                .iter()
                .all(|d| d.kind == DiagnosticKind::ExternalRef && !diags.has_errors())
        );
        assert!(
            diags
                .iter()
                .any(|d| d.pointer == "#/components/schemas/S/properties/file/$ref")
        );
    }

    #[test]
    fn without_a_directory_refs_are_left_with_one_warning() {
        let input = doc(
            json!({ "A": { "$ref": "a.yaml" }, "B": { "$ref": "b.yaml" } }),
            json!({}),
        );
        let mut diags = Diagnostics::new();
        let out = bundle(input.clone(), None, &mut diags);
        assert_eq!(out, input);
        assert_eq!(diags.len(), 1);
    }

    #[test]
    fn documents_without_file_refs_are_unchanged() {
        let input = doc(
            json!({ "A": { "$ref": "#/components/schemas/B" }, "B": { "example": { "$ref": "x.yaml" } } }),
            json!({}),
        );
        let mut diags = Diagnostics::new();
        let out = bundle(input.clone(), None, &mut diags);
        assert_eq!(out, input);
    }

    #[test]
    fn openapiv3_reads_the_bundled_document() {
        let dir = fixture(
            "openapiv3",
            &[(
                "common.yaml",
                "components:\n  schemas:\n    Money:\n      type: object\n      properties:\n        amount:\n          type: integer\n",
            )],
        );
        let input = doc(
            json!({}),
            json!({ "/a": { "get": { "responses": { "200": { "description": "ok", "content": { "application/json": {
                "schema": { "$ref": "common.yaml#/components/schemas/Money" }
            } } } } } } }),
        );
        let (out, _) = run(input, &dir);
        let parsed = serde_json::from_value::<openapiv3::OpenAPI>(out);
        assert!(parsed.is_ok(), "{parsed:?}");
        if let Ok(api) = parsed {
            assert!(
                api.components
                    .is_some_and(|c| c.schemas.contains_key("Money"))
            );
        }
    }
}
