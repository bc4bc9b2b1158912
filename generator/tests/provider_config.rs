//! `sdkgen.toml` settings that change what is read or written: spec patches, credentials from
//! the environment, provider headers and named servers.

// The crate denies these for generator code; a test fails by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use sdkgen::diagnostics::{DiagnosticKind, Severity};
use sdkgen::emit::RuntimeDependency;
use sdkgen::ir::{TypeKind, TypeRef};

const SPEC: &str = r##"{
  "openapi": "3.0.3",
  "info": { "title": "Shop", "version": "1" },
  "servers": [{ "url": "https://api.shop.test" }],
  "paths": {
    "/orders": {
      "get": {
        "operationId": "list_orders",
        "parameters": [
          { "name": "api_token", "in": "query", "required": true, "schema": { "type": "string" } },
          { "name": "status", "in": "query", "schema": { "type": "string" } },
          { "$ref": "#/components/parameters/SessionToken" }
        ],
        "responses": { "200": { "description": "ok", "content": { "application/json": {
          "schema": { "$ref": "#/components/schemas/Order" } } } } }
      }
    }
  },
  "components": {
  "parameters": {
    "SessionToken": { "name": "session_token", "in": "header", "schema": { "type": "string" } }
  },
  "schemas": {
    "Order": { "type": "object", "properties": { "total": { "type": "string" } } }
  } }
}"##;

/// Writes the spec and a config into a fresh folder and returns the spec's path.
fn provider(name: &str, config: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("provider-config-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("openapi.json"), SPEC).unwrap();
    std::fs::write(dir.join("sdkgen.toml"), config).unwrap();
    dir.join("openapi.json")
}

fn analyze(
    name: &str,
    config: &str,
) -> Result<sdkgen::Generated, sdkgen::diagnostics::Diagnostics> {
    let spec = provider(name, config);
    sdkgen::analyze(&spec, Some(&spec.with_file_name("sdkgen.toml")))
}

/// The rendered crate's Rust files, concatenated.
fn render(generated: &sdkgen::Generated) -> String {
    let files = sdkgen::standalone::render_crate(
        generated,
        &RuntimeDependency::Path("../runtime".to_owned()),
    )
    .unwrap();
    let mut all = String::new();
    for (path, text) in &files.files {
        if path.ends_with(".rs") {
            syn::parse_file(text).unwrap_or_else(|e| panic!("{path} does not parse: {e}"));
            all.push_str(text);
        }
    }
    all
}

/// The type of `Order.total` after lowering.
fn total_type(generated: &sdkgen::Generated) -> TypeRef {
    let api = &generated.api;
    let order = api.types.values().find(|t| t.name == "Order").unwrap();
    let TypeKind::Struct(s) = &order.kind else {
        panic!("Order is not a struct: {:?}", order.kind);
    };
    s.fields
        .iter()
        .find(|f| f.wire_name == "total")
        .unwrap()
        .ty
        .clone()
}

#[test]
fn a_patch_fixes_the_spec_before_it_is_read() {
    let generated = analyze(
        "applies",
        r#"
[[patches]]
why = "totals are integers in cents, not strings"
ops = [
  { op = "test", path = "/components/schemas/Order/properties/total/type", value = "string" },
  { op = "replace", path = "/components/schemas/Order/properties/total", value = { type = "integer", format = "int64" } },
]
"#,
    )
    .unwrap();
    let ty = total_type(&generated);
    assert!(
        format!("{ty:?}").contains("I64"),
        "the patched field must be an i64: {ty:?}"
    );
}

#[test]
fn a_patch_that_no_longer_applies_is_a_located_error() {
    let diags = analyze(
        "stale",
        r#"
[[patches]]
why = "totals were strings"
ops = [
  { op = "test", path = "/components/schemas/Order/properties/total/type", value = "number" },
  { op = "replace", path = "/components/schemas/Order/properties/total/type", value = "integer" },
]
"#,
    )
    .unwrap_err();
    let err = diags
        .iter()
        .find(|d| d.severity == Severity::Error)
        .unwrap();
    assert_eq!(err.kind, DiagnosticKind::Config);
    assert_eq!(
        err.pointer,
        "#/components/schemas/Order/properties/total/type"
    );
    assert!(err.message.contains("totals were strings"), "{err}");
    assert!(err.hint.contains("sdkgen.toml"), "{err}");
}

#[test]
fn a_patch_needs_a_reason_and_a_known_file() {
    let diags = analyze(
        "unreasoned",
        r#"
[[patches]]
why = " "
file = "other.json"
ops = [{ op = "remove", path = "/servers" }]
"#,
    )
    .unwrap_err();
    let messages: Vec<String> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message.clone())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("no reason")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("other.json")),
        "{messages:?}"
    );
}

#[test]
fn credentials_headers_and_servers_become_client_api() {
    let generated = analyze(
        "client",
        r#"
[auth]
scheme = "basic"
user_env = "SHOP_ACCOUNT"
password_env = "SHOP_SECRET"

[[headers]]
method = "tenant"
name = "X-Tenant"
env = "SHOP_TENANT"
doc = "The tenant the call acts for."

[servers]
eu = "https://eu.api.shop.test/"
"#,
    )
    .unwrap();
    let code = render(&generated);
    for expected in [
        "pub fn from_env()",
        "pub fn builder_from_env()",
        "required_env(\"SHOP_ACCOUNT\")",
        "required_env(\"SHOP_SECRET\")",
        "optional_env(\"SHOP_TENANT\")",
        "pub trait ClientBuilderExt",
        "fn tenant(self, value: impl ::std::convert::AsRef<str>) -> Self",
        "self.header(\"X-Tenant\", value)",
        "pub const DEFAULT: &str = \"https://api.shop.test\";",
        "pub const EU: &str = \"https://eu.api.shop.test\";",
    ] {
        assert!(code.contains(expected), "missing `{expected}`");
    }
}

#[test]
fn an_auth_section_needs_its_variables() {
    let spec = provider("bad-auth", "[auth]\nscheme = \"basic\"\nuser_env = \"A\"\n");
    let diags = sdkgen::analyze(&spec, Some(&spec.with_file_name("sdkgen.toml"))).unwrap_err();
    let err = diags
        .iter()
        .find(|d| d.severity == Severity::Error)
        .unwrap();
    assert!(err.message.contains("password_env"), "{err}");
}

#[test]
fn dropped_parameters_leave_every_operation() {
    let generated = analyze(
        "drop",
        r#"
[[drop_parameters]]
name = "api_token"
why = "the client sends the token through its auth"

[[drop_parameters]]
name = "session_token"
why = "a shared parameter, dropped where it is referenced"
"#,
    )
    .unwrap();
    let op = &generated.api.operations[0];
    let names: Vec<&str> = op.params.iter().map(|p| p.wire_name.as_str()).collect();
    assert_eq!(names, ["status"]);
    let kept = analyze("no-drop", "").unwrap();
    assert_eq!(kept.api.operations[0].params.len(), 3);
}

/// README's `sdkgen.toml` reference parses, every key of it known (the config denies unknown
/// keys), so the documentation cannot name a key that does not exist.
#[test]
fn the_readme_config_reference_parses() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let block: Vec<&str> = readme
        .lines()
        .skip_while(|l| l.trim() != "```toml")
        .skip(1)
        .take_while(|l| l.trim() != "```")
        .map(|l| l.strip_prefix("   ").unwrap_or(l))
        .collect();
    let text = block.join("\n");
    assert!(text.contains("[encoding]"), "{text}");
    let config: sdkgen::config::Config =
        toml::from_str(&text).unwrap_or_else(|e| panic!("README's sdkgen.toml: {e}"));
    assert_eq!(
        config.encoding.multipart,
        Some(sdkgen::config::MultipartStyle::Brackets)
    );
}
