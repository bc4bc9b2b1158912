//! Tracing output of a call. In its own test binary: tracing caches per-callsite interest
//! process-wide, so a subscriber installed by one test among many parallel tests could miss
//! callsites first registered on another thread.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sdkgen_runtime as rt;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A minimal subscriber that writes every span field and event to one string.
struct Capture {
    out: Arc<Mutex<String>>,
    next: AtomicU64,
}

struct Writer<'a>(&'a mut String);

impl Visit for Writer<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut out = self.out.lock().unwrap();
        let _ = write!(out, "\nspan {} ", span.metadata().name());
        span.record(&mut Writer(&mut out));
        Id::from_u64(self.next.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Writer(&mut self.out.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut out = self.out.lock().unwrap();
        out.push_str("\nevent ");
        event.record(&mut Writer(&mut out));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test(start_paused = true)]
async fn the_call_span_has_operation_and_template_but_never_the_query_or_secrets() {
    let out = Arc::new(Mutex::new(String::new()));
    let _guard = tracing::subscriber::set_default(Capture {
        out: out.clone(),
        next: AtomicU64::new(0),
    });
    let server = MockServer::start().await;
    Mock::given(path("/things/cus_123"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/things/cus_123"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let c = rt::Client::builder(rt::ProviderConfig::new("test"))
        .base_url(server.uri())
        .reqwest_client(
            rt::reqwest::Client::builder()
                .pool_idle_timeout(None)
                .build()
                .unwrap(),
        )
        .no_timeouts()
        .auth(rt::Auth::api_key_query("key", "QSECRET"))
        .rate_limit(rt::RateLimit::per_second(1.0).burst(1))
        .build()
        .unwrap();
    let req = rt::__private::Request::new(
        rt::http::Method::GET,
        "getThing",
        "/things/{id}",
        "/things/cus_123".into(),
    );
    c.send(req.query_form("email", &"alice@example.com", true))
        .await
        .unwrap();
    let log = out.lock().unwrap().clone();
    for expected in [
        "span sdkgen.call",
        "provider=\"test\"",
        "operation=\"getThing\"",
        "method=GET",
        "path=\"/things/{id}\"",
        "attempt=2",
        "status=200",
        "latency_ms=",
        "reason=\"server error\"",
        "retrying",
        "waiting for a token",
    ] {
        assert!(log.contains(expected), "missing {expected:?} in {log}");
    }
    for secret in ["QSECRET", "alice", "cus_123"] {
        assert!(!log.contains(secret), "{secret:?} leaked into {log}");
    }
}
