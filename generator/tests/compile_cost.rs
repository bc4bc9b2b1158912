//! What keeps a generated crate's own build small: a method that is not generic is compiled
//! in every build of the crate, used or not, unless it is `#[inline]`. Those that would pull
//! in much more than themselves are checked here on the generated code, parsed with syn:
//!
//! - `items()`, `pages()` and `events()`, which start a paging or event state machine that
//!   decodes every item type and drops everything an item reaches (Stripe's
//!   `payment_intents` compiled the drop code of 700 more types before they were `#[inline]`);
//! - the constructors and setters of request types, and the `From` impls of request unions,
//!   which are many (OpenAI has over a thousand constructors) and each small;
//! - the typed webhook events' `Event::parse` and `construct_event`, which read every
//!   payload type.
//!
//! BENCHMARKS.md has the measurements.

// The crate denies these for generator code; a test fails by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

mod common;

use common::fixture_specs_and_demo;

fn is_inline(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("inline"))
}

/// Whether a function takes an `impl Trait` argument or has generic parameters: it is then
/// compiled only where it is instantiated, `#[inline]` or not.
fn is_generic(sig: &syn::Signature) -> bool {
    !sig.generics.params.is_empty()
        || sig.inputs.iter().any(
            |arg| matches!(arg, syn::FnArg::Typed(t) if matches!(*t.ty, syn::Type::ImplTrait(_))),
        )
}

/// Every method of an inherent impl and every `From::from`, as `Type::method`, that is
/// neither generic nor `#[inline]`, among those that must not be compiled unused.
fn eager(files: &BTreeMap<String, String>) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut out = Vec::new();
    for (path, text) in files {
        if !path.ends_with(".rs") {
            continue;
        }
        let file = syn::parse_file(text).unwrap_or_else(|e| panic!("{path}: {e}"));
        for item in &file.items {
            // The typed webhook events' `construct_event`, which parses every payload type.
            if let syn::Item::Fn(f) = item {
                if f.sig.ident == "construct_event" && !is_generic(&f.sig) {
                    checked += 1;
                    if !is_inline(&f.attrs) {
                        out.push(format!("{path}: construct_event is compiled unused"));
                    }
                }
                continue;
            }
            let syn::Item::Impl(i) = item else { continue };
            let self_ty = quote_type(&i.self_ty);
            let is_from = i
                .trait_
                .as_ref()
                .and_then(|t| t.0.segments.last())
                .is_some_and(|s| s.ident == "From");
            for f in &i.items {
                let syn::ImplItem::Fn(f) = f else { continue };
                let name = f.sig.ident.to_string();
                let watched = if is_from {
                    true
                } else if i.trait_.is_none() {
                    // A builder's streams take it by value; a resource handle named
                    // `items` (`client.items()`) borrows the client and costs nothing.
                    let by_value = f.sig.receiver().is_some_and(|r| {
                        !quote::ToTokens::to_token_stream(r)
                            .to_string()
                            .starts_with('&')
                    });
                    (by_value && matches!(name.as_str(), "items" | "pages" | "events"))
                        || name == "new"
                        || name == "parse"
                        || f.sig.receiver().is_some_and(|_| {
                            // A setter: `fn x(mut self, value: T) -> Self`.
                            f.sig.inputs.len() == 2
                                && matches!(&f.sig.output, syn::ReturnType::Type(_, t) if quote_type(t) == "Self")
                        })
                } else {
                    false
                };
                if !watched || is_generic(&f.sig) {
                    continue;
                }
                checked += 1;
                if !is_inline(&f.attrs) {
                    out.push(format!("{path}: {self_ty}::{name} is compiled unused"));
                }
            }
        }
    }
    (checked, out)
}

fn quote_type(t: &syn::Type) -> String {
    match t {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

#[test]
fn nothing_that_pulls_in_more_is_compiled_unused_in_the_demo_and_the_fixtures() {
    let specs = fixture_specs_and_demo();
    let mut checked = 0;
    let mut all = Vec::new();
    for spec in &specs {
        let Ok(generated) = sdkgen::analyze(spec, None) else {
            continue;
        };
        let files = sdkgen::emit::render_standalone(&generated.api, &generated.config).unwrap();
        let (n, problems) = eager(&files.files);
        checked += n;
        all.extend(problems);
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
    // The demo alone has listings, an event stream, request unions and setters.
    assert!(checked > 50, "only {checked} methods were checked");
}
