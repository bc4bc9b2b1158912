//! Converts Swagger 2.0 documents to the OpenAPI 3.0 shape.
//!
//! The conversion is structural and keeps the author's layout: definitions become
//! `components/schemas`, shared parameters and responses keep their names, path-level parameters
//! stay on the path item, and every `$ref` is rewritten to its new home. Three places need a
//! decision that Swagger 2.0 leaves open; each is recorded as a `swagger2-conversion` warning:
//!
//! - a form (`in: formData`) becomes `multipart/form-data` when a field is a file or `consumes`
//!   names multipart, and `application/x-www-form-urlencoded` otherwise;
//! - `collectionFormat: tsv` has no OpenAPI 3 style and is read as `csv`;
//! - a document without `schemes` is served over `https`.
//!
//! Body parameters become request bodies whose content lists every `consumes` media type, and the
//! body parameter's name is kept as `x-codegen-request-body-name` (the extension other converters
//! use) so that lowering can name the argument after it.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::diagnostics::{DiagnosticKind, Diagnostics, pointer};

const JSON: &str = "application/json";
const FORM_URLENCODED: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data";
const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];
/// Swagger 2.0 keywords that a non-body parameter, header or `items` object shares with schemas.
const SIMPLE_SCHEMA_KEYS: [&str; 16] = [
    "type",
    "format",
    "enum",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "example",
];
/// The name other converters give the Swagger 2.0 body parameter's name.
const BODY_NAME_EXTENSION: &str = "x-codegen-request-body-name";

/// Converts a Swagger 2.0 document.
pub(crate) fn convert(doc: Value, diags: &mut Diagnostics) -> Value {
    let Value::Object(mut src) = doc else {
        return doc;
    };
    let shared_params = take_object(&mut src, "parameters");
    let definitions = take_object(&mut src, "definitions");
    let mut cx = Converter {
        diags,
        consumes: media_list(src.get("consumes")).unwrap_or_default(),
        produces: media_list(src.get("produces")).unwrap_or_default(),
        definition_names: definitions.keys().cloned().collect(),
        shared_params,
        warned_form_media_type: false,
    };

    let mut out = Map::new();
    out.insert("openapi".into(), Value::from("3.0.3"));
    out.insert("info".into(), cx.info(src.remove("info")));
    if let Some(docs) = src.remove("externalDocs") {
        out.insert("externalDocs".into(), docs);
    }
    let servers = cx.servers(&src);
    if !servers.is_empty() {
        out.insert("servers".into(), Value::Array(servers));
    }
    if let Some(tags) = src.remove("tags") {
        out.insert("tags".into(), tags);
    }
    if let Some(security) = src.remove("security") {
        out.insert("security".into(), security);
    }
    let paths = take_object(&mut src, "paths");
    out.insert("paths".into(), Value::Object(cx.paths(paths)));

    let components = cx.components(definitions, &mut src);
    if !components.is_empty() {
        out.insert("components".into(), Value::Object(components));
    }
    for (key, value) in src {
        if key.starts_with("x-") {
            out.insert(key, value);
        }
    }
    Value::Object(out)
}

struct Converter<'d> {
    diags: &'d mut Diagnostics,
    /// The document's `consumes`, used where an operation has none.
    consumes: Vec<String>,
    /// The document's `produces`, used where an operation has none.
    produces: Vec<String>,
    /// Top-level `parameters`, as written; refs to them are resolved to tell body from non-body.
    shared_params: Map<String, Value>,
    /// Names under `definitions`, to recognise the bare `$ref: Pet` shorthand.
    definition_names: BTreeSet<String>,
    /// Whether the "form without a form media type" guess was already reported.
    warned_form_media_type: bool,
}

/// Where a parameter goes in OpenAPI 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParamKind {
    /// `query`, `header` or `path`: stays a parameter.
    Plain,
    /// `in: body`: the request body.
    Body,
    /// `in: formData`: one field of a form request body.
    Form,
}

/// One parameter of an operation, with its `$ref` (if any) resolved for inspection.
struct ParamRef {
    /// The parameter as written (possibly a `$ref`).
    raw: Value,
    /// The parameter it stands for, when it could be found.
    resolved: Option<Map<String, Value>>,
    /// Its JSON pointer.
    ptr: String,
}

impl ParamRef {
    fn key(&self) -> Option<(String, String)> {
        let p = self.resolved.as_ref()?;
        Some((
            str_field(p, "name")?.to_owned(),
            str_field(p, "in")?.to_owned(),
        ))
    }

    fn kind(&self) -> ParamKind {
        match self.resolved.as_ref().and_then(|p| str_field(p, "in")) {
            Some("body") => ParamKind::Body,
            Some("formData") => ParamKind::Form,
            _ => ParamKind::Plain,
        }
    }

    /// The shared parameter's name when this is a `$ref` to `#/parameters/X`.
    fn shared_name(&self) -> Option<&str> {
        self.raw
            .get("$ref")?
            .as_str()?
            .strip_prefix("#/parameters/")
    }
}

impl Converter<'_> {
    fn warn(&mut self, ptr: &str, message: impl Into<String>) {
        self.diags
            .warn(DiagnosticKind::Swagger2Conversion, ptr, message);
    }

    fn info(&mut self, info: Option<Value>) -> Value {
        let mut info = match info {
            Some(Value::Object(info)) => info,
            _ => {
                self.warn(
                    "#/info",
                    "the document has no `info` object; using an empty title and version",
                );
                Map::new()
            }
        };
        if !info.get("title").is_some_and(Value::is_string) {
            let title = info.get("title").map(scalar_text).unwrap_or_default();
            info.insert("title".into(), Value::String(title));
        }
        if !info.get("version").is_some_and(Value::is_string) {
            // YAML reads `version: 1.0` as a number; the text is what the author meant.
            let version = info.get("version").map(scalar_text).unwrap_or_default();
            info.insert("version".into(), Value::String(version));
        }
        Value::Object(info)
    }

    fn servers(&mut self, src: &Map<String, Value>) -> Vec<Value> {
        let base_path = src.get("basePath").and_then(Value::as_str).unwrap_or("");
        let base_path = base_path.trim_end_matches('/');
        let Some(host) = src.get("host").and_then(Value::as_str) else {
            if base_path.is_empty() {
                return Vec::new();
            }
            let url = if base_path.starts_with('/') {
                base_path.to_owned()
            } else {
                format!("/{base_path}")
            };
            return vec![json!({ "url": url })];
        };
        let host = host.trim_end_matches('/');
        let mut schemes: Vec<&str> = src
            .get("schemes")
            .and_then(Value::as_array)
            .map(|s| s.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if schemes.is_empty() {
            self.warn(
                "#/schemes",
                "the document lists no `schemes`; assuming `https`",
            );
            schemes.push("https");
        }
        let base_path = if base_path.is_empty() || base_path.starts_with('/') {
            base_path.to_owned()
        } else {
            format!("/{base_path}")
        };
        schemes
            .into_iter()
            .map(|scheme| json!({ "url": format!("{scheme}://{host}{base_path}") }))
            .collect()
    }

    fn paths(&mut self, paths: Map<String, Value>) -> Map<String, Value> {
        let mut out = Map::new();
        for (path, item) in paths {
            let ptr = pointer("#/paths", &path);
            let converted = match item {
                Value::Object(item) => Value::Object(self.path_item(item, &ptr)),
                _ if path.starts_with("x-") => item,
                _ => {
                    self.warn(&ptr, "the path item is not an object; it was dropped");
                    continue;
                }
            };
            out.insert(path, converted);
        }
        out
    }

    fn path_item(&mut self, mut item: Map<String, Value>, ptr: &str) -> Map<String, Value> {
        let path_params = self.param_refs(item.remove("parameters"), &pointer(ptr, "parameters"));
        let mut out = Map::new();
        for (key, value) in item {
            let op_ptr = pointer(ptr, &key);
            if METHODS.contains(&key.as_str()) {
                match value {
                    Value::Object(op) => {
                        let op = self.operation(op, &path_params, &op_ptr);
                        out.insert(key, Value::Object(op));
                    }
                    _ => self.warn(&op_ptr, "the operation is not an object; it was dropped"),
                }
            } else if key == "$ref" || key.starts_with("x-") {
                out.insert(key, value);
            }
        }
        // Path-level body and form parameters moved into each operation's request body; the others
        // stay here, where OpenAPI 3 gives them the same override rules.
        let plain: Vec<Value> = path_params
            .into_iter()
            .filter(|p| p.kind() == ParamKind::Plain)
            .filter_map(|p| self.plain_param(p))
            .collect();
        if !plain.is_empty() {
            out.insert("parameters".into(), Value::Array(plain));
        }
        out
    }

    fn param_refs(&mut self, params: Option<Value>, ptr: &str) -> Vec<ParamRef> {
        let params = match params {
            None => return Vec::new(),
            Some(Value::Array(params)) => params,
            Some(_) => {
                self.warn(ptr, "`parameters` is not a list; it was dropped");
                return Vec::new();
            }
        };
        params
            .into_iter()
            .enumerate()
            .map(|(i, raw)| {
                let ptr = pointer(ptr, &i.to_string());
                let resolved = match raw.get("$ref").and_then(Value::as_str) {
                    Some(r) => r
                        .strip_prefix("#/parameters/")
                        .and_then(|name| self.shared_params.get(&unescape_segment(name)))
                        .and_then(Value::as_object)
                        .cloned(),
                    None => raw.as_object().cloned(),
                };
                ParamRef { raw, resolved, ptr }
            })
            .collect()
    }

    fn operation(
        &mut self,
        mut op: Map<String, Value>,
        path_params: &[ParamRef],
        ptr: &str,
    ) -> Map<String, Value> {
        let consumes = media_list(op.get("consumes")).unwrap_or_else(|| self.consumes.clone());
        let produces = media_list(op.get("produces")).unwrap_or_else(|| self.produces.clone());
        let op_params = self.param_refs(op.remove("parameters"), &pointer(ptr, "parameters"));

        let op_keys: BTreeSet<(String, String)> =
            op_params.iter().filter_map(ParamRef::key).collect();
        let op_has_body = op_params.iter().any(|p| p.kind() == ParamKind::Body);
        // Path-level body/form parameters apply unless the operation overrides them.
        let inherited = path_params.iter().filter(|p| {
            p.kind() != ParamKind::Plain
                && !(p.kind() == ParamKind::Body && op_has_body)
                && !p.key().is_some_and(|k| op_keys.contains(&k))
        });
        let mut body: Option<(Value, Option<String>, String)> = None;
        let mut form: Vec<(Map<String, Value>, String)> = Vec::new();
        let mut plain = Vec::new();
        let inherited: Vec<&ParamRef> = inherited.collect();
        let mut all: Vec<&ParamRef> = inherited;
        all.extend(op_params.iter());
        for p in all {
            match p.kind() {
                ParamKind::Plain => {}
                ParamKind::Body => match &p.resolved {
                    Some(resolved) if body.is_none() => {
                        body = Some((
                            Value::Object(resolved.clone()),
                            p.shared_name().map(unescape_segment),
                            p.ptr.clone(),
                        ));
                    }
                    _ => self.warn(
                        &p.ptr,
                        "an operation has one body; this extra body parameter was dropped",
                    ),
                },
                ParamKind::Form => {
                    if let Some(resolved) = &p.resolved {
                        form.push((resolved.clone(), p.ptr.clone()));
                    }
                }
            }
        }
        for p in op_params {
            if p.kind() == ParamKind::Plain {
                if p.resolved.is_none() && p.raw.get("$ref").is_none() {
                    self.warn(&p.ptr, "the parameter is not an object; it was dropped");
                    continue;
                }
                plain.push(p);
            }
        }

        let mut out = Map::new();
        for key in [
            "tags",
            "summary",
            "description",
            "externalDocs",
            "operationId",
        ] {
            if let Some(value) = op.remove(key) {
                out.insert(key.into(), value);
            }
        }
        let plain: Vec<Value> = plain
            .into_iter()
            .filter_map(|p| self.plain_param(p))
            .collect();
        if !plain.is_empty() {
            out.insert("parameters".into(), Value::Array(plain));
        }
        if let Some((param, shared, body_ptr)) = body {
            if !form.is_empty() {
                self.warn(ptr, "the operation has both a body and form parameters; the form parameters were dropped");
            }
            let request_body = match shared {
                // The shared request body was built with the document's `consumes`; reuse it when
                // the operation does not change them.
                Some(name) if consumes == self.consumes => {
                    json!({ "$ref": pointer("#/components/requestBodies", &name) })
                }
                _ => self.body_request(param, &consumes, &body_ptr),
            };
            out.insert("requestBody".into(), request_body);
        } else if !form.is_empty() {
            out.insert(
                "requestBody".into(),
                self.form_request(form, &consumes, ptr),
            );
        }
        let responses = match op.remove("responses") {
            Some(Value::Object(responses)) => {
                self.responses(responses, &produces, &pointer(ptr, "responses"))
            }
            _ => {
                self.warn(
                    ptr,
                    "the operation has no `responses`; it is read as returning nothing",
                );
                Map::new()
            }
        };
        out.insert("responses".into(), Value::Object(responses));
        for key in ["deprecated", "security"] {
            if let Some(value) = op.remove(key) {
                out.insert(key.into(), value);
            }
        }
        for (key, value) in op {
            if key.starts_with("x-") {
                out.insert(key, value);
            }
        }
        out
    }

    /// Converts a `query`/`header`/`path` parameter (or a `$ref` to one).
    fn plain_param(&mut self, p: ParamRef) -> Option<Value> {
        if let Some(r) = p.raw.get("$ref").and_then(Value::as_str) {
            return Some(json!({ "$ref": self.rewrite_ref(r) }));
        }
        let Value::Object(param) = p.raw else {
            return None;
        };
        self.parameter(param, &p.ptr)
    }

    /// Converts an inline `query`/`header`/`path` parameter.
    fn parameter(&mut self, mut param: Map<String, Value>, ptr: &str) -> Option<Value> {
        let location = str_field(&param, "in").unwrap_or("").to_owned();
        if !matches!(location.as_str(), "query" | "header" | "path") {
            self.warn(
                ptr,
                format!("parameters `in: {location}` do not exist in OpenAPI 3; it was dropped"),
            );
            return None;
        }
        let Some(name) = param.get("name").and_then(Value::as_str).map(str::to_owned) else {
            self.warn(ptr, "the parameter has no `name`; it was dropped");
            return None;
        };
        let mut out = Map::new();
        out.insert("name".into(), Value::String(name));
        out.insert("in".into(), Value::String(location.clone()));
        if let Some(description) = param.remove("description") {
            out.insert("description".into(), description);
        }
        let required = location == "path"
            || param
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
        if required {
            out.insert("required".into(), Value::Bool(true));
        }
        if location == "query" {
            if let Some(allow) = param.get("allowEmptyValue").filter(|v| v.is_boolean()) {
                out.insert("allowEmptyValue".into(), allow.clone());
            }
        }
        let is_array = str_field(&param, "type") == Some("array");
        let collection_format = str_field(&param, "collectionFormat").map(str::to_owned);
        let schema = match param.remove("schema") {
            // Not Swagger 2.0, but written by some tools; the schema says what was meant.
            Some(schema) => self.schema(schema, &pointer(ptr, "schema")),
            None => self.simple_schema(&param, ptr),
        };
        out.insert("schema".into(), schema);
        if is_array {
            if let Some((style, explode)) =
                self.collection_style(collection_format.as_deref(), &location, ptr)
            {
                if let Some(style) = style {
                    out.insert("style".into(), Value::from(style));
                }
                out.insert("explode".into(), Value::Bool(explode));
            }
        }
        for (key, value) in param {
            if key.starts_with("x-") {
                out.insert(key, value);
            }
        }
        Some(Value::Object(out))
    }

    /// The OpenAPI 3 `style` and `explode` for a Swagger 2.0 `collectionFormat` (default `csv`).
    fn collection_style(
        &mut self,
        format: Option<&str>,
        location: &str,
        ptr: &str,
    ) -> Option<(Option<&'static str>, bool)> {
        let format = format.unwrap_or("csv");
        if location != "query" {
            // Path and header parameters only have `style: simple`, which is `csv`.
            if format != "csv" {
                self.warn(
                    ptr,
                    format!("`collectionFormat: {format}` cannot be expressed for an `in: {location}` parameter; using csv"),
                );
            }
            return None;
        }
        Some(match format {
            "multi" => (Some("form"), true),
            "ssv" => (Some("spaceDelimited"), false),
            "pipes" => (Some("pipeDelimited"), false),
            "tsv" => {
                self.warn(
                    ptr,
                    "`collectionFormat: tsv` has no OpenAPI 3 style; using comma-separated values",
                );
                (Some("form"), false)
            }
            "csv" => (Some("form"), false),
            other => {
                self.warn(
                    ptr,
                    format!("unknown `collectionFormat: {other}`; using comma-separated values"),
                );
                (Some("form"), false)
            }
        })
    }

    /// A schema built from the keywords of a non-body parameter, header or `items` object.
    fn simple_schema(&mut self, src: &Map<String, Value>, ptr: &str) -> Value {
        let mut schema = Map::new();
        for key in SIMPLE_SCHEMA_KEYS {
            if let Some(value) = src.get(key) {
                schema.insert(key.into(), value.clone());
            }
        }
        if src.get("x-nullable").and_then(Value::as_bool) == Some(true) {
            schema.insert("nullable".into(), Value::Bool(true));
        }
        if let Some(items) = src.get("items") {
            let items_ptr = pointer(ptr, "items");
            let items = match items {
                Value::Object(items) if items.contains_key("$ref") => {
                    self.schema(Value::Object(items.clone()), &items_ptr)
                }
                Value::Object(items) => self.simple_schema(items, &items_ptr),
                _ => {
                    self.warn(
                        &items_ptr,
                        "`items` is not an object; the items are untyped",
                    );
                    json!({})
                }
            };
            schema.insert("items".into(), items);
        }
        if str_field(src, "type") == Some("array") && !schema.contains_key("items") {
            schema.insert("items".into(), json!({}));
        }
        if !src.contains_key("type") && !src.contains_key("items") && !src.contains_key("enum") {
            self.warn(
                ptr,
                "the parameter has neither `type` nor `schema`; it is untyped",
            );
        }
        self.schema(Value::Object(schema), ptr)
    }

    fn body_request(&mut self, param: Value, consumes: &[String], ptr: &str) -> Value {
        let Value::Object(mut param) = param else {
            return json!({ "content": {} });
        };
        let schema = match param.remove("schema") {
            Some(schema) => self.schema(schema, &pointer(ptr, "schema")),
            None => {
                self.warn(
                    ptr,
                    "the body parameter has no `schema`; the body is untyped",
                );
                json!({})
            }
        };
        let media_types = if consumes.is_empty() {
            vec![JSON.to_owned()]
        } else {
            consumes.to_vec()
        };
        let mut content = Map::new();
        for media_type in media_types {
            content.insert(media_type, json!({ "schema": schema.clone() }));
        }
        let mut out = Map::new();
        if let Some(description) = param.remove("description") {
            out.insert("description".into(), description);
        }
        out.insert("content".into(), Value::Object(content));
        if param.get("required").and_then(Value::as_bool) == Some(true) {
            out.insert("required".into(), Value::Bool(true));
        }
        if let Some(name) = param.remove("name").filter(Value::is_string) {
            out.insert(BODY_NAME_EXTENSION.into(), name);
        }
        for (key, value) in param {
            if key.starts_with("x-") {
                out.insert(key, value);
            }
        }
        Value::Object(out)
    }

    fn form_request(
        &mut self,
        fields: Vec<(Map<String, Value>, String)>,
        consumes: &[String],
        ptr: &str,
    ) -> Value {
        let has_file = fields
            .iter()
            .any(|(f, _)| str_field(f, "type") == Some("file"));
        let says_multipart = consumes.iter().any(|c| c.starts_with(MULTIPART));
        let says_urlencoded = consumes.iter().any(|c| c.starts_with(FORM_URLENCODED));
        let multipart = has_file || (says_multipart && !says_urlencoded);
        if has_file && says_urlencoded && !says_multipart {
            self.warn(ptr, "a form with a file field is sent as `multipart/form-data` although `consumes` says urlencoded");
        } else if !has_file && says_multipart && says_urlencoded {
            self.warn(
                ptr,
                "`consumes` lists both form encodings; sending `application/x-www-form-urlencoded`",
            );
        } else if !says_multipart && !says_urlencoded && !has_file && !self.warned_form_media_type {
            // Said once: documents that do this tend to do it for every form.
            self.warned_form_media_type = true;
            self.warn(
                ptr,
                "form parameters without a form media type in `consumes`; sending `application/x-www-form-urlencoded` \
                 (here and in every other such operation)",
            );
        }
        let media_type = if multipart {
            MULTIPART
        } else {
            FORM_URLENCODED
        };

        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut encoding = Map::new();
        for (mut field, field_ptr) in fields {
            let Some(name) = field.get("name").and_then(Value::as_str).map(str::to_owned) else {
                self.warn(
                    &field_ptr,
                    "the form parameter has no `name`; it was dropped",
                );
                continue;
            };
            if field.get("required").and_then(Value::as_bool) == Some(true) {
                required.push(Value::String(name.clone()));
            }
            let mut schema = match field.remove("schema") {
                Some(schema) => self.schema(schema, &pointer(&field_ptr, "schema")),
                None => self.simple_schema(&field, &field_ptr),
            };
            if let (Some(description), Value::Object(schema)) =
                (field.get("description"), &mut schema)
            {
                schema.insert("description".into(), description.clone());
            }
            if !multipart && str_field(&field, "type") == Some("array") {
                let format = str_field(&field, "collectionFormat").map(str::to_owned);
                if let Some((style, explode)) =
                    self.collection_style(format.as_deref(), "query", &field_ptr)
                {
                    let mut enc = Map::new();
                    if let Some(style) = style {
                        enc.insert("style".into(), Value::from(style));
                    }
                    enc.insert("explode".into(), Value::Bool(explode));
                    encoding.insert(name.clone(), Value::Object(enc));
                }
            }
            properties.insert(name, schema);
        }
        let mut schema = Map::new();
        schema.insert("type".into(), Value::from("object"));
        schema.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            schema.insert("required".into(), Value::Array(required.clone()));
        }
        let mut media = Map::new();
        media.insert("schema".into(), Value::Object(schema));
        if !encoding.is_empty() {
            media.insert("encoding".into(), Value::Object(encoding));
        }
        let mut content = Map::new();
        content.insert(media_type.into(), Value::Object(media));
        let mut out = Map::new();
        out.insert("content".into(), Value::Object(content));
        if !required.is_empty() {
            out.insert("required".into(), Value::Bool(true));
        }
        Value::Object(out)
    }

    fn responses(
        &mut self,
        responses: Map<String, Value>,
        produces: &[String],
        ptr: &str,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        for (status, response) in responses {
            let response_ptr = pointer(ptr, &status);
            if status.starts_with("x-") {
                out.insert(status, response);
                continue;
            }
            let response = self.response(response, produces, &response_ptr);
            out.insert(status, response);
        }
        out
    }

    fn response(&mut self, response: Value, produces: &[String], ptr: &str) -> Value {
        let Value::Object(mut response) = response else {
            self.warn(
                ptr,
                "the response is not an object; it is read as an empty response",
            );
            return json!({ "description": "" });
        };
        if let Some(r) = response.get("$ref").and_then(Value::as_str) {
            return json!({ "$ref": self.rewrite_ref(r) });
        }
        let mut out = Map::new();
        let description = match response.remove("description") {
            Some(Value::String(description)) => description,
            Some(other) => scalar_text(&other),
            None => String::new(),
        };
        out.insert("description".into(), Value::String(description));
        if let Some(headers) = response.remove("headers") {
            let headers_ptr = pointer(ptr, "headers");
            match headers {
                Value::Object(headers) => {
                    let mut converted = Map::new();
                    for (name, header) in headers {
                        let header_ptr = pointer(&headers_ptr, &name);
                        converted.insert(name, self.header(header, &header_ptr));
                    }
                    out.insert("headers".into(), Value::Object(converted));
                }
                _ => self.warn(&headers_ptr, "`headers` is not an object; it was dropped"),
            }
        }
        if let Some(schema) = response.remove("schema") {
            let schema = self.schema(schema, &pointer(ptr, "schema"));
            let examples = match response.remove("examples") {
                Some(Value::Object(examples)) => examples,
                _ => Map::new(),
            };
            let media_types = if produces.is_empty() {
                vec![JSON.to_owned()]
            } else {
                produces.to_vec()
            };
            let mut content = Map::new();
            for media_type in media_types {
                let mut media = Map::new();
                media.insert("schema".into(), schema.clone());
                if let Some(example) = examples.get(&media_type) {
                    media.insert("example".into(), example.clone());
                }
                content.insert(media_type, Value::Object(media));
            }
            out.insert("content".into(), Value::Object(content));
        }
        for (key, value) in response {
            if key.starts_with("x-") {
                out.insert(key, value);
            }
        }
        Value::Object(out)
    }

    fn header(&mut self, header: Value, ptr: &str) -> Value {
        let Value::Object(header) = header else {
            self.warn(ptr, "the header is not an object; it is untyped");
            return json!({ "schema": {} });
        };
        if let Some(r) = header.get("$ref").and_then(Value::as_str) {
            return json!({ "$ref": self.rewrite_ref(r) });
        }
        let mut out = Map::new();
        if let Some(description) = header.get("description") {
            out.insert("description".into(), description.clone());
        }
        out.insert("schema".into(), self.simple_schema(&header, ptr));
        for (key, value) in &header {
            if key.starts_with("x-") {
                out.insert(key.clone(), value.clone());
            }
        }
        Value::Object(out)
    }

    fn components(
        &mut self,
        definitions: Map<String, Value>,
        src: &mut Map<String, Value>,
    ) -> Map<String, Value> {
        let mut components = Map::new();
        let mut schemas = Map::new();
        for (name, schema) in definitions {
            let ptr = pointer("#/definitions", &name);
            schemas.insert(name, self.schema(schema, &ptr));
        }
        if !schemas.is_empty() {
            components.insert("schemas".into(), Value::Object(schemas));
        }

        let root_responses = take_object(src, "responses");
        let mut responses = Map::new();
        let produces = self.produces.clone();
        for (name, response) in root_responses {
            let ptr = pointer("#/responses", &name);
            responses.insert(name, self.response(response, &produces, &ptr));
        }
        if !responses.is_empty() {
            components.insert("responses".into(), Value::Object(responses));
        }

        let mut parameters = Map::new();
        let mut request_bodies = Map::new();
        let consumes = self.consumes.clone();
        let shared = std::mem::take(&mut self.shared_params);
        for (name, param) in &shared {
            let ptr = pointer("#/parameters", name);
            let Value::Object(param) = param else {
                self.warn(&ptr, "the parameter is not an object; it was dropped");
                continue;
            };
            match str_field(param, "in") {
                Some("body") => {
                    let body = self.body_request(Value::Object(param.clone()), &consumes, &ptr);
                    request_bodies.insert(name.clone(), body);
                }
                Some("formData") => {
                    let form = self.form_request(
                        vec![(param.clone(), ptr)],
                        &consumes,
                        &pointer("#/parameters", name),
                    );
                    request_bodies.insert(name.clone(), form);
                }
                _ => {
                    if let Some(converted) = self.parameter(param.clone(), &ptr) {
                        parameters.insert(name.clone(), converted);
                    }
                }
            }
        }
        self.shared_params = shared;
        if !parameters.is_empty() {
            components.insert("parameters".into(), Value::Object(parameters));
        }
        if !request_bodies.is_empty() {
            components.insert("requestBodies".into(), Value::Object(request_bodies));
        }

        let security = take_object(src, "securityDefinitions");
        let mut schemes = Map::new();
        for (name, scheme) in security {
            let ptr = pointer("#/securityDefinitions", &name);
            if let Some(scheme) = self.security_scheme(scheme, &ptr) {
                schemes.insert(name, scheme);
            }
        }
        if !schemes.is_empty() {
            components.insert("securitySchemes".into(), Value::Object(schemes));
        }
        components
    }

    fn security_scheme(&mut self, scheme: Value, ptr: &str) -> Option<Value> {
        let Value::Object(scheme) = scheme else {
            self.warn(
                ptr,
                "the security definition is not an object; it was dropped",
            );
            return None;
        };
        let mut out = Map::new();
        match str_field(&scheme, "type") {
            Some("basic") => {
                out.insert("type".into(), Value::from("http"));
                out.insert("scheme".into(), Value::from("basic"));
            }
            Some("apiKey") => {
                out.insert("type".into(), Value::from("apiKey"));
                let name = scheme
                    .get("name")
                    .cloned()
                    .unwrap_or_else(|| Value::from(""));
                out.insert("name".into(), name);
                let location = match str_field(&scheme, "in") {
                    Some(location @ ("query" | "header")) => location,
                    other => {
                        self.warn(
                            ptr,
                            format!(
                                "an apiKey `in: {}` is not query or header; using header",
                                other.unwrap_or("")
                            ),
                        );
                        "header"
                    }
                };
                out.insert("in".into(), Value::from(location));
            }
            Some("oauth2") => {
                out.insert("type".into(), Value::from("oauth2"));
                let flows = self.oauth2_flows(&scheme, ptr);
                out.insert("flows".into(), Value::Object(flows));
            }
            other => {
                self.warn(
                    ptr,
                    format!(
                        "unknown security type `{}`; the definition was dropped",
                        other.unwrap_or("")
                    ),
                );
                return None;
            }
        }
        if let Some(description) = scheme.get("description") {
            out.insert("description".into(), description.clone());
        }
        for (key, value) in &scheme {
            if key.starts_with("x-") {
                out.insert(key.clone(), value.clone());
            }
        }
        Some(Value::Object(out))
    }

    fn oauth2_flows(&mut self, scheme: &Map<String, Value>, ptr: &str) -> Map<String, Value> {
        let flow = str_field(scheme, "flow").unwrap_or("");
        let (name, needs_authorization, needs_token) = match flow {
            "implicit" => ("implicit", true, false),
            "password" => ("password", false, true),
            "application" => ("clientCredentials", false, true),
            "accessCode" => ("authorizationCode", true, true),
            other => {
                self.warn(
                    ptr,
                    format!("unknown oauth2 flow `{other}`; reading it as `accessCode`"),
                );
                ("authorizationCode", true, true)
            }
        };
        let mut out = Map::new();
        if needs_authorization {
            let url = scheme
                .get("authorizationUrl")
                .and_then(Value::as_str)
                .unwrap_or("");
            out.insert("authorizationUrl".into(), Value::from(url));
        }
        if needs_token {
            let url = scheme.get("tokenUrl").and_then(Value::as_str).unwrap_or("");
            out.insert("tokenUrl".into(), Value::from(url));
        }
        let scopes: Map<String, Value> = match scheme.get("scopes") {
            Some(Value::Object(scopes)) => scopes
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(scalar_text(v))))
                .collect(),
            _ => Map::new(),
        };
        out.insert("scopes".into(), Value::Object(scopes));
        let mut flows = Map::new();
        flows.insert(name.into(), Value::Object(out));
        flows
    }

    /// Converts a schema: refs move to `components`, and the 2.0-only keywords become 3.0 ones.
    fn schema(&mut self, schema: Value, ptr: &str) -> Value {
        let mut schema = match schema {
            Value::Object(schema) => schema,
            Value::Bool(true) => return json!({}),
            other => {
                self.warn(
                    ptr,
                    format!("a schema must be an object, found `{other}`; it is untyped"),
                );
                return json!({});
            }
        };
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let r = self.rewrite_schema_ref(r);
            // `x-nullable` beside a `$ref` is the 2.0 way of saying "this reference, or null".
            if schema.get("x-nullable").and_then(Value::as_bool) == Some(true) {
                let mut out = Map::new();
                out.insert("allOf".into(), json!([{ "$ref": r }]));
                out.insert("nullable".into(), Value::Bool(true));
                for key in ["description", "title", "readOnly", "default", "example"] {
                    if let Some(value) = schema.remove(key) {
                        out.insert(key.into(), value);
                    }
                }
                return Value::Object(out);
            }
            schema.insert("$ref".into(), Value::String(r));
            return Value::Object(schema);
        }
        let declared_array = schema.get("type").and_then(Value::as_str) == Some("array");
        // Some generators (Slack's) write `items: [a, b]` without `type: array` to mean "one of
        // these shapes"; reading that as an array would type a single object as a list.
        if !declared_array && matches!(schema.get("items"), Some(Value::Array(a)) if !a.is_empty())
        {
            if let Some(Value::Array(alternatives)) = schema.remove("items") {
                return self.alternatives(schema, alternatives, ptr);
            }
        }
        // `type: "null"` is not Swagger 2.0 but some generators (Slack's) write it; read it as 3.1 does.
        super::v31::absorb_null_members(&mut schema);
        if schema.get("type").and_then(Value::as_str) == Some("null") {
            super::v31::mark_null(&mut schema);
        }
        match schema.remove("x-nullable") {
            Some(Value::Bool(true)) => {
                schema.insert("nullable".into(), Value::Bool(true));
            }
            Some(Value::Bool(false)) | None => {}
            Some(other) => {
                schema.insert("x-nullable".into(), other);
            }
        }
        match schema.get("type").cloned() {
            Some(Value::String(t)) if t == "file" => {
                schema.insert("type".into(), Value::from("string"));
                schema.insert("format".into(), Value::from("binary"));
            }
            Some(Value::Array(types)) => {
                // Not Swagger 2.0, but written by some tools.
                let mut names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
                if names.contains(&"null") {
                    schema.insert("nullable".into(), Value::Bool(true));
                    names.retain(|t| *t != "null");
                }
                match names.as_slice() {
                    [] => super::v31::mark_null(&mut schema),
                    [one] => {
                        schema.insert("type".into(), Value::from(*one));
                    }
                    [first, ..] => {
                        self.warn(
                            &pointer(ptr, "type"),
                            format!("a list of types is not Swagger 2.0; using `{first}`"),
                        );
                        schema.insert("type".into(), Value::from(*first));
                    }
                }
            }
            Some(Value::String(_)) | None => {}
            Some(other) => {
                self.warn(
                    &pointer(ptr, "type"),
                    format!("`type` must be a string, found `{other}`; the schema is untyped"),
                );
                schema.remove("type");
            }
        }
        if let Some(Value::String(property)) = schema.get("discriminator") {
            let property = property.clone();
            schema.insert("discriminator".into(), json!({ "propertyName": property }));
        }
        match schema.get("required") {
            Some(Value::Array(_)) | None => {}
            Some(_) => {
                self.warn(
                    &pointer(ptr, "required"),
                    "`required` must be a list of property names; it was dropped",
                );
                schema.remove("required");
            }
        }
        if let Some(Value::Array(required)) = schema.get_mut("required") {
            required.retain(Value::is_string);
        }
        if let Some(properties) = schema.remove("properties") {
            let properties_ptr = pointer(ptr, "properties");
            match properties {
                Value::Object(properties) => {
                    let mut converted = Map::new();
                    let mut newly_required = Vec::new();
                    for (name, property) in properties {
                        let property_ptr = pointer(&properties_ptr, &name);
                        let property = match property {
                            Value::Object(mut property)
                                if property.get("required").is_some_and(Value::is_boolean) =>
                            {
                                // `required: true` on the property itself is a common 2.0 mistake.
                                if property.remove("required") == Some(Value::Bool(true)) {
                                    self.warn(
                                        &pointer(&property_ptr, "required"),
                                        "`required: true` on a property; listing it in the parent's `required`",
                                    );
                                    newly_required.push(name.clone());
                                }
                                Value::Object(property)
                            }
                            other => other,
                        };
                        converted.insert(name, self.schema(property, &property_ptr));
                    }
                    schema.insert("properties".into(), Value::Object(converted));
                    if !newly_required.is_empty() {
                        let entry = schema
                            .entry("required")
                            .or_insert_with(|| Value::Array(Vec::new()));
                        if let Value::Array(required) = entry {
                            for name in newly_required {
                                let name = Value::String(name);
                                if !required.contains(&name) {
                                    required.push(name);
                                }
                            }
                        }
                    }
                }
                _ => self.warn(
                    &properties_ptr,
                    "`properties` is not an object; it was dropped",
                ),
            }
        }
        if let Some(additional) = schema.remove("additionalProperties") {
            let additional = match additional {
                Value::Bool(b) => Value::Bool(b),
                other => self.schema(other, &pointer(ptr, "additionalProperties")),
            };
            schema.insert("additionalProperties".into(), additional);
        }
        if let Some(items) = schema.remove("items") {
            let items_ptr = pointer(ptr, "items");
            let items = match items {
                Value::Array(mut tuple) => {
                    self.warn(&items_ptr, "a list of `items` (a tuple) is read as an array whose items are any of them");
                    if tuple.len() == 1 {
                        let only = tuple.remove(0);
                        self.schema(only, &pointer(&items_ptr, "0"))
                    } else {
                        let members = self.schema_list(tuple, &items_ptr);
                        json!({ "anyOf": members })
                    }
                }
                other => self.schema(other, &items_ptr),
            };
            schema.insert("items".into(), items);
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(members) = schema.remove(key) {
                let members_ptr = pointer(ptr, key);
                match members {
                    Value::Array(members) => {
                        let members = self.schema_list(members, &members_ptr);
                        schema.insert(key.into(), Value::Array(members));
                    }
                    _ => self.warn(
                        &members_ptr,
                        format!("`{key}` is not a list; it was dropped"),
                    ),
                }
            }
        }
        if let Some(not) = schema.remove("not") {
            let not = self.schema(not, &pointer(ptr, "not"));
            schema.insert("not".into(), not);
        }
        Value::Object(schema)
    }

    /// A schema whose `items` list (without `type: array`) names the shapes it may take: one
    /// plain shape is merged into the schema, otherwise they become its `anyOf` (or `allOf` for
    /// one reference), and the result is converted as usual.
    fn alternatives(
        &mut self,
        mut schema: Map<String, Value>,
        mut list: Vec<Value>,
        ptr: &str,
    ) -> Value {
        self.warn(
            &pointer(ptr, "items"),
            "a list of `items` without `type: array` is read as any of the listed schemas",
        );
        match (list.len(), list.first()) {
            (1, Some(Value::Object(member))) if !member.contains_key("$ref") => {
                if let Value::Object(member) = list.remove(0) {
                    for (key, value) in member {
                        schema.entry(key).or_insert(value);
                    }
                }
            }
            (1, _) => {
                schema.insert("allOf".into(), Value::Array(list));
            }
            _ => {
                let entry = schema
                    .entry("anyOf")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(members) = entry {
                    members.extend(list);
                }
            }
        }
        self.schema(Value::Object(schema), ptr)
    }

    fn schema_list(&mut self, members: Vec<Value>, ptr: &str) -> Vec<Value> {
        members
            .into_iter()
            .enumerate()
            .map(|(i, member)| self.schema(member, &pointer(ptr, &i.to_string())))
            .collect()
    }

    /// Rewrites a schema `$ref`, including the bare `Pet` shorthand some 2.0 documents use.
    fn rewrite_schema_ref(&self, r: &str) -> String {
        if !r.contains('#') && !r.contains('/') && self.definition_names.contains(r) {
            return pointer("#/components/schemas", r);
        }
        self.rewrite_ref(r)
    }

    /// Rewrites a local `$ref` into the 3.0 layout; other refs are returned unchanged.
    fn rewrite_ref(&self, r: &str) -> String {
        if let Some(rest) = r.strip_prefix("#/definitions/") {
            return format!("#/components/schemas/{rest}");
        }
        if let Some(rest) = r.strip_prefix("#/responses/") {
            return format!("#/components/responses/{rest}");
        }
        if let Some(rest) = r.strip_prefix("#/parameters/") {
            let name = rest.split('/').next().unwrap_or(rest);
            let location = self
                .shared_params
                .get(&unescape_segment(name))
                .and_then(|p| p.get("in"))
                .and_then(Value::as_str);
            let section = match location {
                Some("body" | "formData") => "requestBodies",
                _ => "parameters",
            };
            return format!("#/components/{section}/{rest}");
        }
        r.to_owned()
    }
}

fn take_object(map: &mut Map<String, Value>, key: &str) -> Map<String, Value> {
    match map.remove(key) {
        Some(Value::Object(object)) => object,
        _ => Map::new(),
    }
}

fn str_field<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

/// A `consumes`/`produces` list; `None` when absent, so that an empty list can still override.
fn media_list(value: Option<&Value>) -> Option<Vec<String>> {
    match value? {
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        ),
        Value::String(one) => Some(vec![one.clone()]),
        _ => None,
    }
}

/// The text of a scalar: strings as they are, other values as JSON.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Undoes RFC 6901 escaping in one JSON Pointer segment.
fn unescape_segment(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::convert;
    use crate::diagnostics::{DiagnosticKind, Diagnostics};

    fn run(doc: Value) -> (Value, Diagnostics) {
        let mut diags = Diagnostics::new();
        let out = convert(doc, &mut diags);
        (out, diags)
    }

    fn base(extra: Value) -> Value {
        let mut doc = json!({
            "swagger": "2.0",
            "info": { "title": "T", "version": "1" },
            "host": "api.example.com",
            "schemes": ["https"],
            "paths": {}
        });
        if let (Value::Object(doc), Value::Object(extra)) = (&mut doc, extra) {
            doc.extend(extra);
        }
        doc
    }

    fn warned(diags: &Diagnostics, needle: &str) -> bool {
        diags
            .iter()
            .any(|d| d.kind == DiagnosticKind::Swagger2Conversion && d.message.contains(needle))
    }

    #[test]
    fn an_items_list_without_array_type_is_one_of_its_shapes() {
        let (out, diags) = run(base(json!({ "definitions": {
            "conversation": { "items": [
                { "type": "object", "properties": { "id": { "type": "string" } } },
                { "$ref": "#/definitions/im" }
            ] },
            "bot_id": { "items": [{ "type": "string", "pattern": "^B" }], "description": "a bot" },
            "pair": { "type": "array", "items": [{ "type": "string" }, { "type": "integer" }] },
            "im": { "type": "object" }
        } })));
        let schemas = &out["components"]["schemas"];
        assert_eq!(schemas["conversation"].get("items"), None);
        assert_eq!(
            schemas["conversation"]["anyOf"][1],
            json!({ "$ref": "#/components/schemas/im" })
        );
        assert_eq!(schemas["bot_id"]["type"], json!("string"));
        assert_eq!(schemas["bot_id"]["description"], json!("a bot"));
        assert_eq!(schemas["pair"]["type"], json!("array"));
        assert!(schemas["pair"]["items"]["anyOf"].is_array());
        assert!(warned(&diags, "without `type: array`"));
        assert!(warned(&diags, "(a tuple)"));
    }

    #[test]
    fn definitions_move_to_components_and_refs_follow() {
        let (out, _) = run(base(json!({
            "definitions": {
                "Pet": { "type": "object", "properties": { "owner": { "$ref": "#/definitions/User" } } },
                "User": { "type": "object" }
            }
        })));
        assert_eq!(out["openapi"], "3.0.3");
        assert_eq!(
            out["components"]["schemas"]["Pet"]["properties"]["owner"]["$ref"],
            "#/components/schemas/User"
        );
        assert!(out.get("definitions").is_none());
    }

    #[test]
    fn body_parameter_becomes_request_body_per_consumes() {
        let (out, _) = run(base(json!({
            "consumes": ["application/json", "application/xml"],
            "paths": { "/pets": { "post": {
                "parameters": [{ "in": "body", "name": "pet", "required": true, "schema": { "$ref": "#/definitions/Pet" } }],
                "responses": { "200": { "description": "ok" } }
            } } },
            "definitions": { "Pet": { "type": "object" } }
        })));
        let body = &out["paths"]["/pets"]["post"]["requestBody"];
        assert_eq!(body["required"], true);
        assert_eq!(
            body["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Pet"
        );
        assert_eq!(
            body["content"]["application/xml"]["schema"]["$ref"],
            "#/components/schemas/Pet"
        );
        assert_eq!(body["x-codegen-request-body-name"], "pet");
        assert!(out["paths"]["/pets"]["post"].get("parameters").is_none());
    }

    #[test]
    fn body_without_consumes_is_json() {
        let (out, _) = run(base(json!({
            "paths": { "/pets": { "post": {
                "parameters": [{ "in": "body", "name": "pet", "schema": { "type": "object" } }],
                "responses": {}
            } } }
        })));
        assert!(
            out["paths"]["/pets"]["post"]["requestBody"]["content"]["application/json"].is_object()
        );
    }

    #[test]
    fn form_fields_become_an_urlencoded_object() {
        let (out, _) = run(base(json!({
            "paths": { "/login": { "post": {
                "consumes": ["application/x-www-form-urlencoded"],
                "parameters": [
                    { "in": "formData", "name": "user", "type": "string", "required": true, "description": "who" },
                    { "in": "formData", "name": "tags", "type": "array", "items": { "type": "string" }, "collectionFormat": "multi" }
                ],
                "responses": {}
            } } }
        })));
        let media = &out["paths"]["/login"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"];
        assert_eq!(
            media["schema"]["properties"]["user"],
            json!({ "type": "string", "description": "who" })
        );
        assert_eq!(media["schema"]["required"], json!(["user"]));
        assert_eq!(
            media["encoding"]["tags"],
            json!({ "style": "form", "explode": true })
        );
    }

    #[test]
    fn a_file_field_makes_the_form_multipart() {
        let (out, diags) = run(base(json!({
            "paths": { "/upload": { "post": {
                "consumes": ["multipart/form-data"],
                "parameters": [{ "in": "formData", "name": "file", "type": "file" }],
                "responses": {}
            } } }
        })));
        let media =
            &out["paths"]["/upload"]["post"]["requestBody"]["content"]["multipart/form-data"];
        assert_eq!(
            media["schema"]["properties"]["file"],
            json!({ "type": "string", "format": "binary" })
        );
        assert!(diags.is_empty());
    }

    #[test]
    fn form_without_form_media_type_is_a_reported_guess() {
        let (out, diags) = run(base(json!({
            "paths": { "/a": { "post": {
                "parameters": [{ "in": "formData", "name": "x", "type": "string" }],
                "responses": {}
            } } }
        })));
        assert!(out["paths"]["/a"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"].is_object());
        assert!(warned(&diags, "form media type"));
    }

    #[test]
    fn collection_formats_map_to_styles() {
        let param = |format: &str| json!({ "in": "query", "name": "q", "type": "array", "items": { "type": "string" }, "collectionFormat": format });
        let (out, diags) = run(base(json!({
            "paths": { "/s": { "get": {
                "parameters": [param("csv"), param("multi"), param("ssv"), param("pipes"), param("tsv")],
                "responses": {}
            } } }
        })));
        let params = &out["paths"]["/s"]["get"]["parameters"];
        let style = |i: usize| (params[i]["style"].clone(), params[i]["explode"].clone());
        assert_eq!(style(0), (json!("form"), json!(false)));
        assert_eq!(style(1), (json!("form"), json!(true)));
        assert_eq!(style(2), (json!("spaceDelimited"), json!(false)));
        assert_eq!(style(3), (json!("pipeDelimited"), json!(false)));
        assert_eq!(style(4), (json!("form"), json!(false)));
        assert!(warned(&diags, "tsv"));
        assert_eq!(
            params[0]["schema"],
            json!({ "type": "array", "items": { "type": "string" } })
        );
    }

    #[test]
    fn non_body_parameter_keywords_move_into_schema() {
        let (out, _) = run(base(json!({
            "paths": { "/p/{id}": { "get": {
                "parameters": [
                    { "in": "path", "name": "id", "type": "integer", "format": "int64", "minimum": 1 },
                    { "in": "query", "name": "sort", "type": "string", "enum": ["a", "b"], "default": "a", "x-nullable": true }
                ],
                "responses": {}
            } } }
        })));
        let params = &out["paths"]["/p/{id}"]["get"]["parameters"];
        assert_eq!(
            params[0],
            json!({
                "name": "id", "in": "path", "required": true,
                "schema": { "type": "integer", "format": "int64", "minimum": 1 }
            })
        );
        assert_eq!(
            params[1]["schema"],
            json!({ "type": "string", "enum": ["a", "b"], "default": "a", "nullable": true })
        );
    }

    #[test]
    fn operation_parameters_override_path_parameters() {
        let (out, _) = run(base(json!({
            "paths": { "/x": {
                "parameters": [
                    { "in": "query", "name": "q", "type": "string" },
                    { "in": "body", "name": "b", "schema": { "type": "string" } }
                ],
                "post": {
                    "parameters": [{ "in": "body", "name": "b", "schema": { "type": "integer" } }],
                    "responses": {}
                },
                "put": { "responses": {} }
            } }
        })));
        let item = &out["paths"]["/x"];
        assert_eq!(
            item["parameters"],
            json!([{ "name": "q", "in": "query", "schema": { "type": "string" } }])
        );
        assert_eq!(
            item["post"]["requestBody"]["content"]["application/json"]["schema"]["type"],
            "integer"
        );
        assert_eq!(
            item["put"]["requestBody"]["content"]["application/json"]["schema"]["type"],
            "string"
        );
    }

    #[test]
    fn shared_parameters_split_into_parameters_and_request_bodies() {
        let (out, _) = run(base(json!({
            "parameters": {
                "limit": { "in": "query", "name": "limit", "type": "integer" },
                "pet": { "in": "body", "name": "pet", "schema": { "type": "object" } }
            },
            "paths": { "/pets": { "post": {
                "parameters": [{ "$ref": "#/parameters/limit" }, { "$ref": "#/parameters/pet" }],
                "responses": {}
            } } }
        })));
        let op = &out["paths"]["/pets"]["post"];
        assert_eq!(
            op["parameters"],
            json!([{ "$ref": "#/components/parameters/limit" }])
        );
        assert_eq!(
            op["requestBody"],
            json!({ "$ref": "#/components/requestBodies/pet" })
        );
        assert_eq!(
            out["components"]["parameters"]["limit"]["schema"]["type"],
            "integer"
        );
        assert!(
            out["components"]["requestBodies"]["pet"]["content"]["application/json"].is_object()
        );
    }

    #[test]
    fn responses_get_content_per_produces_and_headers_get_schemas() {
        let (out, _) = run(base(json!({
            "produces": ["application/json"],
            "responses": { "NotFound": { "description": "missing" } },
            "paths": { "/a": { "get": {
                "produces": ["text/csv"],
                "responses": {
                    "200": {
                        "description": "ok",
                        "schema": { "type": "string" },
                        "headers": { "X-Rate": { "type": "integer", "description": "left" } },
                        "examples": { "text/csv": "a,b" }
                    },
                    "404": { "$ref": "#/responses/NotFound" }
                }
            } } }
        })));
        let responses = &out["paths"]["/a"]["get"]["responses"];
        assert_eq!(
            responses["200"]["content"],
            json!({ "text/csv": { "schema": { "type": "string" }, "example": "a,b" } })
        );
        assert_eq!(
            responses["200"]["headers"]["X-Rate"],
            json!({ "description": "left", "schema": { "type": "integer" } })
        );
        assert_eq!(responses["404"]["$ref"], "#/components/responses/NotFound");
        assert_eq!(
            out["components"]["responses"]["NotFound"]["description"],
            "missing"
        );
    }

    #[test]
    fn security_definitions_become_schemes() {
        let (out, _) = run(base(json!({
            "securityDefinitions": {
                "basic": { "type": "basic" },
                "key": { "type": "apiKey", "name": "X-Key", "in": "header" },
                "implicit": { "type": "oauth2", "flow": "implicit", "authorizationUrl": "https://a", "scopes": { "r": "read" } },
                "app": { "type": "oauth2", "flow": "application", "tokenUrl": "https://t", "scopes": {} },
                "code": { "type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {} },
                "pw": { "type": "oauth2", "flow": "password", "tokenUrl": "https://t", "scopes": {} }
            }
        })));
        let schemes = &out["components"]["securitySchemes"];
        assert_eq!(
            schemes["basic"],
            json!({ "type": "http", "scheme": "basic" })
        );
        assert_eq!(
            schemes["key"],
            json!({ "type": "apiKey", "name": "X-Key", "in": "header" })
        );
        assert_eq!(
            schemes["implicit"]["flows"]["implicit"]["scopes"]["r"],
            "read"
        );
        assert_eq!(
            schemes["app"]["flows"]["clientCredentials"]["tokenUrl"],
            "https://t"
        );
        assert_eq!(
            schemes["code"]["flows"]["authorizationCode"]["authorizationUrl"],
            "https://a"
        );
        assert!(schemes["pw"]["flows"]["password"].is_object());
    }

    #[test]
    fn host_base_path_and_schemes_become_servers() {
        let (out, _) = run(json!({
            "swagger": "2.0", "info": { "title": "T", "version": 1.5 }, "paths": {},
            "host": "api.example.com", "basePath": "/v1/", "schemes": ["http", "https"]
        }));
        assert_eq!(
            out["servers"],
            json!([{ "url": "http://api.example.com/v1" }, { "url": "https://api.example.com/v1" }])
        );
        assert_eq!(out["info"]["version"], "1.5");

        let (out, diags) = run(
            json!({ "swagger": "2.0", "info": { "title": "T", "version": "1" }, "paths": {}, "host": "h" }),
        );
        assert_eq!(out["servers"], json!([{ "url": "https://h" }]));
        assert!(warned(&diags, "https"));

        let (out, _) = run(
            json!({ "swagger": "2.0", "info": { "title": "T", "version": "1" }, "paths": {}, "basePath": "/api" }),
        );
        assert_eq!(out["servers"], json!([{ "url": "/api" }]));
    }

    #[test]
    fn x_nullable_becomes_nullable_everywhere() {
        let (out, _) = run(base(json!({
            "definitions": {
                "A": {
                    "type": "object",
                    "x-nullable": true,
                    "properties": {
                        "b": { "type": "string", "x-nullable": true },
                        "c": { "$ref": "#/definitions/A", "x-nullable": true },
                        "d": { "type": "array", "items": { "type": "integer", "x-nullable": true } }
                    }
                }
            }
        })));
        let a = &out["components"]["schemas"]["A"];
        assert_eq!(a["nullable"], true);
        assert!(a.get("x-nullable").is_none());
        assert_eq!(
            a["properties"]["b"],
            json!({ "type": "string", "nullable": true })
        );
        assert_eq!(
            a["properties"]["c"],
            json!({ "allOf": [{ "$ref": "#/components/schemas/A" }], "nullable": true })
        );
        assert_eq!(a["properties"]["d"]["items"]["nullable"], true);
    }

    #[test]
    fn two_point_oh_schema_quirks_are_repaired() {
        let (out, diags) = run(base(json!({
            "definitions": {
                "Pet": {
                    "type": "object",
                    "discriminator": "kind",
                    "properties": { "kind": { "type": "string", "required": true }, "photo": { "type": "file" } }
                },
                "Short": { "$ref": "Pet" }
            }
        })));
        let pet = &out["components"]["schemas"]["Pet"];
        assert_eq!(pet["discriminator"], json!({ "propertyName": "kind" }));
        assert_eq!(pet["required"], json!(["kind"]));
        assert_eq!(
            pet["properties"]["photo"],
            json!({ "type": "string", "format": "binary" })
        );
        assert_eq!(
            out["components"]["schemas"]["Short"]["$ref"],
            "#/components/schemas/Pet"
        );
        assert!(warned(&diags, "required: true"));
    }

    #[test]
    fn root_metadata_and_extensions_are_kept() {
        let (out, _) = run(base(json!({
            "tags": [{ "name": "pets" }],
            "externalDocs": { "url": "https://docs" },
            "security": [{ "key": [] }],
            "x-logo": "logo.png"
        })));
        assert_eq!(out["tags"], json!([{ "name": "pets" }]));
        assert_eq!(out["externalDocs"]["url"], "https://docs");
        assert_eq!(out["security"], json!([{ "key": [] }]));
        assert_eq!(out["x-logo"], "logo.png");
        assert!(out.get("swagger").is_none());
    }

    #[test]
    fn malformed_input_does_not_panic() {
        for doc in [
            json!({ "swagger": "2.0" }),
            json!({ "swagger": "2.0", "paths": { "/a": 3, "/b": { "get": "x", "parameters": 4 } }, "definitions": [] }),
            json!({ "swagger": "2.0", "paths": { "/a": { "get": { "parameters": [1, { "in": "cookie" }, { "$ref": "#/parameters/none" }] } } } }),
            json!([1, 2]),
        ] {
            let _ = run(doc);
        }
    }

    #[test]
    fn openapiv3_reads_the_converted_petstore() {
        let (out, _) = run(base(json!({
            "basePath": "/v1",
            "consumes": ["application/json"],
            "produces": ["application/json"],
            "securityDefinitions": { "key": { "type": "apiKey", "name": "k", "in": "query" } },
            "parameters": { "limit": { "in": "query", "name": "limit", "type": "integer", "format": "int32" } },
            "paths": {
                "/pets": {
                    "get": {
                        "operationId": "listPets",
                        "parameters": [{ "$ref": "#/parameters/limit" }],
                        "responses": {
                            "200": { "description": "ok", "schema": { "type": "array", "items": { "$ref": "#/definitions/Pet" } } },
                            "default": { "description": "error", "schema": { "$ref": "#/definitions/Error" } }
                        }
                    },
                    "post": {
                        "parameters": [{ "in": "body", "name": "pet", "schema": { "$ref": "#/definitions/Pet" } }],
                        "responses": { "201": { "description": "created" } }
                    }
                },
                "/pets/{id}/photo": {
                    "parameters": [{ "in": "path", "name": "id", "type": "string" }],
                    "put": {
                        "consumes": ["multipart/form-data"],
                        "parameters": [{ "in": "formData", "name": "photo", "type": "file", "required": true }],
                        "responses": { "204": { "description": "stored" } }
                    }
                }
            },
            "definitions": {
                "Pet": { "type": "object", "required": ["id"], "properties": { "id": { "type": "integer", "format": "int64" }, "tag": { "type": "string", "x-nullable": true } } },
                "Error": { "type": "object", "properties": { "message": { "type": "string" } } }
            }
        })));
        let parsed = serde_json::from_value::<openapiv3::OpenAPI>(out);
        assert!(parsed.is_ok(), "{parsed:?}");
        if let Ok(api) = parsed {
            assert_eq!(api.operations().count(), 3);
        }
    }
}
