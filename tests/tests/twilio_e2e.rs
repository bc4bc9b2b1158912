//! End-to-end calls through the generated Twilio crate (feature `api_v2010-message`) against
//! wiremock, in Twilio's own wire formats: basic auth with the account SID, form-encoded
//! requests with PascalCase names, `next_page_uri` paging relative to the host, and Twilio's
//! error body.

mod common;

use futures::StreamExt;
use sdkgen_twilio::api_v2010::Client;
use sdkgen_twilio::api_v2010::types::CreateMessageRequest;
use serde_json::json;
use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCOUNT: &str = "AC00000000000000000000000000000001";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .auth(sdkgen_runtime::Auth::basic(ACCOUNT, "twilio_auth_token"))
        .retry(sdkgen_runtime::RetryPolicy::disabled())
        .no_rate_limit()
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

fn page(sids: &[&str], next: Option<&str>) -> serde_json::Value {
    json!({
        "messages": sids.iter().map(|s| json!({"sid": s, "status": "delivered"})).collect::<Vec<_>>(),
        "next_page_uri": next,
        "page": 0,
        "page_size": 2,
    })
}

#[tokio::test]
async fn a_message_list_follows_next_page_uri_over_three_pages() {
    let server = MockServer::start().await;
    let list_path = format!("/2010-04-01/Accounts/{ACCOUNT}/Messages.json");
    let next = |token: &str| format!("{list_path}?PageSize=2&Page=1&PageToken={token}");
    Mock::given(method("GET"))
        .and(path(list_path.clone()))
        .and(query_param("PageToken", "PA2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(&["SM5"], None)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list_path.clone()))
        .and(query_param("PageToken", "PA1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(&["SM3", "SM4"], Some(&next("PA2")))),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list_path.clone()))
        .and(query_param("PageSize", "2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(&["SM1", "SM2"], Some(&next("PA1")))),
        )
        .expect(1)
        .mount(&server)
        .await;

    let sids: Vec<String> = client(&server)
        .list_message(ACCOUNT)
        .page_size(2)
        .stream()
        .map(|m| {
            m.unwrap_or_else(|e| panic!("item: {e}"))
                .sid
                .unwrap_or_default()
        })
        .collect()
        .await;
    assert_eq!(sids, ["SM1", "SM2", "SM3", "SM4", "SM5"]);
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
            ResponseTemplate::new(201).set_body_json(json!({"sid": "SM9", "status": "queued"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let request = CreateMessageRequest {
        to: "+15551234567".to_owned(),
        from: Some("+15557654321".to_owned()),
        body: Some("Ahoy there!".to_owned()),
        ..Default::default()
    };
    let sent = client(&server)
        .create_message(ACCOUNT)
        .body(request)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create: {e}"));
    assert_eq!(sent.sid.as_deref(), Some("SM9"));
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
        client(&server).fetch_message(ACCOUNT, "SM404").send().await,
        common::Expected {
            status: 404,
            code: Some("20404"),
            message: "The requested resource was not found",
            request_id: "RQ123",
        },
    );
}
