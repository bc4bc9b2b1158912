//! The spec's own response examples are checked against the generated types. A required
//! property that an example leaves out becomes optional, and one an example shows `null`
//! becomes nullable, each with an `example-conflict` warning; other conflicts are reported and
//! leave the type as the schema says. Request-only types are never loosened, and a number
//! property takes a string that holds the number.

// The crate denies these for generator code; a test fails by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sdkgen::config::Config;
use sdkgen::diagnostics::{DiagnosticKind, Diagnostics};
use sdkgen::ir::{Api, Presence, TypeKind};

const SPEC: &str = r##"
openapi: 3.0.3
info: { title: Things, version: "1" }
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        "200":
          description: a thing
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Thing' }
              examples:
                old:
                  value: { $ref: '#/components/examples/old-thing' }
                typed:
                  value: { id: t2, name: Two, owner: o, size: twelve }
                quoted:
                  value: { id: t4, name: Four, owner: o, size: "12" }
  /things:
    post:
      operationId: createThing
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/NewThing' }
      responses:
        "202":
          description: accepted, with a body documented as null
          content:
            application/json:
              schema: { type: object, properties: { queued: { type: boolean } } }
              example: null
    get:
      operationId: listThings
      responses:
        "200":
          description: a list
          content:
            application/json:
              schema:
                type: object
                required: [data]
                properties:
                  data: { type: array, items: { $ref: '#/components/schemas/Thing' } }
      x-oaiMeta:
        examples:
          response: |
            { "data": [ { "id": "t3", "name": "Three", "owner": "o", }, ], }
components:
  examples:
    old-thing:
      value: { id: t1, owner: null }
  schemas:
    Thing:
      type: object
      required: [id, name, owner]
      properties:
        id: { type: string }
        name: { type: string }
        owner: { type: string }
        size: { type: integer }
    NewThing:
      type: object
      required: [name]
      properties:
        name: { type: string }
"##;

fn lower() -> (Api, Diagnostics, serde_json::Value) {
    lower_with(Config::default())
}

fn lower_with(config: Config) -> (Api, Diagnostics, serde_json::Value) {
    let mut diags = Diagnostics::new();
    let doc = sdkgen::load::load_bytes(SPEC.as_bytes(), None, &mut diags).expect("spec loads");
    let generated = sdkgen::analyze_document(&doc, config, diags).expect("lowers");
    (generated.api, generated.diagnostics, doc.root)
}

const OLD: &str = "/paths/~1things~1{id}/get/responses/200/content/application~1json/examples/old";

fn presence(api: &Api, type_name: &str, field: &str) -> Presence {
    let def = api
        .types
        .values()
        .find(|d| d.name == type_name)
        .unwrap_or_else(|| panic!("no type {type_name}"));
    let TypeKind::Struct(s) = &def.kind else {
        panic!("{type_name} is not a struct");
    };
    s.fields
        .iter()
        .find(|f| f.wire_name == field)
        .unwrap_or_else(|| panic!("no field {field}"))
        .presence
}

#[test]
fn properties_that_examples_leave_out_or_null_are_loosened_with_a_warning() {
    let (api, diags, _) = lower();
    assert_eq!(presence(&api, "Thing", "id"), Presence::Required);
    assert_eq!(presence(&api, "Thing", "name"), Presence::Optional);
    assert_eq!(presence(&api, "Thing", "owner"), Presence::RequiredNullable);
    // A request-only type keeps what the caller must send.
    assert_eq!(presence(&api, "NewThing", "name"), Presence::Required);
    let conflicts: Vec<String> = diags
        .iter()
        .filter(|d| d.kind == DiagnosticKind::ExampleConflict)
        .map(|d| format!("{} {}", d.pointer, d.message))
        .collect();
    assert_eq!(conflicts.len(), 2, "{conflicts:#?}");
    assert!(conflicts.iter().any(|c| c.starts_with(
        "/components/schemas/Thing/properties/name `name` of Thing is required and non-null, but the example at /paths/~1things~1{id}/get/responses/200/content/application~1json/examples/old leaves it out"
    )), "{conflicts:#?}");
    assert!(
        conflicts
            .iter()
            .any(|c| c.contains("`owner` of Thing") && c.contains("has null"))
    );
}

#[test]
fn other_conflicts_are_reported_and_everything_else_reads() {
    let (api, _, root) = lower();
    let checked = sdkgen::examples::check_api(&root, &api, &Default::default());
    // old, typed, quoted (a number in a string reads, as the generated readers take it), the
    // null 202 body (read as the empty object) and the x-oaiMeta text with trailing commas.
    assert_eq!(checked.examples, 5);
    assert_eq!(checked.failures.len(), 1, "{:#?}", checked.failures);
    let failure = &checked.failures[0];
    assert_eq!(failure.operation, "getThing");
    assert!(failure.example.ends_with("/examples/typed"));
    assert_eq!(failure.at, "size");
    assert_eq!(failure.reason, "expected an i64, found a string");
}

#[test]
fn examples_are_found_in_every_place_a_spec_puts_them() {
    let (_, _, root) = lower();
    let get = sdkgen::examples::response_examples(&root, "/paths/~1things~1{id}/get");
    assert_eq!(get.len(), 3);
    // GitHub's reference to a whole Example Object in `value` gives that object's value.
    assert_eq!(get[0].value, serde_json::json!({"id": "t1", "owner": null}));
    let list = sdkgen::examples::response_examples(&root, "/paths/~1things/get");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].status, "200");
    assert_eq!(list[0].value["data"][0]["name"], "Three");
}

#[test]
fn an_ignored_example_neither_loosens_a_type_nor_counts() {
    let toml = format!("[[examples.ignore]]\npointer = \"{OLD}\"\nwhy = \"shortened\"\n");
    let mut diags = Diagnostics::new();
    let config = Config::parse(&toml, "sdkgen.toml", &mut diags).expect("config parses");
    let (api, diags, root) = lower_with(config.clone());
    assert_eq!(presence(&api, "Thing", "name"), Presence::Required);
    assert_eq!(presence(&api, "Thing", "owner"), Presence::Required);
    assert!(
        diags
            .iter()
            .all(|d| d.kind != DiagnosticKind::ExampleConflict)
    );
    let checked = sdkgen::examples::check_api(&root, &api, &config.examples);
    assert_eq!(checked.ignored, [OLD]);
    assert_eq!(checked.examples, 4);
}

const WIDE: &str = r#"
openapi: 3.0.3
info: { title: Wide, version: "1" }
paths:
  /wide:
    get:
      operationId: getWide
      responses:
        "200":
          description: one
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Wide' }
              examples:
                short: { value: { a: 1 } }
                fewer: { value: { a: 1, b: 2, c: 3, d: 4 } }
components:
  schemas:
    Wide:
      type: object
      required: [a, b, c, d, e]
      properties:
        a: { type: integer }
        b: { type: integer }
        c: { type: integer }
        d: { type: integer }
        e: { type: integer }
"#;

#[test]
fn a_shortened_example_is_reported_but_loosens_nothing() {
    let mut diags = Diagnostics::new();
    let doc = sdkgen::load::load_bytes(WIDE.as_bytes(), None, &mut diags).expect("spec loads");
    let generated = sdkgen::analyze_document(&doc, Config::default(), diags).expect("lowers");
    let api = &generated.api;
    // `short` leaves out four of five required properties: a shortened example, not evidence.
    // `fewer` leaves out one, which is read as optional.
    for (field, presence_now) in [
        ("a", Presence::Required),
        ("b", Presence::Required),
        ("e", Presence::Optional),
    ] {
        assert_eq!(presence(api, "Wide", field), presence_now, "{field}");
    }
    let checked = sdkgen::examples::check_api(&doc.root, api, &Default::default());
    assert_eq!(checked.failures.len(), 1, "{:#?}", checked.failures);
    assert_eq!(
        checked.failures[0].reason,
        "leaves out 4 required properties of Wide, so it is taken as a shortened example"
    );
}

#[test]
fn the_provider_summary_lists_loosened_properties_ignored_examples_and_stale_entries() {
    let dir = std::env::temp_dir().join(format!("sdkgen-examples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("openapi.yaml"), SPEC).unwrap();
    std::fs::write(
        dir.join("sdkgen.toml"),
        format!(
            "[source]\nspec = \"openapi.yaml\"\n\n\
             [[examples.ignore]]\npointer = \"{OLD}\"\nwhy = \"shortened\"\n\n\
             [[examples.ignore]]\npointer = \"/paths/~1gone/get/responses/200/content/application~1json/example\"\nwhy = \"left over\"\n"
        ),
    )
    .unwrap();
    let provider = sdkgen::build::load_provider(&dir).unwrap_or_else(|d| panic!("{d:?}"));
    let summary = sdkgen::report::examples_summary(&provider);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        summary.contains("response examples: 4 checked, 1 ignored by sdkgen.toml, 1 do not decode"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "stale examples.ignore entry: /paths/~1gone/get/responses/200/content/application~1json/example"
        ),
        "{summary}"
    );
    assert!(
        !summary.contains(&format!("stale examples.ignore entry: {OLD}")),
        "{summary}"
    );
    assert!(!summary.contains("loosened"), "{summary}");
}
