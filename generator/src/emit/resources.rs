//! Resource handles: `client.chat().completions()` borrows the client and carries the calls of
//! one resource, so that rustdoc shows a page per resource rather than every method on `Client`.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use super::{Cx, Module, gate, ident};

/// One resource of the tree: the groups (features) of the calls at or below it, and its
/// children by accessor name.
#[derive(Default)]
struct Node {
    groups: BTreeSet<String>,
    children: BTreeSet<String>,
}

/// The `resources` module: one handle type per resource, and the accessors that reach them.
pub(super) fn emit_resources_module(cx: &Cx) -> Module {
    let mut nodes: BTreeMap<Vec<String>, Node> = BTreeMap::new();
    for op in &cx.api.operations {
        for n in 0..=op.resource.len() {
            let node = nodes.entry(op.resource[..n].to_vec()).or_default();
            node.groups.insert(op.module.clone());
            if let Some(child) = op.resource.get(n) {
                node.children.insert(child.clone());
            }
        }
    }
    let mut items = TokenStream::new();
    for (path, node) in &nodes {
        items.extend(emit_handle(cx, path, node, &nodes));
    }
    Module {
        docs: "Resource handles, reached from the crate's `Client` (`client.customers()`), each \
               with the calls of one resource."
            .to_owned(),
        items,
        ..Module::default()
    }
}

/// The handle type of `path` and the accessors of its children; for the empty path (the client
/// itself), only the accessors.
fn emit_handle(
    cx: &Cx,
    path: &[String],
    node: &Node,
    nodes: &BTreeMap<Vec<String>, Node>,
) -> TokenStream {
    let root = &cx.root;
    let accessors = node.children.iter().filter_map(|child| {
        let mut child_path = path.to_vec();
        child_path.push(child.clone());
        let child_ty = ident(cx.api.resources.get(&child_path)?);
        let child_node = nodes.get(&child_path)?;
        let name = ident(child);
        let doc = format!(" The `{}` calls.", child_path.join("."));
        let (from, lifetime) = if path.is_empty() {
            (quote! { self }, quote! { '_ })
        } else {
            (quote! { self.client }, quote! { 'a })
        };
        let accessor = quote! {
            #[doc = #doc]
            pub fn #name(&self) -> #root::resources::#child_ty<#lifetime> {
                #root::resources::#child_ty { client: #from }
            }
        };
        Some(gate(accessor, cx.cfg_for(&child_node.groups).as_ref()))
    });
    let accessors: Vec<TokenStream> = accessors.collect();
    if path.is_empty() {
        if accessors.is_empty() {
            return TokenStream::new();
        }
        return quote! { impl #root::Client { #(#accessors)* } };
    }
    let Some(ty_name) = cx.api.resources.get(path) else {
        return TokenStream::new();
    };
    let ty = ident(ty_name);
    let doc = format!(
        " The `{}` calls, reached with `client.{}()`.",
        path.join("."),
        path.join("().")
    );
    let impl_block =
        (!accessors.is_empty()).then(|| quote! { impl<'a> #ty<'a> { #(#accessors)* } });
    let tokens = quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy)]
        pub struct #ty<'a> {
            pub(crate) client: &'a #root::Client,
        }
        #impl_block
    };
    gate(tokens, cx.cfg_for(&node.groups).as_ref())
}
