//! Multipart uploads: streamed file parts (sent once, never retried), deepObject text parts,
//! and an operation's own server.

use sdkgen_runtime as rt;
use sdkgen_runtime::__private::Multipart;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{builder, client, config, hits, http, post};

fn chunks(
    parts: &'static [&'static str],
) -> impl futures::Stream<Item = Result<&'static str, std::io::Error>> {
    futures::stream::iter(parts.iter().copied().map(Ok))
}

#[tokio::test]
async fn a_streamed_file_part_is_sent_from_its_chunks() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let file = rt::FilePart::stream(11, chunks(&["hello", " ", "world"]))
        .file_name("greeting.txt")
        .content_type("text/plain");
    assert!(file.is_streamed());
    assert_eq!(file.len(), 11);
    assert!(file.data().is_none());
    client(&server)
        .send(post("/files").body_multipart(Multipart::new().file("file", file)))
        .await
        .unwrap();
    let request = server.received_requests().await.unwrap().remove(0);
    let body = String::from_utf8(request.body).unwrap();
    assert!(
        body.contains(
            "filename=\"greeting.txt\"\r\nContent-Type: text/plain\r\n\r\nhello world\r\n"
        ),
        "{body}"
    );
}

#[tokio::test]
async fn a_file_opened_from_disk_is_streamed_with_its_name() {
    let dir = std::env::temp_dir().join(format!("sdkgen-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("report.csv");
    std::fs::write(&path, "a,b\n1,2\n").unwrap();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let file = rt::FilePart::open(&path).await.unwrap();
    assert_eq!((file.len(), file.name()), (8, Some("report.csv")));
    client(&server)
        .send(post("/files").body_multipart(Multipart::new().file("file", file)))
        .await
        .unwrap();
    let body = String::from_utf8(server.received_requests().await.unwrap().remove(0).body).unwrap();
    assert!(body.contains("filename=\"report.csv\""), "{body}");
    assert!(body.contains("\r\n\r\na,b\n1,2\n\r\n"), "{body}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_request_with_a_streamed_file_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    // Retries would normally replay a 503 (an idempotency key makes the POST safe).
    let client = builder(config(), &server)
        .retry(
            rt::RetryPolicy::new()
                .max_retries(3)
                .initial_backoff(std::time::Duration::ZERO),
        )
        .build()
        .unwrap();
    let file = rt::FilePart::stream(2, chunks(&["ok"]));
    let request = post("/files")
        .body_multipart(Multipart::new().file("file", file))
        .options(rt::RequestOptions::new().idempotency_key("key-1"));
    let err = client.send(request.clone()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(hits(&server).await, 1);
    // The stream was used up by the first send; a second send says so instead of sending an
    // empty file.
    let again = client.send(request).await.unwrap_err();
    assert!(
        again.to_string().contains("cannot be sent twice"),
        "{again}"
    );
    assert_eq!(hits(&server).await, 1);
}

#[tokio::test]
async fn deep_object_fields_become_bracketed_text_parts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let form = Multipart::new()
        .text("purpose", "dispute_evidence")
        .deep_object(
            "file_link_data",
            &json!({"create": true, "expires_at": 1700000000}),
        )
        .deep_object("expand", &json!(["links"]));
    client(&server)
        .send(post("/v1/files").body_multipart(form))
        .await
        .unwrap();
    let body = String::from_utf8(server.received_requests().await.unwrap().remove(0).body).unwrap();
    for field in [
        "name=\"purpose\"\r\n\r\ndispute_evidence\r\n",
        "name=\"file_link_data[create]\"\r\n\r\ntrue\r\n",
        "name=\"file_link_data[expires_at]\"\r\n\r\n1700000000\r\n",
        "name=\"expand[]\"\r\n\r\nlinks\r\n",
    ] {
        assert!(body.contains(field), "missing {field:?} in {body}");
    }
}

#[tokio::test]
async fn an_operation_server_replaces_the_default_base_url_but_not_a_chosen_one() {
    let files = MockServer::start().await;
    let api = MockServer::start().await;
    for server in [&files, &api] {
        Mock::given(path("/v1/files"))
            .respond_with(ResponseTemplate::new(200))
            .mount(server)
            .await;
    }
    // The files host is the operation's own server: with the provider's default base URL the
    // call goes there.
    let files_url: &'static str = Box::leak(files.uri().into_boxed_str());
    let api_url: &'static str = Box::leak(api.uri().into_boxed_str());
    let default_client = rt::Client::builder(config().default_base_url(api_url))
        .reqwest_client(http())
        .no_timeouts()
        .build()
        .unwrap();
    default_client
        .send(post("/v1/files").default_server(files_url))
        .await
        .unwrap();
    assert_eq!((hits(&files).await, hits(&api).await), (1, 0));
    // A base URL the caller chose (a proxy, a mock) receives every call.
    client(&api)
        .send(post("/v1/files").default_server(files_url))
        .await
        .unwrap();
    assert_eq!((hits(&files).await, hits(&api).await), (1, 1));
}
