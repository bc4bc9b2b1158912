//! `Client::from_env` and `Client::builder_from_env` of generated crates: credentials and
//! provider headers read from the variables each `sdkgen.toml` names, and a clear error naming
//! the variable when one is missing.
//!
//! The process environment is global, so everything that changes it is one test in this binary
//! (tests in one binary run on several threads).

use sdkgen_runtime::Error;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCOUNT: &str = "AC00000000000000000000000000000042";

#[tokio::test]
async fn credentials_and_headers_come_from_the_environment() {
    // SAFETY: this is the only test in this binary, and nothing else in it reads or writes the
    // environment while these calls run.
    unsafe {
        std::env::remove_var("TWILIO_ACCOUNT_SID");
        std::env::remove_var("TWILIO_AUTH_TOKEN");
        std::env::remove_var("OPENAI_API_KEY");
        std::env::remove_var("OPENAI_ORG_ID");
        std::env::remove_var("OPENAI_PROJECT_ID");
    }
    match sdkgen_twilio::api_v2010::Client::from_env() {
        Err(Error::Build { message }) => {
            assert!(message.contains("TWILIO_ACCOUNT_SID"), "{message}")
        }
        other => panic!("expected a build error naming the variable, got {other:?}"),
    }

    // SAFETY: as above.
    unsafe {
        std::env::set_var("TWILIO_ACCOUNT_SID", ACCOUNT);
        std::env::set_var("TWILIO_AUTH_TOKEN", "env_auth_token");
        std::env::set_var("OPENAI_API_KEY", "sk-from-env");
        std::env::set_var("OPENAI_ORG_ID", "org-env");
    }
    let server = MockServer::start().await;
    let basic = format!(
        "Basic {}",
        sdkgen_runtime::Base64(format!("{ACCOUNT}:env_auth_token").into_bytes()).encode()
    );
    Mock::given(method("GET"))
        .and(path(format!(
            "/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
        )))
        .and(header("authorization", basic.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"messages": []})))
        .expect(1)
        .mount(&server)
        .await;
    let twilio = sdkgen_twilio::api_v2010::Client::builder_from_env()
        .and_then(|b| b.base_url(server.uri()).build())
        .unwrap_or_else(|e| panic!("twilio from env: {e}"));
    let listed = twilio
        .messages()
        .list(ACCOUNT)
        .send()
        .await
        .unwrap_or_else(|e| panic!("list: {e}"));
    assert_eq!(listed.messages.map(|m| m.len()), Some(0));

    // OpenAI: the key as a bearer token and the organization header; the project variable is
    // unset, so no project header is sent.
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .and(header("authorization", "Bearer sk-from-env"))
        .and(header("openai-organization", "org-env"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"error": {"message": "bad", "type": "invalid_request_error", "code": "x"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let openai = sdkgen_openai::Client::builder_from_env()
        .and_then(|b| b.base_url(server.uri()).build())
        .unwrap_or_else(|e| panic!("openai from env: {e}"));
    use sdkgen_openai::types::{
        ChatCompletionRequestMessage, ChatCompletionRequestUserMessage, CreateChatCompletionRequest,
    };
    let request = CreateChatCompletionRequest::new(
        vec![ChatCompletionRequestMessage::from(
            ChatCompletionRequestUserMessage::new("hi"),
        )],
        "gpt-4o-mini",
    );
    let err = openai
        .chat()
        .completions()
        .create(request)
        .send()
        .await
        .err()
        .unwrap_or_else(|| panic!("expected the 400"));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err}");
    let requests = server.received_requests().await.unwrap_or_default();
    let chat = requests
        .iter()
        .find(|r| r.url.path() == "/chat/completions")
        .unwrap_or_else(|| panic!("no chat request"));
    assert!(chat.headers.get("openai-project").is_none());
    // The constructor filled the one-value `role` itself.
    let sent: serde_json::Value =
        serde_json::from_slice(&chat.body).unwrap_or_else(|e| panic!("body: {e}"));
    assert_eq!(
        sent,
        json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
    );
}
