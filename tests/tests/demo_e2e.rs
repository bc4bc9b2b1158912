//! End-to-end calls through the generated Harbor client against a real HTTP server (wiremock).

mod common;

use futures::StreamExt;
use harbor::{Auth, Client};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .auth(Auth::bearer("hbr_test_secret"))
        .retry(sdkgen_runtime::RetryPolicy::disabled())
        .no_rate_limit()
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

fn container(n: u32) -> Value {
    json!({
        "id": format!("00000000-0000-4000-8000-{n:012}"),
        "object": "container",
        "created": "2026-01-02T03:04:05Z",
        "number": "MSCU1234565",
        "size": "40HC",
        "status": "loaded",
    })
}

fn page(items: std::ops::Range<u32>, has_more: bool) -> Value {
    json!({
        "object": "list",
        "url": "/containers",
        "has_more": has_more,
        "data": items.map(container).collect::<Vec<_>>(),
    })
}

#[tokio::test]
async fn a_cursor_list_is_walked_over_three_pages_with_starting_after() {
    let server = MockServer::start().await;
    let last_id = |n: u32| format!("00000000-0000-4000-8000-{n:012}");
    Mock::given(method("GET"))
        .and(path("/containers"))
        .and(query_param("starting_after", last_id(1)))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(2..4, true)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/containers"))
        .and(query_param("starting_after", last_id(3)))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(4..5, false)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/containers"))
        .and(query_param("limit", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(0..2, true)))
        .expect(1)
        .mount(&server)
        .await;

    // The item stream is `Unpin`: the plain `while let` loop compiles without pinning.
    let mut items = client(&server).containers().list().limit(2).items();
    let mut ids = Vec::new();
    while let Some(container) = items.next().await {
        ids.push(
            container
                .map(|c| c.id.to_string())
                .unwrap_or_else(|e| panic!("item: {e}")),
        );
    }
    assert_eq!(ids, (0..5).map(last_id).collect::<Vec<_>>());
}

#[tokio::test]
async fn an_error_response_is_normalized_and_typed() {
    let server = MockServer::start().await;
    let id = "00000000-0000-4000-8000-000000000009";
    Mock::given(method("GET"))
        .and(path(format!("/containers/{id}")))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("x-request-id", "req_123")
                .set_body_json(json!({"error": {"code": "container_not_found", "message": "No such container"}})),
        )
        .mount(&server)
        .await;
    let uuid: sdkgen_runtime::uuid::Uuid = id.parse().unwrap_or_else(|e| panic!("uuid: {e}"));
    let err = common::assert_api_error(
        client(&server).containers().retrieve(uuid).send().await,
        common::Expected {
            status: 404,
            code: Some("container_not_found"),
            message: "No such container",
            request_id: "req_123",
        },
    );
    // One call, named in `send()`'s docs, gives the operation's documented error body.
    assert!(matches!(
        harbor::operations::ContainersRetrieveError::from_error(&err),
        Some(harbor::operations::ContainersRetrieveError::NotFound(_))
    ));
}

#[tokio::test]
async fn requests_carry_the_bearer_token_and_the_version_header() {
    let server = MockServer::start().await;
    let id = "00000000-0000-4000-8000-000000000001";
    Mock::given(method("GET"))
        .and(path(format!("/containers/{id}")))
        .and(header("authorization", "Bearer hbr_test_secret"))
        .and(header("Harbor-Version", "2026-01-01"))
        .respond_with(ResponseTemplate::new(200).set_body_json(container(1)))
        .expect(1)
        .mount(&server)
        .await;
    let uuid: sdkgen_runtime::uuid::Uuid = id.parse().unwrap_or_else(|e| panic!("uuid: {e}"));
    let found = client(&server)
        .containers()
        .retrieve(uuid)
        .send()
        .await
        .unwrap_or_else(|e| panic!("call: {e}"));
    assert_eq!(found.status, harbor::types::ContainerStatus::Loaded);
}

#[tokio::test]
async fn an_unknown_enum_value_from_the_server_does_not_fail_the_response() {
    let server = MockServer::start().await;
    let id = "00000000-0000-4000-8000-000000000001";
    let mut body = container(1);
    body["status"] = json!("teleported");
    Mock::given(method("GET"))
        .and(path(format!("/containers/{id}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let uuid: sdkgen_runtime::uuid::Uuid = id.parse().unwrap_or_else(|e| panic!("uuid: {e}"));
    let found = client(&server)
        .containers()
        .retrieve(uuid)
        .send()
        .await
        .unwrap_or_else(|e| panic!("call: {e}"));
    assert_eq!(
        found.status,
        harbor::types::ContainerStatus::Unknown("teleported".to_owned())
    );
    assert_eq!(found.status.as_str(), "teleported");
}

#[test]
fn debug_of_the_client_does_not_show_the_token() {
    let client = Client::builder()
        .base_url("https://api.example.invalid")
        .auth(Auth::bearer("hbr_very_secret"))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    assert!(!format!("{client:?}").contains("hbr_very_secret"));
}

#[tokio::test]
async fn a_download_can_be_read_as_a_stream_of_chunks() {
    let server = MockServer::start().await;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(200_000).collect();
    Mock::given(method("GET"))
        .and(path("/documents/doc_1/content"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/pdf")
                .set_body_bytes(bytes.clone()),
        )
        .mount(&server)
        .await;
    let response = client(&server)
        .documents()
        .content("doc_1")
        .send_streaming()
        .await
        .unwrap_or_else(|e| panic!("download: {e}"));
    assert_eq!(response.status.as_u16(), 200);
    let mut received = Vec::new();
    let mut body = response.body;
    while let Some(chunk) = body.next().await {
        received.extend_from_slice(&chunk.unwrap_or_else(|e| panic!("chunk: {e}")));
    }
    assert_eq!(received, bytes);
}

/// A call whose only documented success is a redirect answers with the signed URL; the
/// file store on the other host never sees the API's credentials, nor any request.
#[tokio::test]
async fn a_documented_redirect_answers_with_the_location_and_follows_nothing() {
    let store = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&store)
        .await;
    let server = MockServer::start().await;
    let signed = format!("{}/documents/doc_1?signature=3b1f", store.uri());
    Mock::given(method("GET"))
        .and(path("/documents/doc_1/link"))
        .and(header("authorization", "Bearer hbr_test_secret"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", signed.as_str())
                .insert_header("x-request-id", "req_link"),
        )
        .mount(&server)
        .await;
    // The built-in HTTP client, whose redirect policy is the one under test.
    let harbor = Client::builder()
        .base_url(server.uri())
        .auth(Auth::bearer("hbr_test_secret"))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    let response = harbor
        .documents()
        .link("doc_1")
        .send_with_response()
        .await
        .unwrap_or_else(|e| panic!("link: {e}"));
    assert_eq!(response.status.as_u16(), 302);
    assert_eq!(response.request_id.as_deref(), Some("req_link"));
    let redirect: sdkgen_runtime::Redirect = response.body;
    assert_eq!(redirect.location().as_str(), signed);
    assert!(!format!("{redirect:?}").contains("3b1f"));
    let store_hits = store.received_requests().await.unwrap_or_default().len();
    assert_eq!(store_hits, 0);

    // A 404 is still the documented error.
    let err = harbor
        .documents()
        .link("doc_2")
        .send()
        .await
        .expect_err("no mock answers doc_2");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}

#[test]
fn a_discriminated_union_round_trips_and_keeps_unknown_tags() {
    use sdkgen_tests::fixtures::oneof_discriminator::types::PaymentMethod;
    let card = json!({"type": "card", "last4": "4242", "exp_month": 12, "exp_year": 2030});
    let parsed: PaymentMethod =
        serde_json::from_value(card.clone()).unwrap_or_else(|e| panic!("card: {e}"));
    assert!(matches!(parsed, PaymentMethod::Card(_)));
    assert_eq!(serde_json::to_value(&parsed).unwrap_or_default(), card);
    let future = json!({"type": "crypto_wallet", "chain": "x"});
    let parsed: PaymentMethod =
        serde_json::from_value(future.clone()).unwrap_or_else(|e| panic!("unknown: {e}"));
    assert_eq!(parsed, PaymentMethod::Unknown(future.clone()));
    assert_eq!(serde_json::to_value(&parsed).unwrap_or_default(), future);
}

#[test]
fn a_property_that_refers_to_a_nullable_schema_reads_null() {
    use sdkgen_tests::fixtures::anyof_nullable_30::types::{NullableUser, Order};
    let order: Order = serde_json::from_value(json!({
        "id": "o1", "shipping": null, "assignee": null, "reviewer": null, "note": null,
        "watchers": [{"login": "octocat"}, null],
    }))
    .unwrap_or_else(|e| panic!("order with nulls: {e}"));
    assert_eq!(order.assignee, None);
    // An array item that refers to a nullable schema may be null (GitHub's branch-protection
    // `apps`), and reads as `None`.
    let watchers = order.watchers.unwrap_or_default();
    assert_eq!(watchers.len(), 2);
    assert_eq!(
        watchers[0].as_ref().map(|u| u.login.as_str()),
        Some("octocat")
    );
    assert!(watchers[1].is_none());
    assert_eq!(order.note, None);
    assert_eq!(order.reviewer, None);
    let order: Order = serde_json::from_value(json!({
        "id": "o2", "shipping": null, "assignee": {"login": "hubot"}, "note": "rush",
    }))
    .unwrap_or_else(|e| panic!("order with values: {e}"));
    assert_eq!(order.assignee.map(|u| u.login).as_deref(), Some("hubot"));
    assert_eq!(order.note.as_deref(), Some("rush"));
    // A body that refers to a nullable schema is the value itself.
    let me: NullableUser =
        serde_json::from_value(json!({"login": "octocat"})).unwrap_or_else(|e| panic!("user: {e}"));
    assert_eq!(me.login, "octocat");
}

#[test]
#[allow(deprecated)] // The test is about the deprecated fields.
fn a_deprecated_required_property_may_be_absent_from_a_response() {
    use sdkgen_tests::fixtures::docs_deprecated::types::{NewReport, Report};
    let report: Report = serde_json::from_value(json!({"id": "rep_1", "title": "Q1"}))
        .unwrap_or_else(|e| panic!("report without status: {e}"));
    assert_eq!(report.status, None);
    // A request-only type still makes the caller set it.
    let new = NewReport::new("Q2", "pdf");
    assert_eq!(
        serde_json::to_value(&new).unwrap_or_default(),
        json!({"title": "Q2", "format": "pdf"})
    );
}

#[test]
fn number_properties_read_numbers_sent_as_strings() {
    use sdkgen_tests::fixtures::formats::types::Sample;
    let sample: Sample = serde_json::from_value(json!({
        "i32": "-7", "i64": 9_007_199_254_740_993_i64, "u64": "18446744073709551615",
        "f64": "-0.0025", "plain_number": 2.5, "plain_integer": null,
        "id": "67e55044-10b1-426f-9247-bb680e5fe0c8",
    }))
    .unwrap_or_else(|e| panic!("sample: {e}"));
    assert_eq!(sample.i32, -7);
    assert_eq!(sample.i64, 9_007_199_254_740_993);
    assert_eq!(sample.u64, Some(u64::MAX));
    assert_eq!(sample.f64, Some(-0.0025));
    assert_eq!(sample.plain_integer, None);
    // Text that is not the number is refused, with the property's path.
    let err = serde_json::from_value::<Sample>(json!({
        "i32": "seven", "i64": 1, "id": "67e55044-10b1-426f-9247-bb680e5fe0c8",
    }))
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(err.contains("seven"), "{err}");
}

#[test]
fn a_patch_field_is_set_cleared_or_left_unchanged() {
    use sdkgen_tests::fixtures::objects_required_optional::types::NotePatch;
    let body = |patch: &NotePatch| serde_json::to_value(patch).unwrap_or_default();
    // Leaving a field alone leaves it unchanged on the server: it is not sent.
    assert_eq!(
        body(&NotePatch::new().title("Groceries")),
        json!({"title": "Groceries"})
    );
    // Setting it sends the value; clearing it sends null.
    assert_eq!(
        body(&NotePatch::new().color("red")),
        json!({"color": "red"})
    );
    assert_eq!(
        body(&NotePatch::new().clear_color()),
        json!({"color": null})
    );
}

/// A body offered as JSON and as multipart goes as multipart when it holds files, and a list
/// of files (or a union of a file and a list) becomes one file part per file.
#[tokio::test]
async fn file_lists_and_file_unions_go_as_one_part_per_file() {
    use sdkgen_runtime::FilePart;
    use sdkgen_tests::fixtures::bodies::types::{BundleInput, BundleInputArchive};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/bundles"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = sdkgen_tests::fixtures::bodies::Client::builder()
        .base_url(server.uri())
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    let folder = BundleInputArchive::BinaryList(vec![
        FilePart::new("a").file_name("a.txt"),
        FilePart::new("b").file_name("b.txt"),
    ]);
    let zip = BundleInputArchive::Binary(FilePart::new("PK").file_name("skill.zip"));
    for archive in [folder, zip] {
        let body =
            BundleInput::new(archive).attachments(vec![FilePart::new("note").file_name("note.md")]);
        client
            .bundles()
            .create(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("bundle: {e}"));
    }
    let requests = server.received_requests().await.unwrap_or_default();
    let files_of = |i: usize| -> Vec<String> {
        let sent = &requests[i];
        let content_type = sent
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            content_type.starts_with("multipart/form-data"),
            "{content_type}"
        );
        String::from_utf8_lossy(&sent.body)
            .split("Content-Disposition: form-data; ")
            .skip(1)
            .map(|part| part.split("\r\n").next().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        files_of(0),
        [
            "name=\"archive\"; filename=\"a.txt\"",
            "name=\"archive\"; filename=\"b.txt\"",
            "name=\"attachments\"; filename=\"note.md\"",
        ]
    );
    assert_eq!(
        files_of(1),
        [
            "name=\"archive\"; filename=\"skill.zip\"",
            "name=\"attachments\"; filename=\"note.md\"",
        ]
    );
}
