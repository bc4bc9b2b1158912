//! A provider that reports failure inside a success response (Slack's `{"ok": false}` with
//! status 200), configured with `ProviderConfig::ok_flag`.

use futures::{StreamExt, TryStreamExt};
use sdkgen_runtime as rt;
use sdkgen_runtime::__private::{decode_json, decode_sse_events, paginate_items};
use serde_json::{Value, json};
use wiremock::matchers::{path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{builder, config, get, hits, post};

/// Slack's configuration as a generated crate states it.
fn slack() -> rt::ProviderConfig {
    rt::ProviderConfig::new("slack")
        .user_agent("sdkgen-slack", "0.1.0")
        .request_id_header("x-slack-req-id")
        .error_shape(rt::ErrorShape::new().code("/error"))
        .retry_signal_header("x-should-retry")
        .ok_flag("/ok")
}

fn slack_200(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(body)
        .insert_header("x-slack-req-id", "req_slack_1")
}

fn not_found() -> Value {
    json!({"ok": false, "error": "channel_not_found"})
}

#[tokio::test(start_paused = true)]
async fn ok_false_with_status_200_is_an_api_error_that_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/conversations.info"))
        .respond_with(slack_200(not_found()))
        .expect(1)
        .mount(&server)
        .await;
    // The default policy retries; a flagged failure is not retryable, so it is not used.
    let client = builder(slack(), &server).build().unwrap();
    let err = client
        .send(get("/conversations.info"))
        .await
        .unwrap_err()
        .with_typed_body(|_, _| panic!("a 2xx API error has no documented error body"));
    let rt::Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(api.status.as_u16(), 200);
    assert_eq!(api.code.as_deref(), Some("channel_not_found"));
    assert_eq!(api.request_id.as_deref(), Some("req_slack_1"));
    assert!(!api.retryable && !err.is_retryable());
    assert_eq!(api.headers.get("x-slack-req-id").unwrap(), "req_slack_1");
    assert_eq!(
        serde_json::from_slice::<Value>(&api.body).unwrap(),
        not_found()
    );
    assert!(api.typed_body::<Value>().is_none());
    assert_eq!(hits(&server).await, 1);
}

#[tokio::test]
async fn ok_true_is_a_success_and_decodes() {
    let server = MockServer::start().await;
    Mock::given(path("/conversations.info"))
        .respond_with(slack_200(
            json!({"ok": true, "channel": {"id": "C1"}, "warning": false}),
        ))
        .mount(&server)
        .await;
    let client = builder(slack(), &server).build().unwrap();
    let raw = client.send(get("/conversations.info")).await.unwrap();
    let body: Value = decode_json(&raw).unwrap();
    assert_eq!(body["channel"]["id"], "C1");
    assert_eq!(raw.request_id.as_deref(), Some("req_slack_1"));
}

#[tokio::test]
async fn without_an_ok_flag_an_ok_false_body_is_a_success() {
    let server = MockServer::start().await;
    Mock::given(path("/conversations.info"))
        .respond_with(slack_200(not_found()))
        .mount(&server)
        .await;
    let client = builder(config(), &server).build().unwrap();
    let raw = client.send(get("/conversations.info")).await.unwrap();
    assert_eq!(decode_json::<Value>(&raw).unwrap(), not_found());
}

#[tokio::test]
async fn a_missing_or_non_boolean_flag_or_a_body_that_is_not_json_is_a_success() {
    let server = MockServer::start().await;
    Mock::given(path("/missing"))
        .respond_with(slack_200(json!({"error": "false alarm"})))
        .mount(&server)
        .await;
    Mock::given(path("/string"))
        .respond_with(slack_200(json!({"ok": "false"})))
        .mount(&server)
        .await;
    Mock::given(path("/text"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"{"ok":false}"#, "text/plain"))
        .mount(&server)
        .await;
    Mock::given(path("/broken"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"{"ok":false"#, "application/json"))
        .mount(&server)
        .await;
    let client = builder(slack(), &server).build().unwrap();
    for p in ["/missing", "/string", "/text", "/broken"] {
        let sent = client.send(get(p)).await;
        assert!(sent.is_ok(), "{p}: {sent:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn the_retry_signal_header_can_make_an_ok_false_response_retryable() {
    let server = MockServer::start().await;
    Mock::given(path("/chat.postMessage"))
        .respond_with(
            slack_200(json!({"ok": false, "error": "internal_error"}))
                .insert_header("x-should-retry", "true"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/chat.postMessage"))
        .respond_with(slack_200(json!({"ok": true, "ts": "1.2"})))
        .mount(&server)
        .await;
    let client = builder(slack(), &server).build().unwrap();
    let req = post("/chat.postMessage").options(rt::RequestOptions::new().idempotency_key("k1"));
    let raw = client.send(req).await.unwrap();
    assert_eq!(decode_json::<Value>(&raw).unwrap()["ts"], "1.2");
    assert_eq!(hits(&server).await, 2);
}

#[derive(Debug, serde::Deserialize, PartialEq)]
struct Channel {
    id: String,
}

#[tokio::test]
async fn an_ok_false_page_is_an_error_item_and_ends_the_stream() {
    let server = MockServer::start().await;
    Mock::given(path("/conversations.list"))
        .and(query_param("cursor", "c2"))
        .respond_with(slack_200(json!({"ok": false, "error": "ratelimited"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/conversations.list"))
        .respond_with(slack_200(json!({
            "ok": true,
            "channels": [{"id": "C1"}, {"id": "C2"}],
            "response_metadata": {"next_cursor": "c2"}
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let client = builder(slack(), &server).build().unwrap();
    let pagination = rt::Pagination::token("/channels", "/response_metadata/next_cursor", "cursor");
    let results: Vec<Result<Channel, rt::Error>> =
        paginate_items(client, get("/conversations.list"), pagination)
            .collect()
            .await;
    assert_eq!(results.len(), 3, "two items, then the error, then nothing");
    assert_eq!(results[1].as_ref().unwrap().id, "C2");
    let err = results[2].as_ref().unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(err.api().unwrap().code.as_deref(), Some("ratelimited"));
    assert_eq!(hits(&server).await, 2);
}

#[tokio::test]
async fn a_streaming_call_checks_a_json_body_and_streams_an_event_stream_unchecked() {
    let server = MockServer::start().await;
    Mock::given(path("/files.info"))
        .respond_with(slack_200(not_found()))
        .mount(&server)
        .await;
    Mock::given(path("/events"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw("data: {\"ok\":false}\n\n", "text/event-stream"),
        )
        .mount(&server)
        .await;
    let client = builder(slack(), &server).build().unwrap();
    let err = client.send_streaming(get("/files.info")).await.unwrap_err();
    assert_eq!(
        err.api().unwrap().code.as_deref(),
        Some("channel_not_found")
    );
    let events: Vec<rt::SseEvent> = decode_sse_events(client.send_streaming(get("/events")).await)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(events[0].data, r#"{"ok":false}"#);
}
