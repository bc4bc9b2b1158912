use sdkgen_runtime as rt;
use sdkgen_runtime::__private::{decode_json, decode_text};
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{builder, client, config, get};

async fn api_error(
    shape: Option<rt::ErrorShape>,
    status: u16,
    body: serde_json::Value,
) -> rt::Error {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(
            ResponseTemplate::new(status)
                .set_body_json(body)
                .insert_header("x-request-id", "req_9"),
        )
        .mount(&server)
        .await;
    let cfg = match shape {
        Some(shape) => config().error_shape(shape),
        None => config(),
    };
    builder(cfg, &server)
        .retry(rt::RetryPolicy::disabled())
        .build()
        .unwrap()
        .send(get("/x"))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_stripe_error_body_is_normalized() {
    let shape = rt::ErrorShape::new()
        .code("/error/code")
        .code("/error/type")
        .message("/error/message");
    let err = api_error(
        Some(shape),
        402,
        json!({"error": {"type": "card_error", "code": "card_declined", "message": "Your card was declined.", "param": "card"}}),
    )
    .await;
    let api = err.api().unwrap();
    assert_eq!(api.status.as_u16(), 402);
    assert_eq!(api.code.as_deref(), Some("card_declined"));
    assert_eq!(api.message.as_deref(), Some("Your card was declined."));
    assert_eq!(api.request_id.as_deref(), Some("req_9"));
    assert!(!api.retryable);
    assert_eq!(api.headers.get("x-request-id").unwrap(), "req_9");
    let body: serde_json::Value = serde_json::from_slice(&api.body).unwrap();
    assert_eq!(body["error"]["param"], "card", "the raw body is kept");
    assert_eq!(
        err.to_string(),
        "API error 402 Payment Required [card_declined]: Your card was declined. (request id req_9)"
    );
}

#[tokio::test]
async fn a_github_error_body_is_normalized() {
    let shape = rt::ErrorShape::new().message("/message");
    let err = api_error(
        Some(shape),
        422,
        json!({"message": "Validation Failed", "documentation_url": "https://docs", "errors": [{"resource": "Issue", "code": "missing_field"}]}),
    )
    .await;
    let api = err.api().unwrap();
    assert_eq!(api.message.as_deref(), Some("Validation Failed"));
    assert_eq!(api.code, None);
}

#[tokio::test]
async fn an_openai_error_body_is_normalized() {
    let shape = rt::ErrorShape::new()
        .code("/error/code")
        .code("/error/type")
        .message("/error/message");
    let err = api_error(
        Some(shape),
        404,
        json!({"error": {"message": "The model does not exist", "type": "invalid_request_error", "code": null}}),
    )
    .await;
    let api = err.api().unwrap();
    assert_eq!(api.code.as_deref(), Some("invalid_request_error"));
    assert_eq!(api.message.as_deref(), Some("The model does not exist"));
}

#[tokio::test]
async fn a_twilio_numeric_code_is_normalized_to_text() {
    let shape = rt::ErrorShape::new().code("/code").message("/message");
    let err = api_error(
        Some(shape),
        404,
        json!({"code": 20404, "message": "The requested resource was not found", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}),
    )
    .await;
    let api = err.api().unwrap();
    assert_eq!(api.code.as_deref(), Some("20404"));
    assert_eq!(
        api.message.as_deref(),
        Some("The requested resource was not found")
    );
}

#[tokio::test]
async fn sendgrid_error_messages_are_joined() {
    let shape = rt::ErrorShape::new().message_list("/errors", "message");
    let err = api_error(
        Some(shape),
        400,
        json!({"errors": [{"message": "from is required", "field": "from"}, {"message": "subject is required", "field": "subject"}]}),
    )
    .await;
    assert_eq!(
        err.api().unwrap().message.as_deref(),
        Some("from is required; subject is required")
    );
}

#[tokio::test]
async fn common_layouts_are_found_without_a_shape() {
    let err = api_error(
        None,
        400,
        json!({"error": {"message": "nope", "code": "bad"}}),
    )
    .await;
    let api = err.api().unwrap();
    assert_eq!(
        (api.code.as_deref(), api.message.as_deref()),
        (Some("bad"), Some("nope"))
    );
}

#[tokio::test]
async fn an_html_502_page_is_a_clear_api_error() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(
            ResponseTemplate::new(502)
                .set_body_raw("<html><body>Bad Gateway</body></html>", "text/html"),
        )
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .retry(rt::RetryPolicy::disabled())
        .build()
        .unwrap();
    let err = c.send(get("/x")).await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.message, None);
    assert!(api.retryable);
    assert!(err.to_string().contains("Bad Gateway"), "{err}");
}

#[tokio::test]
async fn an_html_page_with_status_200_is_a_decode_error_naming_the_content_type() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("<!doctype html><p>login</p>", "text/html"),
        )
        .mount(&server)
        .await;
    let raw = client(&server).send(get("/x")).await.unwrap();
    let err = decode_json::<serde_json::Value>(&raw).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("HTML") && text.contains("text/html"),
        "{text}"
    );
}

#[tokio::test]
async fn a_truncated_json_body_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(r#"{"id": "cus_1", "name": "Ad"#, "application/json"),
        )
        .mount(&server)
        .await;
    let raw = client(&server).send(get("/x")).await.unwrap();
    let err = decode_json::<serde_json::Value>(&raw).unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[tokio::test]
async fn a_wrong_content_type_is_a_decode_error_naming_it() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("OK", "text/plain"))
        .mount(&server)
        .await;
    let raw = client(&server).send(get("/x")).await.unwrap();
    match decode_json::<serde_json::Value>(&raw).unwrap_err() {
        err @ rt::Error::Decode { .. } => {
            let text = err.to_string();
            assert!(text.contains("expected JSON but got text/plain"), "{text}");
            assert!(text.contains("status 200"), "{text}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

/// A server that promises 100 bytes, sends 10 and closes the connection.
async fn cut_off_server() -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let _ = socket
                .write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"id\": \"cu",
                )
                .await;
            let _ = socket.shutdown().await;
        }
    });
    addr
}

#[tokio::test]
async fn a_body_cut_off_mid_transfer_is_a_transport_error_that_may_have_been_sent() {
    let addr = cut_off_server().await;
    let c = rt::Client::builder(config())
        .base_url(format!("http://{addr}"))
        .retry(rt::RetryPolicy::disabled())
        .build()
        .unwrap();
    match c.send(get("/x")).await.unwrap_err() {
        err @ rt::Error::Transport {
            may_have_been_sent: true,
            ..
        } => assert!(err.to_string().contains("may have been sent"), "{err}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct Customer {
    id: String,
    orders: Vec<Order>,
}

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct Order {
    total: u64,
}

#[test]
fn a_decode_errors_debug_shows_a_bounded_excerpt_of_a_large_body() {
    let raw = sdkgen_runtime::__private::RawResponse {
        status: http::StatusCode::OK,
        headers: http::HeaderMap::new(),
        request_id: None,
        body: bytes::Bytes::from(format!("[{}]", "1,".repeat(500_000) + "1")),
        url: None,
    };
    let err = decode_json::<Customer>(&raw).unwrap_err();
    let debug = format!("{err:?}");
    assert!(debug.len() < 4_000, "Debug is {} bytes", debug.len());
    assert!(debug.contains("1000003 bytes"), "{debug}");
}

#[tokio::test]
async fn a_decode_error_reports_the_json_path_status_and_excerpt() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "cus_1", "orders": [{"total": 1}, {"total": "ten"}]}))
                .insert_header("x-request-id", "req_7"),
        )
        .mount(&server)
        .await;
    let raw = client(&server).send(get("/x")).await.unwrap();
    match decode_json::<Customer>(&raw).unwrap_err() {
        rt::Error::Decode {
            status,
            path,
            excerpt,
            body,
            request_id,
            ..
        } => {
            assert_eq!(status.as_u16(), 200);
            assert_eq!(path.as_deref(), Some("orders[1].total"));
            assert!(excerpt.contains("cus_1"));
            assert_eq!(request_id.as_deref(), Some("req_7"));
            // The whole body stays with the error, for a caller who reads it another way.
            let whole: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(whole["orders"][1]["total"], "ten");
            assert_eq!(body.bytes().len(), raw.body.len());
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_empty_body_decodes_as_unit_and_text() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let raw = client(&server).send(get("/x")).await.unwrap();
    decode_json::<()>(&raw).unwrap();
    assert!(decode_json::<Option<Customer>>(&raw).unwrap().is_none());
    assert!(decode_json::<Customer>(&raw).is_err());
    assert_eq!(decode_text(&raw).unwrap(), "");
    let resp = raw.into_response(());
    assert_eq!(resp.status.as_u16(), 204);
}

/// An object whose properties are all optional, like GitHub's `empty-object`.
#[derive(Debug, serde::Deserialize, PartialEq, Default)]
struct Accepted {
    #[serde(default)]
    id: Option<String>,
}

#[tokio::test]
async fn an_empty_or_null_body_reads_as_an_object_whose_properties_are_all_optional() {
    let server = MockServer::start().await;
    Mock::given(path("/empty"))
        .respond_with(ResponseTemplate::new(202))
        .mount(&server)
        .await;
    Mock::given(path("/null"))
        .respond_with(ResponseTemplate::new(201).set_body_string("null"))
        .mount(&server)
        .await;
    for at in ["/empty", "/null"] {
        let raw = client(&server).send(get(at)).await.unwrap();
        assert_eq!(decode_json::<Accepted>(&raw).unwrap(), Accepted::default());
        // A type with a required property still says what is missing.
        let err = decode_json::<Customer>(&raw).unwrap_err().to_string();
        assert!(err.contains("empty") || err.contains("null"), "{at}: {err}");
    }
}

#[derive(Debug, serde::Deserialize, PartialEq)]
struct NotFound {
    message: String,
}

#[tokio::test]
async fn a_typed_error_body_can_be_attached_and_read_back() {
    let err = api_error(None, 404, json!({"message": "no such thing"})).await;
    let err = err.with_typed_body(|status, body| {
        (status == 404)
            .then(|| serde_json::from_slice::<NotFound>(body).ok())
            .flatten()
            .map(|b| Box::new(b) as Box<dyn std::any::Any + Send + Sync>)
    });
    let api = err.api().unwrap();
    assert_eq!(
        api.typed_body::<NotFound>().unwrap().message,
        "no such thing"
    );
    assert!(api.typed_body::<String>().is_none());
}

/// Issue 12: a JSON syntax error was reported "at `?`"; it names the line and column.
#[tokio::test]
async fn a_json_syntax_error_names_line_and_column() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw("{\"id\": 1,\n  \"a\": [1,,2]}", "application/json"),
        )
        .mount(&server)
        .await;
    let raw = client(&server).send(get("/x")).await.unwrap();
    let err = decode_json::<serde_json::Value>(&raw).unwrap_err();
    let text = err.to_string();
    assert!(!text.contains('?'), "{text}");
    assert!(text.contains("line 2, column 11"), "{text}");
    assert!(text.contains("at `a[1]`"), "{text}");
}

/// Issue 12: a request id that is not UTF-8 was dropped; it is kept, lossily.
#[tokio::test]
async fn a_request_id_that_is_not_utf8_is_kept_lossily() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(400).insert_header(
            "x-request-id",
            rt::http::HeaderValue::from_bytes(b"req-\xff1").unwrap(),
        ))
        .mount(&server)
        .await;
    let err = client(&server).send(get("/x")).await.unwrap_err();
    assert_eq!(err.request_id(), Some("req-\u{fffd}1"));
}
