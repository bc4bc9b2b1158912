//! The server-sent event parser on one very long `data:` line, as a model that streams a
//! large tool call or a base64 image in one event might send: 5, 10 and 15 MB lines, fed
//! to the parser in 8 KiB chunks (about what a TLS record or an HTTP/2 frame delivers).
//!
//! The parser used to rescan its whole buffer on every chunk, so its time grew with the
//! square of the line (issue 12: 0.70, 2.76 and 6.46 s). It now examines each byte once, so
//! the 15 MB line should cost about three times the 5 MB one. After criterion's groups, a
//! paired measurement alternates the three sizes round by round and prints, for each size,
//! the median and fastest time, the median of its ratio to the 5 MB time in the same round,
//! and the ratio of the fastest times (the least disturbed by other processes on a shared
//! machine). Those are the numbers to read.
//!
//! Much of the time is the memory of the event itself: its data is a fresh allocation of
//! the line's size, and whether glibc serves it from pages already touched (its mmap
//! threshold rises as large blocks are freed) or maps new ones varies from round to round.
//!
//! `cargo bench -p sdkgen-runtime --bench sse`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use sdkgen_runtime::__private::SseParser;

const CHUNK: usize = 8 * 1024;
const SIZES_MB: [usize; 3] = [5, 10, 15];

/// One event whose single `data:` line holds `mb` megabytes of JSON.
fn body(mb: usize) -> Vec<u8> {
    let payload = mb * 1_000_000;
    let mut body = Vec::with_capacity(payload + 64);
    body.extend_from_slice(b"data: {\"delta\":\"");
    let pattern = b"The quick brown fox jumps over the lazy dog. ";
    while body.len() < payload {
        body.extend_from_slice(pattern);
    }
    body.extend_from_slice(b"\"}\n\n");
    body
}

/// Parse `body` in chunks; the length of the event's data.
fn parse(body: &[u8]) -> usize {
    let mut parser = SseParser::default();
    for chunk in body.chunks(CHUNK) {
        if parser.push(chunk).is_err() {
            panic!("the benchmark event is within the default limit");
        }
    }
    match parser.next_event() {
        Some(event) => event.data.len(),
        None => panic!("the benchmark body holds one complete event"),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn bench(c: &mut Criterion) {
    let bodies: Vec<(usize, Vec<u8>)> = SIZES_MB.iter().map(|&mb| (mb, body(mb))).collect();
    let mut group = c.benchmark_group("sse_long_line");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    for (mb, body) in &bodies {
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{mb}MB")),
            body,
            |b, body| b.iter(|| parse(black_box(body))),
        );
    }
    group.finish();

    // Paired: every round times each size once, in rotating order, so that a burst of load
    // from another process touches all sizes alike.
    const ROUNDS: usize = 61;
    let mut times = vec![Vec::new(); bodies.len()];
    let mut ratios = vec![Vec::new(); bodies.len()];
    for round in 0..ROUNDS {
        let mut this_round = vec![0.0; bodies.len()];
        for k in 0..bodies.len() {
            let i = (round + k) % bodies.len();
            let start = Instant::now();
            black_box(parse(black_box(&bodies[i].1)));
            this_round[i] = start.elapsed().as_secs_f64();
        }
        for i in 0..bodies.len() {
            times[i].push(this_round[i]);
            ratios[i].push(this_round[i] / this_round[0]);
        }
    }
    let fastest = |i: usize| times[i].iter().copied().fold(f64::INFINITY, f64::min);
    println!("paired, {ROUNDS} rounds, {CHUNK}-byte chunks:");
    for (i, (mb, _)) in bodies.iter().enumerate() {
        println!(
            "  {mb:>2} MB line: median {:.2} ms, fastest {:.2} ms; to 5 MB: median ratio {:.2}, fastest / fastest {:.2}",
            median(times[i].clone()) * 1e3,
            fastest(i) * 1e3,
            median(ratios[i].clone()),
            fastest(i) / fastest(0),
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
