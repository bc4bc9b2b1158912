//! The contract harness program for one spec: a `main.rs` that calls every operation through
//! the generated client, with values made from the spec, and prints one JSON line per call.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::Value;

use super::values::{Fill, ValueGen};
use crate::emit::{Cx, ident, type_tokens};
use crate::ir::{
    Api, BodyKind, Operation, Param, ParamLocation, ResponseBody, SuccessResponse, TypeRef,
};
use crate::lower::deref;

/// Why an operation is not called, when it is not.
pub(crate) fn skip_reason(op: &Operation) -> Option<&'static str> {
    if matches!(
        op.responses.success,
        SuccessResponse::Single(ResponseBody::EventStream(_))
    ) {
        return Some("Prism cannot serve text/event-stream");
    }
    None
}

/// The harness's `main.rs` for `api`, whose generated crate is `crate_name`.
pub(crate) fn emit_harness(
    api: &Api,
    root: &Value,
    crate_name: &str,
    auth: TokenStream,
) -> Result<String, String> {
    let crate_ident = ident(crate_name);
    let cx = Cx {
        api,
        root: quote! { ::#crate_ident },
        features: false,
        group_gates: false,
        feature_prefix: None,
    };
    let krate_path = cx.root.clone();
    let mut fns = TokenStream::new();
    let mut skipped = TokenStream::new();
    let mut table = Vec::new();
    for (i, op) in api.operations.iter().enumerate() {
        let name = ident(&format!("op_{i}"));
        let runner = ident(&format!("run_{i}"));
        let id = Literal::string(&op.operation_id);
        let call_name = Literal::string(&call_text(op));
        if let Some(reason) = skip_reason(op) {
            let reason = Literal::string(reason);
            skipped.extend(quote! { report(#id, #call_name, "-", "skipped", #reason); });
            continue;
        }
        fns.extend(emit_op(&cx, root, op, &name));
        // Each call is boxed behind a plain function, so that `main` awaits one small future
        // at a time: awaiting every operation's future in `main` made one state machine of
        // them all, which GitHub's 1,223 operations took more memory to compile than a
        // machine has.
        fns.extend(quote! {
            fn #runner(client: &#krate_path::Client, all: bool, pages: bool) -> Run<'_> {
                ::std::boxed::Box::pin(#name(client, all, pages))
            }
        });
        let paged = op.pagination.is_some();
        table.push(quote! { (#id, #call_name, #paged, #runner as Runner) });
    }
    let runs = quote! {
        #skipped
        let table: &[(&str, &str, bool, Runner)] = &[#(#table),*];
        for (id, call_name, paged, run) in table {
            if dynamic {
                let (result, detail) = settle(run(&client, false, false).await);
                report(id, call_name, "required", result, &detail);
                if *paged {
                    let (result, detail) = settle(run(&client, false, true).await);
                    report(id, call_name, "pages", result, &detail);
                }
            } else {
                for (variant, all) in [("required", false), ("all", true)] {
                    let (result, detail) = settle(run(&client, all, false).await);
                    report(id, call_name, variant, result, &detail);
                }
            }
        }
    };
    let file = quote! {
        //! Written by `sdkgen contract`: calls every operation through the generated client.
        #![allow(unused_mut, unused_variables, deprecated, dead_code, clippy::all)]

        use ::futures::StreamExt as _;

        type Outcome = (&'static str, ::std::string::String);

        /// One operation's call, boxed.
        type Run<'a> = ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = ::std::result::Result<Outcome, ::std::string::String>> + 'a>>;

        /// The function that makes one operation's call.
        type Runner = for<'a> fn(&'a #krate_path::Client, bool, bool) -> Run<'a>;

        /// The first candidate the generated type takes: the spec's example, then a value made
        /// from the schema (Twilio's examples write booleans as "true").
        fn decode<T: ::serde::de::DeserializeOwned>(candidates: &[&str]) -> ::std::result::Result<T, ::std::string::String> {
            let mut last = ::std::string::String::new();
            for text in candidates {
                match ::serde_json::from_str(text) {
                    Ok(value) => return Ok(value),
                    Err(e) => last = format!("the value {text} does not fit the generated type: {e}"),
                }
            }
            Err(last)
        }

        /// Prism's reasons for refusing the request, from `sl-violations`.
        fn violations(headers: &::sdkgen_runtime::http::HeaderMap) -> ::std::option::Option<::std::string::String> {
            let text = headers.get("sl-violations")?.to_str().ok()?;
            let list: ::std::vec::Vec<::serde_json::Value> = ::serde_json::from_str(text).ok()?;
            let reasons: ::std::vec::Vec<::std::string::String> = list
                .iter()
                .filter(|v| v.pointer("/location/0").and_then(|l| l.as_str()) == Some("request"))
                // Prism also reports warnings, such as a deprecated parameter that was sent;
                // only errors refuse a request.
                .filter(|v| v.get("severity").and_then(|s| s.as_str()).is_none_or(|s| s.eq_ignore_ascii_case("error")))
                .map(|v| {
                    let at = v.get("location").map(|l| l.to_string()).unwrap_or_default();
                    let message = v.get("message").and_then(|m| m.as_str()).unwrap_or_default();
                    format!("{at} {message}")
                })
                .collect();
            if reasons.is_empty() { None } else { Some(reasons.join("; ")) }
        }

        fn failure(error: ::sdkgen_runtime::Error) -> Outcome {
            if let Some(api) = error.api() {
                if let Some(reasons) = violations(&api.headers) {
                    return ("rejected", reasons);
                }
                // Where the spec documents no 422, Prism puts its reasons in its own body.
                if api.status.as_u16() == 422 {
                    let body: ::serde_json::Value = ::serde_json::from_slice(&api.body).unwrap_or_default();
                    if let Some(list) = body.get("validation").and_then(|v| v.as_array()) {
                        let reasons: ::std::vec::Vec<::std::string::String> = list
                            .iter()
                            .map(|v| {
                                let at = v.get("location").map(|l| l.to_string()).unwrap_or_default();
                                let message = v.get("message").and_then(|m| m.as_str()).unwrap_or_default();
                                format!("{at} {message}")
                            })
                            .collect();
                        return ("rejected", reasons.join("; "));
                    }
                }
                let body: ::std::string::String = ::std::string::String::from_utf8_lossy(&api.body).chars().take(300).collect();
                return ("status", format!("{}: {body}", api.status));
            }
            match &error {
                // The body goes with the message, so that the report can tell a body the spec
                // does not allow (the mock's fault) from one the generated type cannot read.
                ::sdkgen_runtime::Error::Decode { body, .. } => {
                    let body: ::std::string::String = ::std::string::String::from_utf8_lossy(body).chars().take(2_000_000).collect();
                    ("undecodable", format!("{error}\u{1}{body}"))
                }
                // Kinds the report reads as the mock's doing, told by variant, not by message.
                ::sdkgen_runtime::Error::Pagination(::sdkgen_runtime::PaginationError::CrossOrigin { .. }) => {
                    ("cross-origin", error.to_string())
                }
                ::sdkgen_runtime::Error::Pagination(::sdkgen_runtime::PaginationError::Cycle { .. }) => {
                    ("cycle", error.to_string())
                }
                other => ("error", other.to_string()),
            }
        }

        fn outcome<T>(result: ::std::result::Result<::sdkgen_runtime::Response<T>, ::sdkgen_runtime::Error>) -> Outcome {
            match result {
                Ok(response) => match violations(&response.headers) {
                    Some(reasons) => ("rejected", reasons),
                    None => ("ok", ::std::string::String::new()),
                },
                Err(error) => failure(error),
            }
        }

        async fn walk<S, T>(mut pages: S) -> Outcome
        where
            S: ::futures::Stream<Item = ::std::result::Result<T, ::sdkgen_runtime::Error>> + ::std::marker::Unpin,
        {
            let mut n = 0;
            while let Some(page) = pages.next().await {
                if let Err(error) = page {
                    let (result, detail) = failure(error);
                    return (result, format!("page {}: {detail}", n + 1));
                }
                n += 1;
                if n == 3 { break; }
            }
            ("ok", format!("{n} pages"))
        }

        fn settle(result: ::std::result::Result<Outcome, ::std::string::String>) -> Outcome {
            result.unwrap_or_else(|detail| ("unbuildable", detail))
        }

        fn report(op: &str, call: &str, variant: &str, result: &str, detail: &str) {
            println!("{}", ::serde_json::json!({"op": op, "call": call, "variant": variant, "result": result, "detail": detail}));
        }

        #fns

        #[::tokio::main(flavor = "current_thread")]
        async fn main() {
            let mut args = ::std::env::args().skip(1);
            let base_url = args.next().unwrap_or_default();
            let dynamic = args.next().as_deref() == Some("dynamic");
            let client = match #crate_ident::Client::builder()
                .base_url(base_url)
                .auth(#auth)
                .retry(::sdkgen_runtime::RetryPolicy::disabled())
                .no_rate_limit()
                .build()
            {
                Ok(client) => client,
                Err(error) => {
                    eprintln!("cannot build the client: {error}");
                    ::std::process::exit(2);
                }
            };
            #runs
        }
    };
    let parsed: syn::File = syn::parse2(file).map_err(|e| format!("harness: {e}"))?;
    Ok(prettyplease::unparse(&parsed))
}

/// `customers.create`, as reports show a call.
pub(crate) fn call_text(op: &Operation) -> String {
    let mut parts = op.resource.clone();
    parts.push(op.method_name.clone());
    parts.join(".")
}

fn emit_op(cx: &Cx, root: &Value, op: &Operation, name: &proc_macro2::Ident) -> TokenStream {
    let required_gen = ValueGen::new(root, Fill::Required);
    let all_gen = ValueGen::new(root, Fill::All);
    let krate = &cx.root;
    let mut call = quote! { client };
    for r in &op.resource {
        let r = ident(r);
        call = quote! { #call.#r() };
    }
    let method = ident(&op.method_name);
    let mut args = Vec::new();
    let mut optional = TokenStream::new();
    for p in &op.params {
        let schema = param_schema(root, op, p);
        let generated = schema.map_or(Value::String("example".into()), |s| all_gen.value(s));
        let candidates: Vec<Value> = match schema.and_then(|s| text_branch(root, s)) {
            // A parameter travels as text, so a number matches both branches of GitHub's
            // `oneOf: [integer, string]` workflow id: a word matches only the string one.
            Some(word) => vec![word],
            None => param_example(root, op, p)
                .into_iter()
                .chain([generated])
                .collect(),
        };
        let value = decode_expr(cx, &p.ty, &candidates, &candidates);
        if p.required {
            args.push(value);
        } else {
            let setter = ident(&p.rust_name);
            optional.extend(quote! { call = call.#setter(#value); });
        }
    }
    if let Some(body) = &op.body {
        let value = match &body.kind {
            BodyKind::Binary => quote! { ::sdkgen_runtime::bytes::Bytes::from_static(b"hello") },
            BodyKind::Text => quote! { ::std::string::String::from("example") },
            _ => {
                let schema = body_schema(root, op, &body.content_type);
                let (required, all) = match schema {
                    Some(s) => (required_gen.value(s), all_gen.value(s)),
                    None => (serde_json::json!({}), serde_json::json!({})),
                };
                decode_expr(cx, &body.ty, &[required], &[all])
            }
        };
        if body.required {
            args.push(value);
        } else {
            optional.extend(quote! { call = call.body(#value); });
        }
    }
    let pages = op.pagination.as_ref().map(|_| {
        quote! {
            if pages {
                return Ok(walk(call.pages()).await);
            }
        }
    });
    quote! {
        async fn #name(client: &#krate::Client, all: bool, pages: bool) -> ::std::result::Result<Outcome, ::std::string::String> {
            let mut call = #call.#method(#(#args),*);
            if all {
                #optional
            }
            #pages
            Ok(outcome(call.send_with_response().await))
        }
    }
}

/// Decodes the value for the variant into the generated type, at run time, so that a value the
/// type cannot hold is reported rather than failing the harness's build.
fn decode_expr(cx: &Cx, ty: &TypeRef, required: &[Value], all: &[Value]) -> TokenStream {
    let ty = type_tokens(cx, ty);
    let literals = |values: &[Value]| -> Vec<Literal> {
        values
            .iter()
            .map(|v| Literal::string(&v.to_string()))
            .collect()
    };
    let (required, all) = (literals(required), literals(all));
    quote! { decode::<#ty>(if all { &[#(#all),*] } else { &[#(#required),*] })? }
}

/// The operation's node in the normalized document.
fn operation_node<'v>(root: &'v Value, op: &Operation) -> Option<&'v Value> {
    root.pointer(op.pointer.strip_prefix('#')?)
}

/// The operation's and its path item's parameters, references followed.
fn parameters<'v>(root: &'v Value, op: &Operation) -> Vec<&'v Value> {
    let node = operation_node(root, op);
    let item_ptr = op
        .pointer
        .strip_prefix('#')
        .and_then(|p| p.rsplit_once('/'))
        .map(|(item, _)| item);
    let item = item_ptr.and_then(|p| root.pointer(p));
    [node, item]
        .into_iter()
        .flatten()
        .filter_map(|n| n.get("parameters").and_then(Value::as_array))
        .flatten()
        .map(|p| deref(root, p))
        .collect()
}

fn location_name(location: ParamLocation) -> &'static str {
    match location {
        ParamLocation::Path => "path",
        ParamLocation::Query { .. } => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

fn param_node<'v>(root: &'v Value, op: &Operation, p: &Param) -> Option<&'v Value> {
    let location = location_name(p.location);
    parameters(root, op).into_iter().find(|n| {
        n.get("name").and_then(Value::as_str) == Some(p.wire_name.as_str())
            && n.get("in").and_then(Value::as_str) == Some(location)
    })
}

fn param_schema<'v>(root: &'v Value, op: &Operation, p: &Param) -> Option<&'v Value> {
    let node = param_node(root, op, p)?;
    node.get("schema").or_else(|| {
        node.get("content")
            .and_then(Value::as_object)
            .and_then(|c| c.values().next())
            .and_then(|m| m.get("schema"))
    })
}

/// For a parameter whose schema is a union with a string branch beside others, a word that
/// only the string branch accepts once the value is text.
fn text_branch(root: &Value, schema: &Value) -> Option<Value> {
    let schema = deref(root, schema);
    let branches = ["oneOf", "anyOf"]
        .into_iter()
        .find_map(|k| schema.get(k)?.as_array())?;
    let string = branches.iter().map(|b| deref(root, b)).find(|b| {
        b.get("type").and_then(Value::as_str) == Some("string")
            && b.get("enum").is_none()
            && b.get("format").is_none()
            && b.get("pattern").is_none()
    })?;
    (branches.len() > 1 && string.is_object()).then(|| Value::String("example-word".to_owned()))
}

/// The parameter's own example, where the spec gives one.
fn param_example(root: &Value, op: &Operation, p: &Param) -> Option<Value> {
    let node = param_node(root, op, p)?;
    node.get("example")
        .cloned()
        .or_else(|| {
            node.get("examples")
                .and_then(Value::as_object)
                .and_then(|e| e.values().next())
                .map(|e| deref(root, e))
                .and_then(|e| e.get("value"))
                .cloned()
        })
        .filter(|v| !v.is_null())
}

fn body_schema<'v>(root: &'v Value, op: &Operation, media: &str) -> Option<&'v Value> {
    let body = deref(root, operation_node(root, op)?.get("requestBody")?);
    let content = body.get("content")?;
    content
        .get(media)
        .or_else(|| content.as_object().and_then(|c| c.values().next()))?
        .get("schema")
}
