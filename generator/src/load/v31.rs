//! Normalizes OpenAPI 3.1 documents onto the 3.0 model.
//!
//! 3.1 schemas are JSON Schema 2020-12; lowering reads the 3.0 dialect through `openapiv3`. The
//! walk visits exactly the schema positions of the document (component schemas, parameter,
//! header and media-type schemas, and inside a schema `properties`, `items`, `prefixItems`,
//! `additionalProperties`, `allOf`/`oneOf`/`anyOf`/`not`, `$defs` and the other applicator
//! keywords), so example payloads that happen to contain a `type` key are never touched.
//!
//! Exact rewrites (no diagnostic):
//! - `type: [X, "null"]` → `type: X, nullable: true`; several non-null types → `oneOf` with one
//!   branch per type, each carrying that type's keywords;
//! - `{type: "null"}` members of `anyOf`/`oneOf` are removed and the parent becomes `nullable`; when
//!   one member remains, an inline member is merged into the parent and a `$ref` member becomes
//!   `allOf: [member]`; a `{type: "null"}` elsewhere becomes `{nullable: true, x-sdkgen-null: true}`;
//! - `const` → a one-value `enum`, `examples: [..]` → `example`, numeric `exclusiveMinimum`/
//!   `exclusiveMaximum` → `minimum`/`maximum` plus the boolean flag;
//! - `contentEncoding: base64` → `format: byte`, `contentMediaType` on a string → `format: binary`;
//! - boolean schemas: `true` → `{}`, `false` → `{not: {}}`.
//!
//! `$ref` with siblings: annotation siblings (`description`, `summary`, `title`, `example`,
//! `deprecated`, `readOnly`, `writeOnly`, `default`, `$comment`, `x-*`) are left beside the `$ref`,
//! where `openapiv3` ignores them and a reader of the raw value still finds them; any other sibling
//! changes the type, so the schema becomes `allOf: [{$ref}]` plus the siblings.
//!
//! Approximations (an `openapi31-conversion` warning each): `prefixItems`/`items: false` tuples,
//! `$defs`, `if`/`then`/`else`, `patternProperties`, `mutualTLS` security schemes.

use serde_json::{Map, Value, json};

use crate::diagnostics::{DiagnosticKind, Diagnostics, pointer};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// Keywords that describe a `$ref` without changing what it accepts.
const ANNOTATIONS: [&str; 9] = [
    "description",
    "summary",
    "title",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
    "default",
    "$comment",
];
/// Keywords that only apply to one JSON type, copied to that type's branch of a type union.
const TYPE_KEYWORDS: [(&str, &[&str]); 6] = [
    (
        "string",
        &[
            "minLength",
            "maxLength",
            "pattern",
            "format",
            "contentEncoding",
            "contentMediaType",
        ],
    ),
    (
        "number",
        &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "format",
        ],
    ),
    (
        "integer",
        &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "format",
        ],
    ),
    (
        "array",
        &[
            "items",
            "prefixItems",
            "minItems",
            "maxItems",
            "uniqueItems",
            "contains",
        ],
    ),
    (
        "object",
        &[
            "properties",
            "required",
            "additionalProperties",
            "minProperties",
            "maxProperties",
            "patternProperties",
            "propertyNames",
            "discriminator",
        ],
    ),
    ("boolean", &[]),
];

/// Normalizes a 3.1 document; returns it and its `webhooks`, kept aside.
pub(crate) fn normalize(doc: Value, diags: &mut Diagnostics) -> (Value, Option<Value>) {
    let Value::Object(mut doc) = doc else {
        return (doc, None);
    };
    let mut cx = Normalizer { diags };
    doc.insert("openapi".into(), Value::from("3.0.3"));
    doc.remove("jsonSchemaDialect");
    if let Some(Value::Object(info)) = doc.get_mut("info") {
        cx.info(info);
    }
    let webhooks = doc.remove("webhooks").map(|mut webhooks| {
        if let Value::Object(items) = &mut webhooks {
            for (name, item) in items.iter_mut() {
                cx.path_item(item, &pointer("#/webhooks", name));
            }
        }
        webhooks
    });
    match doc.get_mut("paths") {
        Some(Value::Object(paths)) => {
            for (path, item) in paths.iter_mut() {
                if !path.starts_with("x-") {
                    cx.path_item(item, &pointer("#/paths", path));
                }
            }
        }
        Some(_) => {
            cx.diags.warn(
                DiagnosticKind::InvalidStructure,
                "#/paths",
                "`paths` is not an object; reading no paths",
            );
            doc.insert("paths".into(), json!({}));
        }
        None => {
            doc.insert("paths".into(), json!({}));
        }
    }
    if let Some(Value::Object(components)) = doc.get_mut("components") {
        cx.components(components);
    }
    (Value::Object(doc), webhooks)
}

struct Normalizer<'d> {
    diags: &'d mut Diagnostics,
}

impl Normalizer<'_> {
    fn approximated(&mut self, ptr: &str, message: impl Into<String>) {
        self.diags
            .warn(DiagnosticKind::Openapi31Conversion, ptr, message);
    }

    fn info(&mut self, info: &mut Map<String, Value>) {
        if let Some(Value::Object(license)) = info.get_mut("license") {
            license.remove("identifier");
        }
        for key in ["title", "version"] {
            match info.get(key) {
                Some(Value::String(_)) => {}
                Some(Value::Number(n)) => {
                    let text = n.to_string();
                    info.insert(key.into(), Value::String(text));
                }
                _ => {
                    info.insert(key.into(), Value::from(""));
                }
            }
        }
    }

    fn components(&mut self, components: &mut Map<String, Value>) {
        let base = "#/components";
        for (section, entries) in components.iter_mut() {
            let Value::Object(entries) = entries else {
                continue;
            };
            let section_ptr = pointer(base, section);
            for (name, entry) in entries.iter_mut() {
                let ptr = pointer(&section_ptr, name);
                match section.as_str() {
                    "schemas" => self.schema(entry, &ptr),
                    "parameters" | "headers" => self.parameter(entry, &ptr),
                    "responses" => self.response(entry, &ptr),
                    "requestBodies" => self.content_holder(entry, &ptr),
                    "pathItems" => self.path_item(entry, &ptr),
                    "callbacks" => self.callback(entry, &ptr),
                    "securitySchemes" => self.security_scheme(entry, &ptr),
                    _ => {}
                }
            }
        }
        // A security scheme that could not be mapped was replaced by `null`; remove it.
        if let Some(Value::Object(schemes)) = components.get_mut("securitySchemes") {
            schemes.retain(|_, scheme| !scheme.is_null());
        }
    }

    fn security_scheme(&mut self, scheme: &mut Value, ptr: &str) {
        if scheme.get("type").and_then(Value::as_str) == Some("mutualTLS") {
            self.approximated(
                ptr,
                "`mutualTLS` security has no 3.0 form; the scheme was dropped",
            );
            *scheme = Value::Null;
        }
    }

    fn path_item(&mut self, item: &mut Value, ptr: &str) {
        let Value::Object(item) = item else {
            return;
        };
        for (key, value) in item.iter_mut() {
            let child = pointer(ptr, key);
            if key == "parameters" {
                self.parameter_list(value, &child);
            } else if METHODS.contains(&key.as_str()) {
                self.operation(value, &child);
            }
        }
    }

    fn operation(&mut self, op: &mut Value, ptr: &str) {
        let Value::Object(op) = op else {
            return;
        };
        for (key, value) in op.iter_mut() {
            let child = pointer(ptr, key);
            match key.as_str() {
                "parameters" => self.parameter_list(value, &child),
                "requestBody" => self.content_holder(value, &child),
                "responses" => {
                    if let Value::Object(responses) = value {
                        for (status, response) in responses.iter_mut() {
                            if !status.starts_with("x-") {
                                self.response(response, &pointer(&child, status));
                            }
                        }
                    }
                }
                "callbacks" => {
                    if let Value::Object(callbacks) = value {
                        for (name, callback) in callbacks.iter_mut() {
                            self.callback(callback, &pointer(&child, name));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn callback(&mut self, callback: &mut Value, ptr: &str) {
        if let Value::Object(expressions) = callback {
            for (expression, item) in expressions.iter_mut() {
                if !expression.starts_with("x-") {
                    self.path_item(item, &pointer(ptr, expression));
                }
            }
        }
    }

    fn parameter_list(&mut self, params: &mut Value, ptr: &str) {
        if let Value::Array(params) = params {
            for (i, param) in params.iter_mut().enumerate() {
                self.parameter(param, &pointer(ptr, &i.to_string()));
            }
        }
    }

    /// A parameter or header: a `schema` or a `content` map.
    fn parameter(&mut self, param: &mut Value, ptr: &str) {
        let Value::Object(param) = param else {
            return;
        };
        if let Some(schema) = param.get_mut("schema") {
            self.schema(schema, &pointer(ptr, "schema"));
        }
        if let Some(content) = param.get_mut("content") {
            self.content(content, &pointer(ptr, "content"));
        }
    }

    fn response(&mut self, response: &mut Value, ptr: &str) {
        let Value::Object(object) = response else {
            return;
        };
        if object.contains_key("$ref") {
            return;
        }
        if !object.get("description").is_some_and(Value::is_string) {
            object.insert("description".into(), Value::from(""));
        }
        if let Some(Value::Object(headers)) = object.get_mut("headers") {
            let headers_ptr = pointer(ptr, "headers");
            for (name, header) in headers.iter_mut() {
                self.parameter(header, &pointer(&headers_ptr, name));
            }
        }
        self.content_holder(response, ptr);
    }

    /// A request body or response: its `content` map.
    fn content_holder(&mut self, holder: &mut Value, ptr: &str) {
        if let Some(content) = holder.get_mut("content") {
            self.content(content, &pointer(ptr, "content"));
        }
    }

    fn content(&mut self, content: &mut Value, ptr: &str) {
        let Value::Object(content) = content else {
            return;
        };
        for (media_type, media) in content.iter_mut() {
            let media_ptr = pointer(ptr, media_type);
            let Value::Object(media) = media else {
                continue;
            };
            if let Some(schema) = media.get_mut("schema") {
                self.schema(schema, &pointer(&media_ptr, "schema"));
            }
            if let Some(Value::Object(encoding)) = media.get_mut("encoding") {
                for (property, enc) in encoding.iter_mut() {
                    if let Some(Value::Object(headers)) = enc.get_mut("headers") {
                        let headers_ptr = pointer(
                            &pointer(&pointer(&media_ptr, "encoding"), property),
                            "headers",
                        );
                        for (name, header) in headers.iter_mut() {
                            self.parameter(header, &pointer(&headers_ptr, name));
                        }
                    }
                }
            }
        }
    }

    /// Normalizes one schema and, through it, every schema it contains.
    fn schema(&mut self, schema: &mut Value, ptr: &str) {
        let object = match schema {
            Value::Bool(true) => {
                *schema = json!({});
                return;
            }
            Value::Bool(false) => {
                *schema = json!({ "not": {} });
                return;
            }
            Value::Object(object) => object,
            _ => return,
        };
        absorb_null_members(object);
        self.keywords(object, ptr);
        self.children(object, ptr);
        if let Some(types) = object.get("type").and_then(Value::as_array).cloned() {
            self.type_union(object, types);
        } else if object.get("type").and_then(Value::as_str) == Some("null") {
            mark_null(object);
        }
        wrap_ref_with_siblings(object);
    }

    /// Rewrites the 2020-12 keywords that have a direct 3.0 form.
    fn keywords(&mut self, object: &mut Map<String, Value>, ptr: &str) {
        for dynamic in ["$recursiveRef", "$dynamicRef"] {
            if object.contains_key(dynamic) {
                self.diags.warn_with_hint(
                    DiagnosticKind::Openapi31Conversion,
                    ptr,
                    format!("`{dynamic}` is not followed; the schema is read as any JSON value"),
                    "add a spec patch in sdkgen.toml that replaces it with a `$ref` to the schema it means",
                );
            }
        }
        if let Some(value) = object.remove("const") {
            if value.is_null() {
                object.insert("nullable".into(), Value::Bool(true));
            }
            object.insert("enum".into(), Value::Array(vec![value]));
        }
        if let Some(examples) = object.remove("examples") {
            match examples {
                Value::Array(mut examples) => {
                    if !object.contains_key("example") && !examples.is_empty() {
                        object.insert("example".into(), examples.swap_remove(0));
                    }
                }
                other => {
                    object.insert("examples".into(), other);
                }
            }
        }
        for (exclusive, inclusive, stricter) in [
            ("exclusiveMinimum", "minimum", std::cmp::Ordering::Greater),
            ("exclusiveMaximum", "maximum", std::cmp::Ordering::Less),
        ] {
            let Some(Value::Number(bound)) = object.get(exclusive).cloned() else {
                continue;
            };
            let keeps_inclusive = match (
                object.get(inclusive).and_then(Value::as_f64),
                bound.as_f64(),
            ) {
                (Some(existing), Some(new)) => new
                    .partial_cmp(&existing)
                    .is_some_and(|o| o != stricter && o != std::cmp::Ordering::Equal),
                _ => false,
            };
            if keeps_inclusive {
                object.remove(exclusive);
            } else {
                object.insert(inclusive.into(), Value::Number(bound));
                object.insert(exclusive.into(), Value::Bool(true));
            }
        }
        let is_string = match object.get("type") {
            Some(Value::String(t)) => t == "string",
            Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
            _ => false,
        };
        if is_string && !object.contains_key("format") {
            match object.get("contentEncoding").and_then(Value::as_str) {
                Some("base64" | "base64url") => {
                    object.insert("format".into(), Value::from("byte"));
                }
                Some(_) => {}
                None => {
                    let media = object.get("contentMediaType").and_then(Value::as_str);
                    if media.is_some_and(|m| !m.starts_with("text/") && !m.contains("json")) {
                        object.insert("format".into(), Value::from("binary"));
                    }
                }
            }
        }
        if object.contains_key("prefixItems") || object.get("items") == Some(&Value::Bool(false)) {
            self.tuple(object, ptr);
        }
        if object.contains_key("$defs") {
            self.approximated(
                &pointer(ptr, "$defs"),
                "`$defs` inside a schema is kept, but only refs into `#/components/schemas` name types",
            );
        }
        if object.contains_key("if") || object.contains_key("then") || object.contains_key("else") {
            self.approximated(
                ptr,
                "`if`/`then`/`else` is ignored; the schema accepts more than it says",
            );
        }
        if object.contains_key("patternProperties") && !object.contains_key("additionalProperties")
        {
            self.approximated(
                &pointer(ptr, "patternProperties"),
                "`patternProperties` is read as `additionalProperties` with any of its schemas",
            );
            if let Some(Value::Object(patterns)) = object.get("patternProperties") {
                let members: Vec<Value> = patterns.values().cloned().collect();
                let additional = match members.len() {
                    1 => members.into_iter().next().unwrap_or_else(|| json!({})),
                    _ => json!({ "anyOf": members }),
                };
                object.insert("additionalProperties".into(), additional);
            }
        }
    }

    /// `prefixItems` (and `items: false`) describe tuples, which 3.0 cannot; read them as an array
    /// whose items are any of the tuple's members.
    fn tuple(&mut self, object: &mut Map<String, Value>, ptr: &str) {
        let prefix = match object.remove("prefixItems") {
            Some(Value::Array(prefix)) => prefix,
            _ => Vec::new(),
        };
        let closed = object.get("items") == Some(&Value::Bool(false));
        if closed {
            object.remove("items");
            if !object.contains_key("maxItems") {
                object.insert("maxItems".into(), Value::from(prefix.len()));
            }
        }
        self.approximated(
            ptr,
            "a tuple (`prefixItems`) is read as an array whose items are any of its members",
        );
        let mut members: Vec<Value> = Vec::new();
        for member in prefix {
            if !members.contains(&member) {
                members.push(member);
            }
        }
        if let Some(rest) = object.remove("items") {
            if !members.contains(&rest) {
                members.push(rest);
            }
        }
        let items = match members.len() {
            0 => None,
            1 => members.into_iter().next(),
            _ => Some(json!({ "anyOf": members })),
        };
        if let Some(items) = items {
            object.insert("items".into(), items);
        }
    }

    fn children(&mut self, object: &mut Map<String, Value>, ptr: &str) {
        for (key, value) in object.iter_mut() {
            let child = pointer(ptr, key);
            match key.as_str() {
                "properties" | "patternProperties" | "$defs" | "definitions"
                | "dependentSchemas" => {
                    if let Value::Object(map) = value {
                        for (name, schema) in map.iter_mut() {
                            self.schema(schema, &pointer(&child, name));
                        }
                    }
                }
                "items"
                | "additionalProperties"
                | "not"
                | "contains"
                | "propertyNames"
                | "if"
                | "then"
                | "else"
                | "unevaluatedItems"
                | "unevaluatedProperties"
                | "additionalItems" => {
                    if key == "additionalProperties" && value.is_boolean() {
                        continue;
                    }
                    if let Value::Array(tuple) = value {
                        // `items: [..]` is draft-04 tuple syntax; normalize each member.
                        for (i, schema) in tuple.iter_mut().enumerate() {
                            self.schema(schema, &pointer(&child, &i.to_string()));
                        }
                    } else {
                        self.schema(value, &child);
                    }
                }
                "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                    if let Value::Array(members) = value {
                        for (i, schema) in members.iter_mut().enumerate() {
                            self.schema(schema, &pointer(&child, &i.to_string()));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// `type: [..]`: one type (plus `null`) stays a type; several become a `oneOf`.
    fn type_union(&mut self, object: &mut Map<String, Value>, types: Vec<Value>) {
        let mut names: Vec<String> = Vec::new();
        for t in types.iter().filter_map(Value::as_str) {
            if !names.iter().any(|n| n == t) {
                names.push(t.to_owned());
            }
        }
        let nullable = names.iter().any(|t| t == "null");
        names.retain(|t| t != "null");
        if nullable {
            object.insert("nullable".into(), Value::Bool(true));
        }
        match names.as_slice() {
            [] => {
                object.remove("type");
                if nullable {
                    mark_null(object);
                }
            }
            [one] => {
                object.insert("type".into(), Value::String(one.clone()));
            }
            _ => {
                object.remove("type");
                let enumeration = object.remove("enum");
                let mut branches = Vec::new();
                let mut moved: Vec<&str> = Vec::new();
                for name in &names {
                    let mut branch = Map::new();
                    branch.insert("type".into(), Value::String(name.clone()));
                    let keywords = TYPE_KEYWORDS
                        .iter()
                        .find(|(t, _)| t == name)
                        .map(|(_, k)| *k)
                        .unwrap_or(&[]);
                    for keyword in keywords {
                        if let Some(value) = object.get(*keyword) {
                            branch.insert((*keyword).into(), value.clone());
                            moved.push(keyword);
                        }
                    }
                    if let Some(Value::Array(values)) = &enumeration {
                        let matching: Vec<Value> = values
                            .iter()
                            .filter(|v| json_type_matches(v, name))
                            .cloned()
                            .collect();
                        if matching.is_empty() {
                            // None of the allowed values has this type: the branch is impossible.
                            continue;
                        }
                        branch.insert("enum".into(), Value::Array(matching));
                    }
                    branches.push(Value::Object(branch));
                }
                for keyword in moved {
                    object.remove(keyword);
                }
                object.insert("oneOf".into(), Value::Array(branches));
            }
        }
    }
}

/// Removes `{type: "null"}` members of `anyOf`/`oneOf` and makes the parent `nullable`.
pub(super) fn absorb_null_members(object: &mut Map<String, Value>) {
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(members)) = object.get_mut(key) else {
            continue;
        };
        let before = members.len();
        members.retain(|m| !is_null_schema(m));
        if members.len() == before {
            continue;
        }
        object.insert("nullable".into(), Value::Bool(true));
        let remaining = match object.get_mut(key) {
            Some(Value::Array(members)) => std::mem::take(members),
            _ => Vec::new(),
        };
        object.remove(key);
        match remaining.len() {
            0 => {
                object.insert("x-sdkgen-null".into(), Value::Bool(true));
            }
            1 => {
                let Some(member) = remaining.into_iter().next() else {
                    continue;
                };
                merge_single_member(object, member);
            }
            _ => {
                object.insert(key.into(), Value::Array(remaining));
            }
        }
    }
}

/// Puts the one non-null member of a nullable `anyOf`/`oneOf` in its parent.
fn merge_single_member(object: &mut Map<String, Value>, member: Value) {
    match member {
        // An inline member whose keywords do not clash with the parent's is merged.
        Value::Object(inline)
            if !inline.contains_key("$ref")
                && inline
                    .keys()
                    .all(|k| !object.contains_key(k) || (k == "nullable")) =>
        {
            for (key, value) in inline {
                if key == "nullable" {
                    continue;
                }
                object.insert(key, value);
            }
        }
        Value::Bool(true) => {}
        other => match object.get_mut("allOf") {
            Some(Value::Array(all_of)) => all_of.push(other),
            _ => {
                object.insert("allOf".into(), Value::Array(vec![other]));
            }
        },
    }
}

/// True for `{type: "null"}` (and `{type: ["null"]}`), with or without annotations.
fn is_null_schema(schema: &Value) -> bool {
    let Some(object) = schema.as_object() else {
        return false;
    };
    let only_null = match object.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(types)) => !types.is_empty() && types.iter().all(|t| t == "null"),
        _ => false,
    };
    only_null
        && object
            .keys()
            .all(|k| k == "type" || ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-"))
}

/// Turns a schema that only accepts `null` into the marker lowering recognises.
pub(super) fn mark_null(object: &mut Map<String, Value>) {
    object.remove("type");
    object.insert("nullable".into(), Value::Bool(true));
    object.insert("x-sdkgen-null".into(), Value::Bool(true));
}

/// `$ref` with siblings that change the type becomes `allOf: [{$ref}]` plus the siblings.
fn wrap_ref_with_siblings(object: &mut Map<String, Value>) {
    let Some(reference) = object.get("$ref").cloned() else {
        return;
    };
    let changes_type = object
        .keys()
        .any(|k| k != "$ref" && !ANNOTATIONS.contains(&k.as_str()) && !k.starts_with("x-"));
    if !changes_type {
        return;
    }
    object.remove("$ref");
    let member = json!({ "$ref": reference });
    match object.get_mut("allOf") {
        Some(Value::Array(all_of)) => all_of.insert(0, member),
        _ => {
            object.insert("allOf".into(), Value::Array(vec![member]));
        }
    }
}

fn json_type_matches(value: &Value, name: &str) -> bool {
    match name {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::normalize;
    use crate::diagnostics::{DiagnosticKind, Diagnostics};

    /// Normalizes a document whose only content is `schema` as the component `S`.
    fn schema(schema: Value) -> (Value, Diagnostics) {
        let mut diags = Diagnostics::new();
        let doc = json!({
            "openapi": "3.1.0",
            "info": { "title": "T", "version": "1" },
            "components": { "schemas": { "S": schema } }
        });
        let (out, _) = normalize(doc, &mut diags);
        (out["components"]["schemas"]["S"].clone(), diags)
    }

    fn approximations(diags: &Diagnostics) -> usize {
        diags
            .iter()
            .filter(|d| d.kind == DiagnosticKind::Openapi31Conversion)
            .count()
    }

    #[test]
    fn type_with_null_becomes_nullable() {
        let (s, diags) = schema(json!({ "type": ["string", "null"], "maxLength": 3 }));
        assert_eq!(
            s,
            json!({ "type": "string", "maxLength": 3, "nullable": true })
        );
        assert_eq!(approximations(&diags), 0);
    }

    #[test]
    fn several_types_become_one_of_with_their_keywords() {
        let (s, _) = schema(json!({
            "type": ["string", "integer", "null"], "maxLength": 3, "minimum": 1, "description": "d", "enum": ["a", 1, null]
        }));
        assert_eq!(
            s,
            json!({
                "description": "d",
                "nullable": true,
                "oneOf": [
                    { "type": "string", "maxLength": 3, "enum": ["a"] },
                    { "type": "integer", "minimum": 1, "enum": [1] }
                ]
            })
        );
    }

    #[test]
    fn null_members_of_any_of_make_the_parent_nullable() {
        let (s, _) = schema(
            json!({ "anyOf": [{ "$ref": "#/components/schemas/A" }, { "type": "null" }], "description": "d" }),
        );
        assert_eq!(
            s,
            json!({ "description": "d", "nullable": true, "allOf": [{ "$ref": "#/components/schemas/A" }] })
        );

        let (s, _) = schema(
            json!({ "oneOf": [{ "type": "string", "format": "date" }, { "type": "null" }] }),
        );
        assert_eq!(
            s,
            json!({ "nullable": true, "type": "string", "format": "date" })
        );

        let (s, _) = schema(
            json!({ "anyOf": [{ "type": "string" }, { "type": "integer" }, { "type": "null" }] }),
        );
        assert_eq!(
            s,
            json!({ "anyOf": [{ "type": "string" }, { "type": "integer" }], "nullable": true })
        );
    }

    #[test]
    fn a_bare_null_schema_gets_the_marker() {
        let (s, _) = schema(
            json!({ "type": "object", "properties": { "gone": { "type": "null", "description": "d" } } }),
        );
        assert_eq!(
            s["properties"]["gone"],
            json!({ "description": "d", "nullable": true, "x-sdkgen-null": true })
        );
    }

    #[test]
    fn const_examples_and_exclusive_bounds_take_their_3_0_forms() {
        let (s, _) = schema(json!({ "const": "fixed", "examples": ["fixed", "other"] }));
        assert_eq!(s, json!({ "enum": ["fixed"], "example": "fixed" }));

        let (s, _) = schema(
            json!({ "type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10, "maximum": 5 }),
        );
        assert_eq!(
            s,
            json!({ "type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 5 })
        );
    }

    #[test]
    fn ref_siblings_are_kept_when_annotations_and_wrapped_otherwise() {
        let (s, _) = schema(json!({ "$ref": "#/components/schemas/A", "description": "d" }));
        assert_eq!(
            s,
            json!({ "$ref": "#/components/schemas/A", "description": "d" })
        );

        let (s, _) = schema(
            json!({ "$ref": "#/components/schemas/A", "nullable": true, "description": "d" }),
        );
        assert_eq!(
            s,
            json!({ "nullable": true, "description": "d", "allOf": [{ "$ref": "#/components/schemas/A" }] })
        );
    }

    #[test]
    fn content_encoding_and_media_type_become_formats() {
        let (s, _) = schema(json!({ "type": "string", "contentEncoding": "base64" }));
        assert_eq!(s["format"], "byte");
        let (s, _) = schema(json!({ "type": "string", "contentMediaType": "image/png" }));
        assert_eq!(s["format"], "binary");
    }

    #[test]
    fn boolean_schemas_become_objects() {
        let (s, _) = schema(
            json!({ "type": "object", "properties": { "any": true, "never": false }, "additionalProperties": false }),
        );
        assert_eq!(s["properties"]["any"], json!({}));
        assert_eq!(s["properties"]["never"], json!({ "not": {} }));
        assert_eq!(s["additionalProperties"], false);
    }

    #[test]
    fn tuples_are_approximated_with_a_warning() {
        let (s, diags) = schema(json!({
            "type": "array", "prefixItems": [{ "type": "string" }, { "type": "integer" }], "items": false
        }));
        assert_eq!(
            s,
            json!({
                "type": "array", "maxItems": 2, "items": { "anyOf": [{ "type": "string" }, { "type": "integer" }] }
            })
        );
        assert_eq!(approximations(&diags), 1);
    }

    #[test]
    fn dynamic_references_are_reported() {
        let (_, diags) = schema(json!({
            "type": "array", "items": { "oneOf": [{ "type": "string" }, { "$recursiveRef": "#" }] }
        }));
        assert_eq!(approximations(&diags), 1);
        assert!(diags.iter().any(|d| d.pointer.ends_with("/oneOf/1")));
    }

    #[test]
    fn defs_are_kept_with_a_warning() {
        let (s, diags) = schema(json!({ "$defs": { "x": { "type": ["integer", "null"] } } }));
        assert_eq!(
            s["$defs"]["x"],
            json!({ "type": "integer", "nullable": true })
        );
        assert_eq!(approximations(&diags), 1);
    }

    #[test]
    fn nested_schema_positions_are_all_normalized() {
        let nullable_string = json!({ "type": ["string", "null"] });
        let expected = json!({ "type": "string", "nullable": true });
        let mut diags = Diagnostics::new();
        let doc = json!({
            "openapi": "3.1.0",
            "info": { "title": "T", "version": "1", "license": { "name": "MIT", "identifier": "MIT" } },
            "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
            "paths": { "/a": {
                "parameters": [{ "name": "p", "in": "query", "schema": nullable_string }],
                "post": {
                    "requestBody": { "content": { "application/json": { "schema": {
                        "type": "object",
                        "properties": { "x": { "type": "array", "items": nullable_string } },
                        "additionalProperties": nullable_string
                    } } } },
                    "responses": { "200": {
                        "headers": { "h": { "schema": nullable_string } },
                        "content": { "application/json": {
                            "schema": { "allOf": [nullable_string] },
                            "example": { "type": ["not", "a", "schema"] }
                        } }
                    } }
                }
            } },
            "webhooks": { "ping": { "post": { "responses": { "200": { "description": "ok" } } } } }
        });
        let (out, webhooks) = normalize(doc, &mut diags);
        let op = &out["paths"]["/a"]["post"];
        let body = &op["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(out["paths"]["/a"]["parameters"][0]["schema"], expected);
        assert_eq!(body["properties"]["x"]["items"], expected);
        assert_eq!(body["additionalProperties"], expected);
        let response = &op["responses"]["200"];
        assert_eq!(response["headers"]["h"]["schema"], expected);
        assert_eq!(
            response["content"]["application/json"]["schema"]["allOf"][0],
            expected
        );
        assert_eq!(
            response["content"]["application/json"]["example"],
            json!({ "type": ["not", "a", "schema"] })
        );
        assert_eq!(response["description"], "");
        assert_eq!(out["openapi"], "3.0.3");
        assert!(out.get("jsonSchemaDialect").is_none());
        assert!(out.get("webhooks").is_none());
        assert!(out["info"]["license"].get("identifier").is_none());
        assert!(webhooks.is_some_and(|w| w.get("ping").is_some()));
    }

    #[test]
    fn missing_paths_become_empty() {
        let mut diags = Diagnostics::new();
        let (out, _) = normalize(
            json!({ "openapi": "3.1.0", "info": { "title": "T", "version": "1" } }),
            &mut diags,
        );
        assert_eq!(out["paths"], json!({}));
    }

    #[test]
    fn openapiv3_reads_the_normalized_document() {
        let mut diags = Diagnostics::new();
        let doc = json!({
            "openapi": "3.1.0",
            "info": { "title": "T", "version": "1" },
            "paths": { "/a": { "get": { "responses": { "200": { "description": "ok", "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/S" }
            } } } } } } },
            "components": {
                "schemas": {
                    "S": {
                        "type": "object",
                        "properties": {
                            "a": { "type": ["string", "null"] },
                            "b": { "type": ["string", "integer"] },
                            "c": { "anyOf": [{ "$ref": "#/components/schemas/T" }, { "type": "null" }] },
                            "d": { "type": "number", "exclusiveMinimum": 0 },
                            "e": { "const": 3 },
                            "f": { "type": "null" },
                            "g": true,
                            "h": { "type": "array", "prefixItems": [{ "type": "string" }] }
                        }
                    },
                    "T": { "type": "string" }
                },
                "securitySchemes": { "mtls": { "type": "mutualTLS" }, "bearer": { "type": "http", "scheme": "bearer" } }
            }
        });
        let (out, _) = normalize(doc, &mut diags);
        let parsed = serde_json::from_value::<openapiv3::OpenAPI>(out);
        assert!(parsed.is_ok(), "{parsed:?}");
        if let Ok(api) = parsed {
            let schemes = api.components.map(|c| c.security_schemes.len());
            assert_eq!(schemes, Some(1));
        }
    }
}
