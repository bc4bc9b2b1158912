//! Each type is marked with the way it crosses the wire, and a crate with per-group features
//! compiles the serde impl its usage does not need only under the `serialize` or `deserialize`
//! feature, which `full` includes. A build script, which has already cut the API to the enabled
//! features, writes no per-group `cfg`s.

// The crate denies these for generator code; a test fails by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use sdkgen::ir::{Api, Usage};
use sdkgen::standalone::render_crate;

const SPEC: &str = r#"
openapi: 3.0.3
info: { title: Widgets, version: "1" }
paths:
  /widgets:
    post:
      operationId: createWidget
      tags: [widgets]
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/NewWidget' }
      responses:
        "200":
          description: created
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Widget' }
    get:
      operationId: listWidgets
      tags: [widgets]
      parameters:
        - name: filter
          in: query
          schema: { $ref: '#/components/schemas/Filter' }
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: array
                items: { $ref: '#/components/schemas/Widget' }
components:
  schemas:
    NewWidget:
      type: object
      required: [name]
      properties:
        name: { type: string }
        part: { $ref: '#/components/schemas/Part' }
    Filter:
      type: object
      properties:
        color: { type: string }
    Widget:
      type: object
      required: [id]
      properties:
        id: { type: string }
        part: { $ref: '#/components/schemas/Part' }
        size: { $ref: '#/components/schemas/Size' }
    Part:
      type: object
      properties:
        serial: { type: string }
    Size:
      oneOf:
        - type: string
        - type: integer
    Hook:
      type: object
      properties:
        event: { type: string }
"#;

const CONFIG: &str = r#"
[crate]
name = "widgets"
features = true
"#;

fn generate(dir: &Path) -> sdkgen::Generated {
    std::fs::write(dir.join("openapi.yaml"), SPEC).unwrap();
    std::fs::write(dir.join("sdkgen.toml"), CONFIG).unwrap();
    let generated = sdkgen::analyze(&dir.join("openapi.yaml"), Some(&dir.join("sdkgen.toml")))
        .unwrap_or_else(|d| panic!("{d:?}"));
    assert!(!generated.diagnostics.has_errors());
    generated
}

fn usage(api: &Api, name: &str) -> Usage {
    api.types
        .values()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no type {name}"))
        .usage
}

/// A scratch folder under the target directory, emptied first.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn types_are_marked_by_the_way_they_cross_the_wire() {
    let dir = scratch("serde_usage_marks");
    let api = generate(&dir).api;
    assert_eq!(usage(&api, "NewWidget"), Usage::Request);
    assert_eq!(
        usage(&api, "Filter"),
        Usage::Request,
        "query parameters are requests"
    );
    assert_eq!(usage(&api, "Widget"), Usage::Response);
    assert_eq!(
        usage(&api, "Size"),
        Usage::Response,
        "through a response field"
    );
    assert_eq!(
        usage(&api, "Part"),
        Usage::Both,
        "named by a request and a response"
    );
    // A schema no operation names (a webhook payload, say) keeps both impls.
    assert_eq!(usage(&api, "Hook"), Usage::Both);
}

/// The text of the item that starts at `needle`, with the attributes just above it.
fn item_with_attrs<'a>(source: &'a str, needle: &str) -> &'a str {
    let at = source
        .find(needle)
        .unwrap_or_else(|| panic!("no `{needle}` in:\n{source}"));
    let before = &source[..at];
    // Attributes sit on the lines directly above the item.
    let mut start = at;
    for line in before.lines().rev() {
        if line.trim_start().starts_with("#[") || line.trim_start().starts_with(')') {
            start -= line.len() + 1;
        } else {
            break;
        }
    }
    &source[start..at + needle.len()]
}

#[test]
fn the_impl_a_type_does_not_need_is_behind_a_feature() {
    let dir = scratch("serde_usage_emit");
    let generated = generate(&dir);
    let files = render_crate(
        &generated,
        &sdkgen::emit::RuntimeDependency::Version("0".into()),
    )
    .expect("renders");
    let types: String = files
        .files
        .iter()
        .filter(|(path, _)| path.starts_with("src/types/"))
        .map(|(_, text)| text.as_str())
        .collect();

    let gated_ser = "#[cfg(feature = \"serialize\")]";
    let gated_de = "#[cfg(feature = \"deserialize\")]";
    // A response type always deserializes, and serializes only under `serialize`.
    assert!(item_with_attrs(&types, "impl ::serde::Serialize for Widget").contains(gated_ser));
    assert!(
        !item_with_attrs(&types, "impl<'de> ::serde::Deserialize<'de> for Widget")
            .contains(gated_de)
    );
    // A request type always serializes, and deserializes only under `deserialize`, both
    // through its `Deserialize` impl and the object reader behind it.
    assert!(!item_with_attrs(&types, "impl ::serde::Serialize for NewWidget").contains(gated_ser));
    assert!(
        item_with_attrs(&types, "impl<'de> ::serde::Deserialize<'de> for NewWidget")
            .contains(gated_de)
    );
    assert!(
        item_with_attrs(
            &types,
            "impl<'de> ::sdkgen_runtime::__private::ReadObject<'de> for NewWidget"
        )
        .contains(gated_de)
    );
    // A type used both ways has neither gate.
    let part_ser = item_with_attrs(&types, "impl ::serde::Serialize for Part");
    let part_de = item_with_attrs(&types, "impl<'de> ::serde::Deserialize<'de> for Part");
    assert!(!part_ser.contains(gated_ser) && !part_de.contains(gated_de));
    // Derived impls are gated with `cfg_attr`, after the derives the type always has.
    let size = item_with_attrs(&types, "pub enum Size");
    assert!(
        size.contains("#[derive(Debug, Clone, PartialEq, ::serde::Deserialize)]"),
        "{size}"
    );
    assert!(
        size.contains("#[cfg_attr(feature = \"serialize\", derive(::serde::Serialize))]"),
        "{size}"
    );

    // The crate declares both features, and `full` turns them on.
    let manifest = &files.files["Cargo.toml"];
    assert!(manifest.contains("\nserialize = []\n"), "{manifest}");
    assert!(manifest.contains("\ndeserialize = []\n"), "{manifest}");
    assert!(manifest.contains("\nwidgets = []\n"), "{manifest}");
    let full = manifest
        .lines()
        .find(|l| l.starts_with("full = "))
        .expect("a full feature");
    for feature in ["serialize", "deserialize", "widgets"] {
        assert!(full.contains(&format!("\"{feature}\"")), "{full}");
    }
}

#[test]
fn a_group_cannot_take_the_name_of_a_crate_wide_feature() {
    for reserved in sdkgen::naming::RESERVED_FEATURES {
        assert_ne!(sdkgen::naming::module_name(reserved), *reserved);
    }
    assert_eq!(sdkgen::naming::module_name("Serialize"), "serialize_");
}

#[test]
fn a_build_script_writes_no_group_cfgs_but_keeps_the_serde_ones() {
    let dir = scratch("serde_usage_build");
    let generated = generate(&dir);
    let render = |features_applied| {
        let placement = sdkgen::emit::Placement {
            features_applied,
            ..Default::default()
        };
        let files = sdkgen::emit::render_included(&generated.api, &generated.config, &placement)
            .expect("renders");
        files.files.values().cloned().collect::<String>()
    };
    // Written once by `sdkgen generate`, items carry their group's feature.
    let standalone = render(false);
    assert!(standalone.contains("feature = \"widgets\""), "{standalone}");
    // A build script has already cut the API to the enabled features, so every group `cfg`
    // would hold and none is written; the serde gates stay.
    let built = render(true);
    assert!(!built.contains("feature = \"widgets\""), "{built}");
    assert!(built.contains("#[cfg(feature = \"serialize\")]"), "{built}");
    assert!(
        built.contains("#[cfg(feature = \"deserialize\")]"),
        "{built}"
    );
}
