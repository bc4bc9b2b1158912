//! End-to-end calls through the generated SendGrid crate (feature `webhooks-event_webhook`)
//! against wiremock: bearer auth, a typed response, and SendGrid's `{errors: [{message, field}]}`
//! error body read into the normalized error.

mod common;

use sdkgen_sendgrid::webhooks::Client;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .auth(sdkgen_runtime::Auth::bearer("SG.test-key"))
        .retry(sdkgen_runtime::RetryPolicy::disabled())
        .no_rate_limit()
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

#[tokio::test]
async fn listing_event_webhooks_sends_the_api_key_as_a_bearer_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/user/webhooks/event/settings/all"))
        .and(header("authorization", "Bearer SG.test-key"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"max_allowed": 5, "webhooks": []})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let all = client(&server)
        .list_event_webhook()
        .send()
        .await
        .unwrap_or_else(|e| panic!("list: {e}"));
    assert_eq!(all.max_allowed, Some(5.0));
}

#[tokio::test]
async fn a_sendgrid_error_list_becomes_the_normalized_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/user/webhooks/event/settings/all"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("x-message-id", "msg-42")
                .set_body_json(
                    json!({"errors": [{"field": null, "message": "authorization required"}]}),
                ),
        )
        .mount(&server)
        .await;
    common::assert_api_error(
        client(&server).list_event_webhook().send().await,
        common::Expected {
            status: 401,
            code: None,
            message: "authorization required",
            request_id: "msg-42",
        },
    );
}
