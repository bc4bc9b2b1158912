//! Passes over the whole IR once every type is converted.

use crate::ir::{PaginationStyle, ParamLocation};
use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::{DiagnosticKind, Diagnostics};
use crate::ir::{
    Api, BodyKind, FormField, MultipartField, Operation, PartEncoding, Presence, ResponseBody,
    StructDef, SuccessResponse, TypeDef, TypeId, TypeKind, TypeRef, Usage,
};
use crate::ir::{EventDispatch, WEBHOOKS_GROUP, Webhooks};
use crate::naming::Scope;

/// Runs every pass in order.
pub(super) fn run(api: &mut Api, diags: &mut Diagnostics) {
    resolve_pagination_items(api, diags);
    shape_request_types(api);
    fill_multipart_fields(api);
    fill_form_fields(api);
    find_stream_flags(api);
    require_bodies_that_require_fields(api);
    share_identical_types(api);
    newtype_recursive_aliases(api);
    box_cycles(api);
    assign_modules(api);
    mark_usage(api);
    relax_deprecated_in_responses(api);
}

/// Renames each type that `[naming.types]` pins back to the name users depend on. A pin whose
/// name no type has any more, or whose kept name another type has taken, is reported and
/// left alone, never applied halfway.
pub(super) fn keep_type_names(
    api: &mut Api,
    pins: &BTreeMap<String, String>,
    diags: &mut Diagnostics,
) {
    if pins.is_empty() {
        return;
    }
    let names: BTreeSet<String> = api.types.values().map(|d| d.name.clone()).collect();
    for (now, kept) in pins {
        let at = format!("sdkgen.toml [naming.types] \"{now}\"");
        if !names.contains(now) {
            diags.warn_with_hint(
                DiagnosticKind::Naming,
                at,
                format!("no type is named `{now}` any more, so `{kept}` is not kept"),
                "the spec changed that type again; run `sdkgen diff` to see its name now, or delete the line",
            );
        } else if names.contains(kept) || crate::naming::type_name(kept) != *kept {
            diags.warn(
                DiagnosticKind::Naming,
                at,
                format!("`{kept}` is taken by another type or is not a type name, so `{now}` keeps its name"),
            );
        } else if let Some(def) = api.types.values_mut().find(|d| d.name == *now) {
            def.name = kept.clone();
        }
    }
}

/// Every named type a type refers to, with whether the reference is by value (not behind a
/// `Vec`, map or other heap indirection).
fn edges(kind: &TypeKind) -> Vec<(TypeId, bool)> {
    let mut out = Vec::new();
    let mut visit = |t: &TypeRef| collect_refs(t, true, &mut out);
    match kind {
        TypeKind::Struct(s) => {
            for f in &s.fields {
                visit(&f.ty);
            }
            if let Some(e) = &s.extra {
                collect_refs(e, false, &mut out);
            }
        }
        TypeKind::Union(u) => {
            for v in &u.variants {
                visit(&v.ty);
            }
        }
        TypeKind::Alias(t) | TypeKind::Newtype(t) => visit(t),
        TypeKind::StringEnum(_) | TypeKind::IntEnum(_) => {}
    }
    out
}

fn collect_refs(t: &TypeRef, by_value: bool, out: &mut Vec<(TypeId, bool)>) {
    match t {
        TypeRef::Named(id) => out.push((*id, by_value)),
        TypeRef::Boxed(id) => out.push((*id, false)),
        TypeRef::Nullable(inner) => collect_refs(inner, by_value, out),
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Expandable(inner) => {
            collect_refs(inner, false, out)
        }
        _ => {}
    }
}

/// Named types reachable from some roots.
fn reachable(api: &Api, roots: impl IntoIterator<Item = TypeId>) -> BTreeSet<TypeId> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<TypeId> = roots.into_iter().collect();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Some(def) = api.types.get(&id) {
            stack.extend(edges(&def.kind).into_iter().map(|(t, _)| t));
        }
    }
    seen
}

fn refs_of(t: &TypeRef) -> Vec<TypeId> {
    let mut out = Vec::new();
    collect_refs(t, true, &mut out);
    out.into_iter().map(|(id, _)| id).collect()
}

/// Finds the item type of each paginated operation by walking the items pointer through the
/// success body's type.
fn resolve_pagination_items(api: &mut Api, diags: &mut Diagnostics) {
    let types = &api.types;
    for op in &mut api.operations {
        let Some(p) = &mut op.pagination else {
            continue;
        };
        let body = match &op.responses.success {
            SuccessResponse::Single(ResponseBody::Json(t)) => Some(t.clone()),
            _ => None,
        };
        // `auto` finds the one array field of the response object (Twilio and Slack name the
        // items after the resource, so one rule fits every list).
        if p.items == "auto" {
            let body_is_array = body
                .as_ref()
                .is_some_and(|t| matches!(unalias(types, t), TypeRef::Array(_)));
            if body_is_array {
                p.items = String::new();
            } else if let Some(ptr) = body.as_ref().and_then(|t| single_array_field(types, t)) {
                p.items = ptr;
            }
        }
        // A style that advances a query parameter needs the operation to take it; otherwise the
        // next request would repeat the first (Slack's `reminders.list` has no `cursor`).
        if let Some(param) = advancing_param(&p.style) {
            let takes_it = op
                .params
                .iter()
                .any(|q| matches!(q.location, ParamLocation::Query { .. }) && q.wire_name == param);
            if !takes_it {
                if !p.quiet {
                    diags.warn(
                        DiagnosticKind::Config,
                        op.pointer.clone(),
                        format!(
                            "`{}` is paginated by the `{param}` query parameter, which it does not take",
                            op.operation_id
                        ),
                    );
                }
                op.pagination = None;
                continue;
            }
        }
        let item = body.and_then(|t| walk_pointer(types, &t, &p.items));
        match item {
            Some(TypeRef::Array(item)) => p.item_type = *item,
            _ => {
                if !p.quiet {
                    diags.warn(
                        DiagnosticKind::Config,
                        op.pointer.clone(),
                        format!(
                            "`{}` is paginated but `{}` does not lead to an array in its response",
                            op.operation_id, p.items
                        ),
                    );
                }
                op.pagination = None;
            }
        }
    }
}

/// The query parameter a pagination style changes from one page to the next, if any.
fn advancing_param(style: &PaginationStyle) -> Option<&str> {
    match style {
        PaginationStyle::Cursor { cursor_param, .. }
        | PaginationStyle::CursorFromBody { cursor_param, .. } => Some(cursor_param),
        PaginationStyle::PageNumber { page_param, .. } => Some(page_param),
        PaginationStyle::OffsetLimit { offset_param, .. } => Some(offset_param),
        PaginationStyle::Token { token_param, .. } => Some(token_param),
        PaginationStyle::NextUrl { .. } | PaginationStyle::LinkHeader => None,
    }
}

fn single_array_field(types: &BTreeMap<TypeId, TypeDef>, t: &TypeRef) -> Option<String> {
    let (TypeRef::Named(id) | TypeRef::Boxed(id)) = unalias(types, t) else {
        return None;
    };
    let TypeKind::Struct(s) = &types.get(&id)?.kind else {
        return None;
    };
    let arrays: Vec<&str> = s
        .fields
        .iter()
        .filter(|f| matches!(unalias(types, &f.ty), TypeRef::Array(_)))
        .map(|f| f.wire_name.as_str())
        .collect();
    match arrays.as_slice() {
        [only] => Some(format!("/{}", only.replace('~', "~0").replace('/', "~1"))),
        _ => None,
    }
}

fn walk_pointer(types: &BTreeMap<TypeId, TypeDef>, t: &TypeRef, ptr: &str) -> Option<TypeRef> {
    let mut current = t.clone();
    for segment in ptr.split('/').skip(1) {
        current = unalias(types, &current);
        let (TypeRef::Named(id) | TypeRef::Boxed(id)) = current else {
            return None;
        };
        let TypeKind::Struct(s) = &types.get(&id)?.kind else {
            return None;
        };
        current = s.fields.iter().find(|f| f.wire_name == segment)?.ty.clone();
    }
    Some(unalias(types, &current))
}

fn unalias(types: &BTreeMap<TypeId, TypeDef>, t: &TypeRef) -> TypeRef {
    let mut current = t.clone();
    for _ in 0..32 {
        match &current {
            TypeRef::Named(id) | TypeRef::Boxed(id) => match types.get(id).map(|d| &d.kind) {
                Some(TypeKind::Alias(inner)) => current = inner.clone(),
                _ => return current,
            },
            TypeRef::Nullable(inner) => current = (**inner).clone(),
            _ => return current,
        }
    }
    current
}

/// Request types distinguish "absent" from "null" and leave out `readOnly` fields; response
/// types keep plain `Option`s, which is what readers of a response want.
fn shape_request_types(api: &mut Api) {
    let body_roots: Vec<TypeId> = api
        .operations
        .iter()
        .filter_map(|o| o.body.as_ref())
        .flat_map(|b| refs_of(&b.ty))
        .collect();
    let response_roots: Vec<TypeId> = api.operations.iter().flat_map(response_roots).collect();
    let in_request = reachable(api, body_roots);
    let in_response = reachable(api, response_roots);

    // Types used both ways that carry readOnly fields get a request twin without them.
    let mut twins: BTreeMap<TypeId, TypeId> = BTreeMap::new();
    let mut names = Scope::new();
    for def in api.types.values() {
        names.claim(&def.name);
    }
    let mut next_id = api.types.keys().next_back().map_or(0, |id| id.0 + 1);
    for id in &in_request {
        let Some(def) = api.types.get(id) else {
            continue;
        };
        let TypeKind::Struct(s) = &def.kind else {
            continue;
        };
        if !s.fields.iter().any(|f| f.read_only) {
            continue;
        }
        if in_response.contains(id) {
            twins.insert(*id, TypeId(next_id));
            next_id += 1;
        }
    }
    let twin_defs: Vec<(TypeId, TypeDef)> = twins
        .iter()
        .filter_map(|(orig, twin)| {
            let mut def = api.types.get(orig)?.clone();
            def.name = names.claim(&format!("{}Input", def.name));
            def.pointer = format!("{} (request form)", def.pointer);
            Some((*twin, def))
        })
        .collect();
    for (id, def) in twin_defs {
        api.types.insert(id, def);
    }
    // Request-only types lose their readOnly fields in place; twins lose them in the copy.
    let request_side: BTreeSet<TypeId> = in_request
        .iter()
        .filter(|id| !twins.contains_key(id))
        .copied()
        .chain(twins.values().copied())
        .collect();
    for (id, def) in &mut api.types {
        let TypeKind::Struct(s) = &mut def.kind else {
            continue;
        };
        if request_side.contains(id) {
            s.fields.retain(|f| !f.read_only);
            for f in &mut s.fields {
                retarget(&mut f.ty, &twins);
            }
        } else {
            for f in &mut s.fields {
                if f.presence == Presence::OptionalNullable {
                    f.presence = Presence::Optional;
                }
            }
        }
    }
    for op in &mut api.operations {
        if let Some(body) = &mut op.body {
            retarget(&mut body.ty, &twins);
        }
    }
}

/// The named types an operation's responses (success, error and event stream) refer to.
fn response_roots(op: &Operation) -> Vec<TypeId> {
    let mut ids = Vec::new();
    match &op.responses.success {
        SuccessResponse::Single(b) => ids.extend(body_refs(b)),
        SuccessResponse::Enum { cases, .. } => {
            cases.iter().for_each(|c| ids.extend(body_refs(&c.body)))
        }
    }
    op.responses
        .errors
        .iter()
        .for_each(|c| ids.extend(body_refs(&c.body)));
    if let Some(t) = &op.responses.event_stream {
        ids.extend(refs_of(t));
    }
    ids
}

/// The named types the events refer to: their payloads, and the envelope that wraps them.
fn webhook_roots(webhooks: &Webhooks) -> Vec<TypeId> {
    let mut ids: Vec<TypeId> = webhooks
        .events
        .iter()
        .flat_map(|e| refs_of(&e.payload))
        .collect();
    if let EventDispatch::Envelope { envelope } = &webhooks.dispatch {
        ids.push(*envelope);
    }
    ids
}

/// The named types an operation's parameters and request body refer to.
fn request_roots(op: &Operation) -> Vec<TypeId> {
    let mut ids: Vec<TypeId> = op.params.iter().flat_map(|p| refs_of(&p.ty)).collect();
    if let Some(b) = &op.body {
        ids.extend(refs_of(&b.ty));
    }
    ids
}

fn body_refs(b: &ResponseBody) -> Vec<TypeId> {
    match b {
        ResponseBody::Json(t) | ResponseBody::EventStream(t) => refs_of(t),
        _ => Vec::new(),
    }
}

fn retarget(t: &mut TypeRef, twins: &BTreeMap<TypeId, TypeId>) {
    match t {
        TypeRef::Named(id) | TypeRef::Boxed(id) => {
            if let Some(twin) = twins.get(id) {
                *id = *twin;
            }
        }
        TypeRef::Nullable(inner)
        | TypeRef::Array(inner)
        | TypeRef::Map(inner)
        | TypeRef::Expandable(inner) => {
            retarget(inner, twins);
        }
        _ => {}
    }
}

/// The struct a request body's type names, through aliases; `None` for any other body.
fn body_struct<'t>(types: &'t BTreeMap<TypeId, TypeDef>, ty: &TypeRef) -> Option<&'t StructDef> {
    let (TypeRef::Named(id) | TypeRef::Boxed(id)) = unalias(types, ty) else {
        return None;
    };
    match types.get(&id).map(|d| &d.kind) {
        Some(TypeKind::Struct(s)) => Some(s),
        _ => None,
    }
}

/// Decides how each field of a multipart body struct becomes a part.
fn fill_multipart_fields(api: &mut Api) {
    let types = &api.types;
    for op in &mut api.operations {
        let Some(body) = &mut op.body else { continue };
        let BodyKind::Multipart {
            deep_object,
            brackets,
            ..
        } = &body.kind
        else {
            continue;
        };
        let (deep_object, brackets) = (deep_object.clone(), *brackets);
        let fields = body_struct(types, &body.ty).map_or_else(Vec::new, |s| {
            s.fields
                .iter()
                .map(|f| MultipartField {
                    rust_name: f.rust_name.clone(),
                    wire_name: f.wire_name.clone(),
                    item_name: if brackets {
                        format!("{}[]", f.wire_name)
                    } else {
                        f.wire_name.clone()
                    },
                    encoding: match part_encoding(types, &f.ty) {
                        _ if deep_object.contains(&f.wire_name) => PartEncoding::DeepObject,
                        PartEncoding::Json | PartEncoding::TextArray if brackets => {
                            PartEncoding::DeepObject
                        }
                        encoding => encoding,
                    },
                    optional: f.presence != Presence::Required,
                })
                .collect()
        });
        body.kind = BodyKind::Multipart {
            parts: fields,
            deep_object,
            brackets,
        };
    }
}

/// Free-form fields of a form body (a schema with no type, such as Twilio's `RateLimits`)
/// are sent as JSON text unless the spec declares their encoding: OpenAPI's default content
/// type for an object is `application/json`, and Twilio documents these as JSON.
fn fill_form_fields(api: &mut Api) {
    let types = &api.types;
    for op in &mut api.operations {
        let Some(body) = &mut op.body else { continue };
        let BodyKind::Form { fields } = &mut body.kind else {
            continue;
        };
        let Some(s) = body_struct(types, &body.ty) else {
            continue;
        };
        for f in &s.fields {
            if matches!(unalias(types, &f.ty), TypeRef::Json) {
                fields.entry(f.wire_name.clone()).or_insert(FormField::Json);
            }
        }
    }
}

/// A body whose object has required fields cannot be left off, whatever the spec's
/// `requestBody.required` says (Twilio marks none required, yet a message needs `To`): it
/// becomes an argument of the call. A required body is never `Option`, even where its schema
/// is nullable (GitHub's `gists/update`): leaving it off is what `None` would have meant.
fn require_bodies_that_require_fields(api: &mut Api) {
    let types = &api.types;
    for op in &mut api.operations {
        let Some(body) = &mut op.body else { continue };
        if !body.required {
            body.required = body_struct(types, &body.ty).is_some_and(StructDef::has_required_field);
        }
        if body.required {
            if let TypeRef::Nullable(inner) = &body.ty {
                body.ty = (**inner).clone();
            }
        }
    }
}

/// For an operation that answers with JSON or with server-sent events, the boolean body
/// property named `stream` that chooses between them (OpenAI's convention), so that the
/// `events()` call can ask for the stream without the caller setting the flag as well.
fn find_stream_flags(api: &mut Api) {
    let types = &api.types;
    for op in &mut api.operations {
        if op.responses.event_stream.is_none() {
            continue;
        }
        let Some(body) = &op.body else { continue };
        if body.kind != BodyKind::Json {
            continue;
        }
        op.stream_flag = body_struct(types, &body.ty)
            .and_then(|s| {
                s.fields.iter().find(|f| {
                    f.wire_name == "stream" && matches!(unalias(types, &f.ty), TypeRef::Bool)
                })
            })
            .map(|f| f.wire_name.clone());
    }
}

fn part_encoding(types: &BTreeMap<TypeId, TypeDef>, t: &TypeRef) -> PartEncoding {
    let scalar = |t: &TypeRef| match unalias(types, t) {
        TypeRef::Bool
        | TypeRef::Int(_)
        | TypeRef::Float(_)
        | TypeRef::String
        | TypeRef::DateTime
        | TypeRef::Date
        | TypeRef::Uuid => true,
        TypeRef::Named(id) => matches!(
            types.get(&id).map(|d| &d.kind),
            Some(TypeKind::StringEnum(_) | TypeKind::IntEnum(_))
        ),
        _ => false,
    };
    if let Some(files) = file_union(types, t) {
        return files;
    }
    match unalias(types, t) {
        TypeRef::Binary => PartEncoding::File,
        TypeRef::Array(inner) if matches!(unalias(types, &inner), TypeRef::Binary) => {
            PartEncoding::FileList
        }
        TypeRef::Array(inner) if scalar(&inner) => PartEncoding::TextArray,
        other if scalar(&other) => PartEncoding::Text,
        _ => PartEncoding::Json,
    }
}

/// A union each of whose variants is a file or a list of files (OpenAI's skill `files`: a
/// zip, or a folder's files), as the parts it becomes.
fn file_union(types: &BTreeMap<TypeId, TypeDef>, t: &TypeRef) -> Option<PartEncoding> {
    let TypeRef::Named(id) = unalias(types, t) else {
        return None;
    };
    let Some(TypeKind::Union(u)) = types.get(&id).map(|d| &d.kind) else {
        return None;
    };
    let file = |t: &TypeRef| matches!(unalias(types, t), TypeRef::Binary);
    let files = |t: &TypeRef| matches!(unalias(types, t), TypeRef::Array(inner) if file(&inner));
    if u.variants.is_empty() || !u.variants.iter().all(|v| file(&v.ty) || files(&v.ty)) {
        return None;
    }
    let names = |pick: &dyn Fn(&TypeRef) -> bool| {
        u.variants
            .iter()
            .filter(|v| pick(&v.ty))
            .map(|v| v.rust_name.clone())
            .collect()
    };
    Some(PartEncoding::FileUnion {
        ty: TypeRef::Named(id),
        single: names(&file),
        list: names(&files),
    })
}

/// Strongly connected components (Tarjan, iterative so deep graphs cannot overflow the stack).
fn components(nodes: &[TypeId], succ: &BTreeMap<TypeId, Vec<TypeId>>) -> BTreeMap<TypeId, usize> {
    let mut index: BTreeMap<TypeId, usize> = BTreeMap::new();
    let mut low: BTreeMap<TypeId, usize> = BTreeMap::new();
    let mut on_stack = BTreeSet::new();
    let mut stack = Vec::new();
    let mut comp = BTreeMap::new();
    let mut counter = 0;
    let mut comp_count = 0;
    let empty = Vec::new();
    for &start in nodes {
        if index.contains_key(&start) {
            continue;
        }
        let mut work: Vec<(TypeId, usize)> = vec![(start, 0)];
        index.insert(start, counter);
        low.insert(start, counter);
        counter += 1;
        stack.push(start);
        on_stack.insert(start);
        while let Some((v, i)) = work.pop() {
            let next = succ.get(&v).unwrap_or(&empty);
            if i < next.len() {
                work.push((v, i + 1));
                let w = next[i];
                if let std::collections::btree_map::Entry::Vacant(slot) = index.entry(w) {
                    slot.insert(counter);
                    low.insert(w, counter);
                    counter += 1;
                    stack.push(w);
                    on_stack.insert(w);
                    work.push((w, 0));
                } else if on_stack.contains(&w) {
                    let lw = index[&w];
                    let lv = low[&v];
                    low.insert(v, lv.min(lw));
                }
                continue;
            }
            if low[&v] == index[&v] {
                while let Some(w) = stack.pop() {
                    on_stack.remove(&w);
                    comp.insert(w, comp_count);
                    if w == v {
                        break;
                    }
                }
                comp_count += 1;
            }
            if let Some(&(parent, _)) = work.last() {
                let lv = low[&v];
                let lp = low[&parent];
                low.insert(parent, lp.min(lv));
            }
        }
    }
    comp
}

fn graph(api: &Api, by_value_only: bool) -> BTreeMap<TypeId, Vec<TypeId>> {
    api.types
        .iter()
        .map(|(id, def)| {
            let targets = edges(&def.kind)
                .into_iter()
                .filter(|(t, v)| (*v || !by_value_only) && api.types.contains_key(t))
                .map(|(t, _)| t)
                .collect();
            (*id, targets)
        })
        .collect()
}

/// `type A = Vec<A>` is not legal Rust; aliases on a cycle become transparent newtypes.
fn newtype_recursive_aliases(api: &mut Api) {
    let succ = graph(api, false);
    let nodes: Vec<TypeId> = api.types.keys().copied().collect();
    let comp = components(&nodes, &succ);
    let mut sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for c in comp.values() {
        *sizes.entry(*c).or_insert(0) += 1;
    }
    for (id, def) in &mut api.types {
        let TypeKind::Alias(t) = &def.kind else {
            continue;
        };
        let in_cycle = comp
            .get(id)
            .is_some_and(|c| sizes.get(c).copied().unwrap_or(0) > 1)
            || succ.get(id).is_some_and(|s| s.contains(id));
        if in_cycle {
            def.kind = TypeKind::Newtype(t.clone());
        }
    }
}

/// Enums and unions that are identical (the same values, or the same variants once their
/// payloads are shared) keep one definition; every other copy becomes an alias of it, so each
/// name still exists but the compiler checks the definition and its impls once. Stripe alone
/// declares the empty-string enum (`""`, its "unset" marker) well over a hundred times.
/// Structs are left alone: their field docs differ with context, and an alias would lose them.
fn share_identical_types(api: &mut Api) {
    let mut merged: BTreeMap<TypeId, TypeId> = BTreeMap::new();
    // Unions can share only once their payloads do, so repeat until nothing changes; each
    // round merges at least one type, and nesting is shallow in practice.
    for _ in 0..8 {
        let mut groups: BTreeMap<String, Vec<TypeId>> = BTreeMap::new();
        for (id, def) in &api.types {
            if let Some(key) = shape_key(&def.kind, &merged) {
                groups.entry(key).or_default().push(*id);
            }
        }
        let before = merged.len();
        for ids in groups.values().filter(|ids| ids.len() > 1) {
            // A component schema's name wins; otherwise any member will do, since the shared
            // type is renamed below.
            let Some(keep) = ids.iter().copied().min_by_key(|id| {
                api.types
                    .get(id)
                    .map(|d| (!is_component(d), d.name.len(), d.name.clone()))
            }) else {
                continue;
            };
            for id in ids.iter().copied().filter(|id| *id != keep) {
                merged.insert(id, keep);
                if let Some(def) = api.types.get_mut(&id) {
                    def.kind = TypeKind::Alias(TypeRef::Named(keep));
                }
            }
        }
        if merged.len() == before {
            break;
        }
    }
    name_shared_types(api, &merged);
}

/// A type named after a component schema (`#/components/schemas/Name`), whose name is the
/// spec's own.
fn is_component(def: &TypeDef) -> bool {
    def.pointer
        .strip_prefix("#/components/schemas/")
        .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
}

/// Names each shared type after its values (`OpenClosedAll`, `StringOrInteger`), which are
/// what its users have in common, and makes every user's own name, component schemas' too, an
/// alias of it. A name made from the values never depends on which users a version of the
/// spec has, so adding operations or schemas renames nothing (`sdkgen diff` checks this on
/// GitHub's two descriptions).
fn name_shared_types(api: &mut Api, merged: &BTreeMap<TypeId, TypeId>) {
    let mut members: BTreeMap<TypeId, Vec<TypeId>> = BTreeMap::new();
    for (member, keeper) in merged {
        members.entry(*keeper).or_default().push(*member);
    }
    let mut scope = Scope::new();
    for def in api.types.values() {
        scope.claim(&def.name);
    }
    let mut next_id = api.types.keys().map(|id| id.0 + 1).max().unwrap_or(0);
    for (keeper, users) in &members {
        let Some(def) = api.types.get(keeper) else {
            continue;
        };
        let wanted = values_name(&def.kind);
        let all: Vec<TypeId> = users.iter().copied().chain([*keeper]).collect();
        // A user already called by the values' name keeps its definition.
        let owner = all.iter().copied().find(|id| {
            api.types
                .get(id)
                .is_some_and(|d| !wanted.is_empty() && d.name == wanted)
        });
        let canonical = match (owner, wanted.is_empty()) {
            (Some(owner), _) => owner,
            (None, true) => continue,
            (None, false) => {
                let mut shared = def.clone();
                // `account` as the only value of Stripe's `object` field meets the `Account`
                // struct: the values' type says what it is.
                let wanted = if scope.is_taken(&wanted) {
                    format!("{wanted}Value")
                } else {
                    wanted
                };
                shared.name = scope.claim(&wanted);
                // It is named by its values, so it points at them; the member keeps the
                // schema's own pointer.
                let values_key = match def.kind {
                    TypeKind::Union(_) => "oneOf",
                    _ => "enum",
                };
                shared.pointer = format!("{}/{values_key}", def.pointer);
                let id = TypeId(next_id);
                next_id += 1;
                api.types.insert(id, shared);
                id
            }
        };
        for user in all.into_iter().filter(|u| *u != canonical) {
            if let Some(def) = api.types.get_mut(&user) {
                def.kind = TypeKind::Alias(TypeRef::Named(canonical));
            }
        }
    }
}

/// A name from a type's values: an enum's first values (`OpenClosedAll`, `Plus1Minus1LaughEtc`
/// beyond four), a union's variants joined (`StringOrInteger`).
fn values_name(kind: &TypeKind) -> String {
    let (names, join, cap): (Vec<&str>, &str, usize) = match kind {
        TypeKind::StringEnum(e) => (
            e.variants.iter().map(|v| v.rust_name.as_str()).collect(),
            "",
            4,
        ),
        TypeKind::IntEnum(v) => (v.iter().map(|v| v.rust_name.as_str()).collect(), "", 4),
        TypeKind::Union(u) => (
            u.variants.iter().map(|v| v.rust_name.as_str()).collect(),
            "Or",
            3,
        ),
        _ => return String::new(),
    };
    // Integer enums name their values as constants (`VALUE_0`); the type name is camel case.
    let words: Vec<String> = names.iter().map(|n| crate::naming::type_name(n)).collect();
    let name = if words.len() <= cap {
        words.join(join)
    } else {
        let mut head = words[..cap - 1].join(join);
        head.push_str(if join.is_empty() { "Etc" } else { "OrOther" });
        head
    };
    // A type called `None` (Stripe's `setup_future_usage: none`) would shadow the prelude's in
    // code that glob-imports the types.
    const PRELUDE: &[&str] = &[
        "None", "Some", "Ok", "Err", "Option", "Result", "String", "Vec", "Box",
    ];
    if PRELUDE.contains(&name.as_str()) {
        format!("{name}Value")
    } else {
        name
    }
}

/// A text that two enums or unions share exactly when they are interchangeable; `None` for
/// kinds that are never shared.
fn shape_key(kind: &TypeKind, merged: &BTreeMap<TypeId, TypeId>) -> Option<String> {
    match kind {
        TypeKind::StringEnum(e) => {
            let variants: Vec<(&str, &str)> = e
                .variants
                .iter()
                .map(|v| (v.rust_name.as_str(), v.wire.as_str()))
                .collect();
            Some(format!("enum {variants:?} {}", e.fallback))
        }
        TypeKind::IntEnum(values) => {
            let values: Vec<(&str, i64)> = values
                .iter()
                .map(|v| (v.rust_name.as_str(), v.value))
                .collect();
            Some(format!("int {values:?}"))
        }
        TypeKind::Union(u) => {
            let variants: Vec<String> = u
                .variants
                .iter()
                .map(|v| {
                    let mut ty = v.ty.clone();
                    retarget(&mut ty, merged);
                    format!("{} {ty:?} {:?}", v.rust_name, v.tags)
                })
                .collect();
            Some(format!("union {:?} {variants:?}", u.tagging))
        }
        TypeKind::Struct(_) | TypeKind::Alias(_) | TypeKind::Newtype(_) => None,
    }
}

/// Boxes by-value references that close a cycle, so every type has a finite size.
fn box_cycles(api: &mut Api) {
    let succ = graph(api, true);
    let nodes: Vec<TypeId> = api.types.keys().copied().collect();
    let comp = components(&nodes, &succ);
    let mut members: BTreeMap<usize, usize> = BTreeMap::new();
    for c in comp.values() {
        *members.entry(*c).or_insert(0) += 1;
    }
    let ids: Vec<TypeId> = api.types.keys().copied().collect();
    for id in ids {
        if !cyclic_fast(id, &comp, &members, &succ) {
            continue;
        }
        let Some(my_comp) = comp.get(&id).copied() else {
            continue;
        };
        let Some(def) = api.types.get_mut(&id) else {
            continue;
        };
        let fix = |t: &mut TypeRef| box_in(t, &|target| comp.get(&target) == Some(&my_comp));
        match &mut def.kind {
            TypeKind::Struct(s) => s.fields.iter_mut().for_each(|f| fix(&mut f.ty)),
            TypeKind::Union(u) => u.variants.iter_mut().for_each(|v| fix(&mut v.ty)),
            TypeKind::Alias(t) | TypeKind::Newtype(t) => fix(t),
            TypeKind::StringEnum(_) | TypeKind::IntEnum(_) => {}
        }
    }
}

fn cyclic_fast(
    id: TypeId,
    comp: &BTreeMap<TypeId, usize>,
    members: &BTreeMap<usize, usize>,
    succ: &BTreeMap<TypeId, Vec<TypeId>>,
) -> bool {
    comp.get(&id)
        .is_some_and(|c| members.get(c).copied().unwrap_or(0) > 1)
        || succ.get(&id).is_some_and(|s| s.contains(&id))
}

fn box_in(t: &mut TypeRef, same_component: &dyn Fn(TypeId) -> bool) {
    match t {
        TypeRef::Named(id) if same_component(*id) => *t = TypeRef::Boxed(*id),
        TypeRef::Nullable(inner) => box_in(inner, same_component),
        _ => {}
    }
}

/// Puts each type in the module of the only operation group that uses it, or in `common`.
fn assign_modules(api: &mut Api) {
    let mut roots_by_module: BTreeMap<String, Vec<TypeId>> = BTreeMap::new();
    for op in &api.operations {
        let roots = roots_by_module.entry(op.module.clone()).or_default();
        roots.extend(request_roots(op));
        roots.extend(response_roots(op));
    }
    if let Some(webhooks) = &api.webhooks {
        roots_by_module
            .entry(WEBHOOKS_GROUP.to_owned())
            .or_default()
            .extend(webhook_roots(webhooks));
    }
    let mut users: BTreeMap<TypeId, BTreeSet<String>> = BTreeMap::new();
    for (module, roots) in roots_by_module {
        for id in reachable(api, roots) {
            users.entry(id).or_default().insert(module.clone());
        }
    }
    for (id, def) in &mut api.types {
        let mods = users.remove(id).unwrap_or_default();
        def.module = match mods.iter().next() {
            Some(only) if mods.len() == 1 => only.clone(),
            _ => "common".to_owned(),
        };
        def.users = mods;
    }
}

/// Marks each type with the way it crosses the wire. Reachability is transitive, so every type a
/// type refers to is used at least the ways the type itself is, and an impl gated on one
/// direction never needs an impl that is gated off.
fn mark_usage(api: &mut Api) {
    let in_request = reachable(api, api.operations.iter().flat_map(request_roots));
    // A webhook payload is received, as a response is.
    let webhooks = api.webhooks.iter().flat_map(webhook_roots);
    let in_response = reachable(
        api,
        api.operations
            .iter()
            .flat_map(response_roots)
            .chain(webhooks),
    );
    for (id, def) in &mut api.types {
        def.usage = match (in_request.contains(id), in_response.contains(id)) {
            (true, false) => Usage::Request,
            (false, true) => Usage::Response,
            _ => Usage::Both,
        };
    }
}

/// Reads a required property marked `deprecated` as optional in every type a response may
/// carry, because a server stops sending a deprecated property before the spec stops listing it
/// as required (OpenAI's own example of a file leaves out the deprecated `status`). Request-only
/// types keep it required, since the server may still expect it.
fn relax_deprecated_in_responses(api: &mut Api) {
    for def in api.types.values_mut() {
        if def.usage == Usage::Request {
            continue;
        }
        let TypeKind::Struct(s) = &mut def.kind else {
            continue;
        };
        for field in s.fields.iter_mut().filter(|f| f.docs.deprecated) {
            field.presence = match field.presence {
                Presence::Required => Presence::Optional,
                Presence::RequiredNullable => Presence::OptionalNullable,
                other => other,
            };
        }
    }
}
