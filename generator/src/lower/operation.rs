//! Paths and operations → client methods.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::resources::{CallName, NameInput, lower_call_names};
use super::schema::docs_of;
use super::{Lowerer, deref, resolve};
use crate::config::{MultipartStyle, PaginationRule};
use crate::diagnostics::{DiagnosticKind, pointer};
use crate::ir::{
    BodyKind, Docs, FormField, HttpMethod, Operation, Pagination, PaginationStyle, Param,
    ParamLocation, PathSegment, QueryStyle, RequestBody, ResponseBody, ResponseCase, Responses,
    StatusMatch, SuccessResponse, TypeRef,
};
use crate::naming::{self, Scope};

/// Names a builder cannot give to a parameter setter because the builder already has them.
const BUILDER_RESERVED: &[&str] = &[
    "client",
    "options",
    "body",
    "send",
    "send_with_response",
    "stream",
    "pages",
    "request",
    "new",
];

/// One operation as found in `paths`, before naming.
struct RawOperation<'v> {
    path: String,
    method: HttpMethod,
    node: &'v Value,
    ptr: String,
    path_params: Vec<(&'v Value, String)>,
    /// The path item's own `servers`, which operations without theirs inherit.
    path_servers: Option<&'v Value>,
}

impl<'a> Lowerer<'a> {
    pub(super) fn lower_operations(&mut self) -> Vec<Operation> {
        let raw = self.collect_operations();
        let mut seen_ids = BTreeSet::new();
        let mut ids = Vec::with_capacity(raw.len());
        for op in &raw {
            let explicit = op
                .node
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty());
            let operation_id = match explicit {
                Some(id) => id.to_owned(),
                None => derive_operation_id(op.method, &op.path),
            };
            if !seen_ids.insert(operation_id.clone()) {
                self.diags.warn(
                    DiagnosticKind::DuplicateOperationId,
                    pointer(&op.ptr, "operationId"),
                    format!("`{operation_id}` is used by an earlier operation; this one gets a numbered name"),
                );
            }
            ids.push(operation_id);
        }
        let inputs: Vec<NameInput<'_>> = raw
            .iter()
            .zip(&ids)
            .map(|(op, id)| NameInput {
                path: &op.path,
                method: op.method,
                operation_id: id,
                pointer: &op.ptr,
            })
            .collect();
        let names = lower_call_names(&inputs, &self.config.naming, self.diags);
        drop(inputs);
        let mut builder_names = Scope::with_reserved(&["Client"]);
        let mut out = Vec::with_capacity(raw.len());
        for ((op, operation_id), name) in raw.into_iter().zip(ids).zip(names) {
            let mut words = name.resource.clone();
            words.push(name.method.clone());
            let builder_name = builder_names.claim(&naming::type_name(&words.join("_")));
            let success_name = builder_names.claim(&format!("{builder_name}Success"));
            let error_name = builder_names.claim(&format!("{builder_name}Error"));
            out.push(self.lower_operation(
                op,
                operation_id,
                name,
                builder_name,
                success_name,
                error_name,
            ));
        }
        strip_common_module_prefix(&mut out);
        out.sort_by(|a, b| (&a.resource, &a.method_name).cmp(&(&b.resource, &b.method_name)));
        out
    }

    fn collect_operations(&mut self) -> Vec<RawOperation<'a>> {
        let root = self.root;
        let Some(paths) = root.get("paths").and_then(Value::as_object) else {
            if root.get("paths").is_some() {
                self.diags.error(
                    DiagnosticKind::InvalidStructure,
                    "#/paths",
                    "`paths` must be an object",
                );
            }
            return Vec::new();
        };
        let mut out = Vec::new();
        for (path, item) in paths {
            let item_ptr = pointer("#/paths", path);
            let item = match item.get("$ref").and_then(Value::as_str) {
                Some(r) => match resolve(root, r) {
                    Some(target) => target,
                    None => {
                        self.diags.warn(
                            DiagnosticKind::UnresolvedRef,
                            &item_ptr,
                            format!("path item `$ref: {r}` points at nothing"),
                        );
                        continue;
                    }
                },
                None => item,
            };
            if !item.is_object() {
                self.diags.warn(
                    DiagnosticKind::InvalidStructure,
                    &item_ptr,
                    "a path item must be an object",
                );
                continue;
            }
            let path_params = params_of(item, &item_ptr);
            for method in HttpMethod::ALL {
                let Some(node) = item.get(method.key()) else {
                    continue;
                };
                let ptr = pointer(&item_ptr, method.key());
                if !node.is_object() {
                    self.diags.warn(
                        DiagnosticKind::SkippedOperation,
                        &ptr,
                        "an operation must be an object",
                    );
                    continue;
                }
                out.push(RawOperation {
                    path: path.clone(),
                    method,
                    node,
                    ptr,
                    path_params: path_params.clone(),
                    path_servers: item.get("servers"),
                });
            }
        }
        out
    }

    fn lower_operation(
        &mut self,
        op: RawOperation<'a>,
        operation_id: String,
        name: CallName,
        builder_name: String,
        success_name: String,
        error_name: String,
    ) -> Operation {
        let mut scope = Scope::with_reserved(BUILDER_RESERVED);
        let mut params = Vec::new();
        // Operation-level parameters override path-level ones with the same name and location.
        let op_params = params_of(op.node, &op.ptr);
        let mut seen = BTreeSet::new();
        for (node, ptr) in op_params.iter().chain(op.path_params.iter()) {
            let Some(param) = self.lower_param(node, ptr, &builder_name, &mut scope) else {
                continue;
            };
            let key = (param.wire_name.clone(), location_key(param.location));
            if seen.insert(key) {
                params.push(param);
            }
        }
        let path = self.lower_path(&op.path, &op.ptr, &mut params, &mut scope);
        let body = self.lower_body(op.node, &op.ptr, &builder_name);
        let responses =
            self.lower_responses(op.node, &op.ptr, &builder_name, success_name, error_name);
        let tag = op
            .node
            .get("tags")
            .and_then(Value::as_array)
            .and_then(|t| t.first())
            .and_then(Value::as_str);
        let module = naming::module_name(tag.unwrap_or_else(|| first_segment(&op.path)));
        let pagination = self.pagination_for(&operation_id);
        let mut docs = docs_of(op.node);
        docs.summary = op
            .node
            .get("summary")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        // An operation's server that is the API's own adds nothing.
        let server = first_absolute_server(op.node.get("servers"))
            .or_else(|| first_absolute_server(op.path_servers))
            .filter(|s| Some(s) != first_absolute_server(self.root.get("servers")).as_ref());
        Operation {
            server,
            resource: name.resource,
            method_name: name.method,
            name_origin: name.origin,
            builder_name,
            operation_id,
            module,
            http_method: op.method,
            path_template: op.path,
            path,
            params,
            body,
            responses,
            docs,
            pagination,
            pointer: op.ptr,
            degraded: Vec::new(),
            stream_flag: None,
        }
    }

    fn lower_param(
        &mut self,
        node: &'a Value,
        ptr: &str,
        builder: &str,
        scope: &mut Scope,
    ) -> Option<Param> {
        let root = self.root;
        let (node, ptr) = match node.get("$ref").and_then(Value::as_str) {
            Some(r) => match resolve(root, r) {
                Some(target) => (target, r.to_owned()),
                None => {
                    self.diags.warn(
                        DiagnosticKind::UnresolvedRef,
                        ptr,
                        format!("parameter `$ref: {r}` points at nothing"),
                    );
                    return None;
                }
            },
            None => (node, ptr.to_owned()),
        };
        let Some(name) = node.get("name").and_then(Value::as_str) else {
            self.diags.warn(
                DiagnosticKind::InvalidParameter,
                &ptr,
                "a parameter without `name` is skipped",
            );
            return None;
        };
        let location_text = node.get("in").and_then(Value::as_str).unwrap_or("");
        let style = node.get("style").and_then(Value::as_str);
        let location = match location_text {
            "path" => ParamLocation::Path,
            "query" => {
                let style = match style {
                    Some("spaceDelimited") => QueryStyle::SpaceDelimited,
                    Some("pipeDelimited") => QueryStyle::PipeDelimited,
                    Some("deepObject") => QueryStyle::DeepObject,
                    _ => QueryStyle::Form,
                };
                let explode = node
                    .get("explode")
                    .and_then(Value::as_bool)
                    .unwrap_or(style == QueryStyle::Form);
                ParamLocation::Query { style, explode }
            }
            "header" => {
                // OpenAPI says these three are ignored as parameters; the runtime sets them.
                if ["accept", "content-type", "authorization"]
                    .contains(&name.to_ascii_lowercase().as_str())
                {
                    return None;
                }
                ParamLocation::Header
            }
            "cookie" => ParamLocation::Cookie,
            other => {
                self.diags.warn(
                    DiagnosticKind::InvalidParameter,
                    &ptr,
                    format!("parameter location `{other}` is not supported"),
                );
                return None;
            }
        };
        // A shared parameter is named after its component, not after whichever operation
        // lowered it first.
        let ctx = match component_name(&ptr, "parameters") {
            Some(component) => format!("{component}Param"),
            None => format!("{builder}{}", naming::type_name(name)),
        };
        let schema = node
            .get("schema")
            .map(|s| (s, pointer(&ptr, "schema")))
            .or_else(|| first_content_schema(node, &ptr));
        let ty = match schema {
            Some((schema, sptr)) => self.lower_schema(schema, &sptr, &ctx),
            None => TypeRef::String,
        };
        let ty = match ty {
            TypeRef::Nullable(inner) => *inner,
            other => other,
        };
        let required = location == ParamLocation::Path
            || node
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
        Some(Param {
            rust_name: scope.claim(&naming::field_name(name)),
            wire_name: name.to_owned(),
            location,
            required,
            ty,
            docs: docs_of(node),
        })
    }

    /// Splits the template and checks it against the path parameters.
    fn lower_path(
        &mut self,
        template: &str,
        ptr: &str,
        params: &mut Vec<Param>,
        scope: &mut Scope,
    ) -> Vec<PathSegment> {
        let mut segments = Vec::new();
        let mut rest = template;
        let mut used = BTreeSet::new();
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            if open > 0 {
                segments.push(PathSegment::Literal(rest[..open].to_owned()));
            }
            let name = &rest[open + 1..close];
            let index = match params
                .iter()
                .position(|p| p.location == ParamLocation::Path && p.wire_name == name)
            {
                Some(i) => i,
                None => {
                    self.diags.warn(
                        DiagnosticKind::PathParameter,
                        ptr,
                        format!("`{{{name}}}` in the path has no `in: path` parameter; it becomes a string argument"),
                    );
                    params.push(Param {
                        rust_name: scope.claim(&naming::field_name(name)),
                        wire_name: name.to_owned(),
                        location: ParamLocation::Path,
                        required: true,
                        ty: TypeRef::String,
                        docs: Docs::default(),
                    });
                    params.len() - 1
                }
            };
            used.insert(index);
            segments.push(PathSegment::Param(index));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            segments.push(PathSegment::Literal(rest.to_owned()));
        }
        let unused: Vec<usize> = (0..params.len())
            .filter(|i| params[*i].location == ParamLocation::Path && !used.contains(i))
            .collect();
        for i in unused.iter().rev() {
            self.diags.warn(
                DiagnosticKind::PathParameter,
                ptr,
                format!(
                    "path parameter `{}` is not in the path template; it is left out",
                    params[*i].wire_name
                ),
            );
        }
        if !unused.is_empty() {
            let mut keep = Vec::new();
            let mut remap = vec![usize::MAX; params.len()];
            for (i, p) in params.drain(..).enumerate() {
                if !unused.contains(&i) {
                    remap[i] = keep.len();
                    keep.push(p);
                }
            }
            *params = keep;
            for seg in &mut segments {
                if let PathSegment::Param(i) = seg {
                    *i = remap[*i];
                }
            }
        }
        segments
    }

    fn lower_body(&mut self, op: &'a Value, op_ptr: &str, builder: &str) -> Option<RequestBody> {
        let root = self.root;
        let node = op.get("requestBody")?;
        let ptr = pointer(op_ptr, "requestBody");
        let (node, ptr) = match node.get("$ref").and_then(Value::as_str) {
            Some(r) => match resolve(root, r) {
                Some(target) => (target, r.to_owned()),
                None => {
                    self.diags.warn(
                        DiagnosticKind::UnresolvedRef,
                        &ptr,
                        format!("request body `$ref: {r}` points at nothing"),
                    );
                    return None;
                }
            },
            None => (node, ptr),
        };
        let content = node.get("content").and_then(Value::as_object)?;
        let (media, media_node) = pick_request_media(root, content)?;
        let media_ptr = pointer(&pointer(&ptr, "content"), media);
        let schema = media_node.get("schema");
        let ctx = match component_name(&ptr, "requestBodies") {
            Some(component) => format!("{component}Request"),
            None => format!("{builder}Request"),
        };
        let lowered = |this: &mut Self| match schema {
            Some(s) => this.lower_schema(s, &pointer(&media_ptr, "schema"), &ctx),
            None => TypeRef::Json,
        };
        let lower_media = media.to_ascii_lowercase();
        let (kind, ty) = if is_json(&lower_media) {
            (BodyKind::Json, lowered(self))
        } else if lower_media.starts_with("application/x-www-form-urlencoded") {
            let fields = self.form_encodings(media_node, &media_ptr);
            (BodyKind::Form { fields }, lowered(self))
        } else if lower_media.starts_with("multipart/") {
            let deep_object = deep_object_parts(media_node);
            let brackets = self.config.encoding.multipart == Some(MultipartStyle::Brackets);
            (
                BodyKind::Multipart {
                    parts: Vec::new(),
                    deep_object,
                    brackets,
                },
                lowered(self),
            )
        } else if lower_media.starts_with("text/") && !is_binary_schema(schema) {
            (BodyKind::Text, TypeRef::String)
        } else {
            (BodyKind::Binary, TypeRef::Binary)
        };
        let content_type = if media.contains('*') {
            "application/octet-stream".to_owned()
        } else {
            media.clone()
        };
        Some(RequestBody {
            kind,
            content_type,
            ty,
            required: node
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            docs: docs_of(node),
        })
    }

    /// The declared `encoding` of each form field whose encoding is not the default (form
    /// style, exploded). An unknown style is reported and the field keeps the default.
    fn form_encodings(&mut self, media: &Value, media_ptr: &str) -> BTreeMap<String, FormField> {
        let mut fields = BTreeMap::new();
        let Some(encoding) = media.get("encoding").and_then(Value::as_object) else {
            return fields;
        };
        for (name, entry) in encoding {
            let style = entry.get("style").and_then(Value::as_str);
            let explode = entry.get("explode").and_then(Value::as_bool);
            let json = entry
                .get("contentType")
                .and_then(Value::as_str)
                .is_some_and(|c| is_json(&c.to_ascii_lowercase()));
            let field = match style {
                Some("deepObject") => FormField::DeepObject,
                Some("spaceDelimited") => FormField::SpaceDelimited,
                Some("pipeDelimited") => FormField::PipeDelimited,
                // The styles apply only when the entry names one (or explode); otherwise its
                // content type decides, as OpenAPI 3.1.1 spells out.
                None if json && explode.is_none() => FormField::Json,
                None | Some("form") => FormField::Form {
                    explode: explode.unwrap_or(true),
                },
                Some(other) => {
                    self.diags.warn(
                        DiagnosticKind::InvalidStructure,
                        pointer(&pointer(&pointer(media_ptr, "encoding"), name), "style"),
                        format!(
                            "form field `{name}` has style `{other}`, which a form body cannot use; \
                             it is sent in form style"
                        ),
                    );
                    FormField::Form {
                        explode: explode.unwrap_or(true),
                    }
                }
            };
            if field != (FormField::Form { explode: true }) {
                fields.insert(name.clone(), field);
            }
        }
        fields
    }

    fn lower_responses(
        &mut self,
        op: &'a Value,
        op_ptr: &str,
        builder: &str,
        success_name: String,
        error_name: String,
    ) -> Responses {
        let root = self.root;
        let ptr = pointer(op_ptr, "responses");
        let mut cases: Vec<(StatusMatch, &'a Value, String)> = Vec::new();
        if let Some(map) = op.get("responses").and_then(Value::as_object) {
            for (key, node) in map {
                let rptr = pointer(&ptr, key);
                let Some(status) = parse_status(key) else {
                    if !key.starts_with("x-") {
                        self.diags.warn(
                            DiagnosticKind::InvalidStructure,
                            &rptr,
                            format!("`{key}` is not a status code"),
                        );
                    }
                    continue;
                };
                let (node, rptr) = match node.get("$ref").and_then(Value::as_str) {
                    Some(r) => match resolve(root, r) {
                        Some(t) => (t, r.to_owned()),
                        None => {
                            self.diags.warn(
                                DiagnosticKind::UnresolvedRef,
                                &rptr,
                                format!("response `$ref: {r}` points at nothing"),
                            );
                            continue;
                        }
                    },
                    None => (node, rptr),
                };
                cases.push((status, node, rptr));
            }
        }
        cases.sort_by_key(|(s, _, _)| *s);
        let in_accept_order: Vec<&Value> = cases
            .iter()
            .filter(|(s, _, _)| is_success(*s))
            .chain(cases.iter().filter(|(s, _, _)| !is_success(*s)))
            .map(|(_, node, _)| *node)
            .collect();
        let accept = accept_of(&in_accept_order);
        let has_2xx = cases.iter().any(|(s, _, _)| is_success(*s));
        // An operation that documents only a redirect (GitHub's archive and log downloads,
        // Twilio's `307`s to a file) answers with where the content is.
        let redirect_only = !has_2xx && cases.iter().any(|(s, _, _)| is_redirect(*s));
        let (success, errors): (Vec<_>, Vec<_>) = cases.into_iter().partition(|(s, _, _)| {
            is_success(*s)
                || (redirect_only && is_redirect(*s))
                || (!has_2xx && !redirect_only && *s == StatusMatch::Default)
        });
        let errors: Vec<_> = errors
            .into_iter()
            .filter(|(s, _, _)| !matches!(s, StatusMatch::Code(c) if *c < 400))
            .collect();

        let single = success.len() <= 1;
        // A JSON response that can also stream (`stream: true` in OpenAI's requests) keeps its
        // JSON type for `send()` and gets a typed event stream beside it.
        let mut event_stream = None;
        if let Some((_, node, rptr)) = success.first() {
            let content = node.get("content").and_then(Value::as_object);
            let has_json =
                content.is_some_and(|c| c.keys().any(|m| is_json(&m.to_ascii_lowercase())));
            let sse = content.and_then(|c| {
                c.iter()
                    .find(|(m, _)| m.to_ascii_lowercase().starts_with("text/event-stream"))
            });
            if let (true, Some((media, media_node))) = (has_json, sse) {
                if let Some(schema) = media_node.get("schema") {
                    let sptr = pointer(&pointer(&pointer(rptr, "content"), media), "schema");
                    event_stream =
                        Some(self.lower_schema(schema, &sptr, &format!("{builder}Event")));
                }
            }
        }
        let mut success_cases = Vec::new();
        for (status, node, rptr) in success {
            let variant = status_variant(status);
            let ctx = match component_name(&rptr, "responses") {
                Some(component) => format!("{component}Response"),
                None if single => format!("{builder}Response"),
                None => format!("{builder}Response{variant}"),
            };
            let body = match self.lower_response_body(node, &rptr, &ctx) {
                ResponseBody::Empty if redirect_only => ResponseBody::Redirect,
                body => body,
            };
            success_cases.push(ResponseCase {
                status,
                variant,
                body,
            });
        }
        let success = collapse_success(success_cases, success_name);
        let mut error_cases = Vec::new();
        let errors = if self.config.crate_.typed_errors {
            errors
        } else {
            Vec::new()
        };
        for (status, node, rptr) in errors {
            let variant = status_variant(status);
            let ctx = match component_name(&rptr, "responses") {
                Some(component) => format!("{component}Error"),
                None => format!("{builder}{variant}Error"),
            };
            let body = self.lower_response_body(node, &rptr, &ctx);
            if matches!(body, ResponseBody::Json(_)) {
                error_cases.push(ResponseCase {
                    status,
                    variant,
                    body,
                });
            }
        }
        Responses {
            success,
            errors: error_cases,
            error_type_name: error_name,
            event_stream,
            accept,
            redirect_answers: redirect_only,
        }
    }

    fn lower_response_body(&mut self, node: &'a Value, ptr: &str, ctx: &str) -> ResponseBody {
        let Some(content) = node
            .get("content")
            .and_then(Value::as_object)
            .filter(|c| !c.is_empty())
        else {
            return ResponseBody::Empty;
        };
        let cptr = pointer(ptr, "content");
        // JSON that is only a string beside a binary media type (OpenAI's skill and video
        // content: `application/zip` or a JSON string) is read as bytes, which hold either.
        let string_json = content.iter().any(|(m, node)| {
            is_json(&m.to_ascii_lowercase())
                && node.pointer("/schema/type").and_then(Value::as_str) == Some("string")
        });
        let binary_too = content.iter().any(|(m, node)| {
            !is_json(&m.to_ascii_lowercase()) && is_binary_schema(node.get("schema"))
        });
        if string_json && binary_too {
            return ResponseBody::Binary;
        }
        let pick = content
            .iter()
            .find(|(m, _)| is_json(&m.to_ascii_lowercase()))
            .or_else(|| {
                content
                    .iter()
                    .find(|(m, _)| m.to_ascii_lowercase().starts_with("text/event-stream"))
            })
            .or_else(|| content.iter().next());
        let Some((media, media_node)) = pick else {
            return ResponseBody::Empty;
        };
        let mptr = pointer(&cptr, media);
        let lower = media.to_ascii_lowercase();
        let schema = media_node.get("schema");
        if is_json(&lower) || (lower == "*/*" && schema.is_some_and(|s| !is_binary_schema(Some(s))))
        {
            match schema {
                Some(s) => ResponseBody::Json(self.lower_schema(s, &pointer(&mptr, "schema"), ctx)),
                None => ResponseBody::Json(TypeRef::Json),
            }
        } else if lower.starts_with("text/event-stream") {
            let item = match schema {
                Some(s)
                    if s.as_object().is_none_or(|o| {
                        o.get("type").and_then(Value::as_str) != Some("string")
                    }) =>
                {
                    self.lower_schema(s, &pointer(&mptr, "schema"), &format!("{ctx}Event"))
                }
                _ => TypeRef::Json,
            };
            ResponseBody::EventStream(item)
        } else if lower.starts_with("text/") && !is_binary_schema(schema) {
            ResponseBody::Text
        } else {
            ResponseBody::Binary
        }
    }

    fn pagination_for(&mut self, operation_id: &str) -> Option<Pagination> {
        let config = self.config;
        let rule = config.pagination.iter().find(|r| r.matches(operation_id))?;
        match pagination_style(rule) {
            Ok(style) => Some(Pagination {
                style,
                items: rule.items.clone(),
                item_type: TypeRef::Json,
                quiet: rule.skip_mismatch,
            }),
            Err(missing) => {
                self.diags.warn(
                    DiagnosticKind::Config,
                    "sdkgen.toml",
                    format!(
                        "pagination style `{}` for `{operation_id}` needs `{missing}`",
                        rule.style
                    ),
                );
                None
            }
        }
    }
}

/// Tags such as Twilio's `Api20100401Account`, `Api20100401Call`, … all share a prefix that says
/// nothing within one crate; modules (and features) are named without it.
fn strip_common_module_prefix(ops: &mut [Operation]) {
    let modules: BTreeSet<&str> = ops.iter().map(|o| o.module.as_str()).collect();
    if modules.len() < 2 {
        return;
    }
    let Some(first) = modules.iter().next() else {
        return;
    };
    let mut prefix_len = first.len();
    for m in &modules {
        prefix_len = prefix_len.min(
            first
                .bytes()
                .zip(m.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    // Cut only at a word boundary, and only when every module keeps a name.
    let Some(cut) = first[..prefix_len].rfind('_').map(|i| i + 1) else {
        return;
    };
    if modules.iter().any(|m| m.len() <= cut) {
        return;
    }
    for op in ops {
        op.module = naming::module_name(&op.module[cut..]);
    }
}

fn pagination_style(rule: &PaginationRule) -> Result<PaginationStyle, &'static str> {
    let need = |v: &Option<String>, name: &'static str| v.clone().ok_or(name);
    Ok(match rule.style.as_str() {
        "cursor" => PaginationStyle::Cursor {
            has_more: need(&rule.has_more, "has_more")?,
            cursor_param: need(&rule.cursor_param, "cursor_param")?,
            cursor_field: rule.cursor_field.clone().unwrap_or_else(|| "id".to_owned()),
        },
        "cursor_from_body" => PaginationStyle::CursorFromBody {
            has_more: need(&rule.has_more, "has_more")?,
            cursor_param: need(&rule.cursor_param, "cursor_param")?,
            cursor_pointer: need(&rule.cursor_pointer, "cursor_pointer")?,
        },
        "next_url" => PaginationStyle::NextUrl {
            next: need(&rule.next, "next")?,
        },
        "link_header" => PaginationStyle::LinkHeader,
        "page_number" => PaginationStyle::PageNumber {
            page_param: need(&rule.page_param, "page_param")?,
            first_page: rule.first_page.unwrap_or(1),
            per_page_param: rule.per_page_param.clone(),
        },
        "offset_limit" => PaginationStyle::OffsetLimit {
            offset_param: need(&rule.offset_param, "offset_param")?,
            limit_param: need(&rule.limit_param, "limit_param")?,
            total: rule.total.clone(),
        },
        "token" => PaginationStyle::Token {
            token_pointer: need(&rule.token_pointer, "token_pointer")?,
            token_param: need(&rule.token_param, "token_param")?,
        },
        _ => return Err("a known style"),
    })
}

fn collapse_success(cases: Vec<ResponseCase>, name: String) -> SuccessResponse {
    let first = cases.first().map(|c| c.body.clone());
    match first {
        None => SuccessResponse::Single(ResponseBody::Empty),
        Some(body) if cases.iter().all(|c| c.body == body) => SuccessResponse::Single(body),
        Some(_) => SuccessResponse::Enum { name, cases },
    }
}

/// The first absolute URL of a `servers` list, with variables at their defaults and no trailing
/// slash (Stripe uploads files to `https://files.stripe.com/`).
fn first_absolute_server(servers: Option<&Value>) -> Option<String> {
    servers?.as_array()?.iter().find_map(|s| {
        let mut url = s.get("url")?.as_str()?.to_owned();
        if let Some(vars) = s.get("variables").and_then(Value::as_object) {
            for (name, var) in vars {
                let default = var
                    .get("default")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                url = url.replace(&format!("{{{name}}}"), default);
            }
        }
        let absolute =
            (url.starts_with("https://") || url.starts_with("http://")) && !url.contains('{');
        absolute.then(|| url.trim_end_matches('/').to_owned())
    })
}

/// The media types a set of responses declares, for `Accept`: each once, in order, with
/// `text/event-stream` left to the streaming call when another type is there too, and
/// none that could not be a header value.
fn accept_of(responses: &[&Value]) -> Option<String> {
    let mut seen = BTreeSet::new();
    let mut types: Vec<&str> = Vec::new();
    for node in responses {
        let Some(content) = node.get("content").and_then(Value::as_object) else {
            continue;
        };
        for media in content.keys() {
            let media = media.trim();
            let valid = !media.is_empty() && media.bytes().all(|b| (b' '..=b'~').contains(&b));
            if valid && seen.insert(media.to_ascii_lowercase()) {
                types.push(media);
            }
        }
    }
    if types.len() > 1 {
        types.retain(|m| !m.to_ascii_lowercase().starts_with("text/event-stream"));
    }
    (!types.is_empty()).then(|| types.join(", "))
}

/// The multipart fields whose `encoding` entry says `style: deepObject`.
fn deep_object_parts(media: &Value) -> BTreeSet<String> {
    media
        .get("encoding")
        .and_then(Value::as_object)
        .map(|encoding| {
            encoding
                .iter()
                .filter(|(_, e)| e.get("style").and_then(Value::as_str) == Some("deepObject"))
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default()
}

fn params_of<'v>(node: &'v Value, ptr: &str) -> Vec<(&'v Value, String)> {
    let base = pointer(ptr, "parameters");
    node.get("parameters")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .enumerate()
                .map(|(i, p)| (p, pointer(&base, &i.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn first_content_schema<'v>(node: &'v Value, ptr: &str) -> Option<(&'v Value, String)> {
    let (media, m) = node.get("content")?.as_object()?.iter().next()?;
    Some((
        m.get("schema")?,
        pointer(&pointer(&pointer(ptr, "content"), media), "schema"),
    ))
}

fn location_key(location: ParamLocation) -> u8 {
    match location {
        ParamLocation::Path => 0,
        ParamLocation::Query { .. } => 1,
        ParamLocation::Header => 2,
        ParamLocation::Cookie => 3,
    }
}

/// Whether a media type is read as JSON (the first such one of a response is its body).
pub(crate) fn is_json(media: &str) -> bool {
    let base = media.split(';').next().unwrap_or("").trim();
    base == "application/json"
        || base.ends_with("+json")
        || base == "text/json"
        || base == "application/x-ndjson"
}

/// Whether an object schema has a property that is a file, a list of files, or a union of
/// them.
fn holds_files(root: &Value, schema: &Value) -> bool {
    let file = |s: &Value| {
        let s = deref(root, s);
        is_binary_schema(Some(s))
            || s.get("items")
                .is_some_and(|i| is_binary_schema(Some(deref(root, i))))
    };
    let union_of_files = |s: &Value| {
        ["oneOf", "anyOf"].iter().any(|k| {
            s.get(*k)
                .and_then(Value::as_array)
                .is_some_and(|branches| branches.iter().any(file))
        })
    };
    deref(root, schema)
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|props| {
            props
                .values()
                .any(|p| file(p) || union_of_files(deref(root, p)))
        })
}

fn is_binary_schema(schema: Option<&Value>) -> bool {
    schema.and_then(|s| s.get("format")).and_then(Value::as_str) == Some("binary")
}

/// JSON first, then a form, then multipart; but a JSON schema that holds files (OpenAI's
/// skills and container files offer one schema as both) cannot carry them, so multipart
/// goes first there.
fn pick_request_media<'v>(
    root: &Value,
    content: &'v serde_json::Map<String, Value>,
) -> Option<(&'v String, &'v Value)> {
    let ranked =
        |pred: &dyn Fn(&str) -> bool| content.iter().find(|(m, _)| pred(&m.to_ascii_lowercase()));
    let multipart = ranked(&|m| m.starts_with("multipart/form-data"));
    let json = ranked(&is_json);
    if let (Some((_, node)), Some(_)) = (json, multipart) {
        if node
            .get("schema")
            .is_some_and(|schema| holds_files(root, schema))
        {
            return multipart;
        }
    }
    json.or_else(|| ranked(&|m| m.starts_with("application/x-www-form-urlencoded")))
        .or(multipart)
        .or_else(|| content.iter().next())
}

fn parse_status(key: &str) -> Option<StatusMatch> {
    if key.eq_ignore_ascii_case("default") {
        return Some(StatusMatch::Default);
    }
    let bytes = key.as_bytes();
    if bytes.len() == 3 && bytes[1..].eq_ignore_ascii_case(b"xx") && bytes[0].is_ascii_digit() {
        return Some(StatusMatch::Range(bytes[0] - b'0'));
    }
    key.parse::<u16>()
        .ok()
        .filter(|c| (100..600).contains(c))
        .map(StatusMatch::Code)
}

fn is_success(status: StatusMatch) -> bool {
    matches!(status, StatusMatch::Code(200..=299) | StatusMatch::Range(2))
}

/// The statuses that send the client elsewhere with a `Location` (not `304 Not Modified`).
fn is_redirect(status: StatusMatch) -> bool {
    matches!(status, StatusMatch::Code(301 | 302 | 303 | 307 | 308))
}

/// An enum variant name for a status: its reason phrase where there is a well-known one.
fn status_variant(status: StatusMatch) -> String {
    let code = match status {
        StatusMatch::Default => return "Default".to_owned(),
        StatusMatch::Range(2) => return "Success".to_owned(),
        StatusMatch::Range(4) => return "ClientError".to_owned(),
        StatusMatch::Range(5) => return "ServerError".to_owned(),
        StatusMatch::Range(d) => return format!("Status{d}xx"),
        StatusMatch::Code(c) => c,
    };
    let name = match code {
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "NonAuthoritativeInformation",
        204 => "NoContent",
        205 => "ResetContent",
        206 => "PartialContent",
        207 => "MultiStatus",
        400 => "BadRequest",
        401 => "Unauthorized",
        402 => "PaymentRequired",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        408 => "RequestTimeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "LengthRequired",
        412 => "PreconditionFailed",
        413 => "PayloadTooLarge",
        415 => "UnsupportedMediaType",
        416 => "RangeNotSatisfiable",
        422 => "UnprocessableEntity",
        423 => "Locked",
        424 => "FailedDependency",
        428 => "PreconditionRequired",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        501 => "NotImplemented",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => return format!("Status{code}"),
    };
    name.to_owned()
}

/// The type name of a shared component (`#/components/responses/actions_runner_labels` →
/// `ActionsRunnerLabels`) when `ptr` points at one of `section`.
fn component_name(ptr: &str, section: &str) -> Option<String> {
    let rest = ptr.strip_prefix("#/components/")?.strip_prefix(section)?;
    let name = rest.strip_prefix('/')?;
    if name.is_empty() || name.contains('/') {
        return None;
    }
    Some(naming::type_name(
        &name.replace("~1", "/").replace("~0", "~"),
    ))
}

/// `GET /users/{id}/posts` → `get_users_by_id_posts`.
fn derive_operation_id(method: HttpMethod, path: &str) -> String {
    let mut words = vec![method.key().to_owned()];
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if let Some(param) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            words.push(format!("by_{param}"));
        } else {
            words.push(segment.to_owned());
        }
    }
    if words.len() == 1 {
        words.push("root".to_owned());
    }
    naming::field_name(&words.join("_"))
}

/// The resource an untagged operation belongs to: the first path segment that is not a
/// parameter, `api`, or a version (`v1`, `2010-04-01`).
fn first_segment(path: &str) -> &str {
    let is_version = |s: &str| {
        s.eq_ignore_ascii_case("api")
            || s.starts_with(|c: char| c.is_ascii_digit())
            || (s.len() > 1
                && s.starts_with(['v', 'V'])
                && s[1..].chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    path.split('/')
        .find(|s| !s.is_empty() && !s.starts_with('{') && !is_version(s))
        .unwrap_or("default")
}
