use futures::{StreamExt, TryStreamExt};
use sdkgen_runtime as rt;
use sdkgen_runtime::__private::{SseParser, decode_sse_events, stream_sse};
use wiremock::matchers::{header, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{Rng, client, post};

#[derive(Debug, serde::Deserialize, PartialEq)]
struct Chunk {
    delta: String,
}

const BODY: &str = "retry: 3000\n\n: keep-alive\n\ndata: {\"delta\":\"Hel\"}\n\nevent: message\r\ndata: {\"delta\":\r\ndata: \"lo\"}\r\n\r\ndata: [DONE]\n\ndata: {\"delta\":\"ignored\"}\n\n";

async fn sse_server(body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .and(header("accept", "text/event-stream"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.to_owned(), "text/event-stream"))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn server_sent_events_are_decoded_into_types_until_done() {
    let server = sse_server(BODY).await;
    let chunks: Vec<Chunk> = stream_sse::<Chunk>(client(&server), post("/v1/chat/completions"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        chunks,
        [
            Chunk {
                delta: "Hel".into()
            },
            Chunk { delta: "lo".into() }
        ]
    );
}

#[tokio::test]
async fn raw_events_keep_their_type_id_and_retry() {
    let server =
        sse_server("id: 7\nevent: ping\ndata: a\ndata: b\n\nretry: 100\ndata: c\n\n").await;
    let c = client(&server);
    let req = post("/v1/chat/completions").header_param("accept", &"text/event-stream");
    let events: Vec<rt::SseEvent> = decode_sse_events(c.send_streaming(req).await)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].event.as_deref(), Some("ping"));
    assert_eq!(events[0].id.as_deref(), Some("7"));
    assert_eq!(events[0].data, "a\nb");
    assert_eq!(events[1].retry, Some(100));
    assert_eq!(events[1].data, "c");
}

async fn raw_events(body: &str) -> Vec<Result<rt::SseEvent, rt::Error>> {
    let server = sse_server(body).await;
    let req = post("/v1/chat/completions").header_param("accept", &"text/event-stream");
    decode_sse_events(client(&server).send_streaming(req).await)
        .collect()
        .await
}

#[tokio::test]
async fn an_event_the_body_ends_inside_is_not_delivered_and_ends_the_stream_with_an_error() {
    // A complete `data` line, but no blank line: the event never ended.
    let items = raw_events("data: a\n\ndata: b\n").await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().data, "a");
    let err = items[1].as_ref().unwrap_err();
    assert!(
        matches!(
            err,
            rt::Error::EventStream(rt::EventStreamError::Truncated { pending: 1 })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("ended mid-event"), "{err}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_body_that_ends_between_events_ends_the_stream_cleanly_without_done() {
    for body in [
        "data: a\n\n",
        "data: a\n\n: keep-alive",
        "data: a\n\nretry: 5\n",
    ] {
        let items = raw_events(body).await;
        assert_eq!(items.len(), 1, "{body:?}: {items:?}");
        assert_eq!(items[0].as_ref().unwrap().data, "a");
    }
}

#[tokio::test]
async fn a_typed_stream_cut_in_the_middle_of_the_json_is_a_truncation_not_a_decode_error() {
    let server = sse_server("data: {\"delta\":\"Hel\"}\n\ndata: {\"delta\":\"lo").await;
    let items: Vec<Result<Chunk, rt::Error>> =
        stream_sse(client(&server), post("/v1/chat/completions"))
            .collect()
            .await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().delta, "Hel");
    match &items[1] {
        Err(rt::Error::EventStream(rt::EventStreamError::Truncated { .. })) => {}
        other => panic!("expected a truncation, got {other:?}"),
    }
}

#[tokio::test]
async fn a_failed_streaming_call_is_the_only_item() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(serde_json::json!({"error": {"message": "bad model"}})),
        )
        .mount(&server)
        .await;
    let items: Vec<Result<Chunk, rt::Error>> =
        stream_sse(client(&server), post("/v1/chat/completions"))
            .collect()
            .await;
    assert_eq!(items.len(), 1);
    let err = items[0].as_ref().unwrap_err();
    assert_eq!(err.api().unwrap().message.as_deref(), Some("bad model"));
}

#[tokio::test]
async fn event_data_that_does_not_match_the_type_is_a_decode_error() {
    let server = sse_server("data: {\"other\":1}\n\n").await;
    let items: Vec<Result<Chunk, rt::Error>> =
        stream_sse(client(&server), post("/v1/chat/completions"))
            .collect()
            .await;
    match &items[0] {
        Err(rt::Error::Decode { excerpt, .. }) => assert!(excerpt.contains("other")),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_event_longer_than_the_per_call_limit_ends_the_stream_with_a_typed_error() {
    let long = "x".repeat(300);
    let body = format!("data: {{\"delta\":\"ok\"}}\n\ndata: {{\"delta\":\"{long}\"}}\n\n");
    let server = sse_server(&body).await;
    let req = post("/v1/chat/completions").options(rt::RequestOptions::new().max_event_size(100));
    let items: Vec<Result<Chunk, rt::Error>> = stream_sse(client(&server), req).collect().await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().delta, "ok");
    match &items[1] {
        Err(rt::Error::EventStream(rt::EventStreamError::TooLarge { limit: 100 })) => {}
        other => panic!("expected the event to be refused, got {other:?}"),
    }
}

/// Parse `chunks` to the end: the events, and how the stream ended.
fn parse_pieces(
    chunks: &[&[u8]],
    limit: usize,
) -> (Vec<rt::SseEvent>, Result<(), rt::EventStreamError>) {
    let mut parser = SseParser::new(limit);
    let mut events = Vec::new();
    for chunk in chunks {
        let result = parser.push(chunk);
        events.extend(std::iter::from_fn(|| parser.next_event()));
        if result.is_err() {
            return (events, result);
        }
    }
    let result = parser.finish();
    events.extend(std::iter::from_fn(|| parser.next_event()));
    (events, result)
}

/// A valid stream of `n` events, with comments and every kind of line end, and the events
/// it holds.
fn valid_stream(rng: &mut Rng, n: usize) -> (Vec<u8>, Vec<rt::SseEvent>) {
    const TEXT: &[&str] = &[
        "x",
        "{\"a\":1}",
        " lead",
        "é",
        "ü€",
        ":",
        "data: no",
        "[DONE]",
        "",
    ];
    // One kind of line end per stream: a `\r` followed by the `\n` of a blank line would be
    // one `\r\n` line end.
    let eol = *rng.pick(&["\n", "\r\n", "\r"]);
    let mut body = String::new();
    let mut events = Vec::new();
    if rng.below(4) == 0 {
        body.push('\u{feff}');
    }
    for _ in 0..n {
        let mut event = rt::SseEvent::default();
        if rng.below(3) == 0 {
            body.push_str(&format!(": comment {}{eol}", rng.next()));
        }
        if rng.below(2) == 0 {
            let kind = *rng.pick(&["message", "ping", "delta"]);
            body.push_str(&format!("event: {kind}{eol}"));
            event.event = Some(kind.to_owned());
        }
        if rng.below(3) == 0 {
            let id = rng.below(1000).to_string();
            body.push_str(&format!("id:{id}{eol}"));
            event.id = Some(id);
        }
        if rng.below(4) == 0 {
            let retry = rng.below(10_000) as u64;
            body.push_str(&format!("retry: {retry}{eol}"));
            event.retry = Some(retry);
        }
        let lines: Vec<String> = (0..1 + rng.below(3))
            .map(|_| (0..rng.below(4)).map(|_| *rng.pick(TEXT)).collect())
            .collect();
        for line in &lines {
            body.push_str(&format!("data: {line}{eol}"));
        }
        event.data = lines.join("\n");
        body.push_str(eol);
        events.push(event);
    }
    (body.into_bytes(), events)
}

#[test]
fn valid_streams_give_the_same_events_however_they_are_split() {
    let mut rng = Rng::new(12);
    for round in 0..300 {
        let n = rng.below(6);
        let (body, expected) = valid_stream(&mut rng, n);
        let text = String::from_utf8_lossy(&body).into_owned();
        assert_eq!(
            parse_pieces(&[&body], 1 << 20),
            (expected.clone(), Ok(())),
            "round {round}: {text:?}"
        );
        for _ in 0..5 {
            let pieces = rng.pieces(&body);
            assert_eq!(
                parse_pieces(&pieces, 1 << 20),
                (expected.clone(), Ok(())),
                "round {round}: {pieces:?}"
            );
        }
    }
}

#[test]
fn arbitrary_bytes_never_panic_and_give_the_same_result_however_they_are_split() {
    const TOKENS: &[&[u8]] = &[
        b"data",
        b"\ndata:",
        b"\xFF\xFE\xFD",
        b"event",
        b"id",
        b"retry",
        b":",
        b" ",
        b"\r",
        b"\n",
        b"\r\n",
        b"x",
        b"7",
        b"\xC3\xA9",
        b"\xEF\xBB\xBF",
        b"\xFF",
        b"\0",
    ];
    let mut rng = Rng::new(13);
    for round in 0..2_000 {
        let body: Vec<u8> = (0..rng.below(120))
            .flat_map(|_| rng.pick(TOKENS).iter().copied())
            .collect();
        let limit = *rng.pick(&[4, 16, 32, 64, 1 << 20]);
        let whole = parse_pieces(&[&body], limit);
        for _ in 0..3 {
            let pieces = rng.pieces(&body);
            assert_eq!(
                parse_pieces(&pieces, limit),
                whole,
                "round {round}: {pieces:?}"
            );
        }
    }
}

/// A server that answers with an event stream delimited by closing the connection (no
/// length, no chunking), and closes it in the middle of the second event.
async fn connection_close_server() -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let _ = socket
                .write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\ndata: {\"delta\":\"Hel\"}\n\ndata: {\"delta\":\"lo",
                )
                .await;
            let _ = socket.shutdown().await;
        }
    });
    addr
}

#[tokio::test]
async fn a_connection_close_stream_cut_mid_event_is_a_truncation_not_a_decode_error() {
    let addr = connection_close_server().await;
    let c = rt::Client::builder(crate::common::config())
        .base_url(format!("http://{addr}"))
        .retry(rt::RetryPolicy::disabled())
        .build()
        .unwrap();
    let items: Vec<Result<Chunk, rt::Error>> =
        stream_sse(c, post("/v1/chat/completions")).collect().await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().delta, "Hel");
    match &items[1] {
        Err(err @ rt::Error::EventStream(rt::EventStreamError::Truncated { .. })) => {
            assert!(err.to_string().contains("ended mid-event"), "{err}")
        }
        other => panic!("expected a truncation, got {other:?}"),
    }
}
