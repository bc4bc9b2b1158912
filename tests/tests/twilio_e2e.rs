//! End-to-end calls through the generated Twilio crate (feature `api_v2010-message`) against
//! wiremock, in Twilio's own wire formats: basic auth with the account SID, form-encoded
//! requests with PascalCase names, `next_page_uri` paging relative to the host, and Twilio's
//! error body. Responses are the spec's own examples where it has them.

mod common;

use futures::StreamExt;
use sdkgen_twilio::api_v2010::Client;
use sdkgen_twilio::api_v2010::types::CreateMessageRequest;
use serde_json::json;
use wiremock::matchers::{body_string, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The account of the spec's examples, so that their `next_page_uri`s are used unchanged.
const ACCOUNT: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const LIST: &str = "/2010-04-01/Accounts/{AccountSid}/Messages.json";

fn spec() -> &'static serde_json::Value {
    common::spec::load("twilio", "twilio_api_v2010.json")
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .auth(sdkgen_runtime::Auth::basic(ACCOUNT, "twilio_auth_token"))
        .retry(sdkgen_runtime::RetryPolicy::disabled())
        .no_rate_limit()
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

/// The spec's first page of messages, its messages renamed for page `n`, pointing at `next`.
fn page(n: usize, next: Option<&str>) -> serde_json::Value {
    let mut page =
        common::spec::response_example(spec(), "get", LIST, "200", Some("readFullPage1"));
    if let Some(messages) = page["messages"].as_array_mut() {
        for message in messages.iter_mut() {
            let sid = format!("{}{n}", message["sid"].as_str().unwrap_or_default());
            message["sid"] = json!(sid);
        }
    }
    if n > 1 {
        page["next_page_uri"] = json!(next);
    }
    page
}

#[tokio::test]
async fn a_message_list_follows_next_page_uri_over_three_pages() {
    let server = MockServer::start().await;
    let list_path = format!("/2010-04-01/Accounts/{ACCOUNT}/Messages.json");
    // Page 1 is the example as published; its `next_page_uri` asks for this token.
    let first_next = page(1, None)["next_page_uri"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(first_next.contains("PageToken=PAMMc26223853f8c46b4ab7dfaa6abba0a26"));
    let third = format!("{list_path}?PageSize=2&Page=2&PageToken=PA3");
    Mock::given(method("GET"))
        .and(path(list_path.clone()))
        .and(query_param("PageToken", "PA3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(3, None)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list_path.clone()))
        .and(query_param(
            "PageToken",
            "PAMMc26223853f8c46b4ab7dfaa6abba0a26",
        ))
        .and(query_param("DateSent>", "2008-01-02"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(2, Some(&third))))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list_path.clone()))
        .and(query_param("PageSize", "2"))
        .and(query_param_is_missing("PageToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(1, None)))
        .expect(1)
        .mount(&server)
        .await;

    let messages: Vec<_> = client(&server)
        .messages()
        .list(ACCOUNT)
        .page_size(2)
        .items()
        .map(|m| m.unwrap_or_else(|e| panic!("item: {e}")))
        .collect()
        .await;
    let sids: Vec<&str> = messages.iter().filter_map(|m| m.sid.as_deref()).collect();
    assert_eq!(
        sids,
        [
            "SMded05904ccb347238880ca9264e8fe1c1",
            "MMc26223853f8c46b4ab7dfaa6abba0a261",
            "SMded05904ccb347238880ca9264e8fe1c2",
            "MMc26223853f8c46b4ab7dfaa6abba0a262",
            "SMded05904ccb347238880ca9264e8fe1c3",
            "MMc26223853f8c46b4ab7dfaa6abba0a263",
        ]
    );
}

#[tokio::test]
async fn creating_a_message_sends_a_pascal_case_form_with_basic_auth() {
    let server = MockServer::start().await;
    // base64("AC…01:twilio_auth_token")
    let basic = format!(
        "Basic {}",
        sdkgen_runtime::Base64(format!("{ACCOUNT}:twilio_auth_token").into_bytes()).encode()
    );
    Mock::given(method("POST"))
        .and(path(format!(
            "/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
        )))
        .and(header("authorization", basic.as_str()))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(
            "To=%2B15551234567&From=%2B15557654321&Body=Ahoy%20there%21",
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(common::spec::response_example(
                spec(),
                "post",
                LIST,
                "201",
                Some("create"),
            )),
        )
        .expect(1)
        .mount(&server)
        .await;
    // `To` is required, so the body is an argument and its constructor takes it.
    let request = CreateMessageRequest::new("+15551234567")
        .from("+15557654321")
        .body("Ahoy there!");
    let sent = client(&server)
        .messages()
        .create(ACCOUNT, request)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create: {e}"));
    assert_eq!(
        sent.sid.as_deref(),
        Some("SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    );
    assert_eq!(sent.body.as_deref(), Some("Hello! \u{1f44d}"));
}

#[tokio::test]
async fn a_twilio_error_body_becomes_the_normalized_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/2010-04-01/Accounts/{ACCOUNT}/Messages/SM404.json"
        )))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("twilio-request-id", "RQ123")
                .set_body_json(json!({
                    "code": 20404,
                    "message": "The requested resource was not found",
                    "more_info": "https://www.twilio.com/docs/errors/20404",
                    "status": 404,
                })),
        )
        .mount(&server)
        .await;
    common::assert_api_error(
        client(&server)
            .messages()
            .fetch(ACCOUNT, "SM404")
            .send()
            .await,
        common::Expected {
            status: 404,
            code: Some("20404"),
            message: "The requested resource was not found",
            request_id: "RQ123",
        },
    );
}

fn verify_client(server: &MockServer) -> sdkgen_twilio::verify_v2::Client {
    sdkgen_twilio::verify_v2::Client::builder()
        .base_url(server.uri())
        .auth(sdkgen_runtime::Auth::basic(ACCOUNT, "twilio_auth_token"))
        .retry(sdkgen_runtime::RetryPolicy::disabled())
        .no_rate_limit()
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

/// Twilio's spec declares no `encoding` for its form arrays, so they go out in OpenAPI's
/// default form style, exploded: `EventTypes=a&EventTypes=b`, as Twilio documents (not the
/// `EventTypes[]=a` brackets that Stripe reads).
#[tokio::test]
async fn form_arrays_repeat_their_name_as_twilio_documents() {
    use sdkgen_twilio::verify_v2::types::CreateWebhookRequest;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/Services/VA123/Webhooks"))
        .and(body_string(
            "FriendlyName=hook&EventTypes=factor.created&EventTypes=challenge.approved\
             &WebhookUrl=https%3A%2F%2Fexample.com%2Fhook",
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "YW123"})))
        .expect(1)
        .mount(&server)
        .await;
    let request = CreateWebhookRequest::new(
        "hook",
        vec!["factor.created".to_owned(), "challenge.approved".to_owned()],
        "https://example.com/hook",
    );
    let created = verify_client(&server)
        .services()
        .webhooks()
        .create("VA123", request)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create webhook: {e}"));
    assert_eq!(created.sid.as_deref(), Some("YW123"));
}

/// A free-form form field (`RateLimits`, typed by no schema) goes out as JSON text, which is
/// what Twilio reads.
#[tokio::test]
async fn a_free_form_form_field_is_sent_as_json_text() {
    use sdkgen_twilio::verify_v2::types::CreateVerificationRequest;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/Services/VA123/Verifications"))
        .and(body_string(
            "To=%2B15551234567&Channel=sms&RateLimits=%7B%22end_user_ip_address%22%3A%22127.0.0.1%22%7D",
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "VE123"})))
        .expect(1)
        .mount(&server)
        .await;
    let request = CreateVerificationRequest::new("+15551234567", "sms")
        .rate_limits(json!({"end_user_ip_address": "127.0.0.1"}));
    let created = verify_client(&server)
        .services()
        .verifications()
        .create("VA123", request)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create verification: {e}"));
    assert_eq!(created.sid.as_deref(), Some("VE123"));
}

/// Twilio's `DateSent<` and `DateSent>` filters are `date_sent_before` and `date_sent_after`
/// beside the plain `date_sent`, and go out under their wire names.
#[tokio::test]
async fn date_range_filters_are_named_by_their_operator() {
    let server = MockServer::start().await;
    let list_path = format!("/2010-04-01/Accounts/{ACCOUNT}/Messages.json");
    Mock::given(method("GET"))
        .and(path(list_path))
        .and(query_param("DateSent<", "2024-02-01T00:00:00Z"))
        .and(query_param("DateSent>", "2024-01-01T00:00:00Z"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(3, None)))
        .expect(1)
        .mount(&server)
        .await;
    let at = |text: &str| {
        sdkgen_runtime::chrono::DateTime::parse_from_rfc3339(text)
            .map(|t| t.to_utc())
            .unwrap_or_else(|e| panic!("{text}: {e}"))
    };
    client(&server)
        .messages()
        .list(ACCOUNT)
        .date_sent_before(at("2024-02-01T00:00:00Z"))
        .date_sent_after(at("2024-01-01T00:00:00Z"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("list: {e}"));
}
