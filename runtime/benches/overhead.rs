//! The cost of one call through the runtime — request description, URL and headers,
//! retry bookkeeping (the default policy and budget), the proactive rate limiter (a token
//! bucket with a rate far above what the loop can reach, so it is consulted on every call
//! but never waits), the default 60 s per-attempt timeout, bearer auth, the interceptor
//! pipeline, the tracing span, error classification and JSON decoding — compared with the
//! same request sent with raw reqwest and decoded with serde_json.
//!
//! Both go to a minimal HTTP/1.1 keep-alive server on 127.0.0.1 that answers every request
//! with the same 9-byte JSON body, so the network part is as small and as stable as it can
//! be and the difference is the runtime. Both use the same `reqwest::Client`.
//!
//! "The same request" means the same bytes on the wire. The runtime sends a `user-agent`
//! and `accept: application/json` with every request, so the raw side sends them too (as
//! prebuilt header values, the cheapest way raw reqwest has), in the same order, and
//! formats its bearer header per call with `bearer_auth` as raw reqwest code does.
//! Before measuring, the bench captures one request from each side and panics if the
//! bytes differ, so the comparison cannot drift apart unnoticed.
//!
//! On a shared, loaded machine two criterion groups measured one after the other drift
//! apart by more than the overhead itself, so after them a *paired* measurement runs:
//! rounds of raw calls and runtime calls alternate (in alternating order), the ratio is
//! taken per round, and the median ratio is printed, in wall time and in CPU time summed
//! over every thread of the process (`/proc/self/task/*/schedstat`, which other processes
//! cannot inflate), together with the heap allocations per call of each path (a counting
//! global allocator). Those paired numbers are the ones to read. Filter the criterion
//! groups out (`-- paired`, which matches none) to run only the paired measurement.
//!
//! `cargo bench -p sdkgen-runtime --bench overhead -- --warm-up-time 2 --measurement-time 10`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use rt::http::HeaderValue;
use rt::http::header::{ACCEPT, USER_AGENT};
use sdkgen_runtime as rt;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 9\r\nx-request-id: req_1\r\n\r\n{\"id\":42}";

/// The system allocator, counting allocations.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: delegates to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The request heads a capturing server has seen.
type Captured = Arc<Mutex<Vec<Vec<u8>>>>;

/// Answer every request on every connection with `RESPONSE` (requests have no body),
/// keeping each request head in `capture` when there is one.
async fn serve(listener: tokio::net::TcpListener, capture: Option<Captured>) {
    while let Ok((mut socket, _)) = listener.accept().await {
        let _ = socket.set_nodelay(true);
        let capture = capture.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 16 * 1024];
            let mut filled = 0;
            loop {
                match socket.read(&mut buf[filled..]).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => filled += n,
                }
                while let Some(end) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
                    if let Some(capture) = &capture {
                        capture
                            .lock()
                            .expect("capture")
                            .push(buf[..end + 4].to_vec());
                    }
                    if socket.write_all(RESPONSE).await.is_err() {
                        return;
                    }
                    buf.copy_within(end + 4..filled, 0);
                    filled -= end + 4;
                }
            }
        });
    }
}

struct Setup {
    runtime: tokio::runtime::Runtime,
    http: rt::reqwest::Client,
    client: rt::Client,
    url: String,
    user_agent: HeaderValue,
}

fn setup() -> Setup {
    setup_with(None)
}

fn setup_with(capture: Option<Captured>) -> Setup {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let addr = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(serve(listener, capture));
        addr
    });
    let base = format!("http://{addr}");
    let http = rt::reqwest::Client::builder()
        .redirect(rt::client::same_origin_redirects())
        .build()
        .expect("reqwest client");
    let config = rt::ProviderConfig::new("bench")
        .user_agent("bench", "0.0.0")
        .request_id_header("x-request-id");
    let client = rt::Client::builder(config)
        .base_url(format!("{base}/v1"))
        .auth(rt::Auth::bearer("sk_test_token"))
        .reqwest_client(http.clone())
        // Retries: the default policy (2 retries, backoff, budget). Limiter: on, never waits.
        .retry(rt::RetryPolicy::default())
        .rate_limit(rt::RateLimit::per_second(1e9))
        .build()
        .expect("client");
    let url = format!("{base}/v1/things/42?expand=a");
    let user_agent = HeaderValue::from_str(&format!(
        "bench/0.0.0 sdkgen-runtime/{}",
        env!("CARGO_PKG_VERSION")
    ))
    .expect("user agent");
    Setup {
        runtime,
        http,
        client,
        url,
        user_agent,
    }
}

/// Panic unless both sides send byte-for-byte the same request.
fn check_same_request_on_the_wire() {
    let capture = Captured::default();
    let s = setup_with(Some(capture.clone()));
    s.raw();
    s.through_runtime();
    let heads = capture.lock().expect("capture");
    let text = |i: usize| String::from_utf8_lossy(&heads[i]).into_owned();
    assert_eq!(heads.len(), 2, "expected one request from each side");
    assert_eq!(
        text(0),
        text(1),
        "raw reqwest and the runtime must send the same request"
    );
}

impl Setup {
    fn raw(&self) -> serde_json::Value {
        self.runtime.block_on(async {
            let resp = self
                .http
                .get(&self.url)
                .header(USER_AGENT, self.user_agent.clone())
                .header(ACCEPT, HeaderValue::from_static("application/json"))
                .bearer_auth("sk_test_token")
                .send()
                .await
                .expect("send");
            assert!(resp.status().is_success());
            let bytes = resp.bytes().await.expect("body");
            serde_json::from_slice::<serde_json::Value>(&bytes).expect("json")
        })
    }

    fn through_runtime(&self) -> serde_json::Value {
        self.runtime.block_on(async {
            let req = rt::__private::Request::new(
                rt::http::Method::GET,
                "getThing",
                "/things/{id}",
                "/things/42".to_owned(),
            )
            .query_form("expand", &"a", true);
            let raw = self.client.send(req).await.expect("send");
            rt::__private::decode_json::<serde_json::Value>(&raw).expect("json")
        })
    }
}

fn overhead(c: &mut Criterion) {
    let s = setup();
    let mut group = c.benchmark_group("one_call");
    group.bench_function("raw_reqwest", |b| b.iter(|| s.raw()));
    group.bench_function("sdkgen_runtime", |b| b.iter(|| s.through_runtime()));
    group.finish();
}

/// Nanoseconds on CPU of every thread of this process (client, tokio worker, server),
/// from `/proc/self/task/*/schedstat` (Linux). Unlike wall time, other processes on a
/// busy machine do not inflate it.
fn cpu_ns() -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

/// Alternate rounds of each path and print the median of the per-round ratios, in wall
/// time and in CPU time.
fn paired() {
    const ROUNDS: usize = 40;
    const CALLS: u32 = 1000;
    let s = setup();
    for _ in 0..CALLS {
        s.raw();
        s.through_runtime();
    }
    // (wall time per call, CPU ns per call)
    let round = |f: &dyn Fn() -> serde_json::Value| {
        let cpu = cpu_ns().unwrap_or_default();
        let start = Instant::now();
        for _ in 0..CALLS {
            std::hint::black_box(f());
        }
        let wall = start.elapsed() / CALLS;
        let cpu = (cpu_ns().unwrap_or_default() - cpu) as f64 / f64::from(CALLS);
        (wall, cpu)
    };
    let (mut raw, mut ours, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let (mut raw_cpu, mut our_cpu, mut cpu_ratios) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..ROUNDS {
        let (r, o) = if i % 2 == 0 {
            let r = round(&|| s.raw());
            (r, round(&|| s.through_runtime()))
        } else {
            let o = round(&|| s.through_runtime());
            (round(&|| s.raw()), o)
        };
        raw.push(r.0);
        ours.push(o.0);
        ratios.push(o.0.as_secs_f64() / r.0.as_secs_f64());
        raw_cpu.push(r.1);
        our_cpu.push(o.1);
        cpu_ratios.push(o.1 / r.1);
    }
    let allocations = |f: &dyn Fn() -> serde_json::Value| {
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for _ in 0..CALLS {
            std::hint::black_box(f());
        }
        (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / f64::from(CALLS)
    };
    let raw_allocs = allocations(&|| s.raw());
    let our_allocs = allocations(&|| s.through_runtime());
    let median_d = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let median_f = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    if cpu_ns().is_some() {
        let q = |v: &[f64], n: usize| v[n * v.len() / 4];
        let (r, o) = (median_f(&mut raw_cpu), median_f(&mut our_cpu));
        let m = median_f(&mut cpu_ratios);
        println!(
            "paired CPU time (all threads): raw reqwest median {:.2} µs/call, sdkgen-runtime \
             median {:.2} µs/call, median ratio {m:.3} (quartiles {:.3}..{:.3})",
            r / 1000.0,
            o / 1000.0,
            q(&cpu_ratios, 1),
            q(&cpu_ratios, 3),
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "paired ({ROUNDS} alternating rounds of {CALLS} calls): raw reqwest median {:?}/call, \
         sdkgen-runtime median {:?}/call, median ratio {:.3} (quartiles {:.3}..{:.3}); \
         allocations per call: raw {raw_allocs:.1}, runtime {our_allocs:.1}",
        median_d(&mut raw),
        median_d(&mut ours),
        ratios[ROUNDS / 2],
        ratios[ROUNDS / 4],
        ratios[3 * ROUNDS / 4],
    );
}

criterion_group!(benches, overhead);

fn main() {
    check_same_request_on_the_wire();
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo test` runs benches with `--bench`-less arguments to check they build; only
    // measure for real under `cargo bench`.
    if std::env::args().any(|a| a == "--bench") {
        paired();
    }
}
