//! Pagination without configuration: the fixture `tests/fixtures/pagination.yaml` has one list
//! per convention, each with a note naming its style, and no sdkgen.toml. Every one the runtime
//! can page is detected with the style its note names; a `[[pagination]]` rule wins over
//! detection, `style = "none"` turns it off, and an unknown style is an error that lists the
//! valid ones.

// The crate denies these for generator code; a test fails by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use sdkgen::diagnostics::{DiagnosticKind, Severity};
use sdkgen::ir::{HttpMethod, PaginationStyle};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/pagination.yaml")
}

fn style_name(style: &PaginationStyle) -> &'static str {
    match style {
        PaginationStyle::Cursor { .. } => "cursor",
        PaginationStyle::CursorFromBody { .. } => "cursor_from_body",
        PaginationStyle::NextUrl { .. } => "next_url",
        PaginationStyle::LinkHeader => "link_header",
        PaginationStyle::PageNumber { .. } => "page_number",
        PaginationStyle::OffsetLimit { .. } => "offset_limit",
        PaginationStyle::Token { .. } => "token",
    }
}

/// operationId → the style named by its `x-sdkgen-pagination` note.
fn notes() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let doc: serde_json::Value = serde_yaml_ng::from_str(&text).unwrap();
    let mut out = Vec::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            if let (Some(id), Some(note)) = (
                op["operationId"].as_str(),
                op["x-sdkgen-pagination"].as_str(),
            ) {
                let style = note.split(':').next().unwrap().trim().to_owned();
                out.push((id.to_owned(), style));
            }
        }
    }
    out
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sdkgen-pagination-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fixture(), dir.join("openapi.yaml")).unwrap();
    dir
}

#[test]
fn every_convention_of_the_fixture_is_detected_with_the_style_its_note_names() {
    let generated = sdkgen::analyze(&fixture(), None).unwrap();
    let api = &generated.api;
    let notes = notes();
    assert_eq!(notes.len(), 7, "{notes:?}");
    for (id, expected) in notes {
        let op = api
            .operations
            .iter()
            .find(|o| o.operation_id == id)
            .unwrap();
        // The runtime pages GET requests by query; a cursor in a POST body is not detected.
        if op.http_method != HttpMethod::Get {
            assert!(op.pagination.is_none(), "{id}");
            continue;
        }
        let pagination = op
            .pagination
            .as_ref()
            .unwrap_or_else(|| panic!("{id} ({expected}) was not detected"));
        assert_eq!(style_name(&pagination.style), expected, "{id}");
        let evidence = &api.detected_pagination[&id];
        assert!(evidence.contains("items"), "{id}: {evidence}");
    }
    let report = sdkgen::report::pagination_lines(api).join("\n");
    assert!(report.contains("6 detected"), "{report}");
    assert!(
        report.contains(
            "detected list_files: token at `/next_page_token` sent back as query `page_token`"
        ),
        "{report}"
    );
}

#[test]
fn a_rule_wins_over_detection_and_style_none_turns_it_off() {
    let dir = scratch("override");
    std::fs::write(
        dir.join("sdkgen.toml"),
        "[[pagination]]\noperations = [\"list_articles\"]\nstyle = \"none\"\n\n\
         [[pagination]]\noperations = [\"list_*\"]\nstyle = \"offset_limit\"\nitems = \"/files\"\n\
         offset_param = \"page_token\"\nlimit_param = \"page_size\"\n",
    )
    .unwrap();
    let generated =
        sdkgen::analyze(&dir.join("openapi.yaml"), Some(&dir.join("sdkgen.toml"))).unwrap();
    let api = &generated.api;
    let op = |id: &str| {
        api.operations
            .iter()
            .find(|o| o.operation_id == id)
            .unwrap()
    };
    assert!(op("list_articles").pagination.is_none());
    assert!(!api.detected_pagination.contains_key("list_articles"));
    // `list_files` takes the configured style, not the detected token style.
    let files = op("list_files").pagination.as_ref().unwrap();
    assert_eq!(style_name(&files.style), "offset_limit");
    assert!(!api.detected_pagination.contains_key("list_files"));
    // Operations that no rule names are still detected.
    assert!(api.detected_pagination.contains_key("listRepos"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unknown_style_is_an_error_that_lists_the_valid_styles() {
    let dir = scratch("unknown");
    std::fs::write(
        dir.join("sdkgen.toml"),
        "[[pagination]]\noperations = [\"list_*\"]\nstyle = \"pages\"\n",
    )
    .unwrap();
    let diags =
        sdkgen::analyze(&dir.join("openapi.yaml"), Some(&dir.join("sdkgen.toml"))).unwrap_err();
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert_eq!(
        errors.len(),
        1,
        "one error, not one per operation: {errors:?}"
    );
    assert_eq!(errors[0].kind, DiagnosticKind::Config);
    let message = &errors[0].message;
    assert!(
        message.contains("unknown pagination style `pages`"),
        "{message}"
    );
    for style in [
        "cursor",
        "cursor_from_body",
        "next_url",
        "link_header",
        "page_number",
        "offset_limit",
        "token",
        "none",
    ] {
        assert!(message.contains(style), "{style} missing from: {message}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_rule_without_a_field_its_style_needs_is_an_error_naming_the_field() {
    let dir = scratch("missing-field");
    std::fs::write(
        dir.join("sdkgen.toml"),
        "[[pagination]]\noperations = [\"list_*\"]\nstyle = \"cursor\"\nhas_more = \"/has_more\"\n",
    )
    .unwrap();
    let diags =
        sdkgen::analyze(&dir.join("openapi.yaml"), Some(&dir.join("sdkgen.toml"))).unwrap_err();
    let error = diags
        .iter()
        .find(|d| d.severity == Severity::Error)
        .unwrap();
    assert!(error.message.contains("needs `cursor_param`"), "{error}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_api_page_number_and_size_parameters_are_detected() {
    let dir = scratch("json-api");
    std::fs::write(
        dir.join("openapi.yaml"),
        "openapi: 3.0.0
info: {title: t, version: '1'}
paths:
  /numbers:
    get:
      operationId: listNumbers
      parameters:
        - {name: 'page[number]', in: query, schema: {type: integer, minimum: 1}}
        - {name: 'page[size]', in: query, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {type: array, items: {type: object, properties: {id: {type: string}}}}
                  meta: {type: object, properties: {total_pages: {type: integer}}}
",
    )
    .unwrap();
    let generated = sdkgen::analyze(&dir.join("openapi.yaml"), None).unwrap();
    let op = &generated.api.operations[0];
    let Some(PaginationStyle::PageNumber {
        page_param,
        first_page,
        per_page_param,
    }) = op.pagination.as_ref().map(|p| &p.style)
    else {
        panic!("not detected: {:?}", op.pagination);
    };
    assert_eq!(page_param, "page[number]");
    assert_eq!(*first_page, 1);
    assert_eq!(per_page_param.as_deref(), Some("page[size]"));
    assert_eq!(op.pagination.as_ref().unwrap().items, "/data");
    let _ = std::fs::remove_dir_all(&dir);
}
