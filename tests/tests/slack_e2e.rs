//! End-to-end calls through the generated Slack crate (features `chat`, `conversations`,
//! `reactions` and `users`) against
//! wiremock: the token as a bearer header (never a per-call argument), cursor paging through
//! `response_metadata.next_cursor` over three pages, and Slack's HTTP 200 `{ok: false, error}`
//! answers read as normalized API errors, message timestamps sent as the strings they are, and
//! Slack's own users and reactions examples read back. Bodies start from the spec's own examples.

mod common;

use futures::StreamExt;
use sdkgen_slack::Client;
use serde_json::json;
use wiremock::matchers::{
    body_string_contains, header, method, path, query_param, query_param_is_missing,
};
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

fn spec() -> &'static serde_json::Value {
    common::spec::load("slack", "slack_web_openapi_v2.json")
}

/// The spec's example page of members, with the members and the next cursor replaced.
fn members_page(ids: &[&str], next_cursor: &str) -> serde_json::Value {
    let mut page =
        common::spec::response_example(spec(), "get", "/conversations.members", "200", None);
    page["members"] = json!(ids);
    page["response_metadata"]["next_cursor"] = json!(next_cursor);
    page
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
        .conversations()
        .members()
        .channel("C0123")
        .limit(2)
        .items()
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

#[tokio::test]
async fn ok_false_on_http_200_is_the_normalized_api_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/conversations.info"))
        .and(query_param("channel", "C404"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-slack-req-id", "req-slack-1")
                .set_body_json(common::spec::response_example(
                    spec(),
                    "get",
                    "/conversations.info",
                    "default",
                    None,
                )),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .conversations()
        .info()
        .channel("C404")
        .send()
        .await
        .err()
        .unwrap_or_else(|| panic!("ok: false must be an error"));
    let api = err
        .api()
        .unwrap_or_else(|| panic!("not an API error: {err}"));
    assert_eq!(api.status.as_u16(), 200);
    assert_eq!(api.code.as_deref(), Some("channel_not_found"));
    assert_eq!(api.request_id.as_deref(), Some("req-slack-1"));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_rate_limited_slack_call_reports_the_429_with_its_code() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/conversations.info"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "30")
                .insert_header("x-slack-req-id", "req-slack-2")
                .set_body_json(json!({"ok": false, "error": "ratelimited"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .conversations()
        .info()
        .channel("C1")
        .send()
        .await
        .err()
        .unwrap_or_else(|| panic!("a 429 must be an error"));
    let api = err
        .api()
        .unwrap_or_else(|| panic!("not an API error: {err}"));
    assert_eq!(api.status.as_u16(), 429);
    assert_eq!(api.code.as_deref(), Some("ratelimited"));
}

/// A message timestamp names one message: `1512085950.000210` as a float would go out as
/// `1512085950.00021`, which names another. The spec types these parameters as numbers;
/// `sdkgen.toml` patches them to strings, as responses carry them.
#[tokio::test]
async fn message_timestamps_go_out_exactly_as_given() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.delete"))
        .and(body_string_contains("ts=1512085950.000210"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true, "channel": "C024BE91L", "ts": "1512085950.000210",
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/conversations.replies"))
        .and(query_param("ts", "1512085950.000210"))
        .and(query_param("latest", "1512085960.000100"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(common::spec::response_example(
                spec(),
                "get",
                "/conversations.replies",
                "200",
                None,
            )),
        )
        .expect(1)
        .mount(&server)
        .await;
    let request = sdkgen_slack::types::ChatDeleteRequest::new()
        .channel("C024BE91L")
        .ts("1512085950.000210");
    let deleted = client(&server)
        .chat()
        .delete()
        .body(request)
        .send()
        .await
        .unwrap_or_else(|e| panic!("chat.delete: {e}"));
    assert_eq!(deleted.ts, "1512085950.000210");
    client(&server)
        .conversations()
        .replies()
        .channel("C024BE91L")
        .ts("1512085950.000210")
        .latest("1512085960.000100")
        .send()
        .await
        .unwrap_or_else(|e| panic!("conversations.replies: {e}"));
}

/// Slack's own `users.list` and `reactions.list` examples leave out properties the schema
/// requires; `sdkgen.toml` patches the schema (with its reason), so they read.
#[tokio::test]
async fn slacks_own_users_and_reactions_examples_read() {
    let server = MockServer::start().await;
    for (at, name) in [("/users.list", "users"), ("/reactions.list", "reactions")] {
        Mock::given(method("GET"))
            .and(path(at))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(common::spec::response_example(
                    spec(),
                    "get",
                    at,
                    "200",
                    None,
                )),
            )
            .expect(1)
            .named(name)
            .mount(&server)
            .await;
    }
    let users = client(&server)
        .users()
        .list()
        .send()
        .await
        .unwrap_or_else(|e| panic!("users.list: {e}"));
    assert_eq!(users.members.len(), 2);
    let reactions = client(&server)
        .reactions()
        .list()
        .send()
        .await
        .unwrap_or_else(|e| panic!("reactions.list: {e}"));
    assert_eq!(reactions.items.len(), 3);
}
