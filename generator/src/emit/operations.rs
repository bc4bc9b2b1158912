//! Operations → request builders, response enums and client methods.

use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::docs::emit_docs;
use super::{Cx, Module, ident, type_tokens, value_arg};
use crate::ir::{
    BodyKind, FormField, HttpMethod, MultipartField, Operation, Pagination, PaginationStyle, Param,
    ParamLocation, PartEncoding, PathSegment, QueryStyle, RequestBody, ResponseBody, ResponseCase,
    StatusMatch, SuccessResponse, TypeRef,
};

/// The `operations` module: one child per tag, all re-exported at `operations::*`.
pub(super) fn emit_operations_module(cx: &Cx) -> Module {
    let mut groups: BTreeMap<String, Vec<&Operation>> = BTreeMap::new();
    for op in &cx.api.operations {
        groups.entry(op.module.clone()).or_default().push(op);
    }
    let mut module = Module {
        docs:
            "Request builders, one per operation, created by the methods of the crate's `Client`."
                .to_owned(),
        allow_lints: true,
        ..Module::default()
    };
    let mut reexports = TokenStream::new();
    for (group, ops) in groups {
        let items = ops.iter().map(|op| emit_operation(cx, op));
        let name = ident(&group);
        let module_cfg = cx.cfg_for(&std::iter::once(group.clone()).collect());
        let cfg_attr = module_cfg.as_ref().map(|c| quote! { #[cfg(#c)] });
        reexports.extend(quote! { #cfg_attr pub use self::#name::*; });
        module.children.insert(
            group.clone(),
            Module {
                docs: format!("The `{group}` operations."),
                items: quote! { #(#items)* },
                cfg: module_cfg,
                ..Module::default()
            },
        );
    }
    module.items = reexports;
    module
}

fn method_tokens(m: HttpMethod) -> TokenStream {
    let name = ident(m.as_upper());
    quote! { ::sdkgen_runtime::http::Method::#name }
}

fn param_type(cx: &Cx, p: &Param) -> TokenStream {
    type_tokens(cx, &p.ty)
}

fn body_type(cx: &Cx, b: &RequestBody) -> TokenStream {
    match b.kind {
        BodyKind::Binary => quote! { ::sdkgen_runtime::bytes::Bytes },
        BodyKind::Text => quote! { ::std::string::String },
        _ => type_tokens(cx, &b.ty),
    }
}

/// The Rust type a success body decodes into.
fn response_type(cx: &Cx, body: &ResponseBody) -> TokenStream {
    match body {
        ResponseBody::Empty => quote! { () },
        ResponseBody::Json(t) => type_tokens(cx, t),
        ResponseBody::Text => quote! { ::std::string::String },
        ResponseBody::Binary | ResponseBody::EventStream(_) => {
            quote! { ::sdkgen_runtime::bytes::Bytes }
        }
        ResponseBody::Redirect => quote! { ::sdkgen_runtime::Redirect },
    }
}

fn decode_expr(cx: &Cx, body: &ResponseBody) -> TokenStream {
    match body {
        ResponseBody::Empty => quote! { () },
        ResponseBody::Json(t) => {
            let ty = type_tokens(cx, t);
            quote! { ::sdkgen_runtime::__private::decode_json::<#ty>(&raw)? }
        }
        ResponseBody::Text => quote! { ::sdkgen_runtime::__private::decode_text(&raw)? },
        ResponseBody::Binary | ResponseBody::EventStream(_) => {
            quote! { ::std::clone::Clone::clone(&raw.body) }
        }
        ResponseBody::Redirect => quote! { ::sdkgen_runtime::__private::decode_redirect(&raw)? },
    }
}

fn status_pattern(s: StatusMatch) -> TokenStream {
    match s {
        StatusMatch::Code(c) => {
            let c = Literal::u16_unsuffixed(c);
            quote! { #c }
        }
        StatusMatch::Range(d) => {
            // A guard rather than a range pattern: documented codes inside the range come first,
            // and overlapping range patterns are a lint error.
            let lo = Literal::u16_unsuffixed(u16::from(d) * 100);
            let hi = Literal::u16_unsuffixed(u16::from(d) * 100 + 99);
            quote! { code if (#lo..=#hi).contains(&code) }
        }
        StatusMatch::Default => quote! { _ },
    }
}

fn emit_operation(cx: &Cx, op: &Operation) -> TokenStream {
    let root = &cx.root;
    let builder = ident(&op.builder_name);
    let line = format!(
        "Sends `{} {}`.",
        op.http_method.as_upper(),
        op.path_template.replace('`', "'")
    );
    let docs = emit_docs(&op.docs, Some(&line));
    let required: Vec<&Param> = op.params.iter().filter(|p| p.required).collect();
    let optional: Vec<&Param> = op.params.iter().filter(|p| !p.required).collect();
    let body_required = op.body.as_ref().is_some_and(|b| b.required);

    // Fields of the builder.
    let mut fields = Vec::new();
    for p in &required {
        let name = ident(&p.rust_name);
        let ty = param_type(cx, p);
        fields.push(quote! { pub(crate) #name: #ty, });
    }
    for p in &optional {
        let name = ident(&p.rust_name);
        let ty = param_type(cx, p);
        fields.push(quote! { pub(crate) #name: ::std::option::Option<#ty>, });
    }
    if let Some(b) = &op.body {
        let ty = body_type(cx, b);
        if b.required {
            fields.push(quote! { pub(crate) body: #ty, });
        } else {
            fields.push(quote! { pub(crate) body: ::std::option::Option<#ty>, });
        }
    }

    // Setters for optional values.
    let setters = optional.iter().map(|p| {
        let name = ident(&p.rust_name);
        let arg = value_arg(cx, &p.ty, &ident("value"));
        let (ty, into) = (arg.ty, arg.into);
        // A setter that is not generic is compiled only where it is called.
        let inline = (!arg.generic).then(|| quote! { #[inline] });
        let docs = emit_docs(&p.docs, None);
        quote! {
            #docs
            #inline
            pub fn #name(mut self, value: #ty) -> Self {
                self.#name = ::std::option::Option::Some(#into);
                self
            }
        }
    });
    let body_setter = op.body.as_ref().filter(|b| !b.required).map(|b| {
        let ty = body_type(cx, b);
        let docs = emit_docs(&b.docs, Some("Sets the request body."));
        quote! {
            #docs
            pub fn body(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                self.body = ::std::option::Option::Some(value.into());
                self
            }
        }
    });

    let request_fn = emit_request_fn(cx, op);
    let send_doc = if op.responses.errors.is_empty() {
        quote! { #[doc = " Sends the request and decodes the response body."] }
    } else {
        let doc = format!(
            " On an error status the spec documents, [`{}::from_error`] reads the error's body.",
            op.responses.error_type_name
        );
        quote! {
            #[doc = " Sends the request and decodes the response body."]
            #[doc = ""]
            #[doc = #doc]
        }
    };
    let (success_ty, success_items) = emit_success(cx, op);
    let (error_map, error_items) = emit_errors(cx, op);
    let pagination = op.pagination.as_ref().map(|p| emit_pagination(cx, p));
    let event_type = match &op.responses.success {
        SuccessResponse::Single(ResponseBody::EventStream(t)) => Some(t),
        _ => op.responses.event_stream.as_ref(),
    };
    let streaming = event_type.map(|t| emit_event_stream(cx, t, op.stream_flag.as_deref()));
    let download = match &op.responses.success {
        SuccessResponse::Single(ResponseBody::Binary) => Some(emit_download(&error_map)),
        _ => None,
    };

    // The call: a method of the operation's resource handle, or of the client itself.
    let method = ident(&op.method_name);
    let (owner, client) = match cx.api.resources.get(&op.resource) {
        Some(handle) if !op.resource.is_empty() => {
            let handle = ident(handle);
            (
                quote! { #root::resources::#handle<'_> },
                quote! { self.client },
            )
        }
        _ => (quote! { #root::Client }, quote! { self }),
    };
    let args = required.iter().map(|p| {
        let name = ident(&p.rust_name);
        let ty = value_arg(cx, &p.ty, &name).ty;
        quote! { #name: #ty, }
    });
    let body_arg = op.body.as_ref().filter(|_| body_required).map(|b| {
        let ty = body_type(cx, b);
        quote! { body: impl ::std::convert::Into<#ty>, }
    });
    let inits = required.iter().map(|p| {
        let name = ident(&p.rust_name);
        value_arg(cx, &p.ty, &name).init(&name)
    });
    let optional_inits = optional.iter().map(|p| {
        let name = ident(&p.rust_name);
        quote! { #name: ::std::option::Option::None, }
    });
    let body_init = op.body.as_ref().map(|_| {
        if body_required {
            quote! { body: body.into(), }
        } else {
            quote! { body: ::std::option::Option::None, }
        }
    });

    quote! {
        #docs
        #[must_use = "a request builder does nothing until `.send()` is awaited"]
        #[derive(Clone)]
        pub struct #builder {
            pub(crate) client: #root::Client,
            #(#fields)*
            pub(crate) options: ::sdkgen_runtime::RequestOptions,
        }

        impl #builder {
            #(#setters)*
            #body_setter

            /// Per-request options: extra headers, a timeout, a retry policy or an idempotency key.
            #[inline]
            pub fn options(mut self, options: ::sdkgen_runtime::RequestOptions) -> Self {
                self.options = options;
                self
            }

            #request_fn

            #send_doc
            pub async fn send(self) -> ::std::result::Result<#success_ty, ::sdkgen_runtime::Error> {
                self.send_with_response().await.map(|response| response.body)
            }

            /// Sends the request and returns the body with the status, headers and request id.
            pub async fn send_with_response(
                self,
            ) -> ::std::result::Result<::sdkgen_runtime::Response<#success_ty>, ::sdkgen_runtime::Error> {
                let raw = self.client.inner().send(self.request()).await #error_map ?;
                let body = #success_items;
                ::std::result::Result::Ok(raw.into_response(body))
            }

            #pagination
            #streaming
            #download
        }

        #error_items

        impl #owner {
            #docs
            pub fn #method(&self, #(#args)* #body_arg) -> #builder {
                #builder {
                    client: ::std::clone::Clone::clone(#client),
                    #(#inits)*
                    #(#optional_inits)*
                    #body_init
                    options: ::std::default::Default::default(),
                }
            }
        }
    }
    .into_iter()
    .chain(emit_success_enum(cx, op))
    .collect()
}

fn emit_request_fn(cx: &Cx, op: &Operation) -> TokenStream {
    let method = method_tokens(op.http_method);
    let op_id = Literal::string(&op.operation_id);
    let template = Literal::string(&op.path_template);
    let server = op.server.as_ref().map(|url| {
        let url = Literal::string(url);
        quote! { req = req.default_server(#url); }
    });
    // `application/json` alone is what the runtime sends by default, so it costs no line.
    let accept = op
        .responses
        .accept
        .as_deref()
        .filter(|a| *a != "application/json")
        .map(|a| {
            let a = Literal::string(a);
            quote! { req = req.accept(#a); }
        });
    let redirect = op
        .responses
        .redirect_answers
        .then(|| quote! { req = req.redirect_is_answer(); });
    let path_pushes = op.path.iter().map(|seg| match seg {
        PathSegment::Literal(text) => {
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => quote! { path.push(#c); },
                _ => {
                    let text = Literal::string(text);
                    quote! { path.push_str(#text); }
                }
            }
        }
        PathSegment::Param(i) => match op.params.get(*i) {
            Some(p) => {
                let name = ident(&p.rust_name);
                quote! {
                    path.push_str(&::sdkgen_runtime::__private::encode_path_segment(
                        &::sdkgen_runtime::__private::to_param_string(&self.#name),
                    ));
                }
            }
            None => TokenStream::new(),
        },
    });
    let params = op
        .params
        .iter()
        .filter(|p| p.location != ParamLocation::Path)
        .map(|p| {
            let name = ident(&p.rust_name);
            let wire = Literal::string(&p.wire_name);
            let call = |value: TokenStream| match p.location {
                ParamLocation::Query {
                    style: QueryStyle::Form,
                    explode,
                } => {
                    quote! { req = req.query_form(#wire, #value, #explode); }
                }
                ParamLocation::Query {
                    style: QueryStyle::DeepObject,
                    ..
                } => quote! { req = req.query_deep_object(#wire, #value); },
                ParamLocation::Query {
                    style: QueryStyle::SpaceDelimited,
                    ..
                } => {
                    quote! { req = req.query_delimited(#wire, #value, ' '); }
                }
                ParamLocation::Query {
                    style: QueryStyle::PipeDelimited,
                    ..
                } => {
                    quote! { req = req.query_delimited(#wire, #value, '|'); }
                }
                ParamLocation::Header => quote! { req = req.header_param(#wire, #value); },
                ParamLocation::Cookie => quote! { req = req.cookie_param(#wire, #value); },
                ParamLocation::Path => TokenStream::new(),
            };
            if p.required {
                call(quote! { &self.#name })
            } else {
                let inner = call(quote! { value });
                quote! { if let ::std::option::Option::Some(value) = &self.#name { #inner } }
            }
        });
    let body = op.body.as_ref().map(|b| {
        let set = |value: TokenStream| emit_body_call(cx, b, value);
        if b.required {
            set(quote! { &self.body })
        } else {
            let inner = set(quote! { value });
            quote! { if let ::std::option::Option::Some(value) = &self.body { #inner } }
        }
    });
    quote! {
        /// Builds the request without sending it.
        fn request(&self) -> ::sdkgen_runtime::__private::Request {
            let mut path = ::std::string::String::new();
            #(#path_pushes)*
            #[allow(unused_mut)]
            let mut req = ::sdkgen_runtime::__private::Request::new(#method, #op_id, #template, path);
            #server
            #accept
            #redirect
            #(#params)*
            #body
            req.options(::std::clone::Clone::clone(&self.options))
        }
    }
}

fn emit_body_call(cx: &Cx, b: &RequestBody, value: TokenStream) -> TokenStream {
    let content_type = Literal::string(&b.content_type);
    match &b.kind {
        BodyKind::Json => quote! { req = req.body_json(#value); },
        BodyKind::Form { fields } => {
            let fields = fields.iter().map(|(name, field)| {
                let name = Literal::string(name);
                let field = emit_form_field(*field);
                quote! { (#name, ::sdkgen_runtime::__private::FormField::#field) }
            });
            quote! { req = req.body_form(#value, &[#(#fields),*]); }
        }
        BodyKind::Binary => {
            quote! { req = req.body_bytes(#content_type, ::std::clone::Clone::clone(#value)); }
        }
        BodyKind::Text => {
            quote! { req = req.body_text(#content_type, ::std::clone::Clone::clone(#value)); }
        }
        BodyKind::Multipart { parts, .. } if parts.is_empty() => {
            quote! { req = req.body_multipart(::sdkgen_runtime::__private::Multipart::new().json("body", #value)); }
        }
        BodyKind::Multipart { parts, .. } => {
            let parts = parts.iter().map(|f| emit_part(cx, f));
            quote! {
                let body = #value;
                let mut form = ::sdkgen_runtime::__private::Multipart::new();
                #(#parts)*
                req = req.body_multipart(form);
            }
        }
    }
}

fn emit_form_field(field: FormField) -> TokenStream {
    match field {
        FormField::Form { explode } => quote! { Form { explode: #explode } },
        FormField::SpaceDelimited => quote! { SpaceDelimited },
        FormField::PipeDelimited => quote! { PipeDelimited },
        FormField::DeepObject => quote! { DeepObject },
        FormField::Json => quote! { Json },
    }
}

fn emit_part(cx: &Cx, f: &MultipartField) -> TokenStream {
    let name = ident(&f.rust_name);
    let wire = Literal::string(&f.wire_name);
    let item = Literal::string(&f.item_name);
    let add = |value: TokenStream| match &f.encoding {
        PartEncoding::File => {
            quote! { form = form.file(#wire, ::std::clone::Clone::clone(#value)); }
        }
        PartEncoding::FileList => quote! {
            for file in #value {
                form = form.file(#item, ::std::clone::Clone::clone(file));
            }
        },
        PartEncoding::FileUnion { ty, single, list } => {
            let union = type_tokens(cx, ty);
            let single = single.iter().map(|v| ident(v));
            let list = list.iter().map(|v| ident(v));
            quote! {
                match #value {
                    #(#union::#single(file) => {
                        form = form.file(#wire, ::std::clone::Clone::clone(file));
                    })*
                    #(#union::#list(files) => {
                        for file in files {
                            form = form.file(#item, ::std::clone::Clone::clone(file));
                        }
                    })*
                }
            }
        }
        PartEncoding::Text => {
            quote! { form = form.text(#wire, ::sdkgen_runtime::__private::to_param_string(#value)); }
        }
        PartEncoding::TextArray => quote! {
            for item in #value {
                form = form.text(#wire, ::sdkgen_runtime::__private::to_param_string(item));
            }
        },
        PartEncoding::Json => quote! { form = form.json(#wire, #value); },
        PartEncoding::DeepObject => quote! { form = form.deep_object(#wire, #value); },
    };
    if f.optional {
        let inner = add(quote! { value });
        quote! { if let ::std::option::Option::Some(value) = &body.#name { #inner } }
    } else {
        add(quote! { &body.#name })
    }
}

/// The success type and the expression that decodes it from `raw`.
fn emit_success(cx: &Cx, op: &Operation) -> (TokenStream, TokenStream) {
    match &op.responses.success {
        SuccessResponse::Single(body) => (response_type(cx, body), decode_expr(cx, body)),
        SuccessResponse::Enum { name, cases } => {
            let enum_name = ident(name);
            let arms: Vec<TokenStream> = cases
                .iter()
                .map(|c| success_arm(cx, &enum_name, c))
                .collect();
            let has_default = cases.iter().any(|c| c.status == StatusMatch::Default);
            let fallback = if has_default {
                TokenStream::new()
            } else {
                // An undocumented 2xx decodes as the first documented case.
                match cases.first() {
                    Some(first) => {
                        let arm = success_value(cx, &enum_name, first);
                        quote! { _ => #arm, }
                    }
                    None => TokenStream::new(),
                }
            };
            (
                quote! { #enum_name },
                quote! { match raw.status.as_u16() { #(#arms)* #fallback } },
            )
        }
    }
}

fn success_value(cx: &Cx, enum_name: &proc_macro2::Ident, c: &ResponseCase) -> TokenStream {
    let variant = ident(&c.variant);
    match &c.body {
        ResponseBody::Empty => quote! { #enum_name::#variant },
        body => {
            let decode = decode_expr(cx, body);
            quote! { #enum_name::#variant(#decode) }
        }
    }
}

fn success_arm(cx: &Cx, enum_name: &proc_macro2::Ident, c: &ResponseCase) -> TokenStream {
    let pattern = status_pattern(c.status);
    let value = success_value(cx, enum_name, c);
    quote! { #pattern => #value, }
}

fn emit_success_enum(cx: &Cx, op: &Operation) -> TokenStream {
    let SuccessResponse::Enum { name, cases } = &op.responses.success else {
        return TokenStream::new();
    };
    let enum_name = ident(name);
    let variants = cases.iter().map(|c| {
        let variant = ident(&c.variant);
        let doc = Literal::string(&format!(" {}", status_doc(c.status)));
        match &c.body {
            ResponseBody::Empty => quote! { #[doc = #doc] #variant, },
            body => {
                let ty = response_type(cx, body);
                quote! { #[doc = #doc] #variant(#ty), }
            }
        }
    });
    let doc = Literal::string(&format!(
        " The successful responses of [`{}`], one variant per status.",
        op.builder_name
    ));
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq)]
        pub enum #enum_name {
            #(#variants)*
        }
    }
}

fn status_doc(s: StatusMatch) -> String {
    match s {
        StatusMatch::Code(c) => format!("Status {c}."),
        StatusMatch::Range(d) => format!("Any {d}xx status."),
        StatusMatch::Default => "Any other status.".to_owned(),
    }
}

/// The typed error enum and the `map_err` that attaches it to API errors.
fn emit_errors(cx: &Cx, op: &Operation) -> (TokenStream, TokenStream) {
    let errors = &op.responses.errors;
    if errors.is_empty() {
        return (TokenStream::new(), TokenStream::new());
    }
    let enum_name = ident(&op.responses.error_type_name);
    let variants = errors.iter().map(|c| {
        let variant = ident(&c.variant);
        let ty = response_type(cx, &c.body);
        let doc = Literal::string(&format!(" {}", status_doc(c.status)));
        quote! { #[doc = #doc] #variant(#ty), }
    });
    let arms = errors.iter().map(|c| {
        let variant = ident(&c.variant);
        let pattern = status_pattern(c.status);
        let ty = response_type(cx, &c.body);
        quote! { #pattern => Self::#variant(::serde_json::from_slice::<#ty>(body).ok()?), }
    });
    let fallback = if errors.iter().any(|c| c.status == StatusMatch::Default) {
        TokenStream::new()
    } else {
        quote! { _ => return ::std::option::Option::None, }
    };
    let only_default = errors.len() == 1 && errors.iter().all(|c| c.status == StatusMatch::Default);
    let decode_value = if only_default {
        let variant = ident(&errors[0].variant);
        let ty = response_type(cx, &errors[0].body);
        quote! {
            // Every status has the same documented body.
            let _ = status;
            let value = Self::#variant(::serde_json::from_slice::<#ty>(body).ok()?);
        }
    } else {
        quote! {
            let value = match status {
                #(#arms)*
                #fallback
            };
        }
    };
    let doc = Literal::string(&format!(
        " The documented error bodies of [`{}`]. [`{}::from_error`] reads one from the call's error.",
        op.builder_name, op.responses.error_type_name
    ));
    let items = quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #enum_name {
            #(#variants)*
        }
        impl #enum_name {
            /// The documented error body that `error` carries, when the call failed with a
            /// status the spec documents and the body matched its schema.
            pub fn from_error(error: &::sdkgen_runtime::Error) -> ::std::option::Option<&Self> {
                error.api().and_then(|api| api.typed_body::<Self>())
            }

            fn decode(status: u16, body: &[u8]) -> ::std::option::Option<::std::boxed::Box<dyn ::std::any::Any + ::std::marker::Send + ::std::marker::Sync>> {
                #decode_value
                ::std::option::Option::Some(::std::boxed::Box::new(value))
            }
        }
    };
    (
        quote! { .map_err(|error| error.with_typed_body(#enum_name::decode)) },
        items,
    )
}

fn emit_pagination(cx: &Cx, p: &Pagination) -> TokenStream {
    let item = type_tokens(cx, &p.item_type);
    let items = Literal::string(&p.items);
    let s = |v: &str| Literal::string(v);
    let config = match &p.style {
        PaginationStyle::Cursor {
            has_more,
            cursor_param,
            cursor_field,
        } => {
            let (h, c, f) = (s(has_more), s(cursor_param), s(cursor_field));
            quote! { ::sdkgen_runtime::Pagination::cursor(#items, #h, #c, #f) }
        }
        PaginationStyle::CursorFromBody {
            has_more,
            cursor_param,
            cursor_pointer,
        } => {
            let (h, c, ptr) = (s(has_more), s(cursor_param), s(cursor_pointer));
            quote! { ::sdkgen_runtime::Pagination::cursor_from_body(#items, #h, #c, #ptr) }
        }
        PaginationStyle::NextUrl { next } => {
            let n = s(next);
            quote! { ::sdkgen_runtime::Pagination::next_url(#items, #n) }
        }
        PaginationStyle::LinkHeader => quote! { ::sdkgen_runtime::Pagination::link_header(#items) },
        PaginationStyle::PageNumber {
            page_param,
            first_page,
            per_page_param,
        } => {
            let page = s(page_param);
            let first = Literal::u64_unsuffixed(*first_page);
            let per_page = match per_page_param {
                Some(pp) => {
                    let pp = s(pp);
                    quote! { ::std::option::Option::Some(#pp) }
                }
                None => quote! { ::std::option::Option::None },
            };
            quote! { ::sdkgen_runtime::Pagination::page_number(#items, #page, #first, #per_page) }
        }
        PaginationStyle::OffsetLimit {
            offset_param,
            limit_param,
            total,
        } => {
            let (o, l) = (s(offset_param), s(limit_param));
            let total = match total {
                Some(t) => {
                    let t = s(t);
                    quote! { ::std::option::Option::Some(#t) }
                }
                None => quote! { ::std::option::Option::None },
            };
            quote! { ::sdkgen_runtime::Pagination::offset_limit(#items, #o, #l, #total) }
        }
        PaginationStyle::Token {
            token_pointer,
            token_param,
        } => {
            let (t, tp) = (s(token_pointer), s(token_param));
            quote! { ::sdkgen_runtime::Pagination::token(#items, #t, #tp) }
        }
    };
    // `#[inline]`: the paging state machine (requests, decoding every item type, and the
    // drop code of everything an item reaches) is compiled in the crates that page, not in
    // every build of this one, which would compile it for every listing.
    quote! {
        /// Every item of every page, fetched lazily: dropping the stream stops the requests.
        #[inline]
        pub fn items(
            self,
        ) -> impl ::sdkgen_runtime::futures::Stream<Item = ::std::result::Result<#item, ::sdkgen_runtime::Error>>
               + ::std::marker::Send
               + ::std::marker::Unpin
               + 'static {
            ::std::boxed::Box::pin(::sdkgen_runtime::__private::paginate_items::<#item>(::std::clone::Clone::clone(self.client.inner()), self.request(), #config))
        }

        /// Every page, fetched lazily.
        #[inline]
        pub fn pages(
            self,
        ) -> impl ::sdkgen_runtime::futures::Stream<Item = ::std::result::Result<::sdkgen_runtime::Page<#item>, ::sdkgen_runtime::Error>>
               + ::std::marker::Send
               + ::std::marker::Unpin
               + 'static {
            ::std::boxed::Box::pin(::sdkgen_runtime::__private::paginate::<#item>(::std::clone::Clone::clone(self.client.inner()), self.request(), #config))
        }
    }
}

/// Large downloads: the body as a stream of chunks, so memory stays bounded.
fn emit_download(error_map: &TokenStream) -> TokenStream {
    quote! {
        /// Sends the request and returns the body as a stream of chunks, with the status and
        /// headers, instead of reading it into memory.
        pub async fn send_streaming(
            self,
        ) -> ::std::result::Result<::sdkgen_runtime::response::StreamingResponse, ::sdkgen_runtime::Error> {
            self.client.inner().send_streaming(self.request()).await #error_map
        }
    }
}

fn emit_event_stream(cx: &Cx, t: &TypeRef, flag: Option<&str>) -> TokenStream {
    let item = type_tokens(cx, t);
    let (docs, request) = match flag {
        Some(flag) => {
            let doc = format!(
                " Sends the request with `{flag}: true` and yields each server-sent event's data as it arrives."
            );
            let flag = Literal::string(flag);
            (
                quote! { #[doc = #doc] },
                quote! { self.request().json_flag(#flag, true) },
            )
        }
        None => (
            quote! { #[doc = " Sends the request and yields each server-sent event's data as it arrives."] },
            quote! { self.request() },
        ),
    };
    // `#[inline]`, as `items()`: compiled where the events are read.
    quote! {
        #docs
        #[inline]
        pub fn events(
            self,
        ) -> impl ::sdkgen_runtime::futures::Stream<Item = ::std::result::Result<#item, ::sdkgen_runtime::Error>>
               + ::std::marker::Send
               + ::std::marker::Unpin
               + 'static {
            ::std::boxed::Box::pin(::sdkgen_runtime::__private::stream_sse::<#item>(::std::clone::Clone::clone(self.client.inner()), #request))
        }
    }
}
