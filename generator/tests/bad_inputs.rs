//! Hostile and broken inputs: each gives a clear, located error or a graceful result, never a
//! panic, through the public API (`load_bytes`, `analyze_document`, `render_crate`). Every output
//! that generates must parse with `syn`.

// The crate denies these for generator code; a test fails by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;

use sdkgen::config::Config;
use sdkgen::diagnostics::{DiagnosticKind, Diagnostics, Severity};
use sdkgen::emit::RuntimeDependency;
use sdkgen::ir::{TypeKind, TypeRef};
use sdkgen::load::{Document, load_bytes};

/// Loads bytes, returning the document (if any) and the diagnostics.
fn load(bytes: &[u8]) -> (Option<Document>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let doc = load_bytes(bytes, None, &mut diags);
    (doc, diags)
}

/// Asserts that loading fails with an error of `kind`, and returns the error's text.
fn load_error(bytes: &[u8], kind: DiagnosticKind) -> String {
    let (doc, diags) = load(bytes);
    assert!(doc.is_none(), "expected no document, got one");
    let err = diags
        .iter()
        .find(|d| d.severity == Severity::Error)
        .unwrap_or_else(|| panic!("expected an error, got {diags:?}"));
    assert_eq!(err.kind, kind, "{err}");
    assert!(!err.pointer.is_empty(), "the error must be located: {err}");
    assert!(!err.hint.is_empty(), "the error must have a hint: {err}");
    err.to_string()
}

/// Loads, lowers and renders a spec that must generate; every `.rs` file must parse.
fn generate(bytes: &[u8]) -> (sdkgen::Generated, sdkgen::emit::Files) {
    let (doc, diags) = load(bytes);
    let doc = doc.unwrap_or_else(|| panic!("the spec must load: {diags:?}"));
    let generated = sdkgen::analyze_document(&doc, Config::default(), diags)
        .unwrap_or_else(|d| panic!("the spec must lower: {d:?}"));
    assert!(
        !generated.diagnostics.has_errors(),
        "{:?}",
        generated.diagnostics
    );
    let files = sdkgen::standalone::render_crate(
        &generated,
        &RuntimeDependency::Path("../runtime".to_owned()),
    )
    .unwrap_or_else(|e| panic!("the spec must render: {e}"));
    for (path, text) in &files.files {
        if path.ends_with(".rs") {
            if let Err(e) = syn::parse_file(text) {
                panic!("{path} does not parse: {e}\n{text}");
            }
        }
    }
    (generated, files)
}

fn has_warning(generated: &sdkgen::Generated, kind: DiagnosticKind) -> bool {
    generated
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Warning && d.kind == kind)
}

/// A minimal 3.0 document with `schemas` under `components/schemas` and `paths` as given.
fn spec(paths: &str, schemas: &str) -> String {
    format!(
        "openapi: 3.0.3\ninfo:\n  title: Bad\n  version: '1'\npaths:\n{paths}\ncomponents:\n  schemas:\n{schemas}\n"
    )
}

/// A GET operation returning a named schema.
const GET_THING: &str = "  /thing:
    get:
      operationId: getThing
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Thing'
";

/// Runs `f` on a thread with the default 2 MiB stack, so that deep recursion shows up as a
/// stack overflow instead of being hidden by the main thread's larger stack.
fn on_normal_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn an_empty_file_is_an_empty_file_error_not_a_parse_error() {
    let message = load_error(b"", DiagnosticKind::EmptyFile);
    assert!(message.contains("empty"), "{message}");
    assert!(!message.contains("tabs"), "{message}");
    load_error(b"  \n\n\t\n", DiagnosticKind::EmptyFile);
}

#[test]
fn a_missing_spec_file_is_a_missing_file_error_not_a_parse_error() {
    let path = std::env::temp_dir().join("sdkgen-no-such-dir/openapi.yaml");
    let errors = sdkgen::analyze(&path, None).expect_err("the file does not exist");
    let error = errors
        .iter()
        .find(|d| d.severity == Severity::Error)
        .expect("an error");
    assert_eq!(error.kind, DiagnosticKind::MissingFile, "{error}");
    assert!(error.message.contains("does not exist"), "{error}");
    assert!(!error.hint.contains("tabs"), "{error}");
}

#[test]
fn text_that_is_neither_yaml_nor_json_is_a_located_error() {
    let message = load_error(
        b"openapi: 3.0.0\ninfo: [unclosed\npaths: {}\n",
        DiagnosticKind::Parse,
    );
    assert!(message.contains("line"), "{message}");
    let message = load_error(b"{\"openapi\": \"3.0.0\",", DiagnosticKind::Parse);
    assert!(message.contains("line"), "{message}");
    load_error(b"\xff\xfe\x00garbage", DiagnosticKind::Parse);
    // Prose is a valid YAML scalar, but not a document.
    load_error(
        b"<html><body>Not found</body></html>",
        DiagnosticKind::InvalidStructure,
    );
}

#[test]
fn yaml_indented_with_tabs_is_a_parse_error_with_its_line() {
    let message = load_error(
        b"openapi: 3.0.0\ninfo:\n\ttitle: Tabs\n\tversion: '1'\npaths: {}\n",
        DiagnosticKind::Parse,
    );
    assert!(message.contains("line 3"), "{message}");
}

#[test]
fn a_tab_on_a_blank_line_of_a_block_scalar_is_read_as_a_blank_line() {
    let text = spec(
        GET_THING,
        "    Thing:\n      description: |-\n        \t\n        Tabs on blank lines.\n      type: object\n      properties:\n        id:\n          type: string\n",
    );
    let (generated, _) = generate(text.as_bytes());
    assert_eq!(generated.api.operations.len(), 1);
}

#[test]
fn yaml_anchors_aliases_and_merge_keys_are_resolved() {
    let text = spec(
        GET_THING,
        "    Base: &base
      type: object
      properties:
        id: &id
          type: string
    Thing:
      type: object
      properties:
        id: *id
        parent: *base
    Merged:
      <<: *base
      description: A merged copy.
",
    );
    let (generated, _) = generate(text.as_bytes());
    let thing = generated
        .api
        .types
        .values()
        .find(|t| t.name == "Thing")
        .unwrap();
    let TypeKind::Struct(s) = &thing.kind else {
        panic!("Thing must be a struct: {:?}", thing.kind);
    };
    assert_eq!(s.fields.len(), 2);
    assert!(s.fields.iter().all(|f| f.ty != TypeRef::Json), "{s:?}");
    assert!(generated.api.types.values().any(|t| t.name == "Merged"));
}

#[test]
fn duplicate_yaml_keys_are_a_parse_error() {
    let message = load_error(
        b"openapi: 3.0.0\ninfo:\n  title: Dup\n  title: Dup again\n  version: '1'\npaths: {}\n",
        DiagnosticKind::Parse,
    );
    assert!(message.contains("duplicate"), "{message}");
}

#[test]
fn a_json_number_bigger_than_u64_is_read_as_a_float() {
    let json = r#"{"openapi": "3.0.0", "info": {"title": "Big", "version": "1"},
      "paths": {"/n": {"get": {"operationId": "getN",
        "parameters": [{"name": "n", "in": "query",
          "schema": {"type": "integer", "maximum": 123456789012345678901234567890}}],
        "responses": {"200": {"description": "ok"}}}}}}"#;
    let (generated, _) = generate(json.as_bytes());
    assert_eq!(generated.api.operations.len(), 1);
    // The same in YAML, including a huge negative number.
    let yaml = spec(
        GET_THING,
        "    Thing:\n      type: integer\n      minimum: -123456789012345678901234567890\n      maximum: 123456789012345678901234567890\n",
    );
    generate(yaml.as_bytes());
}

#[test]
fn a_ref_to_nowhere_is_a_warning_and_degrades_one_type() {
    let text = spec(
        GET_THING,
        "    Thing:\n      type: object\n      properties:\n        id:\n          type: string\n        ghost:\n          $ref: '#/components/schemas/Missing'\n",
    );
    let (generated, _) = generate(text.as_bytes());
    assert!(has_warning(&generated, DiagnosticKind::UnresolvedRef));
    let thing = generated
        .api
        .types
        .values()
        .find(|t| t.name == "Thing")
        .unwrap();
    let TypeKind::Struct(s) = &thing.kind else {
        panic!("Thing must still be a struct: {:?}", thing.kind);
    };
    let ghost = s.fields.iter().find(|f| f.wire_name == "ghost").unwrap();
    assert_eq!(ghost.ty, TypeRef::Json);
    let id = s.fields.iter().find(|f| f.wire_name == "id").unwrap();
    assert_eq!(id.ty, TypeRef::String);
}

#[test]
fn a_ref_cycle_with_no_schema_between_is_a_warning_and_still_generates() {
    let text = spec(
        GET_THING,
        "    A:\n      $ref: '#/components/schemas/B'\n    B:\n      $ref: '#/components/schemas/A'\n    Thing:\n      type: object\n      properties:\n        a:\n          $ref: '#/components/schemas/A'\n",
    );
    let (generated, _) = generate(text.as_bytes());
    assert!(
        has_warning(&generated, DiagnosticKind::RefCycle),
        "{:?}",
        generated.diagnostics
    );
}

#[test]
fn a_ref_to_itself_is_a_warning_and_still_generates() {
    let text = spec(
        GET_THING,
        "    Thing:\n      $ref: '#/components/schemas/Thing'\n",
    );
    let (generated, _) = generate(text.as_bytes());
    assert!(
        has_warning(&generated, DiagnosticKind::RefCycle),
        "{:?}",
        generated.diagnostics
    );
}

#[test]
fn nesting_ten_thousand_deep_is_an_error_not_a_stack_overflow() {
    on_normal_stack(|| {
        let depth = 10_000;
        let json = format!(
            "{{\"openapi\": \"3.0.0\", \"x\": {}1{}}}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        load_error(json.as_bytes(), DiagnosticKind::Parse);
        let yaml = format!(
            "openapi: 3.0.0\nx: {}1{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        load_error(yaml.as_bytes(), DiagnosticKind::Parse);
        let mut block = String::from("openapi: 3.0.0\nx:\n");
        for level in 0..depth {
            let _ = writeln!(block, "{}k:", " ".repeat(level + 2));
        }
        load_error(block.as_bytes(), DiagnosticKind::Parse);
    });
}

#[test]
fn schemas_nested_as_deep_as_the_parser_allows_still_generate() {
    on_normal_stack(|| {
        // The parsers stop at 128 levels; a schema can use most of them.
        let mut schema = String::from("{\"type\": \"string\"}");
        for _ in 0..55 {
            schema = format!("{{\"type\": \"object\", \"properties\": {{\"inner\": {schema}}}}}");
        }
        let json = format!(
            r#"{{"openapi": "3.0.0", "info": {{"title": "Deep", "version": "1"}},
              "paths": {{"/d": {{"get": {{"operationId": "getDeep", "responses": {{"200": {{
                "description": "ok", "content": {{"application/json": {{"schema": {schema}}}}}}}}}}}}}}}}}"#
        );
        generate(json.as_bytes());
    });
}

#[test]
fn an_enum_with_a_hundred_thousand_values_degrades_to_a_string_with_a_warning() {
    let mut schemas = String::from("    Thing:\n      type: string\n      enum:\n");
    for i in 0..100_000 {
        let _ = writeln!(schemas, "        - value_{i}");
    }
    let text = spec(GET_THING, &schemas);
    let (generated, _) = generate(text.as_bytes());
    let thing = generated
        .api
        .types
        .values()
        .find(|t| t.name == "Thing")
        .unwrap();
    assert!(
        matches!(&thing.kind, TypeKind::Alias(TypeRef::String)),
        "{:?}",
        thing.kind
    );
    assert!(
        generated
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Warning && d.pointer.contains("Thing")),
        "{:?}",
        generated.diagnostics
    );
}

#[test]
fn a_path_parameter_missing_from_the_template_is_a_warning() {
    let paths = "  /users:
    get:
      operationId: getUser
      parameters:
        - name: id
          in: path
          required: true
          schema:
            type: string
      responses:
        '204':
          description: ok
  /orgs/{org}/members:
    get:
      operationId: listMembers
      responses:
        '204':
          description: ok
";
    let text = spec(paths, "    Unused:\n      type: string\n");
    let (generated, _) = generate(text.as_bytes());
    assert_eq!(generated.api.operations.len(), 2);
    assert!(
        has_warning(&generated, DiagnosticKind::PathParameter),
        "{:?}",
        generated.diagnostics
    );
}

#[test]
fn two_operations_with_one_operation_id_both_generate_under_distinct_names() {
    let paths = "  /a:
    get:
      operationId: fetch
      responses:
        '204':
          description: ok
  /b:
    get:
      operationId: fetch
      responses:
        '204':
          description: ok
";
    let text = spec(paths, "    Unused:\n      type: string\n");
    let (generated, _) = generate(text.as_bytes());
    let calls: Vec<(&[String], &str)> = generated
        .api
        .operations
        .iter()
        .map(|o| (o.resource.as_slice(), o.method_name.as_str()))
        .collect();
    assert_eq!(calls.len(), 2);
    assert_ne!(calls[0], calls[1]);
    assert!(has_warning(
        &generated,
        DiagnosticKind::DuplicateOperationId
    ));
}

#[test]
fn openapi_4_is_an_unsupported_version_error() {
    let message = load_error(
        b"openapi: 4.0.0\ninfo:\n  title: Future\n  version: '1'\npaths: {}\n",
        DiagnosticKind::UnsupportedVersion,
    );
    assert!(message.contains("4.0"), "{message}");
    load_error(
        b"info:\n  title: None\npaths: {}\n",
        DiagnosticKind::UnsupportedVersion,
    );
}

/// The peak resident set size of this process, in bytes (Linux only).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[test]
fn a_fifty_megabyte_spec_generates_in_under_a_gigabyte() {
    // 400 operations, each with its own request and response schemas, padded to 50 MB with long
    // descriptions: the size stresses reading and memory, while the operation count keeps a
    // debug build's lowering and rendering to a few seconds. Measured alone in a debug build:
    // about 37 s (most of it reading 50 MB of YAML with an unoptimized parser) and 310 MiB peak.
    const TARGET: usize = 50 * 1024 * 1024;
    const OPERATIONS: usize = 400;
    let padding = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(16);
    let mut text = String::with_capacity(TARGET + 1024 * 1024);
    text.push_str("openapi: 3.0.3\ninfo:\n  title: Huge\n  version: '1'\npaths:\n");
    let per_op = TARGET / OPERATIONS;
    for i in 0..OPERATIONS {
        let _ = write!(
            text,
            "  /items{i}/{{id}}:
    post:
      operationId: updateItem{i}
      description: >-
"
        );
        let start = text.len();
        while text.len() - start < per_op / 2 {
            let _ = writeln!(text, "        {padding}");
        }
        let _ = write!(
            text,
            "      parameters:
        - name: id
          in: path
          required: true
          schema:
            type: string
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Item{i}'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Item{i}'
"
        );
    }
    text.push_str("components:\n  schemas:\n");
    for i in 0..OPERATIONS {
        let _ = write!(
            text,
            "    Item{i}:
      type: object
      required: [id]
      properties:
        id:
          type: string
        count:
          type: integer
        tags:
          type: array
          items:
            type: string
      description: >-
"
        );
        let start = text.len();
        while text.len() - start < per_op / 2 {
            let _ = writeln!(text, "        {padding}");
        }
    }
    assert!(text.len() >= TARGET, "only {} bytes", text.len());

    let started = std::time::Instant::now();
    let (generated, files) = generate(text.as_bytes());
    let elapsed = started.elapsed();
    drop(text);
    assert_eq!(generated.api.operations.len(), OPERATIONS);
    assert!(files.files.len() > 3);
    let peak = peak_rss().unwrap_or(0);
    eprintln!(
        "50 MB spec: {:.1} s, peak RSS {} MiB",
        elapsed.as_secs_f64(),
        peak / (1024 * 1024)
    );
    assert!(
        peak < 1024 * 1024 * 1024,
        "peak RSS {} MiB",
        peak / (1024 * 1024)
    );
}

/// A response that is a binary file or, as JSON, just a string (OpenAI's skill content) is read
/// as bytes: a server that answers with the zip must not fail a JSON decoder.
#[test]
fn a_binary_response_with_a_json_string_beside_it_is_read_as_bytes() {
    let paths = "  /bundle:
    get:
      operationId: getBundle
      responses:
        '200':
          description: ok
          content:
            application/zip:
              schema: {type: string, format: binary}
            application/json:
              schema: {type: string}
";
    let text = spec(paths, "    Unused:\n      type: string\n");
    let (generated, _) = generate(text.as_bytes());
    let op = &generated.api.operations[0];
    assert!(
        matches!(
            op.responses.success,
            sdkgen::ir::SuccessResponse::Single(sdkgen::ir::ResponseBody::Binary)
        ),
        "{:?}",
        op.responses.success
    );
}
