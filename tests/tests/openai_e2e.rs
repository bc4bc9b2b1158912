//! End-to-end calls through the generated OpenAI crate (features `chat` and `files`) against
//! wiremock: a streamed chat completion read as typed server-sent events, OpenAI's error body,
//! the organization and project headers from the crate's `ClientBuilderExt`, the exact
//! multipart bytes of a file upload, a file list walked over three `after`/`last_id` pages,
//! and a speech request whose `Accept` names the audio it answers with.
//! The server answers with the response examples of the spec (`x-oaiMeta`).

mod common;

use futures::StreamExt;
use sdkgen_openai::Client;
use sdkgen_openai::types::{
    ChatCompletionRequestMessage, ChatCompletionRequestUserMessage, CreateChatCompletionRequest,
};
use serde_json::json;
use wiremock::matchers::{
    body_partial_json, header, headers, method, path, query_param, query_param_is_missing,
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

/// Built as a user builds it: constructors for the required fields, and `From` for the
/// message union (the user message's `role` has one possible value, so it is not an argument).
fn request() -> CreateChatCompletionRequest {
    CreateChatCompletionRequest::new(
        vec![ChatCompletionRequestMessage::from(
            ChatCompletionRequestUserMessage::new("Say hi"),
        )],
        "gpt-4o-mini",
    )
}

fn spec() -> &'static serde_json::Value {
    common::spec::load("openai", "openapi.yaml")
}

/// The spec's streaming chat example, one JSON chunk per paragraph, framed as the server sends
/// it: one `data:` event per chunk, then `[DONE]`.
fn streaming_example_body(spec: &serde_json::Value) -> (String, usize) {
    let text =
        common::spec::oai_meta_response(spec, "post", "/chat/completions", Some("Streaming"));
    let chunks: Vec<&str> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|c| c.starts_with('{'))
        .collect();
    let mut body: String = chunks.iter().map(|c| format!("data: {c}\n\n")).collect();
    body.push_str("data: [DONE]\n\n");
    (body, chunks.len())
}

#[tokio::test]
async fn a_streamed_chat_completion_yields_typed_events_until_done() {
    let server = MockServer::start().await;
    let (body, chunks) = streaming_example_body(spec());
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
    // The request leaves `stream` unset: `events()` asks for the stream itself. The stream is
    // `Unpin`, so the plain `while let` loop compiles.
    let mut stream = client(&server)
        .chat()
        .completions()
        .create(request())
        .events();
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        events.push(event.unwrap_or_else(|e| panic!("event: {e}")));
    }
    assert_eq!(events.len(), chunks, "{events:?}");
    assert!(events.iter().all(|e| e.id == "chatcmpl-123"));
    let text: String = events
        .iter()
        .map(|e| {
            let delta = serde_json::to_value(&e.choices[0].delta).unwrap_or_default();
            delta["content"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    assert_eq!(text, "Hello");
    let last = serde_json::to_value(&events[chunks - 1].choices[0]).unwrap_or_default();
    assert_eq!(last["finish_reason"], "stop");
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
            .chat()
            .completions()
            .create(request())
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
        .respond_with(
            ResponseTemplate::new(200).set_body_json(common::spec::lenient_json(
                &common::spec::oai_meta_response(
                    spec(),
                    "post",
                    "/chat/completions",
                    Some("Default"),
                ),
            )),
        )
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
        .chat()
        .completions()
        .create(request())
        .send()
        .await
        .unwrap_or_else(|e| panic!("chat: {e}"));
    assert_eq!(done.id, "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT");
    assert_eq!(
        done.choices[0].message.content.as_deref(),
        Some("Hello! How can I assist you today?")
    );
    assert_eq!(done.usage.map(|u| u.total_tokens), Some(29));
}

#[tokio::test]
async fn a_file_upload_sends_exact_multipart_parts() {
    use sdkgen_openai::types::{CreateFileRequest, CreateFileRequestPurpose};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/files"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(common::spec::lenient_json(
                &common::spec::oai_meta_response(spec(), "post", "/files", None),
            )),
        )
        .expect(1)
        .mount(&server)
        .await;
    let contents = "{\"prompt\": \"a\", \"completion\": \"b\"}\n";
    let body = CreateFileRequest::new(
        sdkgen_runtime::FilePart::new(contents)
            .file_name("train.jsonl")
            .content_type("application/jsonl"),
        CreateFileRequestPurpose::FineTune,
    );
    let file = client(&server)
        .files()
        .create(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("upload: {e}"));
    assert_eq!(file.id, "file-abc123");
    assert_eq!(file.bytes, 120_000);

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

/// The text parts of a multipart body, by name, in order (file parts left out).
fn text_parts(body: &[u8], content_type: &str) -> Vec<(String, String)> {
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart: {content_type}"));
    let text = String::from_utf8_lossy(body);
    text.split(&format!("--{boundary}"))
        .filter_map(|part| {
            let (head, value) = part.split_once("\r\n\r\n")?;
            if head.contains("filename=") {
                return None;
            }
            let name = head.split("name=\"").nth(1)?.split('"').next()?;
            Some((name.to_owned(), value.trim_end_matches("\r\n").to_owned()))
        })
        .collect()
}

/// Objects and arrays in OpenAI's multipart forms go in bracket notation, as openai-python and
/// the API reference's curl examples send them (`[encoding] multipart = "brackets"`), not as
/// OpenAPI's default JSON part and repeated parts.
#[tokio::test]
async fn multipart_objects_and_arrays_go_in_bracket_notation() {
    use sdkgen_openai::types::{
        CreateFileRequest, CreateFileRequestPurpose, CreateTranscriptionRequest,
        CreateTranscriptionRequestModel, CreateTranscriptionRequestTimestampGranularitiesItem,
        FileExpirationAfter, TranscriptionInclude,
    };
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/files"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(common::spec::lenient_json(
                &common::spec::oai_meta_response(spec(), "post", "/files", None),
            )),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/audio/transcriptions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"text": "hello"})))
        .mount(&server)
        .await;
    let openai = client(&server);
    openai
        .files()
        .create(
            CreateFileRequest::new(
                sdkgen_runtime::FilePart::new("{}\n").file_name("batch.jsonl"),
                CreateFileRequestPurpose::Batch,
            )
            .expires_after(FileExpirationAfter::new(3600)),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("upload: {e}"));
    openai
        .audio()
        .transcriptions()
        .create(
            CreateTranscriptionRequest::new(
                sdkgen_runtime::FilePart::new(vec![0u8; 4]).file_name("a.mp3"),
                CreateTranscriptionRequestModel::Whisper1,
            )
            .timestamp_granularities(vec![
                CreateTranscriptionRequestTimestampGranularitiesItem::Word,
                CreateTranscriptionRequestTimestampGranularitiesItem::Segment,
            ])
            .include(vec![TranscriptionInclude::Logprobs]),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("transcription: {e}"));

    let requests = server.received_requests().await.unwrap_or_default();
    let parts = |i: usize| {
        let sent = &requests[i];
        let content_type = sent
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        text_parts(&sent.body, content_type)
    };
    let pair = |n: &str, v: &str| (n.to_owned(), v.to_owned());
    assert_eq!(
        parts(0),
        [
            pair("purpose", "batch"),
            pair("expires_after[anchor]", "created_at"),
            pair("expires_after[seconds]", "3600"),
        ]
    );
    assert_eq!(
        parts(1),
        [
            pair("model", "whisper-1"),
            pair("include[]", "logprobs"),
            pair("timestamp_granularities[]", "word"),
            pair("timestamp_granularities[]", "segment"),
        ]
    );
}

/// Page `n` of a file list: the spec's example, with its files renamed for the page.
fn files_page(example: &serde_json::Value, n: usize, has_more: bool) -> serde_json::Value {
    let mut page = example.clone();
    if let Some(files) = page["data"].as_array_mut() {
        for file in files.iter_mut() {
            let id = format!("{}-p{n}", file["id"].as_str().unwrap_or_default());
            file["id"] = json!(id);
        }
    }
    page["first_id"] = page["data"][0]["id"].clone();
    page["last_id"] = page["data"][1]["id"].clone();
    page["has_more"] = json!(has_more);
    page
}

#[tokio::test]
async fn files_are_listed_over_three_pages_with_after_last_id() {
    let server = MockServer::start().await;
    let example = common::spec::lenient_json(&common::spec::oai_meta_response(
        spec(),
        "get",
        "/files",
        None,
    ));
    for (after, n, more) in [("file-abc456-p1", 2, true), ("file-abc456-p2", 3, false)] {
        Mock::given(method("GET"))
            .and(path("/files"))
            .and(query_param("after", after))
            .and(query_param("limit", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(files_page(&example, n, more)))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/files"))
        .and(query_param_is_missing("after"))
        .and(header("authorization", "Bearer sk-test"))
        .respond_with(ResponseTemplate::new(200).set_body_json(files_page(&example, 1, true)))
        .expect(1)
        .mount(&server)
        .await;
    let files: Vec<_> = client(&server)
        .files()
        .list()
        .limit(2)
        .items()
        .map(|f| f.unwrap_or_else(|e| panic!("file: {e}")))
        .collect()
        .await;
    let ids: Vec<&str> = files.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "file-abc123-p1",
            "file-abc456-p1",
            "file-abc123-p2",
            "file-abc456-p2",
            "file-abc123-p3",
            "file-abc456-p3"
        ]
    );
    assert_eq!(files[1].filename, "puppy.jsonl");
}

/// `POST /audio/speech` answers with audio: an `Accept: application/json` gets a 406 from a
/// server that checks it, so the request names the media types the operation declares.
#[tokio::test]
async fn speech_asks_for_the_audio_it_answers_with() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/audio/speech"))
        .and(headers(
            "accept",
            vec!["application/octet-stream", "application/json"],
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "audio/mpeg")
                .set_body_bytes(b"ID3audio".to_vec()),
        )
        .expect(1)
        .mount(&server)
        .await;
    let request = sdkgen_openai::types::CreateSpeechRequest::new(
        "gpt-4o-mini-tts",
        "Hello",
        sdkgen_openai::types::VoiceIdsShared::from("alloy"),
    );
    let audio = client(&server)
        .audio()
        .speech()
        .create(request)
        .send()
        .await
        .unwrap_or_else(|e| panic!("speech: {e}"));
    assert_eq!(&audio[..], b"ID3audio");
}
