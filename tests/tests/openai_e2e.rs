//! End-to-end calls through the generated OpenAI crate (feature `chat`) against wiremock: a
//! streamed chat completion read as typed server-sent events, and OpenAI's error body.

mod common;

use futures::StreamExt;
use sdkgen_openai::Client;
use sdkgen_openai::types::CreateChatCompletionRequest;
use serde_json::json;
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .auth(sdkgen_runtime::Auth::bearer("sk-test"))
        .retry(sdkgen_runtime::RetryPolicy::disabled())
        .no_rate_limit()
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

fn request(stream: bool) -> CreateChatCompletionRequest {
    serde_json::from_value(json!({
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "Say hi"}],
        "stream": stream,
    }))
    .unwrap_or_else(|e| panic!("request: {e}"))
}

fn chunk(content: &str, finish: Option<&str>) -> String {
    let value = json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}],
    });
    format!("data: {value}\n\n")
}

#[tokio::test]
async fn a_streamed_chat_completion_yields_typed_events_until_done() {
    let server = MockServer::start().await;
    let body = format!(
        "{}{}{}data: [DONE]\n\n",
        chunk("Hi", None),
        chunk(" there", None),
        chunk("!", Some("stop"))
    );
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .and(header("authorization", "Bearer sk-test"))
        .and(body_partial_json(
            json!({"stream": true, "model": "gpt-4o-mini"}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/event-stream")
                .set_body_string(body),
        )
        .expect(1)
        .mount(&server)
        .await;
    let events: Vec<_> = client(&server)
        .create_chat_completion(request(true))
        .stream()
        .collect()
        .await;
    assert_eq!(events.len(), 3, "{events:?}");
    let text: String = events
        .into_iter()
        .map(|e| {
            let e = e.unwrap_or_else(|e| panic!("event: {e}"));
            let delta = serde_json::to_value(&e.choices[0].delta).unwrap_or_default();
            delta["content"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    assert_eq!(text, "Hi there!");
}

#[tokio::test]
async fn an_openai_error_body_becomes_the_normalized_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .respond_with(
            ResponseTemplate::new(400).insert_header("x-request-id", "req_abc").set_body_json(json!({
                "error": {"message": "Unknown model", "type": "invalid_request_error", "code": "model_not_found"}
            })),
        )
        .mount(&server)
        .await;
    common::assert_api_error(
        client(&server)
            .create_chat_completion(request(false))
            .send()
            .await,
        common::Expected {
            status: 400,
            code: Some("model_not_found"),
            message: "Unknown model",
            request_id: "req_abc",
        },
    );
}
