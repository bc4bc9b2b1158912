//! Call names and shared type names: what a spec's paths become (`client.customers().create()`),
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! overrides from `sdkgen.toml` counted by the report, and names that do not depend on which
//! operation came first.

use sdkgen::config::Config;
use sdkgen::diagnostics::Diagnostics;

fn generate(text: &str, config: Config) -> sdkgen::Generated {
    let mut diags = Diagnostics::new();
    let doc = sdkgen::load::load_bytes(text.as_bytes(), None, &mut diags)
        .unwrap_or_else(|| panic!("the spec must load: {diags:?}"));
    sdkgen::analyze_document(&doc, config, diags).unwrap_or_else(|d| panic!("{d:?}"))
}

fn calls(generated: &sdkgen::Generated) -> Vec<String> {
    generated
        .api
        .operations
        .iter()
        .map(|op| {
            let mut parts = op.resource.clone();
            parts.push(op.method_name.clone());
            format!("{} {}", op.operation_id, parts.join("."))
        })
        .collect()
}

const SHOP: &str = r#"
openapi: 3.0.3
info: {title: Shop, version: '1'}
paths:
  /v1/orders:
    get:
      operationId: getOrders
      parameters:
        - {name: state, in: query, schema: {type: string, enum: [open, closed, all]}}
      responses: {'200': {$ref: '#/components/responses/order_list'}}
    post:
      operationId: postOrders
      responses: {'200': {description: ok}}
  /v1/orders/{order}:
    get:
      operationId: getOrder
      parameters: [{name: order, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: ok}}
  /v1/orders/{order}/refund:
    post:
      operationId: refundOrder
      parameters: [{name: order, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: ok}}
  /v1/invoices:
    get:
      operationId: getInvoices
      parameters:
        - {name: state, in: query, schema: {type: string, enum: [open, closed, all]}}
      responses: {'200': {$ref: '#/components/responses/order_list'}}
components:
  responses:
    order_list:
      description: a page of orders
      content:
        application/json:
          schema:
            type: object
            properties:
              data: {type: array, items: {type: string}}
"#;

#[test]
fn rest_paths_become_resources_and_standard_verbs() {
    let generated = generate(SHOP, Config::default());
    assert_eq!(
        calls(&generated),
        [
            "getInvoices invoices.list",
            "postOrders orders.create",
            "getOrders orders.list",
            "refundOrder orders.refund",
            "getOrder orders.retrieve",
        ]
    );
    assert_eq!(
        generated.api.resources.get(&vec!["orders".to_owned()]),
        Some(&"Orders".to_owned())
    );
}

#[test]
fn an_override_in_sdkgen_toml_wins_and_is_marked_for_the_report() {
    let mut diags = Diagnostics::new();
    let config = Config::parse(
        "[naming.operations]\nrefundOrder = \"orders.payments.reverse\"\n",
        "sdkgen.toml",
        &mut diags,
    )
    .unwrap_or_else(|| panic!("{diags:?}"));
    let generated = generate(SHOP, config);
    assert!(calls(&generated).contains(&"refundOrder orders.payments.reverse".to_owned()));
    let overridden: Vec<&str> = generated
        .api
        .operations
        .iter()
        .filter(|op| op.name_origin == sdkgen::ir::NameOrigin::Override)
        .map(|op| op.operation_id.as_str())
        .collect();
    assert_eq!(overridden, ["refundOrder"]);
    let report = sdkgen::report::surface(&generated.api);
    assert!(report.contains("fn client.orders().payments().reverse(order: String)"));
}

/// Shared types are named from what they are, never after one of their users: the same names
/// whichever operation the spec lists first.
#[test]
fn shared_types_get_names_of_their_own_whatever_the_order() {
    let forward = generate(SHOP, Config::default());
    // The same spec with the two listings in the other order.
    let invoices_first = SHOP.replace("/v1/invoices:", "/v1/zz_placeholder:");
    let swapped = invoices_first
        .replacen("  /v1/orders:\n", "  /v1/invoices:\n", 1)
        .replacen("  /v1/zz_placeholder:\n", "  /v1/orders:\n", 1)
        .replacen("operationId: getOrders", "operationId: tmp", 1)
        .replacen("operationId: getInvoices", "operationId: getOrders", 1)
        .replacen("operationId: tmp", "operationId: getInvoices", 1);
    let backward = generate(&swapped, Config::default());
    for generated in [&forward, &backward] {
        let names: Vec<&str> = generated
            .api
            .types
            .values()
            .filter(|d| !matches!(d.kind, sdkgen::ir::TypeKind::Alias(_)))
            .map(|d| d.name.as_str())
            .collect();
        assert!(names.contains(&"OrderListResponse"), "{names:?}");
        assert!(names.contains(&"OpenClosedAll"), "{names:?}");
        assert!(
            !names
                .iter()
                .any(|n| n.contains("Orders") || n.contains("Invoices")),
            "a shared type is named after one of its operations: {names:?}"
        );
    }
}
