//! Server-sent events (`text/event-stream`).
//!
//! Streaming operations (chat completions, logs) answer with a body that never ends on its
//! own. The parser turns body chunks into [`SseEvent`]s following the WHATWG rules (fields
//! `event`, `data`, `id`, `retry`; comment lines; `\n`, `\r\n` or `\r` line ends; multi-line
//! data joined with `\n`; lines split across chunks) and [`decode_sse`] deserializes each
//! event's data into a type, ending at the `[DONE]` sentinel some providers send.
//!
//! Parsing costs time linear in the body whatever its chunking, and memory bounded by a
//! limit on one line and on one event's data ([`DEFAULT_MAX_EVENT_SIZE`], 16 MiB; set per
//! call with [`RequestOptions::max_event_size`](crate::RequestOptions::max_event_size)).
//! Past the limit the stream ends with [`EventStreamError::TooLarge`].
//!
//! The end of the body ends the stream. When it falls between events, that is the normal
//! end, `[DONE]` or not (not every provider sends the sentinel). When it falls inside an
//! event, after a `data` line that no blank line followed or in the middle of a line, the
//! connection was most likely cut: the WHATWG rules discard the unfinished event, and so
//! does this parser, but the stream then ends with [`EventStreamError::Truncated`] rather
//! than quietly, so that a caller can tell a cut answer from a complete one.
//!
//! Generated code calls `stream_sse::<T>(client, request)`, which is lazy: nothing is sent
//! until the stream is polled, and a send error becomes the stream's only item.

use std::collections::VecDeque;

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt as _};
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::{Error, EventStreamError, RawBody, excerpt};
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

/// The default limit on one line and on the data of one event, in bytes (16 MiB).
///
/// Real events are far smaller (a chat completion chunk is a few hundred bytes, a large
/// tool call some kilobytes), yet without a limit a server that never ends a line could
/// make the client buffer until it runs out of memory.
pub const DEFAULT_MAX_EVENT_SIZE: usize = 16 * 1024 * 1024;

const BOM: &[u8] = "\u{feff}".as_bytes();

/// The incremental `text/event-stream` parser behind [`decode_sse_events`].
///
/// Each byte is examined once: a chunk is scanned for line ends (with `memchr`, many bytes
/// at a time) from where the previous scan stopped, and only the unfinished last line is
/// kept, so the cost is linear in the size of the body however it is split into chunks.
/// A `\r` that ends one chunk is remembered, so that a `\n` starting the next one is not
/// read as a second line end.
#[doc(hidden)]
#[derive(Debug)]
pub struct SseParser {
    /// The unfinished last line: bytes after the last line end, holding no line end.
    line: Vec<u8>,
    /// The last byte taken was a `\r` ending a line; a `\n` next belongs to it.
    after_cr: bool,
    /// No line has been read yet (a byte order mark may lead the first one).
    at_start: bool,
    current: SseEvent,
    has_data: bool,
    ready: VecDeque<SseEvent>,
    max: usize,
    /// Bytes examined for line ends, so that tests can check the work is linear.
    #[cfg(test)]
    scanned: usize,
}

impl Default for SseParser {
    fn default() -> Self {
        SseParser::new(DEFAULT_MAX_EVENT_SIZE)
    }
}

impl SseParser {
    /// A parser that refuses lines (field name included) and events' data longer than
    /// `max_event_size` bytes.
    pub fn new(max_event_size: usize) -> Self {
        SseParser {
            line: Vec::new(),
            after_cr: false,
            at_start: true,
            current: SseEvent::default(),
            has_data: false,
            ready: VecDeque::new(),
            max: max_event_size,
            #[cfg(test)]
            scanned: 0,
        }
    }

    /// The next complete event, if any.
    pub fn next_event(&mut self) -> Option<SseEvent> {
        self.ready.pop_front()
    }

    /// Read one chunk of the body. After an error the parser must not be used again.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), EventStreamError> {
        let mut rest = chunk;
        if self.after_cr && !rest.is_empty() {
            self.after_cr = false;
            if rest[0] == b'\n' {
                rest = &rest[1..];
            }
        }
        loop {
            let found = memchr::memchr2(b'\n', b'\r', rest);
            #[cfg(test)]
            {
                self.scanned += found.map_or(rest.len(), |i| i + 1);
            }
            let Some(end) = found else {
                if self.line.len() + rest.len() > self.max {
                    return Err(self.too_large());
                }
                self.line.extend_from_slice(rest);
                return Ok(());
            };
            if self.line.len() + end > self.max {
                return Err(self.too_large());
            }
            if self.line.is_empty() {
                self.field_line(&rest[..end])?;
            } else {
                self.line.extend_from_slice(&rest[..end]);
                let line = std::mem::take(&mut self.line);
                self.buffered_line(line)?;
            }
            let cr = rest[end] == b'\r';
            rest = &rest[end + 1..];
            if cr {
                match rest.first() {
                    Some(b'\n') => rest = &rest[1..],
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
        }
    }

    /// The body has ended. Ending between events is the normal end of a stream; ending
    /// after a `data` line that no blank line followed, or in the middle of a non-comment
    /// line, is [`EventStreamError::Truncated`], and the unfinished event is discarded.
    pub fn finish(&mut self) -> Result<(), EventStreamError> {
        let line = if self.at_start {
            self.line.strip_prefix(BOM).unwrap_or(&self.line)
        } else {
            &self.line
        };
        let mid_line = line.first().is_some_and(|&b| b != b':');
        let truncated = mid_line || self.has_data;
        let pending = self.line.len() + self.current.data.len();
        self.line.clear();
        self.current = SseEvent::default();
        self.has_data = false;
        if truncated {
            return Err(EventStreamError::Truncated { pending });
        }
        Ok(())
    }

    /// A line that was gathered across chunks. Such lines are the long ones (a large tool
    /// call or image sent as one event), so a data line that starts an event becomes the
    /// event's data in place, without a second copy of its bytes; any other line is read as
    /// usual and its buffer kept for the next long line.
    fn buffered_line(&mut self, mut line: Vec<u8>) -> Result<(), EventStreamError> {
        let value_start = match line.strip_prefix(b"data:") {
            Some(value) if !self.has_data && !self.at_start => {
                Some(line.len() - value.strip_prefix(b" ").unwrap_or(value).len())
            }
            _ => None,
        };
        let Some(value_start) = value_start else {
            self.field_line(&line)?;
            line.clear();
            self.line = line;
            return Ok(());
        };
        line.drain(..value_start);
        let data = match String::from_utf8(line) {
            Ok(data) => data,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        // Measured as text, as `field_line` measures it: each invalid byte became a
        // three-byte U+FFFD, so the data may be longer than the line was.
        if data.len() > self.max {
            return Err(self.too_large());
        }
        self.current.data = data;
        self.has_data = true;
        Ok(())
    }

    fn too_large(&self) -> EventStreamError {
        EventStreamError::TooLarge { limit: self.max }
    }

    /// One line, without its line end.
    fn field_line(&mut self, line: &[u8]) -> Result<(), EventStreamError> {
        let line = if std::mem::take(&mut self.at_start) {
            line.strip_prefix(BOM).unwrap_or(line)
        } else {
            line
        };
        if line.is_empty() {
            self.dispatch();
            return Ok(());
        }
        if line[0] == b':' {
            return Ok(());
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(i) => {
                let value = &line[i + 1..];
                (&line[..i], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        match field {
            b"data" => {
                let value = String::from_utf8_lossy(value);
                // Data lines are joined with `\n`, which counts towards the limit.
                let joint = usize::from(self.has_data);
                if self.current.data.len() + joint + value.len() > self.max {
                    return Err(self.too_large());
                }
                if self.has_data {
                    self.current.data.push('\n');
                }
                self.current.data.push_str(&value);
                self.has_data = true;
            }
            b"event" => self.current.event = Some(String::from_utf8_lossy(value).into_owned()),
            b"id" if !value.contains(&0) => {
                self.current.id = Some(String::from_utf8_lossy(value).into_owned());
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                if let Some(ms) = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok()) {
                    self.current.retry = Some(ms);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A blank line: the event so far is complete.
    fn dispatch(&mut self) {
        if self.has_data {
            self.ready.push_back(std::mem::take(&mut self.current));
        } else {
            self.current.event = None;
        }
        self.has_data = false;
    }
}

struct EventState {
    body: Option<BoxStream<'static, Result<Bytes, Error>>>,
    parser: SseParser,
    /// An error found while parsing, yielded after the events parsed before it.
    error: Option<Error>,
}

/// Parse a streaming response into events; a send error becomes the only item.
pub fn decode_sse_events(
    result: Result<StreamingResponse, Error>,
) -> impl Stream<Item = Result<SseEvent, Error>> + Send + 'static {
    events(result, DEFAULT_MAX_EVENT_SIZE)
}

fn events(
    result: Result<StreamingResponse, Error>,
    max_event_size: usize,
) -> impl Stream<Item = Result<SseEvent, Error>> + Send + 'static {
    let (body, first_error) = match result {
        Ok(resp) => (Some(resp.body), None),
        Err(e) => (None, Some(e)),
    };
    let state = EventState {
        body,
        parser: SseParser::new(max_event_size),
        error: None,
    };
    let events = futures::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(event) = state.parser.next_event() {
                return Some((Ok(event), state));
            }
            if let Some(error) = state.error.take() {
                return Some((Err(error), state));
            }
            let body = state.body.as_mut()?;
            let parsed = match body.next().await {
                Some(Ok(chunk)) => state.parser.push(&chunk),
                Some(Err(e)) => {
                    state.body = None;
                    return Some((Err(e), state));
                }
                None => {
                    state.body = None;
                    state.parser.finish()
                }
            };
            if let Err(e) = parsed {
                state.body = None;
                state.error = Some(Error::EventStream(e));
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
    typed_events(result, DEFAULT_MAX_EVENT_SIZE)
}

fn typed_events<T: DeserializeOwned + Send + 'static>(
    result: Result<StreamingResponse, Error>,
    max_event_size: usize,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static {
    let (status, request_id) = match &result {
        Ok(r) => (r.status, r.request_id.clone()),
        Err(_) => (http::StatusCode::OK, None),
    };
    events(result, max_event_size)
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
                    body: RawBody::new(Bytes::from(event.data.clone())),
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
        let max_event_size = req.options.max_event_size.unwrap_or(DEFAULT_MAX_EVENT_SIZE);
        typed_events::<T>(client.send_streaming(req).await, max_event_size)
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

    fn drain(p: &mut SseParser) -> Vec<SseEvent> {
        std::iter::from_fn(|| p.next_event()).collect()
    }

    #[test]
    fn events_split_across_chunks_are_reassembled() {
        let mut p = SseParser::default();
        p.push(b"event: greet\ndata: hel").unwrap();
        p.push(b"lo\r").unwrap();
        p.push(b"\ndata: world\n\n: comment\ndata: x\n\n").unwrap();
        let events = drain(&mut p);
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].event.as_deref(), Some("greet"));
        assert_eq!(events[0].data, "hello\nworld");
        assert_eq!(events[1].data, "x");
        assert_eq!(events[1].event, None);
    }

    #[test]
    fn a_carriage_return_ending_a_chunk_is_one_line_end_whatever_follows() {
        let mut p = SseParser::default();
        p.push(b"data: a\r").unwrap();
        // A second `\r` is a second line end (a blank line), not part of the first.
        p.push(b"\rdata: b\r").unwrap();
        p.push(b"\n").unwrap();
        p.push(b"\r\n").unwrap();
        let data: Vec<_> = drain(&mut p).into_iter().map(|e| e.data).collect();
        assert_eq!(data, ["a", "b"]);
    }

    #[test]
    fn a_byte_order_mark_before_the_first_line_is_ignored() {
        let mut p = SseParser::default();
        p.push(&BOM[..2]).unwrap();
        p.push(&BOM[2..]).unwrap();
        p.push(b"data: x\n\ndata: \xEF\xBB\xBFy\n\n").unwrap();
        let data: Vec<_> = drain(&mut p).into_iter().map(|e| e.data).collect();
        assert_eq!(data, ["x", "\u{feff}y"]);
    }

    #[test]
    fn the_end_of_the_body_between_events_is_a_clean_end() {
        for body in [
            &b""[..],
            b"data: a\n\n",
            b"data: a\r\n\r\n: bye",
            b"data: a\n\nevent: x\nid: 2\nretry: 5\n",
            b"\xEF\xBB\xBF",
        ] {
            let mut p = SseParser::default();
            p.push(body).unwrap();
            assert_eq!(p.finish(), Ok(()), "{:?}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn the_end_of_the_body_inside_an_event_is_a_truncation_and_drops_the_event() {
        for (body, pending) in [
            (&b"data: a\n\ndata: {\"x\":1}\n"[..], 7),
            (b"data: a\n\ndata:\n", 0),
            (b"data: a\n\ndata: {\"x\"", 10),
            (b"data: a\n\ndata: b\ndata: c\r", 3),
            (b"data: a\n\nevent: pi", 9),
        ] {
            let mut p = SseParser::default();
            p.push(body).unwrap();
            let text = String::from_utf8_lossy(body);
            assert_eq!(
                p.finish(),
                Err(EventStreamError::Truncated { pending }),
                "{text:?}"
            );
            let data: Vec<_> = drain(&mut p).into_iter().map(|e| e.data).collect();
            assert_eq!(data, ["a"], "{text:?}");
        }
    }

    #[test]
    fn a_long_line_fed_in_small_chunks_is_scanned_once() {
        // Rescanning the buffered line on every chunk made a 15 MB line cost nine times a
        // 5 MB one; each byte is now examined once.
        let line = [b'x'; 1 << 20];
        let mut p = SseParser::default();
        p.push(b"data: ").unwrap();
        for chunk in line.chunks(1024) {
            p.push(chunk).unwrap();
        }
        p.push(b"\n\n").unwrap();
        assert_eq!(drain(&mut p)[0].data.len(), line.len());
        assert!(
            p.scanned <= line.len() + 16,
            "{} bytes scanned for a {}-byte line",
            p.scanned,
            line.len()
        );
    }

    #[test]
    fn long_lines_split_across_chunks_read_like_short_ones() {
        // A data line gathered across chunks becomes the event's data in place; other
        // lines, and data lines after the first, go the usual way.
        let body = b"event: big\ndata:  two spaces\ndata:\xFF\ndata\n\ndata:x\n\n: note\nid: 9\n\n";
        let mut whole = SseParser::default();
        whole.push(body).unwrap();
        whole.finish().unwrap();
        let expected = drain(&mut whole);
        assert_eq!(expected[0].data, " two spaces\n\u{fffd}\n");
        let mut bytes = SseParser::default();
        for byte in body {
            bytes.push(std::slice::from_ref(byte)).unwrap();
        }
        bytes.finish().unwrap();
        assert_eq!(drain(&mut bytes), expected);
    }

    #[test]
    fn data_that_grows_as_invalid_utf8_is_replaced_meets_the_limit_alike_in_any_chunks() {
        // Found by the `sse` fuzz target: 19 bytes of value with ten invalid bytes are 39
        // bytes of text, over a limit of 36, which only a whole-chunk parse reported.
        let body = b"\xFF\0\0 lt\ndata:\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\0\0\0\0a\xFF\xFF    \n ";
        for piece in [1, 2, 5, body.len()] {
            let mut p = SseParser::new(36);
            let result = body.chunks(piece).try_for_each(|chunk| p.push(chunk));
            assert_eq!(
                result,
                Err(EventStreamError::TooLarge { limit: 36 }),
                "{piece}"
            );
        }
    }

    #[test]
    fn a_line_longer_than_the_limit_is_an_error() {
        let mut p = SseParser::new(1000);
        p.push(b"data: ").unwrap();
        let chunk = [b'x'; 100];
        let result = (0..20).try_for_each(|_| p.push(&chunk));
        assert_eq!(result, Err(EventStreamError::TooLarge { limit: 1000 }));
        assert!(
            p.line.len() <= 1000,
            "the parser stopped buffering at the limit"
        );

        let mut p = SseParser::new(10);
        assert_eq!(
            p.push(b": a comment longer than ten bytes\n"),
            Err(EventStreamError::TooLarge { limit: 10 })
        );
    }

    #[test]
    fn an_event_with_more_data_than_the_limit_is_an_error() {
        // Every line is within the limit; only the events' data is measured here.
        let mut p = SseParser::new(12);
        // Exactly at the limit: `12345\n123456` is twelve bytes.
        p.push(b"data: 12345\ndata: 123456\n\n").unwrap();
        assert_eq!(drain(&mut p)[0].data, "12345\n123456");
        assert_eq!(
            p.push(b"data: 123456\ndata: 123456\n\n"),
            Err(EventStreamError::TooLarge { limit: 12 })
        );
    }
}
