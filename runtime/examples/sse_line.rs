//! Parses one server-sent event whose `data:` line is N megabytes, fed in 8 KiB chunks, once.
//! A fixed amount of work for instruction counting, which unlike wall time does not depend on
//! the machine's load or its caches (see BENCHMARKS.md):
//!
//! ```sh
//! cargo build --release -p sdkgen-runtime --example sse_line
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/sse_line 5
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/sse_line 5 build-only
//! ```
//!
//! The parse costs the difference between the two totals (`Collected`).

use sdkgen_runtime::__private::SseParser;

fn main() {
    let mut args = std::env::args().skip(1);
    let mb: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let build_only = args.next().as_deref() == Some("build-only");
    let payload = mb * 1_000_000;
    let mut body = Vec::with_capacity(payload + 64);
    body.extend_from_slice(b"data: {\"delta\":\"");
    let pattern = b"The quick brown fox jumps over the lazy dog. ";
    while body.len() < payload {
        body.extend_from_slice(pattern);
    }
    body.extend_from_slice(b"\"}\n\n");
    if build_only {
        println!("{}", std::hint::black_box(&body).len());
        return;
    }
    let mut parser = SseParser::default();
    for chunk in body.chunks(8 * 1024) {
        if let Err(e) = parser.push(chunk) {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
    match parser.next_event() {
        Some(event) => println!("{}", event.data.len()),
        None => {
            eprintln!("no event");
            std::process::exit(1);
        }
    }
}
