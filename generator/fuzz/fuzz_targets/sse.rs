//! Arbitrary bytes → the runtime's server-sent event parser, in one chunk and in pieces.
//!
//! The first byte picks the size limit and the second the length of the pieces; the rest is
//! the body. Any panic is a bug, and so is a difference between the two parses: the events
//! and the error that ends the stream must not depend on how the body was split.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sdkgen_runtime::__private::SseParser;
use sdkgen_runtime::{EventStreamError, SseEvent};

fn parse<'a>(
    chunks: impl Iterator<Item = &'a [u8]>,
    limit: usize,
) -> (Vec<SseEvent>, Result<(), EventStreamError>) {
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

fuzz_target!(|data: &[u8]| {
    let [limit, piece, body @ ..] = data else {
        return;
    };
    // Small limits reach the size checks; 0 stands for the default of 16 MiB.
    let limit = match *limit {
        0 => sdkgen_runtime::sse::DEFAULT_MAX_EVENT_SIZE,
        n => usize::from(n),
    };
    let piece = usize::from(*piece).max(1);
    let whole = parse(std::iter::once(body), limit);
    let pieces = parse(body.chunks(piece), limit);
    assert_eq!(whole, pieces, "pieces of {piece} bytes");
});
