//! `sdkgen diff`: what a spec change does to the generated Rust API, and the semver verdict.
//!
//! Two specs are compared as the crates they generate, not as text: operations (matched by
//! operationId, else by HTTP method and path), their parameters, bodies, responses and
//! pagination; types by Rust name, with their fields and enum variants; the auth schemes,
//! servers and webhook events. Each change is classified by what it does to code that uses the crate:
//!
//! Every generated struct and enum is `#[non_exhaustive]`, request types are built with
//! `new(required…)` plus setters, and enums keep an `Unknown` fallback. So an added operation,
//! optional parameter, optional request field, response field, enum variant, type or webhook
//! event is *compatible*; a removed or renamed item, a new required parameter or request field, a
//! changed Rust type (including an optional request field that became required, or a response
//! field that became optional) is *breaking*. Any breaking change makes the verdict major;
//! otherwise any addition makes it minor; anything else is a patch.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::build::{Part, Provider};
use crate::config::Config;
use crate::ir::{
    Api, Field, Operation, Presence, ResponseBody, SuccessResponse, TypeDef, TypeKind, TypeRef,
    Usage,
};
use crate::report::{response_text, type_text};

/// The version of the JSON output's schema (see the README, "When a spec changes").
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// What happened to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Only in the newer spec.
    Added,
    /// Only in the older spec.
    Removed,
    /// In both, with a different shape.
    Changed,
    /// In both specs (same operationId or schema), under another Rust name.
    Renamed,
}

impl Change {
    fn label(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Changed => "changed",
            Self::Renamed => "renamed",
        }
    }
}

/// What a change does to code that uses the crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Code that compiled against the old crate may not compile against the new one.
    Breaking,
    /// Code that compiled keeps compiling.
    Compatible,
}

/// The kind of item that changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    /// A call on the client.
    Operation,
    /// A call's parameter (argument or setter).
    Parameter,
    /// A call's request body.
    Body,
    /// A call's success or error type.
    Response,
    /// A call's `items()`/`pages()`.
    Pagination,
    /// A named type.
    Type,
    /// A struct field.
    Field,
    /// An enum or union variant.
    Variant,
    /// Authentication.
    Auth,
    /// Base URLs.
    Server,
    /// A webhook event of `webhooks::Event`, or how deliveries are verified.
    Event,
}

impl Item {
    /// Every item kind, in report order.
    pub const ALL: [Item; 11] = [
        Self::Operation,
        Self::Parameter,
        Self::Body,
        Self::Response,
        Self::Pagination,
        Self::Type,
        Self::Field,
        Self::Variant,
        Self::Auth,
        Self::Server,
        Self::Event,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Operation => "operations",
            Self::Parameter => "parameters",
            Self::Body => "request bodies",
            Self::Response => "responses",
            Self::Pagination => "pagination",
            Self::Type => "types",
            Self::Field => "fields",
            Self::Variant => "enum variants",
            Self::Auth => "auth",
            Self::Server => "servers",
            Self::Event => "webhook events",
        }
    }
}

/// The semver bump a change set calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Nothing the Rust API shows changed (or only behaviour that keeps every signature).
    Patch,
    /// Only additions.
    Minor,
    /// At least one breaking change.
    Major,
}

impl Verdict {
    /// `major`, `minor` or `patch`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Major => "major",
            Self::Minor => "minor",
            Self::Patch => "patch",
        }
    }

    /// The next version: Cargo's rule, under which `0.x` bumps `x` for a breaking change.
    pub fn bump(self, version: &str) -> Option<String> {
        let core = version.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
        let (major, minor, patch) = (parts.next()??, parts.next()??, parts.next()??);
        let next = match (self, major) {
            (Self::Major, 0) => (0, minor + 1, 0),
            (Self::Minor | Self::Patch, 0) => (0, minor, patch + 1),
            (Self::Major, _) => (major + 1, 0, 0),
            (Self::Minor, _) => (major, minor + 1, 0),
            (Self::Patch, _) => (major, minor, patch + 1),
        };
        Some(format!("{}.{}.{}", next.0, next.1, next.2))
    }
}

/// One change, located on both sides.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Entry {
    /// Breaking or compatible.
    pub class: Class,
    /// The resource the change belongs to (`issues`, `checkout.sessions`), `client` for calls
    /// of the client itself, or `types` for type changes.
    pub group: String,
    /// What kind of item.
    pub item: Item,
    /// Added, removed, changed or renamed.
    pub change: Change,
    /// The item's Rust path in the newer crate (the older one's when removed).
    pub rust_path: String,
    /// For renames: the older Rust path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_rust_path: Option<String>,
    /// The operationId, for operation-level changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// What changed, in Rust terms (`String → i64`).
    pub detail: String,
    /// Where it is in the older spec.
    pub old_pointer: Option<String>,
    /// Where it is in the newer spec.
    pub new_pointer: Option<String>,
}

/// One side of a diff, for the report header.
#[derive(Debug, Clone, Serialize)]
pub struct SideInfo {
    /// The spec file (the first one, for providers built from several).
    pub spec: String,
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// The spec's sha256.
    pub sha256: String,
    /// Operations generated.
    pub operations: usize,
    /// Named types generated.
    pub types: usize,
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// The JSON schema version.
    pub schema_version: u32,
    /// The older side.
    pub old: SideInfo,
    /// The newer side.
    pub new: SideInfo,
    /// The semver verdict.
    pub verdict: Verdict,
    /// How many breaking changes.
    pub breaking: usize,
    /// How many compatible changes.
    pub compatible: usize,
    /// How many items kept their spec identity but changed Rust name.
    pub renames: usize,
    /// Counts per item kind and change.
    pub counts: BTreeMap<Item, BTreeMap<Change, usize>>,
    /// The rule the classification follows, in one paragraph.
    pub rule: String,
    /// Every change, breaking first, then by group and path.
    pub changes: Vec<Entry>,
}

/// The classification rule, stated in every report.
pub const RULE: &str = "Every generated struct and enum is #[non_exhaustive], request types are built with \
new(required…) plus setters, and enums keep an Unknown fallback. So an added operation, optional \
parameter, optional request body or field, response field, enum variant, type, server or webhook event is \
compatible; \
a removed or renamed item, a new required parameter or request field, and any changed Rust type \
(an optional request field that became required, a response field that became optional) are breaking. \
Any breaking change makes the verdict major, any addition minor, anything else patch.";

/// Why two specs could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// A path does not exist.
    #[error("{path}: no such file or provider folder")]
    Missing {
        /// The path given.
        path: String,
    },
    /// A spec (or its config) did not load.
    #[error("{path}: the spec does not load:\n{diagnostics}")]
    DoesNotLoad {
        /// The spec or provider folder.
        path: String,
        /// The errors, one per line.
        diagnostics: String,
    },
    /// The two specs describe different APIs.
    #[error(
        "{old} ({old_title}) and {new} ({new_title}) describe different APIs: compare two versions of one provider's spec"
    )]
    DifferentProviders {
        /// The older path.
        old: String,
        /// Its title.
        old_title: String,
        /// The newer path.
        new: String,
        /// Its title.
        new_title: String,
    },
}

/// Loads one side of a diff: a provider folder (or a name under `specs/`), or a spec file with
/// an optional config (default: the `sdkgen.toml` beside the spec, if any).
pub fn load_side(arg: &Path, config: Option<&Path>) -> Result<Provider, DiffError> {
    let shown = arg.display().to_string();
    let dir = if arg.is_dir() {
        Some(arg.to_path_buf())
    } else if !arg.exists() && arg.components().count() == 1 {
        let named = Path::new("specs").join(arg);
        named.is_dir().then_some(named)
    } else {
        None
    };
    let errors = |d: &crate::diagnostics::Diagnostics| {
        d.iter()
            .filter(|d| d.severity == crate::diagnostics::Severity::Error)
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    if let Some(dir) = dir {
        return crate::build::load_provider(&dir).map_err(|d| DiffError::DoesNotLoad {
            path: shown,
            diagnostics: errors(&d),
        });
    }
    if !arg.is_file() {
        return Err(DiffError::Missing { path: shown });
    }
    if let Some(c) = config.filter(|c| !c.is_file()) {
        return Err(DiffError::Missing {
            path: c.display().to_string(),
        });
    }
    let beside: Option<PathBuf> = arg
        .parent()
        .map(|p| p.join("sdkgen.toml"))
        .filter(|p| p.is_file());
    let config = config.map(Path::to_path_buf).or(beside);
    let generated = crate::analyze(arg, config.as_deref()).map_err(|d| DiffError::DoesNotLoad {
        path: shown,
        diagnostics: errors(&d),
    })?;
    Ok(Provider {
        config: generated.config.clone(),
        parts: vec![Part {
            module: None,
            spec: arg.to_path_buf(),
            generated,
        }],
        downloaded: Vec::new(),
    })
}

fn side_info(p: &Provider) -> SideInfo {
    let first = p.parts.first();
    SideInfo {
        spec: first
            .map(|p| p.spec.display().to_string())
            .unwrap_or_default(),
        title: first
            .map(|p| p.generated.api.title.clone())
            .unwrap_or_default(),
        version: first
            .map(|p| p.generated.api.version.clone())
            .unwrap_or_default(),
        sha256: first
            .map(|p| p.generated.api.spec_sha256.clone())
            .unwrap_or_default(),
        operations: p
            .parts
            .iter()
            .map(|p| p.generated.api.operations.len())
            .sum(),
        types: p.parts.iter().map(|p| p.generated.api.types.len()).sum(),
    }
}

/// Compares two loaded providers (or specs). `old_arg` and `new_arg` name them in errors.
pub fn diff_providers(
    old: &Provider,
    new: &Provider,
    old_arg: &str,
    new_arg: &str,
) -> Result<Diff, DiffError> {
    // A crate of several specs is one provider; its parts pair by module.
    let single = old.parts.len() == 1 && new.parts.len() == 1;
    if !same_provider(old, new) {
        let (o, n) = (side_info(old), side_info(new));
        return Err(DiffError::DifferentProviders {
            old: old_arg.to_owned(),
            old_title: o.title,
            new: new_arg.to_owned(),
            new_title: n.title,
        });
    }
    let mut entries = Vec::new();
    let empty = empty_api();
    if single {
        entries.extend(diff_apis(
            first_api(old).unwrap_or(&empty),
            first_api(new).unwrap_or(&empty),
            None,
        ));
    } else {
        let modules: BTreeSet<Option<&str>> = old
            .parts
            .iter()
            .chain(&new.parts)
            .map(|p| p.module.as_deref())
            .collect();
        for module in modules {
            entries.extend(diff_apis(
                module_api(old, module).unwrap_or(&empty),
                module_api(new, module).unwrap_or(&empty),
                module,
            ));
        }
    }
    entries.extend(diff_config(&old.config, &new.config));
    Ok(summarize(side_info(old), side_info(new), entries))
}

/// Two specs are of one provider when their configs do not name different crates, and they
/// share a title or a server host (GitHub retitled its description between 2022 and 2025).
fn same_provider(old: &Provider, new: &Provider) -> bool {
    let named = |c: &Config| {
        (c.crate_.name != Config::default().crate_.name).then(|| c.crate_.name.clone())
    };
    if let (Some(a), Some(b)) = (named(&old.config), named(&new.config)) {
        if a != b {
            return false;
        }
    }
    let titles = |p: &Provider| -> BTreeSet<String> {
        p.parts
            .iter()
            .map(|p| p.generated.api.title.clone())
            .collect()
    };
    let hosts = |p: &Provider| -> BTreeSet<String> {
        p.parts
            .iter()
            .flat_map(|p| &p.generated.api.servers)
            .filter_map(|s| {
                let rest = s.url.split("://").nth(1)?;
                let host = rest.split('/').next()?;
                (!host.is_empty() && !host.contains('{')).then(|| host.to_ascii_lowercase())
            })
            .collect()
    };
    !titles(old).is_disjoint(&titles(new)) || !hosts(old).is_disjoint(&hosts(new))
}

fn first_api(p: &Provider) -> Option<&Api> {
    p.parts.first().map(|p| &p.generated.api)
}

fn module_api<'p>(p: &'p Provider, module: Option<&str>) -> Option<&'p Api> {
    p.parts
        .iter()
        .find(|part| part.module.as_deref() == module)
        .map(|part| &part.generated.api)
}

fn empty_api() -> Api {
    Api {
        title: String::new(),
        version: String::new(),
        docs: crate::ir::Docs::default(),
        servers: Vec::new(),
        types: BTreeMap::new(),
        operations: Vec::new(),
        resources: BTreeMap::new(),
        security: Vec::new(),
        spec_sha256: String::new(),
        detected_pagination: BTreeMap::new(),
        webhooks: None,
    }
}

/// Counts and the verdict for a list of changes.
pub fn summarize(old: SideInfo, new: SideInfo, mut changes: Vec<Entry>) -> Diff {
    changes.sort();
    changes.dedup();
    let mut counts: BTreeMap<Item, BTreeMap<Change, usize>> = BTreeMap::new();
    for e in &changes {
        *counts
            .entry(e.item)
            .or_default()
            .entry(e.change)
            .or_default() += 1;
    }
    let breaking = changes
        .iter()
        .filter(|e| e.class == Class::Breaking)
        .count();
    let compatible = changes.len() - breaking;
    let verdict = if breaking > 0 {
        Verdict::Major
    } else if changes.iter().any(|e| e.change == Change::Added) {
        Verdict::Minor
    } else {
        Verdict::Patch
    };
    Diff {
        schema_version: JSON_SCHEMA_VERSION,
        old,
        new,
        verdict,
        breaking,
        compatible,
        renames: changes
            .iter()
            .filter(|e| e.change == Change::Renamed)
            .count(),
        counts,
        rule: RULE.to_owned(),
        changes,
    }
}

/// The changes between two lowered specs; `module` prefixes Rust paths for crates of several
/// specs.
pub fn diff_apis(old: &Api, new: &Api, module: Option<&str>) -> Vec<Entry> {
    let cx = Cx {
        old,
        new,
        prefix: module.map(|m| format!("{m}::")).unwrap_or_default(),
        renamed: type_renames(old, new),
    };
    let mut out = Vec::new();
    cx.operations(&mut out);
    cx.types(&mut out);
    cx.security(&mut out);
    cx.servers(&mut out);
    cx.webhooks(&mut out);
    out
}

struct Cx<'a> {
    old: &'a Api,
    new: &'a Api,
    prefix: String,
    /// Old type name → new type name, for types whose Rust name moved.
    renamed: BTreeMap<String, String>,
}

/// The Rust call of an operation: `client.issues().list_for_repo()`.
pub fn call_path(op: &Operation) -> String {
    let mut call = String::from("client");
    for r in &op.resource {
        let _ = write!(call, ".{r}()");
    }
    let _ = write!(call, ".{}()", op.method_name);
    call
}

fn group_of(op: &Operation) -> String {
    if op.resource.is_empty() {
        "client".to_owned()
    } else {
        op.resource.join(".")
    }
}

/// Whether a type is a component schema's, by its pointer.
pub fn component_name(def: &TypeDef) -> Option<&str> {
    def.pointer
        .strip_prefix("#/components/schemas/")
        .or_else(|| def.pointer.strip_prefix("#/definitions/"))
        .filter(|rest| !rest.is_empty() && !rest.contains('/'))
}

/// A text two types share exactly when they have the same enum values or union variants; the
/// lowering gives each such shape one definition per spec, so it identifies a shared type
/// across two specs whatever its name.
fn shape(def: &TypeDef) -> Option<String> {
    match &def.kind {
        TypeKind::StringEnum(e) => {
            let wires: BTreeSet<&str> = e.variants.iter().map(|v| v.wire.as_str()).collect();
            Some(format!("enum {wires:?}"))
        }
        TypeKind::IntEnum(v) => {
            let values: BTreeSet<i64> = v.iter().map(|v| v.value).collect();
            Some(format!("int {values:?}"))
        }
        _ => None,
    }
}

/// Types that the same spec item names differently in the two specs: the same pointer (an
/// operation's inline type, a component schema), or for shared enums, the same values.
fn type_renames(old: &Api, new: &Api) -> BTreeMap<String, String> {
    let old_names: BTreeSet<&str> = old.types.values().map(|d| d.name.as_str()).collect();
    let new_names: BTreeSet<&str> = new.types.values().map(|d| d.name.as_str()).collect();
    let gone: Vec<&TypeDef> = old
        .types
        .values()
        .filter(|d| !new_names.contains(d.name.as_str()))
        .collect();
    let fresh: Vec<&TypeDef> = new
        .types
        .values()
        .filter(|d| !old_names.contains(d.name.as_str()))
        .collect();
    let mut by_pointer: BTreeMap<&str, Vec<&TypeDef>> = BTreeMap::new();
    for d in &fresh {
        by_pointer.entry(d.pointer.as_str()).or_default().push(d);
    }
    let mut by_shape: BTreeMap<String, Vec<&TypeDef>> = BTreeMap::new();
    for d in &fresh {
        if let Some(s) = shape(d) {
            by_shape.entry(s).or_default().push(d);
        }
    }
    let mut renames = BTreeMap::new();
    let mut taken: BTreeSet<&str> = BTreeSet::new();
    for d in gone {
        let aliasness = |x: &TypeDef| matches!(x.kind, TypeKind::Alias(_));
        let candidates = by_pointer.get(d.pointer.as_str()).into_iter().flatten();
        let same_kind: Vec<&&TypeDef> = candidates
            .filter(|c| aliasness(c) == aliasness(d) && !taken.contains(c.name.as_str()))
            .collect();
        let pick = match same_kind.as_slice() {
            [one] => Some(one.name.as_str()),
            _ => shape(d)
                .and_then(|s| by_shape.get(&s))
                .and_then(|v| match v.as_slice() {
                    [one] if !aliasness(d) && !taken.contains(one.name.as_str()) => {
                        Some(one.name.as_str())
                    }
                    _ => None,
                }),
        };
        if let Some(name) = pick {
            taken.insert(name);
            renames.insert(d.name.clone(), name.to_owned());
        }
    }
    renames
}

/// The pointer of an enum's values; a shared enum's own pointer already names them.
fn enum_pointer(pointer: &str) -> String {
    if pointer.ends_with("/enum") {
        pointer.to_owned()
    } else {
        format!("{pointer}/enum")
    }
}

fn field_type(api: &Api, f: &Field) -> String {
    let inner = type_text(api, &f.ty);
    match f.presence {
        Presence::Required => inner,
        Presence::RequiredNullable | Presence::Optional => format!("Option<{inner}>"),
        Presence::OptionalNullable => format!("Option<Option<{inner}>>"),
    }
}

fn is_constructor_arg(f: &Field) -> bool {
    matches!(f.presence, Presence::Required | Presence::RequiredNullable) && !f.read_only
}

fn in_requests(def: &TypeDef) -> bool {
    matches!(def.usage, Usage::Request | Usage::Both)
}

fn success_text(api: &Api, op: &Operation) -> String {
    match &op.responses.success {
        SuccessResponse::Single(body) => response_text(api, body),
        SuccessResponse::Enum { name, .. } => name.clone(),
    }
}

fn has_events(op: &Operation) -> bool {
    op.responses.event_stream.is_some()
        || matches!(
            op.responses.success,
            SuccessResponse::Single(ResponseBody::EventStream(_))
        )
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

impl Cx<'_> {
    /// A type text of the old API, with renamed types under their new names, so that a rename
    /// is reported once and not again at every use.
    fn old_text(&self, t: &TypeRef) -> String {
        let text = type_text(self.old, t);
        if self.renamed.is_empty() {
            return text;
        }
        // Names are whole identifiers inside `Vec<…>`, `Option<…>` and the like.
        let mut out = String::new();
        let mut word = String::new();
        for c in text.chars().chain(std::iter::once('\0')) {
            if c.is_alphanumeric() || c == '_' {
                word.push(c);
                continue;
            }
            out.push_str(self.renamed.get(&word).unwrap_or(&word));
            word.clear();
            if c != '\0' {
                out.push(c);
            }
        }
        out
    }

    fn old_field_type(&self, f: &Field) -> String {
        let inner = self.old_text(&f.ty);
        match f.presence {
            Presence::Required => inner,
            Presence::RequiredNullable | Presence::Optional => format!("Option<{inner}>"),
            Presence::OptionalNullable => format!("Option<Option<{inner}>>"),
        }
    }

    fn operations(&self, out: &mut Vec<Entry>) {
        let mut new_by_id: BTreeMap<&str, &Operation> = BTreeMap::new();
        let mut new_by_route: BTreeMap<(&str, &str), &Operation> = BTreeMap::new();
        for op in &self.new.operations {
            new_by_id.insert(op.operation_id.as_str(), op);
            new_by_route.insert((op.http_method.key(), op.path_template.as_str()), op);
        }
        let mut matched: BTreeSet<&str> = BTreeSet::new();
        for old in &self.old.operations {
            let new = new_by_id
                .get(old.operation_id.as_str())
                .or_else(|| new_by_route.get(&(old.http_method.key(), old.path_template.as_str())))
                .filter(|n| !matched.contains(n.operation_id.as_str()));
            match new {
                Some(new) => {
                    matched.insert(new.operation_id.as_str());
                    self.operation(old, new, out);
                }
                None => out.push(self.op_entry(
                    old,
                    Change::Removed,
                    Class::Breaking,
                    format!("{} {}", old.http_method.as_upper(), old.path_template),
                    Some(old.pointer.clone()),
                    None,
                )),
            }
        }
        for new in &self.new.operations {
            if !matched.contains(new.operation_id.as_str()) {
                out.push(self.op_entry(
                    new,
                    Change::Added,
                    Class::Compatible,
                    format!("{} {}", new.http_method.as_upper(), new.path_template),
                    None,
                    Some(new.pointer.clone()),
                ));
            }
        }
    }

    fn op_entry(
        &self,
        op: &Operation,
        change: Change,
        class: Class,
        detail: String,
        old_pointer: Option<String>,
        new_pointer: Option<String>,
    ) -> Entry {
        Entry {
            class,
            group: format!("{}{}", self.prefix, group_of(op)),
            item: Item::Operation,
            change,
            rust_path: format!("{}{}", self.prefix, call_path(op)),
            old_rust_path: None,
            operation_id: Some(op.operation_id.clone()),
            detail,
            old_pointer,
            new_pointer,
        }
    }

    #[allow(clippy::too_many_lines)]
    fn operation(&self, old: &Operation, new: &Operation, out: &mut Vec<Entry>) {
        let path = format!("{}{}", self.prefix, call_path(new));
        let entry =
            |item: Item, change: Change, class: Class, rust_path: String, detail: String| {
                let sub = match item {
                    Item::Parameter => "/parameters",
                    Item::Body => "/requestBody",
                    Item::Response => "/responses",
                    _ => "",
                };
                Entry {
                    class,
                    group: format!("{}{}", self.prefix, group_of(new)),
                    item,
                    change,
                    rust_path,
                    old_rust_path: None,
                    operation_id: Some(new.operation_id.clone()),
                    detail,
                    old_pointer: (change != Change::Added).then(|| format!("{}{sub}", old.pointer)),
                    new_pointer: (change != Change::Removed)
                        .then(|| format!("{}{sub}", new.pointer)),
                }
            };
        let old_path = format!("{}{}", self.prefix, call_path(old));
        if old_path != path {
            let mut e = entry(
                Item::Operation,
                Change::Renamed,
                Class::Breaking,
                path.clone(),
                format!("was {old_path}"),
            );
            e.old_rust_path = Some(old_path);
            out.push(e);
        }
        if old.module != new.module {
            out.push(entry(
                Item::Operation,
                Change::Changed,
                Class::Breaking,
                path.clone(),
                format!("Cargo feature `{}` → `{}`", old.module, new.module),
            ));
        }
        if old.builder_name != new.builder_name {
            out.push(entry(
                Item::Operation,
                Change::Changed,
                Class::Breaking,
                path.clone(),
                format!(
                    "builder operations::{} → operations::{}",
                    old.builder_name, new.builder_name
                ),
            ));
        }
        if old.http_method != new.http_method || old.path_template != new.path_template {
            out.push(entry(
                Item::Operation,
                Change::Changed,
                Class::Compatible,
                path.clone(),
                format!(
                    "{} {} → {} {}",
                    old.http_method.as_upper(),
                    old.path_template,
                    new.http_method.as_upper(),
                    new.path_template
                ),
            ));
        }
        // Parameters: required ones are positional arguments, optional ones setters.
        let args = |op: &Operation, api: &Api, old_side: bool| -> Vec<String> {
            let mut v: Vec<String> = op
                .params
                .iter()
                .filter(|p| p.required)
                .map(|p| {
                    let t = if old_side {
                        self.old_text(&p.ty)
                    } else {
                        type_text(api, &p.ty)
                    };
                    format!("{}: {t}", p.rust_name)
                })
                .collect();
            if let Some(b) = op.body.as_ref().filter(|b| b.required) {
                let t = if old_side {
                    self.old_text(&b.ty)
                } else {
                    type_text(api, &b.ty)
                };
                v.push(format!("body: {t}"));
            }
            v
        };
        let param_path = |name: &str| format!("{path}.{name}");
        let new_params: BTreeMap<&str, &crate::ir::Param> = new
            .params
            .iter()
            .map(|p| (p.rust_name.as_str(), p))
            .collect();
        let old_params: BTreeMap<&str, &crate::ir::Param> = old
            .params
            .iter()
            .map(|p| (p.rust_name.as_str(), p))
            .collect();
        for (name, p) in &old_params {
            match new_params.get(name) {
                None => out.push(entry(
                    Item::Parameter,
                    Change::Removed,
                    Class::Breaking,
                    param_path(name),
                    format!(
                        "{} `{}`",
                        if p.required { "argument" } else { "setter" },
                        p.wire_name
                    ),
                )),
                Some(n) => {
                    let (ot, nt) = (self.old_text(&p.ty), type_text(self.new, &n.ty));
                    if p.required != n.required {
                        out.push(entry(
                            Item::Parameter,
                            Change::Changed,
                            Class::Breaking,
                            param_path(name),
                            if n.required {
                                "optional → required (a setter became an argument)".to_owned()
                            } else {
                                "required → optional (an argument became a setter)".to_owned()
                            },
                        ));
                    }
                    if ot != nt {
                        out.push(entry(
                            Item::Parameter,
                            Change::Changed,
                            Class::Breaking,
                            param_path(name),
                            format!("{ot} → {nt}"),
                        ));
                    }
                }
            }
        }
        for (name, p) in &new_params {
            if !old_params.contains_key(name) {
                let class = if p.required {
                    Class::Breaking
                } else {
                    Class::Compatible
                };
                out.push(entry(
                    Item::Parameter,
                    Change::Added,
                    class,
                    param_path(name),
                    format!(
                        "{} `{}`: {}",
                        if p.required { "argument" } else { "setter" },
                        p.wire_name,
                        type_text(self.new, &p.ty)
                    ),
                ));
            }
        }
        // The same arguments in another order still break every call.
        let (oa, na) = (args(old, self.old, true), args(new, self.new, false));
        let same_set: BTreeSet<&String> = oa.iter().collect();
        if oa != na && same_set == na.iter().collect::<BTreeSet<_>>() {
            out.push(entry(
                Item::Parameter,
                Change::Changed,
                Class::Breaking,
                path.clone(),
                format!(
                    "arguments reordered: ({}) → ({})",
                    oa.join(", "),
                    na.join(", ")
                ),
            ));
        }
        // The body.
        let body_path = format!("{path}.body");
        match (&old.body, &new.body) {
            (None, Some(b)) => out.push(entry(
                Item::Body,
                Change::Added,
                if b.required {
                    Class::Breaking
                } else {
                    Class::Compatible
                },
                body_path,
                format!(
                    "{} body {}",
                    if b.required { "required" } else { "optional" },
                    type_text(self.new, &b.ty)
                ),
            )),
            (Some(b), None) => out.push(entry(
                Item::Body,
                Change::Removed,
                Class::Breaking,
                body_path,
                format!("body {}", self.old_text(&b.ty)),
            )),
            (Some(o), Some(n)) => {
                let (ot, nt) = (self.old_text(&o.ty), type_text(self.new, &n.ty));
                if ot != nt {
                    out.push(entry(
                        Item::Body,
                        Change::Changed,
                        Class::Breaking,
                        body_path.clone(),
                        format!("{ot} → {nt}"),
                    ));
                }
                if o.required != n.required {
                    out.push(entry(
                        Item::Body,
                        Change::Changed,
                        Class::Breaking,
                        body_path.clone(),
                        if n.required {
                            "optional → required (now an argument)".to_owned()
                        } else {
                            "required → optional (now a setter)".to_owned()
                        },
                    ));
                }
                if o.content_type != n.content_type {
                    out.push(entry(
                        Item::Body,
                        Change::Changed,
                        Class::Compatible,
                        body_path,
                        format!("sent as {} → {}", o.content_type, n.content_type),
                    ));
                }
            }
            (None, None) => {}
        }
        // Responses.
        let (os, ns) = (self.old_success(old), success_text(self.new, new));
        if os != ns {
            out.push(entry(
                Item::Response,
                Change::Changed,
                Class::Breaking,
                format!("{path}.send()"),
                format!("returns {os} → {ns}"),
            ));
        }
        if has_events(old) != has_events(new) {
            let added = has_events(new);
            out.push(entry(
                Item::Response,
                if added {
                    Change::Added
                } else {
                    Change::Removed
                },
                if added {
                    Class::Compatible
                } else {
                    Class::Breaking
                },
                format!("{path}.events()"),
                "server-sent events".to_owned(),
            ));
        }
        let errors = |op: &Operation| {
            (!op.responses.errors.is_empty()).then(|| op.responses.error_type_name.clone())
        };
        match (errors(old), errors(new)) {
            (Some(o), Some(n)) if o != n => out.push(entry(
                Item::Response,
                Change::Renamed,
                Class::Breaking,
                format!("{}operations::{n}", self.prefix),
                format!("error type was operations::{o}"),
            )),
            (Some(o), None) => out.push(entry(
                Item::Response,
                Change::Removed,
                Class::Breaking,
                format!("{}operations::{o}", self.prefix),
                "documented error bodies".to_owned(),
            )),
            (None, Some(n)) => out.push(entry(
                Item::Response,
                Change::Added,
                Class::Compatible,
                format!("{}operations::{n}", self.prefix),
                "documented error bodies".to_owned(),
            )),
            _ => {}
        }
        // Pagination.
        let items_path = format!("{path}.items()");
        match (&old.pagination, &new.pagination) {
            (None, Some(p)) => out.push(entry(
                Item::Pagination,
                Change::Added,
                Class::Compatible,
                items_path,
                format!(
                    "items() and pages() of {}",
                    type_text(self.new, &p.item_type)
                ),
            )),
            (Some(p), None) => out.push(entry(
                Item::Pagination,
                Change::Removed,
                Class::Breaking,
                items_path,
                format!("items() and pages() of {}", self.old_text(&p.item_type)),
            )),
            (Some(o), Some(n)) => {
                let (ot, nt) = (
                    self.old_text(&o.item_type),
                    type_text(self.new, &n.item_type),
                );
                if ot != nt {
                    out.push(entry(
                        Item::Pagination,
                        Change::Changed,
                        Class::Breaking,
                        items_path.clone(),
                        format!("items {ot} → {nt}"),
                    ));
                }
                if o.style != n.style || o.items != n.items {
                    out.push(entry(
                        Item::Pagination,
                        Change::Changed,
                        Class::Compatible,
                        items_path,
                        format!(
                            "paging {:?} at `{}` → {:?} at `{}`",
                            o.style, o.items, n.style, n.items
                        ),
                    ));
                }
            }
            (None, None) => {}
        }
        if old.server != new.server {
            out.push(entry(
                Item::Server,
                Change::Changed,
                Class::Compatible,
                path,
                format!(
                    "operation server {} → {}",
                    old.server.as_deref().unwrap_or("(the client's)"),
                    new.server.as_deref().unwrap_or("(the client's)")
                ),
            ));
        }
    }

    fn old_success(&self, op: &Operation) -> String {
        match &op.responses.success {
            SuccessResponse::Single(ResponseBody::Json(t)) => self.old_text(t),
            SuccessResponse::Single(body) => response_text(self.old, body),
            SuccessResponse::Enum { name, .. } => name.clone(),
        }
    }

    fn type_entry(
        &self,
        def: &TypeDef,
        item: Item,
        change: Change,
        class: Class,
        member: Option<&str>,
        detail: String,
    ) -> Entry {
        let mut rust_path = format!("{}types::{}", self.prefix, def.name);
        if let Some(m) = member {
            let _ = write!(rust_path, "::{m}");
        }
        Entry {
            class,
            group: format!("{}types", self.prefix),
            item,
            change,
            rust_path,
            old_rust_path: None,
            operation_id: None,
            detail,
            old_pointer: None,
            new_pointer: None,
        }
    }

    fn types(&self, out: &mut Vec<Entry>) {
        let old_by_name: BTreeMap<&str, &TypeDef> = self
            .old
            .types
            .values()
            .map(|d| (d.name.as_str(), d))
            .collect();
        let new_by_name: BTreeMap<&str, &TypeDef> = self
            .new
            .types
            .values()
            .map(|d| (d.name.as_str(), d))
            .collect();
        for (name, o) in &old_by_name {
            if let Some(n) = new_by_name.get(name) {
                self.type_pair(o, n, out);
                continue;
            }
            if let Some(n) = self
                .renamed
                .get(*name)
                .and_then(|to| new_by_name.get(to.as_str()))
            {
                let mut e = self.type_entry(
                    n,
                    Item::Type,
                    Change::Renamed,
                    Class::Breaking,
                    None,
                    format!("was types::{name}"),
                );
                e.old_rust_path = Some(format!("{}types::{name}", self.prefix));
                e.old_pointer = Some(o.pointer.clone());
                e.new_pointer = Some(n.pointer.clone());
                out.push(e);
                self.type_pair(o, n, out);
                continue;
            }
            let mut e = self.type_entry(
                o,
                Item::Type,
                Change::Removed,
                Class::Breaking,
                None,
                kind_label(&o.kind).to_owned(),
            );
            e.old_pointer = Some(o.pointer.clone());
            out.push(e);
        }
        let renamed_to: BTreeSet<&str> = self.renamed.values().map(String::as_str).collect();
        for (name, n) in &new_by_name {
            if old_by_name.contains_key(name) || renamed_to.contains(name) {
                continue;
            }
            let mut e = self.type_entry(
                n,
                Item::Type,
                Change::Added,
                Class::Compatible,
                None,
                kind_label(&n.kind).to_owned(),
            );
            e.new_pointer = Some(n.pointer.clone());
            out.push(e);
        }
    }

    /// Changes inside one type present on both sides (`n` carries the newer name).
    fn type_pair(&self, o: &TypeDef, n: &TypeDef, out: &mut Vec<Entry>) {
        let located = |mut e: Entry, old_sub: Option<String>, new_sub: Option<String>| {
            e.old_pointer = old_sub.map(|s| format!("{}{s}", o.pointer));
            e.new_pointer = new_sub.map(|s| format!("{}{s}", n.pointer));
            e
        };
        match (&o.kind, &n.kind) {
            (TypeKind::Struct(os), TypeKind::Struct(ns)) => {
                let request = in_requests(n);
                let old_fields: BTreeMap<&str, &Field> = os
                    .fields
                    .iter()
                    .map(|f| (f.rust_name.as_str(), f))
                    .collect();
                let new_fields: BTreeMap<&str, &Field> = ns
                    .fields
                    .iter()
                    .map(|f| (f.rust_name.as_str(), f))
                    .collect();
                for (name, f) in &old_fields {
                    let sub = Some(format!("/properties/{}", escape(&f.wire_name)));
                    match new_fields.get(name) {
                        None => out.push(located(
                            self.type_entry(
                                n,
                                Item::Field,
                                Change::Removed,
                                Class::Breaking,
                                Some(name),
                                self.old_field_type(f),
                            ),
                            sub,
                            None,
                        )),
                        Some(g) => {
                            let nsub = Some(format!("/properties/{}", escape(&g.wire_name)));
                            let (ot, nt) = (self.old_field_type(f), field_type(self.new, g));
                            if ot != nt {
                                out.push(located(
                                    self.type_entry(
                                        n,
                                        Item::Field,
                                        Change::Changed,
                                        Class::Breaking,
                                        Some(name),
                                        format!("{ot} → {nt}"),
                                    ),
                                    sub.clone(),
                                    nsub.clone(),
                                ));
                            } else if request && is_constructor_arg(f) != is_constructor_arg(g) {
                                let detail = if is_constructor_arg(g) {
                                    "optional → required: now an argument of new()"
                                } else {
                                    "required → optional: no longer an argument of new()"
                                };
                                out.push(located(
                                    self.type_entry(
                                        n,
                                        Item::Field,
                                        Change::Changed,
                                        Class::Breaking,
                                        Some(name),
                                        detail.to_owned(),
                                    ),
                                    sub.clone(),
                                    nsub.clone(),
                                ));
                            } else if f.presence != g.presence {
                                out.push(located(
                                    self.type_entry(
                                        n,
                                        Item::Field,
                                        Change::Changed,
                                        Class::Compatible,
                                        Some(name),
                                        format!(
                                            "{:?} → {:?} (same Rust type)",
                                            f.presence, g.presence
                                        ),
                                    ),
                                    sub.clone(),
                                    nsub.clone(),
                                ));
                            }
                            if f.wire_name != g.wire_name {
                                out.push(located(
                                    self.type_entry(
                                        n,
                                        Item::Field,
                                        Change::Changed,
                                        Class::Compatible,
                                        Some(name),
                                        format!("wire name `{}` → `{}`", f.wire_name, g.wire_name),
                                    ),
                                    sub,
                                    nsub,
                                ));
                            }
                        }
                    }
                }
                for (name, g) in &new_fields {
                    if old_fields.contains_key(name) {
                        continue;
                    }
                    let breaking = request && is_constructor_arg(g);
                    let detail = if breaking {
                        format!("{}, a new argument of new()", field_type(self.new, g))
                    } else {
                        field_type(self.new, g)
                    };
                    out.push(located(
                        self.type_entry(
                            n,
                            Item::Field,
                            Change::Added,
                            if breaking {
                                Class::Breaking
                            } else {
                                Class::Compatible
                            },
                            Some(name),
                            detail,
                        ),
                        None,
                        Some(format!("/properties/{}", escape(&g.wire_name))),
                    ));
                }
                let (oe, ne) = (
                    os.extra.as_ref().map(|t| self.old_text(t)),
                    ns.extra.as_ref().map(|t| type_text(self.new, t)),
                );
                if oe != ne {
                    let class = if oe.is_none() {
                        Class::Compatible
                    } else {
                        Class::Breaking
                    };
                    out.push(located(
                        self.type_entry(
                            n,
                            Item::Field,
                            if oe.is_none() {
                                Change::Added
                            } else if ne.is_none() {
                                Change::Removed
                            } else {
                                Change::Changed
                            },
                            class,
                            Some("extra"),
                            format!(
                                "additionalProperties {} → {}",
                                oe.as_deref().unwrap_or("none"),
                                ne.as_deref().unwrap_or("none")
                            ),
                        ),
                        Some("/additionalProperties".to_owned()),
                        Some("/additionalProperties".to_owned()),
                    ));
                }
            }
            (TypeKind::StringEnum(oe), TypeKind::StringEnum(ne)) => {
                let ow: BTreeMap<&str, &str> = oe
                    .variants
                    .iter()
                    .map(|v| (v.wire.as_str(), v.rust_name.as_str()))
                    .collect();
                let nw: BTreeMap<&str, &str> = ne
                    .variants
                    .iter()
                    .map(|v| (v.wire.as_str(), v.rust_name.as_str()))
                    .collect();
                self.variants(o, n, &ow, &nw, out);
            }
            (TypeKind::IntEnum(oe), TypeKind::IntEnum(ne)) => {
                let ow: BTreeMap<String, &str> = oe
                    .iter()
                    .map(|v| (v.value.to_string(), v.rust_name.as_str()))
                    .collect();
                let nw: BTreeMap<String, &str> = ne
                    .iter()
                    .map(|v| (v.value.to_string(), v.rust_name.as_str()))
                    .collect();
                let ow: BTreeMap<&str, &str> = ow.iter().map(|(k, v)| (k.as_str(), *v)).collect();
                let nw: BTreeMap<&str, &str> = nw.iter().map(|(k, v)| (k.as_str(), *v)).collect();
                self.variants(o, n, &ow, &nw, out);
            }
            (TypeKind::Union(ou), TypeKind::Union(nu)) => {
                let ov: BTreeMap<&str, String> = ou
                    .variants
                    .iter()
                    .map(|v| (v.rust_name.as_str(), self.old_text(&v.ty)))
                    .collect();
                let nv: BTreeMap<&str, String> = nu
                    .variants
                    .iter()
                    .map(|v| (v.rust_name.as_str(), type_text(self.new, &v.ty)))
                    .collect();
                for (name, t) in &ov {
                    match nv.get(name) {
                        None => out.push(located(
                            self.type_entry(
                                n,
                                Item::Variant,
                                Change::Removed,
                                Class::Breaking,
                                Some(name),
                                format!("{name}({t})"),
                            ),
                            Some(String::new()),
                            None,
                        )),
                        Some(u) if u != t => out.push(located(
                            self.type_entry(
                                n,
                                Item::Variant,
                                Change::Changed,
                                Class::Breaking,
                                Some(name),
                                format!("{name}({t}) → {name}({u})"),
                            ),
                            Some(String::new()),
                            Some(String::new()),
                        )),
                        Some(_) => {}
                    }
                }
                for (name, t) in &nv {
                    if !ov.contains_key(name) {
                        out.push(located(
                            self.type_entry(
                                n,
                                Item::Variant,
                                Change::Added,
                                Class::Compatible,
                                Some(name),
                                format!("{name}({t})"),
                            ),
                            None,
                            Some(String::new()),
                        ));
                    }
                }
                if ou.tagging != nu.tagging {
                    out.push(located(
                        self.type_entry(
                            n,
                            Item::Type,
                            Change::Changed,
                            Class::Compatible,
                            None,
                            format!("tagging {:?} → {:?}", ou.tagging, nu.tagging),
                        ),
                        Some(String::new()),
                        Some(String::new()),
                    ));
                }
            }
            (TypeKind::Alias(ot), TypeKind::Alias(nt))
            | (TypeKind::Newtype(ot), TypeKind::Newtype(nt)) => {
                let (a, b) = (self.old_text(ot), type_text(self.new, nt));
                if a != b {
                    out.push(located(
                        self.type_entry(
                            n,
                            Item::Type,
                            Change::Changed,
                            Class::Breaking,
                            None,
                            format!("= {a} → = {b}"),
                        ),
                        Some(String::new()),
                        Some(String::new()),
                    ));
                }
            }
            (ok, nk) => {
                // An enum that became an alias of an identical enum is still that enum.
                if self.same_enum(o, n) {
                    return;
                }
                out.push(located(
                    self.type_entry(
                        n,
                        Item::Type,
                        Change::Changed,
                        Class::Breaking,
                        None,
                        format!("{} → {}", kind_label(ok), kind_label(nk)),
                    ),
                    Some(String::new()),
                    Some(String::new()),
                ));
            }
        }
    }

    /// Whether two types are, through aliases, string or int enums with the same values.
    fn same_enum(&self, o: &TypeDef, n: &TypeDef) -> bool {
        let resolve = |api: &Api, mut d: TypeDef| {
            for _ in 0..8 {
                match &d.kind {
                    TypeKind::Alias(TypeRef::Named(id)) => match api.types.get(id) {
                        Some(t) => d = t.clone(),
                        None => break,
                    },
                    _ => break,
                }
            }
            d
        };
        let (a, b) = (resolve(self.old, o.clone()), resolve(self.new, n.clone()));
        shape(&a).is_some() && shape(&a) == shape(&b)
    }

    fn variants(
        &self,
        o: &TypeDef,
        n: &TypeDef,
        ow: &BTreeMap<&str, &str>,
        nw: &BTreeMap<&str, &str>,
        out: &mut Vec<Entry>,
    ) {
        for (wire, rust) in ow {
            let mut e = match nw.get(wire) {
                None => self.type_entry(
                    n,
                    Item::Variant,
                    Change::Removed,
                    Class::Breaking,
                    Some(rust),
                    format!("`{wire}`"),
                ),
                Some(r) if r != rust => self.type_entry(
                    n,
                    Item::Variant,
                    Change::Renamed,
                    Class::Breaking,
                    Some(r),
                    format!("`{wire}` was {rust}"),
                ),
                Some(_) => continue,
            };
            e.old_pointer = Some(enum_pointer(&o.pointer));
            e.new_pointer = nw.contains_key(wire).then(|| enum_pointer(&n.pointer));
            out.push(e);
        }
        for (wire, rust) in nw {
            if !ow.contains_key(wire) {
                let mut e = self.type_entry(
                    n,
                    Item::Variant,
                    Change::Added,
                    Class::Compatible,
                    Some(rust),
                    format!("`{wire}`"),
                );
                e.new_pointer = Some(enum_pointer(&n.pointer));
                out.push(e);
            }
        }
    }

    fn security(&self, out: &mut Vec<Entry>) {
        let text = |api: &Api| -> BTreeMap<String, String> {
            api.security
                .iter()
                .map(|s| (s.name.clone(), format!("{:?}", s.kind)))
                .collect()
        };
        let (o, n) = (text(self.old), text(self.new));
        let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
        for k in keys {
            let (change, class, detail) = match (o.get(k), n.get(k)) {
                (Some(a), None) => (Change::Removed, Class::Breaking, a.clone()),
                (None, Some(b)) => (Change::Added, Class::Compatible, b.clone()),
                (Some(a), Some(b)) if a != b => {
                    (Change::Changed, Class::Breaking, format!("{a} → {b}"))
                }
                _ => continue,
            };
            let pointer = format!("#/components/securitySchemes/{}", escape(k));
            out.push(Entry {
                class,
                group: format!("{}client", self.prefix),
                item: Item::Auth,
                change,
                rust_path: format!("{}Client (security scheme `{k}`)", self.prefix),
                old_rust_path: None,
                operation_id: None,
                detail,
                old_pointer: (change != Change::Added).then(|| pointer.clone()),
                new_pointer: (change != Change::Removed).then_some(pointer),
            });
        }
    }

    /// Webhook events: an added one is compatible, since `webhooks::Event` is
    /// `#[non_exhaustive]` and receivers already handle events they do not know; a removed
    /// one, a changed payload type or another verifier breaks code that names them.
    fn webhooks(&self, out: &mut Vec<Entry>) {
        type Events = BTreeMap<String, (String, String, String)>;
        let events = |api: &Api| -> Events {
            api.webhooks
                .iter()
                .flat_map(|w| &w.events)
                .map(|e| {
                    let payload = crate::report::type_text(api, &e.payload);
                    (e.name(), (e.variant.clone(), payload, e.pointer.clone()))
                })
                .collect()
        };
        let (o, n) = (events(self.old), events(self.new));
        let path = |variant: &str| format!("{}webhooks::Event::{variant}", self.prefix);
        for name in o.keys().chain(n.keys()).collect::<BTreeSet<_>>() {
            let (change, class, variant, detail) = match (o.get(name), n.get(name)) {
                (Some((v, p, _)), None) => (
                    Change::Removed,
                    Class::Breaking,
                    v,
                    format!("`{name}` ({p}) is no longer described"),
                ),
                (None, Some((v, p, _))) => (
                    Change::Added,
                    Class::Compatible,
                    v,
                    format!("`{name}` ({p})"),
                ),
                (Some((ov, op, _)), Some((nv, np, _))) => {
                    let renamed = self.renamed.get(op).unwrap_or(op);
                    if ov == nv && renamed == np {
                        continue;
                    }
                    let detail = if ov == nv {
                        format!("`{name}` payload {op} → {np}")
                    } else {
                        format!("`{name}` variant {ov} → {nv}")
                    };
                    (Change::Changed, Class::Breaking, nv, detail)
                }
                (None, None) => continue,
            };
            out.push(Entry {
                class,
                group: format!("{}webhooks", self.prefix),
                item: Item::Event,
                change,
                rust_path: path(variant),
                old_rust_path: None,
                operation_id: None,
                detail,
                old_pointer: o.get(name).map(|(_, _, ptr)| ptr.clone()),
                new_pointer: n.get(name).map(|(_, _, ptr)| ptr.clone()),
            });
        }
        let verifier = |api: &Api| api.webhooks.as_ref().and_then(|w| w.verifier);
        let (ov, nv) = (verifier(self.old), verifier(self.new));
        if ov != nv && self.old.webhooks.is_some() && self.new.webhooks.is_some() {
            out.push(Entry {
                class: Class::Breaking,
                group: format!("{}webhooks", self.prefix),
                item: Item::Event,
                change: Change::Changed,
                rust_path: format!("{}webhooks::construct_event", self.prefix),
                old_rust_path: None,
                operation_id: None,
                detail: format!("verified by {ov:?} → {nv:?}"),
                old_pointer: None,
                new_pointer: None,
            });
        }
    }

    fn servers(&self, out: &mut Vec<Entry>) {
        let urls = |api: &Api| {
            api.servers
                .iter()
                .map(|s| s.url.clone())
                .collect::<Vec<_>>()
        };
        let (o, n) = (urls(self.old), urls(self.new));
        if o.first() != n.first() {
            out.push(Entry {
                class: Class::Compatible,
                group: format!("{}client", self.prefix),
                item: Item::Server,
                change: Change::Changed,
                rust_path: format!("{}Client::builder() default base URL", self.prefix),
                old_rust_path: None,
                operation_id: None,
                detail: format!(
                    "{} → {}",
                    o.first().map_or("(none)", String::as_str),
                    n.first().map_or("(none)", String::as_str)
                ),
                old_pointer: Some("#/servers/0".to_owned()),
                new_pointer: Some("#/servers/0".to_owned()),
            });
        }
    }
}

fn kind_label(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "struct",
        TypeKind::StringEnum(_) => "enum",
        TypeKind::IntEnum(_) => "int enum",
        TypeKind::Union(_) => "union",
        TypeKind::Alias(_) => "type alias",
        TypeKind::Newtype(_) => "newtype",
    }
}

/// What `sdkgen.toml` changes in the API: auth and named servers.
fn diff_config(old: &Config, new: &Config) -> Vec<Entry> {
    let mut out = Vec::new();
    let (a, b) = (format!("{:?}", old.auth), format!("{:?}", new.auth));
    if a != b {
        out.push(Entry {
            class: Class::Breaking,
            group: "client".to_owned(),
            item: Item::Auth,
            change: Change::Changed,
            rust_path: "Client::from_env()".to_owned(),
            old_rust_path: None,
            operation_id: None,
            detail: format!("[auth] {a} → {b}"),
            old_pointer: Some("sdkgen.toml: auth".to_owned()),
            new_pointer: Some("sdkgen.toml: auth".to_owned()),
        });
    }
    let keys: BTreeSet<&String> = old.servers.keys().chain(new.servers.keys()).collect();
    for k in keys {
        let (change, class, detail) = match (old.servers.get(k), new.servers.get(k)) {
            (Some(u), None) => (Change::Removed, Class::Breaking, u.clone()),
            (None, Some(u)) => (Change::Added, Class::Compatible, u.clone()),
            (Some(u), Some(v)) if u != v => {
                (Change::Changed, Class::Compatible, format!("{u} → {v}"))
            }
            _ => continue,
        };
        let pointer = format!("sdkgen.toml: servers.{k}");
        out.push(Entry {
            class,
            group: "client".to_owned(),
            item: Item::Server,
            change,
            rust_path: format!("servers::{}", crate::naming::const_name(k)),
            old_rust_path: None,
            operation_id: None,
            detail,
            old_pointer: (change != Change::Added).then(|| pointer.clone()),
            new_pointer: (change != Change::Removed).then_some(pointer),
        });
    }
    out
}

impl Diff {
    /// The counts, verdict and renames: the head of the markdown report, with no upstream
    /// prose, fit for a snapshot.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# API diff: {} {} → {}",
            self.new.title, self.old.version, self.new.version
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Verdict: **{}** ({} breaking, {} compatible changes; {} renames). Operations {} → {}, types {} → {}.",
            self.verdict.label(),
            self.breaking,
            self.compatible,
            self.renames,
            self.old.operations,
            self.new.operations,
            self.old.types,
            self.new.types
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "| item | added | removed | changed | renamed | breaking |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
        for item in Item::ALL {
            let Some(c) = self.counts.get(&item) else {
                continue;
            };
            let get = |ch: Change| c.get(&ch).copied().unwrap_or(0);
            let breaking = self
                .changes
                .iter()
                .filter(|e| e.item == item && e.class == Class::Breaking)
                .count();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                item.label(),
                get(Change::Added),
                get(Change::Removed),
                get(Change::Changed),
                get(Change::Renamed),
                breaking
            );
        }
        out
    }

    /// The markdown report: counts first, the rule, then every change grouped by resource.
    pub fn markdown(&self) -> String {
        let mut out = self.summary();
        let _ = writeln!(out);
        let _ = writeln!(out, "Rule: {}", self.rule);
        let mut groups: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
        for e in &self.changes {
            groups.entry(e.group.as_str()).or_default().push(e);
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "| resource | breaking | compatible |");
        let _ = writeln!(out, "|---|---:|---:|");
        for (group, entries) in &groups {
            let b = entries
                .iter()
                .filter(|e| e.class == Class::Breaking)
                .count();
            let _ = writeln!(out, "| {group} | {b} | {} |", entries.len() - b);
        }
        for (group, entries) in &groups {
            let _ = writeln!(out);
            let _ = writeln!(out, "## {group}");
            let _ = writeln!(out);
            for e in entries {
                let _ = writeln!(out, "- {}", entry_line(e));
            }
        }
        out
    }

    /// The JSON report (schema in the README).
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// One change as a markdown list item.
pub fn entry_line(e: &Entry) -> String {
    let class = match e.class {
        Class::Breaking => "**breaking**",
        Class::Compatible => "compatible",
    };
    let mut line = format!(
        "{class} {} {} `{}`",
        e.change.label(),
        item_singular(e.item),
        e.rust_path
    );
    if let Some(id) = &e.operation_id {
        if e.item == Item::Operation {
            let _ = write!(line, " ({id})");
        }
    }
    if !e.detail.is_empty() {
        let _ = write!(line, ": {}", e.detail);
    }
    let ptr = |p: &Option<String>| p.as_deref().map_or("—".to_owned(), |p| format!("`{p}`"));
    let _ = write!(line, " [{} → {}]", ptr(&e.old_pointer), ptr(&e.new_pointer));
    line
}

fn item_singular(item: Item) -> &'static str {
    match item {
        Item::Operation => "operation",
        Item::Parameter => "parameter",
        Item::Body => "body",
        Item::Response => "response",
        Item::Pagination => "pagination",
        Item::Type => "type",
        Item::Field => "field",
        Item::Variant => "variant",
        Item::Auth => "auth",
        Item::Server => "server",
        Item::Event => "webhook event",
    }
}

#[cfg(test)]
mod tests {
    use super::Verdict;

    #[test]
    fn versions_bump_by_cargo_rules() {
        assert_eq!(Verdict::Major.bump("0.1.3").as_deref(), Some("0.2.0"));
        assert_eq!(Verdict::Minor.bump("0.1.3").as_deref(), Some("0.1.4"));
        assert_eq!(Verdict::Patch.bump("0.1.3").as_deref(), Some("0.1.4"));
        assert_eq!(Verdict::Major.bump("1.2.3").as_deref(), Some("2.0.0"));
        assert_eq!(Verdict::Minor.bump("1.2.3").as_deref(), Some("1.3.0"));
        assert_eq!(Verdict::Patch.bump("1.2.3").as_deref(), Some("1.2.4"));
        assert_eq!(Verdict::Patch.bump("x"), None);
    }
}
