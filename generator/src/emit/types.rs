//! Named types → structs, enums and aliases.

use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::docs::{emit_doc_text, emit_docs};
use super::{Cx, Module, ident, type_tokens, value_arg};
use crate::ir::{
    Field, IntVariant, Presence, StringEnumDef, StructDef, Tagging, TypeDef, TypeKind, TypeRef,
    UnionDef, Usage,
};
use crate::naming::{self, Scope};

/// The `types` module: one child per group, all re-exported at `types::*`.
pub(super) fn emit_types_module(cx: &Cx) -> Module {
    let mut groups: BTreeMap<String, Vec<&TypeDef>> = BTreeMap::new();
    for def in cx.api.types.values() {
        groups.entry(def.module.clone()).or_default().push(def);
    }
    let mut module = Module {
        docs: "Every schema of the spec as a Rust type, grouped by the operations that use it."
            .to_owned(),
        allow_lints: true,
        ..Module::default()
    };
    let mut reexports = TokenStream::new();
    for (group, mut defs) in groups {
        defs.sort_by(|a, b| a.name.cmp(&b.name));
        let items = defs
            .iter()
            .map(|d| super::gate(emit_type(cx, d), cx.cfg_for(&d.users).as_ref()));
        let name = ident(&group);
        // Types used by one operation group live in its module, which its feature gates whole.
        let module_cfg = if group == "common" {
            // Shared types compile with any feature that uses one of them, and the module is
            // gated the same way so that its re-export is never an unused import.
            common_cfg(cx, &defs)
        } else {
            cx.cfg_for(&std::iter::once(group.clone()).collect())
        };
        let cfg_attr = module_cfg.as_ref().map(|c| quote! { #[cfg(#c)] });
        reexports.extend(quote! { #cfg_attr pub use self::#name::*; });
        module.children.insert(
            group.clone(),
            Module {
                docs: format!("Types used by the `{group}` operations."),
                items: quote! { #(#items)* },
                cfg: module_cfg,
                ..Module::default()
            },
        );
    }
    module.items = reexports;
    module
}

fn common_cfg(cx: &Cx, defs: &[&TypeDef]) -> Option<TokenStream> {
    if !cx.group_gates {
        return None;
    }
    let mut features = std::collections::BTreeSet::new();
    for def in defs {
        if def.users.is_empty() {
            features.insert("full".to_owned());
        }
        for user in &def.users {
            features.insert(super::feature_name(cx.feature_prefix.as_deref(), user));
        }
    }
    let features = features.iter();
    Some(quote! { any(#(feature = #features),*) })
}

fn emit_type(cx: &Cx, def: &TypeDef) -> TokenStream {
    let docs = emit_docs(&def.docs, None);
    let name = ident(&def.name);
    match &def.kind {
        TypeKind::Struct(s) => emit_struct(cx, &docs, &name, s, def.usage),
        TypeKind::StringEnum(e) => emit_string_enum(&docs, &name, e),
        TypeKind::IntEnum(v) => emit_int_enum(&docs, &name, v),
        TypeKind::Union(u) => emit_union(cx, &docs, &name, u, def.usage),
        TypeKind::Alias(t) => {
            let ty = type_tokens(cx, t);
            quote! { #docs pub type #name = #ty; }
        }
        TypeKind::Newtype(t) => {
            let ty = type_tokens(cx, t);
            let derives = emit_derives_with_serde(cx, def.usage);
            quote! {
                #docs
                #derives
                #[serde(transparent)]
                pub struct #name(pub #ty);
            }
        }
    }
}

/// The features that gate a type's `Serialize` and `Deserialize` impls, in that order: none
/// for the impls its usage needs, `serialize` or `deserialize` for the other one. Crates
/// without per-group features always compile both.
fn serde_features(cx: &Cx, usage: Usage) -> (Option<&'static str>, Option<&'static str>) {
    match usage {
        _ if !cx.features => (None, None),
        Usage::Both => (None, None),
        Usage::Request => (None, Some("deserialize")),
        Usage::Response => (Some("serialize"), None),
    }
}

/// The `#[cfg]` attributes for hand-written `Serialize` and `Deserialize` impls.
fn serde_gates(cx: &Cx, usage: Usage) -> (TokenStream, TokenStream) {
    let gate = |feature: Option<&str>| match feature {
        Some(feature) => quote! { #[cfg(feature = #feature)] },
        None => TokenStream::new(),
    };
    let (ser, de) = serde_features(cx, usage);
    (gate(ser), gate(de))
}

/// The derive attribute of a type that derives serde's impls: `Debug`, `Clone`, `PartialEq` and
/// the serde derives its usage needs, then a `cfg_attr` for each gated one. They all come
/// before the type's `#[serde]` attributes, which need a serde derive present.
fn emit_derives_with_serde(cx: &Cx, usage: Usage) -> TokenStream {
    let mut always = vec![quote! { Debug }, quote! { Clone }, quote! { PartialEq }];
    let mut gated = TokenStream::new();
    let (ser, de) = serde_features(cx, usage);
    for (feature, derive) in [
        (ser, quote! { ::serde::Serialize }),
        (de, quote! { ::serde::Deserialize }),
    ] {
        match feature {
            Some(feature) => {
                gated.extend(quote! { #[cfg_attr(feature = #feature, derive(#derive))] })
            }
            None => always.push(derive),
        }
    }
    quote! { #[derive(#(#always),*)] #gated }
}

/// Whether a field's Rust type has a `Default`, so the struct can derive one.
fn has_default(cx: &Cx, f: &Field) -> bool {
    if f.presence != Presence::Required {
        return true;
    }
    match &f.ty {
        TypeRef::Bool
        | TypeRef::Int(_)
        | TypeRef::Float(_)
        | TypeRef::String
        | TypeRef::Json
        | TypeRef::Array(_)
        | TypeRef::Map(_)
        | TypeRef::Nullable(_)
        | TypeRef::Base64
        | TypeRef::Unit => true,
        TypeRef::Named(id) | TypeRef::Boxed(id) => {
            cx.api.types.get(id).is_some_and(|d| match &d.kind {
                TypeKind::Struct(s) => s.fields.iter().all(|f| f.presence != Presence::Required),
                _ => false,
            })
        }
        _ => false,
    }
}

fn emit_struct(
    cx: &Cx,
    docs: &TokenStream,
    name: &proc_macro2::Ident,
    s: &StructDef,
    usage: Usage,
) -> TokenStream {
    let mut scope = Scope::new();
    for f in &s.fields {
        scope.claim(&f.rust_name);
    }
    let fields = s.fields.iter().map(|f| emit_field(cx, f));
    let extra_name = s
        .extra
        .as_ref()
        .map(|_| ident(&scope.claim("additional_properties")));
    let extra = s.extra.as_ref().zip(extra_name.as_ref()).map(|(t, field)| {
        let ty = type_tokens(cx, t);
        quote! {
            /// Properties beyond the named ones.
            pub #field: ::std::collections::BTreeMap<::std::string::String, #ty>,
        }
    });
    // A type that callers build (a request type) has `Default` only when it has no required
    // field, so that `..Default::default()` can never send an empty required value; its
    // constructor takes the required fields instead. Response types keep `Default` where
    // every field has one, a way for users' tests to start a value.
    let sent = usage != Usage::Response;
    let default =
        if s.fields.iter().all(|f| has_default(cx, f)) && !(sent && s.has_required_field()) {
            quote! { Default, }
        } else {
            TokenStream::new()
        };
    let (ser_gate, de_gate) = serde_gates(cx, usage);
    let serialize = emit_struct_serialize(&ser_gate, name, s, extra_name.as_ref());
    let deserialize = emit_struct_deserialize(cx, &de_gate, name, s, extra_name.as_ref());
    let constructor = sent.then(|| emit_constructor(cx, name, s, extra_name.as_ref()));
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #default)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #extra
        }
        #constructor
        #serialize
        #deserialize
    }
}

/// `new` with the required fields, and a setter per optional field, for the types callers
/// build. Structs are `#[non_exhaustive]`, so this is the only way to build one outside the
/// crate, and a property that upstream adds later is one more setter, not a breaking change.
/// A field where null and absent differ (`Option<Option<T>>`) gets `x(value)` to set it and
/// `clear_x()` to send null; leaving both out leaves it unchanged.
fn emit_constructor(
    cx: &Cx,
    name: &proc_macro2::Ident,
    s: &StructDef,
    extra: Option<&proc_macro2::Ident>,
) -> TokenStream {
    let mut methods = Scope::with_reserved(&["new"]);
    let mut args = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for f in &s.fields {
        let field = ident(&f.rust_name);
        let inner = type_tokens(cx, &f.ty);
        match f.presence {
            Presence::Required => match constant_value(cx, &f.ty) {
                // A field with one possible value (`role: user`) is not the caller's to choose.
                Some(value) => inits.push(quote! { #field: #value, }),
                None => {
                    let arg = value_arg(cx, &f.ty, &field);
                    let ty = &arg.ty;
                    args.push(quote! { #field: #ty });
                    inits.push(arg.init(&field));
                }
            },
            Presence::RequiredNullable => {
                args.push(
                    quote! { #field: impl ::std::convert::Into<::std::option::Option<#inner>> },
                );
                inits.push(quote! { #field: #field.into(), });
            }
            Presence::Optional | Presence::OptionalNullable => {
                inits.push(quote! { #field: ::std::option::Option::None, });
                let setter = ident(&methods.claim(&f.rust_name));
                let doc = format!(" Sets `{}`.", f.wire_name.replace('`', "'"));
                let arg = value_arg(cx, &f.ty, &ident("value"));
                let (ty, into) = (arg.ty, arg.into);
                let value = if f.presence == Presence::Optional {
                    quote! { ::std::option::Option::Some(#into) }
                } else {
                    quote! { ::std::option::Option::Some(::std::option::Option::Some(#into)) }
                };
                // A setter that is not generic is compiled only where it is called.
                let inline = (!arg.generic).then(|| quote! { #[inline] });
                setters.push(quote! {
                    #[doc = #doc]
                    #inline
                    pub fn #setter(mut self, value: #ty) -> Self {
                        self.#field = #value;
                        self
                    }
                });
                if f.presence == Presence::OptionalNullable {
                    let clear = ident(&methods.claim(&format!("clear_{}", f.rust_name)));
                    let doc = format!(
                        " Sends `{}` as null, which clears it.",
                        f.wire_name.replace('`', "'")
                    );
                    setters.push(quote! {
                        #[doc = #doc]
                        pub fn #clear(mut self) -> Self {
                            self.#field = ::std::option::Option::Some(::std::option::Option::None);
                            self
                        }
                    });
                }
            }
        }
    }
    if let Some(extra) = extra {
        inits.push(quote! { #extra: ::std::collections::BTreeMap::new(), });
    }
    let doc = if args.is_empty() {
        " A value with every optional field unset.".to_owned()
    } else {
        " A value with its required fields; the optional ones are unset.".to_owned()
    };
    // Required fields that can hold one value only (`type: server_vad`) leave nothing to
    // choose, so such a type has a `Default` after all: its `new()`.
    let default = (args.is_empty() && s.has_required_field()).then(|| {
        quote! {
            impl ::std::default::Default for #name {
                #[inline]
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    // Like the setters, a constructor that is not generic is compiled only where it is called.
    quote! {
        impl #name {
            #[doc = #doc]
            #[inline]
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits)* }
            }
            #(#setters)*
        }
        #default
    }
}

/// The type a reference names once aliases are followed, inside containers too.
fn through_aliases(cx: &Cx, t: &TypeRef) -> TypeRef {
    follow_aliases(cx, t, 0)
}

fn follow_aliases(cx: &Cx, t: &TypeRef, depth: u8) -> TypeRef {
    // Recursive aliases became newtypes in lowering; the bound guards against any that remain.
    if depth > 16 {
        return t.clone();
    }
    let next = |inner: &TypeRef| Box::new(follow_aliases(cx, inner, depth + 1));
    match t {
        TypeRef::Named(id) => match cx.api.types.get(id).map(|d| &d.kind) {
            Some(TypeKind::Alias(inner)) => follow_aliases(cx, inner, depth + 1),
            _ => t.clone(),
        },
        TypeRef::Array(inner) => TypeRef::Array(next(inner)),
        TypeRef::Map(inner) => TypeRef::Map(next(inner)),
        TypeRef::Nullable(inner) => TypeRef::Nullable(next(inner)),
        other => other.clone(),
    }
}

/// The only value of a string enum with one variant, through aliases.
fn constant_value(cx: &Cx, t: &TypeRef) -> Option<TokenStream> {
    let mut id = match t {
        TypeRef::Named(id) => *id,
        _ => return None,
    };
    for _ in 0..8 {
        let def = cx.api.types.get(&id)?;
        match &def.kind {
            TypeKind::Alias(TypeRef::Named(next)) => id = *next,
            TypeKind::StringEnum(e) => {
                let [only] = e.variants.as_slice() else {
                    return None;
                };
                let path = type_tokens(cx, t);
                let variant = ident(&only.rust_name);
                return Some(quote! { #path::#variant });
            }
            _ => return None,
        }
    }
    None
}

/// `From` each variant's payload, where no other variant carries the same type, so that a
/// request reads `messages: vec![user_message.into()]`. A string variant also takes `&str`.
fn emit_union_froms(cx: &Cx, name: &proc_macro2::Ident, u: &UnionDef) -> TokenStream {
    // Compared through aliases, since two names for one type would be two equal impls.
    let types: Vec<String> = u
        .variants
        .iter()
        .map(|v| type_tokens(cx, &through_aliases(cx, &v.ty)).to_string())
        .collect();
    let own = type_tokens(cx, &TypeRef::String).to_string();
    let mut out = TokenStream::new();
    for (v, text) in u.variants.iter().zip(&types) {
        let itself = text.ends_with(&format!(":: {name}")) || text == &name.to_string();
        // Only what a caller builds by hand: a named type or text. Arrays, maps, numbers and
        // JSON convert little, and each impl costs every build of the crate.
        let worth_it = matches!(v.ty, TypeRef::Named(_) | TypeRef::String);
        if itself || !worth_it || types.iter().filter(|t| *t == text).count() != 1 {
            continue;
        }
        let vname = ident(&v.rust_name);
        let ty = type_tokens(cx, &v.ty);
        // `#[inline]`: compiled where a caller converts, not in every build of the crate.
        out.extend(quote! {
            impl ::std::convert::From<#ty> for #name {
                #[inline]
                fn from(value: #ty) -> Self {
                    Self::#vname(value)
                }
            }
        });
        if *text == own {
            out.extend(quote! {
                impl ::std::convert::From<&str> for #name {
                    #[inline]
                    fn from(value: &str) -> Self {
                        Self::#vname(::std::string::ToString::to_string(value))
                    }
                }
            });
        }
    }
    out
}

/// Objects serialize as a map through the runtime's `ObjectWriter`, one call per property,
/// rather than through serde's derive; see `sdkgen_runtime`'s `object` module for why.
fn emit_struct_serialize(
    gate: &TokenStream,
    name: &proc_macro2::Ident,
    s: &StructDef,
    extra: Option<&proc_macro2::Ident>,
) -> TokenStream {
    let writes = s.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        let wire = Literal::string(&f.wire_name);
        match f.presence {
            Presence::Required | Presence::RequiredNullable => {
                quote! { object.field(#wire, &self.#field)?; }
            }
            Presence::Optional | Presence::OptionalNullable => {
                quote! { object.optional(#wire, &self.#field)?; }
            }
        }
    });
    // An object with nothing to write (every property read-only, say) never needs `mut`.
    let binding = if s.fields.is_empty() && extra.is_none() {
        quote! { object }
    } else {
        quote! { mut object }
    };
    let extra = extra.map(|field| quote! { object.extra(&self.#field)?; });
    quote! {
        #gate
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                let #binding = ::sdkgen_runtime::__private::ObjectWriter::start(serializer)?;
                #(#writes)*
                #extra
                object.end()
            }
        }
    }
}

/// Objects deserialize through one map loop whose arms each call a runtime helper. Every
/// declared property has a slot (`v0`, `v1`, ...: names no property can take); the struct is
/// built from the slots once the map ends.
fn emit_struct_deserialize(
    cx: &Cx,
    gate: &TokenStream,
    name: &proc_macro2::Ident,
    s: &StructDef,
    extra: Option<&proc_macro2::Ident>,
) -> TokenStream {
    // The body imports the runtime's helpers as `rt`, which no generated name can shadow: type
    // names are UpperCamelCase and the slots are `v0`, `v1`, ....
    let private = quote! { rt };
    let slot = |i: usize| quote::format_ident!("v{i}");
    let wires = s.fields.iter().map(|f| Literal::string(&f.wire_name));
    let slots = s.fields.iter().enumerate().map(|(i, f)| {
        let v = slot(i);
        let inner = type_tokens(cx, &f.ty);
        // The slot holds the field's type, or `Option` of it for a required field.
        let ty = match f.presence {
            Presence::Required | Presence::RequiredNullable | Presence::Optional => {
                quote! { #inner }
            }
            Presence::OptionalNullable => quote! { ::std::option::Option<#inner> },
        };
        quote! { let mut #v: ::std::option::Option<#ty> = ::std::option::Option::None; }
    });
    let arms = s.fields.iter().enumerate().map(|(i, f)| {
        let v = slot(i);
        let index = Literal::usize_unsuffixed(i);
        let known = if extra.is_some() {
            quote! { ::std::result::Result::Ok(#index) }
        } else {
            quote! { ::std::option::Option::Some(#index) }
        };
        // Numbers also read from strings holding them, which some providers send (Twilio's
        // prices): a response the type describes is never refused for the quotes.
        let number = matches!(f.ty, TypeRef::Int(_) | TypeRef::Float(_));
        let read = match (f.presence, number) {
            (Presence::Required, true) => quote! { read_number },
            (Presence::RequiredNullable | Presence::Optional, true) => {
                quote! { read_number_option }
            }
            (Presence::Required | Presence::OptionalNullable, _) => quote! { read },
            (Presence::RequiredNullable | Presence::Optional, false) => quote! { read_option },
        };
        quote! { #known => #private::#read(&mut map, &mut #v), }
    });
    let inits = s.fields.iter().enumerate().map(|(i, f)| {
        let v = slot(i);
        let field = ident(&f.rust_name);
        match f.presence {
            Presence::Required => {
                let wire = Literal::string(&f.wire_name);
                quote! { #field: #private::required(#v, #wire)?, }
            }
            _ => quote! { #field: #v, },
        }
    });
    let key = quote! { #private::FieldKey::new(FIELDS, &mut next) };
    let (extra_slot, seed, other_arm, extra_init) = match extra {
        Some(field) => (
            quote! { let mut extra = ::std::collections::BTreeMap::new(); },
            quote! { #private::ExtraKey(#key) },
            quote! {
                ::std::result::Result::Ok(_) => #private::skip(&mut map),
                ::std::result::Result::Err(other) => #private::read_extra(&mut map, &mut extra, other),
            },
            quote! { #field: extra, },
        ),
        None => (
            TokenStream::new(),
            key,
            quote! { _ => #private::skip(&mut map), },
            TokenStream::new(),
        ),
    };
    // A lone catch-all arm would be a `match` with a single binding, which clippy rejects, and
    // the key is then unused.
    let empty = s.fields.is_empty() && extra.is_none();
    let next_key = if empty {
        quote! { map.next_key_seed(#seed)?.is_some() }
    } else {
        quote! { let ::std::option::Option::Some(key) = map.next_key_seed(#seed)? }
    };
    let dispatch = if empty {
        quote! { #private::skip(&mut map)?; }
    } else {
        quote! {
            match key {
                #(#arms)*
                #other_arm
            }?;
        }
    };
    let name_str = Literal::string(&name.to_string());
    quote! {
        #gate
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                ::sdkgen_runtime::__private::deserialize_object(deserializer)
            }
        }
        #gate
        #[doc(hidden)]
        impl<'de> ::sdkgen_runtime::__private::ReadObject<'de> for #name {
            const NAME: &'static str = #name_str;
            fn read_object<A: ::serde::de::MapAccess<'de>>(mut map: A) -> ::std::result::Result<Self, A::Error> {
                use ::sdkgen_runtime::__private as rt;
                const FIELDS: &[&str] = &[#(#wires),*];
                let mut next = 0;
                #(#slots)*
                #extra_slot
                while #next_key {
                    #dispatch
                }
                ::std::result::Result::Ok(Self {
                    #(#inits)*
                    #extra_init
                })
            }
        }
    }
}

fn emit_field(cx: &Cx, f: &Field) -> TokenStream {
    let docs = emit_docs(&f.docs, None);
    let name = ident(&f.rust_name);
    let inner = type_tokens(cx, &f.ty);
    let ty = match f.presence {
        Presence::Required => inner,
        Presence::RequiredNullable | Presence::Optional => {
            quote! { ::std::option::Option<#inner> }
        }
        Presence::OptionalNullable => {
            quote! { ::std::option::Option<::std::option::Option<#inner>> }
        }
    };
    quote! {
        #docs
        pub #name: #ty,
    }
}

fn emit_string_enum(
    docs: &TokenStream,
    name: &proc_macro2::Ident,
    e: &StringEnumDef,
) -> TokenStream {
    let fallback = ident(&e.fallback);
    let variants = e.variants.iter().map(|v| {
        let vname = ident(&v.rust_name);
        let doc = emit_doc_text(&format!("`{}`", v.wire.replace('`', "'")));
        quote! { #doc #vname, }
    });
    let to_str = e.variants.iter().map(|v| {
        let vname = ident(&v.rust_name);
        let wire = Literal::string(&v.wire);
        quote! { Self::#vname => #wire, }
    });
    let from_str = e.variants.iter().map(|v| {
        let vname = ident(&v.rust_name);
        let wire = Literal::string(&v.wire);
        quote! { #wire => Self::#vname, }
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the spec does not list; kept so that new server values never fail a response.
            #fallback(::std::string::String),
        }
        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::#fallback(value) => value.as_str(),
                }
            }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::std::convert::From<&str> for #name {
            #[inline]
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::#fallback(::std::string::ToString::to_string(other)),
                }
            }
        }
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(Self::from(value.as_str()))
            }
        }
    }
}

fn emit_int_enum(
    docs: &TokenStream,
    name: &proc_macro2::Ident,
    values: &[IntVariant],
) -> TokenStream {
    let consts = values.iter().map(|v| {
        let cname = ident(&v.rust_name);
        let value = Literal::i64_unsuffixed(v.value);
        let doc = emit_doc_text(&format!("`{}`", v.value));
        quote! { #doc pub const #cname: Self = Self(#value); }
    });
    quote! {
        #docs
        ///
        /// An integer enum: the known values are associated constants, and any other value still parses.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(transparent)]
        pub struct #name(pub i64);
        impl #name {
            #(#consts)*
        }
    }
}

fn emit_union(
    cx: &Cx,
    docs: &TokenStream,
    name: &proc_macro2::Ident,
    u: &UnionDef,
    usage: Usage,
) -> TokenStream {
    let variants: Vec<TokenStream> = u
        .variants
        .iter()
        .map(|v| {
            let vname = ident(&v.rust_name);
            let ty = type_tokens(cx, &v.ty);
            quote! { #vname(#ty), }
        })
        .collect();
    let froms = if usage == Usage::Response {
        TokenStream::new()
    } else {
        emit_union_froms(cx, name, u)
    };
    let union = match &u.tagging {
        Tagging::Untagged => {
            let derives = emit_derives_with_serde(cx, usage);
            quote! {
            #docs
            #derives
            #[serde(untagged)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants)*
            }
            }
        }
        Tagging::Discriminator { property } => {
            emit_tagged_union(docs, name, u, &variants, property, serde_gates(cx, usage))
        }
    };
    quote! { #union #froms }
}

/// Tagged unions read the tag themselves rather than through serde's internal tagging, so that
/// the tag stays a field of each variant's struct (as the spec declares it) and an unknown tag
/// becomes the `Unknown` variant instead of an error.
fn emit_tagged_union(
    docs: &TokenStream,
    name: &proc_macro2::Ident,
    u: &UnionDef,
    variants: &[TokenStream],
    property: &str,
    (ser_gate, de_gate): (TokenStream, TokenStream),
) -> TokenStream {
    let property = Literal::string(property);
    let ser_arms = u.variants.iter().map(|v| {
        let vname = ident(&v.rust_name);
        let tag = Literal::string(v.tags.first().map_or("", String::as_str));
        quote! { Self::#vname(value) => (#tag, ::serde_json::to_value(value)), }
    });
    // Several variants may share a tag (told apart by other fields); each tag tries its
    // variants in spec order and the last one reports the error.
    let mut by_tag: Vec<(&str, Vec<&crate::ir::UnionVariant>)> = Vec::new();
    for v in &u.variants {
        for tag in &v.tags {
            match by_tag.iter_mut().find(|(t, _)| t == tag) {
                Some((_, vs)) => vs.push(v),
                None => by_tag.push((tag.as_str(), vec![v])),
            }
        }
    }
    let de_arms = by_tag.iter().map(|(tag, vs)| {
        let tag = Literal::string(tag);
        let (last, earlier) = match vs.split_last() {
            Some(split) => split,
            None => return TokenStream::new(),
        };
        let tries = earlier.iter().map(|v| {
            let vname = ident(&v.rust_name);
            quote! {
                if let ::std::result::Result::Ok(variant) = ::serde_json::from_value(::std::clone::Clone::clone(&value)) {
                    return ::std::result::Result::Ok(Self::#vname(variant));
                }
            }
        });
        let vname = ident(&last.rust_name);
        quote! {
            ::std::option::Option::Some(#tag) => {
                #(#tries)*
                ::serde_json::from_value(value)
                    .map(Self::#vname)
                    .map_err(::serde::de::Error::custom)
            }
        }
    });
    let unknown = ident(&naming::type_name("Unknown"));
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A variant this version of the spec does not know, kept whole.
            #unknown(::serde_json::Value),
        }
        #ser_gate
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                let (tag, value) = match self {
                    #(#ser_arms)*
                    Self::#unknown(value) => return ::serde::Serialize::serialize(value, serializer),
                };
                let mut value = value.map_err(::serde::ser::Error::custom)?;
                if let ::serde_json::Value::Object(map) = &mut value {
                    map.entry(#property).or_insert_with(|| ::serde_json::Value::String(::std::string::ToString::to_string(tag)));
                }
                ::serde::Serialize::serialize(&value, serializer)
            }
        }
        #de_gate
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get(#property).and_then(::serde_json::Value::as_str).map(::std::string::ToString::to_string);
                match tag.as_deref() {
                    #(#de_arms)*
                    _ => ::std::result::Result::Ok(Self::#unknown(value)),
                }
            }
        }
    }
}
