//! End-to-end calls through the generated Stripe crate (features `tax_rates` and
//! `payment_links`) against wiremock: cursor paging with `starting_after`, the exact form
//! encoding of create calls (nested objects, arrays of objects as `line_items[0][price]`,
//! `expand[]`), a file upload streamed as multipart with its deepObject fields, the pinned
//! `Stripe-Version`, and one idempotency key reused across a retried POST.

use std::time::Duration;

use futures::StreamExt;
use sdkgen_stripe::Client;
use sdkgen_stripe::types::TaxRatesCreateRequest;
use serde_json::json;
use wiremock::matchers::{body_string, header, header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client(server: &MockServer, retries: u32) -> Client {
    let retry = if retries == 0 {
        sdkgen_runtime::RetryPolicy::disabled()
    } else {
        sdkgen_runtime::RetryPolicy::new()
            .max_retries(retries)
            .initial_backoff(Duration::from_millis(1))
            .max_backoff(Duration::from_millis(2))
    };
    Client::builder()
        .base_url(server.uri())
        .auth(sdkgen_runtime::Auth::bearer("sk_test_123"))
        .retry(retry)
        .no_rate_limit()
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

fn tax_rate(id: &str) -> serde_json::Value {
    json!({
        "id": id, "object": "tax_rate", "active": true, "created": 1_700_000_000, "display_name": "VAT",
        "inclusive": false, "livemode": false, "percentage": 20.0,
    })
}

fn page(ids: &[&str], has_more: bool) -> serde_json::Value {
    json!({"object": "list", "url": "/v1/tax_rates", "has_more": has_more, "data": ids.iter().map(|i| tax_rate(i)).collect::<Vec<_>>()})
}

#[tokio::test]
async fn tax_rates_are_listed_over_three_pages_with_starting_after() {
    let server = MockServer::start().await;
    for (after, ids, more) in [
        ("txr_2", vec!["txr_3", "txr_4"], true),
        ("txr_4", vec!["txr_5"], false),
    ] {
        Mock::given(method("GET"))
            .and(path("/v1/tax_rates"))
            .and(query_param("starting_after", after))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(&ids, more)))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/v1/tax_rates"))
        .and(header("Stripe-Version", "2023-08-16"))
        .and(header("authorization", "Bearer sk_test_123"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(&["txr_1", "txr_2"], true)))
        .expect(1)
        .mount(&server)
        .await;
    let ids: Vec<String> = client(&server, 0)
        .tax_rates()
        .list()
        .limit(2)
        .items()
        .map(|r| r.unwrap_or_else(|e| panic!("item: {e}")).id)
        .collect()
        .await;
    assert_eq!(ids, ["txr_1", "txr_2", "txr_3", "txr_4", "txr_5"]);
}

#[tokio::test]
async fn creating_a_tax_rate_sends_stripe_form_encoding() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/tax_rates"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(
            "display_name=VAT&expand[]=tax_type&inclusive=false&metadata[order_id]=6735&percentage=20.5",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(tax_rate("txr_9")))
        .expect(1)
        .mount(&server)
        .await;
    let request = TaxRatesCreateRequest::new("VAT", false, 20.5)
        .expand(vec!["tax_type".to_owned()])
        .metadata([("order_id".to_owned(), "6735".to_owned())]);
    let created = client(&server, 0)
        .tax_rates()
        .create(request)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create: {e}"));
    assert_eq!(created.id, "txr_9");
}

#[tokio::test]
async fn a_retried_post_reuses_one_idempotency_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/tax_rates"))
        .and(header_exists("Idempotency-Key"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(json!({"error": {"type": "api_error", "message": "try again"}})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/tax_rates"))
        .respond_with(ResponseTemplate::new(200).set_body_json(tax_rate("txr_7")))
        .mount(&server)
        .await;
    let request = TaxRatesCreateRequest::new("VAT", false, 7.0);
    let created = client(&server, 2)
        .tax_rates()
        .create(request)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create: {e}"));
    assert_eq!(created.id, "txr_7");
    let received: Vec<Request> = server.received_requests().await.unwrap_or_default();
    let keys: Vec<String> = received
        .iter()
        .filter_map(|r| {
            r.headers
                .get("Idempotency-Key")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(keys.len(), 2, "two attempts, each with a key: {keys:?}");
    assert_eq!(keys[0], keys[1]);
    assert!(
        sdkgen_runtime::uuid::Uuid::parse_str(&keys[0]).is_ok(),
        "not a UUID: {}",
        keys[0]
    );
}

#[tokio::test]
async fn a_payment_link_sends_arrays_of_objects_in_stripe_form_encoding() {
    use sdkgen_stripe::types::{
        LineItemsCreateParams, LineItemsCreateParamsAdjustableQuantity, PaymentLinksCreateRequest,
    };
    let server = MockServer::start().await;
    let expected = "expand[]=line_items&expand[]=customer_creation\
        &line_items[0][adjustable_quantity][enabled]=true\
        &line_items[0][adjustable_quantity][maximum]=5\
        &line_items[0][price]=price_1&line_items[0][quantity]=2\
        &line_items[1][price]=price_2&line_items[1][quantity]=1\
        &metadata[order_id]=6735";
    // Only the exact body is answered (with a card error, so no large payment link body is
    // needed); any other encoding gets wiremock's 404.
    Mock::given(method("POST"))
        .and(path("/v1/payment_links"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(expected))
        .respond_with(
            ResponseTemplate::new(402)
                .insert_header("request-id", "req_pl")
                .set_body_json(json!({"error": {"type": "card_error", "code": "card_declined", "message": "declined"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let body = PaymentLinksCreateRequest::new(vec![
        LineItemsCreateParams::new("price_1", 2)
            .adjustable_quantity(LineItemsCreateParamsAdjustableQuantity::new(true).maximum(5)),
        LineItemsCreateParams::new("price_2", 1),
    ])
    .expand(vec!["line_items".into(), "customer_creation".into()])
    .metadata(std::collections::BTreeMap::from([(
        "order_id".to_owned(),
        "6735".to_owned(),
    )]));
    let err = client(&server, 0)
        .payment_links()
        .create(body)
        .send()
        .await
        .err()
        .unwrap_or_else(|| panic!("expected the card error"));
    let api = err
        .api()
        .unwrap_or_else(|| panic!("not an API error: {err}"));
    assert_eq!(api.status.as_u16(), 402, "{err}");
    assert_eq!(api.code.as_deref(), Some("card_declined"));
    assert_eq!(api.request_id.as_deref(), Some("req_pl"));
}

#[tokio::test]
async fn a_file_upload_streams_the_file_and_brackets_its_nested_fields() {
    use sdkgen_stripe::types::{
        FileLinkCreationParams, FilesCreateRequest, FilesCreateRequestPurpose,
    };
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/files"))
        .and(header("authorization", "Bearer sk_test_123"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "file_1", "object": "file", "created": 1_700_000_000, "filename": "evidence.pdf",
            "purpose": "dispute_evidence", "size": 12, "type": "pdf",
        })))
        .expect(1)
        .mount(&server)
        .await;
    let chunks = futures::stream::iter(["%PDF-1.4", " ...", "\n"].map(Ok::<_, std::io::Error>));
    let body = FilesCreateRequest::new(
        sdkgen_runtime::FilePart::stream(13, chunks)
            .file_name("evidence.pdf")
            .content_type("application/pdf"),
        FilesCreateRequestPurpose::DisputeEvidence,
    )
    .expand(vec!["links".into()])
    .file_link_data(FileLinkCreationParams::new(true).expires_at(1_800_000_000));
    // With a base URL the caller chose, the upload goes there; otherwise it would go to the
    // operation's own server, https://files.stripe.com.
    let file = client(&server, 2)
        .files()
        .create(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("upload: {e}"));
    assert_eq!(file.id, "file_1");
    let requests = server.received_requests().await.unwrap_or_default();
    let sent = String::from_utf8_lossy(&requests[0].body).into_owned();
    for part in [
        "name=\"expand[]\"\r\n\r\nlinks\r\n",
        "name=\"file\"; filename=\"evidence.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 ...\n\r\n",
        "name=\"file_link_data[create]\"\r\n\r\ntrue\r\n",
        "name=\"file_link_data[expires_at]\"\r\n\r\n1800000000\r\n",
        "name=\"purpose\"\r\n\r\ndispute_evidence\r\n",
    ] {
        assert!(sent.contains(part), "missing {part:?} in {sent}");
    }
}
