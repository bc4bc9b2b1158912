//! Checks a spec's own response examples against the types generated for them.
//!
//! Providers publish examples taken from real responses, so an example that the generated
//! types cannot read is a response the client cannot read. Each JSON example is walked with the
//! rules the generated `Deserialize` impls follow: unknown properties are skipped, a required
//! property may be absent only when its type is an `Option`, string and integer enums take any
//! value, a discriminated union takes any unknown tag, an untagged union needs one variant that
//! fits, a number property takes a string holding the number, and dates are parsed by `chrono`
//! as the runtime parses them.
//!
//! [`reconcile`] runs after lowering: where an example leaves out a required property, or has
//! `null` in a property the schema says is never null, the property is read the way the example
//! shows (optional, or nullable), with an `example-conflict` warning. Clients generated from a
//! schema that is stricter than the provider's own documented responses would fail on exactly
//! those responses; Stainless's SDKs, for the same reason, never reject a response for a missing
//! property. Other conflicts (a string where the schema says number) are reported by
//! `sdkgen report` and left as the schema says.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value;

use crate::config::ExamplesConfig;
use crate::diagnostics::{DiagnosticKind, Diagnostics};
use crate::ir::{
    Api, IntKind, Operation, Presence, ResponseBody, StatusMatch, SuccessResponse, Tagging, TypeId,
    TypeKind, TypeRef, Usage,
};

/// One response example of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The status key it documents (`200`, `4XX`, `default`).
    pub status: String,
    /// A JSON Pointer to it in the spec.
    pub pointer: String,
    /// The example value.
    pub value: Value,
}

/// An example that the generated types do not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The operation's `operationId`.
    pub operation: String,
    /// A JSON Pointer to the example in the spec.
    pub example: String,
    /// Where in the example the mismatch is (`data[0].status`).
    pub at: String,
    /// What does not fit.
    pub reason: String,
}

/// What checking the examples of one spec found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    /// Examples walked against a typed JSON body.
    pub examples: usize,
    /// The ones that do not fit, in operation order.
    pub failures: Vec<Failure>,
    /// The pointers of the examples that the configuration ignores.
    pub ignored: Vec<String>,
}

/// Checks every JSON response example of every operation in `api` against its body type,
/// except those `config` ignores. `root` is the normalized document `api` was lowered from.
pub fn check_api(root: &Value, api: &Api, config: &ExamplesConfig) -> Checked {
    let mut checked = Checked::default();
    for (op, example, ty) in typed_examples(root, api) {
        if config.ignores(&example.pointer) {
            checked.ignored.push(example.pointer);
            continue;
        }
        checked.examples += 1;
        if let Err(mismatch) = check_body(api, ty, &example.value) {
            checked.failures.push(Failure {
                operation: op.operation_id.clone(),
                example: example.pointer,
                at: mismatch.at(),
                reason: mismatch.reason,
            });
        }
    }
    checked
}

/// Every JSON response example with the operation and the body type the client reads it as.
fn typed_examples<'a>(root: &Value, api: &'a Api) -> Vec<(&'a Operation, Example, &'a TypeRef)> {
    let mut out = Vec::new();
    for op in &api.operations {
        for example in response_examples(root, &op.pointer) {
            if let Some(ty) = body_type(op, &example.status) {
                out.push((op, example, ty));
            }
        }
    }
    out
}

/// Checks a whole body. As the runtime does, an empty or `null` body of an object type whose
/// properties are all optional reads as the empty object.
fn check_body(api: &Api, ty: &TypeRef, value: &Value) -> Result<(), Mismatch> {
    let walker = Walker { api };
    match walker.check(ty, value) {
        Err(first) if value.is_null() => walker
            .check(ty, &Value::Object(serde_json::Map::new()))
            .map_err(|_| first),
        other => other,
    }
}

/// Loosens the properties that the spec's own response examples show absent or `null` where
/// the schema requires them, until every such example reads (see the module docs).
pub(crate) fn reconcile(
    root: &Value,
    api: &mut Api,
    config: &ExamplesConfig,
    diags: &mut Diagnostics,
) {
    // The body types are cloned so that `api` can change between checks.
    let examples: Vec<(Example, TypeRef)> = typed_examples(root, api)
        .into_iter()
        .filter(|(_, example, _)| !config.ignores(&example.pointer))
        .map(|(_, example, ty)| (example, ty.clone()))
        .collect();
    for (example, ty) in &examples {
        // A walk stops at the first conflict, so each fix lets the next walk of the same
        // example get further. Loosening only ever lets more through, so an example that
        // reads stays read; the bound only guards against a fix that does not take.
        for _ in 0..256 {
            match check_body(api, ty, &example.value) {
                Err(Mismatch { fix: Some(fix), .. }) => {
                    if !apply(api, fix, &example.pointer, diags) {
                        break;
                    }
                }
                _ => break,
            }
        }
    }
}

/// Loosens one property; false when there was nothing to change.
fn apply(api: &mut Api, fix: Fix, example: &str, diags: &mut Diagnostics) -> bool {
    let Some(def) = api.types.get_mut(&fix.ty) else {
        return false;
    };
    // Response examples only reach types that responses carry; a request-only type keeps what
    // the caller must send.
    if def.usage == Usage::Request {
        return false;
    }
    let (type_name, pointer) = (
        def.name.clone(),
        def.pointer.trim_start_matches('#').to_owned(),
    );
    let TypeKind::Struct(s) = &mut def.kind else {
        return false;
    };
    let Some(field) = s.fields.get_mut(fix.field) else {
        return false;
    };
    let (presence, shown) = match (fix.relax, field.presence) {
        (Relax::Optional, Presence::Required) => (Presence::Optional, "leaves it out"),
        (Relax::Optional, Presence::RequiredNullable) => {
            (Presence::OptionalNullable, "leaves it out")
        }
        (Relax::Nullable, Presence::Required) => (Presence::RequiredNullable, "has null"),
        (Relax::Nullable, Presence::Optional) => (Presence::OptionalNullable, "has null"),
        _ => return false,
    };
    field.presence = presence;
    field.loosened_by_example = true;
    diags.warn(
        DiagnosticKind::ExampleConflict,
        crate::diagnostics::pointer(&format!("{pointer}/properties"), &field.wire_name),
        format!(
            "`{}` of {type_name} is required and non-null, but the example at {example} {shown}; it is read as {}",
            field.wire_name,
            match presence {
                Presence::Optional => "optional",
                _ => "nullable",
            }
        ),
    );
    true
}

/// The JSON response examples of the operation at `op_pointer`: each media type's `example`
/// and `examples` entries (references followed), then the response texts of OpenAI's
/// `x-oaiMeta` examples that are JSON, filed under the first 2xx status.
pub fn response_examples(root: &Value, op_pointer: &str) -> Vec<Example> {
    let op_pointer = op_pointer.trim_start_matches('#');
    let Some(op) = root.pointer(op_pointer) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut first_success = None;
    if let Some(responses) = op.get("responses").and_then(Value::as_object) {
        for (status, response) in responses {
            if first_success.is_none() && status.starts_with('2') {
                first_success = Some(status.clone());
            }
            let base = crate::diagnostics::pointer(&format!("{op_pointer}/responses"), status);
            collect_media_examples(root, resolve(root, response), status, &base, &mut found);
        }
    }
    if let Some(status) = first_success {
        collect_oai_meta(op, &status, op_pointer, &mut found);
    }
    found
}

fn collect_media_examples(
    root: &Value,
    response: &Value,
    status: &str,
    base: &str,
    found: &mut Vec<Example>,
) {
    let Some(content) = response.get("content").and_then(Value::as_object) else {
        return;
    };
    // Only the media type the client reads the body as: the first JSON one, as lowering picks
    // it. Others (GitHub's `star+json`, `sarif+json`) describe other shapes.
    let chosen = content
        .iter()
        .find(|(m, _)| crate::lower::is_json(&m.to_ascii_lowercase()));
    if let Some((media_type, media)) = chosen {
        let media = resolve(root, media);
        let at = crate::diagnostics::pointer(&format!("{base}/content"), media_type);
        if let Some(value) = media.get("example") {
            found.push(Example {
                status: status.to_owned(),
                pointer: format!("{at}/example"),
                value: value.clone(),
            });
        }
        let Some(examples) = media.get("examples").and_then(Value::as_object) else {
            return;
        };
        for (name, example) in examples {
            if let Some(value) = example_value(root, example) {
                found.push(Example {
                    status: status.to_owned(),
                    pointer: crate::diagnostics::pointer(&format!("{at}/examples"), name),
                    value,
                });
            }
        }
    }
}

/// The value of an Example Object. GitHub writes `value: {$ref: '#/components/examples/x'}`,
/// a reference to a whole Example Object where the value belongs, so such a target gives its
/// own `value`.
fn example_value(root: &Value, example: &Value) -> Option<Value> {
    let example = resolve(root, example);
    if example.get("externalValue").is_some() && example.get("value").is_none() {
        return None;
    }
    let value = example.get("value")?;
    let names_an_example = value
        .get("$ref")
        .and_then(Value::as_str)
        .is_some_and(|r| r.starts_with("#/components/examples/"));
    let value = resolve(root, value);
    match (names_an_example, value.get("value")) {
        (true, Some(inner)) => Some(inner.clone()),
        _ => Some(value.clone()),
    }
}

fn collect_oai_meta(op: &Value, status: &str, op_pointer: &str, found: &mut Vec<Example>) {
    let listed: Vec<(String, &Value)> = match op.pointer("/x-oaiMeta/examples") {
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, e)| (format!("/x-oaiMeta/examples/{i}"), e))
            .collect(),
        Some(single @ Value::Object(_)) => vec![("/x-oaiMeta/examples".to_owned(), single)],
        _ => Vec::new(),
    };
    for (at, example) in listed {
        let Some(text) = example.get("response").and_then(Value::as_str) else {
            continue;
        };
        // Streaming examples are several JSON documents and are not a body; they fail to parse.
        if let Some(value) = lenient_json(text) {
            found.push(Example {
                status: status.to_owned(),
                pointer: format!("{op_pointer}{at}/response"),
                value,
            });
        }
    }
}

/// Parses JSON as documentation writes it, which sometimes leaves a comma before a closing
/// bracket. `None` when the text is not one JSON document.
pub fn lenient_json(text: &str) -> Option<Value> {
    let mut cleaned = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for (i, c) in text.char_indices() {
        if in_string {
            (escaped, in_string) = (!escaped && c == '\\', escaped || c != '"');
        } else if c == '"' {
            in_string = true;
        } else if c == ',' {
            let rest = text.get(i + 1..).unwrap_or_default().trim_start();
            if rest.starts_with('}') || rest.starts_with(']') {
                continue;
            }
        }
        cleaned.push(c);
    }
    serde_json::from_str(&cleaned).ok()
}

/// Follows local `$ref`s, as lowering resolves them, until a node that is not one (or one
/// that leads nowhere or back).
fn resolve<'v>(root: &'v Value, mut node: &'v Value) -> &'v Value {
    let mut seen = BTreeSet::new();
    while let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        let Some(target) =
            crate::lower::resolve(root, reference).filter(|_| seen.insert(reference))
        else {
            break;
        };
        node = target;
    }
    node
}

/// The JSON body type the generated client reads for `status`, if it reads one.
fn body_type<'a>(op: &'a Operation, status: &str) -> Option<&'a TypeRef> {
    let wanted = parse_status(status)?;
    let body = if is_success(wanted) {
        match &op.responses.success {
            SuccessResponse::Single(body) => Some(body),
            SuccessResponse::Enum { cases, .. } => {
                cases.iter().find(|c| c.status == wanted).map(|c| &c.body)
            }
        }
    } else {
        op.responses
            .errors
            .iter()
            .find(|c| c.status == wanted)
            .map(|c| &c.body)
    };
    match body? {
        ResponseBody::Json(t) => Some(t),
        _ => None,
    }
}

fn parse_status(key: &str) -> Option<StatusMatch> {
    if key == "default" {
        return Some(StatusMatch::Default);
    }
    if let Ok(code) = key.parse::<u16>() {
        return Some(StatusMatch::Code(code));
    }
    let digit = key.strip_suffix("XX").or_else(|| key.strip_suffix("xx"))?;
    digit.parse::<u8>().ok().map(StatusMatch::Range)
}

fn is_success(status: StatusMatch) -> bool {
    match status {
        StatusMatch::Code(code) => (200..300).contains(&code),
        StatusMatch::Range(digit) => digit == 2,
        StatusMatch::Default => false,
    }
}

/// A property to loosen so that an example reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Fix {
    ty: TypeId,
    field: usize,
    relax: Relax,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Relax {
    /// The example leaves the property out.
    Optional,
    /// The example has `null` in it.
    Nullable,
}

/// Where a value does not fit, innermost path segment first.
struct Mismatch {
    path: Vec<String>,
    reason: String,
    /// The loosening that would let the value through, when the conflict is one [`reconcile`]
    /// resolves.
    fix: Option<Fix>,
}

impl Mismatch {
    fn new(reason: impl Into<String>) -> Self {
        Mismatch {
            path: Vec::new(),
            reason: reason.into(),
            fix: None,
        }
    }

    fn within(mut self, segment: String) -> Self {
        self.path.push(segment);
        self
    }

    fn at(&self) -> String {
        let mut out = String::new();
        for segment in self.path.iter().rev() {
            if segment.starts_with('[') || out.is_empty() {
                out.push_str(segment);
            } else {
                let _ = write!(out, ".{segment}");
            }
        }
        out
    }
}

/// The most required properties an example object may leave out and still count as evidence
/// that each of them is optional.
const MAX_LEFT_OUT: usize = 3;

/// Walks example values against IR types.
struct Walker<'a> {
    api: &'a Api,
}

impl Walker<'_> {
    fn check(&self, ty: &TypeRef, value: &Value) -> Result<(), Mismatch> {
        let fits = match ty {
            TypeRef::Json | TypeRef::Unit => true,
            TypeRef::Bool => value.is_boolean(),
            TypeRef::Int(kind) => int_fits(*kind, value),
            TypeRef::Float(_) => value.is_number(),
            TypeRef::String => value.is_string(),
            TypeRef::DateTime => value
                .as_str()
                .is_some_and(|s| s.parse::<chrono::DateTime<chrono::Utc>>().is_ok()),
            TypeRef::Date => value
                .as_str()
                .is_some_and(|s| s.parse::<chrono::NaiveDate>().is_ok()),
            TypeRef::Uuid => value.as_str().is_some_and(is_uuid),
            TypeRef::Base64 => value.as_str().is_some_and(is_base64),
            TypeRef::Binary => false,
            TypeRef::Array(item) => {
                let Some(items) = value.as_array() else {
                    return Err(Mismatch::new(format!(
                        "expected an array, found {}",
                        kind_of(value)
                    )));
                };
                for (i, v) in items.iter().enumerate() {
                    self.check(item, v)
                        .map_err(|m| m.within(format!("[{i}]")))?;
                }
                true
            }
            TypeRef::Map(inner) => {
                let Some(map) = value.as_object() else {
                    return Err(Mismatch::new(format!(
                        "expected an object, found {}",
                        kind_of(value)
                    )));
                };
                for (k, v) in map {
                    self.check(inner, v).map_err(|m| m.within(k.clone()))?;
                }
                true
            }
            TypeRef::Nullable(inner) => return self.check_nullable(inner, value),
            TypeRef::Expandable(inner) => {
                if value.is_string() {
                    return Ok(());
                }
                return self.check(inner, value);
            }
            TypeRef::Named(id) | TypeRef::Boxed(id) => return self.check_named(*id, value),
        };
        if fits {
            Ok(())
        } else {
            Err(Mismatch::new(format!(
                "expected {}, found {}",
                expected_text(ty),
                kind_of(value)
            )))
        }
    }

    fn check_nullable(&self, inner: &TypeRef, value: &Value) -> Result<(), Mismatch> {
        if value.is_null() {
            Ok(())
        } else {
            self.check(inner, value)
        }
    }

    fn check_named(&self, id: TypeId, value: &Value) -> Result<(), Mismatch> {
        let Some(def) = self.api.types.get(&id) else {
            return Ok(());
        };
        match &def.kind {
            TypeKind::Alias(t) | TypeKind::Newtype(t) => self.check(t, value),
            TypeKind::StringEnum(_) if value.is_string() => Ok(()),
            TypeKind::IntEnum(_) if value.is_i64() => Ok(()),
            TypeKind::StringEnum(_) | TypeKind::IntEnum(_) => Err(Mismatch::new(format!(
                "{} takes a {}, found {}",
                def.name,
                if matches!(def.kind, TypeKind::IntEnum(_)) {
                    "integer"
                } else {
                    "string"
                },
                kind_of(value)
            ))),
            TypeKind::Struct(s) => {
                let Some(object) = value.as_object() else {
                    return Err(Mismatch::new(format!(
                        "{} is an object, found {}",
                        def.name,
                        kind_of(value)
                    )));
                };
                // An example that leaves out many required properties is a shortened one (a
                // user with only a login), not evidence about each property.
                let missing = s
                    .fields
                    .iter()
                    .filter(|f| {
                        (f.presence == Presence::Required || f.loosened_by_example)
                            && !object.contains_key(&f.wire_name)
                            && !self.accepts_null(&f.ty)
                    })
                    .count();
                if missing > MAX_LEFT_OUT {
                    return Err(Mismatch::new(format!(
                        "leaves out {missing} required properties of {}, so it is taken as a shortened example",
                        def.name
                    )));
                }
                for (index, field) in s.fields.iter().enumerate() {
                    let fix = |relax| Fix {
                        ty: id,
                        field: index,
                        relax,
                    };
                    let found = object.get(&field.wire_name);
                    let result = match (field.presence, found) {
                        (Presence::Required, None) if !self.accepts_null(&field.ty) => {
                            Err(Mismatch {
                                fix: Some(fix(Relax::Optional)),
                                ..Mismatch::new(format!(
                                    "missing required property `{}` of {}",
                                    field.wire_name, def.name
                                ))
                            })
                        }
                        (_, None) => Ok(()),
                        (Presence::Required, Some(Value::Null)) => {
                            self.check(&field.ty, &Value::Null).map_err(|m| Mismatch {
                                fix: Some(fix(Relax::Nullable)),
                                ..m
                            })
                        }
                        // As the generated readers do, a number property takes a string
                        // that holds the number.
                        (presence, Some(Value::String(text)))
                            if presence != Presence::OptionalNullable
                                && number_in_text(&field.ty, text) =>
                        {
                            Ok(())
                        }
                        (Presence::Required, Some(v)) => self.check(&field.ty, v),
                        (_, Some(v)) => self.check_nullable(&field.ty, v),
                    };
                    result.map_err(|m| m.within(field.wire_name.clone()))?;
                }
                if let Some(extra) = &s.extra {
                    let named: BTreeSet<&str> =
                        s.fields.iter().map(|f| f.wire_name.as_str()).collect();
                    for (k, v) in object.iter().filter(|(k, _)| !named.contains(k.as_str())) {
                        self.check(extra, v).map_err(|m| m.within(k.clone()))?;
                    }
                }
                Ok(())
            }
            TypeKind::Union(u) => {
                let candidates: Vec<&TypeRef> = match &u.tagging {
                    Tagging::Discriminator { property } => {
                        let Some(tag) = value.get(property).and_then(Value::as_str) else {
                            return Ok(());
                        };
                        let chosen: Vec<&TypeRef> = u
                            .variants
                            .iter()
                            .filter(|v| v.tags.iter().any(|t| t == tag))
                            .map(|v| &v.ty)
                            .collect();
                        if chosen.is_empty() {
                            return Ok(());
                        }
                        chosen
                    }
                    Tagging::Untagged => u.variants.iter().map(|v| &v.ty).collect(),
                };
                let count = candidates.len();
                let mut closest: Option<Mismatch> = None;
                for ty in candidates {
                    match self.check(ty, value) {
                        Ok(()) => return Ok(()),
                        // The variant that got deepest into the value is taken as the one the
                        // value was meant to be, as JSON Schema validators pick a best match.
                        Err(m) if closest.as_ref().is_none_or(|c| m.path.len() > c.path.len()) => {
                            closest = Some(m);
                        }
                        Err(_) => {}
                    }
                }
                match closest {
                    Some(m) if count == 1 => Err(m),
                    // Which variant the value was meant to be is a guess here, so the conflict
                    // is reported but never reconciled: loosening the wrong variant until the
                    // value fits would loosen, say, every property of GitHub's user type
                    // because a team appears where a user or a team may.
                    Some(m) => Err(Mismatch {
                        reason: format!(
                            "no variant of {} fits; the closest of {count}: {}",
                            def.name, m.reason
                        ),
                        fix: None,
                        ..m
                    }),
                    None => Err(Mismatch::new(format!("{} has no variants", def.name))),
                }
            }
        }
    }

    /// True when the Rust type is an `Option` (which reads an absent property as `None`).
    fn accepts_null(&self, ty: &TypeRef) -> bool {
        let mut current = ty;
        for _ in 0..64 {
            match current {
                TypeRef::Nullable(_) => return true,
                TypeRef::Named(id) | TypeRef::Boxed(id) => match self.api.types.get(id) {
                    Some(def) => match &def.kind {
                        TypeKind::Alias(t) => current = t,
                        _ => return false,
                    },
                    None => return false,
                },
                _ => return false,
            }
        }
        false
    }
}

/// True when `ty` is a number type and `text` holds one that fits it.
fn number_in_text(ty: &TypeRef, text: &str) -> bool {
    let text = text.trim();
    match ty {
        TypeRef::Float(_) => text.parse::<f64>().is_ok(),
        TypeRef::Int(IntKind::I32) => text.parse::<i32>().is_ok(),
        TypeRef::Int(IntKind::I64) => text.parse::<i64>().is_ok(),
        TypeRef::Int(IntKind::U32) => text.parse::<u32>().is_ok(),
        TypeRef::Int(IntKind::U64) => text.parse::<u64>().is_ok(),
        _ => false,
    }
}

fn int_fits(kind: IntKind, value: &Value) -> bool {
    match kind {
        IntKind::I32 => value.as_i64().is_some_and(|v| i32::try_from(v).is_ok()),
        IntKind::I64 => value.is_i64(),
        IntKind::U32 => value.as_u64().is_some_and(|v| u32::try_from(v).is_ok()),
        IntKind::U64 => value.is_u64(),
    }
}

/// The forms `uuid::Uuid::parse_str` takes: simple, hyphenated, braced and URN.
fn is_uuid(s: &str) -> bool {
    let s = s.strip_prefix("urn:uuid:").unwrap_or(s);
    let s = s
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(s);
    let hex =
        |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_hexdigit());
    let parts: Vec<&str> = s.split('-').collect();
    match parts.as_slice() {
        [simple] => hex(simple, 32),
        [a, b, c, d, e] => hex(a, 8) && hex(b, 4) && hex(c, 4) && hex(d, 4) && hex(e, 12),
        _ => false,
    }
}

/// Standard or URL-safe base64 with or without padding, as the runtime's `Base64` reads it.
fn is_base64(s: &str) -> bool {
    let s = s.trim().trim_end_matches('=');
    let standard = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    let url_safe = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (standard || url_safe) && s.len() % 4 != 1
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn expected_text(ty: &TypeRef) -> &'static str {
    match ty {
        TypeRef::Bool => "a boolean",
        TypeRef::Int(IntKind::I32) => "an i32",
        TypeRef::Int(IntKind::I64) => "an i64",
        TypeRef::Int(IntKind::U32) => "a u32",
        TypeRef::Int(IntKind::U64) => "a u64",
        TypeRef::Float(_) => "a number",
        TypeRef::String => "a string",
        TypeRef::DateTime => "an RFC 3339 date-time",
        TypeRef::Date => "a YYYY-MM-DD date",
        TypeRef::Uuid => "a UUID",
        TypeRef::Base64 => "base64 text",
        TypeRef::Binary => "no binary in a JSON body",
        _ => "another shape",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lenient_json_drops_trailing_commas_outside_strings() {
        assert_eq!(
            lenient_json("{\"a\": [1, 2,], \"b\": \",}\",\n}"),
            Some(json!({"a": [1, 2], "b": ",}"}))
        );
        assert_eq!(lenient_json("{\"a\": 1}\n\n{\"a\": 2}"), None);
    }

    #[test]
    fn uuids_and_base64_are_recognized_in_the_runtime_forms() {
        assert!(is_uuid("67e55044-10b1-426f-9247-bb680e5fe0c8"));
        assert!(is_uuid("{67e5504410b1426f9247bb680e5fe0c8}"));
        assert!(!is_uuid("67e55044-10b1-426f-9247"));
        assert!(is_base64("aGVsbG8="));
        assert!(is_base64("aGVsbG8"));
        assert!(!is_base64("a"));
        assert!(!is_base64("not base64!"));
    }
}
