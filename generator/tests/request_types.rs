//! Request types cannot be built without their required fields: no `Default` where a field is
//! required, a `new` that takes the required fields, and `#[non_exhaustive]` so that a struct
//! literal (with `..Default::default()`) is not a way around it. Checked on the generated code
//! itself, parsed with syn, for every feature fixture, the demo API and Stripe (whose form
//! bodies are the largest set of request types we have).

// The crate denies these for generator code; a test fails by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use sdkgen::ir::{Api, TypeKind, Usage};

mod common;

use common::{fixture_specs_and_demo, root};

/// The structs that callers build (used in requests) and that hold a required field.
fn sent_with_required(api: &Api) -> BTreeMap<String, bool> {
    api.types
        .values()
        .filter_map(|d| match &d.kind {
            TypeKind::Struct(s) => Some((
                d.name.clone(),
                d.usage != Usage::Response && s.has_required_field(),
            )),
            _ => None,
        })
        .collect()
}

fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("derive")
            && a.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|paths| paths.iter().any(|p| p.is_ident(name)))
    })
}

/// Every struct of the generated files, with whether it derives `Default`, whether it is
/// `#[non_exhaustive]`, and the argument count of its inherent `new`.
#[derive(Default, Debug)]
struct Seen {
    default: bool,
    non_exhaustive: bool,
    new_args: Option<usize>,
}

fn scan(files: &BTreeMap<String, String>) -> BTreeMap<String, Seen> {
    let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
    for (path, text) in files {
        if !path.ends_with(".rs") {
            continue;
        }
        let file = syn::parse_file(text).unwrap_or_else(|e| panic!("{path}: {e}"));
        for item in &file.items {
            match item {
                syn::Item::Struct(s) => {
                    let entry = seen.entry(s.ident.to_string()).or_default();
                    entry.default = derives(&s.attrs, "Default");
                    entry.non_exhaustive =
                        s.attrs.iter().any(|a| a.path().is_ident("non_exhaustive"));
                }
                syn::Item::Impl(i) if i.trait_.is_none() => {
                    let syn::Type::Path(ty) = &*i.self_ty else {
                        continue;
                    };
                    let Some(name) = ty.path.segments.last().map(|s| s.ident.to_string()) else {
                        continue;
                    };
                    for f in &i.items {
                        if let syn::ImplItem::Fn(f) = f {
                            if f.sig.ident == "new" {
                                seen.entry(name.clone()).or_default().new_args =
                                    Some(f.sig.inputs.len());
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    seen
}

/// The problems of one generated crate: a request type with a required field that derives
/// `Default`, has no `new`, or can be built with a struct literal.
fn problems(label: &str, api: &Api, files: &BTreeMap<String, String>) -> (usize, Vec<String>) {
    let expected = sent_with_required(api);
    let seen = scan(files);
    let mut checked = 0;
    let mut out = Vec::new();
    for (name, required) in &expected {
        let Some(s) = seen.get(name) else { continue };
        let sent = api
            .types
            .values()
            .any(|d| &d.name == name && d.usage != Usage::Response);
        if !s.non_exhaustive {
            out.push(format!("{label}: {name} is not #[non_exhaustive]"));
        }
        if !sent {
            continue;
        }
        checked += 1;
        if *required && s.default {
            out.push(format!(
                "{label}: {name} has a required field and derives Default"
            ));
        }
        if s.new_args.is_none() {
            out.push(format!(
                "{label}: {name} is built by callers but has no new()"
            ));
        }
    }
    (checked, out)
}

#[test]
fn no_request_type_with_a_required_field_has_default() {
    let specs = fixture_specs_and_demo();
    let mut checked = 0;
    let mut all = Vec::new();
    for spec in &specs {
        let Ok(generated) = sdkgen::analyze(spec, None) else {
            continue;
        };
        let files = sdkgen::emit::render_standalone(&generated.api, &generated.config).unwrap();
        let (n, problems) = problems(&spec.display().to_string(), &generated.api, &files.files);
        checked += n;
        all.extend(problems);
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
    assert!(checked > 20, "only {checked} request types were checked");
}

/// Stripe: 468 operations whose request bodies hold hundreds of types with required fields.
/// Needs the spec mirror (`../shared/specs`) or a vendored spec, as the provider crates do.
#[test]
fn no_stripe_request_type_with_a_required_field_has_default() {
    let provider = match sdkgen::build::load_provider(&root().join("specs/stripe")) {
        Ok(p) => p,
        Err(diags) => panic!(
            "Stripe's spec is needed (keep ../shared/specs beside the checkout): {}",
            diags
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    };
    let mut checked = 0;
    for part in &provider.parts {
        let api = &part.generated.api;
        let files = sdkgen::emit::render_standalone(api, &part.generated.config).unwrap();
        let (n, problems) = problems("stripe", api, &files.files);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        checked += n;
    }
    assert!(
        checked > 300,
        "only {checked} Stripe request types were checked"
    );
}
