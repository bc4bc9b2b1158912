//! Schemas → types.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Lowerer, resolve};
use crate::diagnostics::{DiagnosticKind, pointer};
use crate::ir::{
    Docs, EnumVariant, Field, FloatKind, IntKind, IntVariant, Presence, StringEnumDef, StructDef,
    Tagging, TypeKind, TypeRef, UnionDef, UnionVariant,
};
use crate::naming::{self, Scope};

/// Enums with more values than this become plain strings: a type with that many variants helps
/// nobody and slows every build.
const MAX_ENUM_VALUES: usize = 2000;

/// What a schema is, read leniently from its keywords.
enum Shape<'v> {
    Ref(&'v str),
    Union {
        members: Vec<(&'v Value, String)>,
        discriminator: Option<&'v Value>,
    },
    AllOf(Vec<(&'v Value, String)>),
    StringEnum(Vec<String>),
    IntEnum(Vec<i64>),
    Object,
    Map(Option<(&'v Value, String)>),
    Array(Option<(&'v Value, String)>),
    Primitive(TypeRef),
}

/// The properties of an object, after `allOf` parts are merged.
struct ObjectSpec<'v> {
    props: Vec<Prop<'v>>,
    additional: Additional<'v>,
}

struct Prop<'v> {
    name: String,
    schema: &'v Value,
    ptr: String,
    required: bool,
}

enum Additional<'v> {
    No,
    Any,
    Schema(&'v Value, String),
}

pub(crate) fn docs_of(node: &Value) -> Docs {
    let text = |k: &str| {
        node.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Docs {
        summary: text("title"),
        description: text("description"),
        deprecated: node
            .get("deprecated")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    }
}

fn is_nullable(node: &Value) -> bool {
    let flag = |k: &str| node.get(k).and_then(Value::as_bool).unwrap_or(false);
    flag("nullable") || flag("x-nullable") || flag("x-sdkgen-null")
}

fn is_null_schema(node: &Value) -> bool {
    node.get("type").and_then(Value::as_str) == Some("null") || node.get("x-sdkgen-null").is_some()
}

fn members_of<'v>(node: &'v Value, key: &str, ptr: &str) -> Option<Vec<(&'v Value, String)>> {
    let arr = node.get(key)?.as_array()?;
    if arr.is_empty() {
        return None;
    }
    let base = pointer(ptr, key);
    Some(
        arr.iter()
            .enumerate()
            .map(|(i, m)| (m, pointer(&base, &i.to_string())))
            .collect(),
    )
}

/// A plain string with no enum and no format that changes its Rust type.
fn is_plain_string(node: &Value) -> bool {
    node.get("type").and_then(Value::as_str) == Some("string")
        && node.get("enum").is_none()
        && !matches!(
            node.get("format").and_then(Value::as_str),
            Some("date-time" | "date" | "uuid" | "byte" | "binary")
        )
}

fn primitive(node: &Value) -> Option<TypeRef> {
    let ty = node.get("type")?.as_str()?;
    let format = node.get("format").and_then(Value::as_str).unwrap_or("");
    Some(match ty {
        "string" => match format {
            "date-time" => TypeRef::DateTime,
            "date" => TypeRef::Date,
            "uuid" => TypeRef::Uuid,
            "byte" => TypeRef::Base64,
            "binary" => TypeRef::Binary,
            _ => TypeRef::String,
        },
        "integer" => {
            let non_negative = node
                .get("minimum")
                .and_then(Value::as_f64)
                .is_some_and(|m| m >= 0.0);
            TypeRef::Int(match format {
                "int32" | "int8" | "int16" => IntKind::I32,
                "uint32" | "uint8" | "uint16" => IntKind::U32,
                "uint64" | "uint" => IntKind::U64,
                _ if format.starts_with("uint") && non_negative => IntKind::U64,
                _ => IntKind::I64,
            })
        }
        "number" => TypeRef::Float(if format == "float" {
            FloatKind::F32
        } else {
            FloatKind::F64
        }),
        "boolean" => TypeRef::Bool,
        _ => return None,
    })
}

impl<'a> Lowerer<'a> {
    fn classify(&mut self, node: &'a Value, ptr: &str) -> Shape<'a> {
        let Some(obj) = node.as_object() else {
            if !node.is_boolean() {
                self.diags.warn(
                    DiagnosticKind::InvalidSchema,
                    ptr,
                    "a schema must be an object",
                );
            }
            return Shape::Primitive(TypeRef::Json);
        };
        if let Some(r) = obj.get("$ref") {
            if let Some(r) = r.as_str() {
                return Shape::Ref(r);
            }
            self.diags.warn(
                DiagnosticKind::InvalidSchema,
                ptr,
                "`$ref` must be a string",
            );
            return Shape::Primitive(TypeRef::Json);
        }
        let union = members_of(node, "oneOf", ptr).or_else(|| members_of(node, "anyOf", ptr));
        if let Some(members) = union {
            // `oneOf: [{required: [a]}, {required: [b]}]` beside `properties` only constrains the object.
            let constraint_only = obj.contains_key("properties")
                && members.iter().all(|(m, _)| {
                    m.get("$ref").is_none()
                        && m.get("type").is_none()
                        && m.get("properties").is_none()
                });
            if !constraint_only {
                if let Some(shape) = string_union_shape(&members) {
                    return shape;
                }
                return Shape::Union {
                    members,
                    discriminator: obj.get("discriminator"),
                };
            }
        }
        if let Some(parts) = members_of(node, "allOf", ptr) {
            return Shape::AllOf(parts);
        }
        if let Some(values) = obj.get("enum").and_then(Value::as_array) {
            if let Some(shape) = self.enum_shape(node, values, ptr) {
                return shape;
            }
        }
        let ty = obj.get("type").and_then(Value::as_str);
        let has_props = obj
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty());
        match ty {
            Some("object") | None if has_props => Shape::Object,
            Some("object") | None if obj.contains_key("additionalProperties") || ty.is_some() => {
                match obj.get("additionalProperties") {
                    Some(ap @ Value::Object(_)) => {
                        Shape::Map(Some((ap, pointer(ptr, "additionalProperties"))))
                    }
                    _ => Shape::Map(None),
                }
            }
            Some("array") => Shape::Array(obj.get("items").map(|i| (i, pointer(ptr, "items")))),
            None if obj.contains_key("items") => {
                Shape::Array(obj.get("items").map(|i| (i, pointer(ptr, "items"))))
            }
            Some(_) => match primitive(node) {
                Some(t) => Shape::Primitive(t),
                None => {
                    if ty != Some("null") {
                        self.diags.warn(
                            DiagnosticKind::UnsupportedSchema,
                            ptr,
                            format!(
                                "unknown type `{}`; using serde_json::Value",
                                ty.unwrap_or_default()
                            ),
                        );
                    }
                    Shape::Primitive(TypeRef::Json)
                }
            },
            None => Shape::Primitive(TypeRef::Json),
        }
    }

    fn enum_shape(&mut self, node: &Value, values: &[Value], ptr: &str) -> Option<Shape<'a>> {
        let non_null: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
        if non_null.is_empty() {
            return None;
        }
        let ty = node.get("type").and_then(Value::as_str);
        if non_null.iter().all(|v| v.is_string()) && matches!(ty, None | Some("string")) {
            if non_null.len() > MAX_ENUM_VALUES {
                self.diags.warn(
                    DiagnosticKind::UnsupportedSchema,
                    ptr,
                    format!(
                        "an enum of {} values is generated as a plain string",
                        non_null.len()
                    ),
                );
                return Some(Shape::Primitive(TypeRef::String));
            }
            let mut seen = BTreeSet::new();
            let vals = non_null
                .iter()
                .filter_map(|v| v.as_str())
                .filter(|s| seen.insert(*s))
                .map(str::to_owned);
            return Some(Shape::StringEnum(vals.collect()));
        }
        if non_null.iter().all(|v| v.is_i64()) && matches!(ty, None | Some("integer")) {
            if non_null.len() > MAX_ENUM_VALUES {
                return Some(Shape::Primitive(TypeRef::Int(IntKind::I64)));
            }
            let mut seen = BTreeSet::new();
            let vals = non_null
                .iter()
                .filter_map(|v| v.as_i64())
                .filter(|i| seen.insert(*i));
            return Some(Shape::IntEnum(vals.collect()));
        }
        // Enums of booleans or numbers, or mixed ones, keep their base type.
        None
    }

    /// Lowers a schema in a position that may hold an inline type named `ctx`.
    pub(super) fn lower_schema(&mut self, node: &'a Value, ptr: &str, ctx: &str) -> TypeRef {
        let nullable = is_nullable(node);
        let ty = match self.classify(node, ptr) {
            Shape::Ref(r) => self.ref_type(r, ptr),
            Shape::Primitive(t) => t,
            Shape::Array(items) => {
                let item = match items {
                    // An item that refers to a schema marked nullable may be null: GitHub's
                    // branch-protection `apps` lists `nullable-integration` items.
                    Some((i, iptr)) if self.ref_target_nullable(i) => {
                        make_nullable(self.lower_schema(i, &iptr, &format!("{ctx}Item")))
                    }
                    Some((i, iptr)) => self.lower_schema(i, &iptr, &format!("{ctx}Item")),
                    None => TypeRef::Json,
                };
                TypeRef::Array(Box::new(item))
            }
            Shape::Map(values) => {
                let value = match values {
                    Some((v, vptr)) => self.lower_schema(v, &vptr, &format!("{ctx}Value")),
                    None => TypeRef::Json,
                };
                TypeRef::Map(Box::new(value))
            }
            Shape::Union { members, .. } => match self.collapse_union(&members, ctx) {
                Some(t) => t,
                None => self.inline_named(node, ptr, ctx),
            },
            Shape::AllOf(parts) => match self.collapse_all_of(node, &parts, ctx) {
                Some(t) => t,
                None => self.inline_named(node, ptr, ctx),
            },
            Shape::Object | Shape::StringEnum(_) | Shape::IntEnum(_) => {
                self.inline_named(node, ptr, ctx)
            }
        };
        if nullable { make_nullable(ty) } else { ty }
    }

    /// A named type for an inline schema, shared with any `$ref` that points at the same place.
    fn inline_named(&mut self, node: &'a Value, ptr: &str, ctx: &str) -> TypeRef {
        if let Some(id) = self.by_pointer.get(ptr) {
            return TypeRef::Named(*id);
        }
        let name = node
            .get("title")
            .and_then(Value::as_str)
            .filter(|t| !t.trim().is_empty() && t.len() < 60);
        let base = match name {
            // A title names the type better than its position, unless it is already taken.
            Some(title) if !self.type_names.is_taken(&naming::type_name(title)) => {
                naming::type_name(title)
            }
            _ => naming::type_name(ctx),
        };
        let id = self.new_id(&base);
        self.by_pointer.insert(ptr.to_owned(), id);
        let name = self.name_of(id);
        let kind = self.lower_named_kind(node, ptr, &name);
        self.insert_type(id, name, kind, docs_of(node), ptr.to_owned());
        TypeRef::Named(id)
    }

    /// The type a `$ref` names.
    pub(super) fn ref_type(&mut self, reference: &str, at: &str) -> TypeRef {
        if let Some(id) = self.by_pointer.get(reference) {
            return TypeRef::Named(*id);
        }
        let root = self.root;
        if resolve(root, reference).is_none() {
            self.diags.warn(
                DiagnosticKind::UnresolvedRef,
                at,
                format!("`$ref: {reference}` points at nothing; using serde_json::Value"),
            );
            return TypeRef::Json;
        }
        let last = reference
            .rsplit('/')
            .next()
            .unwrap_or("Value")
            .replace("~1", "/")
            .replace("~0", "~");
        TypeRef::Named(self.allocate(reference, &naming::type_name(&last)))
    }

    /// True when `node` refers to a schema marked nullable: through a chain of `$ref`s, or a
    /// one-member `allOf`/`anyOf`/`oneOf` around one.
    fn ref_target_nullable(&self, node: &Value) -> bool {
        let root = self.root;
        let mut seen = BTreeSet::new();
        let lone_member = ["allOf", "anyOf", "oneOf"]
            .iter()
            .find_map(|k| match node.get(*k) {
                Some(Value::Array(members)) if members.len() == 1 => members.first(),
                _ => None,
            });
        let mut current = lone_member
            .unwrap_or(node)
            .get("$ref")
            .and_then(Value::as_str);
        while let Some(reference) = current {
            if !seen.insert(reference) {
                return false;
            }
            let Some(target) = resolve(root, reference) else {
                return false;
            };
            if is_nullable(target) {
                return true;
            }
            current = target.get("$ref").and_then(Value::as_str);
        }
        false
    }

    /// Decides what a named type is.
    ///
    /// A named type describes the non-null values of its schema, so an alias of a schema marked
    /// `nullable` drops the outer `Option`: the properties that refer to it say whether they may
    /// be null (see [`Self::lower_struct`]).
    pub(super) fn lower_named_kind(&mut self, node: &'a Value, ptr: &str, name: &str) -> TypeKind {
        let nullable = is_nullable(node);
        let wrap = |t: TypeRef| match t {
            TypeRef::Nullable(inner) if nullable => *inner,
            other => other,
        };
        match self.classify(node, ptr) {
            Shape::Object => TypeKind::Struct(self.lower_struct_from(node, ptr, name)),
            Shape::StringEnum(values) => TypeKind::StringEnum(lower_string_enum(&values)),
            Shape::IntEnum(values) => TypeKind::IntEnum(lower_int_enum(node, &values)),
            Shape::Union {
                members,
                discriminator,
            } => match self.collapse_union(&members, name) {
                Some(t) => TypeKind::Alias(wrap(t)),
                None => TypeKind::Union(self.lower_union(&members, discriminator, ptr, name)),
            },
            Shape::AllOf(parts) => match self.collapse_all_of(node, &parts, name) {
                Some(t) => TypeKind::Alias(wrap(t)),
                None => match self.merge_all_of(node, ptr) {
                    Some(spec) => TypeKind::Struct(self.lower_struct(spec, name)),
                    None => TypeKind::Alias(TypeRef::Json),
                },
            },
            Shape::Ref(r) => {
                if self.ref_chain_cycles(ptr, r) {
                    self.diags.warn(DiagnosticKind::RefCycle, ptr, format!("`$ref: {r}` leads back here without reaching a schema; using serde_json::Value"));
                    TypeKind::Alias(TypeRef::Json)
                } else {
                    TypeKind::Alias(wrap(self.ref_type(r, ptr)))
                }
            }
            Shape::Primitive(_) | Shape::Array(_) | Shape::Map(_) => {
                TypeKind::Alias(wrap(self.lower_schema(node, ptr, name)))
            }
        }
    }

    /// True when following `$ref`s from `start` comes back to it before reaching a schema.
    fn ref_chain_cycles(&self, start: &str, first: &str) -> bool {
        let root = self.root;
        let mut seen = BTreeSet::new();
        seen.insert(start.to_owned());
        let mut current = first.to_owned();
        loop {
            if !seen.insert(current.clone()) {
                return true;
            }
            let Some(target) = resolve(root, &current) else {
                return false;
            };
            match target.get("$ref").and_then(Value::as_str) {
                Some(next) => current = next.to_owned(),
                None => return false,
            }
        }
    }

    fn lower_struct_from(&mut self, node: &'a Value, ptr: &str, name: &str) -> StructDef {
        let spec = object_spec(node, ptr);
        self.lower_struct(spec, name)
    }

    fn lower_struct(&mut self, spec: ObjectSpec<'a>, name: &str) -> StructDef {
        let mut scope = Scope::new();
        let mut fields = Vec::with_capacity(spec.props.len());
        for prop in spec.props {
            let ctx = format!("{name}{}", naming::type_name(&prop.name));
            let ty = self.lower_schema(prop.schema, &prop.ptr, &ctx);
            let (ty, nullable) = match ty {
                TypeRef::Nullable(inner) => (*inner, true),
                other => (other, false),
            };
            // A property that refers to a schema marked nullable (GitHub's `auto_merge` and
            // `assignee`, say) may be null, and so may array items (see `Shape::Array`). A
            // body that refers to one is taken as the value itself: GitHub marks
            // `integration` nullable for its properties, yet `GET /app` always returns one.
            let nullable = nullable || self.ref_target_nullable(prop.schema);
            let presence = match (prop.required, nullable) {
                (true, false) => Presence::Required,
                (true, true) => Presence::RequiredNullable,
                (false, false) => Presence::Optional,
                (false, true) => Presence::OptionalNullable,
            };
            let read_only = prop
                .schema
                .get("readOnly")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            fields.push(Field {
                rust_name: scope.claim(&naming::field_name(&prop.name)),
                wire_name: prop.name,
                ty,
                presence,
                docs: docs_of(prop.schema),
                read_only,
                loosened_by_example: false,
            });
        }
        let extra = match spec.additional {
            Additional::No => None,
            Additional::Any => Some(TypeRef::Json),
            Additional::Schema(node, aptr) => {
                Some(self.lower_schema(node, &aptr, &format!("{name}Extra")))
            }
        };
        StructDef { fields, extra }
    }

    /// Collapses unions that are really one type: `X | null`, an id-or-object, or a lone member.
    fn collapse_union(&mut self, members: &[(&'a Value, String)], ctx: &str) -> Option<TypeRef> {
        let root = self.root;
        let nullable = members.iter().any(|(m, _)| is_null_schema(m));
        let rest: Vec<&(&Value, String)> =
            members.iter().filter(|(m, _)| !is_null_schema(m)).collect();
        let wrap = |t: TypeRef| if nullable { make_nullable(t) } else { t };
        match rest.as_slice() {
            [] => Some(TypeRef::Json),
            [(only, optr)] => {
                let t = self.lower_schema(only, optr, ctx);
                Some(wrap(t))
            }
            [(a, _), (b, bptr)] | [(b, bptr), (a, _)]
                if is_plain_string(a)
                    && b.get("$ref")
                        .and_then(Value::as_str)
                        .and_then(|r| resolve(root, r))
                        .is_some_and(is_object_like) =>
            {
                let inner = self.lower_schema(b, bptr, ctx);
                Some(wrap(TypeRef::Expandable(Box::new(inner))))
            }
            _ => None,
        }
    }

    fn lower_union(
        &mut self,
        members: &[(&'a Value, String)],
        discriminator: Option<&'a Value>,
        ptr: &str,
        name: &str,
    ) -> UnionDef {
        let members: Vec<&(&Value, String)> =
            members.iter().filter(|(m, _)| !is_null_schema(m)).collect();
        let property = discriminator
            .and_then(|d| d.get("propertyName"))
            .and_then(Value::as_str);
        let mapping: BTreeMap<String, String> = discriminator
            .and_then(|d| d.get("mapping"))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let mut scope = Scope::with_reserved(&["Unknown"]);
        let mut variants = Vec::with_capacity(members.len());
        let mut all_tagged = property.is_some();
        for (i, (member, mptr)) in members.iter().enumerate() {
            let tags = match property {
                Some(prop) => self.tags_for(member, prop, &mapping),
                None => Vec::new(),
            };
            if tags.is_empty() {
                all_tagged = false;
            }
            let ctx = match tags.as_slice() {
                [tag] => format!("{name}{}", naming::type_name(tag)),
                _ => format!("{name}Variant{}", i + 1),
            };
            let ty = self.lower_schema(member, mptr, &ctx);
            let base = match &ty {
                TypeRef::Named(id) | TypeRef::Boxed(id) => self.name_of(*id),
                other => variant_name_for(other),
            };
            let base = match tags.as_slice() {
                [tag] if property.is_some() => naming::variant_name(tag),
                _ => base,
            };
            let rank = self.rank(member, 0);
            variants.push((
                rank,
                i,
                UnionVariant {
                    rust_name: scope.claim(&base),
                    ty,
                    tags,
                },
            ));
        }
        if property.is_some() && !all_tagged {
            self.diags.warn(
                DiagnosticKind::UnsupportedSchema,
                ptr,
                "a discriminator whose variants have no tag value; the union is untagged",
            );
        }
        let tagging = match property {
            Some(p) if all_tagged => Tagging::Discriminator {
                property: p.to_owned(),
            },
            _ => {
                // Serde tries untagged variants in order, so the most specific go first.
                variants.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
                Tagging::Untagged
            }
        };
        UnionDef {
            variants: variants.into_iter().map(|(_, _, v)| v).collect(),
            tagging,
        }
    }

    /// Discriminator values selecting a member: explicit mapping entries, else the schema's name,
    /// else a one-value enum on the discriminator property.
    fn tags_for(
        &self,
        member: &Value,
        property: &str,
        mapping: &BTreeMap<String, String>,
    ) -> Vec<String> {
        let root = self.root;
        if let Some(r) = member.get("$ref").and_then(Value::as_str) {
            let short = r.rsplit('/').next().unwrap_or(r);
            let mapped: Vec<String> = mapping
                .iter()
                .filter(|(_, target)| *target == r || *target == short)
                .map(|(k, _)| k.clone())
                .collect();
            if !mapped.is_empty() {
                return mapped;
            }
            // A member whose discriminator property is an enum is selected by any of its values
            // (OpenAI's comparison filter: `eq`, `ne`, `gt`, ...); only without one does the
            // schema's own name stand in, as OpenAPI's implicit mapping says.
            if let Some(target) = resolve(root, r) {
                let values = enum_values(target, property);
                if !values.is_empty() {
                    return values;
                }
            }
            return vec![short.to_owned()];
        }
        enum_values(member, property)
    }

    /// Orders untagged variants: lower ranks are tried first.
    fn rank(&self, node: &Value, depth: u8) -> (u8, i64) {
        let root = self.root;
        if depth > 16 {
            return (90, 0);
        }
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            return match resolve(root, r) {
                Some(target) => self.rank(target, depth + 1),
                None => (90, 0),
            };
        }
        if is_object_like(node) || node.get("allOf").is_some() {
            let required = node
                .get("required")
                .and_then(Value::as_array)
                .map_or(0, Vec::len) as i64;
            let props = node
                .get("properties")
                .and_then(Value::as_object)
                .map_or(0, |p| p.len()) as i64;
            // Objects with more required fields are more specific; ties go to more properties.
            return (10, -(required * 1000 + props));
        }
        if node.get("oneOf").is_some() || node.get("anyOf").is_some() {
            return (15, 0);
        }
        match node.get("type").and_then(Value::as_str) {
            Some("array") => (12, 0),
            Some("boolean") => (20, 0),
            Some("integer") => (21, 0),
            Some("number") => (22, 0),
            Some("string") if node.get("enum").is_some() => (24, 0),
            Some("string") if !is_plain_string(node) => (25, 0),
            Some("string") => (31, 0),
            _ => (50, 0),
        }
    }

    /// Simplifies `allOf`s that are one type in disguise.
    fn collapse_all_of(
        &mut self,
        node: &'a Value,
        parts: &[(&'a Value, String)],
        ctx: &str,
    ) -> Option<TypeRef> {
        let own_props = node
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty());
        if own_props {
            return None;
        }
        let substantive: Vec<&(&Value, String)> = parts
            .iter()
            .filter(|(p, _)| !is_annotation_only(p))
            .collect();
        match substantive.as_slice() {
            [] => Some(TypeRef::Json),
            [(only, optr)] => Some(self.lower_schema(only, optr, ctx)),
            _ => None,
        }
    }

    /// Merges the parts of an `allOf` into one object, or `None` when a part is not an object.
    fn merge_all_of(&mut self, node: &'a Value, ptr: &str) -> Option<ObjectSpec<'a>> {
        let mut spec = ObjectSpec {
            props: Vec::new(),
            additional: Additional::No,
        };
        let mut required = BTreeSet::new();
        let mut visited = BTreeSet::new();
        if !self.collect_parts(node, ptr, &mut spec, &mut required, &mut visited) {
            self.diags.warn(
                DiagnosticKind::UnsupportedSchema,
                ptr,
                "an `allOf` mixes objects with non-objects; using serde_json::Value",
            );
            return None;
        }
        for prop in &mut spec.props {
            prop.required = required.contains(&prop.name);
        }
        Some(spec)
    }

    fn collect_parts(
        &mut self,
        node: &'a Value,
        ptr: &str,
        spec: &mut ObjectSpec<'a>,
        required: &mut BTreeSet<String>,
        visited: &mut BTreeSet<String>,
    ) -> bool {
        let root = self.root;
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            if !visited.insert(r.to_owned()) {
                return true;
            }
            return match resolve(root, r) {
                Some(target) => self.collect_parts(target, r, spec, required, visited),
                None => false,
            };
        }
        if let Some(parts) = members_of(node, "allOf", ptr) {
            for (part, pptr) in parts {
                if !self.collect_parts(part, &pptr, spec, required, visited) {
                    return false;
                }
            }
        }
        if node.get("oneOf").is_some() || node.get("anyOf").is_some() {
            return node.get("properties").is_some();
        }
        let ty = node.get("type").and_then(Value::as_str);
        if !matches!(ty, None | Some("object")) {
            return false;
        }
        let own = object_spec(node, ptr);
        for prop in own.props {
            match spec.props.iter_mut().find(|p| p.name == prop.name) {
                Some(existing) => *existing = prop,
                None => spec.props.push(prop),
            }
        }
        if !matches!(own.additional, Additional::No) {
            spec.additional = own.additional;
        }
        if let Some(req) = node.get("required").and_then(Value::as_array) {
            required.extend(req.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        true
    }
}

fn make_nullable(t: TypeRef) -> TypeRef {
    match t {
        TypeRef::Nullable(_) | TypeRef::Json | TypeRef::Unit => t,
        other => TypeRef::Nullable(Box::new(other)),
    }
}

fn is_object_like(node: &Value) -> bool {
    node.get("properties").is_some() || node.get("type").and_then(Value::as_str) == Some("object")
}

fn is_annotation_only(node: &Value) -> bool {
    node.as_object().is_some_and(|o| {
        o.keys().all(|k| {
            matches!(
                k.as_str(),
                "description"
                    | "title"
                    | "example"
                    | "examples"
                    | "default"
                    | "deprecated"
                    | "nullable"
                    | "readOnly"
                    | "writeOnly"
                    | "externalDocs"
            ) || k.starts_with("x-")
        })
    })
}

/// The string values an object's `property` is limited to by an `enum`, in the spec's order.
fn enum_values(node: &Value, property: &str) -> Vec<String> {
    node.get("properties")
        .and_then(|p| p.get(property))
        .and_then(|p| p.get("enum"))
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn object_spec<'v>(node: &'v Value, ptr: &str) -> ObjectSpec<'v> {
    let required: BTreeSet<&str> = node
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let props_ptr = pointer(ptr, "properties");
    let props = node
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .map(|(name, schema)| Prop {
                    name: name.clone(),
                    schema,
                    ptr: pointer(&props_ptr, name),
                    required: required.contains(name.as_str()),
                })
                .collect()
        })
        .unwrap_or_default();
    let additional = match node.get("additionalProperties") {
        Some(Value::Bool(true)) => Additional::Any,
        Some(ap @ Value::Object(o)) if o.is_empty() => {
            let _ = ap;
            Additional::Any
        }
        Some(ap @ Value::Object(_)) => Additional::Schema(ap, pointer(ptr, "additionalProperties")),
        _ => Additional::No,
    };
    ObjectSpec { props, additional }
}

/// Unions of strings are one string enum (or a plain string): `anyOf: [string, enum]` means
/// "any string, and these are the known ones", which the enum's fallback variant expresses.
fn string_union_shape<'v>(members: &[(&'v Value, String)]) -> Option<Shape<'v>> {
    let mut values = Vec::new();
    for (m, _) in members {
        if is_null_schema(m) {
            continue;
        }
        if m.get("$ref").is_some() || m.get("type").and_then(Value::as_str) != Some("string") {
            return None;
        }
        if matches!(
            m.get("format").and_then(Value::as_str),
            Some("date-time" | "date" | "uuid" | "byte" | "binary")
        ) {
            return None;
        }
        if let Some(e) = m.get("enum").and_then(Value::as_array) {
            values.extend(e.iter().filter_map(Value::as_str).map(str::to_owned));
        }
    }
    if members.iter().all(|(m, _)| is_null_schema(m)) {
        return None;
    }
    if values.is_empty() {
        // Nullability of the members is carried by collapse into Option at the field.
        if members.iter().any(|(m, _)| is_null_schema(m)) {
            return None;
        }
        return Some(Shape::Primitive(TypeRef::String));
    }
    if members.iter().any(|(m, _)| is_null_schema(m)) {
        return None;
    }
    let mut seen = BTreeSet::new();
    values.retain(|v| seen.insert(v.clone()));
    Some(Shape::StringEnum(values))
}

fn lower_string_enum(values: &[String]) -> StringEnumDef {
    let mut scope = Scope::new();
    let variants: Vec<EnumVariant> = values
        .iter()
        .map(|v| EnumVariant {
            rust_name: scope.claim(&naming::variant_name(v)),
            wire: v.clone(),
        })
        .collect();
    StringEnumDef {
        variants,
        fallback: scope.claim("Unknown"),
    }
}

fn lower_int_enum(node: &Value, values: &[i64]) -> Vec<IntVariant> {
    let names: Vec<&str> = node
        .get("x-enum-varnames")
        .or_else(|| node.get("x-enumNames"))
        .and_then(Value::as_array)
        .map(|n| n.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut scope = Scope::new();
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let base = match names.get(i) {
                Some(n) if names.len() == values.len() => {
                    heck::ToShoutySnakeCase::to_shouty_snake_case(naming::field_name(n).as_str())
                }
                _ if *v < 0 => format!("VALUE_MINUS_{}", v.unsigned_abs()),
                _ => format!("VALUE_{v}"),
            };
            IntVariant {
                rust_name: scope.claim(&base),
                value: *v,
            }
        })
        .collect()
}

fn variant_name_for(t: &TypeRef) -> String {
    match t {
        TypeRef::Bool => "Boolean".to_owned(),
        TypeRef::Int(_) => "Integer".to_owned(),
        TypeRef::Float(_) => "Number".to_owned(),
        TypeRef::String => "String".to_owned(),
        TypeRef::DateTime => "DateTime".to_owned(),
        TypeRef::Date => "Date".to_owned(),
        TypeRef::Uuid => "Uuid".to_owned(),
        TypeRef::Base64 => "Bytes".to_owned(),
        TypeRef::Binary => "Binary".to_owned(),
        TypeRef::Json => "Value".to_owned(),
        TypeRef::Unit => "Null".to_owned(),
        TypeRef::Array(inner) => format!("{}List", variant_name_for(inner)),
        TypeRef::Map(_) => "Map".to_owned(),
        TypeRef::Nullable(inner) => variant_name_for(inner),
        TypeRef::Expandable(_) => "Expandable".to_owned(),
        TypeRef::Named(_) | TypeRef::Boxed(_) => "Object".to_owned(),
    }
}
