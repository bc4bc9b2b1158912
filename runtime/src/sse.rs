//! Server-sent events (`text/event-stream`).
//!
//! Streaming operations (chat completions, logs) answer with a body that never ends on its
//! own. The parser turns body chunks into [`SseEvent`]s following the WHATWG rules (fields
//! `event`, `data`, `id`, `retry`; comment lines; `\n`, `\r\n` or `\r` line ends; multi-line
//! data joined with `\n`; lines split across chunks) and [`decode_sse`] deserializes each
//! event's data into a type, ending at the `[DONE]` sentinel some providers send.
//!
//! Generated code calls `stream_sse::<T>(client, request)`, which is lazy: nothing is sent
//! until the stream is polled, and a send error becomes the stream's only item.

use std::collections::VecDeque;

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt as _};
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::{Error, excerpt};
use crate::request::Request;
use crate::response::StreamingResponse;

/// One server-sent event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// The event type (`event:` field), if given.
    pub event: Option<String>,
    /// The data lines, joined with `\n`.
    pub data: String,
    /// The last event id (`id:` field), if given.
    pub id: Option<String>,
    /// The reconnection time in milliseconds (`retry:` field), if given.
    pub retry: Option<u64>,
}

#[derive(Default)]
struct Parser {
    buf: Vec<u8>,
    current: SseEvent,
    has_data: bool,
    ready: VecDeque<SseEvent>,
}

impl Parser {
    fn push(&mut self, chunk: &[u8], eof: bool) {
        self.buf.extend_from_slice(chunk);
        let mut start = 0;
        while let Some(rel) = self.buf[start..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
        {
            let end = start + rel;
            let mut next = end + 1;
            if self.buf[end] == b'\r' {
                match self.buf.get(end + 1) {
                    Some(b'\n') => next = end + 2,
                    Some(_) => {}
                    None if !eof => break, // a `\n` may follow in the next chunk
                    None => {}
                }
            }
            let line = String::from_utf8_lossy(&self.buf[start..end]).into_owned();
            self.line(&line);
            start = next;
        }
        self.buf.drain(..start);
        if eof {
            if !self.buf.is_empty() {
                let line = String::from_utf8_lossy(&self.buf).into_owned();
                self.buf.clear();
                self.line(&line);
            }
            self.line("");
        }
    }

    fn line(&mut self, line: &str) {
        if line.is_empty() {
            if self.has_data {
                let mut event = std::mem::take(&mut self.current);
                if event.data.ends_with('\n') {
                    event.data.pop();
                }
                self.ready.push_back(event);
            } else {
                self.current.event = None;
            }
            self.has_data = false;
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.find(':') {
            Some(i) => {
                let value = &line[i + 1..];
                (&line[..i], value.strip_prefix(' ').unwrap_or(value))
            }
            None => (line, ""),
        };
        match field {
            "data" => {
                self.current.data.push_str(value);
                self.current.data.push('\n');
                self.has_data = true;
            }
            "event" => self.current.event = Some(value.to_owned()),
            "id" if !value.contains('\0') => self.current.id = Some(value.to_owned()),
            "retry" => {
                if let Ok(ms) = value.parse() {
                    self.current.retry = Some(ms);
                }
            }
            _ => {}
        }
    }
}

struct EventState {
    body: Option<BoxStream<'static, Result<Bytes, Error>>>,
    parser: Parser,
}

/// Parse a streaming response into events; a send error becomes the only item.
pub fn decode_sse_events(
    result: Result<StreamingResponse, Error>,
) -> impl Stream<Item = Result<SseEvent, Error>> + Send + 'static {
    let (body, first_error) = match result {
        Ok(resp) => (Some(resp.body), None),
        Err(e) => (None, Some(e)),
    };
    let state = EventState {
        body,
        parser: Parser::default(),
    };
    let events = futures::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(event) = state.parser.ready.pop_front() {
                return Some((Ok(event), state));
            }
            let body = state.body.as_mut()?;
            match body.next().await {
                Some(Ok(chunk)) => state.parser.push(&chunk, false),
                Some(Err(e)) => {
                    state.body = None;
                    return Some((Err(e), state));
                }
                None => {
                    state.body = None;
                    state.parser.push(&[], true);
                    if let Some(event) = state.parser.ready.pop_front() {
                        return Some((Ok(event), state));
                    }
                    return None;
                }
            }
        }
    });
    futures::stream::iter(first_error.map(Err)).chain(events)
}

/// Parse a streaming response into events whose data is JSON of type `T`. The `[DONE]`
/// sentinel ends the stream; a data payload that does not match `T` is a decode error item.
pub fn decode_sse<T: DeserializeOwned + Send + 'static>(
    result: Result<StreamingResponse, Error>,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static {
    let (status, request_id) = match &result {
        Ok(r) => (r.status, r.request_id.clone()),
        Err(_) => (http::StatusCode::OK, None),
    };
    decode_sse_events(result)
        .take_while(|event| {
            let done = matches!(event, Ok(e) if e.data.trim() == "[DONE]");
            std::future::ready(!done)
        })
        .map(move |event| {
            let event = event?;
            let mut de = serde_json::Deserializer::from_str(&event.data);
            serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
                let path = e.path().to_string();
                Error::Decode {
                    status,
                    message: format!("event data does not match the expected type: {}", e.inner()),
                    path: (path != ".").then_some(path),
                    excerpt: excerpt(event.data.as_bytes(), 256),
                    request_id: request_id.clone(),
                }
            })
        })
}

/// Send `req` and stream its events as `T`, lazily.
pub fn stream_sse<T: DeserializeOwned + Send + 'static>(
    client: Client,
    req: Request,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static {
    futures::stream::once(async move {
        let req = req.options_header_accept_event_stream();
        decode_sse::<T>(client.send_streaming(req).await)
    })
    .flatten()
}

impl Request {
    fn options_header_accept_event_stream(mut self) -> Self {
        if !self.headers.iter().any(|(n, _)| n == http::header::ACCEPT) {
            self.headers.push((
                http::header::ACCEPT,
                http::HeaderValue::from_static("text/event-stream"),
            ));
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks_are_reassembled() {
        let mut p = Parser::default();
        p.push(b"event: greet\ndata: hel", false);
        p.push(b"lo\r", false);
        p.push(b"\ndata: world\n\n: comment\ndata: x\n\n", false);
        let events: Vec<_> = p.ready.drain(..).collect();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].event.as_deref(), Some("greet"));
        assert_eq!(events[0].data, "hello\nworld");
        assert_eq!(events[1].data, "x");
        assert_eq!(events[1].event, None);
    }
}
