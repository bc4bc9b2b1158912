//! End-to-end calls through the generated SendGrid crate (features `webhooks-event_webhook` and
//! `contacts-contacts`) against wiremock: bearer auth, a typed response, SendGrid's
//! `{errors: [{message, field}]}` error body read into the normalized error, and a marketing
//! list walked through `_metadata.next` page-token URLs. The webhook list answers with the
//! spec's own example; the contacts spec has none for its export list.

mod common;

use futures::StreamExt;
use sdkgen_sendgrid::webhooks::Client;
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
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
            ResponseTemplate::new(200).set_body_json(common::spec::response_example(
                common::spec::load("sendgrid", "tsg_webhooks_v3.json"),
                "get",
                "/v3/user/webhooks/event/settings/all",
                "200",
                Some("Two Webhooks"),
            )),
        )
        .expect(1)
        .mount(&server)
        .await;
    let all = client(&server)
        .user()
        .webhooks()
        .event()
        .settings()
        .all()
        .list()
        .send()
        .await
        .unwrap_or_else(|e| panic!("list: {e}"));
    assert_eq!(all.max_allowed, Some(5.0));
    let webhooks = all.webhooks.clone().unwrap_or_default();
    assert_eq!(webhooks.len(), 2);
    assert_eq!(
        webhooks[0].friendly_name.as_deref(),
        Some("Engagment Webhook")
    );
    // The spec's other example, a list holding one empty object, decodes into the same type.
    let zero = common::spec::response_example(
        common::spec::load("sendgrid", "tsg_webhooks_v3.json"),
        "get",
        "/v3/user/webhooks/event/settings/all",
        "200",
        Some("Zero Webhooks"),
    );
    let zero = decode_as(&all, zero);
    assert_eq!(zero.webhooks.map(|w| w.len()), Some(1));
}

/// Decodes `value` into the type of `_like`.
fn decode_as<T: serde::de::DeserializeOwned>(_like: &T, value: serde_json::Value) -> T {
    serde_json::from_value(value).unwrap_or_else(|e| panic!("decode: {e}"))
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
        client(&server)
            .user()
            .webhooks()
            .event()
            .settings()
            .all()
            .list()
            .send()
            .await,
        common::Expected {
            status: 401,
            code: None,
            message: "authorization required",
            request_id: "msg-42",
        },
    );
}

fn exports_page(ids: &[&str], next: Option<String>) -> serde_json::Value {
    let mut metadata = json!({"self": "https://api.sendgrid.com/v3/marketing/contacts/exports"});
    if let Some(next) = next {
        metadata["next"] = json!(next);
    }
    json!({
        "result": ids.iter().map(|id| json!({"id": id, "status": "ready"})).collect::<Vec<_>>(),
        "_metadata": metadata,
    })
}

#[tokio::test]
async fn contact_exports_follow_the_page_token_links_over_three_pages() {
    let server = MockServer::start().await;
    let list = "/v3/marketing/contacts/exports";
    let next = |token: &str| format!("{}{list}?page_token={token}", server.uri());
    for (token, ids, following) in [
        (Some("tok2"), vec!["exp3", "exp4"], Some("tok3")),
        (Some("tok3"), vec!["exp5"], None),
    ] {
        Mock::given(method("GET"))
            .and(path(list))
            .and(query_param("page_token", token.unwrap_or_default()))
            .and(header("authorization", "Bearer SG.test-key"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(exports_page(&ids, following.map(next))),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(list))
        .and(query_param_is_missing("page_token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(exports_page(&["exp1", "exp2"], Some(next("tok2")))),
        )
        .expect(1)
        .mount(&server)
        .await;

    let contacts = sdkgen_sendgrid::contacts::Client::builder()
        .base_url(server.uri())
        .auth(sdkgen_runtime::Auth::bearer("SG.test-key"))
        .retry(sdkgen_runtime::RetryPolicy::disabled())
        .no_rate_limit()
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    let ids: Vec<String> = contacts
        .marketing()
        .contacts()
        .exports()
        .list()
        .items()
        .map(|item| {
            item.unwrap_or_else(|e| panic!("item: {e}"))
                .id
                .unwrap_or_default()
        })
        .collect()
        .await;
    assert_eq!(ids, ["exp1", "exp2", "exp3", "exp4", "exp5"]);
}

#[test]
fn the_eu_host_is_a_named_server() {
    assert_eq!(
        sdkgen_sendgrid::contacts::servers::EU,
        "https://api.eu.sendgrid.com"
    );
    assert_eq!(
        sdkgen_sendgrid::contacts::servers::GLOBAL,
        "https://api.sendgrid.com"
    );
    assert_eq!(
        sdkgen_sendgrid::contacts::servers::DEFAULT,
        "https://api.sendgrid.com"
    );
}
