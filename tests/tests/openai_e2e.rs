//! End-to-end calls through the generated OpenAI crate (features `chat` and `files`) against
//! wiremock: a streamed chat completion read as typed server-sent events, OpenAI's error body,
//! the organization and project headers from the crate's `ClientBuilderExt`, the exact
//! multipart bytes of a file upload, and a file list walked over three `after`/`last_id` pages.

mod common;

use futures::StreamExt;
use sdkgen_openai::Client;
use sdkgen_openai::types::CreateChatCompletionRequest;
use serde_json::json;
use wiremock::matchers::{
    body_partial_json, header, method, path, query_param, query_param_is_missing,
};
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

#[tokio::test]
async fn organization_and_project_headers_go_on_every_request() {
    use sdkgen_openai::ClientBuilderExt as _;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .and(header("authorization", "Bearer sk-test"))
        .and(header("openai-organization", "org-42"))
        .and(header("openai-project", "proj_7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "chatcmpl-2", "object": "chat.completion", "created": 1_700_000_000,
            "model": "gpt-4o-mini",
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": null,
                         "message": {"role": "assistant", "content": "hi", "refusal": null}}],
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .auth(sdkgen_runtime::Auth::bearer("sk-test"))
        .organization("org-42")
        .project("proj_7")
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    let done = client
        .create_chat_completion(request(false))
        .send()
        .await
        .unwrap_or_else(|e| panic!("chat: {e}"));
    assert_eq!(done.id, "chatcmpl-2");
}

#[tokio::test]
async fn a_file_upload_sends_exact_multipart_parts() {
    use sdkgen_openai::types::{CreateFileRequest, CreateFileRequestPurpose};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/files"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "file-abc", "object": "file", "bytes": 34, "created_at": 1_700_000_000,
            "filename": "train.jsonl", "purpose": "fine-tune", "status": "processed",
        })))
        .expect(1)
        .mount(&server)
        .await;
    let contents = "{\"prompt\": \"a\", \"completion\": \"b\"}\n";
    let body = CreateFileRequest {
        file: sdkgen_runtime::FilePart::new(contents)
            .file_name("train.jsonl")
            .content_type("application/jsonl"),
        purpose: CreateFileRequestPurpose::FineTune,
        expires_after: None,
    };
    let file = client(&server)
        .create_file(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("upload: {e}"));
    assert_eq!(file.id, "file-abc");

    let requests = server.received_requests().await.unwrap_or_default();
    let sent = &requests[0];
    let content_type = sent
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart: {content_type}"));
    let expected = format!(
        "--{boundary}\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"train.jsonl\"\r\n\
         Content-Type: application/jsonl\r\n\r\n\
         {contents}\r\n\
         --{boundary}\r\n\
         Content-Disposition: form-data; name=\"purpose\"\r\n\r\n\
         fine-tune\r\n\
         --{boundary}--\r\n"
    );
    assert_eq!(String::from_utf8_lossy(&sent.body), expected);
}

fn files_page(ids: &[&str], has_more: bool) -> serde_json::Value {
    let files: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| {
            json!({"id": id, "object": "file", "bytes": 10, "created_at": 1_700_000_000,
                   "filename": format!("{id}.jsonl"), "purpose": "fine-tune", "status": "processed"})
        })
        .collect();
    json!({
        "object": "list", "data": files, "has_more": has_more,
        "first_id": ids.first().copied().unwrap_or_default(),
        "last_id": ids.last().copied().unwrap_or_default(),
    })
}

#[tokio::test]
async fn files_are_listed_over_three_pages_with_after_last_id() {
    let server = MockServer::start().await;
    for (after, ids, more) in [
        ("file-2", vec!["file-3", "file-4"], true),
        ("file-4", vec!["file-5"], false),
    ] {
        Mock::given(method("GET"))
            .and(path("/files"))
            .and(query_param("after", after))
            .and(query_param("limit", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(files_page(&ids, more)))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/files"))
        .and(query_param_is_missing("after"))
        .and(header("authorization", "Bearer sk-test"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(files_page(&["file-1", "file-2"], true)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let ids: Vec<String> = client(&server)
        .list_files()
        .limit(2)
        .stream()
        .map(|f| f.unwrap_or_else(|e| panic!("file: {e}")).id)
        .collect()
        .await;
    assert_eq!(ids, ["file-1", "file-2", "file-3", "file-4", "file-5"]);
}
