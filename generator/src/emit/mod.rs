//! Emit phase: IR → Rust source files.
//!
//! Emitting reads only the IR, never the spec, and cannot fail because of the spec. Each item
//! is a small `emit_*` function returning a `TokenStream`; modules are assembled into a tree and
//! rendered with prettyplease either as a standalone crate's `src/` or as files that a build
//! script writes to `OUT_DIR` and `include!`s.

mod client;
mod docs;
mod operations;
mod resources;
mod types;
mod webhooks;

use std::collections::BTreeMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::config::Config;
use crate::ir::{Api, FloatKind, IntKind, TypeId, TypeKind, TypeRef};
use crate::naming;

/// Lints the generated code allows, each for a reason that comes from the spec and not from us.
const ALLOWED_LINTS: &[&str] = &[
    // Upstream prose is copied as written and its markdown does not follow clippy's doc style.
    "clippy::doc_lazy_continuation",
    "clippy::doc_overindented_list_items",
    "clippy::too_long_first_doc_paragraph",
    "clippy::tabs_in_doc_comments",
    // Operations with many required parameters take them as arguments, as the spec lists them.
    "clippy::too_many_arguments",
    // Union variants mirror the spec's schemas, whose sizes and names we do not choose.
    "clippy::large_enum_variant",
    "clippy::enum_variant_names",
    // Method names come from operationIds such as `into_archive` or `add`.
    "clippy::wrong_self_convention",
    "clippy::should_implement_trait",
    // A tag called `types` yields `types::types`.
    "clippy::module_inception",
    // Nested optional collections are what the spec describes.
    "clippy::type_complexity",
    // Every call returns the runtime's one error type, which carries the whole response.
    "clippy::result_large_err",
    // Deprecated schemas are still used by other generated items; users still see the warning.
    "deprecated",
];

/// How the generated crate depends on the runtime.
#[derive(Debug, Clone)]
pub enum RuntimeDependency {
    /// A path dependency.
    Path(String),
    /// A crates.io version requirement.
    Version(String),
}

/// A rendered source tree: relative path → file contents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files {
    /// The files, sorted by path.
    pub files: BTreeMap<String, String>,
}

/// A module of generated code and its children.
#[derive(Debug, Default)]
pub(crate) struct Module {
    docs: String,
    items: TokenStream,
    children: BTreeMap<String, Module>,
    allow_lints: bool,
    /// A `cfg` predicate that gates the module, when crate features are on.
    cfg: Option<TokenStream>,
}

/// Errors that can only come from a bug in the emitter.
#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    /// The emitter produced tokens that do not parse as Rust.
    #[error("internal error: generated code for `{module}` does not parse: {message}")]
    Unparsable {
        /// The module.
        module: String,
        /// The parser's message.
        message: String,
    },
}

/// What emitting needs besides the IR.
pub(crate) struct Cx<'a> {
    pub(crate) api: &'a Api,
    /// The path of the generated crate's root module: `crate`, or a module path when the code
    /// is included inside another crate (as the test suite does with every fixture).
    pub(crate) root: TokenStream,
    /// Whether the crate has one Cargo feature per operation group (and the `serialize` and
    /// `deserialize` features).
    pub(crate) features: bool,
    /// Whether items carry their groups' `#[cfg]`s: with features on, unless the API was
    /// already cut down to the enabled features.
    pub(crate) group_gates: bool,
    /// The prefix of feature names, for crates built from several specs.
    pub(crate) feature_prefix: Option<String>,
}

impl Cx<'_> {
    /// The `cfg` predicate that compiles an item used by these operation groups, or `None`
    /// when the crate has no features.
    pub(crate) fn cfg_for(
        &self,
        users: &std::collections::BTreeSet<String>,
    ) -> Option<TokenStream> {
        if !self.group_gates {
            return None;
        }
        let features: Vec<String> = users
            .iter()
            .map(|g| feature_name(self.feature_prefix.as_deref(), g))
            .collect();
        Some(match features.as_slice() {
            [] => quote! { feature = "full" },
            [one] => quote! { feature = #one },
            many => quote! { any(#(feature = #many),*) },
        })
    }
}

/// Adds `#[cfg(predicate)]` to every item of a token stream of items.
pub(crate) fn gate(tokens: TokenStream, predicate: Option<&TokenStream>) -> TokenStream {
    let Some(predicate) = predicate else {
        return tokens;
    };
    let mut out = TokenStream::new();
    for item in split_items(tokens) {
        out.extend(quote! { #[cfg(#predicate)] #item });
    }
    out
}

/// Splits a token stream of items, as the emitter writes them, into one stream per item.
///
/// Every item the emitter writes ends at a top-level `;` (`pub type A = B;`, a tuple struct)
/// or at a top-level brace group (a struct, enum or impl body), so no parsing is needed: a
/// build script would otherwise parse every type it generates twice, once here and once to
/// format it.
fn split_items(tokens: TokenStream) -> Vec<TokenStream> {
    use proc_macro2::{Delimiter, TokenTree};
    let mut items = Vec::new();
    let mut current = TokenStream::new();
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let ends = match &token {
            TokenTree::Punct(p) => p.as_char() == ';',
            // A brace group followed by `;` (`const X: T = T { .. };`) ends at the `;`.
            TokenTree::Group(g) => {
                g.delimiter() == Delimiter::Brace
                    && !matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ';')
            }
            _ => false,
        };
        current.extend(std::iter::once(token));
        if ends {
            items.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        items.push(current);
    }
    items
}

/// Where the generated code sits in the crate that compiles it.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    /// The module path of the root, such as `crate::fixtures::enums`; empty means `crate`.
    pub root_module: String,
    /// The folder under `OUT_DIR` the files are written to; empty means `OUT_DIR` itself.
    pub out_subdir: String,
    /// For crates built from several specs: the module, which prefixes feature names.
    pub feature_prefix: Option<String>,
    /// Whether the API is already cut down to what the enabled features compile
    /// ([`crate::build::only_enabled`]), as in a build script. Items then carry no per-group
    /// `#[cfg]`: every one would hold, and in a one-feature build of a large provider they were
    /// two thirds of the generated lines.
    pub features_applied: bool,
}

/// The Cargo feature of an operation group: the group's module name, prefixed with the spec's
/// module in crates built from several specs (`messaging_v1-services`).
pub fn feature_name(prefix: Option<&str>, group: &str) -> String {
    match prefix {
        Some(p) => format!("{p}-{group}"),
        None => group.to_owned(),
    }
}

/// Builds the module tree for an API.
pub(crate) fn emit_tree(api: &Api, config: &Config, placement: &Placement) -> Module {
    let root_path = if placement.root_module.is_empty() {
        "crate"
    } else {
        placement.root_module.as_str()
    };
    let cx = Cx {
        api,
        root: root_path.parse().unwrap_or_else(|_| quote! { crate }),
        features: config.crate_.features,
        group_gates: config.crate_.features && !placement.features_applied,
        feature_prefix: placement.feature_prefix.clone(),
    };
    let mut root = Module {
        docs: String::new(),
        ..Module::default()
    };
    root.children
        .insert("types".to_owned(), types::emit_types_module(&cx));
    root.children.insert(
        "operations".to_owned(),
        operations::emit_operations_module(&cx),
    );
    root.children.insert(
        "resources".to_owned(),
        resources::emit_resources_module(&cx),
    );
    if let Some(module) = webhooks::emit_webhooks_module(&cx) {
        root.children.insert("webhooks".to_owned(), module);
    }
    root.items = client::emit_client(api, config);
    root
}

/// Renders the tree as a standalone crate's `src/` (`lib.rs`, `types/mod.rs`, …).
pub fn render_standalone(api: &Api, config: &Config) -> Result<Files, EmitError> {
    let tree = emit_tree(api, config, &Placement::default());
    let mut files = Files::default();
    let header = header_comment(api);
    let crate_doc = crate_docs(api, config);
    let lib_prefix = format!("{header}{crate_doc}#![forbid(unsafe_code)]\n\n");
    render_module(
        &tree,
        "src",
        "lib.rs",
        &lib_prefix,
        &header,
        &mut files,
        Layout::Standalone,
    )?;
    Ok(files)
}

/// Renders the tree as files for `OUT_DIR`: `sdkgen.rs` is the root, for `include!`.
pub fn render_included(
    api: &Api,
    config: &Config,
    placement: &Placement,
) -> Result<Files, EmitError> {
    let tree = emit_tree(api, config, placement);
    let mut files = Files::default();
    let header = header_comment(api);
    render_module(
        &tree,
        &placement.out_subdir,
        "sdkgen.rs",
        &header,
        &header,
        &mut files,
        Layout::Included,
    )?;
    Ok(files)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    Standalone,
    Included,
}

fn render_module(
    module: &Module,
    dir: &str,
    file_name: &str,
    prefix: &str,
    header: &str,
    files: &mut Files,
    layout: Layout,
) -> Result<(), EmitError> {
    let join = |a: &str, b: &str| {
        if a.is_empty() {
            b.to_owned()
        } else {
            format!("{a}/{b}")
        }
    };
    let mut decls = TokenStream::new();
    for (name, child) in &module.children {
        let ident = ident(name);
        let docs = docs::emit_doc_text(&child.docs);
        let allows = if child.allow_lints {
            lint_allows()
        } else {
            TokenStream::new()
        };
        let cfg_attr = child.cfg.as_ref().map(|c| quote! { #[cfg(#c)] });
        let child_dir = join(dir, name);
        let has_children = !child.children.is_empty();
        let child_file = if has_children {
            join(&child_dir, "mod.rs")
        } else {
            join(dir, &format!("{name}.rs"))
        };
        match layout {
            Layout::Standalone => decls.extend(quote! { #docs #cfg_attr #allows pub mod #ident; }),
            Layout::Included => {
                let path = format!("/{child_file}");
                decls.extend(quote! { #docs #cfg_attr #allows pub mod #ident { include!(concat!(env!("OUT_DIR"), #path)); } });
            }
        }
        let (sub_dir, sub_name) = if has_children {
            (child_dir.clone(), "mod.rs".to_owned())
        } else {
            (dir.to_owned(), format!("{name}.rs"))
        };
        render_module(child, &sub_dir, &sub_name, header, header, files, layout)?;
    }
    let items = &module.items;
    let tokens = quote! { #decls #items };
    let path = join(dir, file_name);
    let text = pretty(&tokens, &path)?;
    files.files.insert(path, format!("{prefix}{text}"));
    Ok(())
}

fn lint_allows() -> TokenStream {
    let lints = ALLOWED_LINTS.iter().map(|l| {
        let path: TokenStream = l.parse().unwrap_or_default();
        path
    });
    quote! { #[allow(#(#lints),*)] }
}

fn pretty(tokens: &TokenStream, module: &str) -> Result<String, EmitError> {
    let file = syn::parse2::<syn::File>(tokens.clone()).map_err(|e| EmitError::Unparsable {
        module: module.to_owned(),
        message: e.to_string(),
    })?;
    Ok(prettyplease::unparse(&file))
}

fn header_comment(api: &Api) -> String {
    format!(
        "// @generated by sdkgen {} from a spec with sha256 {}. Do not edit: regenerate instead.\n",
        env!("CARGO_PKG_VERSION"),
        api.spec_sha256
    )
}

fn crate_docs(api: &Api, config: &Config) -> String {
    let mut out = String::new();
    let text = format!(
        "Typed client for {} (version {}), generated by sdkgen.",
        api.title, api.version
    );
    for line in docs::clean_markdown(&text).lines() {
        out.push_str(&format!("//! {line}\n"));
    }
    // A compiled example: users read the docs before the code, and `cargo test --doc` keeps
    // it true.
    let krate = config.crate_.name.replace('-', "_");
    let first_call = api
        .operations
        .iter()
        .find(|op| !op.resource.is_empty())
        .map(|op| {
            format!(
                "client.{}().{}(..)",
                op.resource.join("()."),
                op.method_name
            )
        });
    out.push_str(&format!(
        "//!\n\
         //! [`Client::builder`] starts from the runtime's [`sdkgen_runtime::ClientBuilder`] (base\n\
         //! URL, credentials, retries, timeouts, rate limits); every call fails with the runtime's\n\
         //! one [`sdkgen_runtime::Error`]. Calls hang off resource handles{}.\n\
         //!\n\
         //! ```no_run\n\
         //! # fn main() -> Result<(), sdkgen_runtime::Error> {{\n\
         //! let client = {krate}::Client::builder()\n\
         //!     .base_url(\"http://127.0.0.1:8080\")\n\
         //!     .build()?;\n\
         //! # let _ = client;\n\
         //! # Ok(())\n\
         //! # }}\n\
         //! ```\n",
        first_call.map(|c| format!(", such as `{c}`")).unwrap_or_default()
    ));
    out.push('\n');
    out
}

/// An identifier from a name the naming module produced; keywords become raw identifiers.
pub(crate) fn ident(name: &str) -> Ident {
    let text = naming::ident_text(name);
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !s.starts_with(|c: char| c.is_ascii_digit())
    };
    match text.strip_prefix("r#") {
        Some(raw) if valid(raw) => Ident::new_raw(raw, Span::call_site()),
        None if valid(&text) => Ident::new(&text, Span::call_site()),
        // Names reach here only from the naming module, which never yields these; keep a legal fallback.
        _ => Ident::new(
            &format!("x_{}", naming::field_name(&text)),
            Span::call_site(),
        ),
    }
}

/// The Rust type for a type reference.
pub(crate) fn type_tokens(cx: &Cx, t: &TypeRef) -> TokenStream {
    match t {
        TypeRef::Bool => quote! { bool },
        TypeRef::Int(IntKind::I32) => quote! { i32 },
        TypeRef::Int(IntKind::I64) => quote! { i64 },
        TypeRef::Int(IntKind::U32) => quote! { u32 },
        TypeRef::Int(IntKind::U64) => quote! { u64 },
        TypeRef::Float(FloatKind::F32) => quote! { f32 },
        TypeRef::Float(FloatKind::F64) => quote! { f64 },
        TypeRef::String => quote! { ::std::string::String },
        TypeRef::DateTime => {
            quote! { ::sdkgen_runtime::chrono::DateTime<::sdkgen_runtime::chrono::Utc> }
        }
        TypeRef::Date => quote! { ::sdkgen_runtime::chrono::NaiveDate },
        TypeRef::Uuid => quote! { ::sdkgen_runtime::uuid::Uuid },
        TypeRef::Base64 => quote! { ::sdkgen_runtime::Base64 },
        TypeRef::Binary => quote! { ::sdkgen_runtime::FilePart },
        TypeRef::Json => quote! { ::serde_json::Value },
        TypeRef::Unit => quote! { () },
        TypeRef::Array(inner) => {
            let inner = type_tokens(cx, inner);
            quote! { ::std::vec::Vec<#inner> }
        }
        TypeRef::Map(inner) => {
            let inner = type_tokens(cx, inner);
            quote! { ::std::collections::BTreeMap<::std::string::String, #inner> }
        }
        TypeRef::Nullable(inner) => {
            let inner = type_tokens(cx, inner);
            quote! { ::std::option::Option<#inner> }
        }
        TypeRef::Expandable(inner) => {
            let inner = type_tokens(cx, &unbox(inner));
            quote! { ::sdkgen_runtime::Expandable<#inner> }
        }
        TypeRef::Named(id) => named_path(cx, *id),
        TypeRef::Boxed(id) => {
            let path = named_path(cx, *id);
            quote! { ::std::boxed::Box<#path> }
        }
    }
}

/// How a setter or constructor takes a value of `t`: `impl Into<T>` where a conversion helps
/// the caller (`&str` into a `String`, an enum or a union; an array into a `Vec`; a variant
/// into its union), else `T` itself. A generic argument costs every build of the crate a
/// type-checked generic function, used or not, and buys nothing for a number, a flag, a
/// date or a struct, which have no `From` to offer.
pub(crate) struct ValueArg {
    /// The argument's type.
    pub ty: TokenStream,
    /// The expression that turns the argument `value` into the field's type.
    pub into: TokenStream,
    /// Whether the argument is generic.
    pub generic: bool,
}

impl ValueArg {
    /// The struct field initializer `field: value.into()`, or the shorthand `field` when the
    /// argument is the field's own type and has the field's name.
    pub fn init(&self, field: &Ident) -> TokenStream {
        if self.generic {
            let into = &self.into;
            quote! { #field: #into, }
        } else {
            quote! { #field, }
        }
    }
}

pub(crate) fn value_arg(cx: &Cx, t: &TypeRef, value: &Ident) -> ValueArg {
    let inner = type_tokens(cx, t);
    if converts(cx, t, 0) {
        ValueArg {
            ty: quote! { impl ::std::convert::Into<#inner> },
            into: quote! { #value.into() },
            generic: true,
        }
    } else {
        ValueArg {
            ty: inner,
            into: quote! { #value },
            generic: false,
        }
    }
}

fn converts(cx: &Cx, t: &TypeRef, depth: u8) -> bool {
    match t {
        TypeRef::String
        | TypeRef::Json
        | TypeRef::Array(_)
        | TypeRef::Map(_)
        | TypeRef::Binary
        | TypeRef::Base64
        | TypeRef::Expandable(_) => true,
        TypeRef::Bool
        | TypeRef::Int(_)
        | TypeRef::Float(_)
        | TypeRef::DateTime
        | TypeRef::Date
        | TypeRef::Uuid
        | TypeRef::Unit
        | TypeRef::Nullable(_) => false,
        // `Box<T>` is `From<T>`.
        TypeRef::Boxed(_) => true,
        // String enums take `&str`, unions their variants; structs and integer enums have
        // no `From`.
        TypeRef::Named(id) => match cx.api.types.get(id).map(|d| &d.kind) {
            Some(TypeKind::StringEnum(_) | TypeKind::Union(_)) => true,
            Some(TypeKind::Alias(inner)) if depth < 16 => converts(cx, inner, depth + 1),
            _ => false,
        },
    }
}

fn unbox(t: &TypeRef) -> TypeRef {
    match t {
        TypeRef::Boxed(id) => TypeRef::Named(*id),
        other => other.clone(),
    }
}

fn named_path(cx: &Cx, id: TypeId) -> TokenStream {
    match cx.api.types.get(&id) {
        Some(def) => {
            let name = ident(&def.name);
            let root = &cx.root;
            quote! { #root::types::#name }
        }
        None => quote! { ::serde_json::Value },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gating_puts_the_cfg_on_every_item() {
        let items = quote! {
            /// Docs.
            #[derive(Debug)]
            pub struct A { pub x: i64 }
            impl A { fn f(&self) -> i64 { self.x } }
            pub struct B(pub i64);
            pub type C = ::std::vec::Vec<A>;
            const D: A = A { x: 1 };
            pub enum E { One, Two }
        };
        let split: Vec<String> = split_items(items.clone())
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(split.len(), 6, "{split:#?}");
        assert!(split[0].starts_with("# [doc") && split[0].ends_with("pub x : i64 }"));
        assert_eq!(split[4], "const D : A = A { x : 1 } ;");
        let gated = gate(items, Some(&quote! { feature = "a" })).to_string();
        assert_eq!(
            gated.matches("# [cfg (feature = \"a\")]").count(),
            6,
            "{gated}"
        );
        // The result is still valid Rust with the same items.
        let file = syn::parse2::<syn::File>(gate(
            quote! { pub struct A; impl A {} },
            Some(&quote! { test }),
        ));
        assert_eq!(file.map(|f| f.items.len()).ok(), Some(2));
    }
}
