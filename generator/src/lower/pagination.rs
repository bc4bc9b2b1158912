//! Pagination without configuration: a `GET` whose parameters and response follow a common
//! convention gets a stream, and the evidence is recorded in [`Api::detected_pagination`] for
//! `sdkgen report`.
//!
//! Conventions, in the order they are tried (the first that fits wins):
//! - a `Link` response header (RFC 8288, GitHub): `link_header`;
//! - a next-page URL in the body (`next`, `next_page_url`, `links.next`, `meta.next_page_url`,
//!   `@odata.nextLink`, …): `next_url`;
//! - `has_more` with `starting_after` (Stripe), or with a cursor in the body sent back as a
//!   parameter: `cursor` or `cursor_from_body`;
//! - a page token or next cursor in the body with a parameter to send it back
//!   (`next_page_token` → `page_token`, `response_metadata.next_cursor` → `cursor`): `token`;
//! - `offset` with `limit` (or `$skip` with `$top`): `offset_limit`;
//! - `page`, `page[number]` or `pageNumber`, with `per_page`, `page[size]` or the like:
//!   `page_number`.
//!
//! Every detection needs an array of items in the response (the body itself or its one array
//! property, as `items = "auto"` finds it), and the parameter it advances; otherwise the
//! operation stays a plain call. A `[[pagination]]` rule in `sdkgen.toml` that matches an
//! operation wins over detection, and `style = "none"` turns it off for what it matches.

use std::collections::BTreeMap;

use serde_json::Value;

use super::deref;
use crate::config::Config;
use crate::ir::{
    Api, Field, HttpMethod, Operation, Pagination, PaginationStyle, ParamLocation, ResponseBody,
    SuccessResponse, TypeDef, TypeId, TypeKind, TypeRef,
};

/// Body fields holding the next page's URL, as JSON pointers.
const NEXT_URL_POINTERS: [&str; 18] = [
    "/next",
    "/next_url",
    "/next_page_url",
    "/next_page_uri",
    "/nextPageUrl",
    "/nextPage",
    "/nextLink",
    "/@odata.nextLink",
    "/odata.nextLink",
    "/links/next",
    "/_links/next/href",
    "/_links/next",
    "/meta/next",
    "/meta/next_page_url",
    "/meta/next_page_uri",
    "/pagination/next",
    "/pagination/next_url",
    "/paging/next",
];

/// Body fields holding a token or cursor for the next page, and the parameters that take it
/// back, most specific pairs first.
const TOKEN_PAIRS: [(&str, &str); 15] = [
    ("/next_page", "page"),
    ("/next_page_token", "page_token"),
    ("/nextPageToken", "pageToken"),
    ("/next_token", "next_token"),
    ("/nextToken", "nextToken"),
    ("/next_token", "token"),
    ("/nextToken", "token"),
    ("/continuation_token", "continuation_token"),
    ("/continuationToken", "continuationToken"),
    ("/response_metadata/next_cursor", "cursor"),
    ("/meta/next_cursor", "cursor"),
    ("/pagination/next_cursor", "cursor"),
    ("/next_cursor", "cursor"),
    ("/nextCursor", "cursor"),
    ("/cursor", "cursor"),
];

/// Has-more flags.
const HAS_MORE_POINTERS: [&str; 4] = [
    "/has_more",
    "/hasMore",
    "/meta/has_more",
    "/pagination/has_more",
];

/// Cursors in the body that a `has_more` API sends back, and the parameter they go in.
const CURSOR_PAIRS: [(&str, &str); 5] = [
    ("/next_cursor", "cursor"),
    ("/cursor", "cursor"),
    ("/last_id", "after"),
    ("/next_cursor", "starting_after"),
    ("/meta/next_cursor", "cursor"),
];

/// Offset parameters, with the limit parameters that go with them.
const OFFSET_PAIRS: [(&str, &[&str]); 3] = [
    (
        "offset",
        &[
            "limit",
            "count",
            "per_page",
            "page_size",
            "pageSize",
            "size",
            "max",
        ],
    ),
    ("$skip", &["$top"]),
    ("skip", &["limit", "take", "top"]),
];

/// Page-number parameters.
const PAGE_PARAMS: [&str; 6] = [
    "page",
    "page[number]",
    "pageNumber",
    "page_number",
    "pageNo",
    "page_no",
];

/// Page-size parameters.
const PER_PAGE_PARAMS: [&str; 10] = [
    "per_page",
    "page[size]",
    "pageSize",
    "page_size",
    "perPage",
    "limit",
    "size",
    "count",
    "page_limit",
    "pagesize",
];

/// Totals, for `offset_limit`.
const TOTAL_POINTERS: [&str; 5] = [
    "/total",
    "/total_count",
    "/totalCount",
    "/count",
    "/meta/total",
];

/// Detects the pagination of every operation that no rule configures.
pub(crate) fn detect(api: &mut Api, root: &Value, config: &Config) {
    let mut detected = BTreeMap::new();
    for op in &mut api.operations {
        let rule = config
            .pagination_rules
            .iter()
            .find(|r| r.matches(&op.operation_id));
        match rule {
            Some(rule) if rule.style == "none" => {
                op.pagination = None;
                continue;
            }
            Some(_) => continue,
            None => {}
        }
        if op.pagination.is_some() || op.http_method != HttpMethod::Get {
            continue;
        }
        if let Some((style, evidence)) = detect_one(&api.types, root, op) {
            op.pagination = Some(Pagination {
                style,
                items: "auto".to_owned(),
                item_type: TypeRef::Json,
                // A guess that does not fit (no items array, say) is dropped without a warning.
                quiet: true,
            });
            detected.insert(op.operation_id.clone(), evidence);
        }
    }
    api.detected_pagination = detected;
}

fn detect_one(
    types: &BTreeMap<TypeId, TypeDef>,
    root: &Value,
    op: &Operation,
) -> Option<(PaginationStyle, String)> {
    let SuccessResponse::Single(ResponseBody::Json(body)) = &op.responses.success else {
        return None;
    };
    let items = items_pointer(types, body)?;
    let items_at = if items.is_empty() {
        "the body is the array of items".to_owned()
    } else {
        format!("items at `{items}`")
    };
    let query = |name: &str| {
        op.params
            .iter()
            .any(|p| matches!(p.location, ParamLocation::Query { .. }) && p.wire_name == name)
    };
    let field = |ptr: &str| field_at(types, body, ptr);
    let int_query = |name: &str| {
        op.params.iter().any(|p| {
            matches!(p.location, ParamLocation::Query { .. })
                && p.wire_name == name
                && matches!(unalias(types, &p.ty), TypeRef::Int(_))
        })
    };

    // GitHub declares `Link` on some single-object responses too, so the operation must also
    // take a paging parameter.
    let pages_by_query = PAGE_PARAMS
        .iter()
        .chain(&PER_PAGE_PARAMS)
        .chain(&["before", "after", "cursor"])
        .any(|p| query(p));
    if pages_by_query && declares_link_header(root, &op.pointer) {
        return Some((
            PaginationStyle::LinkHeader,
            format!(
                "the response declares a `Link` header and the operation takes paging parameters; {items_at}"
            ),
        ));
    }
    for ptr in NEXT_URL_POINTERS {
        if let Some(f) = field(ptr) {
            if is_string(types, &f.ty) && (ptr != "/next" || mentions_url(f)) {
                return Some((
                    PaginationStyle::NextUrl {
                        next: ptr.to_owned(),
                    },
                    format!("next-page URL at `{ptr}`; {items_at}"),
                ));
            }
        }
    }
    let has_more = HAS_MORE_POINTERS
        .into_iter()
        .find(|ptr| field(ptr).is_some_and(|f| matches!(unalias(types, &f.ty), TypeRef::Bool)));
    if let Some(has_more) = has_more {
        if query("starting_after") && item_has_id(types, body, &items) {
            return Some((
                PaginationStyle::Cursor {
                    has_more: has_more.to_owned(),
                    cursor_param: "starting_after".to_owned(),
                    cursor_field: "id".to_owned(),
                },
                format!(
                    "`{has_more}` flag, query `starting_after` and items with an `id`; {items_at}"
                ),
            ));
        }
        for (ptr, param) in CURSOR_PAIRS {
            if query(param) && field(ptr).is_some_and(|f| is_string(types, &f.ty)) {
                return Some((
                    PaginationStyle::CursorFromBody {
                        has_more: has_more.to_owned(),
                        cursor_param: param.to_owned(),
                        cursor_pointer: ptr.to_owned(),
                    },
                    format!(
                        "`{has_more}` flag, cursor at `{ptr}` sent back as query `{param}`; {items_at}"
                    ),
                ));
            }
        }
    }
    for (ptr, param) in TOKEN_PAIRS {
        if query(param) && field(ptr).is_some_and(|f| is_string(types, &f.ty)) {
            return Some((
                PaginationStyle::Token {
                    token_pointer: ptr.to_owned(),
                    token_param: param.to_owned(),
                },
                format!("token at `{ptr}` sent back as query `{param}`; {items_at}"),
            ));
        }
    }
    for (offset, limits) in OFFSET_PAIRS {
        if !query(offset) {
            continue;
        }
        if let Some(limit) = limits.iter().find(|l| query(l)) {
            let total = TOTAL_POINTERS.into_iter().find(|ptr| {
                field(ptr).is_some_and(|f| matches!(unalias(types, &f.ty), TypeRef::Int(_)))
            });
            let total_at = total.map_or_else(String::new, |t| format!(", total at `{t}`"));
            return Some((
                PaginationStyle::OffsetLimit {
                    offset_param: offset.to_owned(),
                    limit_param: (*limit).to_owned(),
                    total: total.map(str::to_owned),
                },
                format!("query `{offset}` and `{limit}`{total_at}; {items_at}"),
            ));
        }
    }
    // A page number is an integer; a string `page` is a token (OpenAI's usage API), found above.
    for page in PAGE_PARAMS {
        if !int_query(page) {
            continue;
        }
        let per_page = PER_PAGE_PARAMS.into_iter().find(|p| query(p));
        let first_page = first_page(root, &op.pointer, page);
        let with = per_page.map_or_else(String::new, |p| format!(" and `{p}`"));
        return Some((
            PaginationStyle::PageNumber {
                page_param: page.to_owned(),
                first_page,
                per_page_param: per_page.map(str::to_owned),
            },
            format!("query `{page}`{with}, first page {first_page}; {items_at}"),
        ));
    }
    None
}

/// The items array: the body itself, else its one array property, else a `data`, `items` or
/// `results` array among several.
fn items_pointer(types: &BTreeMap<TypeId, TypeDef>, body: &TypeRef) -> Option<String> {
    if matches!(unalias(types, body), TypeRef::Array(_)) {
        return Some(String::new());
    }
    let fields = struct_fields(types, body)?;
    let arrays: Vec<&Field> = fields
        .iter()
        .filter(|f| matches!(unalias(types, &f.ty), TypeRef::Array(_)))
        .collect();
    let chosen = match arrays.as_slice() {
        [only] => Some(*only),
        several => ["data", "items", "results"]
            .into_iter()
            .find_map(|name| several.iter().copied().find(|f| f.wire_name == name)),
    }?;
    Some(format!(
        "/{}",
        chosen.wire_name.replace('~', "~0").replace('/', "~1")
    ))
}

fn item_has_id(types: &BTreeMap<TypeId, TypeDef>, body: &TypeRef, items: &str) -> bool {
    let array = if items.is_empty() {
        Some(unalias(types, body))
    } else {
        field_at(types, body, items).map(|f| unalias(types, &f.ty))
    };
    let Some(TypeRef::Array(item)) = array else {
        return false;
    };
    struct_fields(types, &item).is_some_and(|fields| fields.iter().any(|f| f.wire_name == "id"))
}

fn struct_fields<'t>(types: &'t BTreeMap<TypeId, TypeDef>, t: &TypeRef) -> Option<&'t [Field]> {
    let (TypeRef::Named(id) | TypeRef::Boxed(id)) = unalias(types, t) else {
        return None;
    };
    match &types.get(&id)?.kind {
        TypeKind::Struct(s) => Some(&s.fields),
        _ => None,
    }
}

/// The field a JSON pointer names, walking nested objects.
fn field_at<'t>(types: &'t BTreeMap<TypeId, TypeDef>, t: &TypeRef, ptr: &str) -> Option<&'t Field> {
    let mut current = t.clone();
    let mut found = None;
    for segment in ptr.split('/').skip(1) {
        let field = struct_fields(types, &current)?
            .iter()
            .find(|f| f.wire_name == segment)?;
        current = field.ty.clone();
        found = Some(field);
    }
    found
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

fn is_string(types: &BTreeMap<TypeId, TypeDef>, t: &TypeRef) -> bool {
    matches!(unalias(types, t), TypeRef::String)
}

/// A bare `next` field is a URL only when its docs say so (elsewhere it is often a cursor).
fn mentions_url(field: &Field) -> bool {
    let text = format!(
        "{} {}",
        field.docs.summary.as_deref().unwrap_or_default(),
        field.docs.description.as_deref().unwrap_or_default()
    )
    .to_lowercase();
    ["url", "uri", "link"].iter().any(|w| text.contains(w))
}

/// The operation's JSON in the document.
fn operation_json<'v>(root: &'v Value, pointer: &str) -> Option<&'v Value> {
    root.pointer(pointer.strip_prefix('#').unwrap_or(pointer))
}

fn declares_link_header(root: &Value, op_pointer: &str) -> bool {
    let Some(responses) = operation_json(root, op_pointer)
        .and_then(|op| op.get("responses"))
        .and_then(Value::as_object)
    else {
        return false;
    };
    responses
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .filter_map(|(_, r)| deref(root, r).get("headers").and_then(Value::as_object))
        .any(|headers| headers.keys().any(|h| h.eq_ignore_ascii_case("link")))
}

/// The first page's number: 0 when the parameter's schema says its minimum or default is 0.
fn first_page(root: &Value, op_pointer: &str, name: &str) -> u64 {
    let op = operation_json(root, op_pointer);
    // Path-level parameters sit on the path item, one level up.
    let item = op_pointer
        .rsplit_once('/')
        .and_then(|(item, _)| operation_json(root, item));
    let params = [op, item]
        .into_iter()
        .flatten()
        .filter_map(|v| v.get("parameters").and_then(Value::as_array))
        .flatten()
        .map(|p| deref(root, p));
    for param in params {
        if param.get("name").and_then(Value::as_str) != Some(name) {
            continue;
        }
        let schema = param.get("schema").map(|s| deref(root, s));
        let zero = |key: &str| {
            schema
                .and_then(|s| s.get(key))
                .and_then(Value::as_u64)
                .is_some_and(|v| v == 0)
        };
        return if zero("minimum") || zero("default") {
            0
        } else {
            1
        };
    }
    1
}
