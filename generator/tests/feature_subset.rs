//! A build script generates only what the enabled features compile (`build::only_enabled`):
//! the demo provider, cut down to one operation group, keeps that group's operations and
//! every type they reach, and nothing else.

// The crate denies these for generator code; a test fails by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;

use sdkgen::build::{load_provider, only_enabled};
use sdkgen::ir::{Api, TypeId, TypeKind, TypeRef};

fn demo() -> Api {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/demo");
    let provider = load_provider(&dir).expect("the demo provider loads");
    provider
        .parts
        .into_iter()
        .next()
        .expect("the demo has one spec")
        .generated
        .api
}

fn refs(t: &TypeRef, out: &mut BTreeSet<TypeId>) {
    match t {
        TypeRef::Named(id) | TypeRef::Boxed(id) => {
            out.insert(*id);
        }
        TypeRef::Nullable(inner)
        | TypeRef::Array(inner)
        | TypeRef::Map(inner)
        | TypeRef::Expandable(inner) => refs(inner, out),
        _ => {}
    }
}

fn refs_of_kind(kind: &TypeKind) -> BTreeSet<TypeId> {
    let mut out = BTreeSet::new();
    match kind {
        TypeKind::Struct(s) => {
            s.fields.iter().for_each(|f| refs(&f.ty, &mut out));
            if let Some(e) = &s.extra {
                refs(e, &mut out);
            }
        }
        TypeKind::Union(u) => u.variants.iter().for_each(|v| refs(&v.ty, &mut out)),
        TypeKind::Alias(t) | TypeKind::Newtype(t) => refs(t, &mut out),
        TypeKind::StringEnum(_) | TypeKind::IntEnum(_) => {}
    }
    out
}

#[test]
fn one_group_keeps_its_operations_and_the_types_they_reach() {
    let api = demo();
    let groups: BTreeSet<&str> = api.operations.iter().map(|o| o.module.as_str()).collect();
    assert!(groups.len() > 2, "the demo has several groups: {groups:?}");

    let subset = only_enabled(&api, None, &|feature| feature == "vessels");
    assert!(!subset.operations.is_empty());
    assert!(subset.operations.iter().all(|o| o.module == "vessels"));
    assert_eq!(
        subset.operations.len(),
        api.operations
            .iter()
            .filter(|o| o.module == "vessels")
            .count()
    );
    // Every kept type is used by the group, and everything a kept type names is kept too,
    // so the cut-down crate refers to nothing that is missing.
    for def in subset.types.values() {
        assert!(
            def.users.contains("vessels"),
            "{} is not a vessels type",
            def.name
        );
        for id in refs_of_kind(&def.kind) {
            assert!(
                subset.types.contains_key(&id),
                "{} names a type that was left out",
                def.name
            );
        }
    }
    // Types only other groups use are left out.
    assert!(subset.types.len() < api.types.len());
    assert!(
        api.types
            .values()
            .any(|d| !d.users.contains("vessels") && !d.users.is_empty())
    );
}

#[test]
fn full_keeps_everything_and_no_feature_keeps_nothing() {
    let api = demo();
    let full = only_enabled(&api, None, &|feature| feature == "full");
    assert_eq!(full.operations.len(), api.operations.len());
    assert_eq!(full.types.len(), api.types.len());

    let none = only_enabled(&api, None, &|_| false);
    assert!(none.operations.is_empty());
    assert!(none.types.is_empty());
}

#[test]
fn feature_names_carry_the_module_prefix_of_multi_spec_crates() {
    let api = demo();
    let prefixed = only_enabled(&api, Some("shipping"), &|feature| {
        feature == "shipping-ports"
    });
    assert!(!prefixed.operations.is_empty());
    assert!(prefixed.operations.iter().all(|o| o.module == "ports"));
    let unprefixed = only_enabled(&api, Some("shipping"), &|feature| feature == "ports");
    assert!(unprefixed.operations.is_empty());
}
